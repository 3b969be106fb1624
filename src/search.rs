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

use std::cell::RefCell;
use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fs;
use std::hash::{BuildHasherDefault, Hash, Hasher};
use std::io;
use std::ops::Range;
use std::os::unix::fs::FileExt as _;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock, PoisonError};
use std::time::Instant;

use serde::{Deserialize, Serialize};
use tantivy::collector::{Collector, Count, SegmentCollector, TopDocs};
use tantivy::columnar::{Column, ColumnIndex};
use tantivy::indexer::NoMergePolicy;
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, EmptyQuery, EnableScoring, Explanation, FuzzyTermQuery,
    Occur, PhraseQuery, Query, Scorer, TermQuery, Weight,
};
use tantivy::schema::{FAST, Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions};
use tantivy::snippet::collapse_overlapped_ranges;
use tantivy::tokenizer::{
    Language, LowerCaser, NgramTokenizer, RawTokenizer, RemoveLongFilter, SimpleTokenizer, Stemmer,
    TextAnalyzer, Token, TokenFilter, TokenStream, Tokenizer,
};
use tantivy::{
    DocAddress, DocId, DocSet, Index, IndexReader, IndexWriter, Order, ReloadPolicy, Score,
    Searcher, SegmentReader, TERMINATED, TantivyDocument, Term,
};
use tantivy_fst::{IntoStreamer, Streamer};

use crate::markdown::Rendered;
use crate::model::{
    Action, AuthorityType, InstrumentStatus, Jurisdiction, Page as SitePage, Reference,
    SafeguardKey, Site, Taxonomy, Topic, Value as Rating,
};

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
const STEM_TOKENIZER: &str = "jurisdex_stem";
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

/// Something went wrong building or opening the index.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// The index directory could not be created.
    #[error("cannot create the search index directory `{path}`: {source}")]
    CreateDir { path: PathBuf, source: io::Error },
    /// tantivy failed (a directory that already holds an index, a damaged index, disk errors).
    #[error("search index at `{path}`: {source}")]
    Index {
        path: PathBuf,
        source: tantivy::TantivyError,
    },
    /// The facet labels file could not be read or written.
    #[error("cannot access `{path}`: {source}")]
    LabelsIo { path: PathBuf, source: io::Error },
    /// The facet labels file is not valid JSON of the expected shape.
    #[error("`{path}` is damaged ({source}): rebuild the site")]
    LabelsJson {
        path: PathBuf,
        source: serde_json::Error,
    },
    /// A units file of the index could not be written.
    #[error("cannot write the search index's units in `{path}`: {source}")]
    UnitsIo { path: PathBuf, source: io::Error },
    /// A file of the index is missing or not what jurisdex wrote.
    #[error("the search index at `{path}` is damaged: rebuild the site")]
    Damaged { path: PathBuf },
    /// The index was written with a different schema.
    #[error(
        "the search index at `{path}` was built by another version of jurisdex: rebuild the site"
    )]
    SchemaMismatch { path: PathBuf },
}

/// Extra weight for a document whose short name matches the whole text of the query.
const SHORT_NAME_MATCH_BOOST: Score = 20.0;

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
    labels: Labels,
}

/// Misspelt stem and distance → the closest indexed stems with their distances.
type Corrections = HashMap<(String, u8), Vec<(String, usize)>>;

/// A search as the server receives it; every field is optional, even `q`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct SearchRequest {
    pub q: String,
    pub region: Option<String>,
    pub grouping: Option<String>,
    pub kind: Option<String>,
    pub value: Option<String>,
    pub authority_type: Option<String>,
    pub jurisdiction: Option<String>,
    pub limit: Option<usize>,
    pub offset: Option<usize>,
}

/// One page of results with facet counts over the whole matching set.
#[derive(Debug, Clone, Serialize)]
pub struct SearchResults {
    /// The query as searched: control characters removed, cut to [`MAX_QUERY_BYTES`].
    pub query: String,
    pub total: usize,
    pub offset: usize,
    pub limit: usize,
    pub hits: Vec<Hit>,
    pub facets: Vec<Facet>,
    /// The query found nothing as typed and these are fuzzy matches ("showing results for").
    pub corrected: bool,
    /// When `corrected`, the query rewritten with the words the fuzzy matches found, if known.
    pub corrected_query: Option<String>,
    pub elapsed_ms: f64,
}

/// One search result.
#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    pub title: String,
    /// Where the unit sits, e.g. `Pakistan › Safeguards › User notice`.
    pub breadcrumb: String,
    /// The page URL with the unit's anchor.
    pub url: String,
    pub kind: String,
    /// The jurisdiction id, for units of a jurisdiction.
    pub jurisdiction: Option<String>,
    /// `snippet_text` escaped, with `<mark>…</mark>` around matches and no other tags.
    pub snippet_html: String,
    pub snippet_text: String,
    /// Byte ranges of the matches in `snippet_text`.
    pub highlights: Vec<(usize, usize)>,
    pub score: f32,
    /// The BCP 47 language of `title` when the local-language title is shown.
    pub lang: Option<String>,
}

/// Counts for one facet: `region`, `grouping`, `kind`, `value` or `authority_type`.
#[derive(Debug, Clone, Serialize)]
pub struct Facet {
    pub name: String,
    pub label: String,
    pub values: Vec<FacetValue>,
}

/// One value of a facet with its count in the matching set.
#[derive(Debug, Clone, Serialize)]
pub struct FacetValue {
    pub key: String,
    pub label: String,
    pub count: u64,
    /// The value is one of the active filters.
    pub selected: bool,
}

/// What kind of unit a document is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Jurisdiction,
    Instrument,
    Power,
    Case,
    Safeguard,
    Section,
    Topic,
    Page,
}

impl Kind {
    const ALL: [Kind; 8] = [
        Kind::Jurisdiction,
        Kind::Instrument,
        Kind::Power,
        Kind::Case,
        Kind::Safeguard,
        Kind::Section,
        Kind::Topic,
        Kind::Page,
    ];

    pub(crate) fn key(self) -> &'static str {
        match self {
            Kind::Jurisdiction => "jurisdiction",
            Kind::Instrument => "instrument",
            Kind::Power => "power",
            Kind::Case => "case",
            Kind::Safeguard => "safeguard",
            Kind::Section => "section",
            Kind::Topic => "topic",
            Kind::Page => "page",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Kind::Jurisdiction => "Jurisdiction",
            Kind::Instrument => "Instrument",
            Kind::Power => "Power",
            Kind::Case => "Court case",
            Kind::Safeguard => "Safeguard",
            Kind::Section => "Section",
            Kind::Topic => "Topic",
            Kind::Page => "Page",
        }
    }
}

/// A field that can be filtered on, by request field or `name:value` in the query.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum FilterKey {
    Region,
    Grouping,
    Kind,
    Value,
    AuthorityType,
    Jurisdiction,
    Safeguard,
    Status,
}

/// The facets reported with every result set: key, name, label.
const FACETS: [(FilterKey, &str, &str); 5] = [
    (FilterKey::Region, "region", "Region"),
    (FilterKey::Grouping, "grouping", "Grouping"),
    (FilterKey::Kind, "kind", "Type"),
    (FilterKey::Value, "value", "Safeguard rating"),
    (FilterKey::AuthorityType, "authority_type", "Authority"),
];

impl FilterKey {
    fn from_prefix(prefix: &str) -> Option<FilterKey> {
        match prefix.to_lowercase().as_str() {
            "region" => Some(FilterKey::Region),
            "grouping" => Some(FilterKey::Grouping),
            "kind" => Some(FilterKey::Kind),
            "value" => Some(FilterKey::Value),
            "authority" | "authority_type" => Some(FilterKey::AuthorityType),
            "jurisdiction" => Some(FilterKey::Jurisdiction),
            "safeguard" => Some(FilterKey::Safeguard),
            "status" => Some(FilterKey::Status),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            FilterKey::Region => "region",
            FilterKey::Grouping => "grouping",
            FilterKey::Kind => "kind",
            FilterKey::Value => "value",
            FilterKey::AuthorityType => "authority_type",
            FilterKey::Jurisdiction => "jurisdiction",
            FilterKey::Safeguard => "safeguard",
            FilterKey::Status => "status",
        }
    }

    /// Lower-cases a value; vocabulary keys use `_`, so `user-notice` means `user_notice`.
    fn normalize(self, value: &str) -> String {
        let value = value.trim().to_lowercase();
        match self {
            FilterKey::Region | FilterKey::Grouping | FilterKey::Jurisdiction => value,
            _ => value.replace('-', "_"),
        }
    }

    fn field(self, fields: &Fields) -> Field {
        match self {
            FilterKey::Region => fields.region,
            FilterKey::Grouping => fields.grouping,
            FilterKey::Kind => fields.kind,
            FilterKey::Value => fields.value,
            FilterKey::AuthorityType => fields.authority_type,
            FilterKey::Jurisdiction => fields.jurisdiction,
            FilterKey::Safeguard => fields.safeguard,
            FilterKey::Status => fields.status,
        }
    }

    /// Position in the vocabulary, so that closed facets list their values in a stable order.
    fn rank(self, value: &str) -> Option<usize> {
        match self {
            FilterKey::Kind => Kind::ALL.iter().position(|k| k.key() == value),
            FilterKey::Value => Rating::ALL.iter().position(|v| v.key() == value),
            FilterKey::AuthorityType => AuthorityType::ALL.iter().position(|a| a.key() == value),
            _ => None,
        }
    }
}

/// The values a facet can take, in the order of their indices: the taxonomy's regions and
/// groupings by id (as in the labels file), the closed vocabularies in their own order.
struct FacetValues<'a>(Vec<&'a str>);

impl<'a> FacetValues<'a> {
    fn of(key: FilterKey, labels: &'a Labels) -> FacetValues<'a> {
        FacetValues(match key {
            FilterKey::Region => labels.regions.keys().map(String::as_str).collect(),
            FilterKey::Grouping => labels.groupings.keys().map(String::as_str).collect(),
            FilterKey::Kind => Kind::ALL.iter().map(|k| k.key()).collect(),
            FilterKey::Value => Rating::ALL.iter().map(|v| v.key()).collect(),
            FilterKey::AuthorityType => AuthorityType::ALL.iter().map(|a| a.key()).collect(),
            FilterKey::Jurisdiction | FilterKey::Safeguard | FilterKey::Status => Vec::new(),
        })
    }

    fn index(&self, value: &str) -> Option<usize> {
        self.0.iter().position(|v| *v == value)
    }
}

/// A unit's own facets packed in one number: kind, rating and authority type, each its index
/// in its vocabulary plus one (0: none), a byte each.
struct UnitFacets;

impl UnitFacets {
    /// The facets packed, in the order of [`UnitFacets::KEYS`].
    const KEYS: [FilterKey; 3] = [FilterKey::Kind, FilterKey::Value, FilterKey::AuthorityType];

    fn code(unit: &Unit) -> u64 {
        let position = |found: Option<usize>| found.map_or(0, |i| i as u64 + 1);
        let kind = position(Kind::ALL.iter().position(|k| *k == unit.kind));
        let value = position(
            unit.value
                .and_then(|v| Rating::ALL.iter().position(|r| *r == v)),
        );
        let authority = position(
            unit.authority_type
                .and_then(|a| AuthorityType::ALL.iter().position(|t| *t == a)),
        );
        kind | value << 8 | authority << 16
    }

    /// The three indices plus one.
    fn decode(code: u64) -> [usize; 3] {
        [0, 8, 16].map(|shift| (code >> shift & 0xff) as usize)
    }
}

/// Where an entry sits: its region and groupings. Facets count them per place, since every unit
/// of an entry shares its entry's place.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
struct Place {
    region: String,
    groupings: Vec<String>,
}

/// The places seen while indexing, numbered in order from 1.
#[derive(Default)]
struct Places {
    numbers: HashMap<Place, u64>,
    list: Vec<Place>,
}

impl Places {
    fn new(list: Vec<Place>) -> Places {
        let numbers = (1..).zip(&list).map(|(n, p)| (p.clone(), n)).collect();
        Places { numbers, list }
    }

    /// The number of `j`'s place, giving it the next one if it is new.
    fn number(&mut self, j: &Jurisdiction) -> u64 {
        let place = Place {
            region: j.region.clone(),
            groupings: j.groupings.clone(),
        };
        if let Some(&n) = self.numbers.get(&place) {
            return n;
        }
        self.list.push(place.clone());
        let n = self.list.len() as u64;
        self.numbers.insert(place, n);
        n
    }
}

/// Counts, for the matching documents, each unit facet code and each place; [`FacetTally`]
/// turns them into counts per facet value.
///
/// It reads two dense fast columns per document. tantivy's facet collector walked the facet
/// dictionary for every query and segment and read each match's facets through a multi-valued
/// column, and one optional or multi-valued column per facet cost nearly as much: at 10,000
/// entries that was a third of the time of a query matching 100,000 documents.
struct FacetTally<'a> {
    places: usize,
    /// Per segment (by ordinal), the `facet_unit` and `facet_place` columns.
    columns: &'a [(Column<u64>, Column<u64>)],
}

/// Per packed facet, the count of each index plus one; then the count of each place number.
#[derive(Debug, Clone)]
struct Tally {
    unit: [Vec<u64>; 3],
    places: Vec<u64>,
}

impl FacetTally<'_> {
    fn empty(&self) -> Tally {
        Tally {
            unit: [Kind::ALL.len(), Rating::ALL.len(), AuthorityType::ALL.len()]
                .map(|n| vec![0; n + 1]),
            places: vec![0; self.places + 1],
        }
    }
}

struct SegmentFacetTally {
    unit: Column<u64>,
    place: Column<u64>,
    tally: Tally,
}

/// The value of a column every document has, read directly when the column is dense.
fn dense_value(column: &Column<u64>, doc: DocId) -> Option<u64> {
    match column.index {
        ColumnIndex::Full => Some(column.values.get_val(doc)),
        _ => column.first(doc),
    }
}

impl Collector for FacetTally<'_> {
    type Fruit = Tally;
    type Child = SegmentFacetTally;

    fn for_segment(&self, ord: u32, _: &SegmentReader) -> tantivy::Result<SegmentFacetTally> {
        let (unit, place) = self.columns.get(ord as usize).ok_or_else(|| {
            tantivy::TantivyError::InternalError(format!("no facet columns for segment {ord}"))
        })?;
        Ok(SegmentFacetTally {
            unit: unit.clone(),
            place: place.clone(),
            tally: self.empty(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, segments: Vec<Tally>) -> tantivy::Result<Tally> {
        let mut total = self.empty();
        for segment in segments {
            let pairs = total.unit.iter_mut().zip(segment.unit);
            for (sum, counts) in pairs.chain([(&mut total.places, segment.places)]) {
                for (sum, count) in sum.iter_mut().zip(counts) {
                    *sum += count;
                }
            }
        }
        Ok(total)
    }
}

impl SegmentCollector for SegmentFacetTally {
    type Fruit = Tally;

    fn collect(&mut self, doc: DocId, _: Score) {
        if let Some(code) = dense_value(&self.unit, doc) {
            for (counts, index) in self.tally.unit.iter_mut().zip(UnitFacets::decode(code)) {
                if let Some(count) = counts.get_mut(index) {
                    *count += 1;
                }
            }
        }
        let place = dense_value(&self.place, doc).and_then(|p| usize::try_from(p).ok());
        if let Some(count) = place.and_then(|p| self.tally.places.get_mut(p)) {
            *count += 1;
        }
    }

    fn harvest(self) -> Tally {
        self.tally
    }
}

/// Field handles, built once with the schema.
#[derive(Debug, Clone, Copy)]
struct Fields {
    title: Field,
    short_name: Field,
    original_title: Field,
    title_ngram: Field,
    text: Field,
    context: Field,
    kind: Field,
    jurisdiction: Field,
    region: Field,
    grouping: Field,
    value: Field,
    authority_type: Field,
    safeguard: Field,
    status: Field,
    /// Dense fast column: the unit's kind, rating and authority type (see [`UnitFacets`]).
    facet_unit: Field,
    /// Dense fast column: the number of the entry's place (region and groupings) in the labels
    /// file's list, plus one; 0 for topics and pages.
    facet_place: Field,
    sort_key: Field,
    unit_at: Field,
    unit_len: Field,
}

impl Fields {
    /// The schema and its field handles. `open` compares the stored schema with this one.
    ///
    /// Nothing is stored by tantivy: what a hit shows is in the units files (see [`UnitsWriter`]),
    /// found by `unit_at` and `unit_len`. Filters are indexed without field norms (they select,
    /// their score is the same for every match) and without fast columns (facets have their own).
    fn schema() -> (Schema, Fields) {
        let mut builder = Schema::builder();
        let prose = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(STEM_TOKENIZER)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        );
        // Positions are needed because the query parser turns several n-grams into a phrase.
        let ngrams = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(NGRAM_TOKENIZER)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        );
        let filter = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer("raw")
                .set_index_option(IndexRecordOption::Basic)
                .set_fieldnorms(false),
        );
        let fields = Fields {
            title: builder.add_text_field("title", prose.clone()),
            short_name: builder.add_text_field("short_name", prose.clone()),
            original_title: builder.add_text_field("original_title", prose.clone()),
            title_ngram: builder.add_text_field("title_ngram", ngrams),
            text: builder.add_text_field("text", prose.clone()),
            context: builder.add_text_field("context", prose),
            kind: builder.add_text_field("kind", filter.clone()),
            jurisdiction: builder.add_text_field("jurisdiction", filter.clone()),
            region: builder.add_text_field("region", filter.clone()),
            grouping: builder.add_text_field("grouping", filter.clone()),
            value: builder.add_text_field("value", filter.clone()),
            authority_type: builder.add_text_field("authority_type", filter.clone()),
            safeguard: builder.add_text_field("safeguard", filter.clone()),
            status: builder.add_text_field("status", filter),
            facet_unit: builder.add_u64_field(FACET_UNIT_FIELD, FAST),
            facet_place: builder.add_u64_field(FACET_PLACE_FIELD, FAST),
            sort_key: builder
                .add_text_field(SORT_KEY_FIELD, TextOptions::default().set_fast("raw")),
            unit_at: builder.add_u64_field(UNIT_AT_FIELD, FAST),
            unit_len: builder.add_u64_field(UNIT_LEN_FIELD, FAST),
        };
        (builder.build(), fields)
    }

    /// The prose fields searched by default, with their boosts. The n-gram field is not here: it
    /// costs 3-5x and is searched only for scripts that need it.
    fn weighted(&self) -> [(Field, Score); 5] {
        [
            (self.title, 3.0),
            (self.short_name, 4.0),
            (self.original_title, 2.0),
            (self.text, 1.0),
            (self.context, 0.5),
        ]
    }

    /// The document of `unit`; `sort_key` orders the browse view (see [`SortKey`]), `place` is
    /// its `facet_place`, `stored` is where its [`Shown`] parts are.
    fn document(
        &self,
        unit: &Unit,
        labels: &Labels,
        sort_key: &str,
        place: u64,
        stored: StoredAt,
    ) -> TantivyDocument {
        let mut doc = TantivyDocument::default();
        doc.add_text(self.kind, unit.kind.key());
        doc.add_u64(self.facet_unit, UnitFacets::code(unit));
        doc.add_u64(self.facet_place, place);
        doc.add_u64(self.unit_at, stored.at);
        doc.add_u64(self.unit_len, stored.len);
        doc.add_text(self.title, &unit.title);
        // Only scripts without spaces between words need n-grams; a title in another script is
        // found by its words, and its n-grams would only add noise to such queries.
        if needs_ngrams(&unit.title) {
            doc.add_text(self.title_ngram, &unit.title);
        }
        doc.add_text(self.text, &unit.text);
        if let Some(short_name) = unit.short_name {
            doc.add_text(self.short_name, short_name);
        }
        if let Some(original) = unit.original_title {
            doc.add_text(self.original_title, original);
            if needs_ngrams(original) {
                doc.add_text(self.title_ngram, original);
            }
        }
        if let Some(j) = unit.jurisdiction {
            doc.add_text(self.jurisdiction, &j.id);
            doc.add_text(self.region, &j.region);
            for grouping in &j.groupings {
                doc.add_text(self.grouping, grouping);
            }
            doc.add_text(self.context, labels.context(j));
        }
        if let Some(value) = unit.value {
            doc.add_text(self.value, value.key());
        }
        if let Some(authority) = unit.authority_type {
            doc.add_text(self.authority_type, authority.key());
        }
        if let Some(key) = unit.safeguard {
            doc.add_text(self.safeguard, key.key());
        }
        if let Some(status) = unit.status {
            doc.add_text(self.status, status.key());
        }
        doc.add_text(self.sort_key, sort_key);
        doc
    }
}

