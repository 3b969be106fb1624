//! QR codes for workshop handouts, drawn as plain SVG: one path, a rectangle per run of dark
//! modules in a row, so that a code is one element of the page, not hundreds.

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
    let colors = code.to_colors();
    let mut path = String::new();
    for (y, row) in colors.chunks(width).enumerate() {
        let mut x = 0;
        while x < width {
            if row[x] != Color::Dark {
                x += 1;
                continue;
            }
            let start = x;
            while x < width && row[x] == Color::Dark {
                x += 1;
            }
            let run = x - start;
            path.push_str(&format!(
                "M{} {}h{run}v1h-{run}z",
                start + QUIET_ZONE,
                y + QUIET_ZONE
            ));
        }
    }
    svg.push_str(&format!("<path d=\"{path}\"/>"));
    svg.push_str("</svg>");
    Some(svg)
}
