//! The router end to end with `oneshot`: pages, headers, redirects, search, APIs, hostile input.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use tower::ServiceExt;

use crate::support::{Fixture, get};
use jurisdex::server::{AppState, Snapshot, app};

struct Served {
    _fixture: Fixture,
    router: axum::Router,
}

fn served() -> Served {
    let fixture = Fixture::new("basic");
    let built = fixture.build().expect("fixture builds");
    let snapshot =
        Snapshot::open(&built.dir, &fixture.options(), 1, false).expect("snapshot opens");
    Served {
        router: app(AppState::new(snapshot)),
        _fixture: fixture,
    }
}

#[tokio::test]
async fn pages_are_served_with_security_headers() {
    let s = served();
    let (status, headers, body) = get(&s.router, "/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("Safeguards matrix"));
    let csp = headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
    assert!(csp.contains("frame-ancestors 'none'"));
    let directive = |name: &str| csp.split(';').map(str::trim).find(|d| d.starts_with(name));
    assert_eq!(
        directive("script-src "),
        Some("script-src 'self'"),
        "no inline script runs"
    );
    // The stylesheet is in the page, so the first paint waits for no other request.
    assert!(body.contains("<style>") && !body.contains(r#"rel="stylesheet""#));
    assert!(body.contains(r#"<link rel="icon" href="data:image/svg+xml,"#));
    assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    assert!(headers.contains_key(header::REFERRER_POLICY));
    let (status, _, body) = get(&s.router, "/jurisdictions/alpha/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains(r#"id="safeguard-judicial-authorisation""#));
    let (status, _, body) = get(&s.router, "/healthz").await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "ok\n"));
}

#[tokio::test]
async fn unknown_pages_get_the_404_page_and_aliases_301() {
    let s = served();
    let (status, _, body) = get(&s.router, "/jurisdictions/nowhere/").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body.contains("Page not found"));
    let (status, headers, _) = get(&s.router, "/jurisdictions/old-alpha/").await;
    assert_eq!(status, StatusCode::MOVED_PERMANENTLY);
    assert_eq!(headers[header::LOCATION], "/jurisdictions/alpha/");
}

#[tokio::test]
async fn path_traversal_in_any_encoding_never_escapes() {
    let s = served();
    for uri in [
        "/../Cargo.toml",
        "/%2e%2e/Cargo.toml",
        "/%2E%2E%2FCargo.toml",
        "/assets/..%2f..%2fCargo.toml",
        "/assets%5c..%5cCargo.toml",
        "/.search-index/meta.json",
        "/index.html%00.css",
    ] {
        let (status, _, body) = get(&s.router, uri).await;
        assert!(
            status == StatusCode::NOT_FOUND || status == StatusCode::BAD_REQUEST,
            "{uri}: {status}"
        );
        assert!(!body.contains("[package]"), "{uri} leaked a file");
    }
}

#[tokio::test]
async fn search_page_and_api_find_the_section() {
    let s = served();
    let (status, _, body) = get(&s.router, "/search?q=blocking+orders").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        body.contains("/jurisdictions/alpha/#section-legal-framework"),
        "{body}"
    );
    assert!(body.contains("<mark>"));
    let (status, headers, body) = get(&s.router, "/api/search?q=Kominfo&limit=5").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let json: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert!(json["total"].as_u64().unwrap() >= 1);
    assert!(
        json["hits"][0]["url"]
            .as_str()
            .unwrap()
            .starts_with("/jurisdictions/alpha/")
    );
    assert!(json["facets"].is_array());
}

#[tokio::test]
async fn the_typo_notice_names_the_query_searched_instead() {
    let s = served();
    let (status, _, body) = get(&s.router, "/search?q=Komnifo&region=southeast-asia").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        body.contains(
            "No results for “Komnifo”. Showing results for \
             <a href=\"/search?q=kominfo&amp;region=southeast-asia\">“kominfo”</a>."
        ),
        "{body}"
    );
    // What the reader typed is escaped in the notice, the link and its address.
    let (_, _, body) = get(&s.router, "/search?q=Komnifo+-%3Ci%3Ezz").await;
    assert!(
        body.contains(
            "No results for “Komnifo -&lt;i&gt;zz”. Showing results for \
             <a href=\"/search?q=kominfo+-%3Ci%3Ezz\">“kominfo -&lt;i&gt;zz”</a>."
        ),
        "{body}"
    );
    // A query found as typed shows no notice.
    let (_, _, body) = get(&s.router, "/search?q=Kominfo").await;
    assert!(body.contains("data-corrected hidden></p>"), "{body}");
    // A query with quotation marks of its own is named as typed, its marks not nested in others.
    let (_, _, body) = get(&s.router, "/search?q=Komnifo+-%22zz+yy%22").await;
    assert!(
        body.contains(
            "No results for Komnifo -&quot;zz yy&quot;. Showing results for \
             <a href=\"/search?q=kominfo+-%22zz+yy%22\">kominfo -&quot;zz yy&quot;</a>."
        ),
        "{body}"
    );
    assert!(
        body.contains("result for Komnifo -&quot;zz yy&quot; · page")
            || body.contains("results for Komnifo -&quot;zz yy&quot; · page"),
        "{body}"
    );
}

#[tokio::test]
async fn repeated_searches_are_answered_alike_in_each_form() {
    // The second of each pair comes from the search cache, which must keep the page and the
    // JSON of one query apart.
    let s = served();
    let mut answers = Vec::new();
    for path in [
        "/api/search?q=blocking+orders",
        "/search?q=blocking+orders",
        "/api/search?q=blocking+orders",
        "/search?q=blocking+orders",
    ] {
        let (status, headers, body) = get(&s.router, path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        let content_type = headers[header::CONTENT_TYPE].to_str().unwrap().to_owned();
        answers.push((content_type, body));
    }
    assert!(answers[0].0.starts_with("application/json"));
    assert!(answers[1].0.starts_with("text/html"));
    assert!(answers[1].1.contains("<mark>"), "{}", answers[1].1);
    let json: serde_json::Value = serde_json::from_str(&answers[0].1).unwrap();
    assert!(json["total"].as_u64().unwrap() >= 1);
    assert_eq!(answers[2], answers[0]);
    assert_eq!(answers[3], answers[1]);
}

#[tokio::test]
async fn search_facet_links_and_empty_browse_view() {
    let s = served();
    let (status, _, body) = get(&s.router, "/search").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("Browse:"));
    let (_, _, body) = get(&s.router, "/search?q=law&region=europe").await;
    assert!(body.contains("region: europe"), "active filter shown");
    assert!(
        !body.contains("/jurisdictions/alpha/#"),
        "alpha is filtered out"
    );
}

#[tokio::test]
async fn hostile_queries_never_500() {
    let s = served();
    let long = "a".repeat(10_000);
    for q in [
        "AND%20OR%20((",
        "title:",
        "%22unclosed",
        "%00%01%02",
        "%ZZ",
        "-",
        "*",
        "%3Cscript%3Ealert(1)%3C/script%3E",
        long.as_str(),
    ] {
        for path in ["/search", "/api/search"] {
            let (status, _, body) = get(&s.router, &format!("{path}?q={q}")).await;
            assert!(
                status == StatusCode::OK || status == StatusCode::BAD_REQUEST,
                "{path}?q={q}: {status}"
            );
            assert!(
                !body.contains("<script>alert(1)"),
                "{path}: query reflected unescaped"
            );
        }
    }
    let (status, _, body) = get(&s.router, &format!("/api/search?q={long}")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("query too long"));
    let (status, _, _) = get(&s.router, "/api/search?limit=abc").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn jurisdiction_api_returns_the_entry() {
    let s = served();
    let (status, _, body) = get(&s.router, "/api/jurisdictions/alpha").await;
    assert_eq!(status, StatusCode::OK);
    let json: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(json["id"], "alpha");
    assert_eq!(json["safeguards"]["judicial_authorisation"]["value"], "no");
    let (status, headers, _) = get(&s.router, "/api/jurisdictions/old-alpha").await;
    assert_eq!(status, StatusCode::MOVED_PERMANENTLY);
    assert_eq!(headers[header::LOCATION], "/api/jurisdictions/alpha");
    let (status, _, body) = get(&s.router, "/api/jurisdictions/nowhere").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body.contains("no jurisdiction with id"));
}

#[tokio::test]
async fn compare_renders_selection_differences_benchmark_and_csv() {
    let s = served();
    // Ids or ISO codes, any case; form checkboxes may repeat `j`.
    let (status, _, body) = get(
        &s.router,
        "/compare/?j=alpha&j=be&t=judicial_authorisation,user_notice",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        body.contains(r#"<a href="/jurisdictions/alpha/#safeguard-user-notice">"#),
        "{body}"
    );
    assert!(body.contains(r#"<a href="/jurisdictions/beta/#safeguard-judicial-authorisation">"#));
    assert!(
        !body.contains("#safeguard-legal-clarity\">"),
        "unselected safeguard rows are left out"
    );
    // Both are `no` for judicial authorisation: "differences only" hides that row.
    let (_, _, diff) = get(
        &s.router,
        "/compare/?j=alpha,beta&t=judicial_authorisation,user_notice&diff=1",
    )
    .await;
    assert!(!diff.contains("/jurisdictions/alpha/#safeguard-judicial-authorisation"));
    assert!(diff.contains("/jurisdictions/alpha/#safeguard-user-notice"));
    assert!(
        diff.contains(
            "Hidden because every jurisdiction has the same answer: Judicial authorisation"
        ),
        "the hidden row is named"
    );
    // A benchmark column comes first and is marked.
    let (_, _, bench) = get(&s.router, "/compare/?j=alpha,beta&bench=beta").await;
    let first_column = bench
        .find(r#"<th scope="col"><a href="/jurisdictions/beta/">"#)
        .unwrap();
    assert!(
        first_column
            < bench
                .find(r#"<th scope="col"><a href="/jurisdictions/alpha/">"#)
                .unwrap()
    );
    assert!(bench.contains(">benchmark</span>"));
    // The CSV is exactly the rows on screen.
    let (status, headers, csv) = get(
        &s.router,
        "/compare/?j=alpha,beta&t=judicial_authorisation,user_notice&diff=1&format=csv",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let rows: Vec<&str> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap())
        .collect();
    let on_screen = diff.matches("<tr class=").count();
    assert_eq!(
        rows.len(),
        on_screen * 2,
        "one CSV line per row and jurisdiction:\n{csv}"
    );
    assert!(!rows.contains(&"Judicial authorisation"));
}

#[tokio::test]
async fn compare_rejects_bad_selections_with_a_message() {
    let s = served();
    let (status, _, body) = get(&s.router, "/compare/?j=alpha,atlantis").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("unknown jurisdiction `atlantis`"));
    let (status, _, body) = get(&s.router, "/compare/?j=alpha,beta&t=bogus").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("unknown safeguard `bogus`"));
    let (status, _, body) = get(&s.router, "/compare/?j=alpha").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("Choose at least 2 jurisdictions"));
    let (status, _, _) = get(&s.router, "/compare/?j=alpha&format=csv").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    // Bytes that are not UTF-8, or a query that is too long: a 400 with the form, never a 500.
    let (status, _, body) = get(&s.router, "/compare/?j=%FF%FE,alpha").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("unknown jurisdiction"), "{body}");
    let long = format!("/compare/?j={}", "alpha,".repeat(400));
    let (status, _, body) = get(&s.router, &long).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("query too long"), "{body}");
}

#[tokio::test]
async fn static_files_answer_head_and_conditional_get() {
    let s = served();
    let head = s
        .router
        .clone()
        .oneshot(
            Request::head("/jurisdictions/alpha/")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(head.status(), StatusCode::OK);
    let etag = head.headers()[header::ETAG].clone();
    assert!(head.headers().contains_key(header::LAST_MODIFIED));
    assert!(
        head.into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .is_empty()
    );
    let again = s
        .router
        .clone()
        .oneshot(
            Request::get("/jurisdictions/alpha/")
                .header(header::IF_NONE_MATCH, etag)
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
}

/// A search the pool cannot answer is a `503` with a JSON error, never another search's answer.
#[tokio::test]
async fn search_answers_503_when_the_search_pool_cannot_answer() {
    let fixture = Fixture::new("basic");
    let built = fixture.build().expect("fixture builds");
    let snapshot =
        Snapshot::open(&built.dir, &fixture.options(), 1, false).expect("snapshot opens");
    let router = app(AppState::with_search_threads(snapshot, 0));
    let (status, headers, body) = get(&router, "/api/search?q=kominfo").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(headers[header::CONTENT_TYPE], "application/json");
    let error: serde_json::Value = serde_json::from_str(&body).expect("a JSON error");
    assert!(
        error["error"].as_str().unwrap().contains("unavailable"),
        "{body}"
    );
    assert!(error.get("hits").is_none(), "{body}");
    let (status, _, body) = get(&router, "/search?q=kominfo").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(!body.contains("kominfo-blocking"), "{body}");
    // Pages that need no search are still served.
    let (status, ..) = get(&router, "/jurisdictions/alpha/").await;
    assert_eq!(status, StatusCode::OK);
}

/// No address makes the server redirect to another host: `//host/` in a `Location` is read by
/// browsers as that host.
#[tokio::test]
async fn redirects_never_leave_the_site() {
    let s = served();
    for path in [
        "//jurisdictions",
        "///jurisdictions",
        "//example.org/",
        "//jurisdictions/alpha",
    ] {
        let (status, headers, _) = get(&s.router, path).await;
        assert!(
            !headers.contains_key(header::LOCATION),
            "{path} → {status} {:?}",
            headers.get(header::LOCATION)
        );
        assert!(
            headers.contains_key(header::CONTENT_SECURITY_POLICY),
            "{path}"
        );
    }
    // A directory's address without its slash still redirects, to a path on this site.
    let (status, headers, _) = get(&s.router, "/jurisdictions").await;
    assert!(status.is_redirection(), "{status}");
    assert_eq!(headers[header::LOCATION], "/jurisdictions/");
}

/// A rating's confidence travels with it wherever it is shown: the comparison (HTML and CSV)
/// marks `believed` and `confirmed` alike.
#[tokio::test]
async fn comparisons_carry_each_ratings_confidence() {
    let s = served();
    let (status, _, html) = get(
        &s.router,
        "/compare/?j=alpha,beta&t=necessity_proportionality,judicial_authorisation",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("(believed)"), "{html}");
    assert!(html.contains("(confirmed)"), "{html}");
    let (_, _, csv) = get(
        &s.router,
        "/compare/?j=alpha,beta&t=necessity_proportionality&format=csv",
    )
    .await;
    let header = csv.lines().next().unwrap();
    assert!(header.contains(",value,confidence,"), "{header}");
    assert!(
        csv.lines().any(|l| l.contains(",silent,believed,")),
        "{csv}"
    );
}
