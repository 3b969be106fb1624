//! Any bytes as an entry file: split, parsed, rendered and validated against the test fixture's
//! taxonomy. Must never panic, and every problem must point at a real line of the input.
//!
//! The checks are in `checks/front_matter.rs`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| jurisdex_fuzz::front_matter::check(data));
