//! The one HTML escaper, for text and for quoted attribute values alike: templates (through the
//! render environment's formatter), search snippets and the inline SVG of QR codes all use it.

use std::fmt;

/// The entity for a byte that must be escaped, if it must: `&`, `<`, `>`, `"` and `'`. `/` is
/// left alone so that URLs stay readable.
fn entity(byte: u8) -> Option<&'static str> {
    match byte {
        b'&' => Some("&amp;"),
        b'<' => Some("&lt;"),
        b'>' => Some("&gt;"),
        b'"' => Some("&quot;"),
        b'\'' => Some("&#39;"),
        _ => None,
    }
}

/// Writes `text` escaped to `out`. The escaped characters are ASCII, so the text is copied in
/// spans between them.
pub fn write_escaped<W: fmt::Write + ?Sized>(out: &mut W, text: &str) -> fmt::Result {
    let mut copied = 0;
    for (at, byte) in text.bytes().enumerate() {
        if let Some(entity) = entity(byte) {
            out.write_str(&text[copied..at])?;
            out.write_str(entity)?;
            copied = at + 1;
        }
    }
    out.write_str(&text[copied..])
}

/// Appends `text`, escaped, to `html`.
pub fn escape_into(html: &mut String, text: &str) {
    // Writing to a String cannot fail.
    let _ = write_escaped(html, text);
}

/// `text`, escaped.
pub fn escape(text: &str) -> String {
    let mut html = String::with_capacity(text.len());
    escape_into(&mut html, text);
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_both_quotes_but_not_slashes() {
        assert_eq!(
            escape("a/b & <c> \"d\" 'e' é&&|"),
            "a/b &amp; &lt;c&gt; &quot;d&quot; &#39;e&#39; é&amp;&amp;|"
        );
        assert_eq!(escape(""), "");
        assert_eq!(escape("plain"), "plain");
    }
}
