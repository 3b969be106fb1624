//! The client-side search index for static hosts and the offline bundle (`assets/search/`),
//! searched by `offline-search.js` without a server, in parts a browser loads on demand with
//! `<script>` (`fetch()` fails on `file://`): a small root file, term shards chosen by a hash of
//! the term, word lists by length for typo corrections, and chunks of the documents' metadata.
//! A query loads the shards of its words and the metadata of the hits it shows.
//!
//! Each posting carries its unit's BM25 term weight, computed here with per-field weights like
//! the server's boosts (short name > title > original title > breadcrumb > text), so the browser
//! ranks by summing the weights of the query's words times their idf.

mod files;
mod tokens;

pub use files::{CLIENT_INDEX_DIR, shard_of};
pub use tokens::tokens;

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Mutex, PoisonError};

use super::units::{Kind, Unit, jurisdiction_units, site_units};
use super::{SearchError, SortKey};
use crate::model::{Jurisdiction, Page as SitePage, Topic};
use crate::routes;

/// Characters of a unit's text kept for the result snippet.
const SNIPPET_CHARS: usize = 300;

/// Field weights, twice the server's boosts (so that they are whole numbers), except the
/// breadcrumb, which counts for more than the text here: it names the entry and the part.
const SHORT_NAME_WEIGHT: u32 = 8;
const TITLE_WEIGHT: u32 = 6;
const ORIGINAL_TITLE_WEIGHT: u32 = 4;
const CRUMB_WEIGHT: u32 = 3;
const TEXT_WEIGHT: u32 = 2;

/// BM25's term-frequency saturation and length normalisation (tantivy's defaults).
const K1: f64 = 1.2;
const B: f64 = 0.75;

/// Collects the client index of a build entry by entry, from many threads at once, and writes
/// it when every entry is in. It holds each unit's metadata and weighted word counts, not the
/// entries.
#[derive(Default)]
pub struct ClientIndexBuilder {
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    /// Every word (and filter term) seen → its number.
    terms: HashMap<Box<str>, u32>,
    /// Each entry's units with its sort key: entries arrive in any order.
    entries: Vec<(String, Vec<ClientDoc>)>,
}

/// One unit as the client index keeps it.
struct ClientDoc {
    title: Box<str>,
    crumb: Box<str>,
    /// Relative to the site root, naming a file (`jurisdictions/x/index.html#a`).
    url: Box<str>,
    kind: Kind,
    /// The start of the text, for the snippet.
    text: Box<str>,
    /// The weighted number of words.
    length: u32,
    /// Term numbers with their weighted counts (0 for filter terms, which are not scored).
    terms: Vec<(u32, u32)>,
}

impl ClientIndexBuilder {
    pub fn new() -> ClientIndexBuilder {
        ClientIndexBuilder::default()
    }

    /// Adds one jurisdiction's units. Callable from many threads at once.
    pub fn add_entry(&self, j: &Jurisdiction) {
        let mut units = Vec::new();
        jurisdiction_units(j, &mut units);
        let counted: Vec<_> = units.iter().map(count).collect();
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let docs = state.docs(&units, counted);
        state.entries.push((SortKey::entry_unit(j, 0), docs));
    }

    /// Writes, instead of the index, the root file of a build of `entries` entries that left it
    /// out.
    pub fn write_left_out(entries: usize, site_dir: &Path) -> Result<(), SearchError> {
        files::write_left_out(entries, site_dir)
    }

    /// Adds the topic and page units and writes the index into `site_dir`'s
    /// [`CLIENT_INDEX_DIR`].
    pub fn write(
        self,
        topics: &[Topic],
        pages: &[SitePage],
        site_dir: &Path,
    ) -> Result<(), SearchError> {
        let mut state = self
            .state
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner);
        let (topics, pages) = site_units(topics, pages);
        let site: Vec<Unit> = topics.into_iter().chain(pages).collect();
        let counted = site.iter().map(count).collect();
        let site_docs = state.docs(&site, counted);
        // Browse order: jurisdictions by name, each with its parts in page order; then topics
        // and pages. The order breaks ties in ranking.
        state.entries.sort_by(|a, b| a.0.cmp(&b.0));
        let docs: Vec<ClientDoc> = std::mem::take(&mut state.entries)
            .into_iter()
            .flat_map(|(_, docs)| docs)
            .chain(site_docs)
            .collect();
        let mut terms: Vec<(Box<str>, u32)> = state.terms.into_iter().collect();
        terms.sort_by_key(|&(_, id)| id);
        let terms: Vec<Box<str>> = terms.into_iter().map(|(term, _)| term).collect();
        files::write(&docs, &terms, site_dir)
    }
}

