//! The `jurisdex` binary: exit codes, messages, scaffolding and terminal search.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::time::Instant;

use jurisdex::search::{SearchIndex, SearchRequest};
use jurisdex::site::{self, BUILD_PREFIX, INDEX_DIR};

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

/// Every file of a built site but the search index (whose segment names are random), by path.
fn site_files(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .filter(|e| !e.path().starts_with(dir.join(INDEX_DIR)))
        .map(|e| {
            let relative = e.path().strip_prefix(dir).unwrap().to_path_buf();
            (relative, std::fs::read(e.path()).unwrap())
        })
        .collect()
}

/// Hits for `word` in the output's search index.
fn index_hits(out: &Path, word: &str) -> usize {
    let index = SearchIndex::open(&out.join(INDEX_DIR)).expect("the index opens");
    index
        .search(&SearchRequest {
            q: word.into(),
            ..SearchRequest::default()
        })
        .total
}

#[test]
fn killing_a_build_leaves_the_old_or_the_new_output_never_a_mix() {
    let f = Fixture::shipped();
    let file = "jurisdictions/indonesia.md";
    let original = std::fs::read_to_string(f.content().join(file)).unwrap();
    let edited = original.replacen("ministry", "zqxkillmarker ministry", 1);
    assert_ne!(original, edited);
    let texts = [&original, &edited];

    // What a completed build publishes, for each version of the content.
    let expected = texts.map(|text| {
        f.write(file, text);
        let mut options = f.options();
        options.out_dir = tempfile::tempdir_in(f.dir.path()).unwrap().keep();
        site::build(&options).unwrap_or_else(|e| panic!("{e}"));
        site_files(&options.out_dir)
    });
    assert_ne!(expected[0], expected[1]);

    // Time one whole run of the binary, then kill builds at points spread across that time.
    f.write(file, &original);
    let timed = Instant::now();
    assert!(jurisdex(&f, &["build"]).status.success());
    let full = timed.elapsed();

    // Up to 40 rounds, killing at 0%, 15%, ... 195% of that time, until both outcomes were seen.
    let (mut current, mut killed, mut published) = (0, 0, 0);
    for step in 0..40u32 {
        if step >= 14 && killed > 0 && published > 0 {
            break;
        }
        let next = 1 - current;
        f.write(file, texts[next]);
        let mut child = f
            .command(&["build"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start jurisdex build");
        std::thread::sleep(full * (step % 14) * 3 / 20);
        let _ = child.kill();
        let status = child.wait().unwrap();
        let after = site_files(&f.out());
        if after == expected[current] {
            killed += 1;
            f.write(file, texts[current]);
        } else {
            assert!(
                after == expected[next],
                "step {step} ({status}): the output is neither the old build nor the new one"
            );
            published += 1;
            current = next;
        }
        assert_eq!(
            index_hits(&f.out(), "zqxkillmarker") > 0,
            current == 1,
            "step {step}: the search index is from another build than the pages"
        );
    }
    eprintln!(
        "{killed} builds killed before publishing, {published} published (a build takes {full:?})"
    );
    assert!(
        killed > 0,
        "no build was killed mid-way (a build takes {full:?})"
    );
    assert!(
        published > 0,
        "no build got to publish (a build takes {full:?})"
    );

    // The next build removes the staging directories the killed builds left behind.
    f.build().unwrap_or_else(|e| panic!("{e}"));
    let leftovers: Vec<_> = std::fs::read_dir(f.dir.path())
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.file_name())
        .filter(|name| name.to_string_lossy().starts_with(BUILD_PREFIX))
        .collect();
    assert!(leftovers.is_empty(), "left behind: {leftovers:?}");
}