/// The browse view's order, as a string compared byte by byte: jurisdictions by name ignoring
/// case (then id), each followed by its units in page order, then topics, then pages.
///
/// The key of a unit depends only on its own entry, so entries can be indexed in any order, from
/// several threads, or re-indexed alone; the name and the id come before the position, so the
/// units of two entries never interleave, even when one name starts with the other.
struct SortKey;

impl SortKey {
    /// `1` + lower-cased name + NUL + id + NUL + zero-padded position in the entry's page.
    fn entry_unit(j: &Jurisdiction, position: usize) -> String {
        format!(
            "1{}\0{}\0{position:0width$}",
            j.name.to_lowercase(),
            j.id,
            width = POSITION_DIGITS
        )
    }

    /// `2` + position among the topics.
    fn topic(position: usize) -> String {
        format!("2{position:0width$}", width = POSITION_DIGITS)
    }

    /// `3` + position among the pages.
    fn page(position: usize) -> String {
        format!("3{position:0width$}", width = POSITION_DIGITS)
    }
}

/// What a hit shows of a unit, kept beside the index rather than in tantivy's doc store.
#[derive(Debug, Default, PartialEq)]
struct Shown {
    kind: String,
    jurisdiction: String,
    url: String,
    title: String,
    breadcrumb: String,
    text: String,
    original_title: String,
    original_lang: String,
}

impl Shown {
    /// Appends the unit's shown parts, each as a little-endian `u32` length and its bytes.
    fn encode(unit: &Unit, out: &mut Vec<u8>) {
        let parts = [
            unit.kind.key(),
            unit.jurisdiction.map_or("", |j| j.id.as_str()),
            &unit.url,
            &unit.title,
            &unit.breadcrumb,
            &unit.text,
            unit.original_title.unwrap_or(""),
            unit.original_lang.unwrap_or(""),
        ];
        for part in parts {
            let len = u32::try_from(part.len()).unwrap_or(u32::MAX);
            out.extend_from_slice(&len.to_le_bytes());
            out.extend_from_slice(&part.as_bytes()[..len as usize]);
        }
    }

    /// Reads what [`Shown::encode`] wrote; `None` if the bytes are not that.
    fn decode(mut bytes: &[u8]) -> Option<Shown> {
        let mut next = || -> Option<String> {
            let (len, rest) = bytes.split_first_chunk::<4>()?;
            let len = usize::try_from(u32::from_le_bytes(*len)).ok()?;
            let (part, rest) = rest.split_at_checked(len)?;
            bytes = rest;
            String::from_utf8(part.to_vec()).ok()
        };
        Some(Shown {
            kind: next()?,
            jurisdiction: next()?,
            url: next()?,
            title: next()?,
            breadcrumb: next()?,
            text: next()?,
            original_title: next()?,
            original_lang: next()?,
        })
    }
}

/// Where a unit's [`Shown`] parts are: `at` = units file number above [`OFFSET_BITS`], offset
/// below; `len` bytes.
#[derive(Debug, Clone, Copy)]
struct StoredAt {
    at: u64,
    len: u64,
}

/// Writes one units file, `jurisdex-units-<n>.bin` in the index directory: a header (magic, the
/// length of the dictionary as a little-endian `u32`, the dictionary), then each unit's encoded
/// [`Shown`] parts as an LZ4 block compressed with the dictionary, after its length (`u32`).
///
/// Units are compressed one by one, so a hit costs one small decompression instead of a 16 KB
/// block of tantivy's doc store, and the dictionary (the last [`DICTIONARY_BYTES`] of the first
/// entry's unit data) makes them compress about as well as those blocks did.
/// The file is written once, in parallel with indexing, and never merged: tantivy's merge then
/// has no doc store to copy, and its memory does not grow with the text.
struct UnitsWriter {
    number: u64,
    dictionary: OnceLock<Vec<u8>>,
    file: Mutex<UnitsFile>,
}

struct UnitsFile {
    out: io::BufWriter<fs::File>,
    /// Bytes written so far; 0 until the header is.
    offset: u64,
}

impl UnitsWriter {
    fn create(dir: &Path, number: u64) -> io::Result<UnitsWriter> {
        let path = dir.join(format!("{UNITS_FILE_PREFIX}{number}{UNITS_FILE_SUFFIX}"));
        let file = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)?;
        Ok(UnitsWriter {
            number,
            dictionary: OnceLock::new(),
            file: Mutex::new(UnitsFile {
                out: io::BufWriter::new(file),
                offset: 0,
            }),
        })
    }

    /// Writes the units (encoded [`Shown`] parts) and returns where each is. The first call
    /// makes the dictionary from its own units.
    fn write(&self, units: &[Vec<u8>]) -> io::Result<Vec<StoredAt>> {
        let dictionary = self.dictionary.get_or_init(|| {
            let all: Vec<u8> = units.concat();
            all[all.len().saturating_sub(DICTIONARY_BYTES)..].to_vec()
        });
        let mut blocks = Vec::with_capacity(units.len());
        for unit in units {
            let len = u32::try_from(unit.len())
                .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "unit over 4 GB"))?;
            let mut block = vec![0; 4 + lz4_flex::block::get_maximum_output_size(unit.len())];
            block[..4].copy_from_slice(&len.to_le_bytes());
            let written =
                lz4_flex::block::compress_into_with_dict(unit, &mut block[4..], dictionary)
                    .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e.to_string()))?;
            block.truncate(4 + written);
            blocks.push(block);
        }
        let mut file = self.file.lock().unwrap_or_else(PoisonError::into_inner);
        file.write_header(dictionary)?;
        let mut stored = Vec::with_capacity(blocks.len());
        for block in blocks {
            use io::Write as _;
            file.out.write_all(&block)?;
            stored.push(StoredAt {
                at: self.number << OFFSET_BITS | file.offset,
                len: block.len() as u64,
            });
            file.offset += block.len() as u64;
        }
        Ok(stored)
    }

    /// Flushes the file to disk (with an empty dictionary if no unit was written).
    fn finish(self) -> io::Result<()> {
        let dictionary = self.dictionary.get().map_or(&[][..], Vec::as_slice);
        let mut file = self
            .file
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner);
        file.write_header(dictionary)?;
        let file = file
            .out
            .into_inner()
            .map_err(io::IntoInnerError::into_error)?;
        file.sync_all()
    }
}

impl UnitsFile {
    fn write_header(&mut self, dictionary: &[u8]) -> io::Result<()> {
        use io::Write as _;
        if self.offset > 0 {
            return Ok(());
        }
        let len = u32::try_from(dictionary.len()).unwrap_or(u32::MAX);
        self.out.write_all(UNITS_MAGIC)?;
        self.out.write_all(&len.to_le_bytes())?;
        self.out.write_all(dictionary)?;
        self.offset = (UNITS_MAGIC.len() + 4 + dictionary.len()) as u64;
        Ok(())
    }
}

/// The units files of an index, each with its dictionary. Units are read with positioned reads
/// (`pread`), not mapped: a hit reads a few hundred bytes, and the files' pages then stay in the
/// kernel's page cache instead of counting towards the server's resident memory (the units file
/// of the 10,000-entry corpus is 160 MB).
struct UnitsReader {
    /// By file number.
    files: Vec<UnitsFileReader>,
}

struct UnitsFileReader {
    file: fs::File,
    len: u64,
    dictionary: Vec<u8>,
}

impl UnitsReader {
    fn open(dir: &Path) -> Result<UnitsReader, SearchError> {
        let mut files = Vec::new();
        for number in 0.. {
            let path = dir.join(format!("{UNITS_FILE_PREFIX}{number}{UNITS_FILE_SUFFIX}"));
            if !path.exists() {
                break;
            }
            let file = UnitsFileReader::open(&path)
                .ok_or_else(|| SearchError::Damaged { path: path.clone() })?;
            files.push(file);
        }
        Ok(UnitsReader { files })
    }

    /// The shown parts of the unit stored at `stored`.
    fn get(&self, stored: StoredAt) -> tantivy::Result<Shown> {
        let damaged = || tantivy::TantivyError::InternalError("damaged units file".to_owned());
        let file = usize::try_from(stored.at >> OFFSET_BITS).map_err(|_| damaged())?;
        let file = self.files.get(file).ok_or_else(damaged)?;
        let start = stored.at & ((1 << OFFSET_BITS) - 1);
        if start.saturating_add(stored.len) > file.len {
            return Err(damaged());
        }
        let mut block = vec![0; usize::try_from(stored.len).map_err(|_| damaged())?];
        file.file.read_exact_at(&mut block, start)?;
        let (raw_len, compressed) = block.split_first_chunk::<4>().ok_or_else(damaged)?;
        let mut raw = vec![0; u32::from_le_bytes(*raw_len) as usize];
        lz4_flex::block::decompress_into_with_dict(compressed, &mut raw, &file.dictionary)
            .map_err(|_| damaged())?;
        Shown::decode(&raw).ok_or_else(damaged)
    }
}

impl UnitsFileReader {
    /// Opens a units file and reads its header; `None` if it is not one.
    fn open(path: &Path) -> Option<UnitsFileReader> {
        let file = fs::File::open(path).ok()?;
        let len = file.metadata().ok()?.len();
        let mut head = [0; UNITS_MAGIC.len() + 4];
        file.read_exact_at(&mut head, 0).ok()?;
        let dictionary_len = head.strip_prefix(UNITS_MAGIC)?.first_chunk::<4>()?;
        let dictionary_len = u64::from(u32::from_le_bytes(*dictionary_len));
        if head.len() as u64 + dictionary_len > len {
            return None;
        }
        let mut dictionary = vec![0; usize::try_from(dictionary_len).ok()?];
        file.read_exact_at(&mut dictionary, head.len() as u64)
            .ok()?;
        Some(UnitsFileReader {
            file,
            len,
            dictionary,
        })
    }
}

/// Display names of regions and groupings, stored beside the index for facet labels, and the
/// places of the indexed entries (see [`Place`]).
#[derive(Debug, Default, Serialize, Deserialize)]
struct Labels {
    regions: BTreeMap<String, String>,
    groupings: BTreeMap<String, String>,
    /// Place number `n` (of `facet_place`) is `places[n - 1]`.
    places: Vec<Place>,
}

impl Labels {
    fn from_taxonomy(taxonomy: &Taxonomy) -> Labels {
        let names = |groups: &[crate::model::Group]| {
            groups
                .iter()
                .map(|g| (g.id.clone(), g.name.clone()))
                .collect()
        };
        Labels {
            regions: names(&taxonomy.regions),
            groupings: names(&taxonomy.groupings),
            places: Vec::new(),
        }
    }

    /// Words that place a unit, so that `indonesia blocking` finds Indonesia's powers even when
    /// their text never names the country.
    fn context(&self, j: &Jurisdiction) -> String {
        let mut words = vec![j.name.as_str(), j.iso.as_str()];
        words.extend(j.aliases.iter().map(String::as_str));
        words.extend(self.regions.get(&j.region).map(String::as_str));
        words.extend(
            j.groupings
                .iter()
                .filter_map(|g| self.groupings.get(g))
                .map(String::as_str),
        );
        words.join(" · ")
    }

    fn label(&self, key: FilterKey, value: &str) -> String {
        let found = match key {
            FilterKey::Region => self.regions.get(value).cloned(),
            FilterKey::Grouping => self.groupings.get(value).cloned(),
            FilterKey::Kind => Kind::ALL
                .iter()
                .find(|k| k.key() == value)
                .map(|k| k.label().to_owned()),
            FilterKey::Value => Rating::from_key(value).map(|v| v.label().to_owned()),
            FilterKey::AuthorityType => {
                AuthorityType::from_key(value).map(|a| a.label().to_owned())
            }
            FilterKey::Jurisdiction | FilterKey::Safeguard | FilterKey::Status => None,
        };
        found.unwrap_or_else(|| value.to_owned())
    }
}

/// One search document before it becomes a tantivy document.
pub(crate) struct Unit<'a> {
    pub(crate) kind: Kind,
    pub(crate) jurisdiction: Option<&'a Jurisdiction>,
    /// Root-relative (`/jurisdictions/x/#anchor`), without the site's path prefix.
    pub(crate) url: String,
    pub(crate) title: String,
    pub(crate) breadcrumb: String,
    pub(crate) text: String,
    pub(crate) short_name: Option<&'a str>,
    pub(crate) original_title: Option<&'a str>,
    original_lang: Option<&'a str>,
    value: Option<Rating>,
    authority_type: Option<AuthorityType>,
    safeguard: Option<SafeguardKey>,
    status: Option<InstrumentStatus>,
}

impl<'a> Unit<'a> {
    fn new(
        kind: Kind,
        jurisdiction: Option<&'a Jurisdiction>,
        url: String,
        title: &str,
        breadcrumb: String,
        text: String,
    ) -> Unit<'a> {
        Unit {
            kind,
            jurisdiction,
            url,
            title: title.trim().to_owned(),
            breadcrumb,
            text,
            short_name: None,
            original_title: None,
            original_lang: None,
            value: None,
            authority_type: None,
            safeguard: None,
            status: None,
        }
    }
}

/// Writes a new index into `dir` entry by entry.
///
/// Documents go to [`WRITER_THREADS`] tantivy indexing threads, each writing a segment whenever
/// its heap is full; [`finish`](IndexBuilder::finish) merges them into one segment, which every
/// query then visits once instead of once per segment (at 10,000 entries, one segment instead of
/// eight halved the time of the cache-hostile queries).
pub struct IndexBuilder(Writer);

impl IndexBuilder {
    /// Creates the directory and an empty index in it; `dir` must not already hold an index.
    pub fn create(dir: &Path, taxonomy: &Taxonomy) -> Result<IndexBuilder, SearchError> {
        let tantivy_error = tantivy_error(dir);
        fs::create_dir_all(dir).map_err(|source| SearchError::CreateDir {
            path: dir.to_path_buf(),
            source,
        })?;
        let (schema, fields) = Fields::schema();
        let index = Index::create_in_dir(dir, schema).map_err(tantivy_error)?;
        register_tokenizers(&index).map_err(tantivy_error)?;
        let writer: IndexWriter = index
            .writer_with_num_threads(
                WRITER_THREADS,
                WRITER_THREADS * WRITER_HEAP_BYTES_PER_THREAD,
            )
            .map_err(tantivy_error)?;
        // One merge of everything at the end costs less than merging as segments appear.
        writer.set_merge_policy(Box::new(NoMergePolicy));
        Ok(IndexBuilder(Writer {
            dir: dir.to_path_buf(),
            index: writer,
            units: UnitsWriter::create(dir, 0).map_err(units_error(dir))?,
            fields,
            labels: Labels::from_taxonomy(taxonomy),
            places: Mutex::default(),
        }))
    }

    /// Adds one jurisdiction's units. Callable from many threads at once.
    pub fn add_entry(&self, j: &Jurisdiction) -> Result<(), SearchError> {
        self.0.add_entry(j)
    }

    /// Adds the topic and page units.
    pub fn add_site_units(&self, topics: &[Topic], pages: &[SitePage]) -> Result<(), SearchError> {
        let (topics, pages) = site_units(topics, pages);
        let keyed: Vec<(Unit, String)> = (0..)
            .zip(topics)
            .map(|(k, unit)| (unit, SortKey::topic(k)))
            .chain((0..).zip(pages).map(|(k, unit)| (unit, SortKey::page(k))))
            .collect();
        self.0.add(&keyed, 0)
    }

    /// Commits, merges the segments into one and writes the units and labels files.
    pub fn finish(mut self) -> Result<(), SearchError> {
        let tantivy_error = tantivy_error(&self.0.dir);
        let started = Instant::now();
        self.0.index.commit().map_err(tantivy_error)?;
        let committed = started.elapsed();
        let segments = self
            .0
            .index
            .index()
            .searchable_segment_ids()
            .map_err(tantivy_error)?;
        if segments.len() > 1 {
            self.0
                .index
                .merge(&segments)
                .wait()
                .map_err(tantivy_error)?;
        }
        tracing::debug!(
            "search index: committed in {committed:.2?}, {} segments merged in {:.2?}",
            segments.len(),
            started.elapsed() - committed
        );
        self.0.close()
    }
}

/// Adds units to an index and their shown parts to a units file.
struct Writer {
    dir: PathBuf,
    index: IndexWriter,
    units: UnitsWriter,
    fields: Fields,
    labels: Labels,
    places: Mutex<Places>,
}

impl Writer {
    /// Adds one jurisdiction's units, keyed by their position in its page.
    fn add_entry(&self, j: &Jurisdiction) -> Result<(), SearchError> {
        let mut units = Vec::new();
        jurisdiction_units(j, &mut units);
        let keyed: Vec<(Unit, String)> = units
            .into_iter()
            .enumerate()
            .map(|(position, unit)| (unit, SortKey::entry_unit(j, position)))
            .collect();
        let place = self
            .places
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .number(j);
        self.add(&keyed, place)
    }

    /// Adds units of one place (0: none).
    fn add(&self, keyed: &[(Unit, String)], place: u64) -> Result<(), SearchError> {
        let encoded: Vec<Vec<u8>> = keyed
            .iter()
            .map(|(unit, _)| {
                let mut bytes = Vec::new();
                Shown::encode(unit, &mut bytes);
                bytes
            })
            .collect();
        let stored = self.units.write(&encoded).map_err(units_error(&self.dir))?;
        for ((unit, key), at) in keyed.iter().zip(stored) {
            let doc = self.fields.document(unit, &self.labels, key, place, at);
            self.index
                .add_document(doc)
                .map_err(tantivy_error(&self.dir))?;
        }
        Ok(())
    }

    /// Waits for tantivy's threads (after a commit), then writes the units and labels files.
    fn close(self) -> Result<(), SearchError> {
        self.index
            .wait_merging_threads()
            .map_err(tantivy_error(&self.dir))?;
        self.units.finish().map_err(units_error(&self.dir))?;
        let mut labels = self.labels;
        labels.places = self
            .places
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner)
            .list;
        write_labels(&self.dir, &labels)
    }
}

/// Writes the search index for `site` into `dir`, creating the directory; `dir` must not already
/// hold an index.
pub fn build_index(site: &Site, dir: &Path) -> Result<(), SearchError> {
    let builder = IndexBuilder::create(dir, &site.taxonomy)?;
    for j in &site.jurisdictions {
        builder.add_entry(j)?;
    }
    builder.add_site_units(&site.topics, &site.pages)?;
    builder.finish()
}

fn tantivy_error(dir: &Path) -> impl Fn(tantivy::TantivyError) -> SearchError + Copy + '_ {
    move |source| SearchError::Index {
        path: dir.to_path_buf(),
        source,
    }
}

fn units_error(dir: &Path) -> impl Fn(io::Error) -> SearchError + Copy + '_ {
    move |source| SearchError::UnitsIo {
        path: dir.to_path_buf(),
        source,
    }
}

/// Writes the labels file as a new file: one linked from a previous index is left unchanged.
fn write_labels(dir: &Path, labels: &Labels) -> Result<(), SearchError> {
    let path = dir.join(LABELS_FILE);
    let json = serde_json::to_vec_pretty(labels).map_err(|source| SearchError::LabelsJson {
        path: path.clone(),
        source,
    })?;
    let staged = dir.join(format!("{LABELS_FILE}.new"));
    fs::write(&staged, json)
        .and_then(|()| fs::rename(&staged, &path))
        .map_err(|source| SearchError::LabelsIo { path, source })
}

fn read_labels(dir: &Path) -> Result<Labels, SearchError> {
    let path = dir.join(LABELS_FILE);
    let json = fs::read(&path).map_err(|source| SearchError::LabelsIo {
        path: path.clone(),
        source,
    })?;
    serde_json::from_slice(&json).map_err(|source| SearchError::LabelsJson { path, source })
}

/// Registers the analyzers the schema names: stemmed English prose and title n-grams.
fn register_tokenizers(index: &Index) -> tantivy::Result<()> {
    index
        .tokenizers()
        .register(STEM_TOKENIZER, prose_analyzer());
    index
        .tokenizers()
        .register(NGRAM_TOKENIZER, ngram_analyzer()?);
    Ok(())
}

/// The n-gram analyzer: every run of 2 or 3 characters, lower-cased.
fn ngram_analyzer() -> tantivy::Result<TextAnalyzer> {
    let ngrams = NgramTokenizer::all_ngrams(2, 3)?;
    Ok(TextAnalyzer::builder(ngrams).filter(LowerCaser).build())
}

/// The prose analyzer: tantivy's `en_stem` (runs of alphanumeric characters shorter than
/// [`MAX_TOKEN_BYTES`], lower-cased, stemmed) with a memo of stems.
fn prose_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .filter(MemoStemmer)
        .build()
}

