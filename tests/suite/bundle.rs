//! The offline bundle: relative links that name files, the client-side index, atomic writes, and
//! search in a real headless browser from `file://`.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::browser::browser_suites;
use crate::support::{Fixture, chromium};
use jurisdex::routes;
use jurisdex::search::{CLIENT_INDEX_DIR, SearchIndex, SearchRequest, shard_of};
use jurisdex::site::INDEX_DIR;
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
    assert!(entry.contains(r#"<script src="../../assets/app.js" async>"#));
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
    // One script before the first paint, which names the index's root and app.js relative to
    // its own address.
    assert!(
        search.contains(r#"<script src="../assets/offline-search.js" async data-index="search/index.js" data-app="app.js"></script>"#),
        "search script"
    );
    assert_eq!(search.matches("<script").count(), 1);
    // No inline scripts: every script tag loads a file.
    assert_eq!(
        search.matches("<script").count(),
        search.matches("<script src=").count()
    );
}

/// The JSON a part of the client index hands over: `jurisdexSearchPart("t",3,{…});`, or the root
/// file's `window.JURISDEX_SEARCH = {…};`.
fn part_json(file: &Path) -> serde_json::Value {
    let js = fs::read_to_string(file).unwrap();
    let js = js.trim_end().strip_suffix(';').expect("a statement");
    let json = match js.strip_prefix("window.JURISDEX_SEARCH = ") {
        Some(json) => json,
        None => {
            let args = js
                .strip_prefix("jurisdexSearchPart(")
                .and_then(|a| a.strip_suffix(')'))
                .expect("a part");
            let mut at = 0;
            for _ in 0..2 {
                at += args[at..].find(',').expect("kind, number, data") + 1;
            }
            &args[at..]
        }
    };
    serde_json::from_str(json).expect("valid JSON")
}

/// A posting list of the client index: (doc id, weight) pairs from base64 varint deltas.
fn postings(encoded: &str) -> Vec<(u64, u8)> {
    let alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let sextets: Vec<u32> = encoded
        .trim_end_matches('=')
        .chars()
        .map(|c| alphabet.find(c).expect("base64") as u32)
        .collect();
    let mut bytes = Vec::new();
    for group in sextets.chunks(4) {
        let n = group
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &s)| n | s << (18 - 6 * i));
        bytes.extend((0..group.len() - 1).map(|i| (n >> (16 - 8 * i)) as u8));
    }
    let (mut out, mut id, mut at) = (Vec::new(), 0u64, 0);
    while at < bytes.len() {
        let (mut delta, mut shift) = (0u64, 0);
        loop {
            let byte = bytes[at];
            at += 1;
            delta |= u64::from(byte & 0x7f) << shift;
            shift += 7;
            if byte & 0x80 == 0 {
                break;
            }
        }
        id += delta;
        out.push((id, bytes[at]));
        at += 1;
    }
    out
}

