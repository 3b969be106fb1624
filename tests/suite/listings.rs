//! Sites larger than one page of listing: the matrix, entries list, topics and grouping comparisons
//! are paged, the feed keeps the latest reviews, and an edit re-renders only the listing pages that
//! show the edited entry (or whose rows it moved).

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use axum::http::{StatusCode, header};
use jurisdex::catalog::Catalog;
use jurisdex::config::Config;
use jurisdex::model::{SafeguardKey, Value};
use jurisdex::render::{COMPARE_PAGE_SIZE, FEED_ENTRIES, PAGE_SIZE};
use jurisdex::server::{AppState, Snapshot, app};
use jurisdex::site::{self};

use crate::support::{get, manifest_dir};

/// Entries in the generated site: three matrix pages, the last one partial.
const ENTRIES: usize = 2 * PAGE_SIZE + 30;

struct Generated {
    dir: tempfile::TempDir,
}

impl Generated {
    fn new() -> Generated {
        let dir = tempfile::tempdir().unwrap();
        jurisdex::tools::corpus::generate(&dir.path().join("content"), ENTRIES, 7).unwrap();
        Generated { dir }
    }

    fn options(&self) -> Config {
        Config {
            content_dir: self.dir.path().join("content"),
            templates_dir: manifest_dir().join("templates"),
            out_dir: self.dir.path().join("public"),
            base_url: "http://127.0.0.1:8080".into(),
            dev_reload: false,
            static_search: jurisdex::config::StaticSearch::Auto,
        }
    }

    fn out(&self) -> PathBuf {
        self.dir.path().join("public")
    }

    fn read(&self, file: &str) -> String {
        fs::read_to_string(self.out().join(file)).unwrap_or_else(|e| panic!("{file}: {e}"))
    }
}

/// The entry ids a page links to with `href="/jurisdictions/<id>/<suffix>`.
fn linked_ids(html: &str, suffix: &str) -> BTreeSet<String> {
    html.split("href=\"/jurisdictions/")
        .skip(1)
        .filter_map(|rest| {
            let (id, after) = rest.split_once('/')?;
            after.starts_with(suffix).then(|| id.to_string())
        })
        .collect()
}

