//! Markdown to sanitised HTML in one pass, which also yields plain text and heading sections.
//!
//! Heading ids are generated from the heading text with a `section-` prefix, so they never collide
//! with the data-derived anchors (`instrument-…`, `safeguard-…`). An explicit `{#id}` wins.
//! Raw HTML in the source is shown as text, never rendered, and the whole output still goes
//! through ammonia as a second defence. Link and image addresses are percent-encoded by
//! [`encode_url`], like every URL the site writes.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use pulldown_cmark::{CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use serde::{Deserialize, Serialize};

use crate::html::encode_url;

/// Markdown rendered once for both the page and the search index. The plain text is for the
/// index only: templates and the JSON API get the HTML and the headings.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Rendered {
    /// Sanitised HTML.
    pub html: String,
    /// The whole body as plain text.
    #[serde(skip_serializing, default)]
    pub text: String,
    /// Heading sections in document order; text before the first heading has no section.
    pub sections: Vec<Section>,
    /// Set when the source has more than [`MAX_HEADINGS`] headings: nothing else is rendered.
    #[serde(skip)]
    pub too_many_headings: bool,
}

/// A heading and the plain text up to the next heading.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Section {
    /// Anchor id, e.g. `section-legal-framework`.
    pub id: String,
    pub title: String,
    pub level: u8,
    #[serde(skip_serializing, default)]
    pub text: String,
}

/// The schemes a link or image address may have (or none: a relative address).
const SCHEMES: [&str; 3] = ["http", "https", "mailto"];

static SANITIZER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut builder = ammonia::Builder::default();
    builder
        .add_generic_attributes(["id"])
        .add_tag_attributes("th", ["align"])
        .add_tag_attributes("td", ["align"])
        .url_schemes(SCHEMES.into_iter().collect())
        .link_rel(Some("noopener noreferrer"));
    builder
});

/// True when `url` has a scheme that is not one of [`SCHEMES`] (`javascript:`, `data:` …). Such a
/// link is rendered as its text alone: ammonia would drop only the address and leave an `<a>`
/// without `href` (or an `<img>` without `src`), which is not valid HTML.
fn refused_scheme(url: &str) -> bool {
    let Some((scheme, _)) = url.split_once(':') else {
        return false;
    };
    let is_scheme = scheme
        .bytes()
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic())
        && scheme
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'));
    is_scheme && !SCHEMES.iter().any(|s| s.eq_ignore_ascii_case(scheme))
}

/// Turns text into a URL slug: lower-case ASCII letters and digits joined by single hyphens.
/// Letters outside ASCII are kept when alphanumeric, so non-Latin headings still get an id; of a
/// letter whose lower case adds a combining mark (Turkish `İ` is `i` and a dot above), the mark is
/// left out.
pub fn slugify(text: &str) -> String {
    let mut slug = String::with_capacity(text.len());
    let mut pending_hyphen = false;
    for c in text.chars() {
        if c.is_alphanumeric() {
            if pending_hyphen && !slug.is_empty() {
                slug.push('-');
            }
            pending_hyphen = false;
            slug.extend(c.to_lowercase().filter(|l| l.is_alphanumeric()));
        } else {
            pending_hyphen = true;
        }
    }
    slug
}

/// The most headings one document's analysis may have: each is a page anchor and a search unit,
/// and a real analysis has a few dozen. More is a `check` error rather than a build that spends
/// seconds on thousands of empty sections.
pub const MAX_HEADINGS: usize = 1_000;

