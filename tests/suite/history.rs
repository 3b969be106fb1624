//! The entries' history from the content's git repository: a fixture repository of three commits
//! on three days gives the history page with each version's rating and power changes, the pages
//! of past versions by day, `history.json`, `?as_of=` in the API, day addresses resolved by the
//! server and versions in the Atom feed; an unchanged entry is known by its hash where the
//! repository lacks its blob; without a repository none of it is written. The
//! repository is made with the `git` command, which the build reads it with.

use std::fs;
use std::process::Command;

use axum::http::{StatusCode, header};
use jurisdex::server::{AppState, Snapshot, app};

use crate::support::{Fixture, get, missing};

/// Runs `git` in the fixture's content directory, committing as of `day` (UTC noon).
fn git(f: &Fixture, args: &[&str], day: &str) {
    let stamp = format!("{day}T12:00:00Z");
    let status = Command::new("git")
        .args(args)
        .current_dir(f.content())
        .env("GIT_AUTHOR_DATE", &stamp)
        .env("GIT_COMMITTER_DATE", &stamp)
        .env("GIT_AUTHOR_NAME", "Editor")
        .env("GIT_AUTHOR_EMAIL", "editor@example.org")
        .env("GIT_COMMITTER_NAME", "Editor")
        .env("GIT_COMMITTER_EMAIL", "editor@example.org")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", f.dir.path())
        .status()
        .expect("git runs");
    assert!(status.success(), "git {args:?} failed");
}

fn commit(f: &Fixture, day: &str, message: &str) {
    git(f, &["add", "-A"], day);
    git(f, &["commit", "-q", "-m", message], day);
}

/// Whether the `git` command is here to make the fixture repository (a failure in CI).
pub(crate) fn git_here() -> bool {
    let found = Command::new("git")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    found || missing::<()>("git", "the history tests cannot make their repository").is_some()
}

/// The basic fixture in a repository of three commits: first published on 2 November; on
/// 15 November the judicial authorisation rating goes from No to Partial; on 28 November a power
/// gets a court's role. Each with a changelog line.
pub(crate) fn fixture_with_history() -> Fixture {
    let f = Fixture::new("basic");
    git(&f, &["init", "-q", "-b", "main"], "2026-11-02");
    commit(&f, "2026-11-02", "First version");
    f.edit(
        "jurisdictions/alpha.md",
        "  judicial_authorisation:\n    value: \"no\"",
        "  judicial_authorisation:\n    value: partial",
    );
    f.edit(
        "jurisdictions/alpha.md",
        "changelog:\n",
        "changelog:\n  - date: 2026-11-15\n    change: A court now confirms blocking orders.\n",
    );
    commit(&f, "2026-11-15", "Alpha: judicial authorisation");
    let text = fs::read_to_string(f.content().join("jurisdictions/alpha.md")).unwrap();
    let at = text
        .find("court_role: ")
        .expect("alpha has a power with a court's role");
    let end = at + text[at..].find('\n').unwrap();
    let old_role = text[at..end].to_string();
    let new_role = if old_role.contains("before") {
        "court_role: after"
    } else {
        "court_role: before"
    };
    f.edit("jurisdictions/alpha.md", &old_role, new_role);
    f.edit(
        "jurisdictions/alpha.md",
        "changelog:\n",
        "changelog:\n  - date: 2026-11-28\n    change: The court's role in blocking revised.\n",
    );
    commit(&f, "2026-11-28", "Alpha: court's role");
    f
}

/// The `history` of an entry's JSON.
fn history_json(f: &Fixture, id: &str) -> serde_json::Value {
    let json: serde_json::Value =
        serde_json::from_str(&read(f, &format!("api/jurisdictions/{id}.json"))).unwrap();
    json["history"].clone()
}

