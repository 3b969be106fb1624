//! Custom comparisons without the server: the comparison data a build writes
//! (`assets/compare-data.js`) against the shipped content, the static compare page that loads it
//! while the server's `/compare/?j=…` draws its own table, and the offline bundle driven from
//! `file://` in headless Chromium (`tests/browser/offline-compare.mjs`), checked against the
//! server's table for the same queries.

use std::fs;
use std::path::Path;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use tower::ServiceExt;

use crate::browser::browser_suites;
use crate::support::Fixture;
use jurisdex::catalog::compare;
use jurisdex::model::SafeguardKey;
use jurisdex::server::{AppState, Snapshot, app};
use jurisdex::site::{self, bundle};

/// The data of a built site's `assets/compare-data.js`.
fn compare_data(dir: &Path) -> serde_json::Value {
    let js = fs::read_to_string(dir.join("assets/compare-data.js")).expect("compare data written");
    let json = js
        .trim_end()
        .strip_prefix("window.JURISDEX_COMPARE = ")
        .and_then(|j| j.strip_suffix(';'))
        .expect("one assignment");
    assert!(!json.contains('<'), "script-safe JSON");
    serde_json::from_str(json).expect("valid JSON")
}

/// The cell's answer as `compare.js` reads it.
fn answer(cell: &serde_json::Value) -> &str {
    cell.get("answer")
        .unwrap_or(&cell["text"])
        .as_str()
        .unwrap()
}

#[test]
fn compare_data_holds_every_cell_of_the_shipped_content() {
    let f = Fixture::shipped();
    f.build().expect("shipped content builds");
    let data = compare_data(&f.out());
    assert_eq!(data["min"], compare::MIN_CHOSEN);
    assert_eq!(data["max"], compare::MAX_CHOSEN);
    assert_eq!(data["values"]["no"]["label"], "No");
    assert_eq!(data["values"]["silent"]["symbol"], "–");

    let rows = data["rows"].as_array().unwrap();
    let labels: Vec<&str> = rows.iter().map(|r| r["label"].as_str().unwrap()).collect();
    let mut expected: Vec<&str> = SafeguardKey::ALL.iter().map(|k| k.label()).collect();
    expected.extend(compare::FACTS.iter().map(|(_, label)| *label));
    assert_eq!(labels, expected);
    assert_eq!(rows[2]["key"], "judicial_authorisation");
    assert_eq!(rows[2]["href"], "topics/judicial_authorisation/index.html");
    assert_eq!(rows[8]["label"], "Ordering authority");
    assert_eq!(rows[8]["safeguard"], false);
    assert!(rows[8]["href"].is_null());

    let (_, site) = site::check(&f.content());
    let entries = data["entries"].as_array().unwrap();
    assert_eq!(entries.len(), site.jurisdictions.len());
    let sources = data["sources"].as_array().unwrap();
    for j in &site.jurisdictions {
        let entry = entries
            .iter()
            .find(|e| e["id"] == j.id.as_str())
            .unwrap_or_else(|| panic!("{} in the data", j.id));
        assert_eq!(entry["name"], j.name.as_str());
        assert_eq!(entry["iso"], j.iso.as_str());
        assert_eq!(
            entry["href"],
            format!("jurisdictions/{}/index.html", j.id).as_str()
        );
        let cells = entry["cells"].as_array().unwrap();
        assert_eq!(cells.len(), rows.len(), "{}", j.id);
        for (n, (key, a)) in j.safeguards.iter().enumerate() {
            let cell = &cells[n];
            let at = format!("{} {}", j.id, key.key());
            assert_eq!(cell["value"], a.value.key(), "{at}");
            assert_eq!(answer(cell), a.value.key(), "{at}");
            assert_eq!(cell["confidence"], a.confidence.key(), "{at}");
            assert_eq!(cell["text"], a.note.as_str(), "{at}");
            let provisions: Vec<String> =
                a.provisions.iter().map(|p| j.reference_label(p)).collect();
            assert_eq!(cell["provision"], provisions.join("; ").as_str(), "{at}");
            assert_eq!(
                cell["href"],
                format!("jurisdictions/{}/index.html#{}", j.id, key.anchor()).as_str(),
                "{at}"
            );
            let cited: Vec<&str> = cell["sources"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| {
                    sources[s.as_u64().unwrap() as usize]["title"]
                        .as_str()
                        .unwrap()
                })
                .collect();
            let mut titles: Vec<&str> = Vec::new();
            for id in &a.sources {
                let title = j
                    .sources
                    .iter()
                    .find(|s| &s.id == id)
                    .unwrap()
                    .title
                    .as_str();
                if !titles.contains(&title) {
                    titles.push(title);
                }
            }
            assert_eq!(cited, titles, "{at}");
        }
        for (n, fact) in compare::facts(j).iter().enumerate() {
            let cell = &cells[SafeguardKey::ALL.len() + n];
            assert!(cell["value"].is_null() && cell["confidence"].is_null());
            assert_eq!(cell["text"], fact.text.as_str(), "{} fact {n}", j.id);
            assert_eq!(answer(cell), fact.text, "{} fact {n}", j.id);
            assert_eq!(
                cell["href"],
                format!("jurisdictions/{}/index.html#{}", j.id, fact.anchor).as_str()
            );
        }
        for cell in cells {
            let file = cell["href"].as_str().unwrap().split('#').next().unwrap();
            assert!(f.out().join(file).is_file(), "{file}");
        }
    }
    // Values as written in content/jurisdictions/indonesia.md.
    let indonesia = entries.iter().find(|e| e["id"] == "indonesia").unwrap();
    assert_eq!(indonesia["cells"][2]["value"], "no");
    assert_eq!(indonesia["cells"][3]["value"], "silent");
    assert_eq!(indonesia["cells"][4]["value"], "silent");
    assert_eq!(indonesia["iso"], "ID");
    // Each source title and address once.
    let mut seen = std::collections::HashSet::new();
    for s in sources {
        assert!(
            seen.insert((s["title"].to_string(), s["url"].to_string())),
            "{s}"
        );
    }
}