/// Renders Markdown to sanitised HTML, plain text and sections.
pub fn render(source: &str) -> Rendered {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_SMART_PUNCTUATION;
    let mut events: Vec<Event> = Vec::new();
    let mut headings = 0;
    for event in Parser::new_ext(source, options) {
        if matches!(event, Event::Start(Tag::Heading { .. })) {
            headings += 1;
            if headings > MAX_HEADINGS {
                return Rendered {
                    too_many_headings: true,
                    ..Rendered::default()
                };
            }
        }
        events.push(event);
    }

    let mut text = String::new();
    let mut sections: Vec<Section> = Vec::new();
    let mut ids = HeadingIds::default();
    let mut heading_start: Option<usize> = None;
    // For each link or image open at this point: whether it is kept (see `refused_scheme`).
    let mut links_kept: Vec<bool> = Vec::new();

    let mut index = 0;
    while index < events.len() {
        match &events[index] {
            Event::Start(Tag::Heading { .. }) => heading_start = Some(index),
            Event::End(TagEnd::Heading(_)) => {
                if let Some(start) = heading_start.take() {
                    let title = plain_text(&events[start + 1..index]);
                    if let Event::Start(Tag::Heading { level, id, .. }) = &mut events[start] {
                        let base = match id {
                            Some(explicit) => slugify(explicit),
                            None => format!("section-{}", slugify(&title)),
                        };
                        let unique = ids.unique(&base);
                        *id = Some(CowStr::from(unique.clone()));
                        sections.push(Section {
                            id: unique,
                            title: title.trim().to_string(),
                            level: heading_number(*level),
                            text: String::new(),
                        });
                    }
                }
            }
            Event::Start(Tag::Link { .. } | Tag::Image { .. }) => {
                if let Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. }) =
                    &mut events[index]
                {
                    let refused = refused_scheme(dest_url);
                    links_kept.push(!refused);
                    if refused {
                        events[index] = Event::Text(CowStr::Borrowed(""));
                    } else if let Cow::Owned(encoded) = encode_url(dest_url) {
                        *dest_url = CowStr::from(encoded);
                    }
                }
            }
            Event::End(TagEnd::Link | TagEnd::Image) => {
                let kept = links_kept.pop().unwrap_or(true);
                if !kept {
                    events[index] = Event::Text(CowStr::Borrowed(""));
                }
            }
            Event::FootnoteReference(label) => {
                events[index] = Event::FootnoteReference(prefixed_label(label));
            }
            Event::Start(Tag::FootnoteDefinition(label)) => {
                events[index] = Event::Start(Tag::FootnoteDefinition(prefixed_label(label)));
            }
            Event::Text(t) | Event::Code(t) if heading_start.is_none() => {
                text.push_str(t);
                if let Some(section) = sections.last_mut() {
                    section.text.push_str(t);
                }
            }
            Event::SoftBreak | Event::HardBreak | Event::End(TagEnd::Paragraph | TagEnd::Item)
                if heading_start.is_none() =>
            {
                text.push(' ');
                if let Some(section) = sections.last_mut() {
                    section.text.push(' ');
                }
            }
            _ => {}
        }
        index += 1;
    }

    let mut raw_html = String::with_capacity(source.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut raw_html, limit_nesting(events).into_iter());
    let html = SANITIZER.clean(&raw_html).to_string();
    for section in &mut sections {
        section.text = collapse_whitespace(&section.text);
    }
    Rendered {
        html,
        text: collapse_whitespace(&text),
        sections,
        too_many_headings: false,
    }
}

/// Deepest nesting of block containers (quotes, lists, items, footnotes) kept in the HTML. Deeper
/// containers are flattened into their parent: html5ever (inside ammonia) is quadratic in nesting
/// depth, and a 3 MB pathological blockquote took 45 s to sanitise before this cap.
pub const MAX_NESTING: usize = 32;

