//! Full-text search over the units a reader lands on: jurisdiction summaries, instruments, powers,
//! cases, safeguard assessments, body sections, topics and pages, each a tantivy document with its
//! anchor URL, facets, snippets and a fuzzy fallback.
//!
//! The index directory holds tantivy's own files plus `jurisdex-labels.json`, the display names of
//! regions and groupings used to label facets. It is written entry by entry ([`IndexBuilder`], from
//! many threads at once) and merged into one segment when finished.
//!
//! The query language is parsed here, not by tantivy's grammar, so no input is an error: words (all
//! must match, stemmed), `"quoted phrases"`, `-word` and `-"phrase"` exclusions, and the filters
//! `region:`, `grouping:`, `kind:`, `value:`, `authority:` (or `authority_type:`), `jurisdiction:`,
//! `safeguard:` and `status:`; `-region:…` excludes. Any other `name:` is read as plain words.
//! Legal citations read alike however they are written (`s 233`, `§ 233`, `section 233`; see
//! `citation.rs`).

mod analysis;
mod broad;
mod build;
mod citation;
mod client_index;
mod error;
mod facets;
mod phrase;
mod profile;
mod query;
mod request;
mod schema;
mod scoring;
mod searcher;
mod snippet;
mod store;
#[cfg(test)]
mod tests;
mod typo;
mod units;
use analysis::*;
use broad::*;
pub use build::*;
use citation::*;
pub use client_index::{CLIENT_INDEX_DIR, ClientIndexBuilder, shard_of};
pub use error::*;
use facets::*;
use phrase::*;
pub use profile::StageTimes;
use query::*;
pub use request::*;
use schema::*;
use scoring::*;
use snippet::*;
use store::*;
use typo::*;
pub(crate) use units::*;

use std::cell::RefCell;
use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fs;
use std::hash::{BuildHasherDefault, Hash, Hasher};
use std::io;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock, PoisonError};
use std::time::Instant;

use serde::{Deserialize, Serialize};
use tantivy::collector::{Collector, Count, SegmentCollector, TopDocs};
use tantivy::columnar::{Column, ColumnIndex};
use tantivy::indexer::NoMergePolicy;
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, EmptyQuery, EnableScoring, Explanation, FuzzyTermQuery,
    Occur, Query, Scorer, TermQuery, Weight,
};
use tantivy::schema::{FAST, Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions};
use tantivy::snippet::collapse_overlapped_ranges;
use tantivy::tokenizer::{
    Language, LowerCaser, NgramTokenizer, RawTokenizer, RemoveLongFilter, Stemmer, TextAnalyzer,
    Token, TokenFilter, TokenStream, Tokenizer,
};
use tantivy::{
    DocAddress, DocId, DocSet, Index, IndexReader, IndexWriter, Order, ReloadPolicy, Score,
    Searcher, SegmentReader, TERMINATED, TantivyDocument, Term,
};
use tantivy_fst::{IntoStreamer, Streamer};

use crate::html::escape_into;
use crate::markdown::Rendered;
use crate::model::{
    Action, AuthorityType, Framework, InstrumentStatus, Jurisdiction, Page as SitePage, Reference,
    SafeguardKey, Site, Taxonomy, Topic, Value,
};
use crate::routes;

/// Longer queries are cut to this many bytes (at a character boundary) before parsing.
pub const MAX_QUERY_BYTES: usize = 1024;
/// The most hits one request may ask for; the default is 10.
pub const MAX_LIMIT: usize = 100;

