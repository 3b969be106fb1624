//! The picture of the matrix and comparisons that read and print well, as built: a tile map per
//! safeguard (well-formed SVG, coloured by each entry's rating, its names escaped), the column
//! totals, the comparison's folded sources and print notes, the hidden rows named, and the
//! "differences only" view of a grouping's ready-made comparison.

use jurisdex::model::{SafeguardKey, Value};

use crate::support::Fixture;

/// Every `<svg class="tiles" …>…</svg>` of a page, parsed as XML.
fn tile_maps(html: &str) -> Vec<String> {
    html.match_indices("<svg class=\"tiles\"")
        .map(|(at, _)| {
            let end = at + html[at..].find("</svg>").expect("the map's SVG is closed") + 6;
            let svg =
                html[at..end].replacen("<svg ", "<svg xmlns=\"http://www.w3.org/2000/svg\" ", 1);
            roxmltree::Document::parse(&svg)
                .unwrap_or_else(|e| panic!("the map is not well-formed XML: {e}\n{svg}"));
            svg
        })
        .collect()
}

/// The tile of the jurisdiction with this ISO code in a map: its `class`.
fn tile_class(svg: &str, iso: &str) -> String {
    let wrapped = svg.replacen("<svg ", "<svg xmlns=\"http://www.w3.org/2000/svg\" ", 1);
    let doc = roxmltree::Document::parse(&wrapped).unwrap();
    doc.descendants()
        .find(|n| {
            n.has_tag_name("g")
                && n.children()
                    .any(|t| t.has_tag_name("text") && t.text() == Some(iso))
        })
        .and_then(|g| g.attribute("class"))
        .unwrap_or_else(|| panic!("no tile {iso} in {svg}"))
        .to_string()
}