fn read(f: &Fixture, path: &str) -> String {
    fs::read_to_string(f.out().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn history_pages_show_each_version_and_what_it_changed() {
    if !git_here() {
        return;
    }
    let f = fixture_with_history();
    f.build().expect("the fixture builds");
    let page = read(&f, "jurisdictions/alpha/history/index.html");
    // Written for every entry and opened by few readers, it links the site's stylesheet, where
    // the pages readers land on carry a copy of it.
    let head = &page[..page.find("</head>").expect("a head")];
    assert!(
        head.contains(r#"<link rel="stylesheet" href="/assets/style.css">"#)
            && !head.contains("<style>"),
        "{head}"
    );
    assert!(f.out().join("assets/style.css").is_file());
    for day in ["28 November 2026", "15 November 2026", "2 November 2026"] {
        assert!(page.contains(day), "the history lists the version of {day}");
    }
    let third_day = page.find("28 November 2026").unwrap();
    let second_day = page.find("15 November 2026").unwrap();
    let first_day = page.find("2 November 2026").unwrap();
    assert!(
        third_day < second_day && second_day < first_day,
        "newest first"
    );
    let second = &page[second_day..first_day];
    assert!(second.contains("Judicial authorisation"));
    assert!(
        second.contains("<td>No</td><td>Partial</td>"),
        "the rating before and after: {second}"
    );
    assert!(second.contains("A court now confirms blocking orders."));
    let third = &page[third_day..second_day];
    assert!(
        third.contains("changed (court&#39;s role)") || third.contains("changed (court's role)")
    );
    assert!(third.contains("Current"));
    assert!(page[first_day..].contains("First published"));

    // The past versions in full, marked as such; the current day leads to the entry.
    let first_page = read(&f, "jurisdictions/alpha/as-of/2026-11-02/index.html");
    assert!(first_page.contains("An earlier version."));
    assert!(first_page.contains(r#"<meta name="robots" content="noindex">"#));
    let rating = |html: &str| {
        let at = html
            .find(r#"id="safeguard-judicial-authorisation""#)
            .unwrap();
        html[at..at + 600].to_string()
    };
    assert!(
        rating(&first_page).contains("badge v-no"),
        "{}",
        rating(&first_page)
    );
    let second_page = read(&f, "jurisdictions/alpha/as-of/2026-11-15/index.html");
    assert!(rating(&second_page).contains("badge v-partial"));
    assert!(
        second_page.contains("/jurisdictions/alpha/as-of/2026-11-15/?v="),
        "its citations give the address of the version"
    );
    let today = read(&f, "jurisdictions/alpha/as-of/2026-11-28/index.html");
    assert!(today.contains(r#"http-equiv="refresh""#) && today.contains("/jurisdictions/alpha/"));
    // The entry links to its history, and its cite box to the address that keeps this version.
    let entry = read(&f, "jurisdictions/alpha/index.html");
    assert!(entry.contains(r#"href="/jurisdictions/alpha/history/">History</a>"#));
    assert!(entry.contains("This version stays readable at"));
    assert!(entry.contains("http://127.0.0.1:8080/jurisdictions/alpha/as-of/2026-11-28/"));

    // The same as JSON, in the entry's.
    let index = history_json(&f, "alpha");
    let versions = index["versions"].as_array().unwrap();
    assert_eq!(versions.len(), 3);
    assert_eq!(versions[1]["date"], "2026-11-15");
    assert_eq!(versions[1]["ratings"][0]["before"], "No");
    assert_eq!(versions[1]["ratings"][0]["after"], "Partial");
    assert_eq!(
        versions[1]["json"],
        "/api/jurisdictions/alpha/as-of/2026-11-15.json"
    );
    let old: serde_json::Value =
        serde_json::from_str(&read(&f, "api/jurisdictions/alpha/as-of/2026-11-02.json")).unwrap();
    assert_eq!(old["safeguards"]["judicial_authorisation"]["value"], "no");
    // An entry that never changed has one version, the current one.
    let beta: serde_json::Value = history_json(&f, "beta");
    assert_eq!(beta["versions"].as_array().unwrap().len(), 1);
    assert_eq!(beta["versions"][0]["current"], true);

    // The feed announces the latest version, with what it changed and its day's page.
    let feed = read(&f, "feed.xml");
    let doc = roxmltree::Document::parse(&feed).expect("the feed is XML");
    let alpha = doc
        .descendants()
        .filter(|n| n.has_tag_name("entry"))
        .find(|n| {
            n.descendants().any(|t| {
                t.has_tag_name("title")
                    && t.text().is_some_and(|title| {
                        title.starts_with("Alpha")
                            && title.ends_with(": version of 28 November 2026")
                    })
            })
        })
        .expect("the feed has alpha's latest version");
    let content = alpha
        .descendants()
        .find(|n| n.has_tag_name("content"))
        .and_then(|n| n.text())
        .unwrap();
    assert!(content.contains("The court's role in blocking revised."));
    assert!(content.contains("court's role"));
    assert!(alpha.descendants().any(|n| n.has_tag_name("link")
        && n.attribute("rel") == Some("related")
        && n.attribute("href")
            == Some("http://127.0.0.1:8080/jurisdictions/alpha/as-of/2026-11-28/")));
}

#[tokio::test]
async fn the_server_answers_any_day_with_the_version_of_that_day() {
    if !git_here() {
        return;
    }
    let f = fixture_with_history();
    let built = f.build().expect("the fixture builds");
    let snapshot = Snapshot::open(&built.dir, &f.options(), 1, false).expect("snapshot opens");
    let router = app(AppState::new(snapshot));
    let rating = |json: &str| {
        let value: serde_json::Value = serde_json::from_str(json).expect("JSON");
        value["safeguards"]["judicial_authorisation"]["value"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let (status, _, body) = get(&router, "/api/jurisdictions/alpha?as_of=2026-11-10").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(rating(&body), "no");
    let (_, _, body) = get(&router, "/api/jurisdictions/alpha?as_of=2026-11-15").await;
    assert_eq!(rating(&body), "partial");
    let (_, _, today) = get(&router, "/api/jurisdictions/alpha?as_of=2030-01-01").await;
    let (_, _, current) = get(&router, "/api/jurisdictions/alpha").await;
    assert_eq!(today, current, "after the last version: the current entry");
    let (status, _, body) = get(&router, "/api/jurisdictions/alpha?as_of=2026-11-01").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body.contains("no published version on or before 2026-11-01"));
    let (status, _, body) = get(&router, "/api/jurisdictions/alpha?as_of=March").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("is not a day"));

    // A day without a page of its own leads to the version that stood at its end.
    let (status, headers, _) = get(&router, "/jurisdictions/alpha/as-of/2026-11-20/").await;
    assert_eq!(status, StatusCode::FOUND);
    assert_eq!(
        headers[header::LOCATION],
        "/jurisdictions/alpha/as-of/2026-11-15/"
    );
    let (_, headers, _) = get(&router, "/jurisdictions/alpha/as-of/2027-05-01/").await;
    assert_eq!(headers[header::LOCATION], "/jurisdictions/alpha/");
    let (status, _, body) = get(&router, "/jurisdictions/alpha/as-of/2026-11-02/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("An earlier version."));
    let (status, _, _) = get(&router, "/jurisdictions/alpha/as-of/2026-06-01/").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[test]
fn versions_before_the_first_day_of_the_history_are_folded_into_one() {
    if !git_here() {
        return;
    }
    let f = fixture_with_history();
    f.write("site.yaml", "history_since: 2026-11-20\n");
    f.build().expect("the fixture builds");
    let index = history_json(&f, "alpha");
    let versions = index["versions"].as_array().unwrap();
    let days: Vec<_> = versions
        .iter()
        .map(|v| v["date"].as_str().unwrap())
        .collect();
    assert_eq!(days, ["2026-11-28", "2026-11-15"]);
    assert_eq!(versions[1]["first"], true);
    // The first version shows the line it was published with, not the entry's whole past.
    assert_eq!(
        versions[1]["changelog"],
        serde_json::json!(["2026-11-15: A court now confirms blocking orders."])
    );
    assert!(
        !f.out()
            .join("jurisdictions/alpha/as-of/2026-11-02")
            .exists()
    );
}

#[test]
fn without_a_repository_no_history_is_written_and_nothing_else_changes() {
    let f = Fixture::new("basic");
    f.build().expect("the fixture builds");
    assert!(!f.out().join("jurisdictions/alpha/history").exists());
    let json: serde_json::Value =
        serde_json::from_str(&read(&f, "api/jurisdictions/alpha.json")).unwrap();
    assert!(json.get("history").is_none());
    let entry = read(&f, "jurisdictions/alpha/index.html");
    assert!(!entry.contains(">History</a>"));
    assert!(!entry.contains("This version stays readable at"));
    assert!(read(&f, "feed.xml").contains(": reviewed 1 November 2026</title>"));
}

/// A repository the build cannot read (here, without the `git` command) is a warning naming the
/// cause; the site is built as without a repository.
#[test]
fn a_repository_without_the_git_command_builds_without_history_and_says_why() {
    if !git_here() {
        return;
    }
    let f = fixture_with_history();
    let empty = tempfile::tempdir().unwrap();
    let out = f
        .command(&["build"])
        .env("PATH", empty.path())
        .output()
        .expect("jurisdex runs");
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{log}");
    assert!(
        log.contains("the `git` command is not installed")
            && log.contains("the entries' history and past versions are left out"),
        "{log}"
    );
    assert!(!f.out().join("jurisdictions/alpha/history").exists());
    assert!(history_json(&f, "alpha").is_null());
}

/// The build reads the repository that holds the content, whatever `GIT_DIR` the environment
/// names (a build run from a git hook has one set).
#[test]
fn the_history_is_read_from_the_contents_repository_whatever_git_dir_says() {
    if !git_here() {
        return;
    }
    let f = fixture_with_history();
    let elsewhere = tempfile::tempdir().unwrap();
    let out = f
        .command(&["build"])
        .env("GIT_DIR", elsewhere.path())
        .env("GIT_WORK_TREE", elsewhere.path())
        .output()
        .expect("jurisdex runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let history = history_json(&f, "alpha");
    assert_eq!(
        history["versions"].as_array().map(Vec::len),
        Some(3),
        "{history}"
    );
}

/// An entry whose text today is its last committed version is known by the hash of that text, so
/// its history holds even where the repository lacks the blob (a partial clone, `--filter=blob:none`).
#[test]
fn an_unchanged_entry_is_known_by_its_hash_without_reading_its_blob() {
    if !git_here() {
        return;
    }
    let f = Fixture::new("basic");
    git(&f, &["init", "-q", "-b", "main"], "2026-11-02");
    commit(&f, "2026-11-02", "First version");
    let blob = Command::new("git")
        .args(["rev-parse", "HEAD:jurisdictions/beta.md"])
        .current_dir(f.content())
        .output()
        .expect("git runs");
    let blob = String::from_utf8(blob.stdout).unwrap();
    let blob = blob.trim();
    let loose = f
        .content()
        .join(".git/objects")
        .join(&blob[..2])
        .join(&blob[2..]);
    fs::remove_file(&loose).unwrap_or_else(|e| panic!("{}: {e}", loose.display()));
    f.build().expect("the fixture builds");
    let index = history_json(&f, "beta");
    assert_eq!(index["uncommitted"], false, "{index}");
    let versions = index["versions"].as_array().unwrap();
    assert_eq!(versions.len(), 1, "{index}");
    assert_eq!(versions[0]["current"], true, "{index}");
    assert_eq!(versions[0]["date"], "2026-11-02", "{index}");
}
