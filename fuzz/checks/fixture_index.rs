//! The test fixture's search index, shared by the query fuzz targets: built once per run into a
//! work directory named after the process (a static is never dropped, so the directory outlives
//! the run: the next run removes it).

use std::sync::OnceLock;

use jurisdex::search::{self, SearchIndex};
use jurisdex::site;

/// The index, built on first call into a work directory whose name starts with `prefix`.
pub fn index(prefix: &str) -> &'static SearchIndex {
    static INDEX: OnceLock<(tempfile::TempDir, SearchIndex)> = OnceLock::new();
    &INDEX
        .get_or_init(|| {
            let fixture = super::repo_dir().join("tests/fixtures/basic");
            let (loaded, site) = site::check(&fixture);
            assert!(!loaded.report.has_errors(), "the fixture is valid");
            let dir = site::work_dir(&std::env::temp_dir(), prefix).expect("a temporary directory");
            search::build_index(&site, dir.path()).expect("the fixture indexes");
            let index = SearchIndex::open(dir.path()).expect("the index opens");
            (dir, index)
        })
        .1
}
