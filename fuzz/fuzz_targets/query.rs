//! Any string as a search, with any facet values, against the test fixture's index. Must never
//! panic, and snippets must stay escaped: the only markup is `<mark>`.
//!
//! The checks are in `checks/query.rs`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| jurisdex_fuzz::query::check(data));
