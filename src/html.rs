//! The one HTML escaper, for text and for quoted attribute values alike: templates (through the
//! render environment's formatter, for the HTML pages and the XML feed), search snippets and the
//! inline SVG of QR codes all use it. It also defines the characters no document may carry.

use std::fmt;

/// Characters that no page, feed or export may carry, because XML 1.0 forbids them and HTML
/// reports them as errors: C0 controls but tab, newline and carriage return, DEL, C1 controls,
/// and the noncharacters U+FDD0 to U+FDEF, U+FFFE and U+FFFF. Content holding one is refused by
/// `check`; a writer that meets one anyway writes U+FFFD in its place.
pub fn is_forbidden(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{7f}'..='\u{9f}'
        | '\u{fdd0}'..='\u{fdef}' | '\u{fffe}' | '\u{ffff}')
}

/// The bidirectional embeddings and overrides (U+202A to U+202E): one left open in a name reverses
/// the text that follows it on the page. Content holding one is refused by `check`; legitimate
/// right-to-left text needs none.
pub fn is_bidi_override(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}')
}

/// The replacement for what must be escaped or dropped at `text[at..]`, with the bytes it
/// replaces: `&`, `<`, `>`, `"` and `'` become entities, forbidden characters U+FFFD. `/` is left
/// alone so that URLs stay readable.
fn replacement(text: &str, at: usize) -> Option<(&'static str, usize)> {
    let byte = text.as_bytes()[at];
    let entity = match byte {
        b'&' => "&amp;",
        b'<' => "&lt;",
        b'>' => "&gt;",
        b'"' => "&quot;",
        b'\'' => "&#39;",
        // Only these lead bytes can start a forbidden character; most text never meets them.
        0x00..=0x1f | 0x7f | 0xc2 | 0xef => {
            let c = text[at..].chars().next()?;
            return is_forbidden(c).then_some(("\u{fffd}", c.len_utf8()));
        }
        _ => return None,
    };
    Some((entity, 1))
}

/// Writes `text` escaped to `out`. What needs no escaping is copied in spans between the
/// characters that do.
pub fn write_escaped<W: fmt::Write + ?Sized>(out: &mut W, text: &str) -> fmt::Result {
    let mut copied = 0;
    let mut at = 0;
    while at < text.len() {
        match replacement(text, at) {
            Some((with, len)) => {
                out.write_str(&text[copied..at])?;
                out.write_str(with)?;
                at += len;
                copied = at;
            }
            None => at += 1,
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

    #[test]
    fn forbidden_characters_become_the_replacement_character() {
        assert_eq!(
            escape("a\u{b}b\u{0}c\u{8}d\u{85}e\u{fffe}f\u{fdd0}g"),
            "a\u{fffd}b\u{fffd}c\u{fffd}d\u{fffd}e\u{fffd}f\u{fffd}g"
        );
        // Tab, newline and carriage return, and characters sharing a lead byte, stay.
        assert_eq!(escape("a\tb\nc\rd é ½ \u{feff}"), "a\tb\nc\rd é ½ \u{feff}");
    }
}
