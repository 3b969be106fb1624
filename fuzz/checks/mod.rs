//! What each fuzz target checks, one module per target, as plain functions of the input: the
//! targets in `fuzz_targets/` hand libFuzzer's inputs to them, and the integration tests run them
//! over the committed seeds and inputs derived from them (`tests/suite/fuzz_smoke.rs`), so CI
//! checks the same promises without building the instrumented targets.

use std::path::{Path, PathBuf};

pub mod build_entry;
pub mod fixture_index;
pub mod front_matter;
pub mod query;
pub mod query_language;

/// The repository's root, whichever crate compiles these checks: the fuzz crate (in `fuzz/`) or
/// the main crate's integration tests.
pub fn repo_dir() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    if manifest.join("tests/fixtures").is_dir() {
        manifest.to_path_buf()
    } else {
        manifest.join("..")
    }
}
