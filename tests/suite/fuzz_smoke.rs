//! The fuzz targets' smoke run: each target's checks (`fuzz/checks/`) on its committed seeds and
//! on a fixed number of inputs derived from them by the mutations a fuzzer makes (bytes flipped,
//! inserted, deleted, repeated, spliced from another seed, tokens of the input languages added).
//! The inputs come from the corpus generator's seeded numbers, so a run is repeatable; an input that breaks a check
//! is saved under `fuzz/artifacts/<target>/` for `cargo fuzz run <target> <file>`. The long,
//! coverage-guided runs are `fuzz/run.sh`.

use std::panic::{self, AssertUnwindSafe};
use std::path::PathBuf;

use arbitrary::{Arbitrary, Unstructured};
use jurisdex::tools::corpus::Rng;

use crate::fuzz_checks::{build_entry, front_matter, query, query_language};
use crate::support::manifest_dir;

/// Pieces of the inputs' languages (YAML front matter, Markdown, the query language, HTML) that
/// a mutation may insert.
const TOKENS: &[&[u8]] = &[
    b"---\n",
    b": ",
    b"\n  - ",
    b"\n    ",
    b"\"",
    b"'",
    b"-",
    b":",
    b"*",
    b"kind:",
    b"jurisdiction:",
    b"[link](#x)",
    b"<script>",
    b"&amp;",
    b"\0",
    b"\t",
    "é".as_bytes(),
    "الحجب".as_bytes(),
    "封锁".as_bytes(),
    b"\xff",
    b"{",
    b"}",
    b"|",
];

/// `input` changed by one to four of the mutations a fuzzer makes, with `seeds` to splice from.
fn mutate(rng: &mut Rng, input: &[u8], seeds: &[Vec<u8>]) -> Vec<u8> {
    let mut out = input.to_vec();
    for _ in 0..=rng.below(4) {
        let at = rng.below(out.len() + 1);
        match rng.below(6) {
            0 if !out.is_empty() => {
                let at = at.min(out.len() - 1);
                out[at] ^= 1 << rng.below(8);
            }
            1 => out.insert(at, rng.below(256) as u8),
            2 if at < out.len() => {
                let end = (at + 1 + rng.below(16)).min(out.len());
                out.drain(at..end);
            }
            3 if at < out.len() => {
                let end = (at + 1 + rng.below(32)).min(out.len());
                let copy = out[at..end].to_vec();
                out.splice(at..at, copy);
            }
            4 => {
                let other = rng.pick(seeds);
                let start = rng.below(other.len() + 1);
                let end = (start + rng.below(64)).min(other.len());
                out.splice(at..at, other[start..end].iter().copied());
            }
            _ => {
                let token = *rng.pick(TOKENS);
                out.splice(at..at, token.iter().copied());
            }
        }
    }
    out
}

/// The committed seeds of a target, in name order.
fn seeds(target: &str) -> Vec<Vec<u8>> {
    let dir = manifest_dir().join("fuzz/seeds").join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("a seed").path())
        .collect();
    files.sort();
    let seeds: Vec<Vec<u8>> = files
        .iter()
        .map(|file| std::fs::read(file).unwrap_or_else(|e| panic!("{}: {e}", file.display())))
        .collect();
    assert!(!seeds.is_empty(), "{} holds no seed", dir.display());
    seeds
}

/// Runs `check` on every seed of `target`, then on `derived` inputs mutated from them. An input
/// that makes `check` panic is saved, and the panic goes on with the file's name.
fn smoke(target: &str, derived: usize, mut check: impl FnMut(&[u8])) {
    let seeds = seeds(target);
    let mut generator = Rng::new(0x6a75_7269_7364_6578, target.len() as u64);
    let inputs = seeds.iter().cloned().chain((0..derived).map(|_| {
        let seed = generator.pick(&seeds);
        mutate(&mut generator, seed, &seeds)
    }));
    for (n, input) in inputs.enumerate() {
        if let Err(panic) = panic::catch_unwind(AssertUnwindSafe(|| check(&input))) {
            let dir = manifest_dir().join("fuzz/artifacts").join(target);
            let file = dir.join(format!("smoke-{n}"));
            std::fs::create_dir_all(&dir).expect("the artifacts directory");
            std::fs::write(&file, &input).expect("the input is saved");
            eprintln!(
                "{target}: input {n} broke a check; saved as {} (cargo fuzz run {target} {0})",
                file.display()
            );
            panic::resume_unwind(panic);
        }
    }
    println!(
        "{target}: {} seeds and {derived} derived inputs",
        seeds.len()
    );
}

#[test]
fn front_matter_checks_hold_on_seeds_and_mutations() {
    smoke("front_matter", 10_000, front_matter::check);
}

#[test]
fn query_checks_hold_on_seeds_and_mutations() {
    smoke("query", 10_000, query::check);
}

#[test]
fn query_language_checks_hold_on_seeds_and_mutations() {
    let mut generated = 0;
    smoke("query_language", 2_000, |bytes| {
        // As libFuzzer hands bytes to the target: the grammar takes what it needs from them.
        if let Ok(input) = query_language::Input::arbitrary_take_rest(Unstructured::new(bytes)) {
            generated += 1;
            query_language::check(input);
        }
    });
    assert!(generated > 1_000, "only {generated} inputs made a query");
}

#[test]
fn build_entry_checks_hold_on_seeds_and_mutations() {
    smoke("build_entry", 200, build_entry::check);
}
