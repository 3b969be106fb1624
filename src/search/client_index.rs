//! The client-side search index (`assets/search-index.js`) for static hosts and the offline
//! bundle: each unit's tokens, computed exactly as `offline-search.js` computes a query's, with
//! the start of its text for snippets.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use serde::Serialize;

use super::analysis::is_unspaced;
use super::citation::{is_citation_symbol, marker_at};
use super::units;
use crate::html::script_safe;
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
/// dropped, unspaced runs as overlapping character bigrams, and citation markers before a number
/// as the words they stand for (`s 233` is `section 233`, see [`marker_at`]) with the number
/// kept even when it is one character (`para 4`).
pub fn tokens(text: &str) -> Vec<String> {
    let lower = text.to_lowercase();
    let mut tokens = Vec::new();
    // The previous run was a citation marker: this one is its number, kept however short.
    let mut cited = false;
    let mut flush = |run: Range<usize>, kind: Run| {
        let word = &lower[run.clone()];
        let number = std::mem::take(&mut cited);
        match kind {
            Run::Unspaced => {
                let chars: Vec<char> = word.chars().collect();
                tokens.extend(chars.windows(2).map(|pair| pair.iter().collect::<String>()));
            }
            Run::Spaced | Run::Symbols => match marker_at(&lower, run) {
                Some(canonical) => {
                    tokens.push(canonical.to_owned());
                    cited = true;
                }
                None if kind == Run::Spaced && (number || word.chars().nth(1).is_some()) => {
                    tokens.push(word.to_owned());
                }
                None => {}
            },
        }
    };
    let mut run: Option<(usize, Run)> = None;
    for (at, c) in lower.char_indices() {
        let kind = if is_unspaced(c) {
            Some(Run::Unspaced)
        } else if c.is_alphanumeric() {
            Some(Run::Spaced)
        } else if is_citation_symbol(c) {
            Some(Run::Symbols)
        } else {
            None
        };
        match (run, kind) {
            (Some((_, current)), Some(kind)) if current == kind => {}
            (current, kind) => {
                if let Some((start, current)) = current {
                    flush(start..at, current);
                }
                run = kind.map(|kind| (at, kind));
            }
        }
    }
    if let Some((start, kind)) = run {
        flush(start..lower.len(), kind);
    }
    tokens
}

/// What a run of characters in [`tokens`] is made of.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Run {
    /// Letters and digits of scripts written with spaces.
    Spaced,
    /// Characters of scripts written without spaces ([`is_unspaced`]).
    Unspaced,
    /// Citation symbols (`§`, `¶`).
    Symbols,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_split_words_and_bigram_unspaced_scripts() {
        assert_eq!(
            tokens("Art. 40(2b): UU ITE, a Kominfo-order"),
            ["article", "40", "2b", "uu", "ite", "kominfo", "order"]
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
