//! What the site writes, checked against the specifications of its formats: every HTML page (the
//! static build of the shipped content and of hostile content, the offline bundle, the pages the
//! server renders) through the W3C Nu HTML Checker, every URL attribute against RFC 3986, the Atom
//! feed against RFC 4287, the CSV exports against RFC 4180, and the JSON exports and API answers
//! against the shapes `docs/REFERENCE.md` documents. The Nu checker needs Java and
//! `npm ci --prefix tests/browser` (the `vnu-jar` package); without them that test prints
//! `skipped: …` and passes, except with `CI=true`.

use std::collections::{BTreeMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use tower::ServiceExt;

use crate::support::{Fixture, manifest_dir, missing};
use jurisdex::config::Config;
use jurisdex::export::MATRIX_COLUMNS;
use jurisdex::html::is_forbidden;
use jurisdex::server::{AppState, Snapshot, app};
use jurisdex::site;

/// A base URL with a path that needs encoding and a host outside ASCII.
const HOSTILE_BASE_URL: &str = "https://bücher.example.org/kb [2026]";

/// The basic fixture with hostile text where content allows it: quotes, commas, line breaks,
/// `]]>`, `</script>` and U+2028 in names, notes and changelogs; source addresses with `[`, `]`,
/// `"`, `<`, `>`, `^`, `{`, `|`, `}`, a backtick, a lone `%` and a host outside ASCII; Markdown
/// links that need encoding, headings and a footnote outside ASCII, and a collection that links to
/// one of those headings. (Control characters are refused by `check`: see the `check` tests.)
fn hostile() -> Fixture {
    let f = Fixture::new("basic");
    let alpha = "jurisdictions/alpha.md";
    f.edit(
        alpha,
        "summary: Alpha lets the <b>ministry</b> block sites. \"Quoted\" & ampersand.",
        r#"summary: "Alpha lets the <b>ministry</b> block sites, \"quoted\", ]]> </script><script>alert(1)</script>\nsecond line \u2028 after a line separator & ampersand.""#,
    );
    f.edit(
        alpha,
        "    change: First published.",
        r#"    change: "Published, with \"quotes\", ]]> and </script>\nand a second line \u2028 too.""#,
    );
    f.edit(
        alpha,
        "note: No notice is required.",
        r#"note: "=HYPERLINK(\"https://x.example\"), a comma\nand a line break ]]> </script> \u2028""#,
    );
    f.edit(
        alpha,
        "    url: https://example.org/law-11-2008\n    key_provisions",
        "    url: https://bücher.example.org/Gesetz-über-\"Netz\"/<1>?q={a|b}^c`d&r=%zz\n    key_provisions",
    );
    f.edit(
        alpha,
        "    url: https://example.org/law-11-2008\n    accessed",
        "    url: \"http://www.bgbl.de/Xaver/start.xav?startbk=Bundesanzeiger_BGBl&start=//*[@attr_id='bgbl122s1182.pdf']#/a#b\"\n    accessed",
    );
    f.edit(
        alpha,
        "The Constitutional Court upheld Art. 40(2b).",
        "The Constitutional Court upheld Art. 40(2b).\n\n## Überprüfung der Sperren\n\nSee [the gazette](<https://example.org/a b?q=[1]>), [a percent](https://example.org/100%?a^b#x#y) and the note[^ü].\n\n## ไทย: การปิดกั้น\n\n[^ü]: A footnote whose label is outside ASCII.",
    );
    f.edit(
        "jurisdictions/beta.md",
        "groupings: [eu]",
        "groupings: [asean, eu]",
    );
    f.edit(
        "collections/demo.yaml",
        "  - ref: /topics/judicial_authorisation/",
        "  - ref: /jurisdictions/alpha/#section-überprüfung-der-sperren\n    note: \"Quotes \\\", commas, ]]> and </script>\"\n  - ref: /compare/?j=alpha,beta&t=user_notice&diff=1\n    note: Compare.\n  - ref: /topics/judicial_authorisation/",
    );
    f
}

/// [`hostile`] built under [`HOSTILE_BASE_URL`]; the fixture and its options.
fn hostile_built() -> (Fixture, Config) {
    let f = hostile();
    let errors = f.check_errors();
    assert!(
        errors.is_empty(),
        "the hostile fixture is valid content: {errors:?}"
    );
    let options = Config {
        base_url: HOSTILE_BASE_URL.into(),
        ..f.options()
    };
    site::build(&options).expect("the hostile fixture builds");
    (f, options)
}

/// Every file under `dir` whose name ends with one of `extensions`.
fn files(dir: &Path, extensions: &[&str]) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .filter(|e| {
            let name = e.file_name().to_string_lossy();
            extensions.iter().any(|x| name.ends_with(x))
        })
        .map(|e| e.into_path())
        .collect();
    found.sort();
    found
}

