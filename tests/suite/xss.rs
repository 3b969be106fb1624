//! Every XSS payload of `../shared/corpora/xss-payloads`, placed in content and queries, never yields
//! executable markup: checked by parsing every tag and attribute of every page, and by loading the
//! pages in headless Chromium, where no dialog may open and no injected script may run.

use std::fs;

use crate::browser::browser_suites;
use crate::support::{Fixture, shared_dir};

/// One parsed tag: its name and attributes (values as written, unquoted).
struct Tag {
    name: String,
    attributes: Vec<(String, String)>,
}

/// Parses the tags of an HTML document. Text and attribute values never hold a raw `<`
/// (they are escaped), so every `<` starts markup.
fn tags(html: &str) -> Vec<Tag> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        let body = &rest[start + 1..];
        // Attribute values never hold a raw `>` (escaped), so the tag ends at the first one.
        let end = body.find('>').unwrap_or(body.len());
        let chars: Vec<char> = body[..end].chars().collect();
        let mut i = 0;
        let mut name = String::new();
        while i < chars.len()
            && (chars[i].is_ascii_alphanumeric() || chars[i] == '/' || chars[i] == '!')
        {
            name.push(chars[i].to_ascii_lowercase());
            i += 1;
        }
        let mut attributes = Vec::new();
        loop {
            while i < chars.len() && (chars[i].is_whitespace() || chars[i] == '/') {
                i += 1;
            }
            if i >= chars.len() || chars[i] == '>' {
                break;
            }
            let mut attr = String::new();
            while i < chars.len()
                && !chars[i].is_whitespace()
                && !matches!(chars[i], '=' | '>' | '/')
            {
                attr.push(chars[i].to_ascii_lowercase());
                i += 1;
            }
            let mut value = String::new();
            if i < chars.len() && chars[i] == '=' {
                i += 1;
                if i < chars.len() && (chars[i] == '"' || chars[i] == '\'') {
                    let quote = chars[i];
                    i += 1;
                    while i < chars.len() && chars[i] != quote {
                        value.push(chars[i]);
                        i += 1;
                    }
                    i += 1;
                } else {
                    while i < chars.len() && !chars[i].is_whitespace() && chars[i] != '>' {
                        value.push(chars[i]);
                        i += 1;
                    }
                }
            }
            if attr.is_empty() {
                i += 1;
            } else {
                attributes.push((attr, value));
            }
        }
        let consumed: usize = chars[..i.min(chars.len())]
            .iter()
            .map(|c| c.len_utf8())
            .sum();
        rest = &body[consumed..];
        out.push(Tag { name, attributes });
    }
    out
}

/// Decodes the character references a browser would decode in a URL attribute, then removes
/// the whitespace and control characters browsers ignore in a scheme.
fn normalised_url(value: &str) -> String {
    let mut decoded = value
        .replace("&amp;", "&")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'");
    for (entity, c) in [
        ("&colon;", ":"),
        ("&#58;", ":"),
        ("&#x3a;", ":"),
        ("&tab;", ""),
    ] {
        decoded = decoded.replace(entity, c);
    }
    decoded
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .collect::<String>()
        .to_ascii_lowercase()
}

fn assert_safe(html: &str, context: &str) {
    for tag in tags(html) {
        if tag.name == "script" {
            let src = tag
                .attributes
                .iter()
                .find(|(a, _)| a == "src")
                .map(|(_, v)| v.as_str());
            assert!(
                src.is_some_and(|s| s.starts_with("/assets/")),
                "{context}: foreign <script {:?}>",
                tag.attributes
            );
        }
        for (attr, value) in &tag.attributes {
            assert!(
                !attr.starts_with("on"),
                "{context}: event handler {attr}={value:?} on <{}>",
                tag.name
            );
            // The site's icon is an SVG image written in the page (`base.html`): an icon runs no script.
            let is_site_icon = tag.name == "link"
                && tag
                    .attributes
                    .iter()
                    .any(|(a, v)| a == "rel" && v == "icon")
                && value.starts_with("data:image/svg+xml,");
            if matches!(
                attr.as_str(),
                "href" | "src" | "action" | "formaction" | "xlink:href"
            ) && !is_site_icon
            {
                let url = normalised_url(value);
                for scheme in ["javascript:", "data:", "vbscript:"] {
                    assert!(
                        !url.starts_with(scheme),
                        "{context}: {attr}={value:?} on <{}>",
                        tag.name
                    );
                }
            }
        }
        assert!(
            !matches!(tag.name.as_str(), "iframe" | "object" | "embed" | "base" | "meta" if tag.name != "meta"),
            "{context}: <{}>",
            tag.name
        );
    }
}

