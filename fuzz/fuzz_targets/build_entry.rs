//! Any bytes as one more entry of the test fixture's site (`jurisdictions/fuzz.md`), built by
//! `site::build`, the function `jurisdex build` calls, with the real templates. Must never panic.
//! An input that starts with a byte of 0x80 or more is spliced into an entry that builds instead
//! (see [`entry_file`]): whole files mutated byte by byte almost never pass validation, and the
//! output is checked only when they do.
//! A build that succeeds must have written a well-formed Atom feed, CSV files whose records all
//! have the same number of fields, JSON that parses and HTML without raw control characters; a
//! build that fails on its content must point every diagnostic at a real line of a real file.
//!
//! The checks are in `checks/build_entry.rs`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| jurisdex_fuzz::build_entry::check(data));
