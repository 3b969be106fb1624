//! Building fixture sites: anchors, escaping, redirects, matrix, 404, exports, atomic output.

use std::fs;

use crate::support::Fixture;
use jurisdex::site::BuildError;

#[test]
fn entry_page_has_data_anchors_and_escapes_hostile_text() {
    let f = Fixture::new("basic");
    f.build().expect("fixture builds");
    let html = f.read_out("jurisdictions/alpha/index.html");
    for anchor in [
        r#"id="instrument-ite-2008""#,
        r#"id="power-kominfo-blocking""#,
        r#"id="case-belau-2021""#,
        // Positional anchors printed before powers and cases had ids still land on them.
        r#"id="power-1""#,
        r#"id="case-1""#,
        r#"id="safeguard-judicial-authorisation""#,
        r#"id="safeguard-user-notice""#,
        r#"id="source-law-text""#,
        r#"id="section-legal-framework""#,
        r#"id="section-court-rulings""#,
    ] {
        assert!(html.contains(anchor), "missing {anchor}");
    }
    // Hostile text in front matter is escaped, never executed.
    assert!(!html.contains(r#"<script>alert("name")"#));
    assert!(html.contains("&lt;script&gt;alert("));
    assert!(!html.contains("<img src=x onerror"));
    // Raw HTML and javascript: links in the body are sanitised away.
    assert!(!html.contains(r#"<script>alert("body")"#));
    assert!(
        html.split('<').skip(1).all(|tag| !tag
            .split('>')
            .next()
            .unwrap_or("")
            .contains("javascript:")),
        "a javascript: URL survived in a tag"
    );
    // The only scripts are jurisdex's own.
    assert_eq!(html.matches("<script").count(), 1);
    assert!(html.contains(r#"<script src="/assets/app.js" async></script>"#));
    // Local-language titles carry their language; a ruling is tied to its instrument.
    assert!(html.contains(r#"<p class="original" lang="th" dir="auto">"#));
    assert!(html.contains(
        r##"Court rulings: <a href="#case-belau-2021">Belau v Minister</a> (upheld, Art. 40(2b))"##
    ));
    // The not-legal-advice disclaimer is visible on every page.
    assert!(html.contains("Not legal advice."));
    assert!(html.contains("Cite this entry"));
}

#[test]
fn no_general_power_is_shown_and_partial_dates_render() {
    let f = Fixture::new("basic");
    f.build().unwrap();
    let beta = f.read_out("jurisdictions/beta/index.html");
    assert!(beta.contains("No general power."));
    let alpha = f.read_out("jurisdictions/alpha/index.html");
    assert!(alpha.contains(r#"<time datetime="2016-11">November 2016</time>"#));
    assert!(alpha.contains(r#"<time datetime="2008-04-21">21 April 2008</time>"#));
}

#[test]
fn home_matrix_links_every_cell_to_its_section() {
    let f = Fixture::new("basic");
    f.build().unwrap();
    let home = f.read_out("index.html");
    assert!(home.contains(r#"href="/jurisdictions/alpha/#safeguard-user-notice""#));
    assert!(home.contains(r#"href="/jurisdictions/beta/#safeguard-sunset-review""#));
    assert_eq!(
        home.matches(r#"<td class="cell v-"#).count(),
        16,
        "2 jurisdictions × 8 safeguards"
    );
    // Values are text and symbol, not colour alone; a legend explains them.
    assert!(home.contains(r#"<span class="sym" aria-hidden="true">✗</span> No"#));
    assert!(home.contains(r#"class="legend""#));
    assert!(home.contains(r#"<th scope="row">"#));
}

#[test]
fn aliases_write_redirect_pages_and_404_exists() {
    let f = Fixture::new("basic");
    f.build().unwrap();
    let redirect = f.read_out("jurisdictions/old-alpha/index.html");
    assert!(
        redirect.contains(r#"<meta http-equiv="refresh" content="0; url=/jurisdictions/alpha/">"#)
    );
    assert!(redirect.contains(r#"<link rel="canonical" href="/jurisdictions/alpha/">"#));
    let not_found = f.read_out("404.html");
    assert!(not_found.contains("Page not found"));
}

#[test]
fn topic_pages_list_every_jurisdiction_by_value() {
    let f = Fixture::new("basic");
    f.build().unwrap();
    let topic = f.read_out("topics/judicial_authorisation/index.html");
    assert!(topic.contains("Must a court authorise an order before it is made?"));
    assert!(topic.contains(r#"href="/jurisdictions/alpha/#safeguard-judicial-authorisation""#));
    assert!(topic.contains(r#"href="/jurisdictions/beta/#safeguard-judicial-authorisation""#));
    // A topic with no page of its own still gets the comparison.
    let other = f.read_out("topics/user_notice/index.html");
    assert!(other.contains(r#"id="value-yes""#));
}

#[test]
fn exports_and_feed_are_written() {
    let f = Fixture::new("basic");
    f.build().unwrap();
    let csv = f.read_out("export/matrix.csv");
    assert_eq!(csv.lines().count(), 1 + 16);
    assert!(csv.starts_with("jurisdiction_id,jurisdiction,iso,safeguard,value"));
    let json: serde_json::Value = serde_json::from_str(&f.read_out("export/matrix.json")).unwrap();
    assert_eq!(json.as_array().unwrap().len(), 16);
    let entry: serde_json::Value =
        serde_json::from_str(&f.read_out("api/jurisdictions/alpha.json")).unwrap();
    assert_eq!(entry["instruments"][0]["id"], "ite-2008");
    // The home page links both, and every link resolves (the build checks internal links).
    let home = f.read_out("index.html");
    for export in ["/export/matrix.csv", "/export/matrix.json"] {
        assert!(home.contains(&format!(r#"href="{export}""#)), "{export}");
    }
    let feed = f.read_out("feed.xml");
    assert!(feed.contains("<feed xmlns=\"http://www.w3.org/2005/Atom\">"));
    assert!(feed.contains("Alpha &lt;script&gt;"));
}

#[test]
fn malformed_yaml_names_the_file_and_line_and_keeps_the_previous_build() {
    let f = Fixture::new("basic");
    f.build().unwrap();
    let before = f.read_out("jurisdictions/alpha/index.html");
    // Line 7 of beta.md: an unclosed flow sequence.
    f.edit("jurisdictions/beta.md", "groupings: [eu]", "groupings: [eu");
    let err = f.build().expect_err("broken YAML must fail the build");
    let BuildError::Content(report) = err else {
        panic!("expected a content error, got {err}")
    };
    let text = report.to_string();
    assert!(text.contains("jurisdictions/beta.md:"), "{text}");
    let d = &report.diagnostics[0];
    assert!(d.path.ends_with("jurisdictions/beta.md"));
    assert!((7..=8).contains(&d.line), "line {} in {text}", d.line);
    assert_eq!(
        f.read_out("jurisdictions/alpha/index.html"),
        before,
        "previous build untouched"
    );
    let leftovers: Vec<_> = fs::read_dir(f.dir.path())
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with(".jurisdex-"))
        .collect();
    assert!(leftovers.is_empty(), "staging directories are cleaned up");
}

#[test]
fn a_template_error_fails_the_build_with_its_name() {
    let f = Fixture::new("basic");
    let templates = f.dir.path().join("templates");
    crate::support::copy_dir(
        &crate::support::manifest_dir().join("templates"),
        &templates,
    );
    let page = templates.join("page.html");
    let text = fs::read_to_string(&page).unwrap();
    fs::write(
        &page,
        text.replace("{{ page.title }}</h1>", "{{ page.titel }}</h1>"),
    )
    .unwrap();
    let mut options = f.options();
    options.templates_dir = templates;
    let err = jurisdex::site::build(&options).expect_err("undefined variable fails");
    assert!(err.to_string().contains("page.html"), "{err}");
    assert!(!f.out().exists());
}

#[test]
fn a_dangling_internal_link_fails_the_build_naming_the_page() {
    let f = Fixture::new("basic");
    f.build().unwrap();
    f.edit(
        "pages/about.md",
        "(/jurisdictions/alpha/#case-1)",
        "(/jurisdictions/alpha/#case-9)",
    );
    let err = f.build().expect_err("dangling anchor fails");
    let BuildError::Links(broken) = &err else {
        panic!("expected broken links, got {err}")
    };
    assert_eq!(broken.len(), 1);
    assert_eq!(broken[0].page, std::path::Path::new("about/index.html"));
    assert!(err.to_string().contains("has no anchor `#case-9`"), "{err}");
    assert!(
        f.out().join("about/index.html").exists(),
        "previous build kept"
    );
}

#[test]
fn compare_pages_are_prerendered_for_each_grouping() {
    let f = Fixture::new("basic");
    f.build().unwrap();
    // Each fixture grouping has one member, so only the form page is written.
    assert!(
        f.read_out("compare/index.html")
            .contains("Choose 2 to 8 jurisdictions")
    );
    assert!(!f.out().join("compare/asean/index.html").exists());
    f.edit(
        "jurisdictions/beta.md",
        "groupings: [eu]",
        "groupings: [eu, asean]",
    );
    f.build().unwrap();
    let page = f.read_out("compare/asean/index.html");
    assert!(page.contains("Compare: ASEAN"));
    assert!(page.contains(r#"href="/compare/asean/compare.csv""#));
    let csv = f.read_out("compare/asean/compare.csv");
    assert_eq!(
        csv.lines().count(),
        1 + 2 * (8 + 9),
        "header + 2 jurisdictions × 17 rows"
    );
}

/// Parses RFC 4180 CSV (quoted fields, doubled quotes, CRLF).
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    rows
}

#[test]
fn matrix_csv_and_json_exports_round_trip() {
    let f = Fixture::new("basic");
    f.build().unwrap();
    let csv = parse_csv(&f.read_out("export/matrix.csv"));
    let json: Vec<serde_json::Map<String, serde_json::Value>> =
        serde_json::from_str(&f.read_out("export/matrix.json")).unwrap();
    let header = &csv[0];
    assert_eq!(csv.len() - 1, json.len());
    for (row, record) in csv[1..].iter().zip(&json) {
        for (column, cell) in header.iter().zip(row) {
            let expected = record[column].as_str().unwrap();
            let cell = cell
                .strip_prefix('\'')
                .filter(|_| expected.starts_with(['=', '+', '-', '@']))
                .unwrap_or(cell);
            assert_eq!(cell, expected, "column {column}");
        }
    }
    // Notes with commas, quotes and markup survive the trip.
    assert!(json.iter().any(|r| {
        r["note"]
            .as_str()
            .unwrap()
            .contains("<img src=x onerror=alert(1)>")
    }));
}

/// What an anchor lands on: the heading of the card that holds `id="anchor"`.
fn landing(html: &str, anchor: &str) -> String {
    let at = html
        .find(&format!("id=\"{anchor}\""))
        .unwrap_or_else(|| panic!("no anchor {anchor}"));
    let h3 = at + html[at..].find("<h3>").expect("a card heading");
    html[h3..h3 + html[h3..].find("</h3>").unwrap()].to_string()
}

/// Printed links to a power keep landing on the same power when the powers are reordered: the
/// anchors are the powers' ids, and the positions they were once published under are aliases.
#[test]
fn reordering_powers_moves_no_anchor() {
    let f = Fixture::new("basic");
    let second = "  - id: court-order\n    aliases: [power-2]\n    authority: District Court\n    authority_type: court\n    actions: [remove_content]\n    basis: { instrument: ite-2008, section: Art. 43 }\n    grounds: Content ordered removed by a court.\n    deadline: { text: The Act sets no period. }\n    court_role: before\n    remedy: Appeal to the High Court.\n    confidence: confirmed\n    sources: [law-text]\n";
    f.edit(
        "jurisdictions/alpha.md",
        "cases:\n",
        &format!("{second}cases:\n"),
    );
    f.build().expect("two powers build");
    let anchors = [
        "power-kominfo-blocking",
        "power-1",
        "power-court-order",
        "power-2",
    ];
    let before: Vec<String> = {
        let html = f.read_out("jurisdictions/alpha/index.html");
        anchors.iter().map(|a| landing(&html, a)).collect()
    };
    assert!(before[0].contains("Kominfo") && before[1].contains("Kominfo"));
    assert!(before[2].contains("District Court") && before[3].contains("District Court"));

    // Move the second power first.
    f.edit("jurisdictions/alpha.md", second, "");
    f.edit(
        "jurisdictions/alpha.md",
        "powers:\n",
        &format!("powers:\n{second}"),
    );
    f.build().expect("reordered powers build");
    let html = f.read_out("jurisdictions/alpha/index.html");
    assert!(
        html.find("District Court").unwrap()
            < html.find("Ministry of Communication (Kominfo)").unwrap(),
        "the powers were reordered"
    );
    let after: Vec<String> = anchors.iter().map(|a| landing(&html, a)).collect();
    assert_eq!(before, after);
}

/// The entry card answers the first questions about each power: who orders, how fast, the court's
/// role and the affected user's remedy, each linking to the power.
#[test]
fn the_entry_card_lists_each_power_in_brief() {
    let f = Fixture::new("basic");
    f.build().expect("fixture builds");
    let html = f.read_out("jurisdictions/alpha/index.html");
    let glance =
        &html[html.find("id=\"glance-heading\"").unwrap()..html.find("class=\"toc\"").unwrap()];
    assert!(glance.contains("<caption>The powers in brief"), "{glance}");
    assert!(glance.contains(
        r##"<a href="#power-kominfo-blocking">Ministry of Communication (Kominfo)</a>"##
    ));
    assert!(glance.contains("Within four hours for urgent content."));
    assert!(glance.contains("Review after the order"));
    assert!(glance.contains("The platform may challenge the order in the administrative court."));
}