/// English stemming with a per-thread memo of stems.
///
/// frostem's English stemmer costs about 270 ns a word, nine tenths of tokenizing prose, and the
/// index build and the snippets stem the same few thousand words again and again; a lookup costs
/// a tenth of that. A miss asks tantivy's own `Stemmer`, so the stems, and the index, are those of
/// the built-in `en_stem`.
#[derive(Clone, Copy)]
struct MemoStemmer;

impl TokenFilter for MemoStemmer {
    type Tokenizer<T: Tokenizer> = MemoStemmerFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> MemoStemmerFilter<T> {
        MemoStemmerFilter(tokenizer)
    }
}

#[derive(Clone)]
struct MemoStemmerFilter<T>(T);

impl<T: Tokenizer> Tokenizer for MemoStemmerFilter<T> {
    type TokenStream<'a> = MemoStemmerStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        MemoStemmerStream(self.0.token_stream(text))
    }
}

struct MemoStemmerStream<S>(S);

impl<S: TokenStream> TokenStream for MemoStemmerStream<S> {
    fn advance(&mut self) -> bool {
        if !self.0.advance() {
            return false;
        }
        stem_in_place(&mut self.0.token_mut().text);
        true
    }

    fn token(&self) -> &Token {
        self.0.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.0.token_mut()
    }
}

/// A thread's memo of stems, and the stemmer asked on a miss.
struct Stems {
    memo: HashMap<ShortWord, Stem, BuildHasherDefault<WordHasher>>,
    stemmer: TextAnalyzer,
}

/// A word of at most [`ShortWord::MAX_BYTES`] bytes as two integers and its length, so the memo
/// compares and hashes it in registers: with `String` keys every lookup called `memcmp`, and the
/// memo cost as much again as tantivy's own indexing of the word.
#[derive(Clone, Copy, PartialEq, Eq)]
struct ShortWord {
    /// The first eight bytes (for a shorter word, all of them, zero-padded).
    head: u64,
    /// The last eight bytes, overlapping `head` in a word of 9 to 15 bytes (0 for a shorter word).
    tail: u64,
    len: u8,
}

impl ShortWord {
    const MAX_BYTES: usize = 16;

    /// The key of `word`, or `None` when it is longer than [`ShortWord::MAX_BYTES`]. For a given
    /// length the two integers hold every byte, so distinct words have distinct keys.
    fn new(word: &str) -> Option<ShortWord> {
        let bytes = word.as_bytes();
        if bytes.len() > Self::MAX_BYTES {
            return None;
        }
        let (head, tail) = match (bytes.first_chunk::<8>(), bytes.last_chunk::<8>()) {
            (Some(head), Some(tail)) => (u64::from_le_bytes(*head), u64::from_le_bytes(*tail)),
            _ => {
                let packed = (0..)
                    .zip(bytes)
                    .fold(0, |packed, (i, &b)| packed | u64::from(b) << (8 * i));
                (packed, 0)
            }
        };
        Some(ShortWord {
            head,
            tail,
            len: bytes.len() as u8,
        })
    }
}

impl Hash for ShortWord {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u64(self.head ^ self.tail.rotate_left(32) ^ u64::from(self.len) << 56);
    }
}

/// A stem as an edit of its word: the first `keep` bytes, then `suffix` (English stems mostly
/// drop a suffix, so `suffix` is usually empty and a hit costs a truncation).
struct Stem {
    keep: usize,
    suffix: Box<str>,
}

impl Stem {
    fn of(word: &str, stem: &str) -> Stem {
        let common = word
            .bytes()
            .zip(stem.bytes())
            .take_while(|(a, b)| a == b)
            .count();
        let keep = (0..=common)
            .rev()
            .find(|&at| word.is_char_boundary(at) && stem.is_char_boundary(at))
            .unwrap_or(0);
        Stem {
            keep,
            suffix: stem[keep..].into(),
        }
    }

    fn apply(&self, word: &mut String) {
        word.truncate(self.keep);
        if !self.suffix.is_empty() {
            word.push_str(&self.suffix);
        }
    }
}

/// A fast hash of a [`ShortWord`] (a multiply folded to 64 bits, as in foldhash): the stem memo
/// hashes every indexed word, where the standard SipHash cost as much as the lookup. Words come
/// from the content and queries of this site, not from an adversary who could exploit
/// collisions to slow it, and a collision only costs a comparison.
#[derive(Default)]
struct WordHasher(u64);

impl Hasher for WordHasher {
    fn write_u64(&mut self, n: u64) {
        const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;
        let product = u128::from(self.0 ^ n) * u128::from(SEED);
        self.0 = (product as u64) ^ ((product >> 64) as u64);
    }

    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(word));
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

thread_local! {
    static STEMS: RefCell<Stems> = RefCell::new(Stems {
        memo: HashMap::default(),
        stemmer: TextAnalyzer::builder(RawTokenizer::default())
            .filter(Stemmer::new(Language::English))
            .build(),
    });
}

/// Replaces a lower-cased word by its English stem.
fn stem_in_place(word: &mut String) {
    STEMS.with_borrow_mut(|stems| {
        let key = ShortWord::new(word);
        if let Some(stem) = key.and_then(|key| stems.memo.get(&key)) {
            stem.apply(word);
            return;
        }
        let mut stemmed = None;
        stems
            .stemmer
            .token_stream(word)
            .process(&mut |token| stemmed = Some(token.text.clone()));
        let Some(stemmed) = stemmed else {
            return;
        };
        if let Some(key) = key {
            if stems.memo.len() >= STEM_MEMO_WORDS {
                stems.memo.clear();
            }
            stems.memo.insert(key, Stem::of(word, &stemmed));
        }
        *word = stemmed;
    });
}

/// Writes into `dir` the index in `base` with the documents of `entries` replaced by theirs;
/// `taxonomy` gives the labels (regions and groupings are unchanged).
///
/// `base` is not modified: its files are hard-linked into `dir` (tantivy never rewrites a segment
/// file, and replaces its meta files by rename), then one segment with the new documents and the
/// deletions is committed in `dir`, without merging. Readers of `base` are unaffected.
pub fn update_index(
    base: &Path,
    dir: &Path,
    taxonomy: &Taxonomy,
    entries: &[Jurisdiction],
) -> Result<(), SearchError> {
    let tantivy_error = tantivy_error(dir);
    let create_error = |source| SearchError::CreateDir {
        path: dir.to_path_buf(),
        source,
    };
    fs::create_dir_all(dir).map_err(create_error)?;
    for entry in fs::read_dir(base).map_err(create_error)? {
        let name = entry.map_err(create_error)?.file_name();
        // Lock files belong to the index they lock.
        if !name.to_string_lossy().starts_with(".tantivy-") {
            fs::hard_link(base.join(&name), dir.join(&name)).map_err(create_error)?;
        }
    }
    let index = Index::open_in_dir(dir).map_err(tantivy_error)?;
    register_tokenizers(&index).map_err(tantivy_error)?;
    let fields = Fields::schema().1;
    let index_writer: IndexWriter = index
        .writer_with_num_threads(1, UPDATE_HEAP_BYTES)
        .map_err(tantivy_error)?;
    index_writer.set_merge_policy(Box::new(NoMergePolicy));
    // The previous units files are linked, unchanged; the new units go to a file of their own.
    let number = (0..)
        .find(|n| {
            !dir.join(format!("{UNITS_FILE_PREFIX}{n}{UNITS_FILE_SUFFIX}"))
                .exists()
        })
        .unwrap_or(0);
    // The previous documents keep their place numbers; new places are numbered after them.
    let places = Places::new(read_labels(base)?.places);
    let mut writer = Writer {
        dir: dir.to_path_buf(),
        index: index_writer,
        units: UnitsWriter::create(dir, number).map_err(units_error(dir))?,
        fields,
        labels: Labels::from_taxonomy(taxonomy),
        places: Mutex::new(places),
    };
    for j in entries {
        writer
            .index
            .delete_term(Term::from_field_text(fields.jurisdiction, &j.id));
        writer.add_entry(j)?;
    }
    writer.index.commit().map_err(tantivy_error)?;
    writer.close()
}

/// Every unit of the site in browse order: jurisdictions by name (ignoring case), each followed
/// by its parts in page order, then topics and pages.
pub(crate) fn units(site: &Site) -> Vec<Unit<'_>> {
    let mut jurisdictions: Vec<&Jurisdiction> = site.jurisdictions.iter().collect();
    jurisdictions.sort_by_cached_key(|j| SortKey::entry_unit(j, 0));
    let mut units = Vec::new();
    for j in jurisdictions {
        jurisdiction_units(j, &mut units);
    }
    let (topics, pages) = site_units(&site.topics, &site.pages);
    units.extend(topics);
    units.extend(pages);
    units
}

/// The units of topics and of pages.
fn site_units<'a>(topics: &'a [Topic], pages: &'a [SitePage]) -> (Vec<Unit<'a>>, Vec<Unit<'a>>) {
    let topics = topics
        .iter()
        .map(|topic| {
            let mut unit = Unit::new(
                Kind::Topic,
                None,
                format!("/topics/{}/", topic.key.key()),
                &topic.title,
                crumb(&["Topics", &topic.title]),
                sentences(&[&topic.question, &topic.summary, &topic.body.text]),
            );
            unit.safeguard = Some(topic.key);
            unit
        })
        .collect();
    let pages = pages
        .iter()
        .map(|page| {
            Unit::new(
                Kind::Page,
                None,
                format!("/{}/", page.id),
                &page.title,
                page.title.trim().to_owned(),
                sentences(&[&page.summary, &page.body.text]),
            )
        })
        .collect();
    (topics, pages)
}

fn jurisdiction_units<'a>(j: &'a Jurisdiction, units: &mut Vec<Unit<'a>>) {
    let name = j.name.as_str();
    let page = format!("/jurisdictions/{}/", j.id);
    let legal_system = format!("Legal system: {}", j.legal_system);
    let no_general_power = j
        .no_general_power
        .as_ref()
        .map_or("", |n| n.statement.as_str());
    units.push(Unit::new(
        Kind::Jurisdiction,
        Some(j),
        page.clone(),
        name,
        name.to_owned(),
        sentences(&[
            &j.summary,
            &legal_system,
            no_general_power,
            preamble(&j.body),
        ]),
    ));

    for instrument in &j.instruments {
        let shown = instrument
            .short_name
            .as_deref()
            .unwrap_or(&instrument.title);
        let status = format!(
            "{}, {}",
            instrument.kind.label(),
            instrument.status.label().to_lowercase()
        );
        let mut parts = vec![instrument.citation.clone(), status];
        parts.extend(
            instrument
                .key_provisions
                .iter()
                .map(|p| format!("{}: {}", p.section, p.gist)),
        );
        let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
        let mut unit = Unit::new(
            Kind::Instrument,
            Some(j),
            format!("{page}#instrument-{}", instrument.id),
            &instrument.title,
            crumb(&[name, "Instruments", shown]),
            sentences(&parts),
        );
        unit.short_name = instrument.short_name.as_deref();
        unit.original_title = instrument.original_title.as_deref();
        unit.original_lang = instrument.original_lang.as_deref();
        unit.status = Some(instrument.status);
        units.push(unit);
    }

    for power in &j.powers {
        let title = format!(
            "{} under {}",
            actions(&power.actions),
            reference(j, &power.basis)
        );
        let labels: Vec<&str> = power.actions.iter().map(|a| a.label()).collect();
        let parts = [
            format!("Authority: {}", power.authority),
            format!("Actions: {}", labels.join(", ")),
            format!("Basis: {}", reference(j, &power.basis)),
            format!("Grounds: {}", power.grounds),
            format!("Deadline: {}", power.deadline.text),
            format!("Court: {}", power.court_role.label()),
            format!("Remedy: {}", power.remedy),
            power
                .penalties
                .as_ref()
                .map_or_else(String::new, |p| format!("Penalties: {p}")),
        ];
        let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
        let mut unit = Unit::new(
            Kind::Power,
            Some(j),
            format!("{page}#{}", power.anchor()),
            &title,
            crumb(&[name, "Powers", &title]),
            sentences(&parts),
        );
        unit.authority_type = Some(power.authority_type);
        units.push(unit);
    }

    for case in &j.cases {
        let reviewed = Reference {
            instrument: case.instrument.clone(),
            section: case.provision.clone().unwrap_or_default(),
        };
        let parts = [
            format!("{}, {}", case.court, case.date.human()),
            case.citation.clone().unwrap_or_default(),
            format!("Outcome: {}", case.outcome.label()),
            format!("On {}", reference(j, &reviewed)),
            case.summary.clone(),
        ];
        let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
        units.push(Unit::new(
            Kind::Case,
            Some(j),
            format!("{page}#{}", case.anchor()),
            &case.name,
            crumb(&[name, "Cases", &case.name]),
            sentences(&parts),
        ));
    }

    for (key, assessment) in j.safeguards.iter() {
        let provisions: Vec<String> = assessment
            .provisions
            .iter()
            .map(|r| reference(j, r))
            .collect();
        let provisions = if provisions.is_empty() {
            String::new()
        } else {
            format!("Provisions: {}", provisions.join("; "))
        };
        let mut unit = Unit::new(
            Kind::Safeguard,
            Some(j),
            format!("{page}#{}", key.anchor()),
            &format!("{}: {}", key.label(), assessment.value.label()),
            crumb(&[name, "Safeguards", key.label()]),
            sentences(&[&assessment.note, &provisions]),
        );
        unit.value = Some(assessment.value);
        unit.safeguard = Some(key);
        units.push(unit);
    }

    for section in j.body.sections.iter().filter(|s| !s.title.is_empty()) {
        units.push(Unit::new(
            Kind::Section,
            Some(j),
            format!("{page}#{}", section.id),
            &section.title,
            crumb(&[name, &section.title]),
            section.text.clone(),
        ));
    }
}

/// The body text before its first heading, which belongs to the jurisdiction summary.
fn preamble(body: &Rendered) -> &str {
    match body.sections.iter().find(|s| !s.text.is_empty()) {
        Some(first) => body
            .text
            .find(&first.text)
            .map_or("", |at| &body.text[..at]),
        None => &body.text,
    }
}

/// `Block access, remove content`.
fn actions(actions: &[Action]) -> String {
    let labels: Vec<String> = actions
        .iter()
        .enumerate()
        .map(|(i, a)| {
            if i == 0 {
                a.label().to_owned()
            } else {
                a.label().to_lowercase()
            }
        })
        .collect();
    labels.join(", ")
}

/// `Prevention of Electronic Crimes Act 2016 (PECA) s 37`.
fn reference(j: &Jurisdiction, r: &Reference) -> String {
    let instrument = match j.instrument(&r.instrument) {
        Some(i) => match &i.short_name {
            Some(short) => format!("{} ({short})", i.title.trim()),
            None => i.title.trim().to_owned(),
        },
        None => r.instrument.clone(),
    };
    format!("{instrument} {}", r.section).trim().to_owned()
}

fn crumb(parts: &[&str]) -> String {
    let parts: Vec<&str> = parts.iter().map(|p| p.trim()).collect();
    parts.join(CRUMB)
}

/// Joins non-empty parts into prose, ending each with a full stop if it has none.
fn sentences(parts: &[&str]) -> String {
    let mut out = String::new();
    for part in parts.iter().map(|p| p.trim()).filter(|p| !p.is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(part);
        if part.ends_with(|c: char| c.is_alphanumeric() || c == ')') {
            out.push('.');
        }
    }
    out
}

impl SearchIndex {
    /// Opens an index written by [`IndexBuilder`]; reloading is manual, as the index never changes.
    pub fn open(dir: &Path) -> Result<SearchIndex, SearchError> {
        let tantivy_error = tantivy_error(dir);
        let index = Index::open_in_dir(dir).map_err(tantivy_error)?;
        let (schema, fields) = Fields::schema();
        if index.schema() != schema {
            return Err(SearchError::SchemaMismatch {
                path: dir.to_path_buf(),
            });
        }
        register_tokenizers(&index).map_err(tantivy_error)?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(tantivy_error)?;
        let labels = read_labels(dir)?;
        let units = UnitsReader::open(dir)?;
        let columns = |a: &str, b: &str| {
            reader
                .searcher()
                .segment_readers()
                .iter()
                .map(|segment| {
                    let fast = segment.fast_fields();
                    Ok((fast.u64(a)?, fast.u64(b)?))
                })
                .collect::<tantivy::Result<Vec<_>>>()
                .map_err(tantivy_error)
        };
        let unit_columns = columns(UNIT_AT_FIELD, UNIT_LEN_FIELD)?;
        let facet_columns = columns(FACET_UNIT_FIELD, FACET_PLACE_FIELD)?;
        let regions = FacetValues::of(FilterKey::Region, &labels);
        let groupings = FacetValues::of(FilterKey::Grouping, &labels);
        let place_facets = labels
            .places
            .iter()
            .map(|p| {
                let region = regions.index(&p.region);
                (
                    region,
                    p.groupings
                        .iter()
                        .filter_map(|g| groupings.index(g))
                        .collect(),
                )
            })
            .collect();
        Ok(SearchIndex {
            reader,
            fields,
            stemmer: prose_analyzer(),
            ngrams: ngram_analyzer().map_err(tantivy_error)?,
            vocabulary: OnceLock::new(),
            corrections: Mutex::default(),
            units,
            unit_columns,
            facet_columns,
            place_facets,
            labels,
        })
    }

    /// The number of documents (units) in the index.
    pub fn doc_count(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Runs a search; any input gives results (possibly none), never an error or a panic.
    pub fn search(&self, request: &SearchRequest) -> SearchResults {
        let started = Instant::now();
        let query = clean_query(&request.q);
        let parsed = ParsedQuery::parse(&query);
        let filters = Filters::new(request, &parsed);
        let limit = request.limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT);
        let offset = request.offset.unwrap_or(0).min(MAX_OFFSET);
        let outcome = self
            .run(&parsed, &filters, limit, offset)
            .unwrap_or_else(|error| {
                tracing::warn!(%error, query = %query, "search failed");
                Outcome::default()
            });
        SearchResults {
            query,
            total: outcome.total,
            offset,
            limit,
            hits: outcome.hits,
            facets: outcome.facets,
            corrected: outcome.corrected,
            corrected_query: outcome.corrected_query,
            elapsed_ms: started.elapsed().as_secs_f64() * 1000.0,
        }
    }

    fn run(
        &self,
        parsed: &ParsedQuery,
        filters: &Filters,
        limit: usize,
        offset: usize,
    ) -> tantivy::Result<Outcome> {
        let searcher = self.reader.searcher();
        let mut clauses = filters.clauses(&self.fields);
        clauses.extend(parsed.exclusions().map(|text| {
            let excluded: Box<dyn Query> = Box::new(ForwardOnly(self.parse_text(&[text])));
            (Occur::MustNot, excluded)
        }));
        let positive: Vec<&str> = parsed.positive().collect();
        if positive.is_empty() {
            // Browse view: all jurisdictions, or everything the filters let through, in site order.
            let base: Box<dyn Query> = if filters.is_empty() {
                Box::new(TermQuery::new(
                    Term::from_field_text(self.fields.kind, Kind::Jurisdiction.key()),
                    IndexRecordOption::Basic,
                ))
            } else {
                Box::new(AllQuery)
            };
            let query = with_clauses(base, clauses);
            let page = self.collect(&searcher, &*query, Ranking::SiteOrder, limit, offset)?;
            return self.outcome(&searcher, page, filters, parsed, None, None);
        }

        // A plain word in no prose field cannot match as typed, so such a query goes straight to
        // the typo retry. With n-grams in play a word can match inside a title: search as typed
        // first.
        let ngrams = positive.iter().any(|t| needs_ngrams(t));
        let retry = self.fuzzy_plan(&searcher, parsed)?;
        if !ngrams && !matches!(retry, Retry::AsTyped) {
            if let Retry::Corrected(fuzzy) = retry {
                let query = with_clauses(fuzzy.query.box_clone(), clauses);
                let page = self.collect(&searcher, &*query, Ranking::Score, limit, offset)?;
                if page.total > 0 {
                    let highlight = Some(&*fuzzy.query);
                    return self.outcome(&searcher, page, filters, parsed, highlight, Some(&fuzzy));
                }
            }
            let nothing = Page::empty(&self.facet_tally());
            return self.outcome(&searcher, nothing, filters, parsed, None, None);
        }
        let text_query = self.parse_text(&positive);
        let cloned = clauses
            .iter()
            .map(|(occur, q)| (*occur, q.box_clone()))
            .collect();
        let query = with_clauses(text_query.box_clone(), cloned);
        let page = self.collect(&searcher, &*query, Ranking::Score, limit, offset)?;
        if page.total == 0
            && let Retry::Corrected(fuzzy) = retry
        {
            let query = with_clauses(fuzzy.query.box_clone(), clauses);
            let page = self.collect(&searcher, &*query, Ranking::Score, limit, offset)?;
            if page.total > 0 {
                let highlight = Some(&*fuzzy.query);
                return self.outcome(&searcher, page, filters, parsed, highlight, Some(&fuzzy));
            }
        }
        self.outcome(&searcher, page, filters, parsed, Some(&*text_query), None)
    }