/// `GET uri` through the router: (status, body).
async fn get(router: &axum::Router, uri: &str) -> (StatusCode, String) {
    let response = router
        .clone()
        .oneshot(Request::get(uri).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8(bytes.to_vec()).expect("UTF-8"))
}

/// The router serving the build of `options`.
fn router(options: &Config) -> axum::Router {
    let snapshot = Snapshot::open(&options.out_dir, options, 1, false).expect("snapshot opens");
    app(AppState::new(snapshot))
}

/// Addresses answered by the server alone (search, comparisons, errors), for the HTML checks.
const SERVED_PAGES: [&str; 8] = [
    "/search?q=blocking",
    "/search?q=grouping:asean+-kind:power&region=europe",
    "/search?q=%C3%BCberpr%C3%BCfung",
    "/search?q=zzzz-nothing",
    "/compare/?j=alpha,beta",
    "/compare/?j=alpha,beta&diff=1&bench=beta",
    "/compare/?j=alpha",
    "/compare/?j=alpha,atlantis",
];

/// Writes the pages the server renders for [`SERVED_PAGES`] into `dir`, as `served-<n>.html`.
async fn write_served_pages(options: &Config, dir: &Path) {
    let router = router(options);
    fs::create_dir_all(dir).unwrap();
    for (n, page) in SERVED_PAGES.iter().enumerate() {
        let (status, body) = get(&router, page).await;
        assert!(
            status == StatusCode::OK || status == StatusCode::BAD_REQUEST,
            "{page}: {status}"
        );
        assert!(body.starts_with("<!doctype html>"), "{page}: {body}");
        fs::write(dir.join(format!("served-{n}.html")), body).unwrap();
    }
}

/// `java -jar vnu.jar` (with the JVM options below) when Java and the `vnu-jar` package are present.
fn nu_checker(skipped: &str) -> Option<Command> {
    let jar = manifest_dir().join("tests/browser/node_modules/vnu-jar/build/dist/vnu.jar");
    let java = Command::new("java")
        .arg("-version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !java {
        return missing("java (Debian's default-jre-headless)", skipped);
    }
    if !jar.is_file() {
        return missing(
            "tests/browser/node_modules/vnu-jar (run `npm ci --prefix tests/browser`)",
            skipped,
        );
    }
    let mut command = Command::new("java");
    // Only the JVM's quick compiler: the check of about 200 files then takes half the CPU (19 s
    // instead of 36 s, in about the same time), which the tests running beside it get. Its
    // compiled code needs a deeper stack than the default for the HTML schema.
    command
        .args(["-XX:TieredStopAtLevel=1", "-Xss16m", "-jar"])
        .arg(jar);
    Some(command)
}

