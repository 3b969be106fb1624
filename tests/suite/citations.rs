//! Citations and error reports: the content version on entry pages, in the JSON API and the
//! exports; the four citation forms, escaped; comparisons and lists cited by the versions they
//! show; "Report an error" links and the `site.yaml` setting that names where reports go.

use std::fs;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use tower::ServiceExt;

use crate::support::Fixture;
use jurisdex::model::{ContentVersion, Date};
use jurisdex::server::{AppState, Snapshot, app};
use jurisdex::site::BuildError;

/// Text as the HTML escaper writes it, read back.
fn unescape(html: &str) -> String {
    html.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// The text of the cite box's textarea `cite-<form>`.
fn cite_text(html: &str, form: &str) -> String {
    let start = html
        .find(&format!(r#"<textarea id="cite-{form}""#))
        .unwrap_or_else(|| panic!("no cite-{form} in the page"));
    let open = start + html[start..].find('>').unwrap() + 1;
    let close = open + html[open..].find("</textarea>").unwrap();
    unescape(&html[open..close])
}

/// The version a page's cite box names.
fn cited_version(html: &str) -> String {
    let at = html.find(r#"data-cite-version=""#).expect("a cite box") + 19;
    html[at..at + html[at..].find('"').unwrap()].to_string()
}

/// The version the JSON API gives an entry.
fn api_version(f: &Fixture, id: &str) -> ContentVersion {
    let json: serde_json::Value =
        serde_json::from_str(&f.read_out(&format!("api/jurisdictions/{id}.json"))).unwrap();
    serde_json::from_value(json["version"].clone()).expect("a version in the JSON")
}

#[test]
fn entries_show_their_version_in_the_page_the_api_and_the_exports() {
    let f = Fixture::new("basic");
    f.build().expect("fixture builds");
    let version = api_version(&f, "alpha");
    let text = fs::read_to_string(f.content().join("jurisdictions/alpha.md")).unwrap();
    assert_eq!(
        version,
        ContentVersion::of_source(Date::parse("2026-11-01").unwrap(), &text)
    );
    assert!(version.as_str().starts_with("2026-11-01."), "{version}");
    let html = f.read_out("jurisdictions/alpha/index.html");
    assert!(html.contains(&format!(
        "<dt>Version</dt><dd><code>{version}</code> · reviewed 1 November 2026"
    )));
    assert_eq!(cited_version(&html), version.as_str());
    // Every matrix row of the entry names its version.
    let csv = f.read_out("export/matrix.csv");
    assert!(
        csv.starts_with("jurisdiction_id,") && csv.contains(",last_reviewed,version,entry_url\r\n")
    );
    assert_eq!(csv.matches(&format!(",{version},")).count(), 8, "{csv}");
    let json: serde_json::Value = serde_json::from_str(&f.read_out("export/matrix.json")).unwrap();
    assert_eq!(json[0]["version"], version.as_str());

    // An edit makes a new version of the entry and of the lists showing it, not of the others.
    let topic = cited_version(&f.read_out("topics/user_notice/index.html"));
    let beta = api_version(&f, "beta");
    f.edit("jurisdictions/alpha.md", "summary: ", "summary: Edited. ");
    f.build().expect("fixture builds");
    assert_ne!(api_version(&f, "alpha"), version);
    assert_eq!(api_version(&f, "beta"), beta);
    let edited_topic = f.read_out("topics/user_notice/index.html");
    assert_ne!(cited_version(&edited_topic), topic);
    // Made from the versions of the entries it shows, in the order it shows them.
    let alpha = api_version(&f, "alpha");
    let orders = [[&alpha, &beta], [&beta, &alpha]];
    let made: Vec<String> = orders
        .iter()
        .map(|parts| ContentVersion::of_parts(*parts).unwrap().to_string())
        .collect();
    assert!(made.contains(&cited_version(&edited_topic)), "{made:?}");
}

#[test]
fn the_four_citation_forms_carry_version_review_date_and_escape_what_they_quote() {
    let f = Fixture::new("basic");
    f.edit(
        "jurisdictions/alpha.md",
        r#"name: Alpha <script>alert("name")</script>"#,
        r"name: 'Alpha & Sons {50%} #1_x ~^$\ <script>'",
    );
    f.build().expect("fixture builds");
    let version = api_version(&f, "alpha");
    let html = f.read_out("jurisdictions/alpha/index.html");
    assert!(
        !html.contains("<script>'"),
        "the name is escaped in the page"
    );
    let url = format!("http://127.0.0.1:8080/jurisdictions/alpha/?v={version}");

    let plain = cite_text(&html, "plain");
    assert_eq!(
        plain,
        format!(
            "jurisdex, “Alpha & Sons {{50%}} #1_x ~^$\\ <script>: powers to block or remove online content and their safeguards”, version {version} (reviewed 1 November 2026), {url} (accessed {}).",
            Date::today().human()
        )
    );

    let bibtex = cite_text(&html, "bibtex");
    assert!(
        bibtex.starts_with("@misc{jurisdex-alpha-2026-11-01,\n"),
        "{bibtex}"
    );
    assert!(
        bibtex.contains(r"title = {{Alpha \& Sons \textbraceleft{}50\%\textbraceright{} \#1\_x \textasciitilde{}\textasciicircum{}\$\textbackslash{} <script>: powers"),
        "{bibtex}"
    );
    for field in [
        "  date = {2026-11-01},\n".to_string(),
        format!("  version = {{{version}}},\n"),
        format!("  url = {{{url}}},\n"),
        format!("  note = {{Version {version}, reviewed 1 November 2026}}\n"),
    ] {
        assert!(bibtex.contains(&field), "{field} in {bibtex}");
    }
    let mut depth = 0;
    for c in bibtex.chars() {
        depth += i32::from(c == '{') - i32::from(c == '}');
        assert!(depth >= 0, "a `}}` closes more than was opened: {bibtex}");
    }
    assert_eq!(depth, 0, "unbalanced braces: {bibtex}");

    let ris = cite_text(&html, "ris");
    for line in [
        "TY  - ELEC".to_string(),
        "DA  - 2026/11/01".to_string(),
        format!("ET  - {version}"),
        format!("UR  - {url}"),
        "ER  - ".to_string(),
    ] {
        assert!(ris.lines().any(|l| l == line), "{line} in {ris}");
    }

    let csl: serde_json::Value = serde_json::from_str(&cite_text(&html, "csl-json")).unwrap();
    let item = &csl[0];
    assert_eq!(item["type"], "webpage");
    assert_eq!(item["version"], version.as_str());
    assert_eq!(item["URL"], url.as_str());
    assert_eq!(
        item["issued"]["date-parts"][0],
        serde_json::json!([2026, 11, 1])
    );
    assert!(
        item["title"]
            .as_str()
            .unwrap()
            .starts_with("Alpha & Sons {50%} #1_x ~^$\\ <script>: powers"),
        "{item}"
    );
    // Each section's "Cite" names its anchor; without scripts it leads to the cite box.
    assert!(html.contains(
        r##"<a href="#cite" data-cite-section="safeguard-user-notice">Cite<span class="visually-hidden"> User notice</span></a>"##
    ));
}

#[tokio::test]
async fn custom_comparisons_are_cited_by_the_versions_they_show() {
    let f = Fixture::new("basic");
    let built = f.build().expect("fixture builds");
    let snapshot = Snapshot::open(&built.dir, &f.options(), 1, false).expect("snapshot opens");
    let router = app(AppState::new(snapshot));
    let get = |uri: &str| {
        let request = Request::get(uri).body(Body::empty()).unwrap();
        let router = router.clone();
        async move {
            let response = router.oneshot(request).await.unwrap();
            let status = response.status();
            let bytes = response.into_body().collect().await.unwrap().to_bytes();
            (status, String::from_utf8_lossy(&bytes).into_owned())
        }
    };
    let (alpha, beta) = (api_version(&f, "alpha"), api_version(&f, "beta"));
    let (status, html) = get("/compare/?j=beta,alpha").await;
    assert_eq!(status, StatusCode::OK);
    let version = ContentVersion::of_parts([&beta, &alpha]).unwrap();
    assert_eq!(cited_version(&html), version.as_str());
    // Dated by the latest review of the two.
    assert!(version.as_str().starts_with("2026-11-01."), "{version}");
    let url = format!("http://127.0.0.1:8080/compare/?j=beta,alpha&v={version}");
    assert!(html.contains(&format!(r#"data-cite-url="{}""#, url.replace('&', "&amp;"))));
    let plain = cite_text(&html, "plain");
    assert!(
        plain.contains("“Comparison of Beta and Alpha <script>"),
        "{plain}"
    );
    assert!(plain.contains(&url), "{plain}");
    for v in [&alpha, &beta] {
        assert!(html.contains(&format!("version <code>{v}</code>")), "{v}");
    }
    // The form alone cites nothing.
    let (_, form) = get("/compare/").await;
    assert!(!form.contains("data-cite-box"));
    // The comparison's CSV names each column's version.
    let (_, csv) = get("/compare/?j=beta,alpha&format=csv").await;
    assert!(
        csv.lines().next().unwrap().ends_with(",url,version"),
        "{csv}"
    );
    assert!(
        csv.lines()
            .skip(1)
            .all(|l| l.ends_with(alpha.as_str()) || l.ends_with(beta.as_str()))
    );
}

#[test]
fn report_links_name_the_section_address_and_version() {
    let f = Fixture::new("basic");
    f.build().expect("fixture builds");
    // Without `site.yaml`, and with no repository in Cargo.toml, no page offers a report link.
    assert_eq!(env!("CARGO_PKG_REPOSITORY"), "");
    assert!(
        !f.read_out("jurisdictions/beta/index.html")
            .contains(">Report an error<")
    );

    f.write(
        "site.yaml",
        "report_errors_to: mailto:corrections@example.org\n",
    );
    f.build().expect("fixture builds");
    let version = api_version(&f, "beta");
    let html = f.read_out("jurisdictions/beta/index.html");
    let expected = format!(
        "mailto:corrections@example.org?subject=Error%20in%20Beta%3A%20User%20notice&amp;body=Section%3A%20User%20notice%0AAddress%3A%20http%3A%2F%2F127.0.0.1%3A8080%2Fjurisdictions%2Fbeta%2F%3Fv%3D{version}%23safeguard-user-notice%0AContent%20version%3A%20{version}%20%28reviewed%201%20October%202026%29%0A%0AWhat%20is%20wrong%3A%0A%0A%0AThe%20source%20that%20shows%20it%3A%0A"
    );
    assert!(
        html.contains(&format!(
            r#"<a href="{expected}" rel="nofollow">Report an error<span class="visually-hidden"> in User notice</span></a>"#
        )),
        "{html}"
    );
    // One per rating, instrument, power, ruling, and the analysis.
    let alpha = f.read_out("jurisdictions/alpha/index.html");
    assert_eq!(
        alpha.matches(">Report an error<").count(),
        3 + 1 + 1 + 8 + 1
    );

    f.write(
        "site.yaml",
        "report_errors_to: https://github.com/org/kb/issues/new?title={title}&body={body}\n",
    );
    f.build().expect("fixture builds");
    let html = f.read_out("jurisdictions/beta/index.html");
    assert!(html.contains(
        r#"<a href="https://github.com/org/kb/issues/new?title=Error%20in%20Beta%3A%20User%20notice&amp;body=Section%3A%20User%20notice%0AAddress%3A%20"#
    ));
}

#[test]
fn a_bad_report_address_is_a_clear_error() {
    let f = Fixture::new("basic");
    f.write(
        "site.yaml",
        "# Where readers' reports go.\nreport_errors_to: ftp://example.org/{body}\n",
    );
    let errors = f.check_errors();
    assert_eq!(errors.len(), 1, "{errors:?}");
    let shown = errors[0].to_string();
    let path = f.content().join("site.yaml");
    assert_eq!(
        shown,
        format!(
            "{}:2:1: report_errors_to: `ftp://example.org/{{body}}` is neither a `mailto:` nor an `https://` address; write `mailto:corrections@example.org`, or an issue form such as `https://github.com/org/repo/issues/new?title={{title}}&body={{body}}`",
            path.display()
        )
    );
    assert!(matches!(f.build(), Err(BuildError::Content(_))));

    f.write("site.yaml", "report_errors_too: mailto:a@example.org\n");
    let errors = f.check_errors();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!((errors[0].line, errors[0].column), (1, 1));
    assert!(
        errors[0]
            .message
            .contains("unknown field `report_errors_too`"),
        "{}",
        errors[0]
    );
}