    /// The query of words and phrases, each a literal (tantivy's query syntax never applies): all
    /// of the texts over the prose fields, with their boosts; the n-gram field joins in when a text
    /// has scripts written without spaces between words. A document whose short name has the texts
    /// scores [`SHORT_NAME_MATCH_BOOST`] more, to lift an instrument whose short name is the query
    /// (`PECA`) above documents that merely mention it.
    ///
    /// The queries are those tantivy's `QueryParser` makes of the texts quoted (a term or phrase
    /// query per field, duplicates dropped), with each word's union of fields an [`AnyOf`]; built
    /// here, a query is tokenized once instead of once per field, and without the grammar.
    fn parse_text(&self, texts: &[&str]) -> Box<dyn Query> {
        let with_ngrams = texts.iter().any(|t| needs_ngrams(t));
        let mut stemmer = self.stemmer.clone();
        let mut ngrams = with_ngrams.then(|| self.ngrams.clone());
        let mut literals: Vec<String> = Vec::with_capacity(texts.len());
        let mut all: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let mut short_names: Vec<Box<dyn Query>> = Vec::new();
        for text in texts {
            let literal = text.replace(['"', '\\'], " ");
            if literals.contains(&literal) {
                continue;
            }
            let stems = tokens(&mut stemmer, &literal);
            let mut fields: Vec<Box<dyn Query>> = self
                .fields
                .weighted()
                .into_iter()
                .filter_map(|(field, boost)| {
                    let query = literal_query(field, &stems)?;
                    Some(if boost == 1.0 {
                        query
                    } else {
                        Box::new(BoostQuery::new(query, boost))
                    })
                })
                .collect();
            if let Some(ngrams) = ngrams.as_mut() {
                let grams = tokens(ngrams, &literal);
                fields.extend(literal_query(self.fields.title_ngram, &grams));
            }
            match fields.len() {
                0 => {}
                1 => all.extend(fields.pop().map(|query| (Occur::Must, query))),
                _ => all.push((Occur::Must, Box::new(AnyOf(fields)))),
            }
            short_names.extend(literal_query(self.fields.short_name, &stems));
            literals.push(literal);
        }
        let text: Box<dyn Query> = if all.is_empty() {
            Box::new(EmptyQuery)
        } else {
            Box::new(BooleanQuery::new(all))
        };
        let short_name: Box<dyn Query> = if short_names.is_empty() {
            Box::new(EmptyQuery)
        } else {
            Box::new(AnyOf(short_names))
        };
        Box::new(BooleanQuery::new(vec![
            (Occur::Must, text),
            (
                Occur::Should,
                Box::new(BoostQuery::new(short_name, SHORT_NAME_MATCH_BOOST)),
            ),
        ]))
    }

    /// The zero-hit retry, for misspelt words: a plain word found in no prose field is replaced
    /// by the closest indexed words (at most [`MAX_FUZZY_EXPANSIONS`], the most frequent first);
    /// words that are indexed, phrases and words in n-gram scripts stay as typed. No retry when
    /// no word is misspelt (the words exist, just not together); none possible when a misspelt
    /// word has no close word (or the query has too many words to try).
    ///
    /// Searching the replacements as plain terms, scored like any other, costs a fraction of
    /// fuzzy term queries, which read every posting list within the distance of every word.
    fn fuzzy_plan(&self, searcher: &Searcher, parsed: &ParsedQuery) -> tantivy::Result<Retry> {
        let mut stemmer = self.stemmer.clone();
        let mut typed = Vec::new();
        let mut exact = Vec::new();
        for (part, item) in parsed.parts.iter().enumerate() {
            match item {
                Part::Word(word) if !needs_ngrams(word) => {
                    stemmer.token_stream(word).process(&mut |token| {
                        let chars = word
                            .get(token.offset_from..token.offset_to)
                            .map_or(0, |s| s.chars().count());
                        typed.push((part, token.text.clone(), fuzzy_distance(chars)));
                    });
                }
                Part::Word(text) | Part::Phrase(text) => exact.push(text.as_str()),
                Part::Exclude(_) | Part::Filter { .. } => {}
            }
        }
        let Some(vocabulary) = self.vocabulary(searcher) else {
            return Ok(Retry::AsTyped);
        };
        let misspelt = typed
            .iter()
            .any(|(_, stem, _)| !vocabulary.0.contains_key(stem));
        if !misspelt {
            return Ok(Retry::AsTyped);
        }
        if typed.len() > MAX_FUZZY_TERMS {
            return Ok(Retry::Hopeless);
        }
        let mut words = Vec::new();
        for (part, stem, distance) in typed {
            let word = if vocabulary.0.contains_key(&stem) {
                FuzzyWord {
                    part,
                    stems: vec![(stem, 0)],
                    corrected: false,
                }
            } else {
                let similar = self.similar_words(searcher, &stem, distance)?;
                if similar.is_empty() {
                    return Ok(Retry::Hopeless);
                }
                FuzzyWord {
                    part,
                    stems: similar,
                    corrected: true,
                }
            };
            words.push(word);
        }
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = words
            .iter()
            .map(|word| {
                let mut any: Vec<Box<dyn Query>> = Vec::new();
                for (stem, _) in &word.stems {
                    for (field, boost) in self.fields.weighted() {
                        let term = TermQuery::new(
                            Term::from_field_text(field, stem),
                            IndexRecordOption::WithFreqs,
                        );
                        any.push(Box::new(BoostQuery::new(Box::new(term), boost)));
                    }
                }
                let any: Box<dyn Query> = Box::new(AnyOf(any));
                (Occur::Must, any)
            })
            .collect();
        if !exact.is_empty() {
            clauses.push((Occur::Must, self.parse_text(&exact)));
        }
        Ok(Retry::Corrected(FuzzyPlan {
            query: Box::new(BooleanQuery::new(clauses)),
            words,
        }))
    }

    /// Every stem of the prose fields with its document count, built on first use (a zero-hit
    /// query with a word in no field) and kept with the index.
    fn vocabulary(&self, searcher: &Searcher) -> Option<&Vocabulary> {
        self.vocabulary
            .get_or_init(|| {
                Vocabulary::build(searcher, &self.fields)
                    .inspect_err(|error| {
                        tracing::warn!(%error, "no typo corrections: the vocabulary is unreadable");
                    })
                    .ok()
            })
            .as_ref()
    }

    /// The indexed stems closest to `stem`, within `max_distance` edits (a transposition is
    /// one): those at the smallest distance found, the most frequent first, at most
    /// [`MAX_FUZZY_EXPANSIONS`], each with its distance. A larger distance is tried only when
    /// a smaller one finds nothing, so the common one-letter slip costs one cheap automaton.
    fn similar_words(
        &self,
        searcher: &Searcher,
        stem: &str,
        max_distance: u8,
    ) -> tantivy::Result<Vec<(String, usize)>> {
        let key = (stem.to_owned(), max_distance);
        let memo = || {
            self.corrections
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
        };
        if let Some(found) = memo().get(&key) {
            return Ok(found.clone());
        }
        let found = self.walk_vocabulary(searcher, stem, max_distance)?;
        let mut memo = memo();
        if memo.len() >= CORRECTION_MEMO_WORDS {
            memo.clear();
        }
        memo.insert(key, found.clone());
        Ok(found)
    }

    /// [`SearchIndex::similar_words`], without the memo.
    fn walk_vocabulary(
        &self,
        searcher: &Searcher,
        stem: &str,
        max_distance: u8,
    ) -> tantivy::Result<Vec<(String, usize)>> {
        let Some(vocabulary) = self.vocabulary(searcher) else {
            return Ok(Vec::new());
        };
        for distance in 1..=max_distance {
            let term = Term::from_field_text(self.fields.text, stem);
            let automaton = FuzzyTermQuery::new(term, distance, true).automaton()?;
            let mut stream = vocabulary.0.search(&automaton).into_stream();
            let mut found: Vec<(usize, Reverse<u64>, String)> = Vec::new();
            while let Some((word, freq)) = stream.next() {
                if let Ok(word) = std::str::from_utf8(word) {
                    found.push((edit_distance(word, stem), Reverse(freq), word.to_owned()));
                }
            }
            found.sort();
            let closest = found.first().map(|(d, _, _)| *d);
            if closest.is_some() {
                return Ok(found
                    .into_iter()
                    .take_while(|(d, _, _)| Some(*d) == closest)
                    .take(MAX_FUZZY_EXPANSIONS)
                    .map(|(d, _, word)| (word, d))
                    .collect());
            }
        }
        Ok(Vec::new())
    }

    fn collect(
        &self,
        searcher: &Searcher,
        query: &dyn Query,
        ranking: Ranking,
        limit: usize,
        offset: usize,
    ) -> tantivy::Result<Page> {
        let facets = self.facet_tally();
        let top = TopDocs::with_limit(limit).and_offset(offset);
        let (docs, total, counts) = match ranking {
            Ranking::Score => searcher.search(query, &(top.order_by_score(), Count, facets))?,
            Ranking::SiteOrder => {
                let by_key = top.order_by_string_fast_field(SORT_KEY_FIELD, Order::Asc);
                let (docs, total, counts) = searcher.search(query, &(by_key, Count, facets))?;
                let docs = docs
                    .into_iter()
                    .map(|(_, address)| (0.0, address))
                    .collect();
                (docs, total, counts)
            }
        };
        Ok(Page {
            docs,
            total,
            counts,
        })
    }

    /// Loads the page of hits, makes their snippets (highlighting the terms of `highlight`) and
    /// reads the facet counts; `correction` is the fuzzy retry that found them, if any.
    fn outcome(
        &self,
        searcher: &Searcher,
        page: Page,
        filters: &Filters,
        parsed: &ParsedQuery,
        highlight: Option<&dyn Query>,
        correction: Option<&FuzzyPlan>,
    ) -> tantivy::Result<Outcome> {
        let docs = page
            .docs
            .iter()
            .map(|&(score, address)| Ok((score, self.shown(address)?)))
            .collect::<tantivy::Result<Vec<_>>>()?;
        let mut stemmer = self.stemmer.clone();
        let mut query_terms = self.query_terms(&mut stemmer, parsed);
        let snippets = highlight
            .map(|query| Snippets::for_query(searcher, query, self.fields.text))
            .transpose()?;
        let mut spellings = correction.map(|plan| {
            query_terms.stems.extend(plan.corrections());
            Spellings::new(plan)
        });
        let hits = docs
            .into_iter()
            .map(|(score, doc)| {
                let hit = Hit::parts(&doc, snippets.as_ref(), spellings.as_mut());
                self.hit(doc, hit, score, &mut stemmer, &query_terms)
            })
            .collect();
        Ok(Outcome {
            total: page.total,
            hits,
            facets: self.facets(&page.counts, filters),
            corrected: correction.is_some(),
            corrected_query: spellings.and_then(|s| s.suggestion(parsed)),
        })
    }

    /// What the hit at `address` shows.
    fn shown(&self, address: DocAddress) -> tantivy::Result<Shown> {
        let missing = || tantivy::TantivyError::InternalError("a unit is not stored".to_owned());
        let (at, len) = self
            .unit_columns
            .get(address.segment_ord as usize)
            .ok_or_else(missing)?;
        let stored = StoredAt {
            at: at.first(address.doc_id).ok_or_else(missing)?,
            len: len.first(address.doc_id).ok_or_else(missing)?,
        };
        self.units.get(stored)
    }

    /// Stems and n-gram-script words of the query, to decide which title to show.
    fn query_terms(&self, stemmer: &mut TextAnalyzer, parsed: &ParsedQuery) -> QueryTerms {
        let mut terms = QueryTerms::default();
        for text in parsed.positive() {
            stemmer.token_stream(text).process(&mut |token| {
                terms.stems.insert(token.text.clone());
            });
            terms.scripts.extend(
                text.split_whitespace()
                    .filter(|w| needs_ngrams(w))
                    .map(str::to_lowercase),
            );
        }
        terms
    }

    /// How many of the query's terms a title contains.
    fn overlap(stemmer: &mut TextAnalyzer, terms: &QueryTerms, title: &str) -> usize {
        let mut stems = BTreeSet::new();
        stemmer.token_stream(title).process(&mut |token| {
            if terms.stems.contains(&token.text) {
                stems.insert(token.text.clone());
            }
        });
        let lower = title.to_lowercase();
        stems.len()
            + terms
                .scripts
                .iter()
                .filter(|w| lower.contains(String::as_str(w)))
                .count()
    }

    fn hit(
        &self,
        doc: Shown,
        (snippet_text, highlights): (String, Vec<(usize, usize)>),
        score: Score,
        stemmer: &mut TextAnalyzer,
        terms: &QueryTerms,
    ) -> Hit {
        let local = !doc.original_title.is_empty()
            && Self::overlap(stemmer, terms, &doc.original_title)
                > Self::overlap(stemmer, terms, &doc.title);
        let (title, lang) = if local {
            (doc.original_title, non_empty(doc.original_lang))
        } else {
            (doc.title, None)
        };
        Hit {
            title,
            breadcrumb: doc.breadcrumb,
            url: doc.url,
            kind: doc.kind,
            jurisdiction: non_empty(doc.jurisdiction),
            snippet_html: mark(&snippet_text, &highlights),
            snippet_text,
            highlights,
            score,
            lang,
        }
    }

    fn facet_tally(&self) -> FacetTally<'_> {
        FacetTally {
            places: self.place_facets.len(),
            columns: &self.facet_columns,
        }
    }

    /// The count of each value (by [`FacetValues`] index) of one facet.
    fn facet_counts(&self, tally: &Tally, key: FilterKey, values: usize) -> Vec<u64> {
        if let Some(packed) = UnitFacets::KEYS.iter().position(|k| *k == key) {
            // Index plus one in the code.
            return tally.unit[packed].iter().skip(1).copied().collect();
        }
        let mut counts = vec![0; values];
        let places = self.place_facets.iter().zip(tally.places.iter().skip(1));
        for ((region, groupings), &count) in places.filter(|(_, count)| **count > 0) {
            let indices = match key {
                FilterKey::Region => region.as_slice(),
                FilterKey::Grouping => groupings.as_slice(),
                _ => &[],
            };
            for &index in indices {
                if let Some(sum) = counts.get_mut(index) {
                    *sum += count;
                }
            }
        }
        counts
    }

    fn facets(&self, tally: &Tally, filters: &Filters) -> Vec<Facet> {
        FACETS
            .iter()
            .map(|&(key, name, label)| {
                let names = FacetValues::of(key, &self.labels);
                let counts = self.facet_counts(tally, key, names.0.len());
                let mut values: Vec<FacetValue> = names
                    .0
                    .iter()
                    .zip(counts)
                    .filter(|(_, count)| *count > 0)
                    .map(|(value, count)| FacetValue {
                        key: (*value).to_owned(),
                        label: self.labels.label(key, value),
                        count,
                        selected: filters.is_selected(key, value),
                    })
                    .collect();
                // A selected value that matches nothing stays listed, so it can be unselected.
                for value in filters.selected(key) {
                    if !values.iter().any(|v| v.key == *value) {
                        values.push(FacetValue {
                            key: value.clone(),
                            label: self.labels.label(key, value),
                            count: 0,
                            selected: true,
                        });
                    }
                }
                values.sort_by(|a, b| {
                    key.rank(&a.key)
                        .cmp(&key.rank(&b.key))
                        .then_with(|| b.count.cmp(&a.count))
                        .then_with(|| a.label.cmp(&b.label))
                });
                Facet {
                    name: name.to_owned(),
                    label: label.to_owned(),
                    values,
                }
            })
            .collect()
    }
}

/// The tokens of `text` with their positions.
fn tokens(analyzer: &mut TextAnalyzer, text: &str) -> Vec<(usize, String)> {
    let mut tokens = Vec::new();
    analyzer.token_stream(text).process(&mut |token| {
        tokens.push((token.position, token.text.clone()));
    });
    tokens
}

/// The query for a literal's tokens in one field: none without tokens, a term query for one, a
/// phrase query for more.
fn literal_query(field: Field, tokens: &[(usize, String)]) -> Option<Box<dyn Query>> {
    match tokens {
        [] => None,
        [(_, token)] => Some(Box::new(TermQuery::new(
            Term::from_field_text(field, token),
            IndexRecordOption::WithFreqs,
        ))),
        _ => {
            let terms = tokens
                .iter()
                .map(|(position, token)| (*position, Term::from_field_text(field, token)))
                .collect();
            Some(Box::new(PhraseQuery::new_with_offset_and_slop(terms, 0)))
        }
    }
}

fn with_clauses(base: Box<dyn Query>, clauses: Vec<(Occur, Box<dyn Query>)>) -> Box<dyn Query> {
    if clauses.is_empty() {
        return base;
    }
    let mut all = vec![(Occur::Must, base)];
    all.extend(clauses);
    Box::new(BooleanQuery::new(all))
}

/// Documents matching any of the queries, scored by the sum of the scores of those that match:
/// what a `BooleanQuery` of `Should` clauses finds and scores, with a cheaper scorer where it is
/// one side of an intersection (each word of a query is a union over five fields).
///
/// tantivy's union buffers a window of 4,096 documents, 64 KB allocated for each segment and
/// cleared on every seek past the window, which a union inside an intersection mostly does: at
/// 10,000 entries that was a fifth of the server's time on the cache-hostile stream. This one
/// moves each clause's scorer (a handful) to the target instead.
#[derive(Debug)]
struct AnyOf(Vec<Box<dyn Query>>);

impl Clone for AnyOf {
    fn clone(&self) -> AnyOf {
        AnyOf(self.0.iter().map(|q| q.box_clone()).collect())
    }
}

impl Query for AnyOf {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let weights = self
            .0
            .iter()
            .map(|q| q.weight(enable_scoring))
            .collect::<tantivy::Result<_>>()?;
        Ok(Box::new(AnyOfWeight(weights)))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for query in &self.0 {
            query.query_terms(visitor);
        }
    }
}

struct AnyOfWeight(Vec<Box<dyn Weight>>);

impl Weight for AnyOfWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let mut scorers = Vec::with_capacity(self.0.len());
        for weight in &self.0 {
            let scorer = weight.scorer(reader, boost)?;
            if scorer.doc() != TERMINATED {
                scorers.push(scorer);
            }
        }
        if scorers.len() <= 1 {
            return Ok(scorers
                .pop()
                .unwrap_or_else(|| Box::new(tantivy::query::EmptyScorer)));
        }
        Ok(Box::new(AnyOfScorer::new(scorers)))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let matched: Vec<Explanation> = self
            .0
            .iter()
            .filter_map(|w| w.explain(reader, doc).ok())
            .collect();
        if matched.is_empty() {
            return Err(tantivy::TantivyError::InvalidArgument(format!(
                "document {doc} does not match"
            )));
        }
        let score = matched.iter().map(Explanation::value).sum();
        let mut explanation = Explanation::new("AnyOf, sum of", score);
        for detail in matched {
            explanation.add_detail(detail);
        }
        Ok(explanation)
    }
}

/// The union of two or more scorers, positioned on the smallest of their documents.
struct AnyOfScorer {
    scorers: Vec<Box<dyn Scorer>>,
    /// The document of each scorer (kept here: asking through the box costs a call each time).
    docs: Vec<DocId>,
    doc: DocId,
}

impl AnyOfScorer {
    fn new(scorers: Vec<Box<dyn Scorer>>) -> AnyOfScorer {
        let docs: Vec<DocId> = scorers.iter().map(|s| s.doc()).collect();
        let doc = docs.iter().copied().min().unwrap_or(TERMINATED);
        AnyOfScorer { scorers, docs, doc }
    }
}

impl DocSet for AnyOfScorer {
    fn advance(&mut self) -> DocId {
        let current = self.doc;
        let mut next = TERMINATED;
        for (scorer, doc) in self.scorers.iter_mut().zip(&mut self.docs) {
            if *doc == current {
                *doc = scorer.advance();
            }
            next = next.min(*doc);
        }
        self.doc = next;
        next
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc >= target {
            return self.doc;
        }
        let mut next = TERMINATED;
        for (scorer, doc) in self.scorers.iter_mut().zip(&mut self.docs) {
            if *doc < target {
                *doc = scorer.seek(target);
            }
            next = next.min(*doc);
        }
        self.doc = next;
        next
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        self.scorers
            .iter()
            .fold(0u32, |sum, s| sum.saturating_add(s.size_hint()))
    }
}

