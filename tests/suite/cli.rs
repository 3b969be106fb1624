//! The `jurisdex` binary: exit codes, messages, scaffolding and terminal search.

use std::process::Output;

use crate::support::Fixture;

fn jurisdex(f: &Fixture, args: &[&str]) -> Output {
    f.command(args).output().expect("run jurisdex")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn check_exits_zero_on_valid_content_and_one_on_errors() {
    let f = Fixture::new("basic");
    let ok = jurisdex(&f, &["check"]);
    assert!(ok.status.success(), "{}", stderr(&ok));
    assert!(stderr(&ok).contains("0 error(s)"));
    f.edit(
        "jurisdictions/alpha.md",
        "legal_system: civil law",
        "legal_sytem: civil law",
    );
    let bad = jurisdex(&f, &["check"]);
    assert_eq!(bad.status.code(), Some(1));
    let text = stderr(&bad);
    assert!(
        text.contains("alpha.md:7:1: front matter: unknown field `legal_sytem`"),
        "{text}"
    );
}

#[test]
fn build_reports_errors_and_keeps_previous_output() {
    let f = Fixture::new("basic");
    assert!(jurisdex(&f, &["build"]).status.success());
    f.edit("jurisdictions/beta.md", "iso: BE", "iso: Belgium");
    let bad = jurisdex(&f, &["build"]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(stderr(&bad).contains("previous output was left untouched"));
    assert!(f.out().join("jurisdictions/beta/index.html").exists());
}

#[test]
fn new_jurisdiction_scaffolds_an_entry_that_passes_check() {
    let f = Fixture::new("basic");
    let out = jurisdex(
        &f,
        &["new", "jurisdiction", "viet-nam", "--name", "Viet Nam"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let text = std::fs::read_to_string(f.content().join("jurisdictions/viet-nam.md")).unwrap();
    assert!(text.contains("name: Viet Nam"));
    let check = jurisdex(&f, &["check"]);
    assert!(check.status.success(), "{}", stderr(&check));
    assert!(
        stderr(&check).contains("viet-nam.md"),
        "unsure placeholders are warned about"
    );
    let again = jurisdex(&f, &["new", "jurisdiction", "viet-nam"]);
    assert!(!again.status.success());
    assert!(stderr(&again).contains("already exists"));
    let bad = jurisdex(&f, &["new", "jurisdiction", "Viet Nam"]);
    assert!(stderr(&bad).contains("not a valid id"));
}

#[test]
fn search_prints_hits_and_json() {
    let f = Fixture::new("basic");
    let out = jurisdex(&f, &["search", "blocking", "--limit", "3"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("/jurisdictions/alpha/#"), "{text}");
    let json = jurisdex(&f, &["search", "TCO Regulation", "--json"]);
    let value: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(
        value["hits"][0]["url"],
        "/jurisdictions/beta/#instrument-tco"
    );
}

#[test]
fn check_also_fails_on_a_dangling_link() {
    let f = Fixture::new("basic");
    f.edit(
        "pages/about.md",
        "(/jurisdictions/alpha/#case-1)",
        "(/jurisdictions/gamma/)",
    );
    let out = jurisdex(&f, &["check"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("about/index.html: link `/jurisdictions/gamma/`: no file"),
        "{}",
        stderr(&out)
    );
}