/// Every page and stylesheet the site can put in front of a reader, checked by the Nu HTML
/// Checker in one Java process (it takes seconds to start): the static build of the shipped
/// content, of the hostile fixture and of a fixture with a history (its history, past versions and
/// their redirects), the offline bundle, and the pages only the server renders.
#[tokio::test]
async fn every_page_passes_the_nu_html_checker() {
    let Some(mut checker) = nu_checker("the Nu HTML Checker did not run") else {
        return;
    };
    let shipped = Fixture::shipped();
    shipped.build().expect("the shipped content builds");
    // The history pages, past versions and their redirects, from a repository of three commits.
    let with_history = crate::history::git_here().then(|| {
        let f = crate::history::fixture_with_history();
        f.build().expect("the fixture with a history builds");
        f
    });
    let (hostile, hostile_options) = hostile_built();
    let served = tempfile::tempdir().unwrap();
    write_served_pages(&shipped.options(), &served.path().join("shipped")).await;
    write_served_pages(&hostile_options, &served.path().join("hostile")).await;
    let zip_path = shipped.dir.path().join("offline.zip");
    site::bundle::bundle(&shipped.options(), &zip_path).expect("the shipped content bundles");
    let bundle = tempfile::tempdir().unwrap();
    zip::ZipArchive::new(fs::File::open(&zip_path).unwrap())
        .expect("a zip")
        .extract(bundle.path())
        .expect("unzip");

    let mut checked = Vec::new();
    for dir in [
        shipped.out(),
        hostile.out(),
        served.path().to_path_buf(),
        bundle.path().to_path_buf(),
    ]
    .into_iter()
    .chain(with_history.as_ref().map(Fixture::out))
    {
        checked.extend(files(&dir, &[".html", ".css", ".svg"]));
    }
    let pages = checked
        .iter()
        .filter(|p| p.extension().is_some_and(|x| x == "html"))
        .count();
    assert!(pages > 100, "only {pages} pages found");
    let output = checker
        .args([
            "--errors-only",
            "--format",
            "json",
            "--stdout",
            "--also-check-css",
            "--also-check-svg",
        ])
        .args(&checked)
        .stdin(Stdio::null())
        .output()
        .expect("start java");
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "the Nu checker wrote no JSON ({e}): {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    });
    let strip = |url: &str| {
        let path = url.strip_prefix("file:").unwrap_or(url);
        [
            shipped.dir.path(),
            hostile.dir.path(),
            served.path(),
            bundle.path(),
        ]
        .into_iter()
        .chain(with_history.as_ref().map(|f| f.dir.path()))
        .find_map(|dir| path.strip_prefix(dir.to_str()?))
        .unwrap_or(path)
        .to_string()
    };
    let errors: Vec<String> = report["messages"]
        .as_array()
        .expect("a list of messages")
        .iter()
        .map(|m| {
            format!(
                "{}:{}: {}: {}",
                strip(m["url"].as_str().unwrap_or("?")),
                m["lastLine"].as_u64().unwrap_or(0),
                m["type"].as_str().unwrap_or("?"),
                m["message"].as_str().unwrap_or("?")
            )
        })
        .collect();
    println!(
        "the Nu HTML Checker read {} files ({pages} pages): {} error(s)",
        checked.len(),
        errors.len()
    );
    assert!(
        errors.is_empty(),
        "{} error(s):\n{}",
        errors.len(),
        errors.join("\n")
    );
    assert!(
        output.status.success(),
        "the Nu checker failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// What RFC 3986 allows in a URL written as it is: its unreserved and reserved characters, and
/// `%` only as the start of an escape (`[` and `]` only around an IPv6 host, which the site never
/// writes). `None`, or the first character that is not allowed.
fn url_problem(url: &str) -> Option<String> {
    let bytes = url.as_bytes();
    let mut hashes = 0;
    for (at, &b) in bytes.iter().enumerate() {
        let ok = match b {
            b'%' => bytes
                .get(at + 1..at + 3)
                .is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit)),
            b'#' => {
                hashes += 1;
                hashes == 1
            }
            _ => b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:/?@".contains(&b),
        };
        if !ok {
            return Some(format!(
                "`{}` at byte {at}",
                url[at..].chars().next().unwrap_or('?')
            ));
        }
    }
    None
}

/// The values of the `href`, `src` and `action` attributes in the tags of a page (and the URL of a
/// refresh), with `&amp;`, `&#39;` and `&quot;` decoded.
fn url_attributes(html: &str) -> Vec<String> {
    let mut urls = Vec::new();
    for tag in html.split('<').skip(1) {
        let tag = tag.split('>').next().unwrap_or("");
        for name in [" href=\"", " src=\"", " action=\"", " content=\"0; url="] {
            for (at, _) in tag.match_indices(name) {
                let value = &tag[at + name.len()..];
                let value = &value[..value.find('"').unwrap_or(value.len())];
                urls.push(
                    value
                        .replace("&#39;", "'")
                        .replace("&quot;", "\"")
                        .replace("&amp;", "&"),
                );
            }
        }
    }
    urls
}