impl Scorer for AnyOfScorer {
    // In clause order, as tantivy's union adds them.
    fn score(&mut self) -> Score {
        let current = self.doc;
        let mut score = 0.0;
        for (scorer, doc) in self.scorers.iter_mut().zip(&self.docs) {
            if *doc == current {
                score += scorer.score();
            }
        }
        score
    }
}

/// Wraps an excluded query so that its scorer is only ever moved forward.
///
/// An exclusion probes its scorer with each candidate document and ignores the lower bounds that
/// `seek_danger` returns, so a probe can land behind a phrase scorer's current document. tantivy
/// 0.27's `PhraseScorer::seek_danger` asserts against that in debug builds (see
/// quickwit-oss/tantivy#2811), so `-"a phrase"` would panic in a debug server. Here every probe
/// becomes a guarded `seek`, which never moves backwards.
#[derive(Debug)]
struct ForwardOnly(Box<dyn Query>);

impl Clone for ForwardOnly {
    fn clone(&self) -> ForwardOnly {
        ForwardOnly(self.0.box_clone())
    }
}

impl Query for ForwardOnly {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(ForwardOnlyWeight(self.0.weight(enable_scoring)?)))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.0.query_terms(visitor);
    }
}

struct ForwardOnlyWeight(Box<dyn Weight>);

impl Weight for ForwardOnlyWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(Box::new(ForwardOnlyScorer(self.0.scorer(reader, boost)?)))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        self.0.explain(reader, doc)
    }
}

struct ForwardOnlyScorer(Box<dyn Scorer>);

impl DocSet for ForwardOnlyScorer {
    fn advance(&mut self) -> DocId {
        self.0.advance()
    }

    // The default `seek_danger` calls this, so the inner scorer never sees a danger-zone seek.
    fn seek(&mut self, target: DocId) -> DocId {
        let doc = self.0.doc();
        if doc >= target {
            doc
        } else {
            self.0.seek(target)
        }
    }

    fn doc(&self) -> DocId {
        self.0.doc()
    }

    fn size_hint(&self) -> u32 {
        self.0.size_hint()
    }
}

impl Scorer for ForwardOnlyScorer {
    fn score(&mut self) -> Score {
        self.0.score()
    }
}

#[derive(Default)]
struct Outcome {
    total: usize,
    hits: Vec<Hit>,
    facets: Vec<Facet>,
    corrected: bool,
    corrected_query: Option<String>,
}

struct Page {
    docs: Vec<(Score, DocAddress)>,
    total: usize,
    counts: Tally,
}

impl Page {
    /// No hits.
    fn empty(tally: &FacetTally) -> Page {
        Page {
            docs: Vec::new(),
            total: 0,
            counts: tally.empty(),
        }
    }
}

enum Ranking {
    Score,
    /// Site order: jurisdictions by name, then their parts in page order (see [`SortKey`]).
    SiteOrder,
}

impl Hit {
    /// The snippet of a hit and its highlights; the spellings of corrected words in its titles
    /// and text go to `spellings`, in the same pass over the text as the snippet.
    fn parts(
        doc: &Shown,
        snippets: Option<&Snippets>,
        mut spellings: Option<&mut Spellings>,
    ) -> (String, Vec<(usize, usize)>) {
        if let Some(spellings) = spellings.as_deref_mut() {
            spellings.scan(&doc.title);
            spellings.scan(&doc.original_title);
        }
        let Some(snippets) = snippets else {
            return (text_start(&doc.text), Vec::new());
        };
        snippets.snippet(&doc.text, |range, stem| {
            if let Some(spellings) = spellings.as_deref_mut() {
                spellings.observe(&doc.text, range, stem);
            }
        })
    }
}

/// How the words that replaced misspelt ones are spelt in the hits, for `corrected_query`.
struct Spellings<'p> {
    /// Replacement stem → (its query word's index in [`ParsedQuery::parts`], edit distance).
    wanted: HashMap<&'p str, (usize, usize)>,
    starts: StemStarts,
    /// Per query word: each spelling found, with its edit distance and how often it occurs.
    found: BTreeMap<usize, BTreeMap<String, (usize, usize)>>,
}

impl<'p> Spellings<'p> {
    /// Words of one token only: a word of several tokens is kept as typed.
    fn new(plan: &'p FuzzyPlan) -> Spellings<'p> {
        let mut wanted = HashMap::new();
        for word in plan.words.iter().filter(|w| w.corrected) {
            if plan.words.iter().filter(|w| w.part == word.part).count() == 1 {
                for (stem, distance) in &word.stems {
                    wanted.insert(stem.as_str(), (word.part, *distance));
                }
            }
        }
        Spellings {
            starts: StemStarts::of(wanted.keys().copied()),
            wanted,
            found: BTreeMap::new(),
        }
    }

    fn scan(&mut self, text: &str) {
        let Spellings {
            wanted,
            starts,
            found,
        } = self;
        scan_words(text, starts, |range, stem| {
            if let Some(stem) = stem {
                Self::note(wanted, found, text, range, stem);
            }
        });
    }

    /// Notes the word of `text` at `range`, stemmed `stem`, if it is a replacement.
    fn observe(&mut self, text: &str, range: Range<usize>, stem: &str) {
        Self::note(&self.wanted, &mut self.found, text, range, stem);
    }

    /// [`Spellings::observe`], on the fields it uses.
    fn note(
        wanted: &HashMap<&'p str, (usize, usize)>,
        found: &mut BTreeMap<usize, BTreeMap<String, (usize, usize)>>,
        text: &str,
        range: Range<usize>,
        stem: &str,
    ) {
        let Some(&(part, distance)) = wanted.get(stem) else {
            return;
        };
        if let Some(spelling) = text.get(range) {
            let seen = found
                .entry(part)
                .or_default()
                .entry(spelling.to_lowercase())
                .or_insert((distance, 0));
            seen.1 += 1;
        }
    }

    /// The query rewritten with, for each corrected word, its spelling in the hits: the
    /// closest, then the most frequent; `None` if that is the query as typed.
    fn suggestion(self, parsed: &ParsedQuery) -> Option<String> {
        let replacements: HashMap<usize, String> = self
            .found
            .into_iter()
            .filter_map(|(part, found)| {
                found
                    .into_iter()
                    .min_by(|a, b| (a.1.0, b.1.1, &a.0).cmp(&(b.1.0, a.1.1, &b.0)))
                    .map(|(spelling, _)| (part, spelling))
            })
            .collect();
        let rewritten = parsed.render(&replacements);
        (rewritten.to_lowercase() != parsed.render(&HashMap::new()).to_lowercase())
            .then_some(rewritten)
    }
}

/// What the typo retry makes of a query's plain words.
enum Retry {
    /// Every word is indexed: search as typed.
    AsTyped,
    /// A word is in no prose field and cannot be corrected: nothing can match.
    Hopeless,
    /// The misspelt words replaced by the closest indexed ones.
    Corrected(FuzzyPlan),
}

/// The fuzzy retry of a zero-hit query.
struct FuzzyPlan {
    query: Box<dyn Query>,
    words: Vec<FuzzyWord>,
}

impl FuzzyPlan {
    /// The stems that replaced misspelt words.
    fn corrections(&self) -> impl Iterator<Item = String> + '_ {
        self.words
            .iter()
            .filter(|w| w.corrected)
            .flat_map(|w| w.stems.iter().map(|(stem, _)| stem.clone()))
    }
}

/// One stemmed token of a query word in a fuzzy retry.
struct FuzzyWord {
    /// Index of the word in [`ParsedQuery::parts`].
    part: usize,
    /// The stems searched, each with its edit distance from the typed stem.
    stems: Vec<(String, usize)>,
    /// The typed stem is in no prose field; `stems` are the closest indexed ones.
    corrected: bool,
}

/// Every stem of the prose fields with the number of documents holding it in any of them: one
/// automaton walk over it finds the words close to a misspelt one, instead of one walk per field
/// and segment.
struct Vocabulary(tantivy_fst::Map<Vec<u8>>);

impl Vocabulary {
    fn build(searcher: &Searcher, fields: &Fields) -> tantivy::Result<Vocabulary> {
        let mut counts: BTreeMap<Vec<u8>, u64> = BTreeMap::new();
        for (field, _) in fields.weighted() {
            for segment in searcher.segment_readers() {
                let index = segment.inverted_index(field)?;
                let mut terms = index.terms().stream()?;
                while terms.advance() {
                    *counts.entry(terms.key().to_vec()).or_default() +=
                        u64::from(terms.value().doc_freq);
                }
            }
        }
        tantivy_fst::Map::from_iter(counts)
            .map(Vocabulary)
            .map_err(|error| tantivy::TantivyError::InternalError(error.to_string()))
    }
}

/// How the words that can stem to one of a set of stems start, so that the others, most words
/// of a text, are neither lower-cased nor stemmed.
///
/// English stemming keeps a word's first two letters (lower-cased), with one exception: a
/// consonant, `y` and `ing` ("dying", "lying") stems to the consonant and `ie`. So a word can
/// stem to a stem of two bytes or more only if it starts with the stem's first byte and then
/// its second, or `y` where that is `i`. A stem of one byte, or one whose second byte is not
/// ASCII, is matched on its first byte alone; a word that does not start with two ASCII bytes
/// is always stemmed. A test holds the stemmer to this on every word of the shipped content and
/// the shared legal texts.
struct StemStarts {
    /// By first byte: some stem starts with it.
    first: [bool; 256],
    /// By first byte: a stem starting with it is matched on that byte alone.
    any_second: [bool; 256],
    /// The first two bytes a word may start with, for the other stems.
    pairs: Vec<[u8; 2]>,
}

impl StemStarts {
    fn of<'a>(stems: impl IntoIterator<Item = &'a str>) -> StemStarts {
        let mut starts = StemStarts {
            first: [false; 256],
            any_second: [false; 256],
            pairs: Vec::new(),
        };
        for stem in stems {
            let bytes = stem.as_bytes();
            let Some(&first) = bytes.first() else {
                continue;
            };
            starts.first[usize::from(first)] = true;
            match bytes.get(1) {
                Some(&second) if second.is_ascii() => {
                    starts.pairs.push([first, second]);
                    if second == b'i' {
                        starts.pairs.push([first, b'y']);
                    }
                }
                _ => starts.any_second[usize::from(first)] = true,
            }
        }
        starts
    }

    /// Whether some stem starts with this lower-cased byte.
    fn has_first(&self, byte: u8) -> bool {
        self.first[usize::from(byte)]
    }

    /// Whether `word` (not lower-cased) may stem to one of the stems.
    fn admits(&self, word: &[u8]) -> bool {
        let Some(&first) = word.first() else {
            return false;
        };
        if !first.is_ascii() {
            return true;
        }
        let first = first.to_ascii_lowercase();
        if !self.has_first(first) {
            return false;
        }
        if self.any_second[usize::from(first)] {
            return true;
        }
        match word.get(1) {
            Some(&second) if second.is_ascii() => {
                self.pairs.contains(&[first, second.to_ascii_lowercase()])
            }
            Some(_) => true,
            None => false,
        }
    }
}

/// Calls `f` with the byte range of every word of `text`, as the prose analyzer splits it (runs
/// of alphanumeric characters shorter than [`MAX_TOKEN_BYTES`]), and with its stem when `starts`
/// admits the word.
///
/// This is the analyzer's job done on bytes: on a long section it took a fifth of a search.
fn scan_words(text: &str, starts: &StemStarts, mut f: impl FnMut(Range<usize>, Option<&str>)) {
    let bytes = text.as_bytes();
    // Whether the character at a byte offset (a character boundary) is alphanumeric, its width.
    let char_at = |at: usize| {
        let c = text.get(at..).and_then(|t| t.chars().next()).unwrap_or(' ');
        (c.is_alphanumeric(), c.len_utf8())
    };
    let mut word = String::new();
    let mut at = 0;
    while at < bytes.len() {
        let b = bytes[at];
        if b.is_ascii() {
            if !b.is_ascii_alphanumeric() {
                at += 1;
                continue;
            }
        } else {
            let (alphanumeric, width) = char_at(at);
            if !alphanumeric {
                at += width;
                continue;
            }
        }
        let start = at;
        let mut unicode = false;
        while let Some(&b) = bytes.get(at) {
            if b.is_ascii() {
                if !b.is_ascii_alphanumeric() {
                    break;
                }
                at += 1;
            } else {
                let (alphanumeric, width) = char_at(at);
                if !alphanumeric {
                    break;
                }
                unicode = true;
                at += width;
            }
        }
        if at - start >= MAX_TOKEN_BYTES {
            continue;
        }
        if !starts.admits(&bytes[start..at]) {
            f(start..at, None);
            continue;
        }
        word.clear();
        if unicode {
            word.extend(text[start..at].chars().flat_map(char::to_lowercase));
        } else {
            word.push_str(&text[start..at]);
            word.make_ascii_lowercase();
        }
        stem_in_place(&mut word);
        f(start..at, Some(&word));
    }
}

/// Snippets for one query: the best fragment of a text, found as tantivy's `SnippetGenerator`
/// finds it (the same fragments and scores: a stem weighs `1 / (1 + doc freq)`, the first best
/// fragment wins), but stemming only the words that could match.
struct Snippets {
    terms: Vec<(String, Score)>,
    starts: StemStarts,
}

/// A window of at most [`SNIPPET_CHARS`] bytes of a text, and the matches in it.
struct Fragment {
    score: Score,
    range: Range<usize>,
    highlights: Vec<Range<usize>>,
}

impl Fragment {
    fn at(start: usize) -> Fragment {
        Fragment {
            score: 0.0,
            range: start..start,
            highlights: Vec::new(),
        }
    }

    /// Keeps this fragment in `best` if it scores higher.
    fn offer(self, best: &mut Option<Fragment>) {
        if self.score > 0.0 && best.as_ref().is_none_or(|b| self.score > b.score) {
            *best = Some(self);
        }
    }
}

impl Snippets {
    /// Highlights the terms `query` has in `field`.
    fn for_query(
        searcher: &Searcher,
        query: &dyn Query,
        field: Field,
    ) -> tantivy::Result<Snippets> {
        let mut in_field: BTreeSet<&Term> = BTreeSet::new();
        query.query_terms(&mut |term, _| {
            if term.field() == field {
                in_field.insert(term);
            }
        });
        let mut terms = Vec::new();
        for term in in_field {
            let value = term.value();
            let Some(text) = value.as_str() else {
                continue;
            };
            let doc_freq = searcher.doc_freq(term)?;
            if doc_freq > 0 {
                terms.push((text.to_owned(), 1.0 / (1.0 + doc_freq as Score)));
            }
        }
        Ok(Snippets {
            starts: StemStarts::of(terms.iter().map(|(t, _)| t.as_str())),
            terms,
        })
    }

    /// The best fragment of `text` with its highlights (byte ranges), or the start of `text`
    /// when nothing matched; `observe` sees each word that could match, with its stem.
    fn snippet(
        &self,
        text: &str,
        observe: impl FnMut(Range<usize>, &str),
    ) -> (String, Vec<(usize, usize)>) {
        let Some(fragment) = self.best_fragment(text, observe) else {
            return (text_start(text), Vec::new());
        };
        // Fragments start and end on words; keep what is left on either side when it is only
        // punctuation, and mark a cut with an ellipsis otherwise.
        let range = fragment.range;
        let head = text.get(..range.start).unwrap_or("");
        let tail = text.get(range.end..).unwrap_or("");
        let wordless = |s: &str| s.len() <= 8 && !s.chars().any(char::is_alphanumeric);
        let before = if wordless(head) { head } else { "… " };
        let after = if wordless(tail) { tail } else { " …" };
        let shift = before.len();
        let highlights = collapse_overlapped_ranges(&fragment.highlights)
            .into_iter()
            .map(|r| (r.start - range.start + shift, r.end - range.start + shift))
            .collect();
        let body = text.get(range).unwrap_or("");
        (format!("{before}{body}{after}"), highlights)
    }

    fn best_fragment(
        &self,
        text: &str,
        observe: impl FnMut(Range<usize>, &str),
    ) -> Option<Fragment> {
        if text.is_ascii() {
            self.best_ascii_fragment(text, observe)
        } else {
            self.best_fragment_by_words(text, observe)
        }
    }

    /// [`Snippets::best_fragment`] going through every word.
    fn best_fragment_by_words(
        &self,
        text: &str,
        mut observe: impl FnMut(Range<usize>, &str),
    ) -> Option<Fragment> {
        let mut best = None;
        let mut current = Fragment::at(0);
        scan_words(text, &self.starts, |range, stem| {
            if range.end - current.range.start > SNIPPET_CHARS {
                std::mem::replace(&mut current, Fragment::at(range.start)).offer(&mut best);
            }
            current.range.end = range.end;
            if let Some(stem) = stem {
                observe(range.clone(), stem);
            }
            let weight = stem.and_then(|stem| self.terms.iter().find(|(t, _)| t == stem));
            if let Some((_, weight)) = weight {
                current.score += weight;
                current.highlights.push(range);
            }
        });
        current.offer(&mut best);
        best
    }

    /// [`Snippets::best_fragment`] for an ASCII text, which most are: the words that could match
    /// are found by searching for their first letters (memchr), only those with the right second
    /// letter too (see [`StemStarts`]) are lower-cased and stemmed, and fragments are then laid out
    /// only from the words at their boundaries, so most of the text is never split into words.
    /// The fragments are those of the word-by-word walk (a test compares them).
    fn best_ascii_fragment(
        &self,
        text: &str,
        mut observe: impl FnMut(Range<usize>, &str),
    ) -> Option<Fragment> {
        let bytes = text.as_bytes();
        let mut needles: Vec<u8> = (0..=u8::MAX)
            .filter(|&b| self.starts.has_first(b) && b.is_ascii_alphanumeric())
            .flat_map(|b| [b, b.to_ascii_uppercase()])
            .collect();
        needles.dedup();
        let mut starts = Vec::new();
        let word_start = |&at: &usize| at == 0 || !bytes[at - 1].is_ascii_alphanumeric();
        for group in needles.chunks(3) {
            match *group {
                [a] => starts.extend(memchr::memchr_iter(a, bytes).filter(word_start)),
                [a, b] => starts.extend(memchr::memchr2_iter(a, b, bytes).filter(word_start)),
                [a, b, c] => starts.extend(memchr::memchr3_iter(a, b, c, bytes).filter(word_start)),
                _ => {}
            }
        }
        starts.sort_unstable();
        let mut matches = Vec::new();
        let mut word = String::new();
        for start in starts {
            let end = ascii_word_end(bytes, start);
            if end - start >= MAX_TOKEN_BYTES || !self.starts.admits(&bytes[start..end]) {
                continue;
            }
            word.clear();
            word.push_str(&text[start..end]);
            word.make_ascii_lowercase();
            stem_in_place(&mut word);
            observe(start..end, &word);
            if let Some((_, weight)) = self.terms.iter().find(|(t, _)| *t == word) {
                matches.push((start..end, *weight));
            }
        }
        let mut matches = matches.into_iter().peekable();
        matches.peek()?;
        let mut best = None;
        // Fragment `k` starts at `start` (0 for the first) and holds the words that start
        // before the next one, which starts at the first word ending more than SNIPPET_CHARS
        // bytes after `start`.
        let mut start = 0;
        while matches.peek().is_some() {
            let next = ascii_word_ending_after(bytes, start + SNIPPET_CHARS);
            let limit = next.as_ref().map_or(bytes.len(), |w| w.start);
            let mut fragment = Fragment::at(start);
            while let Some((range, weight)) = matches.next_if(|(r, _)| r.start < limit) {
                fragment.score += weight;
                fragment.highlights.push(range);
            }
            if !fragment.highlights.is_empty() {
                fragment.range.end = ascii_last_word_end_before(bytes, limit).unwrap_or(start);
                fragment.offer(&mut best);
            }
            match next {
                Some(word) => start = word.start,
                None => break,
            }
        }
        best
    }
}

/// The end of the ASCII alphanumeric run starting at `start`.
fn ascii_word_end(bytes: &[u8], start: usize) -> usize {
    bytes[start..]
        .iter()
        .position(|b| !b.is_ascii_alphanumeric())
        .map_or(bytes.len(), |n| start + n)
}

