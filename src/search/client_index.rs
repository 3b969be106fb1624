//! The client-side search index (`assets/search-index.js`) for static hosts and the offline
//! bundle: each unit's tokens, computed exactly as `offline-search.js` computes a query's, with
//! the start of its text for snippets.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::analysis::is_unspaced;
use super::units;
use crate::model::Site;
use crate::routes;

/// Characters of a unit's text kept for the result snippet.
const SNIPPET_CHARS: usize = 300;

/// The client-side index as JavaScript.
///
/// Shape: `window.JURISDEX_INDEX = {"docs":[{"title","crumb","url","kind","text"}…],
/// "terms":{"token":[doc ids…]…}};` where `url` is relative to the site root and names a file
/// (`jurisdictions/x/index.html#a`), `text` is the start of the unit's text for snippets, and
/// tokens are those of [`tokens`], over title, short name, original title, breadcrumb and text,
/// plus the filters `kind:`, `jurisdiction:`, `region:` and `grouping:` (which no text yields, as
/// `:` splits words).
pub fn client_index(site: &Site) -> String {
    let units = units(site);
    let mut terms: BTreeMap<String, Vec<u32>> = BTreeMap::new();
    let mut docs = Vec::with_capacity(units.len());
    for (id, unit) in (0u32..).zip(&units) {
        let fields = [
            unit.title.as_str(),
            unit.short_name.unwrap_or(""),
            unit.original_title.unwrap_or(""),
            unit.breadcrumb.as_str(),
            unit.text.as_str(),
        ];
        let mut found: BTreeSet<String> = fields.iter().flat_map(|f| tokens(f)).collect();
        found.insert(format!("kind:{}", unit.kind.key()));
        if let Some(j) = unit.jurisdiction {
            found.insert(format!("jurisdiction:{}", j.id));
            found.insert(format!("region:{}", j.region));
            found.extend(j.groupings.iter().map(|g| format!("grouping:{g}")));
        }
        for token in found {
            terms.entry(token).or_default().push(id);
        }
        docs.push(ClientDoc {
            title: &unit.title,
            crumb: &unit.breadcrumb,
            url: routes::file_link(&unit.url, "", 0),
            kind: unit.kind.key(),
            text: snippet_text(&unit.text),
        });
    }
    let index = ClientIndex { docs, terms };
    // Serialising plain strings and numbers cannot fail; an empty index is the safe fallback.
    let json =
        serde_json::to_string(&index).unwrap_or_else(|_| "{\"docs\":[],\"terms\":{}}".into());
    format!("window.JURISDEX_INDEX = {};\n", script_safe(&json))
}

/// JSON made safe for a script however it is loaded: `<` (so no `</script>` or `<!--` closes or
/// opens anything in an inline script) and the line separators U+2028 and U+2029 (line breaks in
/// older JavaScript) are written as escapes. Outside strings JSON never holds any of them.
fn script_safe(json: &str) -> String {
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

#[derive(Serialize)]
struct ClientIndex<'a> {
    docs: Vec<ClientDoc<'a>>,
    terms: BTreeMap<String, Vec<u32>>,
}

#[derive(Serialize)]
struct ClientDoc<'a> {
    title: &'a str,
    crumb: &'a str,
    url: String,
    kind: &'static str,
    text: String,
}

/// The first [`SNIPPET_CHARS`] characters of `text`, cut at a word and marked `…` when cut.
fn snippet_text(text: &str) -> String {
    match text.char_indices().nth(SNIPPET_CHARS) {
        None => text.to_string(),
        Some((cut, _)) => {
            let head = &text[..cut];
            let head = head
                .rfind(char::is_whitespace)
                .filter(|&at| at > cut / 2)
                .map_or(head, |at| &head[..at]);
            format!("{}…", head.trim_end())
        }
    }
}

/// The tokens of the client index, exactly as `offline-search.js` computes them: lower-cased
/// runs of letters and digits (and of unspaced scripts, marks included), words of one character
/// dropped, unspaced runs as overlapping character bigrams.
pub fn tokens(text: &str) -> Vec<String> {
    let lower = text.to_lowercase();
    let mut tokens = Vec::new();
    let mut run: Vec<char> = Vec::new();
    let mut run_unspaced = false;
    let mut flush = |run: &mut Vec<char>, unspaced: bool| {
        if unspaced {
            tokens.extend(run.windows(2).map(|pair| pair.iter().collect::<String>()));
        } else if run.len() >= 2 {
            tokens.push(run.iter().collect());
        }
        run.clear();
    };
    for c in lower.chars() {
        let unspaced = is_unspaced(c);
        if !unspaced && !c.is_alphanumeric() {
            flush(&mut run, run_unspaced);
            continue;
        }
        if !run.is_empty() && unspaced != run_unspaced {
            flush(&mut run, run_unspaced);
        }
        run_unspaced = unspaced;
        run.push(c);
    }
    flush(&mut run, run_unspaced);
    tokens
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_split_words_and_bigram_unspaced_scripts() {
        assert_eq!(
            tokens("Art. 40(2b): UU ITE, a Kominfo-order"),
            ["art", "40", "2b", "uu", "ite", "kominfo", "order"]
        );
        assert_eq!(
            tokens("คอมพิวเตอร์"),
            ["คอ", "อม", "มพ", "พิ", "ิว", "วเ", "เต", "ตอ", "อร", "ร์"]
        );
        // A lone unspaced character makes no bigram.
        assert_eq!(tokens("法律2007年"), ["法律", "2007"]);
        assert_eq!(tokens("Ünïcode ÉTAT"), ["ünïcode", "état"]);
    }

    #[test]
    fn snippets_are_cut_at_a_word() {
        assert_eq!(snippet_text("short"), "short");
        let long = "word ".repeat(100);
        let cut = snippet_text(&long);
        assert!(cut.ends_with("word…"), "{cut}");
        assert!(cut.chars().count() <= SNIPPET_CHARS + 1);
    }

    #[test]
    fn the_index_is_safe_in_a_script() {
        let json =
            serde_json::to_string(&["</script><script>alert(1)</script>", "a\u{2028}b\u{2029}c"])
                .unwrap();
        let safe = script_safe(&json);
        assert!(!safe.contains('<') && !safe.contains('\u{2028}') && !safe.contains('\u{2029}'));
        let back: Vec<String> = serde_json::from_str(&safe).unwrap();
        assert_eq!(
            back,
            ["</script><script>alert(1)</script>", "a\u{2028}b\u{2029}c"]
        );
    }
}
