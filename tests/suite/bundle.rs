//! The offline bundle: relative links that name files, the client-side index, atomic writes, and
//! search in a real headless browser from `file://`.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::{Fixture, chromium};
use jurisdex::site::bundle::{self, BundleError};

/// Bundles the basic fixture and unzips it; returns the fixture, the unzip dir and the zip path.
fn bundled() -> (Fixture, tempfile::TempDir, PathBuf) {
    bundled_from(Fixture::new("basic"))
}

/// [`bundled`], from a copy of the basic fixture that may have been edited.
fn bundled_from(f: Fixture) -> (Fixture, tempfile::TempDir, PathBuf) {
    let zip_path = f.dir.path().join("dist/jurisdex-offline.zip");
    let summary = bundle::bundle(&f.options(), &zip_path).expect("fixture bundles");
    assert_eq!(summary.path, zip_path);
    assert_eq!(summary.jurisdictions, 2);
    assert_eq!(summary.bytes, fs::metadata(&zip_path).unwrap().len());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(&zip_path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o644, "the zip is for sharing");
    }
    let unzipped = tempfile::tempdir().expect("tempdir");
    let mut archive = zip::ZipArchive::new(fs::File::open(&zip_path).unwrap()).expect("a zip");
    assert_eq!(archive.len(), summary.entries);
    for name in archive.file_names() {
        let name = name.expect("a UTF-8 entry name");
        assert!(name.starts_with("jurisdex-offline/"), "{name}");
        assert!(!name.contains(".search-index"), "{name}");
    }
    archive.extract(unzipped.path()).expect("unzip");
    (f, unzipped, zip_path)
}

fn files(dir: &Path, extension: &str) -> Vec<PathBuf> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == extension))
        .map(|e| e.into_path())
        .collect()
}

/// Values of `attr="…"` in an HTML document.
fn attribute_values<'h>(html: &'h str, attr: &str) -> Vec<&'h str> {
    let needle = format!(" {attr}=\"");
    html.match_indices(&needle)
        .filter_map(|(at, _)| {
            let start = at + needle.len();
            let end = html[start..].find('"')?;
            Some(&html[start..start + end])
        })
        .collect()
}