fn payloads() -> Option<Vec<String>> {
    let shared = shared_dir()?;
    let dir = shared.join("corpora/xss-payloads");
    let mut lines = Vec::new();
    for path in [
        dir.join("payloadsallthethings"),
        dir.join("owasp-cheatsheet"),
    ] {
        for entry in fs::read_dir(&path).unwrap() {
            let file = entry.unwrap().path();
            if file.extension().is_some_and(|e| e == "txt") {
                let text = String::from_utf8_lossy(&fs::read(&file).unwrap()).into_owned();
                lines.extend(
                    text.lines()
                        .filter(|l| !l.trim().is_empty())
                        .map(str::to_string),
                );
            }
        }
    }
    lines.sort();
    lines.dedup();
    Some(lines)
}

/// A payload as content may hold it: without the control characters, noncharacters and
/// bidirectional overrides that `check` refuses (its own tests cover those).
fn storable(text: &str) -> String {
    text.chars()
        .filter(|&c| {
            c != '\u{feff}'
                && !jurisdex::html::is_forbidden(c)
                && !jurisdex::html::is_bidi_override(c)
        })
        .collect()
}

/// A JSON string is a valid YAML double-quoted scalar: payloads go into YAML safely this way.
fn yaml_string(text: &str) -> String {
    serde_json::to_string(&storable(text)).unwrap()
}

/// The payloads as Markdown paragraphs. Markdown links are defused (`](` → `] (`, reference
/// definitions escaped): a payload linking to a missing internal page is the link checker's
/// business, and would stop the build before the XSS checks run.
fn markdown_body(chunk: &[String]) -> String {
    chunk
        .iter()
        .map(|p| {
            let p = storable(p).replace("](", "] (");
            if p.trim_start().starts_with('[') {
                format!("\\{p}")
            } else {
                p
            }
        })
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// A jurisdiction entry whose every plain-text field holds payloads.
fn hostile_entry(n: usize, chunk: &[String]) -> String {
    let all = yaml_string(&chunk.join(" "));
    let one = |k: usize| yaml_string(&chunk[k % chunk.len()]);
    // What `check` refuses in an address is left out: whitespace, controls and backslashes.
    let url: String = chunk
        .concat()
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control() && *c != '\\')
        .take(400)
        .collect();
    let url = yaml_string(&format!("https://example.org/{url}"));
    let mut safeguards = String::new();
    for key in jurisdex::model::SafeguardKey::ALL {
        safeguards.push_str(&format!(
            "  {}: {{ value: partial, provisions: [{{ instrument: law, section: {} }}], note: {all}, confidence: confirmed, sources: [s] }}\n",
            key.key(),
            one(2)
        ));
    }
    format!(
        "---\nid: xss-{n}\nname: {name}\niso: XS-{n}\nregion: europe\ngroupings: [eu]\nlegal_system: {all}\nsummary: {all}\nlast_reviewed: 2026-11-01\nreviewed_by: {r}\nentry_status: draft\nchangelog:\n  - {{ date: 2026-11-01, change: {all} }}\ninstruments:\n  - id: law\n    title: {all}\n    original_title: {all}\n    original_lang: fr\n    short_name: {short}\n    type: statute\n    status: in_force\n    dates: {{}}\n    citation: {all}\n    url: {url}\n    key_provisions: [{{ section: {sec}, gist: {all} }}]\n    confidence: confirmed\n    sources: [s]\npowers:\n  - id: p\n    authority: {all}\n    authority_type: executive\n    actions: [block_access]\n    basis: {{ instrument: law, section: {sec} }}\n    grounds: {all}\n    deadline: {{ text: {d} }}\n    court_role: after\n    remedy: {all}\n    penalties: {all}\n    confidence: confirmed\n    sources: [s]\ncases:\n  - {{ id: c, name: {name}, court: {d}, date: 2020, outcome: upheld, instrument: law, provision: {sec}, summary: {all}, confidence: confirmed, sources: [s] }}\nsafeguards:\n{safeguards}sources:\n  - {{ id: s, title: {all}, publisher: {d}, kind: news, url: {url}, accessed: 2026-11-01 }}\n---\n{body}\n",
        name = yaml_string(&format!("{n} {}", chunk[0])),
        r = one(1),
        short = one(3),
        sec = one(4),
        d = one(5),
        body = markdown_body(chunk),
    )
}

