//! `jurisdex gen-corpus`: generated entries pass `check`, and a seed always writes the same files.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use crate::support::manifest_dir;

/// Runs `jurisdex gen-corpus <count> --content <dir> [extra]` and returns its stderr.
fn gen_corpus(dir: &Path, count: &str, extra: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_jurisdex"))
        .args(["gen-corpus", count, "--content"])
        .arg(dir)
        .args(extra)
        .output()
        .expect("run jurisdex gen-corpus")
}

/// Every file under `dir`, by relative path.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let name = e.path().strip_prefix(dir).unwrap().display().to_string();
            (name, fs::read(e.path()).unwrap())
        })
        .collect()
}

#[test]
fn generated_entries_pass_check_and_a_seed_is_reproducible() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b, c) = (
        tmp.path().join("a"),
        tmp.path().join("b"),
        tmp.path().join("c"),
    );
    for (dir, seed) in [(&a, "7"), (&b, "7"), (&c, "8")] {
        let out = gen_corpus(dir, "5", &["--seed", seed]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let first = files(&a);
    assert_eq!(
        first
            .keys()
            .filter(|k| k.starts_with("jurisdictions/"))
            .count(),
        5
    );
    assert_eq!(first, files(&b), "same seed, different files");
    assert_ne!(first, files(&c), "different seeds, same files");

    let check = std::process::Command::new(env!("CARGO_BIN_EXE_jurisdex"))
        .arg("check")
        .arg("--content")
        .arg(&a)
        .arg("--templates")
        .arg(manifest_dir().join("templates"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&check.stderr);
    assert!(check.status.success(), "{text}");
    assert!(
        text.contains("checked 5 jurisdiction(s)") && text.contains(" 0 error(s)"),
        "{text}"
    );
}

#[test]
fn gen_corpus_refuses_a_directory_that_is_not_empty() {
    let tmp = tempfile::tempdir().unwrap();
    fs::write(tmp.path().join("keep.md"), "mine").unwrap();
    let out = gen_corpus(tmp.path(), "2", &[]);
    assert!(!out.status.success());
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(text.contains("is not empty"), "{text}");
    assert_eq!(
        fs::read_to_string(tmp.path().join("keep.md")).unwrap(),
        "mine"
    );
}
