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
mod spill;
mod tokens;

pub use files::{CLIENT_INDEX_DIR, shard_of};
pub use tokens::tokens;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use spill::{DocMeta, DocTerms, SpillWriter, SpilledDoc};

use super::units::{Unit, jurisdiction_units, site_units};
use super::{SearchError, SortKey};
use crate::model::{Framework, Jurisdiction, Page as SitePage, Topic};
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
/// it when every entry is in. It holds the vocabulary; the units themselves wait on disk
/// ([`spill`]) until their order is known.
pub struct ClientIndexBuilder {
    /// Every word (and filter term) seen → its number.
    vocabulary: Mutex<HashMap<Box<str>, u32>>,
    spill: Mutex<SpillWriter>,
    /// Where the spill files are, for error messages.
    dir: PathBuf,
}

impl ClientIndexBuilder {
    /// A builder whose temporary files go in `site_dir` (the build's directory).
    pub fn new(site_dir: &Path) -> Result<ClientIndexBuilder, SearchError> {
        Ok(ClientIndexBuilder {
            vocabulary: Mutex::default(),
            spill: Mutex::new(SpillWriter::new(site_dir).map_err(spill_error(site_dir))?),
            dir: site_dir.to_path_buf(),
        })
    }

    /// Adds one jurisdiction's units. Callable from many threads at once.
    pub fn add_entry(&self, j: &Jurisdiction) -> Result<(), SearchError> {
        let mut units = Vec::new();
        jurisdiction_units(j, &mut units);
        self.add(SortKey::entry_unit(j, 0), &units)
    }

    fn add(&self, key: String, units: &[Unit]) -> Result<(), SearchError> {
        let counted: Vec<_> = units.iter().map(count).collect();
        let lengths: Vec<u32> = counted.iter().map(|c| c.length).collect();
        let numbered: Vec<DocTerms> = {
            let mut vocabulary = self
                .vocabulary
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            counted
                .into_iter()
                .map(|counted| {
                    let mut terms: Vec<(u32, Word)> = counted
                        .words
                        .into_iter()
                        .map(|(word, used)| (number(&mut vocabulary, word), used))
                        .collect();
                    terms.sort_unstable_by_key(|&(term, _)| term);
                    let mut doc_terms = DocTerms::default();
                    for (term, used) in terms {
                        doc_terms.push(term, used.weight, &used.positions);
                    }
                    doc_terms
                })
                .collect()
        };
        let docs: Vec<SpilledDoc> = units
            .iter()
            .zip(numbered.into_iter().zip(lengths))
            .map(|(unit, (terms, length))| SpilledDoc {
                meta: DocMeta {
                    title: unit.title.clone(),
                    crumb: unit.breadcrumb.clone(),
                    url: routes::file_link(&unit.url, "", 0),
                    kind: unit.kind,
                    text: snippet_text(&unit.text),
                },
                length,
                terms,
            })
            .collect();
        self.spill
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(key, &docs)
            .map_err(spill_error(&self.dir))
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
        frameworks: &[Framework],
        site_dir: &Path,
    ) -> Result<(), SearchError> {
        let (topics, pages) = site_units(topics, pages, frameworks);
        let site: Vec<Unit> = topics.into_iter().chain(pages).collect();
        // Browse order: jurisdictions by name, each with its parts in page order; then topics
        // and pages. The order breaks ties in ranking.
        self.add(SortKey::topic(0), &site)?;
        let spilled = self
            .spill
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner)
            .finish()
            .map_err(spill_error(&self.dir))?;
        let mut terms: Vec<(Box<str>, u32)> = self
            .vocabulary
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner)
            .into_iter()
            .collect();
        terms.sort_unstable_by_key(|&(_, id)| id);
        let terms: Vec<Box<str>> = terms.into_iter().map(|(term, _)| term).collect();
        files::write(&spilled, &terms, site_dir)
    }
}

fn number(vocabulary: &mut HashMap<Box<str>, u32>, term: String) -> u32 {
    let next = u32::try_from(vocabulary.len()).unwrap_or(u32::MAX);
    *vocabulary.entry(term.into_boxed_str()).or_insert(next)
}

/// The error of a spill file in `dir`.
fn spill_error(dir: &Path) -> impl Fn(std::io::Error) -> SearchError + '_ {
    move |source| SearchError::ClientIndexIo {
        path: dir.to_path_buf(),
        source,
    }
}

/// A unit's words with their weighted counts and positions, and its weighted length.
struct Counted {
    words: HashMap<String, Word>,
    length: u32,
}

/// How a unit uses a word.
#[derive(Default)]
struct Word {
    /// Its count weighted by field (0 for a filter term).
    weight: u32,
    /// Where it is among the unit's words, ascending; the fields follow one another with a
    /// position left out between them, so that no phrase spans two.
    positions: Vec<u32>,
}

/// The words of `unit`'s fields weighted by field, with their positions, plus its filter terms
/// `kind:`, `jurisdiction:`, `region:` and `grouping:` (which no text yields, as `:` splits
/// words) at weight 0.
fn count(unit: &Unit) -> Counted {
    let fields = [
        (unit.title.as_str(), TITLE_WEIGHT),
        (unit.short_name.unwrap_or(""), SHORT_NAME_WEIGHT),
        (unit.original_title.unwrap_or(""), ORIGINAL_TITLE_WEIGHT),
        (unit.breadcrumb.as_str(), CRUMB_WEIGHT),
        (unit.text.as_str(), TEXT_WEIGHT),
    ];
    let mut words: HashMap<String, Word> = HashMap::new();
    let mut length = 0u32;
    let mut position = 0u32;
    for (text, weight) in fields {
        for token in tokens(text) {
            let word = words.entry(token).or_default();
            word.weight += weight;
            word.positions.push(position);
            position = position.saturating_add(1);
            length = length.saturating_add(weight);
        }
        position = position.saturating_add(1);
    }
    let mut filters = vec![format!("kind:{}", unit.kind.key())];
    if let Some(j) = unit.jurisdiction {
        filters.push(format!("jurisdiction:{}", j.id));
        filters.push(format!("region:{}", j.region));
        filters.extend(j.groupings.iter().map(|g| format!("grouping:{g}")));
    }
    for filter in filters {
        words.entry(filter).or_default();
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