/// Flattens containers nested deeper than [`MAX_NESTING`] and turns raw HTML into visible text,
/// so that nothing in the source can build an arbitrarily deep HTML tree.
fn limit_nesting(events: Vec<Event<'_>>) -> Vec<Event<'_>> {
    let mut kept_stack: Vec<bool> = Vec::new();
    let mut depth = 0;
    let mut out = Vec::with_capacity(events.len());
    for event in events {
        match event {
            Event::Start(
                tag @ (Tag::BlockQuote(_) | Tag::List(_) | Tag::Item | Tag::FootnoteDefinition(_)),
            ) => {
                let keep = depth < MAX_NESTING;
                kept_stack.push(keep);
                if keep {
                    depth += 1;
                    out.push(Event::Start(tag));
                }
            }
            Event::End(
                tag @ (TagEnd::BlockQuote(_)
                | TagEnd::List(_)
                | TagEnd::Item
                | TagEnd::FootnoteDefinition),
            ) => {
                if kept_stack.pop().unwrap_or(true) {
                    depth = depth.saturating_sub(1);
                    out.push(Event::End(tag));
                }
            }
            Event::Html(html) | Event::InlineHtml(html) => out.push(Event::Text(html)),
            other => out.push(other),
        }
    }
    out
}

fn plain_text(events: &[Event]) -> String {
    let mut out = String::new();
    for event in events {
        if let Event::Text(t) | Event::Code(t) = event {
            out.push_str(t);
        }
    }
    out
}

/// Trims the text and turns every run of whitespace (as `char::is_whitespace` has it) into one
/// space. Text between runs other than a single ASCII space is copied in one piece; ASCII is
/// classified byte by byte, and only other characters are decoded.
fn collapse_whitespace(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut push_span = |span: &str| {
        if !span.is_empty() {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(span);
        }
    };
    let bytes = text.as_bytes();
    // `span_start..` is copied as it is; a run of whitespace other than one space between two
    // words ends it.
    let (mut at, mut span_start, mut run_start) = (0, 0, None);
    while let Some(&byte) = bytes.get(at) {
        let (space, len) = match byte {
            b'\t' | b'\n' | 0x0B | 0x0C | b'\r' | b' ' => (true, 1),
            0..0x80 => (false, 1),
            _ => text[at..]
                .chars()
                .next()
                .map_or((false, 1), |c| (c.is_whitespace(), c.len_utf8())),
        };
        match (space, run_start) {
            (true, None) => run_start = Some(at),
            (false, Some(run)) => {
                let single_space = at - run == 1 && bytes[run] == b' ' && run > span_start;
                if !single_space {
                    push_span(&text[span_start..run]);
                    span_start = at;
                }
                run_start = None;
            }
            _ => {}
        }
        at += len;
    }
    push_span(&text[span_start..run_start.unwrap_or(text.len())]);
    out
}

/// The heading ids of one document: each base's next suffix is remembered, so that 20,000
/// headings of the same text get their ids in linear time rather than each counting up from `-2`.
#[derive(Default)]
struct HeadingIds {
    used: HashSet<String>,
    next_suffix: HashMap<String, usize>,
}

impl HeadingIds {
    /// `base`, or `base-2`, `base-3` … the first not yet used.
    fn unique(&mut self, base: &str) -> String {
        let base = if base.is_empty() || base == "section-" {
            "section"
        } else {
            base
        };
        if self.used.insert(base.to_string()) {
            return base.to_string();
        }
        let next = self.next_suffix.entry(base.to_string()).or_insert(2);
        loop {
            let candidate = format!("{base}-{next}");
            *next += 1;
            if self.used.insert(candidate.clone()) {
                return candidate;
            }
        }
    }
}

/// A footnote's id, which pulldown-cmark writes into both the reference's `href` and the
/// footnote's `id` as it is: percent-encoded, so that the `href` is a valid URL and the two match.
fn prefixed_label(label: &str) -> CowStr<'static> {
    CowStr::from(format!("fn-{}", encode_url(&slugify(label))))
}

