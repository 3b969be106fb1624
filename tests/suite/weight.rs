//! Light pages: every page a reader opens first on a slow link, built from the shipped content,
//! weighs less than its budget gzipped, counting the page with the stylesheet and scripts it
//! loads; and no script holds up the first paint. The times these bytes cost on slow 3G are
//! measured by `benches/pages.sh` (Lighthouse), not here: tests never assert on time.

use std::io::Write;
use std::path::Path;

use flate2::Compression;
use flate2::write::GzEncoder;

use crate::support::Fixture;

/// What a page may weigh with its stylesheet and scripts, gzipped (the target for an entry page
/// and the home page on slow links).
const BUDGET: usize = 50 * 1024;

/// The page itself, gzipped, with its stylesheet, within which the first round trip of a new
/// connection (ten TCP segments, about 14 KB) should bring what the home page shows first.
const HOME_PAGE_BUDGET: usize = 14 * 1024;

fn gzipped(bytes: &[u8]) -> usize {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    encoder.write_all(bytes).expect("gzip in memory");
    encoder.finish().expect("gzip in memory").len()
}

/// The values of `attribute` on the tags named `tag` (`<script src>`, `<link href>`).
fn attributes<'a>(html: &'a str, tag: &str, attribute: &str) -> Vec<(&'a str, &'a str)> {
    let open = format!("<{tag} ");
    html.match_indices(&open)
        .filter_map(|(at, _)| {
            let element = &html[at..at + html[at..].find('>')?];
            Some((element, value_of(element, attribute)?))
        })
        .collect()
}

/// The value of `attribute` in the start tag `element`.
fn value_of<'a>(element: &'a str, attribute: &str) -> Option<&'a str> {
    let key = format!(" {attribute}=\"");
    let start = element.find(&key)? + key.len();
    Some(&element[start..start + element[start..].find('"')?])
}

/// The files a page loads before it is complete: its stylesheets and scripts (no images: the
/// pages draw theirs inline), with those a script loads once the page is painted (the offline
/// search's `data-index` and `data-app`, relative to the script's own address).
fn loads(html: &str) -> Vec<String> {
    let styles = attributes(html, "link", "href")
        .into_iter()
        .filter(|(element, _)| element.contains("rel=\"stylesheet\""));
    let scripts = attributes(html, "script", "src");
    let after_paint = scripts.iter().flat_map(|(element, src)| {
        let folder = &src[..src.rfind('/').map_or(0, |at| at + 1)];
        ["data-index", "data-app"]
            .into_iter()
            .filter_map(|attribute| value_of(element, attribute))
            .map(move |name| format!("{folder}{name}"))
    });
    styles
        .map(|(_, v)| v.to_string())
        .chain(after_paint.collect::<Vec<_>>())
        .chain(scripts.iter().map(|(_, v)| v.to_string()))
        .collect()
}

/// The page at `file` (relative to the output) with what it loads, gzipped file by file.
fn weight(out: &Path, file: &str) -> (usize, usize) {
    let html = std::fs::read_to_string(out.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
    let page = gzipped(html.as_bytes());
    let assets: usize = loads(&html)
        .iter()
        .map(|address| {
            let path = out.join(address.trim_start_matches('/'));
            gzipped(&std::fs::read(&path).unwrap_or_else(|e| panic!("{file} loads {address}: {e}")))
        })
        .sum();
    (page, page + assets)
}

#[test]
fn every_first_page_stays_within_its_budget_gzipped() {
    let f = Fixture::shipped();
    f.build().expect("the shipped content builds");
    let out = f.out();
    let mut pages = vec![
        "index.html".to_string(),
        "topics/index.html".to_string(),
        "jurisdictions/index.html".to_string(),
        "collections/index.html".to_string(),
        "search/index.html".to_string(),
    ];
    for folder in ["jurisdictions", "topics", "collections"] {
        for dir in std::fs::read_dir(out.join(folder)).unwrap() {
            let dir = dir.unwrap().path();
            if dir.join("index.html").is_file() {
                let name = dir.file_name().unwrap().to_string_lossy();
                pages.push(format!("{folder}/{name}/index.html"));
            }
        }
    }
    assert!(
        pages.len() > 30,
        "the shipped content has its entries, topics and collections"
    );
    let mut over = Vec::new();
    for page in &pages {
        let (_, total) = weight(&out, page);
        if total > BUDGET {
            over.push(format!("{page}: {total} bytes"));
        }
    }
    assert!(
        over.is_empty(),
        "over {BUDGET} bytes gzipped with what they load: {over:?}"
    );

    let (home, _) = weight(&out, "index.html");
    assert!(
        home <= HOME_PAGE_BUDGET,
        "the home page is {home} bytes gzipped, over {HOME_PAGE_BUDGET}: its first round trip no longer brings it"
    );
}

#[test]
fn no_script_holds_up_the_first_paint() {
    let f = Fixture::shipped();
    f.build().expect("the shipped content builds");
    let out = f.out();
    for page in [
        "index.html",
        "jurisdictions/indonesia/index.html",
        "compare/index.html",
        "search/index.html",
    ] {
        let html = std::fs::read_to_string(out.join(page)).unwrap();
        let head = &html[..html.find("</head>").expect("a head")];
        assert!(
            !head.contains("<script"),
            "{page}: a script in the head waits for the network before the page is drawn"
        );
        // Nothing else is fetched before the first paint: the stylesheet and the icon are in the page.
        assert!(
            head.contains("<style>") && !head.contains(r#"rel="stylesheet""#),
            "{page}: an external stylesheet costs a request before the page is drawn"
        );
        let icons = attributes(head, "link", "href");
        assert!(
            icons.iter().all(|(_, href)| !href.contains("favicon")),
            "{page}: the icon is fetched as a file"
        );
        for (element, src) in attributes(&html, "script", "src") {
            assert!(
                element.contains(" async") || element.contains(" defer"),
                "{page}: {src} blocks the parser"
            );
        }
        assert!(loads(&html).iter().any(|l| l.ends_with("/assets/app.js")));
    }
    // The offline search asks for one script before its first paint: each one requested then
    // costs a slow link a round trip before the page is drawn.
    let search = std::fs::read_to_string(out.join("search/index.html")).unwrap();
    assert_eq!(
        attributes(&search, "script", "src")
            .iter()
            .map(|(_, src)| *src)
            .collect::<Vec<_>>(),
        ["/assets/offline-search.js"]
    );
}