#[test]
fn client_index_is_sharded_and_points_at_files() {
    let (_f, unzipped, _) = bundled();
    let site = unzipped.path().join("jurisdex-offline");
    let dir = site.join(CLIENT_INDEX_DIR);
    let root = part_json(&dir.join("index.js"));
    let docs = root["docs"].as_u64().unwrap();
    let shards = u32::try_from(root["shards"].as_u64().unwrap()).unwrap();
    let chunk = root["chunk"].as_u64().unwrap();
    assert!(docs > 20);
    assert_eq!(files(&dir.join("t"), "js").len(), shards as usize);
    assert_eq!(
        files(&dir.join("d"), "js").len() as u64,
        docs.div_ceil(chunk)
    );

    assert_eq!(files(&dir.join("p"), "js").len(), shards as usize);

    // Every term is in the shard its hash names, and only there, with the other forms of its
    // stem (`~term`) beside it and its positions in the position shard of the same number.
    let mut seen = std::collections::HashSet::new();
    let mut forms = Vec::new();
    for shard in 0..shards {
        let terms = part_json(&dir.join(format!("t/{shard}.js")));
        let positions = part_json(&dir.join(format!("p/{shard}.js")));
        for (term, list) in terms.as_object().unwrap() {
            if let Some(word) = term.strip_prefix('~') {
                assert_eq!(shard_of(word, shards), shard, "{term}");
                assert!(terms.get(word).is_some(), "{term} without {word}");
                let others: Vec<String> = list
                    .as_str()
                    .unwrap()
                    .split(' ')
                    .map(str::to_owned)
                    .collect();
                assert!(
                    !others.is_empty() && !others.iter().any(|o| o == word),
                    "{term}"
                );
                forms.push((word.to_owned(), others));
                continue;
            }
            assert_eq!(shard_of(term, shards), shard, "{term}");
            if !term.contains(':') {
                let positions = positions[term.as_str()].as_str().expect("positions");
                assert!(!positions.is_empty() || list.as_str() == Some(""), "{term}");
            }
            assert!(seen.insert(term.clone()), "{term} twice");
            let list = postings(list.as_str().unwrap());
            assert!(
                list.windows(2).all(|w| w[0].0 < w[1].0),
                "{term}: ids ascend"
            );
            assert!(list.iter().all(|&(id, _)| id < docs));
            // Words are scored (weight 1 to 255), filters are not (0).
            assert!(
                list.iter().all(|&(_, w)| (w == 0) == term.contains(':')),
                "{term}: {list:?}"
            );
        }
    }
    // One-character words are not indexed.
    assert!(!seen.contains("a"));
    // Forms are indexed words, and each lists the others: `block` and `blocking` share a stem.
    for (word, others) in &forms {
        for other in others {
            assert!(seen.contains(other), "{word}: {other}");
            let back = forms
                .iter()
                .find(|(w, _)| w == other)
                .expect("forms both ways");
            assert!(back.1.contains(word), "{other} does not list {word}");
        }
    }
    let blocking = forms
        .iter()
        .find(|(w, _)| w == "blocking")
        .expect("forms of blocking");
    assert!(blocking.1.iter().any(|o| o == "block"), "{blocking:?}");

    let doc = |id: u64| -> (String, serde_json::Value) {
        let rows = part_json(&dir.join(format!("d/{}.js", id / chunk)));
        let rows = rows.as_array().unwrap();
        let at = (id % chunk) as usize;
        let mut url = rows[at][2].as_str().unwrap().to_owned();
        // A url on the page of the row before is its #anchor alone.
        for before in rows[..at].iter().rev() {
            if !url.starts_with('#') {
                break;
            }
            let page = before[2].as_str().unwrap().split('#').next().unwrap();
            url = format!("{page}{url}");
        }
        (url, rows[at].clone())
    };
    for id in 0..docs {
        let (url, row) = doc(id);
        let file = url.split('#').next().unwrap();
        assert!(site.join(file).is_file(), "{url}");
        assert!(row[4].as_str().unwrap().chars().count() <= 301);
    }
    let kominfo = part_json(&dir.join(format!("t/{}.js", shard_of("kominfo", shards))));
    let kominfo = postings(kominfo["kominfo"].as_str().expect("kominfo indexed"));
    assert!(!kominfo.is_empty());
    for (id, _) in kominfo {
        assert!(doc(id).0.starts_with("jurisdictions/alpha/index.html"));
    }

    // Word lists for typo corrections, by length, without filters.
    let lengths = root["lengths"].as_array().unwrap();
    assert!(!lengths.is_empty());
    for length in lengths {
        let words = part_json(&dir.join(format!("v/{length}.js")));
        for word in words.as_str().unwrap().split(' ') {
            assert_eq!(
                word.chars().count() as u64,
                length.as_u64().unwrap(),
                "{word}"
            );
            assert!(seen.contains(word) && !word.contains(':'), "{word}");
        }
    }
}

#[test]
fn normal_builds_carry_the_client_index() {
    let f = Fixture::new("basic");
    f.build().expect("fixture builds");
    assert!(
        f.read_out("assets/search/index.js")
            .starts_with("window.JURISDEX_SEARCH = {")
    );
    assert!(f.out().join("assets/search/t/0.js").is_file());
    assert!(f.out().join("assets/offline-search.js").is_file());
    // The client-side search page serves static hosting without the server (`/search/`).
    assert!(
        f.read_out("search/index.html")
            .contains("data-offline-results")
    );
}