/// The basic fixture plus one hostile entry per 40 payloads and a hostile collection.
fn hostile_site(payloads: &[String]) -> Fixture {
    let f = Fixture::new("basic");
    let mut collection = String::from(
        "id: hostile\ntitle: Hostile\naudience: testers\ndate: 2026-12\nfacilitator: x\nitems:\n",
    );
    for (n, chunk) in payloads.chunks(40).enumerate() {
        f.write(
            &format!("jurisdictions/xss-{n}.md"),
            &hostile_entry(n, chunk),
        );
        collection.push_str(&format!(
            "  - {{ ref: \"/jurisdictions/xss-{n}/#safeguard-user-notice\", title: {}, note: {} }}\n",
            yaml_string(&chunk[0]),
            yaml_string(&chunk.join(" "))
        ));
    }
    f.write("collections/hostile.yaml", &collection);
    f
}

#[test]
fn payloads_in_content_and_queries_never_become_executable() {
    let Some(payloads) = payloads() else { return };
    assert!(
        payloads.len() > 1000,
        "whole corpus expected, got {}",
        payloads.len()
    );
    let f = hostile_site(&payloads);
    let built = f
        .build()
        .unwrap_or_else(|e| panic!("hostile content must still build:\n{e}"));
    let mut pages = 0;
    for entry in walkdir::WalkDir::new(f.out()) {
        let entry = entry.unwrap();
        let path = entry.path();
        if path.extension().is_some_and(|e| e == "html" || e == "xml") {
            assert_safe(
                &fs::read_to_string(path).unwrap(),
                &path.display().to_string(),
            );
            pages += 1;
        }
    }
    assert!(pages > 40, "checked {pages} pages");

    // The same payloads as search queries, on the server-rendered search page and the compare page.
    let snapshot = jurisdex::server::Snapshot::open(&built.dir, &f.options(), 1, false).unwrap();
    let router = jurisdex::server::app(jurisdex::server::AppState::new(snapshot));
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        use axum::body::Body;
        use axum::http::Request;
        use http_body_util::BodyExt;
        use tower::ServiceExt;
        for payload in payloads.iter().step_by(3) {
            let q: String = serde_urlencoded::to_string([("q", payload.as_str())]).unwrap();
            for uri in [format!("/search?{q}"), format!("/compare/?j={}", &q[2..])] {
                let response = router
                    .clone()
                    .oneshot(Request::get(&uri).body(Body::empty()).unwrap())
                    .await
                    .unwrap();
                let status = response.status();
                assert!(
                    status.is_success() || status.is_client_error(),
                    "{uri}: {status}"
                );
                let bytes = response.into_body().collect().await.unwrap().to_bytes();
                assert_safe(&String::from_utf8_lossy(&bytes), &uri);
            }
        }
    });
}

#[test]
fn payloads_fire_no_dialog_and_run_no_script_in_chromium() {
    let Some(suites) = browser_suites("the XSS payloads were not loaded in a browser") else {
        return;
    };
    let Some(payloads) = payloads() else { return };
    let f = hostile_site(&payloads);
    let entries = payloads.chunks(40).count();
    let mut paths: Vec<String> = (0..entries)
        .map(|n| format!("/jurisdictions/xss-{n}/"))
        .collect();
    paths.extend(
        [
            "/",
            "/jurisdictions/",
            "/topics/user_notice/",
            "/collections/",
            "/collections/hostile/",
            "/compare/eu/",
            "/search?q=xss",
        ]
        .map(String::from),
    );
    let chosen = (0..entries.min(8))
        .map(|n| format!("xss-{n}"))
        .collect::<Vec<_>>()
        .join(",");
    paths.push(format!("/compare/?j={chosen}"));
    // The same comparison drawn in the browser from the comparison data by the static compare
    // page (`compare.js`), with and without a benchmark and differences only.
    paths.push(format!("/compare/index.html?j={chosen}"));
    paths.push(format!(
        "/compare/index.html?j={chosen}&diff=1&bench=xss-{}",
        entries - 1
    ));
    // Payloads as queries: the search page echoes them; compare answers 400 with a message.
    for payload in payloads.iter().step_by(3) {
        let q = serde_urlencoded::to_string([("q", payload.as_str())]).unwrap();
        paths.push(format!("/search?{q}"));
    }
    for payload in payloads.iter().step_by(9) {
        let j = serde_urlencoded::to_string([("j", payload.as_str())]).unwrap();
        paths.push(format!("/compare/?{j}"));
        paths.push(format!("/compare/index.html?{j}"));
    }
    let list = f.dir.path().join("xss-paths.txt");
    fs::write(&list, paths.join("\n")).unwrap();
    let server = f.serve(&[]);
    suites.run("xss", &[server.url(), list.display().to_string()]);
}