#[tokio::test]
async fn only_the_static_compare_page_draws_in_the_browser() {
    let f = Fixture::shipped();
    let built = f.build().expect("shipped content builds");
    let page = f.read_out("compare/index.html");
    let data_script = page
        .find(r#"<script src="/assets/compare-data.js" defer></script>"#)
        .expect("data script");
    let script = page
        .find(r#"<script src="/assets/compare.js" defer></script>"#)
        .expect("compare script");
    assert!(data_script < script);
    assert!(page.contains(r#"<div class="compare-result" data-compare-result data-root="../">"#));
    let noscript = &page[page.find("<noscript>").unwrap()..page.find("</noscript>").unwrap()];
    assert!(
        noscript.contains("custom comparisons need JavaScript"),
        "{noscript}"
    );
    assert!(
        noscript.contains(r#"<a href="/compare/jakarta-2018/">"#),
        "{noscript}"
    );
    assert!(f.out().join("assets/compare.js").is_file());

    let snapshot = Snapshot::open(&built.dir, &f.options(), 1, false).expect("snapshot opens");
    let router = app(AppState::new(snapshot));
    for uri in [
        "/compare/?j=indonesia,malaysia",
        "/compare/",
        "/compare/?j=nowhere,malaysia",
    ] {
        let response = router
            .clone()
            .oneshot(Request::get(uri).body(Body::empty()).unwrap())
            .await
            .unwrap();
        let ok = response.status() == StatusCode::OK || uri.contains("nowhere");
        let html = String::from_utf8(
            response
                .into_body()
                .collect()
                .await
                .unwrap()
                .to_bytes()
                .to_vec(),
        )
        .unwrap();
        assert!(ok, "{uri}");
        assert!(
            !html.contains("compare.js"),
            "{uri}: the server draws its own"
        );
        assert!(!html.contains("data-compare-result"), "{uri}");
        assert!(!html.contains("<noscript>"), "{uri}");
    }
}

#[test]
fn custom_comparisons_work_from_the_bundle_in_chromium() {
    let Some(suites) = browser_suites("the offline comparison checks did not run") else {
        return;
    };
    let f = Fixture::shipped();
    let zip_path = f.dir.path().join("jurisdex-offline.zip");
    bundle::bundle(&f.options(), &zip_path).expect("shipped content bundles");
    let unzipped = tempfile::tempdir().expect("tempdir");
    zip::ZipArchive::new(fs::File::open(&zip_path).unwrap())
        .expect("a zip")
        .extract(unzipped.path())
        .expect("unzip");
    let compare_page = unzipped
        .path()
        .join(bundle::TOP_DIR)
        .join("compare/index.html");
    assert!(compare_page.is_file());
    let server = f.serve(&[]);
    suites.run(
        "offline-compare",
        &[server.url(), format!("file://{}", compare_page.display())],
    );
}