/// The first word (shorter than [`MAX_TOKEN_BYTES`]) of an ASCII text that ends after byte
/// `after`, i.e. covers it or starts after it.
fn ascii_word_ending_after(bytes: &[u8], after: usize) -> Option<Range<usize>> {
    let mut at = after.min(bytes.len());
    // Back to the start of the word covering `after`, if one does.
    while at > 0
        && at < bytes.len()
        && bytes[at].is_ascii_alphanumeric()
        && bytes[at - 1].is_ascii_alphanumeric()
    {
        at -= 1;
    }
    loop {
        let start = at
            + bytes
                .get(at..)?
                .iter()
                .position(u8::is_ascii_alphanumeric)?;
        let end = ascii_word_end(bytes, start);
        if end > after && end - start < MAX_TOKEN_BYTES {
            return Some(start..end);
        }
        at = end;
    }
}

/// The end of the last word (shorter than [`MAX_TOKEN_BYTES`]) starting before `limit`.
fn ascii_last_word_end_before(bytes: &[u8], limit: usize) -> Option<usize> {
    let mut at = limit.min(bytes.len());
    loop {
        // Back over separators to the end of the previous word, then to its start.
        while at > 0 && !bytes[at - 1].is_ascii_alphanumeric() {
            at -= 1;
        }
        if at == 0 {
            return None;
        }
        let end = at;
        while at > 0 && bytes[at - 1].is_ascii_alphanumeric() {
            at -= 1;
        }
        if end - at < MAX_TOKEN_BYTES {
            return Some(end);
        }
    }
}

#[derive(Default)]
struct QueryTerms {
    stems: BTreeSet<String>,
    scripts: Vec<String>,
}

/// Edits allowed for a word of this many characters: none for very short words, which would
/// match almost anything.
fn fuzzy_distance(chars: usize) -> u8 {
    match chars {
        0..=2 => 0,
        3..=7 => 1,
        _ => 2,
    }
}

/// Optimal string alignment distance: edits where swapping two neighbours counts as one.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = Vec::new();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut next = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (row[j] + 1).min(next[j - 1] + 1).min(row[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(previous[j - 2] + 1);
            }
            next[j] = best;
        }
        previous = std::mem::replace(&mut row, next);
    }
    row[b.len()]
}

/// True for scripts written without spaces between words, or poorly split by the default
/// tokenizer (which splits words at vowel signs and viramas): Thai, Lao, Myanmar, Khmer, CJK,
/// Hangul, Arabic (and Urdu), Devanagari and the other Indic scripts, Bengali and Sinhala included.
fn needs_ngrams(text: &str) -> bool {
    text.chars().any(|c| {
        matches!(u32::from(c),
            0x0600..=0x06FF | 0x0750..=0x077F | 0x08A0..=0x08FF | 0xFB50..=0xFDFF | 0xFE70..=0xFEFF // Arabic
            | 0x0900..=0x097F | 0xA8E0..=0xA8FF // Devanagari
            | 0x0980..=0x0DFF // Bengali, Gurmukhi, Gujarati, Oriya, Tamil, Telugu, Kannada, Malayalam, Sinhala
            | 0x0E00..=0x0EFF // Thai, Lao
            | 0x1000..=0x109F | 0xA9E0..=0xA9FF | 0xAA60..=0xAA7F // Myanmar
            | 0x1780..=0x17FF | 0x19E0..=0x19FF // Khmer
            | 0x1100..=0x11FF | 0x3130..=0x318F | 0xAC00..=0xD7AF // Hangul
            | 0x2E80..=0x2FDF | 0x3040..=0x30FF | 0x3100..=0x312F | 0x3400..=0x4DBF
            | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x3134F // CJK, kana
        )
    })
}

/// Cuts the query to [`MAX_QUERY_BYTES`] at a character boundary (and before a word the cut would
/// split), turns control whitespace into spaces and drops other control characters.
fn clean_query(q: &str) -> String {
    let mut end = q.len().min(MAX_QUERY_BYTES);
    while !q.is_char_boundary(end) {
        end -= 1;
    }
    let mut kept = &q[..end];
    if q[end..].starts_with(|c: char| !c.is_whitespace())
        && let Some(space) = kept.rfind(char::is_whitespace)
    {
        kept = &kept[..space];
    }
    let cleaned: String = kept
        .chars()
        .filter_map(|c| match c {
            c if c.is_whitespace() => Some(' '),
            c if c.is_control() => None,
            c => Some(c),
        })
        .collect();
    cleaned.trim().to_owned()
}

/// The user's query split into words, phrases, exclusions and filters.
#[derive(Debug, PartialEq)]
struct ParsedQuery {
    parts: Vec<Part>,
}

#[derive(Debug, PartialEq)]
enum Part {
    Word(String),
    Phrase(String),
    Exclude(String),
    Filter {
        key: FilterKey,
        value: String,
        negated: bool,
    },
}

impl ParsedQuery {
    fn parse(text: &str) -> ParsedQuery {
        let mut parts = Vec::new();
        let mut rest = text;
        loop {
            rest = rest.trim_start();
            if rest.is_empty() {
                break;
            }
            let (negated, body) = match rest.strip_prefix('-') {
                Some(body) if !body.is_empty() && !body.starts_with(char::is_whitespace) => {
                    (true, body)
                }
                _ => (false, rest),
            };
            if let Some(inner) = body.strip_prefix('"') {
                let (phrase, after) = match inner.find('"') {
                    Some(at) => (&inner[..at], &inner[at + 1..]),
                    None => (inner, ""),
                };
                push_text(&mut parts, phrase.trim(), negated, true);
                rest = after;
                continue;
            }
            let end = body
                .find(|c: char| c.is_whitespace() || c == '"')
                .unwrap_or(body.len());
            let token = &body[..end];
            rest = &body[end..];
            let filter = token.split_once(':').and_then(|(prefix, value)| {
                let key = FilterKey::from_prefix(prefix)?;
                value
                    .chars()
                    .any(char::is_alphanumeric)
                    .then_some((key, value))
            });
            match filter {
                Some((key, value)) => parts.push(Part::Filter {
                    key,
                    value: value.to_owned(),
                    negated,
                }),
                // Unknown `name:` prefixes and stray colons: plain words.
                None => {
                    for word in token.split(':') {
                        push_text(&mut parts, word, negated, false);
                    }
                }
            }
        }
        ParsedQuery { parts }
    }

    /// Words and phrases that must match.
    fn positive(&self) -> impl Iterator<Item = &str> {
        self.parts.iter().filter_map(|part| match part {
            Part::Word(text) | Part::Phrase(text) => Some(text.as_str()),
            _ => None,
        })
    }

    fn exclusions(&self) -> impl Iterator<Item = &str> {
        self.parts.iter().filter_map(|part| match part {
            Part::Exclude(text) => Some(text.as_str()),
            _ => None,
        })
    }

    /// The query written back, with some words replaced (by their index in `parts`).
    fn render(&self, replacements: &HashMap<usize, String>) -> String {
        let rendered: Vec<String> = self
            .parts
            .iter()
            .enumerate()
            .map(|(i, part)| match part {
                Part::Word(word) => replacements.get(&i).unwrap_or(word).clone(),
                Part::Phrase(phrase) => format!("\"{phrase}\""),
                Part::Exclude(text) if text.contains(' ') => format!("-\"{text}\""),
                Part::Exclude(text) => format!("-{text}"),
                Part::Filter {
                    key,
                    value,
                    negated,
                } => format!("{}{}:{value}", if *negated { "-" } else { "" }, key.name()),
            })
            .collect();
        rendered.join(" ")
    }
}

/// Adds a word or phrase unless it has nothing searchable in it (`*`, `((`, a lone `-`).
fn push_text(parts: &mut Vec<Part>, text: &str, negated: bool, quoted: bool) {
    if !text.chars().any(char::is_alphanumeric) {
        return;
    }
    let text = text.to_owned();
    parts.push(match (negated, quoted) {
        (true, _) => Part::Exclude(text),
        (false, true) => Part::Phrase(text),
        (false, false) => Part::Word(text),
    });
}

/// Active filters: values of one key are alternatives, different keys must all hold.
#[derive(Debug, Default)]
struct Filters {
    include: BTreeMap<FilterKey, BTreeSet<String>>,
    exclude: Vec<(FilterKey, String)>,
}

impl Filters {
    /// The request's own filter fields plus those in the query; either may list values with commas.
    fn new(request: &SearchRequest, parsed: &ParsedQuery) -> Filters {
        let mut filters = Filters::default();
        let fields = [
            (FilterKey::Region, &request.region),
            (FilterKey::Grouping, &request.grouping),
            (FilterKey::Kind, &request.kind),
            (FilterKey::Value, &request.value),
            (FilterKey::AuthorityType, &request.authority_type),
            (FilterKey::Jurisdiction, &request.jurisdiction),
        ];
        for (key, value) in fields {
            if let Some(value) = value {
                filters.add(key, value, false);
            }
        }
        for part in &parsed.parts {
            if let Part::Filter {
                key,
                value,
                negated,
            } = part
            {
                filters.add(*key, value, *negated);
            }
        }
        filters
    }

    /// Adds one value, or several separated by commas.
    fn add(&mut self, key: FilterKey, values: &str, negated: bool) {
        for value in values.split(',').map(|v| key.normalize(v)) {
            if value.is_empty() {
                continue;
            }
            if negated {
                self.exclude.push((key, value));
            } else {
                self.include.entry(key).or_default().insert(value);
            }
        }
    }

    fn is_empty(&self) -> bool {
        self.include.is_empty() && self.exclude.is_empty()
    }

    fn selected(&self, key: FilterKey) -> impl Iterator<Item = &String> {
        self.include.get(&key).into_iter().flatten()
    }

    fn is_selected(&self, key: FilterKey, value: &str) -> bool {
        self.include
            .get(&key)
            .is_some_and(|values| values.contains(value))
    }

    fn clauses(&self, fields: &Fields) -> Vec<(Occur, Box<dyn Query>)> {
        let term = |key: FilterKey, value: &str| -> Box<dyn Query> {
            Box::new(TermQuery::new(
                Term::from_field_text(key.field(fields), value),
                IndexRecordOption::Basic,
            ))
        };
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = self
            .include
            .iter()
            .map(|(&key, values)| {
                let any: Box<dyn Query> =
                    Box::new(AnyOf(values.iter().map(|value| term(key, value)).collect()));
                (Occur::Must, any)
            })
            .collect();
        clauses.extend(
            self.exclude
                .iter()
                .map(|(key, value)| (Occur::MustNot, term(*key, value))),
        );
        clauses
    }
}

fn non_empty(text: String) -> Option<String> {
    (!text.is_empty()).then_some(text)
}

fn text_start(text: &str) -> String {
    let Some((cut, _)) = text.char_indices().nth(SNIPPET_CHARS) else {
        return text.to_owned();
    };
    let head = &text[..cut];
    let head = head
        .rfind(char::is_whitespace)
        .map_or(head, |at| &head[..at]);
    format!("{} …", head.trim_end())
}

/// Escapes `text` for HTML and wraps the highlighted byte ranges in `<mark>`.
fn mark(text: &str, highlights: &[(usize, usize)]) -> String {
    let mut html = String::with_capacity(text.len() + 16 * highlights.len());
    let mut at = 0;
    for &(start, end) in highlights {
        let (Some(before), Some(marked)) = (text.get(at..start), text.get(start..end)) else {
            continue;
        };
        escape_into(&mut html, before);
        html.push_str("<mark>");
        escape_into(&mut html, marked);
        html.push_str("</mark>");
        at = end;
    }
    escape_into(&mut html, text.get(at..).unwrap_or(""));
    html
}

