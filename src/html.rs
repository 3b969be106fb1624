//! The one HTML escaper, for text and for quoted attribute values alike: templates (through the
//! render environment's formatter, for the HTML pages and the XML feed), search snippets and the
//! inline SVG of QR codes all use it. It also defines the characters no document may carry, and
//! the URL encoders: what a URL needs before it is written into an `href` or `src`, and what a
//! text needs to become one value of a URL's query; and JSON made safe inside a script (the
//! client-side search index and comparison data).

use std::borrow::Cow;
use std::fmt;
use std::ops::Range;

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

/// JSON made safe for a script however it is loaded: `<` (so no `</script>` or `<!--` closes or
/// opens anything in an inline script) and the line separators U+2028 and U+2029 (line breaks in
/// older JavaScript) are written as escapes. Outside strings JSON never holds any of them.
pub fn script_safe(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

/// `url` as it may be written into an `href` or `src` attribute, a feed or a QR code: every
/// character RFC 3986 does not allow where it stands is percent-encoded as its UTF-8 bytes
/// (spaces and controls, non-ASCII, `"`, `<`, `>`, `\\`, `^`, `` ` ``, `{`, `|`, `}`, `[` and `]`
/// outside an IPv6 host, a `#` after the first, and a `%` that starts no escape). Escapes already
/// there are kept, so encoding twice changes nothing; a host outside ASCII is written in its
/// ASCII (punycode) form. `&` and `'` stay: they are the HTML escaper's to write.
pub fn encode_url(url: &str) -> Cow<'_, str> {
    let authority = authority(url);
    if let Some(range) = authority.clone()
        && !url[range.clone()].is_ascii()
        && let Some(ascii) = ascii_authority(&url[range.clone()])
    {
        let rebuilt = format!("{}{ascii}{}", &url[..range.start], &url[range.end..]);
        return Cow::Owned(encode_url(&rebuilt).into_owned());
    }
    let bytes = url.as_bytes();
    let mut encoded = String::new();
    let (mut copied, mut in_fragment) = (0, false);
    for (at, &byte) in bytes.iter().enumerate() {
        let keep = match byte {
            b'%' => bytes
                .get(at + 1..at + 3)
                .is_some_and(|hex| hex.iter().all(u8::is_ascii_hexdigit)),
            b'#' => !std::mem::replace(&mut in_fragment, true),
            b'[' | b']' => authority.as_ref().is_some_and(|a| a.contains(&at)),
            _ => is_url_byte(byte),
        };
        if keep {
            continue;
        }
        // Bytes outside ASCII are all encoded, so a kept span (`copied..at`, not empty) is ASCII
        // and both its ends are character boundaries.
        if copied < at {
            encoded.push_str(&url[copied..at]);
        }
        encoded.push('%');
        encoded.push(char::from(HEX[usize::from(byte >> 4)]));
        encoded.push(char::from(HEX[usize::from(byte & 0xf)]));
        copied = at + 1;
    }
    if copied == 0 {
        return Cow::Borrowed(url);
    }
    encoded.push_str(&url[copied..]);
    Cow::Owned(encoded)
}

const HEX: &[u8; 16] = b"0123456789ABCDEF";

/// `text` as one value of a URL query (`?subject=…&body=…`): every byte but RFC 3986's
/// unreserved characters (letters, digits, `-`, `.`, `_`, `~`) percent-encoded as UTF-8, a space
/// as `%20` (never `+`, which `mailto:` readers would show), a line break as `%0A`.
pub fn encode_query_value(text: &str) -> String {
    let mut encoded = String::with_capacity(text.len() * 3 / 2);
    for &byte in text.as_bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            encoded.push(char::from(byte));
        } else {
            encoded.push('%');
            encoded.push(char::from(HEX[usize::from(byte >> 4)]));
            encoded.push(char::from(HEX[usize::from(byte & 0xf)]));
        }
    }
    encoded
}

/// The bytes a URL may hold anywhere as they are (RFC 3986's unreserved characters, its
/// sub-delimiters, `:`, `/`, `?` and `@`); `%`, `#`, `[` and `]` depend on where they stand.
fn is_url_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric()
        || matches!(
            byte,
            b'-' | b'.'
                | b'_'
                | b'~'
                | b'!'
                | b'$'
                | b'&'
                | b'\''
                | b'('
                | b')'
                | b'*'
                | b'+'
                | b','
                | b';'
                | b'='
                | b':'
                | b'/'
                | b'?'
                | b'@'
        )
}

