//! The review tracker (`/reviews/`, its Atom feed and `/reviews.ics`) and the practice figures
//! under powers and in the comparison, built from the fixture site.

use std::process::Command;

use crate::support::{Fixture, missing};

/// The fixture built once per test.
fn built() -> Fixture {
    let f = Fixture::new("basic");
    f.build().expect("fixture builds");
    f
}

/// The text between `<section id="{id}"` and its end.
fn section<'a>(page: &'a str, id: &str) -> &'a str {
    let start = page
        .find(&format!("<section id=\"{id}\""))
        .unwrap_or_else(|| panic!("no section {id}"));
    let end = page[start..].find("</section>").unwrap() + start;
    &page[start..end]
}

#[test]
fn the_tracker_sorts_dates_by_their_state_on_the_build_date() {
    let f = built();
    let page = f.read_out("reviews/index.html");
    let overdue = section(&page, "overdue");
    assert!(
        overdue.contains(r#"<time datetime="2025">2025</time>"#),
        "{overdue}"
    );
    assert!(overdue.contains("Art. 45A"));
    let due = section(&page, "due");
    assert!(
        due.contains("31 January 2099") && due.contains("Art. 45C"),
        "{due}"
    );
    let done = section(&page, "done");
    assert!(
        done.contains("carried out <time datetime=\"2024-09-02\">"),
        "{done}"
    );
    assert!(done.contains("The report was tabled with nine recommendations."));
    let bills = section(&page, "bills");
    assert!(bills.contains("Online Harms Bill") && bills.contains("14 October 2026"));
    assert!(
        bills.contains(r#"href="/jurisdictions/alpha/#instrument-blocking-bill""#),
        "{bills}"
    );
    // Content is text everywhere it lands.
    assert!(!page.contains("<script>alert"));
    assert!(page.contains("to &lt;b&gt;Parliament&lt;/b&gt;"));
    // Every page links to the tracker.
    assert!(f.read_out("index.html").contains(r#"href="/reviews/""#));
}

#[test]
fn the_calendar_parses_as_icalendar_with_one_event_per_date() {
    let f = built();
    let ics = f.read_out("reviews.ics");
    for line in ics.split_terminator("\r\n") {
        assert!(line.len() <= 75, "{line:?} is longer than 75 octets");
    }
    assert!(!ics.replace("\r\n", "").contains('\n'), "bare line feeds");
    // An independent parser: Debian's python3-icalendar.
    let python = "/usr/bin/python3";
    let script = r#"
import json, sys, icalendar
cal = icalendar.Calendar.from_ical(open(sys.argv[1], 'rb').read())
out = [{k: str(e.get(k)) for k in ('uid', 'summary', 'description', 'url')}
       | {'start': e.decoded('dtstart').isoformat(), 'end': e.decoded('dtend').isoformat()}
       for e in cal.walk('VEVENT')]
print(json.dumps({'name': str(cal.get('x-wr-calname')), 'events': out}))
"#;
    let Ok(output) = Command::new(python)
        .arg("-c")
        .arg(script)
        .arg(f.out().join("reviews.ics"))
        .output()
    else {
        return missing::<()>(python, "the calendar was not parsed").unwrap_or(());
    };
    if String::from_utf8_lossy(&output.stderr).contains("No module named 'icalendar'") {
        return missing::<()>("python3-icalendar", "the calendar was not parsed").unwrap_or(());
    }
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let parsed: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(parsed["name"], "jurisdex: reviews, reports and sunsets");
    let events = parsed["events"].as_array().unwrap();
    // Three review dates; a bill's stage is not an event.
    assert_eq!(events.len(), 3, "{parsed:#}");
    let review = events
        .iter()
        .find(|e| e["description"].as_str().unwrap().contains("Art. 45A"))
        .unwrap();
    // Due "in 2025": the event is on the last day of the year.
    assert_eq!(review["start"], "2025-12-31");
    assert_eq!(review["end"], "2026-01-01");
    assert_eq!(
        review["description"],
        "The ministry must report on blocking, in 2025; to <b>Parliament</b>, with figures \\ \
         totals (Art. 45A).\nhttp://127.0.0.1:8080/jurisdictions/alpha/#instrument-ite-2008"
    );
    assert!(
        review["summary"]
            .as_str()
            .unwrap()
            .starts_with("Review due: Law No. 11 of 2008")
    );
    assert_eq!(
        review["url"],
        "http://127.0.0.1:8080/jurisdictions/alpha/#instrument-ite-2008"
    );
    let uids: std::collections::HashSet<&str> =
        events.iter().map(|e| e["uid"].as_str().unwrap()).collect();
    assert_eq!(uids.len(), 3, "every event has its own UID");
    // The same content builds the same calendar: a subscribed calendar updates in place.
    let again = built();
    assert_eq!(again.read_out("reviews.ics"), ics);
}

#[test]
fn the_tracker_feed_is_atom_with_one_entry_per_row() {
    let f = built();
    let feed = f.read_out("reviews/feed.xml");
    let doc = roxmltree::Document::parse(&feed).expect("well-formed XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "feed");
    assert_eq!(
        root.tag_name().namespace(),
        Some("http://www.w3.org/2005/Atom")
    );
    let entries: Vec<_> = root
        .children()
        .filter(|n| n.tag_name().name() == "entry")
        .collect();
    assert_eq!(entries.len(), 4, "three dates and a bill");
    let mut ids = std::collections::HashSet::new();
    for entry in &entries {
        let child = |name: &str| {
            entry
                .children()
                .find(|n| n.tag_name().name() == name)
                .unwrap_or_else(|| panic!("entry without {name}"))
        };
        assert!(ids.insert(child("id").text().unwrap().to_string()));
        let updated = child("updated").text().unwrap();
        assert_eq!(updated.len(), 20, "RFC 3339 date-time: {updated}");
        assert!(
            child("link")
                .attribute("href")
                .unwrap()
                .starts_with("http://")
        );
    }
    assert!(feed.contains("Alpha &lt;script&gt;"));
}

#[test]
fn practice_figures_show_under_the_power_and_in_the_comparison() {
    let f = built();
    let page = f.read_out("jurisdictions/alpha/index.html");
    let power = &page[page.find(r#"id="power-kominfo-blocking""#).unwrap()..];
    let power = &power[..power.find("<p class=\"cites\">Sources:").unwrap()];
    assert!(power.contains("<h4>In practice</h4>"), "{power}");
    assert!(
        power.contains(
            "<strong>about 1,200</strong> orders issued (7 June 2022 – 14 February 2024)"
        ),
        "{power}"
    );
    assert!(power.contains("<strong>31,870</strong> items removed (2024)"));
    // The comparison shows each power's latest figure of each measure, with its sources.
    let catalog = jurisdex::catalog::Catalog::open(&f.out()).unwrap();
    let selection = jurisdex::catalog::compare::Selection {
        jurisdictions: vec![
            catalog.entry("alpha").unwrap(),
            catalog.entry("beta").unwrap(),
        ],
        safeguards: Vec::new(),
        differences_only: false,
        benchmark: None,
    };
    let table = jurisdex::catalog::compare::table(&selection, "");
    let row = table
        .rows
        .iter()
        .find(|r| r.key == "practice")
        .expect("a practice row");
    assert_eq!(row.label, "Use in practice (latest figures)");
    assert_eq!(
        row.cells[0].text,
        "482 orders issued (2024); 31,870 items removed (2024)"
    );
    assert_eq!(row.cells[0].href, "/jurisdictions/alpha/#powers");
    let cited: Vec<&str> = row.cells[0]
        .sources
        .iter()
        .map(|s| s.title.as_str())
        .collect();
    assert_eq!(
        cited,
        ["Law No. 11 of 2008 (text)", "Decision 81/PUU-XVIII/2020"]
    );
    assert_eq!(row.cells[1].text, "no published figures recorded");
    // The API carries the records as they are written.
    let json: serde_json::Value =
        serde_json::from_str(&f.read_out("api/jurisdictions/alpha.json")).unwrap();
    let record = &json["powers"][0]["practice"][0];
    assert_eq!(record["count"], 1200);
    assert_eq!(record["approximate"], true);
    assert_eq!(record["until"], "2024-02-14");
    assert_eq!(json["instruments"][0]["reviews"][1]["done"], "2024-09-02");
}

#[test]
fn an_edit_of_a_review_date_rewrites_the_tracker() {
    use jurisdex::catalog::Catalog;
    use jurisdex::render::{ListingKind, stale_listings};
    let f = built();
    let before = Catalog::open(&f.out()).unwrap();
    f.edit(
        "jurisdictions/alpha.md",
        "        due: 2099-01-31",
        "        due: 2098-01-31",
    );
    f.build().unwrap();
    let after = Catalog::open(&f.out()).unwrap();
    let alpha = after.entries.iter().position(|e| e.id == "alpha").unwrap();
    let stale = stale_listings(&before, &after, &[alpha]);
    assert!(stale.iter().any(|l| l.kind == ListingKind::Reviews));
    assert!(
        f.read_out("reviews.ics")
            .contains("DTSTART;VALUE=DATE:20980131")
    );
    // An edit elsewhere leaves it alone.
    let beta = after.entries.iter().position(|e| e.id == "beta").unwrap();
    let untouched = stale_listings(&after, &after, &[beta]);
    assert!(!untouched.iter().any(|l| l.kind == ListingKind::Reviews));
}

#[test]
fn a_framework_page_shows_each_jurisdiction_through_the_mapped_ratings() {
    let f = built();
    let page = f.read_out("frameworks/demo-standard/index.html");
    assert!(page.contains("Demo standard on &lt;b&gt;orders&lt;/b&gt;"));
    // The mapping is shown with each item.
    let item = &page[page.find(r#"id="item-court-order""#).unwrap()..];
    let item = &item[..item.find("</div>").unwrap()];
    assert!(item.contains(r#"<a href="/topics/judicial_authorisation/">Judicial authorisation</a>, <a href="/topics/appeal_redress/">Appeal and redress</a>"#), "{item}");
    // Alpha's cells are its own ratings of the mapped safeguards, linked to them.
    assert!(page.contains(r#"href="/jurisdictions/alpha/#safeguard-judicial-authorisation">✗ Judicial authorisation: no</a>"#), "{page}");
    assert!(page.contains(
        r#"href="/jurisdictions/alpha/#safeguard-appeal-redress">◐ Appeal and redress: partial</a>"#
    ));
    let csv = f.read_out("frameworks/demo-standard/framework.csv");
    let mut lines = csv.lines();
    assert_eq!(
        lines.next().unwrap(),
        "jurisdiction_id,jurisdiction,Orders by a court,The user is told,entry_url"
    );
    let alpha = csv.lines().find(|l| l.starts_with("alpha,")).unwrap();
    assert!(
        alpha.ends_with(",Judicial authorisation: no (confirmed); Appeal and redress: partial (believed),User notice: no (confirmed),http://127.0.0.1:8080/jurisdictions/alpha/"),
        "{alpha}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&f.read_out("frameworks/demo-standard/framework.json")).unwrap();
    assert_eq!(
        json["framework"]["items"][0]["safeguards"][1],
        "appeal_redress"
    );
    let row = json["jurisdictions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "alpha")
        .unwrap();
    assert_eq!(row["items"]["told"][0]["value"], "no");
    assert!(
        f.read_out("frameworks/index.html")
            .contains(r#"href="/frameworks/demo-standard/""#)
    );
}

#[test]
fn search_finds_a_framework() {
    let f = built();
    let out = f
        .command(&["search", "Only a court may order a restriction"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    let first = text
        .lines()
        .find(|l| l.trim_start().starts_with("1."))
        .unwrap_or("");
    assert!(first.contains("Demo standard on <b>orders</b>"), "{text}");
    assert!(text.contains("/frameworks/demo-standard/"), "{text}");
    assert!(text.contains("Standards › Demo standard"), "{text}");
}