const DEFAULT_LIMIT: usize = 10;
const MAX_OFFSET: usize = 10_000;
const SNIPPET_CHARS: usize = 200;
/// Indexing threads of a full build; each gets [`WRITER_HEAP_BYTES_PER_THREAD`].
const WRITER_THREADS: usize = 2;
/// Memory of one indexing thread before it writes a segment: the build's largest allocation,
/// still held (by the allocator) when the final merge maps every segment. 30 MB makes 11 or 12
/// segments at 10,000 entries, merged as fast as the 8 of 40 MB, with a peak 10 to 15 MB lower;
/// 20 MB made 32 segments and a slower build.
const WRITER_HEAP_BYTES_PER_THREAD: usize = 30_000_000;
/// Memory of the single-threaded writer that replaces one entry's documents on watch.
const UPDATE_HEAP_BYTES: usize = 15_000_000;
/// Width of a unit's position within its entry in the sort key.
const POSITION_DIGITS: usize = 5;
/// Beyond this many words a zero-hit query is not retried fuzzily: it would cost more than it finds.
const MAX_FUZZY_TERMS: usize = 8;
/// The most indexed words a misspelt word is replaced by (the closest, then the most frequent).
const MAX_FUZZY_EXPANSIONS: usize = 4;
/// Misspelt words remembered with their corrections; the memo starts again empty when full.
const CORRECTION_MEMO_WORDS: usize = 4096;
/// Words remembered with their stems per thread; the memo starts again empty when full.
const STEM_MEMO_WORDS: usize = 100_000;
/// Longest token indexed, in bytes, as in tantivy's `en_stem`.
const MAX_TOKEN_BYTES: usize = 40;
const LABELS_FILE: &str = "jurisdex-labels.json";
/// The prose analyzer's name; a new name for a new analysis, so an index made by an older
/// analysis fails `open` as another version's.
const STEM_TOKENIZER: &str = "jurisdex_stem_citations_marks";
const NGRAM_TOKENIZER: &str = "jurisdex_ngram";
const SORT_KEY_FIELD: &str = "sort_key";
const UNIT_AT_FIELD: &str = "unit_at";
const FACET_UNIT_FIELD: &str = "facet_unit";
const FACET_PLACE_FIELD: &str = "facet_place";
const UNIT_LEN_FIELD: &str = "unit_len";
/// Units files are `jurisdex-units-<n>.bin`: 0 from the full build, more from updates.
const UNITS_FILE_PREFIX: &str = "jurisdex-units-";
const UNITS_FILE_SUFFIX: &str = ".bin";
const UNITS_MAGIC: &[u8; 8] = b"JXUNITS1";
/// Unit data that makes a units file's compression dictionary (LZ4 block with a dictionary).
/// LZ4 hashes the whole dictionary before compressing each unit (about 1 KB), so this is a
/// trade: at 10,000 entries 16 KB made a units file of 163.5 MB, 8 KB one of 171.9 MB and 4 KB
/// one of 183.3 MB, and halving it saved some 3% of the build's CPU time.
const DICTIONARY_BYTES: usize = 8 * 1024;
/// Bits of `unit_at` for the offset in a units file; the file's number is above.
const OFFSET_BITS: u32 = 40;
const CRUMB: &str = " › ";

/// Extra weight for a document whose short name matches the whole text of the query.
const SHORT_NAME_MATCH_BOOST: Score = 20.0;
/// Extra weight for a document whose title in its own language holds the whole query as a phrase.
const ORIGINAL_TITLE_MATCH_BOOST: Score = 20.0;

/// An opened, read-only search index.
pub struct SearchIndex {
    reader: IndexReader,
    fields: Fields,
    /// The prose analyzer (cloned per query: tokenizing needs `&mut`).
    stemmer: TextAnalyzer,
    /// The analyzer of the n-gram title field.
    ngrams: TextAnalyzer,
    /// `None` if the index could not be read for it (then no typo is corrected).
    vocabulary: OnceLock<Option<Vocabulary>>,
    /// Recent results of [`SearchIndex::similar_words`]: the same misspelling comes back in
    /// many queries, and walking the vocabulary for it was a twentieth of a search.
    corrections: Mutex<Corrections>,
    units: UnitsReader,
    /// Per segment (by ordinal), the columns saying where each document's unit is stored.
    unit_columns: Vec<(Column<u64>, Column<u64>)>,
    /// Per segment (by ordinal), the `facet_unit` and `facet_place` columns.
    facet_columns: Vec<(Column<u64>, Column<u64>)>,
    /// Per place number minus one, the indices of its region and groupings ([`FacetValues`]).
    place_facets: Vec<(Option<usize>, Vec<usize>)>,
    /// Per segment, its positions file, which phrases read ([`Phrase`]).
    positions: PositionFiles,
    labels: Labels,
}

/// Misspelt stem and distance → the closest indexed stems with their distances.
type Corrections = HashMap<(String, u8), Vec<(String, usize)>>;
