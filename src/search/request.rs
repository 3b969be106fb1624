//! The public shape of a search: the request a reader sends and the results, hits and facets returned.

use super::*;

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

impl SearchRequest {
    /// The request's filters by their parameter names (the names the query language's
    /// `name:value` filters and the facets use), in the order the search page lists them.
    pub fn filters(&self) -> [(&'static str, Option<&str>); 6] {
        [
            ("region", self.region.as_deref()),
            ("grouping", self.grouping.as_deref()),
            ("kind", self.kind.as_deref()),
            ("value", self.value.as_deref()),
            ("authority_type", self.authority_type.as_deref()),
            ("jurisdiction", self.jurisdiction.as_deref()),
        ]
    }
}

/// One page of results with facet counts over the whole matching set.
#[derive(Debug, Clone, Serialize)]
pub struct SearchResults {
    /// The query as searched: control characters removed, cut to [`MAX_QUERY_BYTES`].
    pub query: String,
    /// The number of matching units; rounded to two significant figures when `estimated`.
    pub total: usize,
    /// True when `total` and the facet counts are estimated from a sample of the matches (a
    /// broad query over a large index); the hits and their order are exact either way.
    pub estimated: bool,
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