/// Every URL in an attribute of every page, however it was written (templates, Markdown, QR
/// handouts, redirects, pagers, the server's pages), is percent-encoded as RFC 3986 requires.
#[tokio::test]
async fn attribute_urls_are_percent_encoded_on_every_page() {
    let (f, options) = hostile_built();
    let served = tempfile::tempdir().unwrap();
    write_served_pages(&options, served.path()).await;
    let mut pages = files(&f.out(), &[".html"]);
    pages.extend(files(served.path(), &[".html"]));
    let mut bad = Vec::new();
    let mut seen = HashSet::new();
    for page in &pages {
        for url in url_attributes(&fs::read_to_string(page).unwrap()) {
            if let Some(problem) = url_problem(&url) {
                bad.push(format!("{}: `{url}`: {problem}", page.display()));
            }
            seen.insert(url);
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
    // The hostile addresses were written, encoded.
    let root = "/kb%20%5B2026%5D";
    for expected in [
        "http://www.bgbl.de/Xaver/start.xav?startbk=Bundesanzeiger_BGBl&start=//*%5B@attr_id='bgbl122s1182.pdf'%5D#/a%23b".to_string(),
        "https://xn--bcher-kva.example.org/Gesetz-%C3%BCber-%22Netz%22/%3C1%3E?q=%7Ba%7Cb%7D%5Ec%60d&r=%25zz".to_string(),
        "https://example.org/a%20b?q=%5B1%5D".to_string(),
        "https://example.org/100%25?a%5Eb#x%23y".to_string(),
        format!("{root}/jurisdictions/alpha/#section-%C3%BCberpr%C3%BCfung-der-sperren"),
        format!("{root}/assets/app.js"),
    ] {
        assert!(seen.contains(&expected), "no attribute holds {expected}");
    }
    // The citation's pinned address: the page's absolute address with its version.
    let pinned = format!("https://xn--bcher-kva.example.org{root}/jurisdictions/alpha/?v=");
    assert!(
        seen.iter().any(|url| url.starts_with(&pinned)),
        "no attribute holds {pinned}…"
    );
}

/// The built site passes its own link check with anchors outside ASCII: headings linked from a
/// collection (written encoded, the id as it is) and footnotes.
#[test]
fn anchors_outside_ascii_pass_the_link_check() {
    let (f, options) = hostile_built();
    let broken = jurisdex::links::check_links(&f.out(), &options.root());
    assert!(broken.is_empty(), "{broken:?}");
    let alpha = f.read_out("jurisdictions/alpha/index.html");
    assert!(alpha.contains(r#"id="fn-%C3%BC""#), "{alpha}");
    assert!(alpha.contains(r##"href="#fn-%C3%BC""##), "{alpha}");
}

/// True for an RFC 3339 `date-time` (`2026-11-01T00:00:00Z`, fractions and offsets allowed).
fn is_rfc3339(text: &str) -> bool {
    let b = text.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|d| d.iter().all(u8::is_ascii_digit));
    let number = |r: std::ops::Range<usize>| text[r].parse::<u32>().unwrap_or(99);
    if b.len() < 20
        || !digits(0..4)
        || b[4] != b'-'
        || !digits(5..7)
        || b[7] != b'-'
        || !digits(8..10)
        || !matches!(b[10], b'T' | b't')
        || !digits(11..13)
        || b[13] != b':'
        || !digits(14..16)
        || b[16] != b':'
        || !digits(17..19)
    {
        return false;
    }
    let (month, day) = (number(5..7), number(8..10));
    if !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || number(11..13) > 23
        || number(14..16) > 59
        || number(17..19) > 60
    {
        return false;
    }
    let mut rest = &text[19..];
    if let Some(fraction) = rest.strip_prefix('.') {
        let len = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if len == 0 {
            return false;
        }
        rest = &fraction[len..];
    }
    match rest.as_bytes() {
        [b'Z' | b'z'] => true,
        [b'+' | b'-', h1, h2, b':', m1, m2] => [h1, h2, m1, m2].iter().all(|d| d.is_ascii_digit()),
        _ => false,
    }
}

const ATOM: &str = "http://www.w3.org/2005/Atom";

/// The Atom children of `node` named `name`.
fn children<'a, 'i>(
    node: roxmltree::Node<'a, 'i>,
    name: &'a str,
) -> impl Iterator<Item = roxmltree::Node<'a, 'i>> {
    node.children()
        .filter(move |c| c.has_tag_name((ATOM, name)))
}

/// The problems RFC 4287 finds in an Atom feed (its section 4 and the text and date constructs).
fn atom_problems(feed: &str) -> Vec<String> {
    let mut problems = Vec::new();
    if let Some(c) = feed.chars().find(|&c| is_forbidden(c)) {
        problems.push(format!("the feed holds the character U+{:04X}", c as u32));
    }
    let doc = match roxmltree::Document::parse(feed) {
        Ok(doc) => doc,
        Err(e) => return vec![format!("not well-formed XML: {e}")],
    };
    let root = doc.root_element();
    if !root.has_tag_name((ATOM, "feed")) {
        return vec![format!("the root is {:?}, not atom:feed", root.tag_name())];
    }
    let mut exactly_one = |node: roxmltree::Node, name: &str, what: &str| -> Option<String> {
        let found: Vec<_> = children(node, name).collect();
        if found.len() != 1 {
            problems.push(format!("{what} has {} atom:{name}, not one", found.len()));
            return None;
        }
        Some(found[0].text().unwrap_or("").to_string())
    };
    let feed_id = exactly_one(root, "id", "the feed");
    exactly_one(root, "title", "the feed");
    let feed_updated = exactly_one(root, "updated", "the feed");
    let check_iri = |iri: &str, what: &str, problems: &mut Vec<String>| {
        let absolute = url::Url::parse(iri).is_ok_and(|u| u.has_host());
        if !absolute || url_problem(iri).is_some() {
            problems.push(format!(
                "{what} `{iri}` is not an absolute IRI written as a URI"
            ));
        }
    };
    let mut entries_have_authors = true;
    let mut ids = HashSet::new();
    let mut latest = String::new();
    let entries: Vec<_> = children(root, "entry").collect();
    for (n, entry) in entries.iter().enumerate() {
        let what = format!("entry {}", n + 1);
        let found: BTreeMap<&str, usize> =
            ["id", "title", "updated", "summary", "content", "published"]
                .into_iter()
                .map(|name| (name, children(*entry, name).count()))
                .collect();
        for name in ["id", "title", "updated"] {
            if found[name] != 1 {
                problems.push(format!("{what} has {} atom:{name}, not one", found[name]));
            }
        }
        for name in ["summary", "content", "published"] {
            if found[name] > 1 {
                problems.push(format!("{what} has {} atom:{name}", found[name]));
            }
        }
        if let Some(id) = children(*entry, "id").next().and_then(|i| i.text()) {
            check_iri(id, &format!("{what}'s id"), &mut problems);
            if !ids.insert(id.to_string()) {
                problems.push(format!("{what}'s id `{id}` is not unique"));
            }
        }
        if let Some(updated) = children(*entry, "updated").next().and_then(|u| u.text()) {
            if !is_rfc3339(updated) {
                problems.push(format!(
                    "{what}'s updated `{updated}` is not an RFC 3339 date-time"
                ));
            }
            latest = latest.max(updated.to_string());
        }
        let links: Vec<_> = children(*entry, "link").collect();
        if !links
            .iter()
            .any(|l| l.attribute("rel").is_none_or(|r| r == "alternate"))
        {
            problems.push(format!("{what} has no alternate link"));
        }
        for link in links {
            check_iri(
                link.attribute("href").unwrap_or(""),
                &format!("{what}'s link"),
                &mut problems,
            );
        }
        for construct in ["title", "summary", "content"] {
            for node in children(*entry, construct) {
                if node
                    .attribute("type")
                    .is_some_and(|t| !["text", "html", "xhtml"].contains(&t))
                {
                    problems.push(format!(
                        "{what}'s {construct} has type {:?}",
                        node.attribute("type")
                    ));
                }
            }
        }
        entries_have_authors &= children(*entry, "author").count() > 0;
    }
    if let Some(id) = &feed_id {
        check_iri(id, "the feed's id", &mut problems);
    }
    match &feed_updated {
        Some(updated) if !is_rfc3339(updated) => {
            problems.push(format!(
                "the feed's updated `{updated}` is not an RFC 3339 date-time"
            ));
        }
        Some(updated) if updated.as_str() < latest.as_str() => {
            problems.push(format!(
                "the feed's updated `{updated}` is before its latest entry's"
            ));
        }
        _ => {}
    }
    let authors: Vec<_> = children(root, "author").collect();
    if authors.is_empty() && (entries.is_empty() || !entries_have_authors) {
        problems.push("neither the feed nor every entry has an atom:author".to_string());
    }
    for author in authors {
        if children(author, "name").count() != 1 {
            problems.push("an atom:author without exactly one atom:name".to_string());
        }
    }
    let links: Vec<_> = children(root, "link").collect();
    for link in &links {
        check_iri(
            link.attribute("href").unwrap_or(""),
            "the feed's link",
            &mut problems,
        );
    }
    for rel in ["self", "alternate"] {
        let count = links
            .iter()
            .filter(|l| l.attribute("rel").unwrap_or("alternate") == rel)
            .count();
        if count != 1 {
            problems.push(format!("the feed has {count} links rel={rel}, not one"));
        }
    }
    problems
}

#[test]
fn the_atom_feed_follows_rfc_4287() {
    let (f, _) = hostile_built();
    let feed = f.read_out("feed.xml");
    assert_eq!(atom_problems(&feed), Vec::<String>::new(), "{feed}");
    assert!(
        !feed.contains("]]>") && !feed.contains("</script>"),
        "{feed}"
    );
    // The hostile changelog is there, as text.
    let doc = roxmltree::Document::parse(&feed).unwrap();
    let content = doc
        .descendants()
        .find(|n| n.has_tag_name((ATOM, "content")) && n.text().unwrap_or("").contains("]]>"))
        .expect("the hostile changelog line");
    assert!(
        content
            .text()
            .unwrap()
            .contains("</script>\nand a second line \u{2028} too.")
    );
    assert!(
        doc.descendants()
            .filter(|n| n.has_tag_name((ATOM, "link")))
            .any(|l| l.attribute("href")
                == Some("https://xn--bcher-kva.example.org/kb%20%5B2026%5D/jurisdictions/alpha/"))
    );

    let shipped = Fixture::shipped();
    shipped.build().expect("the shipped content builds");
    let feed = shipped.read_out("feed.xml");
    assert_eq!(atom_problems(&feed), Vec::<String>::new(), "{feed}");

    // The checks see what they check.
    for (from, to, problem) in [
        (
            "<author><name>jurisdex</name></author>",
            "",
            "neither the feed nor every entry has an atom:author",
        ),
        (
            "T00:00:00Z</updated>",
            "</updated>",
            "not an RFC 3339 date-time",
        ),
        (
            "<id>http://127.0.0.1:8080/</id>",
            "<id>/</id>",
            "not an absolute IRI",
        ),
        ("rel=\"self\"", "rel=\"related\"", "links rel=self"),
    ] {
        let broken = feed.replacen(from, to, 1);
        assert_ne!(broken, feed, "{from:?} is not in the feed");
        let found = atom_problems(&broken);
        assert!(
            found.iter().any(|p| p.contains(problem)),
            "{problem}: {found:?}"
        );
    }
}

/// Parses CSV as RFC 4180 has it: CRLF after every record, fields quoted when they hold a comma,
/// a quote or a line break, quotes doubled inside them. Any departure is an error.
fn parse_rfc4180(text: &str) -> Result<Vec<Vec<String>>, String> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut chars = text.char_indices().peekable();
    if text.is_empty() {
        return Err("empty".into());
    }
    loop {
        let mut field = String::new();
        if chars.peek().is_some_and(|&(_, c)| c == '"') {
            chars.next();
            loop {
                match chars.next() {
                    Some((_, '"')) if chars.peek().is_some_and(|&(_, c)| c == '"') => {
                        chars.next();
                        field.push('"');
                    }
                    Some((_, '"')) => break,
                    Some((_, c)) => field.push(c),
                    None => return Err(format!("row {}: an unclosed quote", rows.len() + 1)),
                }
            }
        } else {
            while let Some(&(at, c)) = chars.peek() {
                match c {
                    ',' | '\r' => break,
                    '"' | '\n' => {
                        return Err(format!("row {}: a bare {c:?} at byte {at}", rows.len() + 1));
                    }
                    _ => {
                        field.push(c);
                        chars.next();
                    }
                }
            }
        }
        if let Some(c) = field.chars().find(|&c| is_forbidden(c)) {
            return Err(format!(
                "row {}: the character U+{:04X}",
                rows.len() + 1,
                c as u32
            ));
        }
        row.push(field);
        match chars.next() {
            Some((_, ',')) => {}
            Some((at, '\r')) => {
                if chars.next().map(|(_, c)| c) != Some('\n') {
                    return Err(format!("a CR without LF at byte {at}"));
                }
                rows.push(std::mem::take(&mut row));
                if chars.peek().is_none() {
                    return Ok(rows);
                }
            }
            Some((at, c)) => return Err(format!("{c:?} after a quoted field at byte {at}")),
            None => return Err("the last record does not end with CRLF".into()),
        }
    }
}

/// Checks a CSV file as RFC 4180 has it, with the header `columns`; returns the records.
fn check_csv(what: &str, text: &str, columns: &[&str]) -> Vec<Vec<String>> {
    let rows = parse_rfc4180(text).unwrap_or_else(|e| panic!("{what}: {e}\n{text}"));
    assert_eq!(rows[0], columns, "{what}: the header row");
    for (n, row) in rows.iter().enumerate() {
        assert_eq!(
            row.len(),
            columns.len(),
            "{what}: row {} has {} fields",
            n + 1,
            row.len()
        );
    }
    rows[1..].to_vec()
}

const COMPARE_COLUMNS: [&str; 11] = [
    "row",
    "jurisdiction_id",
    "jurisdiction",
    "benchmark",
    "value",
    "confidence",
    "text",
    "provision",
    "sources",
    "url",
    "version",
];

#[tokio::test]
async fn csv_exports_follow_rfc_4180() {
    // The parser sees what it checks.
    for (broken, problem) in [
        ("a,b\r\n1,2", "CRLF"),
        ("a,b\n1,2\r\n", "bare '\\n'"),
        ("a,b\r\n\"1\"x,2\r\n", "after a quoted field"),
        ("a,b\r\n1\"2,3\r\n", "bare '\"'"),
        ("a,b\r\n\"1,2\r\n", "unclosed"),
    ] {
        let found = parse_rfc4180(broken).expect_err(broken);
        assert!(found.contains(problem), "{broken:?}: {found}");
    }
    assert_eq!(
        parse_rfc4180("a,b\r\n\"x, \"\"y\"\"\r\nz\",\r\n").unwrap(),
        [vec!["a", "b"], vec!["x, \"y\"\r\nz", ""]]
    );

    let (f, options) = hostile_built();
    let matrix = check_csv(
        "matrix.csv",
        &f.read_out("export/matrix.csv"),
        &MATRIX_COLUMNS,
    );
    assert_eq!(matrix.len(), 16);
    // The hostile note survives quoted, guarded against formulas, line break and all.
    assert!(
        matrix.iter().any(|r| r[7] == "'=HYPERLINK(\"https://x.example\"), a comma\nand a line break ]]> </script> \u{2028}"),
        "{matrix:?}"
    );
    let grouping = check_csv(
        "compare/asean/compare.csv",
        &f.read_out("compare/asean/compare.csv"),
        &COMPARE_COLUMNS,
    );
    assert!(!grouping.is_empty());
    let router = router(&options);
    let (status, served) = get(&router, "/compare/?j=alpha,beta&format=csv").await;
    assert_eq!(status, StatusCode::OK, "{served}");
    let served = check_csv("/compare/?format=csv", &served, &COMPARE_COLUMNS);
    assert_eq!(
        served, grouping,
        "the grouping's file and the served comparison agree"
    );

    let shipped = Fixture::shipped();
    shipped.build().expect("the shipped content builds");
    check_csv(
        "shipped matrix.csv",
        &shipped.read_out("export/matrix.csv"),
        &MATRIX_COLUMNS,
    );
    for file in files(&shipped.out().join("compare"), &["compare.csv"]) {
        check_csv(
            &file.display().to_string(),
            &fs::read_to_string(&file).unwrap(),
            &COMPARE_COLUMNS,
        );
    }
}

/// The keys of a JSON object, which must be exactly `keys`.
fn assert_keys(what: &str, value: &serde_json::Value, keys: &[&str]) {
    let object = value
        .as_object()
        .unwrap_or_else(|| panic!("{what} is not an object: {value}"));
    let found: Vec<&str> = object.keys().map(String::as_str).collect();
    let mut expected = keys.to_vec();
    expected.sort_unstable();
    let mut sorted = found.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, expected, "{what}'s keys");
}

fn parse_json(what: &str, text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{what} is not JSON ({e}): {text}"))
}

#[tokio::test]
async fn json_exports_and_api_answers_have_the_documented_shape() {
    let (f, options) = hostile_built();

    // The matrix: every jurisdiction × safeguard, the CSV's columns, all strings.
    let matrix = parse_json("matrix.json", &f.read_out("export/matrix.json"));
    let records = matrix.as_array().expect("an array");
    assert_eq!(records.len(), 16);
    for record in records {
        assert_keys("a matrix record", record, &MATRIX_COLUMNS);
        assert!(
            record
                .as_object()
                .unwrap()
                .values()
                .all(serde_json::Value::is_string),
            "{record}"
        );
        let url = record["entry_url"].as_str().unwrap();
        assert!(
            url.starts_with("https://xn--bcher-kva.example.org/kb%20%5B2026%5D/jurisdictions/"),
            "{url}"
        );
    }
    assert!(records.iter().any(|r| {
        r["note"]
            .as_str()
            .unwrap()
            .contains("]]> </script> \u{2028}")
    }));

    // One entry: its front matter and its body, the same file and served.
    let entry_file = parse_json("alpha.json", &f.read_out("api/jurisdictions/alpha.json"));
    let router = router(&options);
    let (status, served) = get(&router, "/api/jurisdictions/alpha").await;
    assert_eq!(status, StatusCode::OK, "{served}");
    let entry = parse_json("/api/jurisdictions/alpha", &served);
    assert_eq!(entry, entry_file);
    assert_keys(
        "an entry",
        &entry,
        &[
            "id",
            "name",
            "iso",
            "region",
            "groupings",
            "legal_system",
            "summary",
            "last_reviewed",
            "version",
            "reviewed_by",
            "entry_status",
            "aliases",
            "changelog",
            "instruments",
            "powers",
            "no_general_power",
            "cases",
            "safeguards",
            "sources",
            "body",
        ],
    );
    assert_eq!(entry["id"], "alpha");
    assert!(
        entry["summary"]
            .as_str()
            .unwrap()
            .contains("</script><script>alert(1)</script>\nsecond line \u{2028}")
    );
    assert_keys(
        "the safeguards",
        &entry["safeguards"],
        &[
            "legal_clarity",
            "necessity_proportionality",
            "judicial_authorisation",
            "independent_oversight",
            "user_notice",
            "appeal_redress",
            "transparency_reporting",
            "sunset_review",
        ],
    );
    assert_keys("the body", &entry["body"], &["html", "sections"]);
    assert!(
        entry["body"]["sections"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["id"] == "section-überprüfung-der-sperren")
    );
    assert!(
        entry["sources"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["url"].as_str().unwrap().contains("[@attr_id="))
    );

    // Search: the answer docs/REFERENCE.md shows, hit and facet.
    let (status, body) = get(&router, "/api/search?q=alpha&limit=2").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let answer = parse_json("/api/search", &body);
    assert_keys(
        "a search answer",
        &answer,
        &[
            "query",
            "total",
            "estimated",
            "offset",
            "limit",
            "hits",
            "facets",
            "corrected",
            "corrected_query",
            "elapsed_ms",
        ],
    );
    assert_eq!(answer["query"], "alpha");
    assert_eq!(
        answer["estimated"], false,
        "a small site's counts are exact"
    );
    assert_eq!(answer["limit"], 2);
    assert!(answer["total"].as_u64().unwrap() >= 2);
    assert!(answer["corrected"].is_boolean() && answer["elapsed_ms"].is_number());
    let hits = answer["hits"].as_array().unwrap();
    assert_eq!(hits.len(), 2);
    for hit in hits {
        assert_keys(
            "a hit",
            hit,
            &[
                "title",
                "breadcrumb",
                "url",
                "kind",
                "jurisdiction",
                "snippet_html",
                "snippet_text",
                "highlights",
                "score",
                "lang",
            ],
        );
        let text = hit["snippet_text"].as_str().unwrap();
        for range in hit["highlights"].as_array().unwrap() {
            let (start, end) = (
                range[0].as_u64().unwrap() as usize,
                range[1].as_u64().unwrap() as usize,
            );
            assert!(start < end && text.get(start..end).is_some(), "{hit}");
        }
    }
    for facet in answer["facets"].as_array().unwrap() {
        assert_keys("a facet", facet, &["name", "label", "values"]);
        for value in facet["values"].as_array().unwrap() {
            assert_keys(
                "a facet value",
                value,
                &["key", "label", "count", "selected"],
            );
        }
    }
    // A malformed parameter: `{"error": …}`.
    let (status, body) = get(&router, "/api/search?limit=abc").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let error = parse_json("a 400", &body);
    assert_keys("an error", &error, &["error"]);
    assert!(error["error"].is_string());

    // The shipped content's exports parse too.
    let shipped = Fixture::shipped();
    shipped.build().expect("the shipped content builds");
    for file in files(&shipped.out(), &[".json"]) {
        let what = file.display().to_string();
        let value = parse_json(&what, &fs::read_to_string(&file).unwrap());
        if what.ends_with("matrix.json") {
            for record in value.as_array().unwrap() {
                assert_keys("a matrix record", record, &MATRIX_COLUMNS);
            }
        }
    }
}