#[test]
fn the_home_page_maps_every_safeguard_and_totals_every_column() {
    let f = Fixture::new("basic");
    let built = f.build().unwrap();
    let home = f.read_out("index.html");
    let maps = tile_maps(&home);
    assert_eq!(maps.len(), SafeguardKey::ALL.len(), "one map per safeguard");
    for (svg, &key) in maps.iter().zip(SafeguardKey::ALL.iter()) {
        for j in &built.catalog.entries {
            let rating = j.rating(key);
            let class = tile_class(svg, &j.iso);
            assert!(
                class.contains(&format!("v-{}", rating.value.key())),
                "{} {}: {class}",
                j.id,
                key.key()
            );
            if rating.value != Value::Unknown {
                assert!(class.contains(&format!("c-{}", rating.confidence.key())));
            }
        }
        // The small maps are images with a text alternative naming every entry by value.
        assert!(svg.contains(r#"role="img""#));
        assert!(svg.contains("<desc id="));
    }
    // Names are escaped in the map's titles and text alternative.
    assert!(home.contains("Alpha &lt;script&gt;alert"));
    assert!(!home.contains("<script>alert"));

    // Totals: for each safeguard, the counts of the five values add up to the entries.
    let tfoot = &home[home.find("<tfoot").unwrap()..home.find("</tfoot>").unwrap()];
    let mut sums = vec![0; SafeguardKey::ALL.len()];
    for row in tfoot.split("<tr>").skip(1) {
        let counts: Vec<usize> = row
            .split("<td data-value=")
            .skip(1)
            .map(|cell| {
                let text = &cell[cell.find('>').unwrap() + 1..cell.find("</td>").unwrap()];
                text.parse().unwrap()
            })
            .collect();
        assert_eq!(counts.len(), SafeguardKey::ALL.len());
        for (sum, n) in sums.iter_mut().zip(counts) {
            *sum += n;
        }
    }
    assert_eq!(
        sums,
        vec![built.catalog.entries.len(); SafeguardKey::ALL.len()]
    );
    let judicial_no = built
        .catalog
        .entries
        .iter()
        .filter(|j| j.rating(SafeguardKey::ALL[0]).value == Value::No)
        .count();
    assert!(tfoot.contains(&format!(r#"<td data-value="no">{judicial_no}</td>"#)));
}

#[test]
fn a_topic_page_maps_its_safeguard_with_a_link_on_every_tile() {
    let f = Fixture::new("basic");
    f.build().unwrap();
    let topic = f.read_out("topics/judicial_authorisation/index.html");
    let maps = tile_maps(&topic);
    assert_eq!(maps.len(), 1);
    let svg = &maps[0];
    assert!(svg.contains(r#"role="group""#));
    for id in ["alpha", "beta"] {
        assert!(
            svg.contains(&format!(
                r#"<a href="/jurisdictions/{id}/#safeguard-judicial-authorisation">"#
            )),
            "{svg}"
        );
    }
}

#[test]
fn an_entry_the_map_cannot_place_is_named_under_it() {
    let f = Fixture::new("basic");
    f.edit("jurisdictions/beta.md", "iso: BE", "iso: QZ");
    f.build().unwrap();
    let topic = f.read_out("topics/judicial_authorisation/index.html");
    let svg = &tile_maps(&topic)[0];
    assert!(!svg.contains(">QZ<"));
    assert!(topic.contains("Not on the map (no known position): Beta."));
}

#[test]
fn a_comparison_folds_its_sources_and_numbers_them_for_print() {
    let f = Fixture::shipped();
    f.build().unwrap();
    let page = f.read_out("compare/jakarta-2018/index.html");
    let table =
        &page[page.find("<table class=\"compare\"").unwrap()..page.find("</table>").unwrap()];
    // Every cell shows its sources as one folded count, never as a run of links.
    let folded = table.matches("<details class=\"cell-sources").count();
    assert!(folded > 50, "{folded} folded source lists");
    assert!(table.contains("<summary>1 source</summary>") || table.contains(" sources</summary>"));
    // A cell citing exactly what the cell above it in its column cites refers back to it.
    assert!(table.contains("<span class=\"sources-as\">Sources as for Ordering authority</span>"));
    // The print notes list each source once, and cells refer to them by number.
    let notes = &page[page.find("class=\"print-only source-notes\"").unwrap()..];
    let notes = &notes[..notes.find("</ol>").unwrap()];
    let items = notes.matches("<li>").count();
    let highest = table
        .match_indices("<span class=\"print-only\">Sources ")
        .flat_map(|(at, m)| {
            let list = &table[at + m.len()..];
            // "3, 6–9": single numbers and ranges.
            list[..list.find('<').unwrap()]
                .split(", ")
                .map(|n| n.rsplit('–').next().unwrap().parse::<usize>().unwrap())
                .collect::<Vec<_>>()
        })
        .max()
        .unwrap();
    assert_eq!(
        highest, items,
        "every numbered source is listed, and only those"
    );
    // The print carries the page's address and date.
    assert!(page.contains(&format!(
        "<p class=\"print-only print-context\">http://127.0.0.1:8080/compare/jakarta-2018/ · as of {}",
        jurisdex::model::Date::today().human()
    )));
}

#[test]
fn a_grouping_comparison_offers_differences_only_and_names_the_rows_it_hides() {
    let f = Fixture::shipped();
    f.build().unwrap();
    let all = f.read_out("compare/jakarta-2018/index.html");
    assert!(all.contains(r#"<a href="/compare/jakarta-2018/differences/">differences only</a>"#));
    let diff = f.read_out("compare/jakarta-2018/differences/index.html");
    assert!(diff.contains(r#"<a href="/compare/jakarta-2018/">every row</a>"#));
    let rows = |html: &str| html.matches("<th scope=\"row\">").count();
    assert!(rows(&diff) <= rows(&all));
    // Every row shown differs; any row left out is named.
    assert_eq!(
        diff.matches("<tr class=\"differs\">").count(),
        rows(&diff),
        "only rows that differ"
    );
    if rows(&diff) < rows(&all) {
        assert!(diff.contains("Hidden because every jurisdiction has the same answer: "));
    }
    // Nine members are more than the form takes: none is ticked, so submitting it is never refused.
    let chosen = &all[all.find("<legend>Jurisdictions</legend>").unwrap()..];
    let chosen = &chosen[..chosen.find("</fieldset>").unwrap()];
    assert!(
        !chosen.contains(" checked>"),
        "no jurisdiction ticked: {chosen}"
    );
}