#[test]
fn bundle_has_relative_links_that_name_files() {
    bundle_pages_carry_their_own_content_security_policy();
    let (f, unzipped, _) = bundled();
    assert!(!f.out().exists(), "bundle must not touch --out");
    let site = unzipped.path().join("jurisdex-offline");
    let pages = files(&site, "html");
    assert!(pages.len() > 10, "{pages:?}");
    for page in &pages {
        let html = fs::read_to_string(page).unwrap();
        for absolute in [r#"href="/"#, r#"src="/"#, r#"action="/"#, "url=/"] {
            assert!(!html.contains(absolute), "{}: {absolute}", page.display());
        }
        // No external assets: the bundle works with no internet.
        assert!(!html.contains(r#"src="http"#), "{}", page.display());
        assert!(
            !html.contains(r#"stylesheet" href="http"#),
            "{}",
            page.display()
        );
        // Every internal link resolves to a file in the bundle.
        for attr in ["href", "src", "action"] {
            for link in attribute_values(&html, attr) {
                if link.starts_with('#') || link.contains(':') {
                    continue;
                }
                let path = link.split(['?', '#']).next().unwrap();
                let target = page.parent().unwrap().join(path);
                assert!(
                    target.is_file(),
                    "{}: `{link}` names no file",
                    page.display()
                );
            }
        }
    }
    let entry = fs::read_to_string(site.join("jurisdictions/alpha/index.html")).unwrap();
    assert!(entry.contains(r#"href="../../jurisdictions/index.html""#));
    assert!(entry.contains(r#"<link rel="stylesheet" href="../../assets/style.css">"#));
    assert!(entry.contains(r#"action="../../search/index.html""#));
    assert!(entry.contains(r#"href="../../search/index.html?q=grouping:asean""#));
    let topic = fs::read_to_string(site.join("topics/judicial_authorisation/index.html")).unwrap();
    assert!(
        topic.contains(r#"href="../../jurisdictions/beta/index.html#"#),
        "topic page links to entries"
    );
    let redirect = fs::read_to_string(site.join("jurisdictions/old-alpha/index.html")).unwrap();
    assert!(redirect.contains("url=../../jurisdictions/alpha/index.html"));

    let search = fs::read_to_string(site.join("search/index.html")).unwrap();
    assert!(search.contains(r#"data-root="../""#));
    let index_script = search
        .find(r#"<script src="../assets/search-index.js" defer></script>"#)
        .expect("index script");
    let search_script = search
        .find(r#"<script src="../assets/offline-search.js" defer></script>"#)
        .expect("search script");
    assert!(index_script < search_script);
    // No inline scripts: every script tag loads a file.
    assert_eq!(
        search.matches("<script").count(),
        search.matches("<script src=").count()
    );
}

#[test]
fn client_index_parses_and_points_at_files() {
    let (_f, unzipped, _) = bundled();
    let site = unzipped.path().join("jurisdex-offline");
    let js = fs::read_to_string(site.join("assets/search-index.js")).unwrap();
    let json = js
        .trim_end()
        .strip_prefix("window.JURISDEX_INDEX = ")
        .and_then(|j| j.strip_suffix(';'))
        .expect("index assignment");
    let index: serde_json::Value = serde_json::from_str(json).expect("valid JSON");
    let docs = index["docs"].as_array().expect("docs");
    assert!(docs.len() > 20);
    for doc in docs {
        let url = doc["url"].as_str().unwrap();
        let file = url.split('#').next().unwrap();
        assert!(site.join(file).is_file(), "{url}");
        assert!(doc["text"].as_str().unwrap().chars().count() <= 301);
    }
    let kominfo = index["terms"]["kominfo"]
        .as_array()
        .expect("kominfo indexed");
    assert!(kominfo.iter().all(|id| {
        docs[id.as_u64().unwrap() as usize]["url"]
            .as_str()
            .unwrap()
            .starts_with("jurisdictions/alpha/index.html")
    }));
    // One-character words are not indexed.
    assert!(index["terms"].get("a").is_none());
}

#[test]
fn normal_builds_carry_the_client_index() {
    let f = Fixture::new("basic");
    f.build().expect("fixture builds");
    assert!(
        f.read_out("assets/search-index.js")
            .starts_with("window.JURISDEX_INDEX = {")
    );
    assert!(f.out().join("assets/offline-search.js").is_file());
    // The client-side search page serves static hosting without the server (`/search/`).
    assert!(
        f.read_out("search/index.html")
            .contains("data-offline-results")
    );
}

#[test]
fn failed_bundle_leaves_the_previous_zip() {
    let f = Fixture::new("basic");
    let zip_path = f.dir.path().join("jurisdex-offline.zip");
    fs::write(&zip_path, "previous").unwrap();
    f.edit("jurisdictions/beta.md", "groupings: [eu]", "groupings: [eu");
    let err = bundle::bundle(&f.options(), &zip_path).unwrap_err();
    assert!(matches!(err, BundleError::Build(_)), "{err}");
    assert_eq!(fs::read_to_string(&zip_path).unwrap(), "previous");
    let leftovers: Vec<_> = fs::read_dir(f.dir.path())
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with(".jurisdex-bundle")
        })
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

/// The DOM of `url` after its scripts ran, as headless Chromium sees it.
fn dump_dom(browser: &Path, url: &str) -> String {
    let profile = tempfile::tempdir().expect("tempdir");
    let mut child = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(["--virtual-time-budget=5000", "--dump-dom", url])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromium");
    let started = Instant::now();
    while child.try_wait().expect("wait for chromium").is_none() {
        if started.elapsed() > Duration::from_secs(90) {
            let _ = child.kill();
            panic!("chromium did not finish within 90 s for {url}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let output = child.wait_with_output().expect("chromium output");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn offline_search_works_in_a_browser_from_disk() {
    let Some(browser) = chromium("the offline search is not tried in a browser") else {
        return;
    };
    let (_f, unzipped, _) = bundled();
    let page = unzipped
        .path()
        .join("jurisdex-offline/search/index.html")
        .canonicalize()
        .unwrap();
    let url = |q: &str| format!("file://{}?q={q}", page.display());

    let dom = dump_dom(&browser, &url("Kominfo"));
    assert!(
        dom.contains(r#"href="../jurisdictions/alpha/index.html#"#),
        "no link to the alpha entry in:\n{dom}"
    );
    assert!(dom.contains("<mark>Kominfo</mark>"), "{dom}");
    assert!(dom.contains("for “Kominfo”"), "{dom}");
    assert!(!dom.contains("No results"), "{dom}");
    // Hostile titles are shown as text, never parsed as markup.
    let dom = dump_dom(&browser, &url("alpha"));
    assert!(dom.contains("&lt;script&gt;alert"), "{dom}");

    let dom = dump_dom(&browser, &url("zzqxw%20nothing"));
    assert!(dom.contains("No results"), "{dom}");
    assert!(!dom.contains(r#"class="hit""#), "{dom}");

    // The grouping links on entry pages work offline; exclusions remove matches.
    let dom = dump_dom(&browser, &url("grouping:asean"));
    assert!(dom.contains("jurisdictions/alpha/index.html"), "{dom}");
    assert!(!dom.contains("jurisdictions/beta/index.html#"), "{dom}");
    let dom = dump_dom(&browser, &url("Kominfo%20-kominfo"));
    assert!(dom.contains("No results"), "{dom}");
}

#[test]
fn offline_search_reads_citations_as_the_server_does() {
    let Some(browser) = chromium("offline citation search is not tried in a browser") else {
        return;
    };
    let f = Fixture::new("basic");
    let hour = "Removal orders must be complied with within one hour.";
    f.edit(
        "jurisdictions/beta.md",
        hour,
        &format!(
            "{hour}\n\n## Citations\n\nThe orders rest on s 233 of the Act, Art. 19 of the \
             Covenant, § 12 of the Code and para. 4 of the Schedule.\n"
        ),
    );
    let (_f, unzipped, _) = bundled_from(f);
    let page = unzipped
        .path()
        .join("jurisdex-offline/search/index.html")
        .canonicalize()
        .unwrap();
    let search = |q: &str| {
        let q: String = url::form_urlencoded::byte_serialize(q.as_bytes()).collect();
        dump_dom(&browser, &format!("file://{}?q={q}", page.display()))
    };
    let hit = r#"href="../jurisdictions/beta/index.html#section-citations""#;
    let cases = [
        ("section 233", "<mark>s</mark> <mark>233</mark>"),
        ("s. 233", "<mark>s</mark> <mark>233</mark>"),
        ("§233", "<mark>s</mark> <mark>233</mark>"),
        ("Sec. 233 Act", "<mark>s</mark> <mark>233</mark>"),
        ("sect 233", "<mark>s</mark> <mark>233</mark>"),
        ("ss 233", "<mark>s</mark> <mark>233</mark>"),
        ("§§ 233", "<mark>s</mark> <mark>233</mark>"),
        ("sections 233", "<mark>s</mark> <mark>233</mark>"),
        ("article 19", "<mark>Art</mark>. <mark>19</mark>"),
        ("arts 19", "<mark>Art</mark>. <mark>19</mark>"),
        ("s 12", "<mark>§</mark> <mark>12</mark>"),
        ("paragraph 4", "<mark>para</mark>. <mark>4</mark>"),
        ("¶ 4", "<mark>para</mark>. <mark>4</mark>"),
    ];
    for (q, marked) in cases {
        let dom = search(q);
        assert!(dom.contains(hit), "{q}: no hit in\n{dom}");
        assert!(dom.contains(marked), "{q}: no {marked} in\n{dom}");
    }
    // A marker alone is an ordinary word, which the section does not hold.
    let dom = search("art");
    assert!(!dom.contains(hit), "{dom}");
}

/// Opened from disk a page gets no headers: each page of the bundle carries the policy itself, so
/// nothing (a remote image written in an entry's Markdown) is fetched from elsewhere.
fn bundle_pages_carry_their_own_content_security_policy() {
    let (_f, unzipped, _) = bundled();
    let pages = files(&unzipped.path().join("jurisdex-offline"), "html");
    assert!(pages.len() > 10);
    for page in pages {
        let html = std::fs::read_to_string(&page).unwrap();
        let head = &html[..html.find("</head>").unwrap_or(html.len())];
        assert!(
            head.contains(r#"<meta http-equiv="Content-Security-Policy" content="default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'none'"#),
            "{}",
            page.display()
        );
    }
}