/// Where the authority (`user@host:port`) of `url` is, when it has one: after `scheme://` or a
/// leading `//`, up to the path, query or fragment.
fn authority(url: &str) -> Option<Range<usize>> {
    let start = if url.starts_with("//") {
        2
    } else {
        let (scheme, rest) = url.split_once(':')?;
        let scheme_ok = scheme.bytes().next()?.is_ascii_alphabetic()
            && scheme
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'));
        if !scheme_ok || !rest.starts_with("//") {
            return None;
        }
        scheme.len() + 3
    };
    let end = url[start..]
        .find(['/', '?', '#'])
        .map_or(url.len(), |len| start + len);
    Some(start..end)
}

/// An authority whose host is outside ASCII with the host in its ASCII form (`bücher.de` →
/// `xn--bcher-kva.de`); `None` when the host is not a valid domain name, whose characters are
/// then percent-encoded like any others.
fn ascii_authority(authority: &str) -> Option<String> {
    let (user, host_port) = match authority.rsplit_once('@') {
        Some((user, rest)) => (Some(user), rest),
        None => (None, authority),
    };
    let (host, port) = match host_port.rsplit_once(':') {
        Some((host, port)) if port.bytes().all(|b| b.is_ascii_digit()) => (host, Some(port)),
        _ => (host_port, None),
    };
    let host = url::Host::parse(host).ok()?;
    let mut ascii = String::new();
    if let Some(user) = user {
        ascii.push_str(user);
        ascii.push('@');
    }
    ascii.push_str(&host.to_string());
    if let Some(port) = port {
        ascii.push(':');
        ascii.push_str(port);
    }
    Some(ascii)
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

    #[test]
    fn urls_are_percent_encoded_where_rfc_3986_needs_it() {
        // The Nu checker's complaint: `[` and `]` in a query.
        assert_eq!(
            encode_url("http://www.bgbl.de/Xaver/start.xav?start=//*[@attr_id='bgbl122s1182.pdf']"),
            "http://www.bgbl.de/Xaver/start.xav?start=//*%5B@attr_id='bgbl122s1182.pdf'%5D"
        );
        assert_eq!(
            encode_url("https://a.org/a b\"c<d>e\\f^g`h{i|j}k"),
            "https://a.org/a%20b%22c%3Cd%3Ee%5Cf%5Eg%60h%7Bi%7Cj%7Dk"
        );
        // Non-ASCII as UTF-8 bytes, in the path, the query and the fragment.
        assert_eq!(
            encode_url("/jurisdictions/x/?q=Überprüfung#section-ไทย"),
            "/jurisdictions/x/?q=%C3%9Cberpr%C3%BCfung#section-%E0%B9%84%E0%B8%97%E0%B8%A2"
        );
        // Controls; a second `#`; a `%` that starts no escape.
        assert_eq!(encode_url("/a\tb\u{0}#x#y"), "/a%09b%00#x%23y");
        assert_eq!(encode_url("/100%/%zz/%4"), "/100%25/%25zz/%254");
    }

    #[test]
    fn valid_urls_and_existing_escapes_are_kept() {
        for url in [
            "",
            "/",
            "#safeguard-user-notice",
            "/jurisdictions/pakistan/#power-pta-s37",
            "/compare/?j=a,b&t=user_notice&diff=1",
            "https://eur-lex.europa.eu/legal-content/EN/TXT/?uri=CELEX:32021R0784",
            "https://a.org/a%20b?q=%5B1%5D&r=~'!$()*+,;=:@#frag/?",
            "http://[2001:db8::1]:8080/x",
            "mailto:someone@example.org",
        ] {
            assert!(matches!(encode_url(url), Cow::Borrowed(_)), "{url}");
        }
        // Encoding is idempotent.
        let hostile = "https://a.org/ü [x]?q=\"<%>\"#a#b %zz";
        let once = encode_url(hostile).into_owned();
        assert_eq!(encode_url(&once), once);
    }

    #[test]
    fn query_values_encode_all_but_unreserved_characters() {
        assert_eq!(
            encode_query_value("Error in A&B: s 37(1) #x\nÜ+%/?=~_."),
            "Error%20in%20A%26B%3A%20s%2037%281%29%20%23x%0A%C3%9C%2B%25%2F%3F%3D~_."
        );
        assert_eq!(encode_query_value(""), "");
    }

    #[test]
    fn hosts_outside_ascii_are_written_in_punycode() {
        assert_eq!(
            encode_url("https://bücher.de/bücher?q=ü"),
            "https://xn--bcher-kva.de/b%C3%BCcher?q=%C3%BC"
        );
        assert_eq!(
            encode_url("https://user@bücher.de:8443/"),
            "https://user@xn--bcher-kva.de:8443/"
        );
        // `[` and `]` stay around an IPv6 host, and only there.
        assert_eq!(encode_url("http://[::1]/[x]"), "http://[::1]/%5Bx%5D");
    }
}
