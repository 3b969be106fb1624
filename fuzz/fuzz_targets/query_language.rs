//! Queries generated from the search's query language (words as indexed, inflected, misspelt or
//! in other scripts, very long words, citations, `"phrases"`, `-exclusions`, `name:value`
//! filters, words that look like operators) and run against the test fixture's index, with the
//! request's own filter fields. Must never panic, and what the engine promises must hold:
//!
//! - a page holds `min(limit, total - offset)` hits, and the kind facet counts every match once;
//! - snippets are the text escaped with `<mark>` around in-bounds, ordered highlights, nothing else;
//! - whitespace between terms (any amount, any kind) and control characters anywhere change
//!   nothing; the order of the terms changes neither the total nor the facet counts;
//! - a `name:value` filter in the query and the same filter as a request field give the same
//!   results; hits satisfy the `kind:` and `jurisdiction:` filters, included and excluded;
//! - a word excluded with `-` is in no hit's snippet, and for a query `q`, `q -x` and `q "x"`
//!   split the matches of `q` between them (no typo retry, no n-gram scripts).
//!
//! The grammar and the checks are in `checks/query_language.rs`.
#![no_main]

use jurisdex_fuzz::query_language::{Input, check};

libfuzzer_sys::fuzz_target!(|input: Input| check(input));