fn escape_into(html: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => html.push_str("&amp;"),
            '<' => html.push_str("&lt;"),
            '>' => html.push_str("&gt;"),
            '"' => html.push_str("&quot;"),
            '\'' => html.push_str("&#39;"),
            c => html.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markdown::render;
    use crate::model::{
        Assessment, Case, Confidence, CourtRole, Date, Deadline, EntryStatus, Group, Instrument, InstrumentDates,
        InstrumentType, Outcome as CaseOutcome, Page as SitePage, Power, Provision, Safeguards,
        Taxonomy, Topic,
    };
    use tantivy::snippet::SnippetGenerator;

    const HOSTILE: &str = "Users are never told. <script>alert(1)</script> & \"quoted\" 'text'.";
    const THAI_TITLE: &str = "พระราชบัญญัติว่าด้วยการกระทำความผิดเกี่ยวกับคอมพิวเตอร์ พ.ศ. 2550";

    fn date() -> Date {
        Date {
            year: 2024,
            month: None,
            day: None,
        }
    }

    fn assessment(value: Rating, note: &str) -> Assessment {
        Assessment {
            value,
            provisions: Vec::new(),
            note: note.to_owned(),
            confidence: Confidence::Confirmed,
            sources: Vec::new(),
        }
    }

    fn safeguards(judicial: Assessment, notice: Assessment) -> Safeguards {
        let unknown = || assessment(Rating::Unknown, "Not yet assessed.");
        Safeguards {
            legal_clarity: unknown(),
            necessity_proportionality: unknown(),
            judicial_authorisation: judicial,
            independent_oversight: unknown(),
            user_notice: notice,
            appeal_redress: unknown(),
            transparency_reporting: unknown(),
            sunset_review: unknown(),
        }
    }

    fn instrument(id: &str, title: &str, short_name: Option<&str>, citation: &str) -> Instrument {
        Instrument {
            id: id.to_owned(),
            title: title.to_owned(),
            original_title: None,
            original_lang: None,
            short_name: short_name.map(str::to_owned),
            kind: InstrumentType::Statute,
            status: InstrumentStatus::InForce,
            dates: InstrumentDates::default(),
            citation: citation.to_owned(),
            url: None,
            key_provisions: Vec::new(),
            confidence: Confidence::Confirmed,
            sources: Vec::new(),
        }
    }

    fn power(authority: &str, authority_type: AuthorityType, basis: &str, grounds: &str) -> Power {
        Power {
            id: basis.to_owned(),
            aliases: Vec::new(),
            authority: authority.to_owned(),
            authority_type,
            actions: vec![Action::BlockAccess, Action::RemoveContent],
            basis: Reference {
                instrument: basis.to_owned(),
                section: "s 1".to_owned(),
            },
            grounds: grounds.to_owned(),
            deadline: Deadline {
                hours: None,
                text: "The Act sets no period.".to_owned(),
            },
            court_role: CourtRole::After,
            remedy: "Judicial review.".to_owned(),
            penalties: None,
            confidence: Confidence::Confirmed,
            sources: Vec::new(),
        }
    }

    fn jurisdiction(id: &str, name: &str, region: &str, groupings: &[&str]) -> Jurisdiction {
        Jurisdiction {
            id: id.to_owned(),
            name: name.to_owned(),
            iso: id[..2].to_uppercase(),
            region: region.to_owned(),
            groupings: groupings.iter().map(|g| (*g).to_owned()).collect(),
            legal_system: "common law".to_owned(),
            summary: String::new(),
            last_reviewed: date(),
            reviewed_by: "test".to_owned(),
            entry_status: EntryStatus::Reviewed,
            aliases: Vec::new(),
            changelog: Vec::new(),
            instruments: Vec::new(),
            powers: Vec::new(),
            no_general_power: None,
            cases: Vec::new(),
            safeguards: safeguards(
                assessment(Rating::Unknown, "Not yet assessed."),
                assessment(Rating::Unknown, "Not yet assessed."),
            ),
            sources: Vec::new(),
            body: Rendered::default(),
        }
    }

    fn group(id: &str, name: &str) -> Group {
        Group {
            id: id.to_owned(),
            name: name.to_owned(),
            description: None,
        }
    }

    fn site() -> Site {
        let mut pakistan = jurisdiction("pakistan", "Pakistan", "south-asia", &["commonwealth"]);
        pakistan.summary =
            "The telecom regulator orders websites taken down under PECA.".to_owned();
        let mut peca = instrument(
            "peca-2016",
            "Prevention of Electronic Crimes Act 2016",
            Some("PECA"),
            "Act No. XL of 2016",
        );
        peca.original_title = Some("انسداد الیکٹرانک جرائم ایکٹ".to_owned());
        peca.original_lang = Some("ur".to_owned());
        peca.key_provisions = vec![Provision {
            section: "s 37".to_owned(),
            gist: "The Authority may remove or block access to unlawful online content.".to_owned(),
        }];
        pakistan.instruments = vec![
            peca,
            instrument(
                "rules-2021",
                "Removal and Blocking of Unlawful Online Content Rules 2021",
                None,
                "Made under section 37 of PECA, the parent Act.",
            ),
        ];
        let mut pta = power(
            "Pakistan Telecommunication Authority",
            AuthorityType::Executive,
            "peca-2016",
            "The glory of Islam, public order, decency or morality.",
        );
        pta.deadline = Deadline {
            hours: Some(48),
            text: "48 hours".to_owned(),
        };
        pakistan.powers = vec![pta];
        pakistan.cases = vec![Case {
            id: "bytes-for-all".to_owned(),
            aliases: Vec::new(),
            name: "Bytes for All v Federation of Pakistan".to_owned(),
            court: "Islamabad High Court".to_owned(),
            date: date(),
            citation: None,
            outcome: CaseOutcome::Pending,
            instrument: "peca-2016".to_owned(),
            provision: Some("s 37".to_owned()),
            summary: "Petitioners argued that a court order should precede any takedown."
                .to_owned(),
            confidence: Confidence::Confirmed,
            sources: Vec::new(),
        }];
        pakistan.safeguards = safeguards(
            assessment(Rating::No, "The regulator acts alone, without judges."),
            assessment(Rating::No, HOSTILE),
        );
        pakistan.body = render(
            "Pakistan has a long record of platform bans.\n\n\
             ## The YouTube ban\n\nYouTube was blocked in 2012 after a video was posted.\n\n\
             ## Oversight\n\nThere is no independent oversight body.\n",
        );

        let mut indonesia = jurisdiction("indonesia", "Indonesia", "southeast-asia", &["asean"]);
        indonesia.summary =
            "The Ministry of Communication and Informatics (Kominfo) orders access blocking of negative content."
                .to_owned();
        let mut ite = instrument(
            "ite-2008",
            "Electronic Information and Transactions Law",
            Some("ITE Law"),
            "Law No. 11 of 2008",
        );
        ite.original_title = Some("Undang-Undang Informasi dan Transaksi Elektronik".to_owned());
        ite.original_lang = Some("id".to_owned());
        indonesia.instruments = vec![ite];
        indonesia.powers = vec![power(
            "Kominfo",
            AuthorityType::Executive,
            "ite-2008",
            "Negative content, including gambling.",
        )];
        indonesia.safeguards = safeguards(
            assessment(
                Rating::No,
                "No order of a court is needed before the ministry blocks a site.",
            ),
            assessment(Rating::Partial, "Platforms are told; users rarely are."),
        );
        indonesia.body =
            render("## Access blocking\n\nThe ministry keeps a list called Trust Positif.\n");

        let mut thailand = jurisdiction("thailand", "Thailand", "southeast-asia", &["asean"]);
        thailand.summary =
            "Judges may suppress computer data on a motion by an official.".to_owned();
        let mut cca = instrument(
            "cca-2007",
            "Computer-Related Crime Act B.E. 2550 (2007)",
            Some("CCA"),
            "B.E. 2550 (2007)",
        );
        cca.original_title = Some(THAI_TITLE.to_owned());
        cca.original_lang = Some("th".to_owned());
        thailand.instruments = vec![cca];
        thailand.powers = vec![power(
            "Court, on a motion by a competent official",
            AuthorityType::Court,
            "cca-2007",
            "Data affecting national security.",
        )];

        Site {
            collections: Vec::new(),
            taxonomy: Taxonomy {
                regions: vec![
                    group("south-asia", "South Asia"),
                    group("southeast-asia", "Southeast Asia"),
                ],
                groupings: vec![
                    group("asean", "ASEAN"),
                    group("commonwealth", "Commonwealth"),
                ],
            },
            // Deliberately not sorted: the index sorts by name itself.
            jurisdictions: vec![thailand, pakistan, indonesia],
            topics: vec![Topic {
                key: SafeguardKey::UserNotice,
                title: "User notice".to_owned(),
                question: "Are users told when their content is removed?".to_owned(),
                summary: "Notice lets people challenge a decision.".to_owned(),
                body: render("Without notice there is no appeal.\n"),
            }],
            pages: vec![SitePage {
                id: "about".to_owned(),
                title: "About jurisdex".to_owned(),
                summary: "What this site is.".to_owned(),
                body: render("A comparative knowledge base.\n"),
            }],
        }
    }

    fn fixture() -> (tempfile::TempDir, SearchIndex) {
        let dir = tempfile::tempdir().expect("tempdir");
        let index_dir = dir.path().join("index").join("nested");
        build_index(&site(), &index_dir).expect("build");
        let index = SearchIndex::open(&index_dir).expect("open");
        (dir, index)
    }

    fn query(q: &str) -> SearchRequest {
        SearchRequest {
            q: q.to_owned(),
            limit: Some(MAX_LIMIT),
            ..SearchRequest::default()
        }
    }

    fn urls(results: &SearchResults) -> Vec<&str> {
        results.hits.iter().map(|h| h.url.as_str()).collect()
    }

    fn facet<'r>(results: &'r SearchResults, name: &str) -> &'r Facet {
        results
            .facets
            .iter()
            .find(|f| f.name == name)
            .expect("facet present")
    }

    #[test]
    fn index_holds_every_unit() {
        let (_dir, index) = fixture();
        // 3 summaries, 4 instruments, 3 powers, 1 case, 24 safeguards, 3 sections, 1 topic, 1 page.
        assert_eq!(index.doc_count(), 40);
    }

    #[test]
    fn browse_view_lists_jurisdictions_by_name() {
        let (_dir, index) = fixture();
        let results = index.search(&SearchRequest::default());
        let titles: Vec<&str> = results.hits.iter().map(|h| h.title.as_str()).collect();
        assert_eq!(titles, ["Indonesia", "Pakistan", "Thailand"]);
        assert_eq!(results.total, 3);
        assert_eq!(results.limit, DEFAULT_LIMIT);
        assert_eq!(results.hits[1].url, "/jurisdictions/pakistan/");
        assert_eq!(results.hits[1].breadcrumb, "Pakistan");
        // Body text before the first heading belongs to the summary document.
        assert!(results.hits[1].snippet_text.contains("platform bans"));
        let region = facet(&results, "region");
        assert_eq!(region.values[0].key, "southeast-asia");
        assert_eq!(region.values[0].label, "Southeast Asia");
        assert_eq!(region.values[0].count, 2);
    }

    #[test]
    fn phrase_query_needs_adjacent_words() {
        let (_dir, index) = fixture();
        let loose = index.search(&query("court order"));
        let phrase = index.search(&query("\"court order\""));
        let safeguard = "/jurisdictions/indonesia/#safeguard-judicial-authorisation";
        assert!(urls(&loose).contains(&safeguard), "{:?}", urls(&loose));
        assert_eq!(urls(&phrase), ["/jurisdictions/pakistan/#case-bytes-for-all"]);
        assert_eq!(phrase.hits[0].kind, "case");
        assert!(
            phrase.hits[0]
                .snippet_html
                .contains("<mark>court</mark> <mark>order</mark>")
        );
    }

    #[test]
    fn stemming_matches_other_word_forms() {
        let (_dir, index) = fixture();
        let results = index.search(&query("youtube blocking"));
        let hit = &results.hits[0];
        assert_eq!(hit.url, "/jurisdictions/pakistan/#section-the-youtube-ban");
        assert_eq!(hit.breadcrumb, "Pakistan › The YouTube ban");
        assert!(
            hit.snippet_html.contains("<mark>blocked</mark>"),
            "{}",
            hit.snippet_html
        );
        assert!(!results.corrected);
    }

    #[test]
    fn short_name_ranks_its_instrument_first() {
        let (_dir, index) = fixture();
        let results = index.search(&query("PECA"));
        assert!(results.total >= 3, "{:?}", urls(&results));
        let first = &results.hits[0];
        assert_eq!(first.url, "/jurisdictions/pakistan/#instrument-peca-2016");
        assert_eq!(first.title, "Prevention of Electronic Crimes Act 2016");
        assert_eq!(first.breadcrumb, "Pakistan › Instruments › PECA");
        assert_eq!(first.lang, None);
    }

    #[test]
    fn facets_count_the_whole_matching_set() {
        let (_dir, index) = fixture();
        let results = index.search(&SearchRequest {
            q: "blocking".to_owned(),
            limit: Some(1),
            ..SearchRequest::default()
        });
        assert_eq!(results.hits.len(), 1);
        assert!(results.total > 3);
        let kinds = facet(&results, "kind");
        let sum: u64 = kinds.values.iter().map(|v| v.count).sum();
        assert_eq!(sum, results.total as u64);
        assert!(kinds.values.iter().all(|v| !v.selected));
        let regions = facet(&results, "region");
        let south_asia = regions
            .values
            .iter()
            .find(|v| v.key == "south-asia")
            .expect("south asia");
        assert_eq!(south_asia.label, "South Asia");
        // Counts per region, grouping and kind are those of all the hits.
        let all = index.search(&query("blocking"));
        let count =
            |pred: &dyn Fn(&Hit) -> bool| all.hits.iter().filter(|h| pred(h)).count() as u64;
        let pakistan = |h: &Hit| h.jurisdiction.as_deref() == Some("pakistan");
        let asean = |h: &Hit| matches!(h.jurisdiction.as_deref(), Some("indonesia" | "thailand"));
        let value = |name: &str, key: &str| {
            facet(&results, name)
                .values
                .iter()
                .find(|v| v.key == key)
                .map_or(0, |v| v.count)
        };
        assert_eq!(value("region", "south-asia"), count(&pakistan));
        assert_eq!(value("grouping", "commonwealth"), count(&pakistan));
        assert_eq!(value("region", "southeast-asia"), count(&asean));
        assert_eq!(value("grouping", "asean"), count(&asean));
        assert_eq!(
            value("kind", "safeguard"),
            count(&|h| h.kind == "safeguard")
        );
        assert_eq!(value("kind", "topic"), count(&|h| h.kind == "topic"));
        let names: Vec<&str> = results.facets.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(
            names,
            ["region", "grouping", "kind", "value", "authority_type"]
        );
    }

    #[test]
    fn filters_apply_from_request_fields_and_query_syntax() {
        let (_dir, index) = fixture();
        let by_field = index.search(&SearchRequest {
            q: "blocking".to_owned(),
            region: Some("southeast-asia".to_owned()),
            limit: Some(MAX_LIMIT),
            ..SearchRequest::default()
        });
        let by_syntax = index.search(&query("region:southeast-asia blocking"));
        assert!(by_field.total > 0);
        assert_eq!(urls(&by_field), urls(&by_syntax));
        for hit in &by_field.hits {
            let id = hit.jurisdiction.as_deref();
            assert!(matches!(id, Some("indonesia" | "thailand")), "{}", hit.url);
        }
        let region = facet(&by_syntax, "region");
        assert_eq!(region.values.len(), 1);
        assert!(region.values[0].selected);

        let lacking = index.search(&query("kind:safeguard value:no"));
        assert_eq!(lacking.total, 3);
        assert!(lacking.hits.iter().all(|h| h.kind == "safeguard"));
        assert!(lacking.hits.iter().all(|h| h.title.ends_with(": No")));

        let executive = index.search(&query("authority:executive"));
        assert_eq!(executive.total, 2);
        assert_eq!(
            index.search(&query("authority_type:executive")).total,
            executive.total
        );
        let both = index.search(&query("grouping:asean,commonwealth kind:jurisdiction"));
        assert_eq!(both.total, 3);
        let by_list = index.search(&SearchRequest {
            grouping: Some("asean, commonwealth".to_owned()),
            kind: Some("jurisdiction".to_owned()),
            ..SearchRequest::default()
        });
        assert_eq!(by_list.total, 3);
        let notice = index.search(&query("safeguard:user-notice -jurisdiction:pakistan"));
        assert_eq!(notice.total, 3, "{:?}", urls(&notice));
    }

    #[test]
    fn exclusion_removes_matches() {
        let (_dir, index) = fixture();
        let section = "/jurisdictions/pakistan/#section-the-youtube-ban";
        assert!(urls(&index.search(&query("blocking"))).contains(&section));
        let excluded = index.search(&query("blocking -youtube"));
        assert!(excluded.total > 0);
        assert!(!urls(&excluded).contains(&section));
        let phrase = index.search(&query("blocking -\"video was posted\""));
        assert!(!urls(&phrase).contains(&section));
    }

    #[test]
    fn fuzzy_fallback_corrects_misspellings() {
        let (_dir, index) = fixture();
        let results = index.search(&query("Komnifo"));
        assert!(results.corrected);
        assert!(results.total > 0);
        assert!(
            results
                .hits
                .iter()
                .all(|h| h.jurisdiction.as_deref() == Some("indonesia"))
        );
        assert_eq!(results.corrected_query.as_deref(), Some("kominfo"));
        assert!(
            results
                .hits
                .iter()
                .any(|h| h.snippet_html.contains("<mark>Kominfo</mark>"))
        );

        let blocking = index.search(&query("blokcing"));
        assert!(blocking.corrected);
        assert!(urls(&blocking).contains(&"/jurisdictions/pakistan/#section-the-youtube-ban"));

        // A misspelt local-language title is corrected and shown as it matched.
        let local = index.search(&query("Transaksi Elektronk"));
        assert!(local.corrected);
        assert_eq!(local.hits[0].lang.as_deref(), Some("id"));
        assert_eq!(
            local.corrected_query.as_deref(),
            Some("Transaksi elektronik")
        );

        let exact = index.search(&query("kominfo"));
        assert!(!exact.corrected);
        assert_eq!(exact.corrected_query, None);
        assert!(!index.search(&query("zzqxw")).corrected);
    }

    #[test]
    fn thai_title_is_found_by_substring() {
        let (_dir, index) = fixture();
        let results = index.search(&query("คอมพิวเตอร์"));
        let hit = &results.hits[0];
        assert_eq!(hit.url, "/jurisdictions/thailand/#instrument-cca-2007");
        assert_eq!(hit.title, THAI_TITLE);
        assert_eq!(hit.lang.as_deref(), Some("th"));
        // A local-language title in a Latin script is shown when it is what matched.
        let indonesian = index.search(&query("undang informasi"));
        assert_eq!(indonesian.hits[0].lang.as_deref(), Some("id"));
        assert_eq!(
            index.search(&query("انسداد")).hits[0].lang.as_deref(),
            Some("ur")
        );
    }

    #[test]
    fn snippets_escape_hostile_text() {
        let (_dir, index) = fixture();
        let results = index.search(&query("alert"));
        let hit = &results.hits[0];
        assert_eq!(hit.url, "/jurisdictions/pakistan/#safeguard-user-notice");
        assert_eq!(hit.title, "User notice: No");
        assert_eq!(hit.breadcrumb, "Pakistan › Safeguards › User notice");
        assert!(
            hit.snippet_html
                .contains("&lt;script&gt;<mark>alert</mark>(1)&lt;/script&gt;")
        );
        assert!(
            hit.snippet_html
                .contains("&amp; &quot;quoted&quot; &#39;text&#39;")
        );
        let (start, end) = hit.highlights[0];
        assert_eq!(&hit.snippet_text[start..end], "alert");
        let without_marks = hit
            .snippet_html
            .replace("<mark>", "")
            .replace("</mark>", "");
        assert!(!without_marks.contains('<') && !without_marks.contains('>'));

        // Without a text match the start of the text is shown, escaped just the same.
        let browse = index.search(&query("jurisdiction:pakistan safeguard:user_notice"));
        assert_eq!(browse.total, 1);
        assert!(
            browse.hits[0]
                .snippet_html
                .contains("&lt;script&gt;alert(1)")
        );
        assert!(browse.hits[0].highlights.is_empty());
    }

    #[test]
    fn hostile_queries_return_without_panic() {
        let (_dir, index) = fixture();
        let long = "blocking ".repeat(1200);
        let mixed = "ก".repeat(2000);
        let hostile = [
            "AND OR ((",
            "title:",
            "title:PECA",
            "\"unclosed",
            "-",
            "*",
            ":",
            "--",
            "-\"",
            "\"\"",
            "region:",
            "a\u{0}b\u{7}c\td\r\n",
            "\\\"\\",
            "field:\"value",
            "-คอมพิวเตอร์",
            "blocking -\"court order\" -e-commerce -\"ก ข\"",
            "^2 ~3 [a TO b] {x} IN [y] $exists(z) /re.*/",
            long.as_str(),
            mixed.as_str(),
        ];
        for q in hostile {
            let results = index.search(&query(q));
            assert!(results.query.len() <= MAX_QUERY_BYTES, "{q:?}");
            assert!(!results.query.chars().any(char::is_control), "{q:?}");
        }
        assert_eq!(index.search(&query("a\u{0}b\tc")).query, "ab c");
        // A cut never leaves half a word behind.
        let cut = index.search(&query(&"blocking court ".repeat(100)));
        assert!(cut.query.ends_with("court") || cut.query.ends_with("blocking"));
        assert!(cut.total > 0);
        // Lone operators and punctuation leave an empty query: the browse view.
        assert_eq!(index.search(&query("- * :")).total, 3);
    }

    #[test]
    fn limit_and_offset_are_clamped() {
        let (_dir, index) = fixture();
        let request = |limit, offset| SearchRequest {
            q: "blocking".to_owned(),
            limit: Some(limit),
            offset: Some(offset),
            ..SearchRequest::default()
        };
        assert_eq!(index.search(&request(0, 0)).limit, 1);
        assert_eq!(index.search(&request(5_000, 0)).limit, MAX_LIMIT);
        let far = index.search(&request(10, usize::MAX));
        assert_eq!(far.offset, MAX_OFFSET);
        assert!(far.hits.is_empty());
        let all = index.search(&request(MAX_LIMIT, 0));
        let second = index.search(&request(1, 1));
        assert_eq!(second.hits[0].url, all.hits[1].url);
    }

    #[test]
    fn query_parser_reads_words_phrases_exclusions_and_filters() {
        let parsed = ParsedQuery::parse("Region:asean \"court order\" -ban -\"x y\" title:peca ((");
        assert_eq!(
            parsed.parts,
            [
                Part::Filter {
                    key: FilterKey::Region,
                    value: "asean".to_owned(),
                    negated: false
                },
                Part::Phrase("court order".to_owned()),
                Part::Exclude("ban".to_owned()),
                Part::Exclude("x y".to_owned()),
                Part::Word("title".to_owned()),
                Part::Word("peca".to_owned()),
            ]
        );
        assert_eq!(edit_distance("komnifo", "kominfo"), 1);
        assert_eq!(edit_distance("blokc", "block"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
    }

    #[test]
    fn open_reports_missing_index() {
        let dir = tempfile::tempdir().expect("tempdir");
        let missing = dir.path().join("nothing-here");
        assert!(matches!(
            SearchIndex::open(&missing),
            Err(SearchError::Index { .. })
        ));
        let built = dir.path().join("index");
        build_index(&site(), &built).expect("build");
        // Building twice into the same directory is an error, not a silent overwrite.
        assert!(build_index(&site(), &built).is_err());
        // A damaged units file is reported as such.
        fs::write(built.join("jurisdex-units-0.bin"), b"JXUNITS1\xff").expect("damage");
        assert!(matches!(
            SearchIndex::open(&built),
            Err(SearchError::Damaged { .. })
        ));
        assert_eq!(Shown::decode(b"\x05\0\0\0abc"), None);
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<SearchIndex>();
        assert_send_sync::<IndexBuilder>();
    }

    /// tantivy's `QueryParser` over the prose fields (and the n-gram field), each word and
    /// phrase a `Must` clause: what [`SearchIndex::parse_text`] stands in for.
    fn text_parser(index: &SearchIndex, with_ngrams: bool) -> tantivy::query::QueryParser {
        let weighted = index.fields.weighted();
        let mut defaults: Vec<Field> = weighted.iter().map(|&(field, _)| field).collect();
        if with_ngrams {
            defaults.push(index.fields.title_ngram);
        }
        let mut parser =
            tantivy::query::QueryParser::for_index(index.reader.searcher().index(), defaults);
        parser.set_conjunction_by_default();
        for (field, boost) in weighted {
            parser.set_field_boost(field, boost);
        }
        parser
    }

    #[test]
    fn text_queries_find_and_score_as_tantivys_query_parser() {
        let (_dir, index) = fixture();
        let searcher = index.reader.searcher();
        let short_name_parser =
            tantivy::query::QueryParser::for_index(searcher.index(), vec![index.fields.short_name]);
        for texts in [
            &["blocking"][..],
            &["blocking", "court"],
            &["court order", "pakistan"],
            &["kominfo", "negative content"],
            &["authority", "authority", "\"court\""],
            &["PECA"],
            &["جرائم"],
            &["الیکٹرانک جرائم", "peca"],
            &["...", "court"],
        ] {
            let quoted: Vec<String> = texts
                .iter()
                .map(|t| format!("\"{}\"", t.replace(['"', '\\'], " ")))
                .collect();
            let joined = quoted.join(" ");
            let with_ngrams = texts.iter().any(|t| needs_ngrams(t));
            let tantivy = BooleanQuery::new(vec![
                (
                    Occur::Must,
                    text_parser(&index, with_ngrams)
                        .parse_query_lenient(&joined)
                        .0,
                ),
                (
                    Occur::Should,
                    Box::new(BoostQuery::new(
                        short_name_parser.parse_query_lenient(&joined).0,
                        SHORT_NAME_MATCH_BOOST,
                    )),
                ),
            ]);
            let ours = index.parse_text(texts);
            let top = |query: &dyn Query| {
                let collector = (TopDocs::with_limit(MAX_LIMIT).order_by_score(), Count);
                searcher.search(query, &collector).expect("search")
            };
            let (expected, count) = top(&tantivy);
            assert!(count > 0, "{texts:?}");
            assert_eq!(top(&*ours), (expected, count), "{texts:?}");
        }
    }

    /// Jurisdictions whose names differ in case, and where one name starts another.
    fn names_site() -> Site {
        let mut site = site();
        site.jurisdictions = ["Nigeria", "niue", "Niger", "Austria", "Åland", "Nigeria"]
            .iter()
            .enumerate()
            .map(|(k, name)| {
                let id = format!("{}{k}", name.to_lowercase());
                jurisdiction(&id, name, "south-asia", &[])
            })
            .collect();
        site
    }

    /// Every unit in browse order (all the fixture's jurisdictions are in South Asia).
    fn browse_urls(index: &SearchIndex) -> Vec<String> {
        let results = index.search(&SearchRequest {
            region: Some("south-asia".to_owned()),
            limit: Some(MAX_LIMIT),
            ..SearchRequest::default()
        });
        results.hits.iter().map(|h| h.url.clone()).collect()
    }

    #[test]
    fn browse_order_is_name_order_whatever_the_indexing_order() {
        let site = names_site();
        let dir = tempfile::tempdir().expect("tempdir");
        let builder = IndexBuilder::create(dir.path(), &site.taxonomy).expect("create");
        // Two threads add the entries in no particular order.
        let (odd, even): (Vec<_>, Vec<_>) = site
            .jurisdictions
            .iter()
            .rev()
            .partition(|j| j.id.ends_with(['1', '3', '5']));
        std::thread::scope(|scope| {
            for part in [&odd, &even] {
                let builder = &builder;
                scope.spawn(move || {
                    for j in part {
                        builder.add_entry(j).expect("add");
                    }
                });
            }
        });
        builder
            .add_site_units(&site.topics, &site.pages)
            .expect("site units");
        builder.finish().expect("finish");
        let index = SearchIndex::open(dir.path()).expect("open");
        assert_eq!(index.reader.searcher().segment_readers().len(), 1);

        let expected: Vec<String> = units(&site)
            .into_iter()
            .filter(|u| u.jurisdiction.is_some())
            .map(|u| u.url)
            .collect();
        assert_eq!(browse_urls(&index), expected);
        let first: Vec<&str> = expected
            .iter()
            .map(|url| url.split('#').next().unwrap_or(""))
            .fold(Vec::new(), |mut pages, page| {
                if pages.last() != Some(&page) {
                    pages.push(page);
                }
                pages
            });
        // Entries never interleave, and go by name ignoring case (`Niger` before `Nigeria`),
        // same names by id.
        assert_eq!(
            first,
            [
                "/jurisdictions/austria3/",
                "/jurisdictions/niger2/",
                "/jurisdictions/nigeria0/",
                "/jurisdictions/nigeria5/",
                "/jurisdictions/niue1/",
                "/jurisdictions/åland4/",
            ]
        );
        let titles: Vec<String> = index
            .search(&SearchRequest::default())
            .hits
            .into_iter()
            .map(|h| h.title)
            .collect();
        assert_eq!(
            titles,
            ["Austria", "Niger", "Nigeria", "Nigeria", "niue", "Åland"]
        );
    }

    #[test]
    fn update_replaces_an_entry_and_keeps_browse_order() {
        let mut site = names_site();
        let dir = tempfile::tempdir().expect("tempdir");
        let base = dir.path().join("base");
        build_index(&site, &base).expect("build");
        let before = browse_urls(&SearchIndex::open(&base).expect("open"));

        let niger = site
            .jurisdictions
            .iter_mut()
            .find(|j| j.id == "niger2")
            .expect("niger");
        niger.summary = "Zqxrevised summary.".to_owned();
        let edited = vec![niger.clone()];
        let updated = dir.path().join("updated");
        update_index(&base, &updated, &site.taxonomy, &edited).expect("update");
        let index = SearchIndex::open(&updated).expect("open updated");
        assert_eq!(browse_urls(&index), before);
        let found = index.search(&query("zqxrevised"));
        assert_eq!(urls(&found), ["/jurisdictions/niger2/"]);
        assert!(
            SearchIndex::open(&base)
                .expect("base")
                .search(&query("zqxrevised"))
                .hits
                .is_empty()
        );
        assert_eq!(
            index.doc_count(),
            SearchIndex::open(&base).expect("base").doc_count()
        );
    }

    /// Words of every kind the analyzer meets: stemmer special cases, Unicode letters and
    /// digits, upper case that lower-cases to other bytes, a word too long to index.
    fn tricky_text() -> String {
        let mut text = String::from(
            "Dying lying tying skis skies idly gently ugly early only singly news howe atlas \
             cosmos bias andes generously communities arsenal yelling Yield cried ties \
             organization relational rational hopping hoped agreed feed Überwachung naïve \
             ÉCOLE déjà-vu ΣΊΣΥΦΟΣ İstanbul ǅemal 2016 s37 ٣٤ PECA’s c'est \
             pneumonoultramicroscopicsilicovolcanoconiosis Antidisestablishmentarianism \
             supercalifragilisticexpialidociousnessly",
        );
        for u in units(&site()) {
            text.push(' ');
            text.push_str(&u.text);
        }
        text
    }

    /// (byte range, token) as an analyzer gives them.
    fn tokens(analyzer: &mut TextAnalyzer, text: &str) -> Vec<(Range<usize>, String)> {
        let mut out = Vec::new();
        analyzer
            .token_stream(text)
            .process(&mut |t| out.push((t.offset_from..t.offset_to, t.text.clone())));
        out
    }

    #[test]
    fn memo_stemmer_and_word_scan_agree_with_tantivy() {
        let mut builtin = tantivy::tokenizer::TokenizerManager::default()
            .get("en_stem")
            .expect("en_stem");
        let text = tricky_text();
        // Twice, so that the second pass reads the memo.
        for _ in 0..2 {
            let expected = tokens(&mut builtin, &text);
            assert_eq!(tokens(&mut prose_analyzer(), &text), expected);
            let mut scanned = Vec::new();
            let every_word = StemStarts {
                first: [true; 256],
                any_second: [true; 256],
                pairs: Vec::new(),
            };
            scan_words(&text, &every_word, |range, stem| {
                scanned.push((range, stem.unwrap_or("").to_owned()));
            });
            assert_eq!(scanned, expected);
            // English stemming keeps the first byte of the lower-cased word.
            for (range, stem) in &expected {
                let word: String = text[range.clone()]
                    .chars()
                    .flat_map(char::to_lowercase)
                    .collect();
                assert_eq!(
                    stem.as_bytes().first(),
                    word.as_bytes().first(),
                    "{word} → {stem}"
                );
            }
        }
    }

    #[test]
    fn short_word_keys_tell_every_word_apart() {
        let text = tricky_text();
        let mut words: Vec<String> = text
            .split(|c: char| !c.is_alphanumeric())
            .map(str::to_lowercase)
            .collect();
        // Words sharing their first or last eight bytes, and prefixes of each other.
        words.extend(
            [
                "abcdefgh",
                "abcdefghi",
                "abcdefghij",
                "abcdefghik",
                "xbcdefghij",
                "abcdefghijklmnop",
            ]
            .map(String::from),
        );
        words.extend((0..=16).map(|n| "a".repeat(n)));
        let mut seen: HashMap<ShortWord, &str> = HashMap::new();
        for word in &words {
            let Some(key) = ShortWord::new(word) else {
                assert!(word.len() > ShortWord::MAX_BYTES, "{word}");
                continue;
            };
            let first = *seen.entry(key).or_insert(word);
            assert_eq!(first, word, "two words with one key");
        }
        assert!(seen.len() > 100);
    }

    #[test]
    fn snippets_are_those_of_tantivy() {
        let ascii = format!(
            "{} The court may order a block. {} Courts ordered blocking of the site, and the \
             order was blocked again, naively. {}",
            "Filler words here. ".repeat(12),
            "More filler text. ".repeat(9),
            "Ordering courts. ".repeat(20),
        );
        for text in [ascii.clone(), format!("{ascii} {}", tricky_text())] {
            snippets_match_tantivy(&text);
        }
    }

    fn snippets_match_tantivy(text: &str) {
        let cases: [&[&str]; 6] = [
            &["court", "order"],
            &["block"],
            &["site"],
            &["naïv", "écol"],
            &["istanbul", "yield", "die"],
            &["absent"],
        ];
        for stems in cases {
            let weighted: Vec<(String, Score)> = stems
                .iter()
                .enumerate()
                .map(|(k, s)| ((*s).to_owned(), 1.0 / (2.0 + k as Score)))
                .collect();
            let ours = Snippets {
                starts: StemStarts::of(stems.iter().copied()),
                terms: weighted.clone(),
            };
            let theirs = SnippetGenerator::new(
                weighted.into_iter().collect(),
                prose_analyzer(),
                Field::from_field_id(0),
                SNIPPET_CHARS,
            )
            .snippet(text);
            match ours.best_fragment(text, |_, _| {}) {
                Some(fragment) => {
                    let start = fragment.range.start;
                    let relative: Vec<Range<usize>> = fragment
                        .highlights
                        .iter()
                        .map(|h| h.start - start..h.end - start)
                        .collect();
                    assert_eq!(fragment.range, theirs.fragment_range(), "{stems:?}");
                    assert_eq!(relative, theirs.highlighted(), "{stems:?}");
                }
                None => assert!(theirs.is_empty(), "{stems:?}"),
            }
        }
    }

    /// The stemmer keeps what [`StemStarts`] relies on: every word admitted by the starts of its
    /// own stem. Checked on every word of up to three letters with each English ending, on the
    /// shipped content, and on the English texts of `../shared/corpora` (skipped with a message
    /// when it is absent, a failure in CI).
    #[test]
    fn words_start_as_their_stems_do() {
        let letters = b"abcdefghijklmnopqrstuvwxyz";
        let mut heads: Vec<String> = Vec::new();
        for &a in letters {
            heads.push(char::from(a).to_string());
            for &b in letters {
                heads.push(format!("{}{}", char::from(a), char::from(b)));
                for &c in letters {
                    heads.push(format!(
                        "{}{}{}",
                        char::from(a),
                        char::from(b),
                        char::from(c)
                    ));
                }
            }
        }
        let endings = [
            "", "s", "es", "e", "y", "ed", "eed", "ing", "ying", "ies", "ied", "ly", "edly",
            "ingly", "ings", "ness", "ation",
        ];
        let mut words: BTreeSet<String> = heads
            .iter()
            .flat_map(|head| endings.iter().map(move |end| format!("{head}{end}")))
            .collect();
        let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut texts = vec![manifest.join("content")];
        let shared = manifest.join("../shared/corpora");
        if shared.is_dir() {
            texts.push(shared.join("us-constitution-en"));
            texts.push(shared.join("commonmark-spec"));
        } else {
            assert!(
                std::env::var_os("CI").is_none(),
                "../shared is missing, but CI is set"
            );
            eprintln!("skipped the shared corpora: ../shared is absent");
        }
        let mut files = 0;
        while let Some(path) = texts.pop() {
            if path.is_dir() {
                texts.extend(
                    fs::read_dir(&path)
                        .expect("readable")
                        .map(|e| e.expect("entry").path()),
                );
                continue;
            }
            let Ok(text) = fs::read_to_string(&path) else {
                continue;
            };
            files += 1;
            words.extend(
                text.split(|c: char| !c.is_ascii_alphanumeric())
                    .filter(|w| !w.is_empty() && w.len() < MAX_TOKEN_BYTES)
                    .map(str::to_owned),
            );
        }
        assert!(files > 10, "only {files} files of text");
        for word in &words {
            let mut stem = word.to_ascii_lowercase();
            stem_in_place(&mut stem);
            assert!(
                StemStarts::of([stem.as_str()]).admits(word.as_bytes()),
                "{word:?} stems to {stem:?}"
            );
        }
        assert!(words.len() > 300_000, "{} words", words.len());
        // And the filter does filter: the same first letter is not enough.
        let starts = StemStarts::of(["court", "die"]);
        assert!(starts.admits(b"Courts") && starts.admits(b"dying") && starts.admits(b"died"));
        assert!(!starts.admits(b"cat") && !starts.admits(b"dog") && !starts.admits(b"d"));
    }

    /// Both ways of finding the best fragment agree with each other and with tantivy on ASCII
    /// texts of every shape: words at fragment boundaries, long words, runs of punctuation.
    #[test]
    fn ascii_fragments_are_those_of_the_word_walk() {
        let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = |n: u64| {
            seed = seed.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = seed;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d1_049e_b3d4_e5bb);
            (z ^ (z >> 31)) % n
        };
        let vocabulary = [
            "court", "Courts", "order", "ORDERED", "blocking", "block", "site", "x", "a1", "s37",
            "Dying", "die",
        ];
        let long = "w".repeat(MAX_TOKEN_BYTES);
        let mut found = 0;
        for case in 0..400 {
            let mut text = String::new();
            for _ in 0..next(120) {
                match next(10) {
                    0 => text.push_str(&long),
                    1 => text.push_str(" ... "),
                    2 => text.push_str(&"filler ".repeat(1 + next(30) as usize)),
                    _ => text.push_str(vocabulary[next(vocabulary.len() as u64) as usize]),
                }
                text.push(if next(4) == 0 { ',' } else { ' ' });
            }
            let stems: &[&str] = match case % 4 {
                0 => &["court", "order"],
                1 => &["block"],
                2 => &["die", "x", "a1"],
                _ => &["site", "s37", "court"],
            };
            let snippets = Snippets {
                starts: StemStarts::of(stems.iter().copied()),
                terms: stems.iter().map(|s| ((*s).to_owned(), 0.5)).collect(),
            };
            let (mut fast, mut slow) = (Vec::new(), Vec::new());
            let quick = snippets.best_ascii_fragment(&text, |r, s| fast.push((r, s.to_owned())));
            let walked =
                snippets.best_fragment_by_words(&text, |r, s| slow.push((r, s.to_owned())));
            let key =
                |f: &Option<Fragment>| f.as_ref().map(|f| (f.range.clone(), f.highlights.clone()));
            assert_eq!(key(&quick), key(&walked), "case {case}: {text:?}");
            let theirs = SnippetGenerator::new(
                snippets.terms.iter().cloned().collect(),
                prose_analyzer(),
                Field::from_field_id(0),
                SNIPPET_CHARS,
            )
            .snippet(&text);
            let theirs = (!theirs.is_empty()).then(|| theirs.fragment_range());
            assert_eq!(
                quick.as_ref().map(|f| f.range.clone()),
                theirs,
                "case {case}"
            );
            found += usize::from(quick.is_some());
            fast.sort_by_key(|(r, _)| r.start);
            assert_eq!(fast, slow, "case {case}");
        }
        assert!(found > 200, "{found}");
    }

    #[test]
    fn only_words_in_no_field_are_corrected() {
        let (_dir, index) = fixture();
        // Both words are indexed, just never together: nothing is found, nothing corrected.
        let apart = index.search(&query("kominfo thailand"));
        assert_eq!(apart.total, 0);
        assert!(!apart.corrected);
        // The misspelt word is corrected, the other kept.
        let mixed = index.search(&query("Komnifo indonesia"));
        assert!(mixed.corrected);
        assert_eq!(mixed.corrected_query.as_deref(), Some("kominfo indonesia"));
        assert!(
            mixed
                .hits
                .iter()
                .all(|h| h.jurisdiction.as_deref() == Some("indonesia"))
        );
        // A misspelt word with no close indexed word leaves the query uncorrected.
        let hopeless = index.search(&query("qqqqqqqq indonesia"));
        assert_eq!(hopeless.total, 0);
        assert!(!hopeless.corrected);
    }

    /// The cache-hostile stream of `benches/hostile.lua` (thread `thread` of wrk), for
    /// `hostile_stream_profile`.
    fn hostile_requests(words: &[String], thread: usize, count: usize) -> Vec<SearchRequest> {
        const REGIONS: [&str; 5] = [
            "southeast-asia",
            "south-asia",
            "oceania",
            "europe",
            "north-america",
        ];
        let w = words.len();
        let offset = thread * 7919;
        (1..=count)
            .map(|n| {
                let k = n + offset;
                let a = &words[k % w];
                let b = &words[(k / w + k * 31) % w];
                let mut q = if n % 5 == 0 {
                    format!("\"{a} {b}\"")
                } else if n % 3 == 0 {
                    format!("{a} {b} {}", words[(k / (w * w) + k * 17) % w])
                } else {
                    format!("{a} {b}")
                };
                if n % 7 == 0 && a.len() > 4 {
                    q = format!("{}{} {b}", &a[..2], &a[3..]);
                }
                SearchRequest {
                    q,
                    region: (n % 4 == 0).then(|| REGIONS[n % 5].to_owned()),
                    ..SearchRequest::default()
                }
            })
            .collect()
    }

    /// Times the stages of each query of the cache-hostile stream against a built index:
    ///
    /// ```sh
    /// JX_INDEX=out/.search-index JX_WORDS=words.txt [JX_COUNT=1000] \
    ///   cargo test --release --lib hostile_stream_profile -- --ignored --nocapture
    /// ```
    ///
    /// (`benches/run.sh` shows how the words file is made; `JX_ROUNDS`, default 3, repeats the
    /// stream for the CPU time per query). Stages: the whole search; the page,
    /// count and facets collected in one pass; the top 10 alone; count and facets alone; loading
    /// the hits and making their snippets; the fuzzy retry of zero-hit queries.
    #[test]
    #[ignore = "needs a built index (JX_INDEX) and a words file (JX_WORDS)"]
    fn hostile_stream_profile() {
        let (Some(dir), Some(words)) = (std::env::var_os("JX_INDEX"), std::env::var_os("JX_WORDS"))
        else {
            panic!("set JX_INDEX and JX_WORDS");
        };
        let words: Vec<String> = fs::read_to_string(words)
            .expect("words file")
            .lines()
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect();
        let index = SearchIndex::open(Path::new(&dir)).expect("index opens");
        let ms = |t: Instant| t.elapsed().as_secs_f64() * 1000.0;
        if let Ok(q) = std::env::var("JX_QUERY") {
            let t = Instant::now();
            for _ in 0..300 {
                index.search(&query(&q));
            }
            println!("{q}: {:.3} ms", ms(t) / 300.0);
            return;
        }
        let count = std::env::var("JX_COUNT").map_or(1000, |c| c.parse().expect("JX_COUNT"));
        let mut requests = hostile_requests(&words, 1, count);
        requests.extend(hostile_requests(&words, 2, count));
        let searcher = index.reader.searcher();
        let t = Instant::now();
        let vocabulary = index.vocabulary(&searcher).expect("vocabulary").0.len();
        println!("vocabulary of {vocabulary} stems built in {:.1} ms", ms(t));
        for request in requests.iter().take(200) {
            index.search(request);
        }
        // CPU time of this thread (user + system, in clock ticks of 10 ms), which another
        // process's load inflates less than wall time.
        let cpu_ticks = || -> u64 {
            let stat = fs::read_to_string("/proc/thread-self/stat").unwrap_or_default();
            let after_name = stat.rsplit(')').next().unwrap_or("");
            let fields: Vec<&str> = after_name.split_whitespace().collect();
            let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<u64>().ok());
            ticks(11).unwrap_or(0) + ticks(12).unwrap_or(0)
        };
        let rounds: usize = std::env::var("JX_ROUNDS").map_or(3, |r| r.parse().expect("JX_ROUNDS"));
        let (t, ticks) = (Instant::now(), cpu_ticks());
        for _ in 0..rounds {
            for request in &requests {
                index.search(request);
            }
        }
        let searches = (rounds * requests.len()) as f64;
        println!(
            "search alone: {:.1} us wall, {:.1} us CPU per query ({} queries, {rounds} rounds)",
            ms(t) * 1000.0 / searches,
            (cpu_ticks() - ticks) as f64 * 10_000.0 / searches,
            requests.len()
        );
        let stages = [
            "search",
            "collect",
            "top 10",
            "count+facets",
            "outcome",
            "fuzzy",
        ];
        let mut times: Vec<Vec<f64>> = vec![Vec::new(); stages.len()];
        let mut matches = Vec::new();
        let mut slowest = Vec::new();
        for request in &requests {
            let t = Instant::now();
            let results = index.search(request);
            times[0].push(ms(t));
            slowest.push((ms(t), results.total, results.corrected, request));

            let parsed = ParsedQuery::parse(&clean_query(&request.q));
            let filters = Filters::new(request, &parsed);
            let positive: Vec<&str> = parsed.positive().collect();
            let text_query = index.parse_text(&positive);
            let query = with_clauses(text_query.box_clone(), filters.clauses(&index.fields));
            let t = Instant::now();
            let page = index
                .collect(&searcher, &*query, Ranking::Score, DEFAULT_LIMIT, 0)
                .expect("collect");
            times[1].push(ms(t));
            let t = Instant::now();
            let top = TopDocs::with_limit(DEFAULT_LIMIT).order_by_score();
            searcher.search(&*query, &top).expect("top");
            times[2].push(ms(t));
            let t = Instant::now();
            let facets = index.facet_tally();
            searcher.search(&*query, &(Count, facets)).expect("count");
            times[3].push(ms(t));
            let total = page.total;
            matches.push(total as f64);
            let t = Instant::now();
            let highlight = Some(&*text_query);
            index
                .outcome(&searcher, page, &filters, &parsed, highlight, None)
                .expect("outcome");
            times[4].push(ms(t));
            if total == 0 {
                let t = Instant::now();
                if let Retry::Corrected(fuzzy) = index.fuzzy_plan(&searcher, &parsed).expect("plan")
                {
                    let query =
                        with_clauses(fuzzy.query.box_clone(), filters.clauses(&index.fields));
                    let page = index
                        .collect(&searcher, &*query, Ranking::Score, DEFAULT_LIMIT, 0)
                        .expect("fuzzy");
                    let highlight = Some(&*fuzzy.query);
                    index
                        .outcome(&searcher, page, &filters, &parsed, highlight, Some(&fuzzy))
                        .expect("fuzzy outcome");
                }
                times[5].push(ms(t));
            }
        }
        let print = |name: &str, values: &mut Vec<f64>, unit: &str| {
            values.sort_by(f64::total_cmp);
            let n = values.len().max(1);
            let at = |p: f64| values.get(((n as f64 * p) as usize).min(n - 1)).copied();
            let at = |p| at(p).unwrap_or(0.0);
            let mean = values.iter().sum::<f64>() / n as f64;
            println!(
                "{name:>12}: n {:5}  mean {mean:8.3}  p50 {:8.3}  p90 {:8.3}  p99 {:8.3}  max {:8.3} {unit}",
                values.len(),
                at(0.5),
                at(0.9),
                at(0.99),
                at(1.0),
            );
        };
        for (name, values) in stages.iter().zip(times.iter_mut()) {
            print(name, values, "ms");
        }
        print("matches", &mut matches, "documents");
        let all: f64 = slowest.iter().map(|(took, ..)| took).sum();
        // (found anything, corrected) of each kind of outcome.
        let kinds = [
            ("found as typed", (true, false)),
            ("found corrected", (true, true)),
            ("nothing found", (false, false)),
        ];
        for (kind, outcome) in kinds {
            let (n, took) = slowest
                .iter()
                .filter(|(_, total, corrected, _)| (*total > 0, *corrected) == outcome)
                .fold((0, 0.0), |(n, sum), (took, ..)| (n + 1, sum + took));
            println!(
                "{kind}: {n} queries, mean {:.3} ms, {:.0}% of the time",
                took / f64::from(n.max(1)),
                100.0 * took / all
            );
        }
        for broad in [1_000, 10_000] {
            let (n, took) = slowest
                .iter()
                .filter(|(_, total, ..)| *total > broad)
                .fold((0, 0.0), |(n, sum), (took, ..)| (n + 1, sum + took));
            println!(
                "queries matching over {broad}: {n} of {}, {:.0}% of the time",
                slowest.len(),
                100.0 * took / all
            );
        }
        slowest.sort_by(|a, b| b.0.total_cmp(&a.0));
        for (took, total, corrected, request) in slowest.iter().take(10) {
            let region = request.region.as_deref().unwrap_or("");
            println!(
                "slow: {took:6.2} ms, {total:6} hits, corrected {corrected}: {:?} {region}",
                request.q
            );
        }
    }
}