fn heading_number(level: HeadingLevel) -> u8 {
    level as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whitespace_collapses_as_char_is_whitespace_has_it() {
        let reference = |text: &str| text.split_whitespace().collect::<Vec<_>>().join(" ");
        let pieces = [
            "",
            " ",
            "a",
            "bb",
            "\t",
            "\n",
            "\u{0B}",
            "\u{0C}",
            "\r",
            "\u{85}",
            "\u{A0}",
            "\u{1680}",
            "\u{2003}",
            "\u{2028}",
            "\u{202F}",
            "\u{3000}",
            "\u{1C}",
            "é",
            "ΣΊ",
            "日本",
            "\u{200B}",
            "x\u{FEFF}y",
        ];
        for a in pieces {
            for b in pieces {
                for c in pieces {
                    let text = format!("{a}{b}{c}{b}{a}");
                    assert_eq!(collapse_whitespace(&text), reference(&text), "{text:?}");
                }
            }
        }
    }

    #[test]
    fn headings_get_prefixed_unique_ids_and_sections() {
        let r = render(
            "intro\n\n## Legal framework\n\nThe *law* says.\n\n## Legal framework\n\nAgain.\n\n### Own {#custom}\n",
        );
        let ids: Vec<&str> = r.sections.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "section-legal-framework",
                "section-legal-framework-2",
                "custom"
            ]
        );
        assert_eq!(r.sections[0].text, "The law says.");
        assert!(r.html.contains(r#"<h2 id="section-legal-framework">"#));
        assert!(r.text.starts_with("intro The law says."));
    }

    #[test]
    fn scripts_handlers_and_javascript_urls_are_removed() {
        let r = render(
            "<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n[x](javascript:alert(1)) <a href=\"javascript:alert(2)\">y</a>",
        );
        assert!(!r.html.contains("<script"), "{}", r.html);
        assert!(!r.html.contains("<img"), "{}", r.html);
        // Escaped text may mention it; no real tag (text `<` is always `&lt;`) may carry it.
        assert!(
            r.html.split('<').skip(1).all(|tag| !tag
                .split('>')
                .next()
                .unwrap_or("")
                .contains("javascript:")),
            "{}",
            r.html
        );
        // A link whose address is refused is its text alone, not an `<a>` without `href`.
        assert!(r.html.contains("<p>x &lt;a"), "{}", r.html);
        assert!(!r.html.contains("<a rel"), "{}", r.html);
        let r = render("[a](JavaScript:alert(1)) ![b](data:image/png;base64,AA) [c](/ok) [d](#x)");
        assert_eq!(
            r.html,
            "<p>a b <a href=\"/ok\" rel=\"noopener noreferrer\">c</a> <a href=\"#x\" rel=\"noopener noreferrer\">d</a></p>\n"
        );
    }

    #[test]
    fn raw_html_is_shown_as_text_and_deep_nesting_is_flattened() {
        let r = render("<sup>1</sup> text");
        assert!(r.html.contains("&lt;sup&gt;1&lt;/sup&gt;"), "{}", r.html);
        let deep = format!("{}deep", "> ".repeat(500));
        let r = render(&deep);
        assert_eq!(r.html.matches("<blockquote>").count(), MAX_NESTING);
        assert!(r.html.contains("deep"));
    }

    #[test]
    fn tables_and_footnotes_render_with_prefixed_labels() {
        let r = render("| a | b |\n|---|---|\n| 1 | 2 |\n\nText[^1].\n\n[^1]: Note.\n");
        assert!(r.html.contains("<table>"));
        assert!(r.html.contains("fn-1"), "{}", r.html);
    }

    #[test]
    fn link_and_image_addresses_are_percent_encoded() {
        let r =
            render("[a](https://a.org/100%?a^b#x#y) [b](<https://a.org/a b?q=[1]>) ![c](/i/ü.png)");
        for href in [
            r#"href="https://a.org/100%25?a%5Eb#x%23y""#,
            r#"href="https://a.org/a%20b?q=%5B1%5D""#,
            r#"src="/i/%C3%BC.png""#,
        ] {
            assert!(r.html.contains(href), "{href}: {}", r.html);
        }
    }

    #[test]
    fn slugify_handles_punctuation_and_unicode() {
        assert_eq!(slugify("Art. 40(2b) — blocking"), "art-40-2b-blocking");
        assert_eq!(slugify("  --  "), "");
        assert_eq!(slugify("Überprüfung"), "überprüfung");
        assert_eq!(
            slugify("İnternet Ortamında (TİB)"),
            "internet-ortamında-tib"
        );
    }

    #[test]
    fn repeated_headings_get_distinct_ids_and_explicit_suffixes_are_skipped() {
        let source = "## Same\n\n## Same {#section-same-3}\n\n## Same\n\n## Same\n\n#\n\n#\n";
        let ids: Vec<String> = render(source).sections.into_iter().map(|s| s.id).collect();
        assert_eq!(
            ids,
            [
                "section-same",
                "section-same-3",
                "section-same-2",
                "section-same-4",
                "section",
                "section-2"
            ]
        );
    }
}