impl State {
    /// The client documents of `units`, numbering their new words.
    fn docs(&mut self, units: &[Unit], counted: Vec<Counted>) -> Vec<ClientDoc> {
        units
            .iter()
            .zip(counted)
            .map(|(unit, counted)| {
                let mut terms: Vec<(u32, u32)> = counted
                    .words
                    .into_iter()
                    .map(|(word, weight)| (self.number(word), weight))
                    .collect();
                terms.sort_unstable();
                ClientDoc {
                    title: unit.title.as_str().into(),
                    crumb: unit.breadcrumb.as_str().into(),
                    url: routes::file_link(&unit.url, "", 0).into(),
                    kind: unit.kind,
                    text: snippet_text(&unit.text).into(),
                    length: counted.length,
                    terms,
                }
            })
            .collect()
    }

    fn number(&mut self, term: String) -> u32 {
        let next = u32::try_from(self.terms.len()).unwrap_or(u32::MAX);
        *self.terms.entry(term.into_boxed_str()).or_insert(next)
    }
}

/// A unit's words with their weighted counts, and its weighted length.
struct Counted {
    words: HashMap<String, u32>,
    length: u32,
}

/// The words of `unit`'s fields weighted by field, plus its filter terms `kind:`,
/// `jurisdiction:`, `region:` and `grouping:` (which no text yields, as `:` splits words) at
/// weight 0.
fn count(unit: &Unit) -> Counted {
    let fields = [
        (unit.title.as_str(), TITLE_WEIGHT),
        (unit.short_name.unwrap_or(""), SHORT_NAME_WEIGHT),
        (unit.original_title.unwrap_or(""), ORIGINAL_TITLE_WEIGHT),
        (unit.breadcrumb.as_str(), CRUMB_WEIGHT),
        (unit.text.as_str(), TEXT_WEIGHT),
    ];
    let mut words: HashMap<String, u32> = HashMap::new();
    let mut length = 0u32;
    for (text, weight) in fields {
        for token in tokens(text) {
            *words.entry(token).or_default() += weight;
            length = length.saturating_add(weight);
        }
    }
    let mut filters = vec![format!("kind:{}", unit.kind.key())];
    if let Some(j) = unit.jurisdiction {
        filters.push(format!("jurisdiction:{}", j.id));
        filters.push(format!("region:{}", j.region));
        filters.extend(j.groupings.iter().map(|g| format!("grouping:{g}")));
    }
    for filter in filters {
        words.entry(filter).or_insert(0);
    }
    Counted { words, length }
}

/// The BM25 weight of a word counted `count` (weighted) times in a unit of weighted length
/// `length`, where the average is `average`, scaled to 1..=255 (0 for a filter term).
fn term_weight(count: u32, length: u32, average: f64) -> u8 {
    if count == 0 {
        return 0;
    }
    let count = f64::from(count);
    let norm = K1 * (1.0 - B + B * f64::from(length) / average.max(1.0));
    let weight = count * (K1 + 1.0) / (count + norm) / (K1 + 1.0);
    // In (0, 1): the cast cannot overflow.
    (weight * 255.0).round().clamp(1.0, 255.0) as u8
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_are_cut_at_a_word() {
        assert_eq!(snippet_text("short"), "short");
        let long = "word ".repeat(100);
        let cut = snippet_text(&long);
        assert!(cut.ends_with("word…"), "{cut}");
        assert!(cut.chars().count() <= SNIPPET_CHARS + 1);
    }

    #[test]
    fn weights_grow_with_the_count_and_fall_with_the_length() {
        assert_eq!(term_weight(0, 10, 10.0), 0);
        let once = term_weight(2, 100, 100.0);
        assert!(term_weight(6, 100, 100.0) > once);
        assert!(term_weight(2, 1000, 100.0) < once);
        assert!(term_weight(2, 10, 100.0) > once);
        // A word scored at all weighs at least 1; the weight saturates at 255.
        assert_eq!(term_weight(10_000, 1, 100.0), 255);
        assert_eq!(term_weight(1, 1_000_000, 1.0), 1);
    }
}
