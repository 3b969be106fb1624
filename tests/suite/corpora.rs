//! Hostile and malformed input from `../shared/corpora`: clear errors, no panics, old build kept.

use std::fs;
use std::path::{Path, PathBuf};

use crate::support::{Fixture, shared_dir};
use jurisdex::diagnostics::Diagnostic;

/// Every file of a corpus directory with one of the extensions.
fn corpus_files(dir: &Path, extension: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == extension))
        .collect();
    files.sort();
    files
}

/// Asserts each named file under `jurisdictions/` got at least one error that names it and a line.
fn assert_each_file_has_an_error(errors: &[Diagnostic], names: &[String]) {
    for name in names {
        let hit = errors
            .iter()
            .find(|d| d.path.file_name().is_some_and(|f| f == name.as_str()))
            .unwrap_or_else(|| panic!("no error for {name}"));
        assert!(hit.line >= 1 && hit.column >= 1, "{hit}");
        assert!(!hit.message.is_empty(), "{hit}");
    }
}

#[test]
fn malformed_yaml_corpus_gives_clear_errors_and_keeps_the_old_build() {
    let Some(shared) = shared_dir() else { return };
    let suite = shared.join("corpora/yaml-test-suite");
    let f = Fixture::new("basic");
    f.build().expect("fixture builds");
    let before = f.read_out("jurisdictions/alpha/index.html");
    let mut names = Vec::new();
    for (n, path) in corpus_files(&suite.join("invalid"), "yaml")
        .into_iter()
        .chain(corpus_files(&suite.join("serde-yaml-error-cases"), "yaml"))
        .enumerate()
    {
        let yaml = fs::read_to_string(&path).unwrap();
        let name = format!("case-{n}.md");
        f.write(
            &format!("jurisdictions/{name}"),
            &format!("---\n{yaml}\n---\nBody.\n"),
        );
        names.push(name);
    }
    assert!(
        names.len() > 100,
        "expected the whole corpus, got {}",
        names.len()
    );
    assert_each_file_has_an_error(&f.check_errors(), &names);
    assert!(f.build().is_err());
    assert_eq!(f.read_out("jurisdictions/alpha/index.html"), before);
}

#[test]
fn real_malformed_front_matter_names_the_file_and_a_line() {
    let Some(shared) = shared_dir() else { return };
    let f = Fixture::new("basic");
    let mut names = Vec::new();
    for path in corpus_files(
        &shared.join("corpora/gesetze-de/malformed-frontmatter"),
        "md",
    ) {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        fs::copy(&path, f.content().join("jurisdictions").join(&name)).unwrap();
        names.push(name);
    }
    assert_eq!(names.len(), 20);
    assert_each_file_has_an_error(&f.check_errors(), &names);
}

#[test]
fn parsing_limits_stop_huge_deep_and_exploding_input() {
    let f = Fixture::new("basic");
    let deep = format!(
        "---\nid: deep\nx: {}{}\n---\n",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    f.write("jurisdictions/deep.md", &deep);
    let laughs = "---\na: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\nh: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\ni: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\n---\n";
    f.write("jurisdictions/laughs.md", laughs);
    let mut huge = String::from("---\nid: huge\n---\n");
    huge.push_str(&"x".repeat(50 * 1024 * 1024));
    f.write("jurisdictions/huge.md", &huge);
    let errors = f.check_errors();
    let text: Vec<String> = errors.iter().map(ToString::to_string).collect();
    // Entries refuse unknown keys before descending, so the bombs never expand; the parser's own
    // limits are tested on untyped YAML in `load::tests`.
    assert!(text.iter().any(|t| t.contains("deep.md:3:1:")), "{text:#?}");
    assert!(
        text.iter().any(|t| t.contains("laughs.md:2:1:")),
        "{text:#?}"
    );
    assert!(
        text.iter()
            .any(|t| t.contains("huge.md:1:1: file: is 52428817 bytes; the limit")),
        "{text:#?}"
    );
}

#[test]
fn pathological_markdown_renders_without_panicking() {
    let Some(shared) = shared_dir() else { return };
    let files = corpus_files(
        &shared.join("corpora/commonmark-spec/cmark-pathological"),
        "md",
    );
    assert!(files.len() >= 20);
    for path in files {
        let bytes = fs::read(&path).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        let rendered = jurisdex::markdown::render(&text);
        assert!(!rendered.html.contains("<script"), "{}", path.display());
    }
}
