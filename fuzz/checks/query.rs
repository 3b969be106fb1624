//! Any string as a search, with any facet values, against the test fixture's index. Must never
//! panic, and snippets must stay escaped: the only markup is `<mark>`.

use super::fixture_index;

use jurisdex::search::{self, SearchIndex, SearchRequest};

/// The fixture's index, in this target's own work directory.
fn index() -> &'static SearchIndex {
    fixture_index::index(".jurisdex-fuzz-query-")
}

/// Splits the input into a query and facet values on `\u{1}`, so facets get fuzzed too.
fn request(text: &str) -> SearchRequest {
    let mut parts = text.split('\u{1}').map(str::to_string);
    SearchRequest {
        q: parts.next().unwrap_or_default(),
        region: parts.next(),
        grouping: parts.next(),
        kind: parts.next(),
        value: parts.next(),
        authority_type: parts.next(),
        jurisdiction: parts.next(),
        limit: Some(text.len() % 120),
        offset: Some(text.len() % 7),
    }
}

/// Runs one input through the target and checks what must hold.
pub fn check(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let results = index().search(&request(&text));
    assert!(results.query.len() <= search::MAX_QUERY_BYTES);
    assert!(results.hits.len() <= results.limit);
    for hit in &results.hits {
        let without_marks = hit
            .snippet_html
            .replace("<mark>", "")
            .replace("</mark>", "");
        assert!(
            !without_marks.contains('<') && !without_marks.contains('>'),
            "unescaped snippet: {}",
            hit.snippet_html
        );
    }
}