#[test]
fn listings_are_paged_and_together_show_every_entry_once() {
    let g = Generated::new();
    let built = site::build(&g.options()).unwrap_or_else(|e| panic!("{e}"));
    let all: BTreeSet<String> = built.catalog.entries.iter().map(|j| j.id.clone()).collect();
    assert_eq!(all.len(), ENTRIES);

    // The matrix: `/`, `/page/2/`, `/page/3/`, each row once, in name order across pages.
    let pages = ["index.html", "page/2/index.html", "page/3/index.html"];
    let mut seen = BTreeSet::new();
    for (n, file) in pages.iter().enumerate() {
        let html = g.read(file);
        let rows = linked_ids(&html, "#safeguard-legal-clarity");
        let expected = if n < 2 {
            PAGE_SIZE
        } else {
            ENTRIES - 2 * PAGE_SIZE
        };
        assert_eq!(rows.len(), expected, "{file}");
        assert!(rows.is_disjoint(&seen), "{file} repeats rows");
        seen.extend(rows);
        assert!(html.contains(&format!("Page {} of 3", n + 1)), "{file}");
    }
    assert_eq!(seen, all);
    assert!(!g.out().join("page/4").exists());
    let home = g.read("index.html");
    assert!(home.contains(r#"<a rel="next" href="/page/2/">"#));
    assert!(home.contains("Who may block or remove"), "intro on page 1");
    assert!(
        !g.read("page/2/index.html")
            .contains("Who may block or remove")
    );
    let first = &built.catalog.entries[0];
    assert!(home.contains(&format!("/jurisdictions/{}/", first.id)));

    // The entries list and every topic page sequence cover every entry once.
    let mut listed = BTreeSet::new();
    for file in [
        "jurisdictions/index.html",
        "jurisdictions/page/2/index.html",
        "jurisdictions/page/3/index.html",
    ] {
        listed.extend(linked_ids(&g.read(file), "\""));
    }
    assert_eq!(listed, all);
    for key in ["user_notice", "judicial_authorisation"] {
        let anchor = format!("#safeguard-{}", key.replace('_', "-"));
        let mut rows = BTreeSet::new();
        for n in 1..=3 {
            let file = if n == 1 {
                format!("topics/{key}/index.html")
            } else {
                format!("topics/{key}/page/{n}/index.html")
            };
            let html = g.read(&file);
            let ids = linked_ids(&html, &anchor);
            assert!(ids.is_disjoint(&rows), "{file} repeats rows");
            rows.extend(ids);
            if n > 1 {
                // Later pages point to the counts, so that a moved rating leaves them alone.
                assert!(
                    html.contains(&format!(
                        " of {ENTRIES} jurisdictions; the count for each rating is on"
                    )),
                    "{file} tally"
                );
                assert!(
                    !html.contains(&format!("{ENTRIES} jurisdictions: ")),
                    "{file}"
                );
                continue;
            }
            assert!(
                html.contains(&format!("{ENTRIES} jurisdictions: ")),
                "{file} tally"
            );
            // The first page shows the whole topic's count of each value.
            let safeguard = SafeguardKey::ALL.iter().find(|k| k.key() == key).unwrap();
            for value in Value::ALL {
                let count = built
                    .catalog
                    .entries
                    .iter()
                    .filter(|j| j.rating(*safeguard).value == *value)
                    .count();
                let shown = format!("{count} {}", value.label().to_lowercase());
                let in_tally = [": ", ", "]
                    .iter()
                    .any(|before| html.contains(&format!("{before}{shown}")));
                assert_eq!(count > 0, in_tally, "{file}: {shown:?}");
            }
        }
        assert_eq!(rows, all, "topic {key}");
    }

    // The feed keeps the latest reviews; every grouping comparison is paged with its CSV.
    assert_eq!(g.read("feed.xml").matches("<entry>").count(), FEED_ENTRIES);
    for grouping in &built.catalog.taxonomy.groupings {
        let members = built
            .catalog
            .entries
            .iter()
            .filter(|j| j.groupings.contains(&grouping.id))
            .count();
        let pages = members.div_ceil(COMPARE_PAGE_SIZE);
        for n in 1..=pages {
            let dir = if n == 1 {
                format!("compare/{}/", grouping.id)
            } else {
                format!("compare/{}/page/{n}/", grouping.id)
            };
            let csv = g.read(&format!("{dir}compare.csv"));
            let shown = members.min(n * COMPARE_PAGE_SIZE) - (n - 1) * COMPARE_PAGE_SIZE;
            let columns: BTreeSet<&str> = csv
                .lines()
                .skip(1)
                .filter_map(|l| l.split(',').nth(1))
                .collect();
            assert_eq!(columns.len(), shown, "{dir}");
            assert!(
                g.read(&format!("{dir}index.html"))
                    .contains(&format!("/{dir}compare.csv"))
            );
        }
    }
    // Above 100 entries the compare form takes typed ids instead of a checkbox per entry.
    let form = g.read("compare/index.html");
    assert!(
        form.contains(r#"<input type="text" name="j" value="""#),
        "typed ids"
    );
    assert!(!form.contains(r#"type="checkbox" name="j""#));
    // Its markup (the stylesheet every page carries aside) stays small.
    let style = form.find("<style>").expect("a style")..form.find("</style>").expect("its end");
    let markup = form.len() - style.len();
    assert!(markup < 20_000, "the form is {markup} bytes");
    // The whole matrix is in the exports, whatever the paging.
    assert_eq!(g.read("export/matrix.csv").lines().count(), 1 + 8 * ENTRIES);
}

/// Every file under `dir`, relative to it, but the search index.
fn files(dir: &Path) -> BTreeSet<String> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| e.path().strip_prefix(dir).unwrap().display().to_string())
        .filter(|p| !p.starts_with(site::INDEX_DIR))
        .collect()
}

#[test]
fn an_edit_rewrites_only_the_listing_pages_that_show_the_entry() {
    let g = Generated::new();
    let options = g.options();
    let built = site::build(&options).unwrap_or_else(|e| panic!("{e}"));
    // An entry on the second matrix page (not among the latest reviews: the generated entries
    // share one review date, so the feed holds the first by name) with a known user-notice rating.
    let entry = built.catalog.entries[PAGE_SIZE + 5..2 * PAGE_SIZE]
        .iter()
        .find(|j| j.rating(SafeguardKey::UserNotice).value != Value::Unknown)
        .expect("a rated entry")
        .clone();
    let path = options
        .content_dir
        .join(format!("jurisdictions/{}.md", entry.id));
    let text = fs::read_to_string(&path).unwrap();
    let note = &entry.rating(SafeguardKey::UserNotice).note;
    let first_words: String = note
        .split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        text.contains(&first_words),
        "note {first_words:?} not found in the file"
    );
    fs::write(
        &path,
        text.replacen(&first_words, "Zanzibarish notice rules", 1),
    )
    .unwrap();

    let layer = g.dir.path().join("layer");
    fs::create_dir(&layer).unwrap();
    let updated = update(&options, &built.catalog, &[g.out()], &path, &layer)
        .expect("an edit of a rating note is incremental");
    // Its search index: the base's, with the edited entry indexed again.
    let index = site::update_index(
        &layer,
        &g.out().join(site::INDEX_DIR),
        &updated.catalog.taxonomy,
        &updated.entries,
    )
    .unwrap();
    let found = jurisdex::search::SearchIndex::open(&index).unwrap().search(
        &jurisdex::search::SearchRequest {
            q: "zanzibarish".into(),
            ..Default::default()
        },
    );
    assert!(
        found.total > 0,
        "the edited note is not found in the layer's index"
    );
    let written = files(&layer);
    let id = &entry.id;
    for must in [
        format!("jurisdictions/{id}/index.html"),
        format!("api/jurisdictions/{id}.json"),
        "page/2/index.html".to_string(),
        "jurisdictions/page/2/index.html".to_string(),
    ] {
        assert!(written.contains(&must), "{must} not rewritten: {written:?}");
    }
    for never in [
        "index.html",
        "page/3/index.html",
        "jurisdictions/index.html",
        "feed.xml",
    ] {
        assert!(!written.contains(never), "{never} rewritten needlessly");
    }
    // One page per topic: the one listing the entry (its ratings did not change).
    let topics = written.iter().filter(|f| f.starts_with("topics/")).count();
    assert_eq!(topics, 8, "{written:?}");
    assert!(
        written.len() < 30,
        "{} files rewritten: {written:?}",
        written.len()
    );
    let shown = |file: &str| {
        let layered = layer.join(file);
        fs::read_to_string(if layered.exists() {
            layered
        } else {
            g.out().join(file)
        })
        .unwrap()
    };
    // The matrix shows the rating, whose note is on the topic page (and, as a tooltip, fetched
    // with the entry's JSON).
    assert!(
        shown("topics/user_notice/index.html").contains("Zanzibarish notice rules")
            || (2..=3).any(
                |n| shown(&format!("topics/user_notice/page/{n}/index.html"))
                    .contains("Zanzibarish notice rules")
            )
    );
    let note_now = &updated
        .catalog
        .entry(id)
        .unwrap()
        .rating(SafeguardKey::UserNotice)
        .note;
    assert!(note_now.starts_with("Zanzibarish notice rules"));

    // A changed rating moves the entry between a topic's value groups: that topic's pages and
    // counts change, the other topics' do not.
    let text = fs::read_to_string(&path).unwrap();
    let from = entry.rating(SafeguardKey::UserNotice).value;
    let to = if from == Value::No { "yes" } else { "no" };
    let block = text.find("  user_notice:").unwrap();
    let value_at = block + text[block..].find("value: ").unwrap() + "value: ".len();
    let end = value_at + text[value_at..].find('\n').unwrap();
    let edited = format!("{}{to}{}", &text[..value_at], &text[end..]);
    fs::write(&path, edited).unwrap();
    let layer2 = g.dir.path().join("layer2");
    fs::create_dir(&layer2).unwrap();
    update(
        &options,
        &updated.catalog,
        &[layer.clone(), g.out()],
        &path,
        &layer2,
    )
    .expect("a rating change is incremental");
    let written = files(&layer2);
    // The first page (its counts) and every page whose rows the move changed are rewritten; the
    // pages as served then hold every entry once.
    assert!(written.contains("topics/user_notice/index.html"));
    let mut served_rows = BTreeSet::new();
    for n in 1..=3 {
        let file = if n == 1 {
            "topics/user_notice/index.html".to_string()
        } else {
            format!("topics/user_notice/page/{n}/index.html")
        };
        let before = [&layer, &g.out()]
            .iter()
            .map(|dir| dir.join(&file))
            .find(|path| path.exists())
            .map(|path| fs::read_to_string(path).unwrap())
            .unwrap();
        let after = if written.contains(&file) {
            fs::read_to_string(layer2.join(&file)).unwrap()
        } else {
            before.clone()
        };
        let (rows_before, rows_after) = (
            linked_ids(&before, "#safeguard-user-notice"),
            linked_ids(&after, "#safeguard-user-notice"),
        );
        if rows_before != rows_after {
            assert!(written.contains(&file), "{file} not rewritten");
        }
        assert!(served_rows.is_disjoint(&rows_after), "{file} repeats rows");
        served_rows.extend(rows_after);
    }
    assert_eq!(served_rows.len(), ENTRIES);
    assert_eq!(
        written
            .iter()
            .filter(|f| f.starts_with("topics/judicial_authorisation/"))
            .count(),
        1
    );

    // An older review date takes an entry out of the feed (the generated entries share one date,
    // so the feed holds the first by name): the feed is rewritten without it.
    let first = &built.catalog.entries[0].id;
    let first_path = options
        .content_dir
        .join(format!("jurisdictions/{first}.md"));
    let first_text = fs::read_to_string(&first_path).unwrap();
    assert!(
        g.read("feed.xml")
            .contains(&format!("/jurisdictions/{first}/"))
    );
    let older = first_text.replacen("last_reviewed: 2026-11-01", "last_reviewed: 2026-10-01", 1);
    assert_ne!(older, first_text);
    fs::write(&first_path, older).unwrap();
    let layer_feed = g.dir.path().join("layer-feed");
    fs::create_dir(&layer_feed).unwrap();
    update(
        &options,
        &built.catalog,
        &[g.out()],
        &first_path,
        &layer_feed,
    )
    .expect("a review date change is incremental");
    assert!(files(&layer_feed).contains("feed.xml"));
    let feed = fs::read_to_string(layer_feed.join("feed.xml")).unwrap();
    assert!(
        !feed.contains(&format!("/jurisdictions/{first}/")),
        "{first} still in the feed"
    );
    fs::write(&first_path, first_text).unwrap();

    // A renamed entry changes the order of every listing: a full rebuild.
    let text = fs::read_to_string(&path).unwrap();
    let renamed = text.replacen(&format!("name: {}", entry.name), "name: Aaaa Renamed", 1);
    assert_ne!(renamed, text);
    fs::write(&path, renamed).unwrap();
    let layer3 = g.dir.path().join("layer3");
    fs::create_dir(&layer3).unwrap();
    let again = update(
        &options,
        &updated.catalog,
        &[layer, g.out()],
        &path,
        &layer3,
    );
    assert!(again.is_none());
}

/// An incremental rebuild as `serve --watch` runs it, but the search index: the edited entry's
/// pages, then the listing pages showing it.
fn update(
    options: &Config,
    base: &Catalog,
    layers: &[PathBuf],
    path: &Path,
    dir: &Path,
) -> Option<site::Updated> {
    let updated = site::update(options, base, layers, &[path.to_path_buf()], dir)
        .unwrap_or_else(|e| panic!("{e}"))?;
    let stale: BTreeSet<String> = updated.stale.iter().flat_map(|l| l.files()).collect();
    let before = files(dir);
    assert!(
        before.is_disjoint(&stale),
        "listing pages written before the edit is served: {before:?}"
    );
    let written = site::update_listings(options, &updated.catalog, &updated.stale, dir, layers)
        .unwrap_or_else(|e| panic!("{e}"));
    let after = files(dir);
    assert_eq!(after.len(), before.len() + written, "{after:?}");
    assert!(after.is_superset(&stale), "{stale:?} not all in {after:?}");
    Some(updated)
}

/// While an edit's listing pages are being written, a request for one is answered with the page
/// as the edit makes it, never as it was: the edited pages are served before those are written.
#[tokio::test]
async fn a_listing_page_an_edit_changed_is_served_new_before_it_is_written() {
    let g = Generated::new();
    let options = g.options();
    let built = site::build(&options).unwrap_or_else(|e| panic!("{e}"));
    let entry = built.catalog.entries[PAGE_SIZE + 5..2 * PAGE_SIZE]
        .iter()
        .find(|j| j.rating(SafeguardKey::UserNotice).value == Value::No)
        .expect("an entry rated no")
        .clone();
    let path = options
        .content_dir
        .join(format!("jurisdictions/{}.md", entry.id));
    let text = fs::read_to_string(&path).unwrap();
    let block = text.find("  user_notice:").unwrap();
    let value_at = block + text[block..].find("value: ").unwrap() + "value: ".len();
    let end = value_at + text[value_at..].find('\n').unwrap();
    fs::write(&path, format!("{}yes{}", &text[..value_at], &text[end..])).unwrap();

    let base = Snapshot::open(&built.dir, &options, 1, false).expect("snapshot opens");
    let layer = g.dir.path().join("layer");
    fs::create_dir(&layer).unwrap();
    let updated = site::update(&options, base.catalog(), &base.dirs(), &[path], &layer)
        .unwrap_or_else(|e| panic!("{e}"))
        .expect("a rating change is incremental");
    let stale = updated.stale.clone();
    let catalog = updated.catalog.clone();
    let edited = Snapshot::edited(&options, &base, updated, 2);
    let router = app(AppState::new(edited));

    // The topic's first page counts the ratings; the move shifts rows on the pages between.
    let first = "topics/user_notice/index.html";
    assert!(stale.iter().any(|l| l.files().contains(&first.to_string())));
    assert!(
        !layer.join(first).exists(),
        "written before it was asked for"
    );
    // The count of a value's group, in its heading on the first page.
    let count = |page: &str, value: &str| -> usize {
        let heading = &page[page.find(&format!("id=\"value-{value}\"")).unwrap()..];
        let at = heading.find("<span class=\"count\">").unwrap() + "<span class=\"count\">".len();
        heading[at..at + heading[at..].find('<').unwrap()]
            .parse()
            .unwrap()
    };
    let (status, headers, now) = get(&router, "/topics/user_notice/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let before = fs::read_to_string(built.dir.join(first)).unwrap();
    assert_eq!(
        count(&now, "yes"),
        count(&before, "yes") + 1,
        "the topic page served as it was"
    );
    // Every page of the topic as served now lists each entry once, the edited one as "yes".
    let mut rows = BTreeSet::new();
    for n in 1..=3 {
        let address = if n == 1 {
            "/topics/user_notice/".to_string()
        } else {
            format!("/topics/user_notice/page/{n}/")
        };
        let (status, _, page) = get(&router, &address).await;
        assert_eq!(status, StatusCode::OK, "{address}");
        let shown = linked_ids(&page, "#safeguard-user-notice");
        assert!(rows.is_disjoint(&shown), "{address} repeats rows");
        rows.extend(shown);
    }
    assert_eq!(rows.len(), ENTRIES);

    // Once written, the files are the pages that were served.
    let layers = base.dirs();
    site::update_listings(&options, &catalog, &stale, &layer, &layers).unwrap();
    assert_eq!(fs::read_to_string(layer.join(first)).unwrap(), now);
}
