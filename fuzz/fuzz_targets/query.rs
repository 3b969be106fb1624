//! Any string as a search, with any facet values, against the test fixture's index. Must never
//! panic, and snippets must stay escaped: the only markup is `<mark>`.
#![no_main]

use std::path::Path;
use std::sync::OnceLock;

use jurisdex::search::{self, SearchIndex, SearchRequest};
use jurisdex::site;
use libfuzzer_sys::fuzz_target;

/// An index of the fixture content, built once into a directory that lives as long as the run.
fn index() -> &'static SearchIndex {
    static INDEX: OnceLock<(tempfile::TempDir, SearchIndex)> = OnceLock::new();
    &INDEX
        .get_or_init(|| {
            let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/basic");
            let (loaded, site) = site::check(&fixture);
            assert!(!loaded.report.has_errors(), "the fixture is valid");
            // A static is never dropped, so the directory outlives the run: the next run
            // removes it.
            let dir = site::work_dir(&std::env::temp_dir(), ".jurisdex-fuzz-query-")
                .expect("a temporary directory");
            search::build_index(&site, dir.path()).expect("the fixture indexes");
            let index = SearchIndex::open(dir.path()).expect("the index opens");
            (dir, index)
        })
        .1
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

fuzz_target!(|data: &[u8]| {
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
});
