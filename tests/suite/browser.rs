//! jurisdex as people use it: the real `jurisdex serve` driven by headless Chromium through
//! Playwright (`tests/browser/*.mjs`): journeys, accessibility (axe-core and the keyboard), pages
//! without JavaScript, layout at 375 and 1,440 px in light and dark, printing to PDF, and
//! citations (copying, a section's citation, what changed since a cited version).
//! Skipped with a message when Chromium, Node or `tests/browser/node_modules` is absent; a failure
//! when `CI=true`.

use std::path::PathBuf;
use std::process::{Command, Stdio};

use crate::support::{Fixture, chromium, manifest_dir, missing};
use jurisdex::model::{ContentVersion, Date};

/// True when `program <version_flag>` runs.
fn runs(program: &str, version_flag: &str) -> bool {
    Command::new(program)
        .arg(version_flag)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// The Node suites (`tests/browser/*.mjs`) and the browser they launch.
pub struct BrowserSuites {
    dir: PathBuf,
    browser: PathBuf,
}

/// The Node suites and their browser, when Chromium, Node and the npm packages are all present.
pub fn browser_suites(skipped: &str) -> Option<BrowserSuites> {
    let browser = chromium(skipped)?;
    let node_20 = Command::new("node")
        .args([
            "-e",
            "process.exit(+process.versions.node.split('.')[0] >= 20 ? 0 : 1)",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !node_20 {
        return missing("node (version 20 or newer, for playwright-core)", skipped);
    }
    let dir = manifest_dir().join("tests/browser");
    if !dir.join("node_modules/playwright-core").is_dir() {
        return missing(
            "tests/browser/node_modules (run `npm ci --prefix tests/browser`)",
            skipped,
        );
    }
    Some(BrowserSuites { dir, browser })
}

impl BrowserSuites {
    /// Runs `node tests/browser/<suite>.mjs <args>` with the chosen browser (`CHROMIUM`); prints
    /// its report and fails when it fails.
    pub fn run(&self, suite: &str, args: &[String]) {
        let output = Command::new("node")
            .arg(self.dir.join(format!("{suite}.mjs")))
            .args(args)
            .env("CHROMIUM", &self.browser)
            .env("JURISDEX_ARTIFACTS", manifest_dir().join("artifacts"))
            .stdin(Stdio::null())
            .output()
            .expect("start node");
        println!("{}", String::from_utf8_lossy(&output.stdout));
        eprintln!("{}", String::from_utf8_lossy(&output.stderr));
        assert!(
            output.status.success(),
            "browser suite `{suite}` failed ({}); its report is above",
            output.status
        );
    }
}

/// The shipped content, with one alias added so a redirecting old address can be followed.
fn shipped_site() -> Fixture {
    let f = Fixture::shipped();
    f.edit(
        "jurisdictions/indonesia.md",
        "aliases: []",
        "aliases: [republic-of-indonesia]",
    );
    f
}

/// Serves the shipped content and runs one suite against it.
fn run_on_shipped_content(suite: &str, skipped: &str) {
    let Some(suites) = browser_suites(skipped) else {
        return;
    };
    let f = shipped_site();
    let server = f.serve(&[]);
    suites.run(suite, &[server.url()]);
}

#[test]
fn journeys_work_in_chromium() {
    run_on_shipped_content(
        "journeys",
        "the browser journeys (matrix, live search, compare, collections, copy-link, alias) did not run",
    );
}

#[test]
fn every_page_type_passes_axe_and_works_by_keyboard() {
    run_on_shipped_content(
        "accessibility",
        "axe-core and the keyboard checks did not run",
    );
}

#[test]
fn search_facets_compare_and_collections_work_without_javascript() {
    run_on_shipped_content("no-js", "the no-JavaScript checks did not run");
}

#[test]
fn layout_holds_at_375_and_1440_px_in_light_and_dark() {
    run_on_shipped_content("layout", "the layout checks and screenshots did not run");
}

#[test]
fn entries_comparisons_and_handouts_print_cleanly() {
    let skipped = "the print checks did not run";
    if !runs("pdftotext", "-v") || !runs("pdfinfo", "-v") {
        missing::<()>("pdftotext/pdfinfo (poppler-utils)", skipped);
        return;
    }
    run_on_shipped_content("print", skipped);
}

#[test]
fn citations_copy_pin_sections_and_say_what_changed_since() {
    let skipped = "the citation checks did not run";
    let Some(suites) = browser_suites(skipped) else {
        return;
    };
    let f = shipped_site();
    f.write(
        "site.yaml",
        "report_errors_to: mailto:corrections@example.org\n",
    );
    // A version of the Indonesia entry cited on the day it was first published, before its
    // latest review.
    let old = ContentVersion::of_source(Date::parse("2026-11-24").unwrap(), "an earlier text");
    let server = f.serve(&[]);
    suites.run("citations", &[server.url(), old.to_string()]);
}
