//! QR codes for workshop handouts, drawn as plain SVG (one square per dark module).

use qrcode::{Color, EcLevel, QrCode};

use crate::html::{encode_url, escape};

/// Modules of white space around the code, as the QR standard asks.
const QUIET_ZONE: usize = 4;

/// An inline SVG QR code for `url` (percent-encoded, as every URL the site writes), labelled for
/// screen readers; `None` if it is too long to encode.
pub fn svg(url: &str, label: &str) -> Option<String> {
    let code = QrCode::with_error_correction_level(encode_url(url).as_bytes(), EcLevel::M).ok()?;
    let width = code.width();
    let size = width + 2 * QUIET_ZONE;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"qr\" role=\"img\" viewBox=\"0 0 {size} {size}\" shape-rendering=\"crispEdges\"><title>{}</title><rect width=\"{size}\" height=\"{size}\" fill=\"#fff\"/>",
        escape(label)
    );
    for (i, color) in code.to_colors().into_iter().enumerate() {
        if color == Color::Dark {
            let (x, y) = (i % width + QUIET_ZONE, i / width + QUIET_ZONE);
            svg.push_str(&format!(
                "<rect x=\"{x}\" y=\"{y}\" width=\"1\" height=\"1\"/>"
            ));
        }
    }
    svg.push_str("</svg>");
    Some(svg)
}