#[test]
fn a_build_may_leave_the_client_index_out_and_its_search_page_says_so() {
    use jurisdex::config::StaticSearch;
    // Large sites get it when asked: by default up to 2,000 entries.
    assert!(StaticSearch::Auto.writes(StaticSearch::AUTO_MAX_ENTRIES));
    assert!(!StaticSearch::Auto.writes(StaticSearch::AUTO_MAX_ENTRIES + 1));
    assert!(StaticSearch::Always.writes(100_000) && !StaticSearch::Never.writes(1));
    let f = Fixture::new("basic");
    let out = f
        .command(&["build", "--static-search", "never"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let root = f.read_out("assets/search/index.js");
    assert_eq!(root, "window.JURISDEX_SEARCH = {\"left_out\":2};\n");
    assert!(
        !f.out().join("assets/search/t").exists(),
        "no shards written"
    );
    let bad = f
        .command(&["build", "--static-search", "sometimes"])
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("expected auto, always or never"));
    // The bundle's search page, opened from disk, explains itself.
    let zip = f.dir.path().join("never.zip");
    let bundled = f
        .command(&[
            "bundle",
            "--static-search",
            "never",
            "--zip",
            zip.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(
        bundled.status.success(),
        "{}",
        String::from_utf8_lossy(&bundled.stderr)
    );
    let Some(browser) = crate::support::chromium("the left-out index page was not opened") else {
        return;
    };
    let unzipped = tempfile::tempdir().unwrap();
    zip::ZipArchive::new(fs::File::open(&zip).unwrap())
        .unwrap()
        .extract(unzipped.path())
        .unwrap();
    let page = unzipped.path().join("jurisdex-offline/search/index.html");
    let dom = dump_dom(&browser, &format!("file://{}?q=court", page.display()));
    assert!(
        dom.contains("(2 entries) was built without its offline search index")
            && dom.contains("--static-search always"),
        "{dom}"
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
             Covenant, § 12 of the Code and para. 4 of the Schedule. Providers comply.\n"
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
    // The other forms of a word's stem are found and marked, as on the server, which indexes
    // stems: `comply` finds `complied` in another section.
    let dom = search("comply");
    assert!(dom.contains(hit), "{dom}");
    assert!(dom.contains("<mark>complied</mark>"), "{dom}");
    assert!(dom.contains("2 results"), "{dom}");
    // A quoted phrase holds only where its words stand together, in order, as on the server.
    for q in [
        "\"rest on\"",
        "\"orders rest on s 233\"",
        "\"233 of the Act\"",
    ] {
        let dom = search(q);
        assert!(dom.contains(hit), "{q}: no hit in\n{dom}");
    }
    // Excluding a phrase excludes only the sections where its words stand together.
    let dom = search("orders -\"on rest\"");
    assert!(dom.contains(hit), "{dom}");
    let dom = search("orders -\"rest on\"");
    assert!(!dom.contains(hit), "{dom}");
    for q in ["\"on rest\"", "\"233 Act\"", "\"Covenant Code\""] {
        let dom = search(q);
        assert!(
            !dom.contains(hit),
            "{q}: a hit where the words are apart in\n{dom}"
        );
        assert!(dom.contains("No results for"), "{q}: {dom}");
    }
    // A marker alone is an ordinary word, which no section holds (`article` is indexed): it is
    // corrected to the closest word instead.
    let dom = search("art");
    assert!(
        dom.contains("No results for “art”. Showing results for"),
        "{dom}"
    );
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
            head.contains(r#"<meta http-equiv="Content-Security-Policy" content="default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'none'"#),
            "{}",
            page.display()
        );
    }
}

/// The bundle's search page as a `file://` URL.
fn search_page(unzipped: &Path) -> String {
    let page = unzipped
        .join("jurisdex-offline/search/index.html")
        .canonicalize()
        .unwrap();
    format!("file://{}", page.display())
}

#[test]
fn offline_search_ranks_and_corrects_as_the_server_does() {
    let Some(suites) = browser_suites("offline ranking and corrections are not tried in a browser")
    else {
        return;
    };
    let f = Fixture::shipped();
    f.build().expect("shipped content builds");
    let index = SearchIndex::open(&f.out().join(INDEX_DIR)).expect("the index opens");
    let server = index.search(&SearchRequest {
        q: "one hour".into(),
        ..SearchRequest::default()
    });
    // The server's top ten as the bundle's search page links them.
    let top: Vec<String> = server
        .hits
        .iter()
        .map(|h| routes::file_link(&h.url, "", 1))
        .collect();
    assert_eq!(top.len(), 10);
    let zip_path = f.dir.path().join("offline.zip");
    bundle::bundle(&f.options(), &zip_path).expect("shipped content bundles");
    let unzipped = tempfile::tempdir().expect("tempdir");
    zip::ZipArchive::new(fs::File::open(&zip_path).unwrap())
        .expect("a zip")
        .extract(unzipped.path())
        .expect("unzip");
    let top = serde_json::to_string(&top).unwrap();
    suites.run(
        "offline",
        &["shipped".into(), search_page(unzipped.path()), top],
    );
}

#[test]
fn offline_search_covers_sites_of_over_500_entries() {
    let Some(suites) = browser_suites("a large site's offline search is not tried in a browser")
    else {
        return;
    };
    let f = Fixture::new("basic");
    let content = f.dir.path().join("generated");
    jurisdex::tools::corpus::generate(&content, 520, 7).expect("corpus");
    let options = jurisdex::config::Config {
        content_dir: content.clone(),
        ..f.options()
    };
    let zip_path = f.dir.path().join("large.zip");
    let summary = bundle::bundle(&options, &zip_path).expect("the corpus bundles");
    assert_eq!(summary.jurisdictions, 520);
    let unzipped = tempfile::tempdir().expect("tempdir");
    zip::ZipArchive::new(fs::File::open(&zip_path).unwrap())
        .expect("a zip")
        .extract(unzipped.path())
        .expect("unzip");
    // The entry of the last file, found by its name among 520.
    let last = fs::read_dir(content.join("jurisdictions"))
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .max()
        .unwrap();
    let id = last.file_stem().unwrap().to_string_lossy().into_owned();
    let front = fs::read_to_string(&last).unwrap();
    let name = front
        .lines()
        .find_map(|l| l.strip_prefix("name: "))
        .expect("a name")
        .trim_matches('"')
        .to_owned();
    suites.run(
        "offline",
        &[
            "large".into(),
            search_page(unzipped.path()),
            name,
            format!("../jurisdictions/{id}/index.html"),
        ],
    );
}
