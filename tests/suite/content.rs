//! The shipped `content/`: it passes `check`, builds, and every page, cell and anchor resolves.

use jurisdex::config::Config;
use jurisdex::diagnostics::Diagnostic;
use jurisdex::search::{SearchIndex, SearchRequest};
use jurisdex::site::{self, INDEX_DIR};

use crate::support::manifest_dir;

const EXPECTED: [&str; 31] = [
    "australia",
    "brunei",
    "indonesia",
    "malaysia",
    "myanmar",
    "new-zealand",
    "philippines",
    "singapore",
    "thailand",
    "pakistan",
    "european-union",
    "united-kingdom",
    "germany",
    "france",
    "india",
    "united-states",
    "turkey",
    "italy",
    "brazil",
    "japan",
    "canada",
    "ireland",
    "kenya",
    "nigeria",
    "jordan",
    "viet-nam",
    "morocco",
    "colombia",
    "republic-of-korea",
    "bangladesh",
    "sri-lanka",
];

fn build_shipped() -> (tempfile::TempDir, site::Built) {
    let dir = tempfile::tempdir().unwrap();
    let options = Config {
        content_dir: manifest_dir().join("content"),
        templates_dir: manifest_dir().join("templates"),
        out_dir: dir.path().join("public"),
        base_url: "http://127.0.0.1:8080".into(),
        dev_reload: false,
        static_search: jurisdex::config::StaticSearch::Auto,
    };
    let built =
        site::build(&options).unwrap_or_else(|e| panic!("shipped content must build:\n{e}"));
    (dir, built)
}

#[test]
fn shipped_content_passes_check_with_no_errors() {
    let (loaded, site) = site::check(&manifest_dir().join("content"));
    let errors: Vec<String> = loaded
        .report
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(Diagnostic::to_string)
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let ids: Vec<&str> = site.jurisdictions.iter().map(|j| j.id.as_str()).collect();
    for id in EXPECTED {
        assert!(ids.contains(&id), "missing jurisdiction {id}");
    }
    assert_eq!(site.topics.len(), 8, "a topic page for every safeguard");
    for page in ["about", "methodology", "disclaimer", "context"] {
        assert!(
            site.pages.iter().any(|p| p.id == page),
            "missing page {page}"
        );
    }
}

#[test]
fn every_jurisdiction_page_and_matrix_cell_resolves() {
    let (dir, built) = build_shipped();
    let out = dir.path().join("public");
    let home = std::fs::read_to_string(out.join("index.html")).unwrap();
    for j in &built.catalog.entries {
        assert!(
            out.join(format!("jurisdictions/{}/index.html", j.id))
                .is_file()
        );
        for a in &j.safeguards {
            let href = format!("href=\"/jurisdictions/{}/#{}\"", j.id, a.key.anchor());
            assert!(home.contains(&href), "matrix cell {href} missing");
        }
    }
    // site::build already fails on a dangling link; check again explicitly.
    assert_eq!(jurisdex::links::check_links(&out, ""), Vec::new());
}

#[test]
fn shipped_content_is_searchable_as_a_reader_would() {
    let (dir, _) = build_shipped();
    let index = SearchIndex::open(&dir.path().join("public").join(INDEX_DIR)).unwrap();
    let search = |q: &str| {
        index.search(&SearchRequest {
            q: q.into(),
            ..SearchRequest::default()
        })
    };
    let peca = search("PECA");
    assert!(
        peca.hits[0]
            .url
            .starts_with("/jurisdictions/pakistan/#instrument-"),
        "{:?}",
        peca.hits[0]
    );
    let typo = search("Komnifo");
    assert!(typo.corrected);
    assert!(
        typo.hits
            .iter()
            .any(|h| h.url.starts_with("/jurisdictions/indonesia/"))
    );
    let judicial = search("judicial authorisation");
    assert!(judicial.total >= 16);
    // A Bengali word is marked whole: its virama (not a letter) does not cut it in two.
    let bengali = search("সুরক্ষা অধ্যাদেশ");
    assert!(
        bengali.hits[0]
            .url
            .starts_with("/jurisdictions/bangladesh/#instrument-"),
        "{:?}",
        bengali.hits[0]
    );
    assert!(
        bengali.hits[0].snippet_html.contains("<mark>সুরক্ষা</mark>"),
        "{}",
        bengali.hits[0].snippet_html
    );
    // Malaysia's entry writes `s 233`; a reader types the section out.
    let section = search("Communications and Multimedia Act section 233");
    assert!(
        section.hits[0].url.starts_with("/jurisdictions/malaysia/"),
        "{:?}",
        section.hits[0]
    );
    assert!(
        section.hits[0]
            .snippet_html
            .contains("<mark>s</mark> <mark>233</mark>"),
        "{}",
        section.hits[0].snippet_html
    );
    // ... and text written `Article 19` is found by `art. 19`.
    let article = index.search(&SearchRequest {
        q: "art. 19".into(),
        limit: Some(jurisdex::search::MAX_LIMIT),
        ..SearchRequest::default()
    });
    assert!(
        article.hits.iter().any(|h| h
            .snippet_html
            .contains("<mark>Article</mark> <mark>19</mark>")),
        "{:?}",
        article
            .hits
            .iter()
            .map(|h| &h.snippet_html)
            .collect::<Vec<_>>()
    );
}

/// A reader types a law's title as it is written at home, in its own script, and lands on it.
#[test]
fn every_original_title_finds_its_instrument_first() {
    let (loaded, site) = site::check(&manifest_dir().join("content"));
    assert!(!loaded.report.has_errors());
    let (dir, _) = build_shipped();
    let index = SearchIndex::open(&dir.path().join("public").join(INDEX_DIR)).unwrap();
    let mut checked = 0;
    for j in &site.jurisdictions {
        for i in &j.instruments {
            let Some(title) = &i.original_title else {
                continue;
            };
            let found = index.search(&SearchRequest {
                q: title.clone(),
                ..SearchRequest::default()
            });
            // Two laws of one name (a law and the law that replaced it) cannot be told apart by
            // their title alone: either may come first.
            let namesakes: Vec<String> = j
                .instruments
                .iter()
                .filter(|other| other.original_title.as_ref() == Some(title))
                .map(|other| format!("/jurisdictions/{}/#instrument-{}", j.id, other.id))
                .collect();
            let first = found.hits.first().map(|h| h.url.clone());
            assert!(
                first.as_ref().is_some_and(|url| namesakes.contains(url)),
                "searching {title:?} ({}) should land on one of {namesakes:?}, not {first:?}",
                i.original_lang.as_deref().unwrap_or("")
            );
            checked += 1;
        }
    }
    assert!(
        checked >= 10,
        "only {checked} original titles in the shipped content"
    );
}
