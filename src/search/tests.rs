//! Unit tests of search: schema, units, query language, ranking, facets, typos and snippets.

use super::searcher::{QueryPlan, Ranking};
use super::*;
use crate::markdown::render;
use crate::model::{
    Assessment, Case, Confidence, ContentVersion, CourtRole, Date, Deadline, EntryStatus, Group,
    Instrument, InstrumentDates, InstrumentType, Outcome as CaseOutcome, Page as SitePage, Power,
    Provision, Safeguards, Taxonomy, Topic,
};
use tantivy::snippet::SnippetGenerator;

const HOSTILE: &str = "Users are never told. <script>alert(1)</script> & \"quoted\" 'text'.";
const THAI_TITLE: &str = "พระราชบัญญัติว่าด้วยการกระทำความผิดเกี่ยวกับคอมพิวเตอร์ พ.ศ. 2550";

fn date() -> Date {
    Date {
        year: 2024,
        month: None,
        day: None,
    }
}

fn assessment(value: Value, note: &str) -> Assessment {
    Assessment {
        value,
        provisions: Vec::new(),
        note: note.to_owned(),
        confidence: Confidence::Confirmed,
        sources: Vec::new(),
    }
}

fn safeguards(judicial: Assessment, notice: Assessment) -> Safeguards {
    let unknown = || assessment(Value::Unknown, "Not yet assessed.");
    Safeguards {
        legal_clarity: unknown(),
        necessity_proportionality: unknown(),
        judicial_authorisation: judicial,
        independent_oversight: unknown(),
        user_notice: notice,
        appeal_redress: unknown(),
        transparency_reporting: unknown(),
        sunset_review: unknown(),
    }
}

fn instrument(id: &str, title: &str, short_name: Option<&str>, citation: &str) -> Instrument {
    Instrument {
        id: id.to_owned(),
        title: title.to_owned(),
        original_title: None,
        original_lang: None,
        short_name: short_name.map(str::to_owned),
        kind: InstrumentType::Statute,
        status: InstrumentStatus::InForce,
        dates: InstrumentDates::default(),
        citation: citation.to_owned(),
        url: None,
        key_provisions: Vec::new(),
        reviews: Vec::new(),
        stage: None,
        confidence: Confidence::Confirmed,
        sources: Vec::new(),
    }
}

fn power(authority: &str, authority_type: AuthorityType, basis: &str, grounds: &str) -> Power {
    Power {
        id: basis.to_owned(),
        aliases: Vec::new(),
        authority: authority.to_owned(),
        authority_type,
        actions: vec![Action::BlockAccess, Action::RemoveContent],
        basis: Reference {
            instrument: basis.to_owned(),
            section: "s 1".to_owned(),
        },
        grounds: grounds.to_owned(),
        deadline: Deadline {
            hours: None,
            text: "The Act sets no period.".to_owned(),
        },
        court_role: CourtRole::After,
        remedy: "Judicial review.".to_owned(),
        penalties: None,
        practice: Vec::new(),
        confidence: Confidence::Confirmed,
        sources: Vec::new(),
    }
}

fn jurisdiction(id: &str, name: &str, region: &str, groupings: &[&str]) -> Jurisdiction {
    Jurisdiction {
        id: id.to_owned(),
        name: name.to_owned(),
        iso: id[..2].to_uppercase(),
        region: region.to_owned(),
        groupings: groupings.iter().map(|g| (*g).to_owned()).collect(),
        legal_system: "common law".to_owned(),
        summary: String::new(),
        last_reviewed: date(),
        version: ContentVersion::default(),
        reviewed_by: "test".to_owned(),
        entry_status: EntryStatus::Reviewed,
        aliases: Vec::new(),
        changelog: Vec::new(),
        instruments: Vec::new(),
        powers: Vec::new(),
        no_general_power: None,
        cases: Vec::new(),
        safeguards: safeguards(
            assessment(Value::Unknown, "Not yet assessed."),
            assessment(Value::Unknown, "Not yet assessed."),
        ),
        sources: Vec::new(),
        body: Rendered::default(),
    }
}

fn group(id: &str, name: &str) -> Group {
    Group {
        id: id.to_owned(),
        name: name.to_owned(),
        description: None,
    }
}

fn site() -> Site {
    let mut pakistan = jurisdiction("pakistan", "Pakistan", "south-asia", &["commonwealth"]);
    pakistan.summary = "The telecom regulator orders websites taken down under PECA.".to_owned();
    let mut peca = instrument(
        "peca-2016",
        "Prevention of Electronic Crimes Act 2016",
        Some("PECA"),
        "Act No. XL of 2016",
    );
    peca.original_title = Some("انسداد الیکٹرانک جرائم ایکٹ".to_owned());
    peca.original_lang = Some("ur".to_owned());
    peca.key_provisions = vec![Provision {
        section: "s 37".to_owned(),
        gist: "The Authority may remove or block access to unlawful online content.".to_owned(),
    }];
    pakistan.instruments = vec![
        peca,
        instrument(
            "rules-2021",
            "Removal and Blocking of Unlawful Online Content Rules 2021",
            None,
            "Made under section 37 of PECA, the parent Act.",
        ),
    ];
    let mut pta = power(
        "Pakistan Telecommunication Authority",
        AuthorityType::Executive,
        "peca-2016",
        "The glory of Islam, public order, decency or morality.",
    );
    pta.deadline = Deadline {
        hours: Some(48),
        text: "48 hours".to_owned(),
    };
    pakistan.powers = vec![pta];
    pakistan.cases = vec![Case {
        id: "bytes-for-all".to_owned(),
        aliases: Vec::new(),
        name: "Bytes for All v Federation of Pakistan".to_owned(),
        court: "Islamabad High Court".to_owned(),
        date: date(),
        citation: None,
        outcome: CaseOutcome::Pending,
        instrument: "peca-2016".to_owned(),
        provision: Some("s 37".to_owned()),
        summary: "Petitioners argued that a court order should precede any takedown.".to_owned(),
        confidence: Confidence::Confirmed,
        sources: Vec::new(),
    }];
    pakistan.safeguards = safeguards(
        assessment(Value::No, "The regulator acts alone, without judges."),
        assessment(Value::No, HOSTILE),
    );
    pakistan.body = render(
        "Pakistan has a long record of platform bans.\n\n\
         ## The YouTube ban\n\nYouTube was blocked in 2012 after a video was posted.\n\n\
         ## Oversight\n\nThere is no independent oversight body.\n",
    );

    let mut indonesia = jurisdiction("indonesia", "Indonesia", "southeast-asia", &["asean"]);
    indonesia.summary =
        "The Ministry of Communication and Informatics (Kominfo) orders access blocking of negative content."
            .to_owned();
    let mut ite = instrument(
        "ite-2008",
        "Electronic Information and Transactions Law",
        Some("ITE Law"),
        "Law No. 11 of 2008",
    );
    ite.original_title = Some("Undang-Undang Informasi dan Transaksi Elektronik".to_owned());
    ite.original_lang = Some("id".to_owned());
    indonesia.instruments = vec![ite];
    indonesia.powers = vec![power(
        "Kominfo",
        AuthorityType::Executive,
        "ite-2008",
        "Negative content, including gambling.",
    )];
    indonesia.safeguards = safeguards(
        assessment(
            Value::No,
            "No order of a court is needed before the ministry blocks a site.",
        ),
        assessment(Value::Partial, "Platforms are told; users rarely are."),
    );
    indonesia.body =
        render("## Access blocking\n\nThe ministry keeps a list called Trust Positif.\n");

    let mut thailand = jurisdiction("thailand", "Thailand", "southeast-asia", &["asean"]);
    thailand.summary = "Judges may suppress computer data on a motion by an official, under \
         Sect. 20(1)(a), as Article 19 of the Covenant and §§ 5.2 and ¶ 4 allow."
        .to_owned();
    let mut cca = instrument(
        "cca-2007",
        "Computer-Related Crime Act B.E. 2550 (2007)",
        Some("CCA"),
        "B.E. 2550 (2007)",
    );
    cca.original_title = Some(THAI_TITLE.to_owned());
    cca.original_lang = Some("th".to_owned());
    thailand.instruments = vec![cca];
    thailand.powers = vec![power(
        "Court, on a motion by a competent official",
        AuthorityType::Court,
        "cca-2007",
        "Data affecting national security.",
    )];

    Site {
        collections: Vec::new(),
        frameworks: Vec::new(),
        taxonomy: Taxonomy {
            regions: vec![
                group("south-asia", "South Asia"),
                group("southeast-asia", "Southeast Asia"),
            ],
            groupings: vec![
                group("asean", "ASEAN"),
                group("commonwealth", "Commonwealth"),
            ],
        },
        // Deliberately not sorted: the index sorts by name itself.
        jurisdictions: vec![thailand, pakistan, indonesia],
        topics: vec![Topic {
            key: SafeguardKey::UserNotice,
            title: "User notice".to_owned(),
            question: "Are users told when their content is removed?".to_owned(),
            summary: "Notice lets people challenge a decision.".to_owned(),
            body: render("Without notice there is no appeal.\n"),
        }],
        pages: vec![SitePage {
            id: "about".to_owned(),
            title: "About jurisdex".to_owned(),
            summary: "What this site is.".to_owned(),
            body: render("A comparative knowledge base.\n"),
        }],
    }
}

fn fixture() -> (tempfile::TempDir, SearchIndex) {
    let dir = tempfile::tempdir().expect("tempdir");
    let index_dir = dir.path().join("index").join("nested");
    build_index(&site(), &index_dir).expect("build");
    let index = SearchIndex::open(&index_dir).expect("open");
    (dir, index)
}

fn query(q: &str) -> SearchRequest {
    SearchRequest {
        q: q.to_owned(),
        limit: Some(MAX_LIMIT),
        ..SearchRequest::default()
    }
}

fn urls(results: &SearchResults) -> Vec<&str> {
    results.hits.iter().map(|h| h.url.as_str()).collect()
}

fn facet<'r>(results: &'r SearchResults, name: &str) -> &'r Facet {
    results
        .facets
        .iter()
        .find(|f| f.name == name)
        .expect("facet present")
}

#[test]
fn index_holds_every_unit() {
    let (_dir, index) = fixture();
    // 3 summaries, 4 instruments, 3 powers, 1 case, 24 safeguards, 3 sections, 1 topic, 1 page.
    assert_eq!(index.doc_count(), 40);
}

#[test]
fn browse_view_lists_jurisdictions_by_name() {
    let (_dir, index) = fixture();
    let results = index.search(&SearchRequest::default());
    let titles: Vec<&str> = results.hits.iter().map(|h| h.title.as_str()).collect();
    assert_eq!(titles, ["Indonesia", "Pakistan", "Thailand"]);
    assert_eq!(results.total, 3);
    assert_eq!(results.limit, DEFAULT_LIMIT);
    assert_eq!(results.hits[1].url, "/jurisdictions/pakistan/");
    assert_eq!(results.hits[1].breadcrumb, "Pakistan");
    // Body text before the first heading belongs to the summary document.
    assert!(results.hits[1].snippet_text.contains("platform bans"));
    let region = facet(&results, "region");
    assert_eq!(region.values[0].key, "southeast-asia");
    assert_eq!(region.values[0].label, "Southeast Asia");
    assert_eq!(region.values[0].count, 2);
}

#[test]
fn phrase_query_needs_adjacent_words() {
    let (_dir, index) = fixture();
    let loose = index.search(&query("court order"));
    let phrase = index.search(&query("\"court order\""));
    let safeguard = "/jurisdictions/indonesia/#safeguard-judicial-authorisation";
    assert!(urls(&loose).contains(&safeguard), "{:?}", urls(&loose));
    assert_eq!(
        urls(&phrase),
        ["/jurisdictions/pakistan/#case-bytes-for-all"]
    );
    assert_eq!(phrase.hits[0].kind, "case");
    assert!(
        phrase.hits[0]
            .snippet_html
            .contains("<mark>court</mark> <mark>order</mark>")
    );
}

#[test]
fn stemming_matches_other_word_forms() {
    let (_dir, index) = fixture();
    let results = index.search(&query("youtube blocking"));
    let hit = &results.hits[0];
    assert_eq!(hit.url, "/jurisdictions/pakistan/#section-the-youtube-ban");
    assert_eq!(hit.breadcrumb, "Pakistan › The YouTube ban");
    assert!(
        hit.snippet_html.contains("<mark>blocked</mark>"),
        "{}",
        hit.snippet_html
    );
    assert!(!results.corrected);
}

#[test]
fn short_name_ranks_its_instrument_first() {
    let (_dir, index) = fixture();
    let results = index.search(&query("PECA"));
    assert!(results.total >= 3, "{:?}", urls(&results));
    let first = &results.hits[0];
    assert_eq!(first.url, "/jurisdictions/pakistan/#instrument-peca-2016");
    assert_eq!(first.title, "Prevention of Electronic Crimes Act 2016");
    assert_eq!(first.breadcrumb, "Pakistan › Instruments › PECA");
    assert_eq!(first.lang, None);
}

#[test]
fn facets_count_the_whole_matching_set() {
    let (_dir, index) = fixture();
    let results = index.search(&SearchRequest {
        q: "blocking".to_owned(),
        limit: Some(1),
        ..SearchRequest::default()
    });
    assert_eq!(results.hits.len(), 1);
    assert!(results.total > 3);
    let kinds = facet(&results, "kind");
    let sum: u64 = kinds.values.iter().map(|v| v.count).sum();
    assert_eq!(sum, results.total as u64);
    assert!(kinds.values.iter().all(|v| !v.selected));
    let regions = facet(&results, "region");
    let south_asia = regions
        .values
        .iter()
        .find(|v| v.key == "south-asia")
        .expect("south asia");
    assert_eq!(south_asia.label, "South Asia");
    // Counts per region, grouping and kind are those of all the hits.
    let all = index.search(&query("blocking"));
    let count = |pred: &dyn Fn(&Hit) -> bool| all.hits.iter().filter(|h| pred(h)).count() as u64;
    let pakistan = |h: &Hit| h.jurisdiction.as_deref() == Some("pakistan");
    let asean = |h: &Hit| matches!(h.jurisdiction.as_deref(), Some("indonesia" | "thailand"));
    let value = |name: &str, key: &str| {
        facet(&results, name)
            .values
            .iter()
            .find(|v| v.key == key)
            .map_or(0, |v| v.count)
    };
    assert_eq!(value("region", "south-asia"), count(&pakistan));
    assert_eq!(value("grouping", "commonwealth"), count(&pakistan));
    assert_eq!(value("region", "southeast-asia"), count(&asean));
    assert_eq!(value("grouping", "asean"), count(&asean));
    assert_eq!(
        value("kind", "safeguard"),
        count(&|h| h.kind == "safeguard")
    );
    assert_eq!(value("kind", "topic"), count(&|h| h.kind == "topic"));
    let names: Vec<&str> = results.facets.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(
        names,
        ["region", "grouping", "kind", "value", "authority_type"]
    );
}

#[test]
fn filters_apply_from_request_fields_and_query_syntax() {
    let (_dir, index) = fixture();
    let by_field = index.search(&SearchRequest {
        q: "blocking".to_owned(),
        region: Some("southeast-asia".to_owned()),
        limit: Some(MAX_LIMIT),
        ..SearchRequest::default()
    });
    let by_syntax = index.search(&query("region:southeast-asia blocking"));
    assert!(by_field.total > 0);
    assert_eq!(urls(&by_field), urls(&by_syntax));
    for hit in &by_field.hits {
        let id = hit.jurisdiction.as_deref();
        assert!(matches!(id, Some("indonesia" | "thailand")), "{}", hit.url);
    }
    let region = facet(&by_syntax, "region");
    assert_eq!(region.values.len(), 1);
    assert!(region.values[0].selected);

    let lacking = index.search(&query("kind:safeguard value:no"));
    assert_eq!(lacking.total, 3);
    assert!(lacking.hits.iter().all(|h| h.kind == "safeguard"));
    assert!(lacking.hits.iter().all(|h| h.title.ends_with(": No")));

    let executive = index.search(&query("authority:executive"));
    assert_eq!(executive.total, 2);
    assert_eq!(
        index.search(&query("authority_type:executive")).total,
        executive.total
    );
    let both = index.search(&query("grouping:asean,commonwealth kind:jurisdiction"));
    assert_eq!(both.total, 3);
    let by_list = index.search(&SearchRequest {
        grouping: Some("asean, commonwealth".to_owned()),
        kind: Some("jurisdiction".to_owned()),
        ..SearchRequest::default()
    });
    assert_eq!(by_list.total, 3);
    let notice = index.search(&query("safeguard:user-notice -jurisdiction:pakistan"));
    assert_eq!(notice.total, 3, "{:?}", urls(&notice));
}

#[test]
fn exclusion_removes_matches() {
    let (_dir, index) = fixture();
    let section = "/jurisdictions/pakistan/#section-the-youtube-ban";
    assert!(urls(&index.search(&query("blocking"))).contains(&section));
    let excluded = index.search(&query("blocking -youtube"));
    assert!(excluded.total > 0);
    assert!(!urls(&excluded).contains(&section));
    let phrase = index.search(&query("blocking -\"video was posted\""));
    assert!(!urls(&phrase).contains(&section));
}

#[test]
fn fuzzy_fallback_corrects_misspellings() {
    let (_dir, index) = fixture();
    let results = index.search(&query("Komnifo"));
    assert!(results.corrected);
    assert!(results.total > 0);
    assert!(
        results
            .hits
            .iter()
            .all(|h| h.jurisdiction.as_deref() == Some("indonesia"))
    );
    assert_eq!(results.corrected_query.as_deref(), Some("kominfo"));
    assert!(
        results
            .hits
            .iter()
            .any(|h| h.snippet_html.contains("<mark>Kominfo</mark>"))
    );

    let blocking = index.search(&query("blokcing"));
    assert!(blocking.corrected);
    assert!(urls(&blocking).contains(&"/jurisdictions/pakistan/#section-the-youtube-ban"));

    // A misspelt local-language title is corrected and shown as it matched.
    let local = index.search(&query("Transaksi Elektronk"));
    assert!(local.corrected);
    assert_eq!(local.hits[0].lang.as_deref(), Some("id"));
    assert_eq!(
        local.corrected_query.as_deref(),
        Some("Transaksi elektronik")
    );

    let exact = index.search(&query("kominfo"));
    assert!(!exact.corrected);
    assert_eq!(exact.corrected_query, None);
    assert!(!index.search(&query("zzqxw")).corrected);
}

#[test]
fn thai_title_is_found_by_substring() {
    let (_dir, index) = fixture();
    let results = index.search(&query("คอมพิวเตอร์"));
    let hit = &results.hits[0];
    assert_eq!(hit.url, "/jurisdictions/thailand/#instrument-cca-2007");
    assert_eq!(hit.title, THAI_TITLE);
    assert_eq!(hit.lang.as_deref(), Some("th"));
    // A local-language title in a Latin script is shown when it is what matched.
    let indonesian = index.search(&query("undang informasi"));
    assert_eq!(indonesian.hits[0].lang.as_deref(), Some("id"));
    assert_eq!(
        index.search(&query("انسداد")).hits[0].lang.as_deref(),
        Some("ur")
    );
}

#[test]
fn snippets_escape_hostile_text() {
    let (_dir, index) = fixture();
    let results = index.search(&query("alert"));
    let hit = &results.hits[0];
    assert_eq!(hit.url, "/jurisdictions/pakistan/#safeguard-user-notice");
    assert_eq!(hit.title, "User notice: No");
    assert_eq!(hit.breadcrumb, "Pakistan › Safeguards › User notice");
    assert!(
        hit.snippet_html
            .contains("&lt;script&gt;<mark>alert</mark>(1)&lt;/script&gt;")
    );
    assert!(
        hit.snippet_html
            .contains("&amp; &quot;quoted&quot; &#39;text&#39;")
    );
    let (start, end) = hit.highlights[0];
    assert_eq!(&hit.snippet_text[start..end], "alert");
    let without_marks = hit
        .snippet_html
        .replace("<mark>", "")
        .replace("</mark>", "");
    assert!(!without_marks.contains('<') && !without_marks.contains('>'));

    // Without a text match the start of the text is shown, escaped just the same.
    let browse = index.search(&query("jurisdiction:pakistan safeguard:user_notice"));
    assert_eq!(browse.total, 1);
    assert!(
        browse.hits[0]
            .snippet_html
            .contains("&lt;script&gt;alert(1)")
    );
    assert!(browse.hits[0].highlights.is_empty());
}

#[test]
fn hostile_queries_return_without_panic() {
    let (_dir, index) = fixture();
    let long = "blocking ".repeat(1200);
    let mixed = "ก".repeat(2000);
    let hostile = [
        "AND OR ((",
        "title:",
        "title:PECA",
        "\"unclosed",
        "-",
        "*",
        ":",
        "--",
        "-\"",
        "\"\"",
        "region:",
        "a\u{0}b\u{7}c\td\r\n",
        "\\\"\\",
        "field:\"value",
        "-คอมพิวเตอร์",
        "blocking -\"court order\" -e-commerce -\"ก ข\"",
        "^2 ~3 [a TO b] {x} IN [y] $exists(z) /re.*/",
        long.as_str(),
        mixed.as_str(),
    ];
    for q in hostile {
        let results = index.search(&query(q));
        assert!(results.query.len() <= MAX_QUERY_BYTES, "{q:?}");
        assert!(!results.query.chars().any(char::is_control), "{q:?}");
    }
    assert_eq!(index.search(&query("a\u{0}b\tc")).query, "ab c");
    // A cut never leaves half a word behind.
    let cut = index.search(&query(&"blocking court ".repeat(100)));
    assert!(cut.query.ends_with("court") || cut.query.ends_with("blocking"));
    assert!(cut.total > 0);
    // Lone operators and punctuation leave an empty query: the browse view.
    assert_eq!(index.search(&query("- * :")).total, 3);
}

#[test]
fn limit_and_offset_are_clamped() {
    let (_dir, index) = fixture();
    let request = |limit, offset| SearchRequest {
        q: "blocking".to_owned(),
        limit: Some(limit),
        offset: Some(offset),
        ..SearchRequest::default()
    };
    assert_eq!(index.search(&request(0, 0)).limit, 1);
    assert_eq!(index.search(&request(5_000, 0)).limit, MAX_LIMIT);
    let far = index.search(&request(10, usize::MAX));
    assert_eq!(far.offset, MAX_OFFSET);
    assert!(far.hits.is_empty());
    let all = index.search(&request(MAX_LIMIT, 0));
    let second = index.search(&request(1, 1));
    assert_eq!(second.hits[0].url, all.hits[1].url);
}

#[test]
fn query_parser_reads_words_phrases_exclusions_and_filters() {
    let parsed = ParsedQuery::parse("Region:asean \"court order\" -ban -\"x y\" title:peca ((");
    assert_eq!(
        parsed.parts,
        [
            Part::Filter {
                key: FilterKey::Region,
                value: "asean".to_owned(),
                negated: false
            },
            Part::Phrase("court order".to_owned()),
            Part::Exclude("ban".to_owned()),
            Part::Exclude("x y".to_owned()),
            Part::Word("title".to_owned()),
            Part::Word("peca".to_owned()),
        ]
    );
    assert_eq!(edit_distance("komnifo", "kominfo"), 1);
    assert_eq!(edit_distance("blokc", "block"), 1);
    assert_eq!(edit_distance("", "abc"), 3);
}

#[test]
fn open_reports_missing_index() {
    let dir = tempfile::tempdir().expect("tempdir");
    let missing = dir.path().join("nothing-here");
    assert!(matches!(
        SearchIndex::open(&missing),
        Err(SearchError::Index { .. })
    ));
    let built = dir.path().join("index");
    build_index(&site(), &built).expect("build");
    // Building twice into the same directory is an error, not a silent overwrite.
    assert!(build_index(&site(), &built).is_err());
    // A damaged units file is reported as such.
    fs::write(built.join("jurisdex-units-0.bin"), b"JXUNITS1\xff").expect("damage");
    assert!(matches!(
        SearchIndex::open(&built),
        Err(SearchError::Damaged { .. })
    ));
    assert_eq!(Shown::decode(b"\x05\0\0\0abc"), None);
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<SearchIndex>();
    assert_send_sync::<IndexBuilder>();
}

/// tantivy's `QueryParser` over the prose fields (and the n-gram field), each word and
/// phrase a `Must` clause: what [`SearchIndex::parse_text`] stands in for.
fn text_parser(index: &SearchIndex, with_ngrams: bool) -> tantivy::query::QueryParser {
    let weighted = index.fields.weighted();
    let mut defaults: Vec<Field> = weighted.iter().map(|&(field, _)| field).collect();
    if with_ngrams {
        defaults.push(index.fields.title_ngram);
    }
    let mut parser =
        tantivy::query::QueryParser::for_index(index.reader.searcher().index(), defaults);
    parser.set_conjunction_by_default();
    for (field, boost) in weighted {
        parser.set_field_boost(field, boost);
    }
    parser
}

#[test]
fn text_queries_find_and_score_as_tantivys_query_parser() {
    let (_dir, index) = fixture();
    let searcher = index.reader.searcher();
    let short_name_parser =
        tantivy::query::QueryParser::for_index(searcher.index(), vec![index.fields.short_name]);
    let original_title_parser =
        tantivy::query::QueryParser::for_index(searcher.index(), vec![index.fields.original_title]);
    for texts in [
        &["blocking"][..],
        &["blocking", "court"],
        &["court order", "pakistan"],
        &["kominfo", "negative content"],
        &["authority", "authority", "\"court\""],
        &["PECA"],
        &["جرائم"],
        &["الیکٹرانک جرائم", "peca"],
        &["...", "court"],
    ] {
        let quoted: Vec<String> = texts
            .iter()
            .map(|t| format!("\"{}\"", t.replace(['"', '\\'], " ")))
            .collect();
        let joined = quoted.join(" ");
        let with_ngrams = texts.iter().any(|t| needs_ngrams(t));
        let tantivy = BooleanQuery::new(vec![
            (
                Occur::Must,
                text_parser(&index, with_ngrams)
                    .parse_query_lenient(&joined)
                    .0,
            ),
            (
                Occur::Should,
                Box::new(BoostQuery::new(
                    short_name_parser.parse_query_lenient(&joined).0,
                    SHORT_NAME_MATCH_BOOST,
                )),
            ),
            (
                Occur::Should,
                Box::new(BoostQuery::new(
                    original_title_parser
                        .parse_query_lenient(&format!(
                            "\"{}\"",
                            texts.join(" ").replace(['"', '\\'], " ")
                        ))
                        .0,
                    ORIGINAL_TITLE_MATCH_BOOST,
                )),
            ),
        ]);
        let ours = index.parse_text(texts);
        let top = |query: &dyn Query| {
            let collector = (TopDocs::with_limit(MAX_LIMIT).order_by_score(), Count);
            searcher.search(query, &collector).expect("search")
        };
        let (expected, count) = top(&tantivy);
        assert!(count > 0, "{texts:?}");
        assert_eq!(top(&*ours), (expected, count), "{texts:?}");
    }
}

/// Jurisdictions whose names differ in case, and where one name starts another.
fn names_site() -> Site {
    let mut site = site();
    site.jurisdictions = ["Nigeria", "niue", "Niger", "Austria", "Åland", "Nigeria"]
        .iter()
        .enumerate()
        .map(|(k, name)| {
            let id = format!("{}{k}", name.to_lowercase());
            jurisdiction(&id, name, "south-asia", &[])
        })
        .collect();
    site
}

/// Every unit in browse order (all the fixture's jurisdictions are in South Asia).
fn browse_urls(index: &SearchIndex) -> Vec<String> {
    let results = index.search(&SearchRequest {
        region: Some("south-asia".to_owned()),
        limit: Some(MAX_LIMIT),
        ..SearchRequest::default()
    });
    results.hits.iter().map(|h| h.url.clone()).collect()
}

#[test]
fn browse_order_is_name_order_whatever_the_indexing_order() {
    let site = names_site();
    let dir = tempfile::tempdir().expect("tempdir");
    let builder = IndexBuilder::create(dir.path(), &site.taxonomy).expect("create");
    // Two threads add the entries in no particular order.
    let (odd, even): (Vec<_>, Vec<_>) = site
        .jurisdictions
        .iter()
        .rev()
        .partition(|j| j.id.ends_with(['1', '3', '5']));
    std::thread::scope(|scope| {
        for part in [&odd, &even] {
            let builder = &builder;
            scope.spawn(move || {
                for j in part {
                    builder.add_entry(j).expect("add");
                }
            });
        }
    });
    builder
        .add_site_units(&site.topics, &site.pages, &site.frameworks)
        .expect("site units");
    builder.finish().expect("finish");
    let index = SearchIndex::open(dir.path()).expect("open");
    assert_eq!(index.reader.searcher().segment_readers().len(), 1);

    let expected: Vec<String> = units(&site)
        .into_iter()
        .filter(|u| u.jurisdiction.is_some())
        .map(|u| u.url)
        .collect();
    assert_eq!(browse_urls(&index), expected);
    let first: Vec<&str> = expected
        .iter()
        .map(|url| url.split('#').next().unwrap_or(""))
        .fold(Vec::new(), |mut pages, page| {
            if pages.last() != Some(&page) {
                pages.push(page);
            }
            pages
        });
    // Entries never interleave, and go by name ignoring case (`Niger` before `Nigeria`),
    // same names by id.
    assert_eq!(
        first,
        [
            "/jurisdictions/austria3/",
            "/jurisdictions/niger2/",
            "/jurisdictions/nigeria0/",
            "/jurisdictions/nigeria5/",
            "/jurisdictions/niue1/",
            "/jurisdictions/åland4/",
        ]
    );
    let titles: Vec<String> = index
        .search(&SearchRequest::default())
        .hits
        .into_iter()
        .map(|h| h.title)
        .collect();
    assert_eq!(
        titles,
        ["Austria", "Niger", "Nigeria", "Nigeria", "niue", "Åland"]
    );
}

#[test]
fn update_replaces_an_entry_and_keeps_browse_order() {
    let mut site = names_site();
    let dir = tempfile::tempdir().expect("tempdir");
    let base = dir.path().join("base");
    build_index(&site, &base).expect("build");
    let before = browse_urls(&SearchIndex::open(&base).expect("open"));

    let niger = site
        .jurisdictions
        .iter_mut()
        .find(|j| j.id == "niger2")
        .expect("niger");
    niger.summary = "Zqxrevised summary.".to_owned();
    let edited = vec![niger.clone()];
    let updated = dir.path().join("updated");
    update_index(&base, &updated, &site.taxonomy, &edited).expect("update");
    let index = SearchIndex::open(&updated).expect("open updated");
    assert_eq!(browse_urls(&index), before);
    let found = index.search(&query("zqxrevised"));
    assert_eq!(urls(&found), ["/jurisdictions/niger2/"]);
    assert!(
        SearchIndex::open(&base)
            .expect("base")
            .search(&query("zqxrevised"))
            .hits
            .is_empty()
    );
    assert_eq!(
        index.doc_count(),
        SearchIndex::open(&base).expect("base").doc_count()
    );
}

/// Words of every kind the analyzer meets: stemmer special cases, Unicode letters and
/// digits, upper case that lower-cases to other bytes, a word too long to index.
fn tricky_text() -> String {
    let mut text = String::from(
        "Dying lying tying skis skies idly gently ugly early only singly news howe atlas \
         cosmos bias andes generously communities arsenal yelling Yield cried ties \
         organization relational rational hopping hoped agreed feed Überwachung naïve \
         ÉCOLE déjà-vu ΣΊΣΥΦΟΣ İstanbul ǅemal 2016 s37 ٣٤ PECA’s c'est \
         pneumonoultramicroscopicsilicovolcanoconiosis Antidisestablishmentarianism \
         supercalifragilisticexpialidociousnessly",
    );
    for u in units(&site()) {
        text.push(' ');
        text.push_str(&u.text);
    }
    text
}

/// (byte range, token) as an analyzer gives them.
fn tokens(analyzer: &mut TextAnalyzer, text: &str) -> Vec<(Range<usize>, String)> {
    let mut out = Vec::new();
    analyzer
        .token_stream(text)
        .process(&mut |t| out.push((t.offset_from..t.offset_to, t.text.clone())));
    out
}

/// `en_stem`'s tokens of `text` with citation markers read as the words they stand for
/// ([`marker_at`]), as the prose analyzer reads them.
fn with_citations(text: &str, en_stem: Vec<(Range<usize>, String)>) -> Vec<(Range<usize>, String)> {
    let stem = |word: &str| {
        let mut word = word.to_owned();
        stem_in_place(&mut word);
        word
    };
    let mut read: Vec<(Range<usize>, String)> = en_stem
        .into_iter()
        .map(|(range, token)| match marker_at(text, range.clone()) {
            Some(canonical) => (range, stem(canonical)),
            None => (range, token),
        })
        .collect();
    let mut at = 0;
    while let Some((word, symbols)) = next_word(text, at) {
        at = word.end;
        if let (true, Some(canonical)) = (symbols, marker_at(text, word.clone())) {
            read.push((word, stem(canonical)));
        }
    }
    read.sort_by_key(|(range, _)| range.start);
    read
}

#[test]
fn memo_stemmer_and_word_scan_agree_with_tantivy() {
    let mut builtin = tantivy::tokenizer::TokenizerManager::default()
        .get("en_stem")
        .expect("en_stem");
    let text = tricky_text();
    // Twice, so that the second pass reads the memo.
    for _ in 0..2 {
        let expected = with_citations(&text, tokens(&mut builtin, &text));
        assert_eq!(tokens(&mut prose_analyzer(), &text), expected);
        let mut scanned = Vec::new();
        let every_word = StemStarts {
            first: [true; 256],
            any_second: [true; 256],
            pairs: Vec::new(),
        };
        scan_words(&text, &every_word, |range, stem| {
            scanned.push((range, stem.unwrap_or("").to_owned()));
        });
        assert_eq!(scanned, expected);
        // English stemming keeps the first byte of the lower-cased word (a citation marker is
        // read as another word, see `report_marker`).
        let words = expected
            .iter()
            .filter(|(range, _)| marker_at(&text, range.clone()).is_none());
        for (range, stem) in words {
            let word: String = text[range.clone()]
                .chars()
                .flat_map(char::to_lowercase)
                .collect();
            assert_eq!(
                stem.as_bytes().first(),
                word.as_bytes().first(),
                "{word} → {stem}"
            );
        }
    }
}

#[test]
fn short_word_keys_tell_every_word_apart() {
    let text = tricky_text();
    let mut words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .map(str::to_lowercase)
        .collect();
    // Words sharing their first or last eight bytes, and prefixes of each other.
    words.extend(
        [
            "abcdefgh",
            "abcdefghi",
            "abcdefghij",
            "abcdefghik",
            "xbcdefghij",
            "abcdefghijklmnop",
        ]
        .map(String::from),
    );
    words.extend((0..=16).map(|n| "a".repeat(n)));
    let mut seen: HashMap<ShortWord, &str> = HashMap::new();
    for word in &words {
        let Some(key) = ShortWord::new(word) else {
            assert!(word.len() > ShortWord::MAX_BYTES, "{word}");
            continue;
        };
        let first = *seen.entry(key).or_insert(word);
        assert_eq!(first, word, "two words with one key");
    }
    assert!(seen.len() > 100);
}

#[test]
fn snippets_are_those_of_tantivy() {
    let ascii = format!(
        "{} The court may order a block. {} Courts ordered blocking of the site, and the \
         order was blocked again, naively. {}",
        "Filler words here. ".repeat(12),
        "More filler text. ".repeat(9),
        "Ordering courts. ".repeat(20),
    );
    for text in [ascii.clone(), format!("{ascii} {}", tricky_text())] {
        snippets_match_tantivy(&text);
    }
}

fn snippets_match_tantivy(text: &str) {
    let cases: [&[&str]; 6] = [
        &["court", "order"],
        &["block"],
        &["site"],
        &["naïv", "écol"],
        &["istanbul", "yield", "die"],
        &["absent"],
    ];
    for stems in cases {
        let weighted: Vec<(String, Score)> = stems
            .iter()
            .enumerate()
            .map(|(k, s)| ((*s).to_owned(), 1.0 / (2.0 + k as Score)))
            .collect();
        let ours = Snippets {
            starts: StemStarts::of(stems.iter().copied()),
            terms: weighted.clone(),
        };
        let theirs = SnippetGenerator::new(
            weighted.into_iter().collect(),
            prose_analyzer(),
            Field::from_field_id(0),
            SNIPPET_CHARS,
        )
        .snippet(text);
        match ours.best_fragment(text, |_, _| {}) {
            Some(fragment) => {
                let start = fragment.range.start;
                let relative: Vec<Range<usize>> = fragment
                    .highlights
                    .iter()
                    .map(|h| h.start - start..h.end - start)
                    .collect();
                assert_eq!(fragment.range, theirs.fragment_range(), "{stems:?}");
                assert_eq!(relative, theirs.highlighted(), "{stems:?}");
            }
            None => assert!(theirs.is_empty(), "{stems:?}"),
        }
    }
}

/// The stemmer keeps what [`StemStarts`] relies on: every word admitted by the starts of its
/// own stem. Checked on every word of up to three letters with each English ending, on the
/// shipped content, and on the English texts of `../shared/corpora` (skipped with a message
/// when it is absent, a failure in CI).
#[test]
fn words_start_as_their_stems_do() {
    let letters = b"abcdefghijklmnopqrstuvwxyz";
    let mut heads: Vec<String> = Vec::new();
    for &a in letters {
        heads.push(char::from(a).to_string());
        for &b in letters {
            heads.push(format!("{}{}", char::from(a), char::from(b)));
            for &c in letters {
                heads.push(format!(
                    "{}{}{}",
                    char::from(a),
                    char::from(b),
                    char::from(c)
                ));
            }
        }
    }
    let endings = [
        "", "s", "es", "e", "y", "ed", "eed", "ing", "ying", "ies", "ied", "ly", "edly", "ingly",
        "ings", "ness", "ation",
    ];
    let mut words: BTreeSet<String> = heads
        .iter()
        .flat_map(|head| endings.iter().map(move |end| format!("{head}{end}")))
        .collect();
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut texts = vec![manifest.join("content")];
    let shared = manifest.join("../shared/corpora");
    if shared.is_dir() {
        texts.push(shared.join("us-constitution-en"));
        texts.push(shared.join("commonmark-spec"));
    } else {
        assert!(
            std::env::var_os("CI").is_none(),
            "../shared is missing, but CI is set"
        );
        eprintln!("skipped the shared corpora: ../shared is absent");
    }
    let mut files = 0;
    while let Some(path) = texts.pop() {
        if path.is_dir() {
            texts.extend(
                fs::read_dir(&path)
                    .expect("readable")
                    .map(|e| e.expect("entry").path()),
            );
            continue;
        }
        let Ok(text) = fs::read_to_string(&path) else {
            continue;
        };
        files += 1;
        words.extend(
            text.split(|c: char| !c.is_ascii_alphanumeric())
                .filter(|w| !w.is_empty() && w.len() < MAX_TOKEN_BYTES)
                .map(str::to_owned),
        );
    }
    assert!(files > 10, "only {files} files of text");
    for word in &words {
        let mut stem = word.to_ascii_lowercase();
        stem_in_place(&mut stem);
        assert!(
            StemStarts::of([stem.as_str()]).admits(word.as_bytes()),
            "{word:?} stems to {stem:?}"
        );
    }
    assert!(words.len() > 300_000, "{} words", words.len());
    // And the filter does filter: the same first letter is not enough.
    let starts = StemStarts::of(["court", "die"]);
    assert!(starts.admits(b"Courts") && starts.admits(b"dying") && starts.admits(b"died"));
    assert!(!starts.admits(b"cat") && !starts.admits(b"dog") && !starts.admits(b"d"));
}

/// Both ways of finding the best fragment agree with each other and with tantivy on ASCII
/// texts of every shape: words at fragment boundaries, long words, runs of punctuation.
#[test]
fn ascii_fragments_are_those_of_the_word_walk() {
    let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
    let mut next = |n: u64| {
        seed = seed.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = seed;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d1_049e_b3d4_e5bb);
        (z ^ (z >> 31)) % n
    };
    let vocabulary = [
        "court", "Courts", "order", "ORDERED", "blocking", "block", "site", "x", "a1", "s37", "s",
        "Art.", "12", "Dying", "die",
    ];
    let long = "w".repeat(MAX_TOKEN_BYTES);
    let mut found = 0;
    for case in 0..400 {
        let mut text = String::new();
        for _ in 0..next(120) {
            match next(10) {
                0 => text.push_str(&long),
                1 => text.push_str(" ... "),
                2 => text.push_str(&"filler ".repeat(1 + next(30) as usize)),
                _ => text.push_str(vocabulary[next(vocabulary.len() as u64) as usize]),
            }
            text.push(if next(4) == 0 { ',' } else { ' ' });
        }
        let stems: &[&str] = match case % 4 {
            0 => &["court", "order"],
            1 => &["block"],
            2 => &["die", "x", "a1"],
            _ => &["site", "s37", "court", "section", "articl", "12"],
        };
        let snippets = Snippets {
            starts: StemStarts::of(stems.iter().copied()),
            terms: stems.iter().map(|s| ((*s).to_owned(), 0.5)).collect(),
        };
        let (mut fast, mut slow) = (Vec::new(), Vec::new());
        let quick = snippets.best_ascii_fragment(&text, |r, s| fast.push((r, s.to_owned())));
        let walked = snippets.best_fragment_by_words(&text, |r, s| slow.push((r, s.to_owned())));
        let key =
            |f: &Option<Fragment>| f.as_ref().map(|f| (f.range.clone(), f.highlights.clone()));
        assert_eq!(key(&quick), key(&walked), "case {case}: {text:?}");
        let theirs = SnippetGenerator::new(
            snippets.terms.iter().cloned().collect(),
            prose_analyzer(),
            Field::from_field_id(0),
            SNIPPET_CHARS,
        )
        .snippet(&text);
        let theirs = (!theirs.is_empty()).then(|| theirs.fragment_range());
        assert_eq!(
            quick.as_ref().map(|f| f.range.clone()),
            theirs,
            "case {case}"
        );
        found += usize::from(quick.is_some());
        fast.sort_by_key(|(r, _)| r.start);
        assert_eq!(fast, slow, "case {case}");
    }
    assert!(found > 200, "{found}");
}

#[test]
fn only_words_in_no_field_are_corrected() {
    let (_dir, index) = fixture();
    // Both words are indexed, just never together: nothing is found, nothing corrected.
    let apart = index.search(&query("kominfo thailand"));
    assert_eq!(apart.total, 0);
    assert!(!apart.corrected);
    // The misspelt word is corrected, the other kept.
    let mixed = index.search(&query("Komnifo indonesia"));
    assert!(mixed.corrected);
    assert_eq!(mixed.corrected_query.as_deref(), Some("kominfo indonesia"));
    assert!(
        mixed
            .hits
            .iter()
            .all(|h| h.jurisdiction.as_deref() == Some("indonesia"))
    );
    // A misspelt word with no close indexed word leaves the query uncorrected.
    let hopeless = index.search(&query("qqqqqqqq indonesia"));
    assert_eq!(hopeless.total, 0);
    assert!(!hopeless.corrected);
}

/// Every way of writing a citation, and the way it is read.
const CITATIONS: [(&str, &str); 21] = [
    ("section 233", "section 233"),
    ("s 233", "section 233"),
    ("S. 233", "section 233"),
    ("sec. 233", "section 233"),
    ("sect. 233", "section 233"),
    ("§ 233", "section 233"),
    ("§233", "section 233"),
    ("ss 233", "section 233"),
    ("sections 233", "section 233"),
    ("§§ 233", "section 233"),
    ("s.233", "section 233"),
    ("article 3", "article 3"),
    ("art. 3", "article 3"),
    ("Art 3", "article 3"),
    ("arts 3", "article 3"),
    ("Articles 3", "article 3"),
    ("paragraph 4", "paragraph 4"),
    ("para 4", "paragraph 4"),
    ("para. 4", "paragraph 4"),
    ("¶ 4", "paragraph 4"),
    ("paras\u{a0}4", "paragraph 4"),
];

fn stems(text: &str) -> Vec<String> {
    tokens(&mut prose_analyzer(), text)
        .into_iter()
        .map(|(_, stem)| stem)
        .collect()
}

#[test]
fn combining_marks_continue_words_in_the_index_and_the_word_scan() {
    // `সুরক্ষা` has a virama (U+09CD), which is not alphanumeric: it must not cut the word.
    let text = "সাইবার সুরক্ষা অধ্যাদেশ and e\u{301}tat";
    let words = ["সাইবার", "সুরক্ষা", "অধ্যাদেশ", "and", "e\u{301}tat"];
    let analysed = tokens(&mut prose_analyzer(), text);
    let ranges: Vec<&str> = analysed.iter().map(|(r, _)| &text[r.clone()]).collect();
    assert_eq!(ranges, words);
    let every_word = StemStarts {
        first: [true; 256],
        any_second: [true; 256],
        pairs: Vec::new(),
    };
    let mut scanned = Vec::new();
    scan_words(text, &every_word, |range, _| scanned.push(&text[range]));
    assert_eq!(scanned, words);
}

#[test]
fn citation_forms_are_read_as_the_words_they_stand_for() {
    for (written, read) in CITATIONS {
        assert_eq!(stems(written), stems(read), "{written}");
        assert_eq!(
            client_index::tokens(written),
            client_index::tokens(read),
            "{written}"
        );
    }
    // The marker keeps its own place in the text, so a snippet marks what is written.
    assert_eq!(
        tokens(&mut prose_analyzer(), "under § 233(1)(a)"),
        [
            (0..5, "under".to_owned()),
            (6..8, "section".to_owned()),
            (9..12, "233".to_owned()),
            (13..14, "1".to_owned()),
            (16..17, "a".to_owned()),
        ]
    );
    // Numbers are read as before.
    assert_eq!(
        stems("s 233A, 19(3) and 5.2"),
        ["section", "233a", "19", "3", "and", "5", "2"]
    );
}

#[test]
fn markers_without_a_number_are_ordinary_words() {
    assert_eq!(stems("art s sections"), ["art", "s", "section"]);
    assert_eq!(stems("the art, 3 pieces"), ["the", "art", "3", "piec"]);
    // The `s` of a possessive is no section.
    assert_eq!(stems("PECA’s 3 powers"), ["peca", "s", "3", "power"]);
    assert_eq!(stems("PECA's 3 powers"), ["peca", "s", "3", "power"]);
    // A citation symbol with no number is no word.
    assert_eq!(stems("§ ¶ and §§"), ["and"]);
    assert_eq!(client_index::tokens("art s § and"), ["art", "and"]);
    // One-character words are dropped from the client index, unless they are a cited number.
    assert_eq!(client_index::tokens("a 4 para 4(a)"), ["paragraph", "4"]);
}

#[test]
fn queries_keep_a_marker_with_its_number() {
    let parsed = ParsedQuery::parse("Act s. 233 -art 3 \"para 4\" art kind:power");
    assert_eq!(
        parsed.parts,
        [
            Part::Word("Act".to_owned()),
            Part::Word("s. 233".to_owned()),
            Part::Exclude("art 3".to_owned()),
            Part::Phrase("para 4".to_owned()),
            Part::Word("art".to_owned()),
            Part::Filter {
                key: FilterKey::Kind,
                value: "power".to_owned(),
                negated: false,
            },
        ]
    );
    assert_eq!(
        parsed.render(&HashMap::new()),
        "Act s. 233 -\"art 3\" \"para 4\" art kind:power"
    );
}

#[test]
fn every_citation_form_finds_its_citation() {
    let (_dir, index) = fixture();
    let peca = "/jurisdictions/pakistan/#instrument-peca-2016";
    let rules = "/jurisdictions/pakistan/#instrument-rules-2021";
    let thailand = "/jurisdictions/thailand/";
    for (written, read) in CITATIONS {
        let (marker, _) = read.split_once(' ').unwrap();
        let number = match marker {
            "section" => "37",
            "article" => "19",
            _ => "4",
        };
        let q = written
            .trim_end_matches(|c: char| c.is_ascii_digit())
            .to_owned()
            + number;
        let results = index.search(&query(&q));
        let found = urls(&results);
        match marker {
            // PECA's key provision is written `s 37`, the rules' citation `section 37`.
            "section" => {
                assert!(
                    found.contains(&peca) && found.contains(&rules),
                    "{q}: {found:?}"
                )
            }
            _ => assert_eq!(found, [thailand], "{q}"),
        }
    }
    // Sect. 20 is found as section 20, in a phrase with the Covenant's article.
    assert_eq!(
        urls(&index.search(&query("s 20 article 19 covenant"))),
        [thailand]
    );
    assert_eq!(urls(&index.search(&query("\"§ 5.2\""))), [thailand]);
    // The number must follow the marker: section 19 is not article 19.
    assert_eq!(index.search(&query("section 19")).total, 0);
}

#[test]
fn snippets_mark_the_citation_as_written() {
    let (_dir, index) = fixture();
    let results = index.search(&query("section 37 PECA"));
    let peca = results
        .hits
        .iter()
        .find(|h| h.url == "/jurisdictions/pakistan/#instrument-peca-2016")
        .expect("PECA found");
    assert!(
        peca.snippet_html.contains("<mark>s</mark> <mark>37</mark>"),
        "{}",
        peca.snippet_html
    );
    let thailand = index.search(&query("sec 20 art 19 § 5"));
    assert!(
        thailand.hits[0]
            .snippet_html
            .contains("<mark>Sect</mark>. <mark>20</mark>")
            && thailand.hits[0]
                .snippet_html
                .contains("<mark>Article</mark> <mark>19</mark>")
            && thailand.hits[0]
                .snippet_html
                .contains("<mark>§§</mark> <mark>5</mark>"),
        "{}",
        thailand.hits[0].snippet_html
    );
}

/// An index of 600 generated entries (some 14,000 units), built once: large enough for the
/// commonest words to be broad.
fn broad_fixture() -> &'static SearchIndex {
    static INDEX: OnceLock<(tempfile::TempDir, SearchIndex)> = OnceLock::new();
    &INDEX
        .get_or_init(|| {
            let dir = tempfile::tempdir().expect("tempdir");
            let content = dir.path().join("content");
            crate::tools::corpus::generate(&content, 600, 11).expect("corpus");
            let site = crate::load::load(&content).take_site();
            let index_dir = dir.path().join("index");
            build_index(&site, &index_dir).expect("build");
            let index = SearchIndex::open(&index_dir).expect("open");
            (dir, index)
        })
        .1
}

/// The exhaustive page, the pruned page, the exact total and the broad path's counts.
type BothPaths = (
    Vec<(Score, DocAddress)>,
    Vec<(Score, DocAddress)>,
    usize,
    Counted,
);

/// The page an exhaustive search gives (every match scored and counted) and the one the
/// broad path gives, for the same query, filters, limit and offset.
fn both_paths(
    index: &SearchIndex,
    q: &str,
    region: Option<&str>,
    limit: usize,
    offset: usize,
) -> BothPaths {
    let parsed = ParsedQuery::parse(q);
    let request = SearchRequest {
        q: q.to_owned(),
        region: region.map(str::to_owned),
        ..SearchRequest::default()
    };
    let filters = Filters::new(&request, &parsed);
    let searcher = index.reader.searcher();
    let QueryPlan::Text { query, broad, .. } = index.plan(&searcher, &parsed, &filters).unwrap()
    else {
        panic!("{q}: not a text query");
    };
    let broad = broad.unwrap_or_else(|| panic!("{q}: not broad"));
    let exhaustive = index
        .collect(&searcher, &*query, Ranking::Score, limit, offset)
        .unwrap();
    let pruned = index
        .broad_top(&searcher, &broad, &*query, limit, offset)
        .unwrap();
    let counted = index.counted(&searcher, &*query).unwrap();
    (exhaustive.docs, pruned, exhaustive.total, counted)
}

#[test]
fn broad_queries_give_the_first_page_of_an_exhaustive_search() {
    let index = broad_fixture();
    let queries = [
        ("court order", None, 10, 0),
        ("court order blocking", None, 10, 0),
        ("authority review notice", None, 10, 0),
        ("section act", Some("europe"), 10, 0),
        ("court order -blocking", None, 10, 0),
        ("order section", None, 20, 30),
        ("transparency authority court", Some("oceania"), 100, 0),
    ];
    for (q, region, limit, offset) in queries {
        let (exhaustive, pruned, total, _) = both_paths(index, q, region, limit, offset);
        assert!(total > limit + offset, "{q}: only {total} matches");
        let addresses = |hits: &[(Score, DocAddress)]| hits.iter().map(|h| h.1).collect::<Vec<_>>();
        assert_eq!(addresses(&pruned), addresses(&exhaustive), "{q}");
        for ((a, _), (b, _)) in pruned.iter().zip(&exhaustive) {
            assert!(
                (a - b).abs() <= 1e-4 * b.abs(),
                "{q}: score {a} against {b}"
            );
        }
    }
}

#[test]
fn broad_queries_with_more_words_than_a_mask_holds_are_answered_exhaustively() {
    let index = broad_fixture();
    // The word in other cases: each spelling is a text of its own, so a word of the plan.
    let spellings = |n: usize| -> String {
        (0..n)
            .map(|k| {
                "authority"
                    .char_indices()
                    .map(|(i, c)| {
                        if k >> i & 1 == 1 {
                            c.to_ascii_uppercase()
                        } else {
                            c
                        }
                    })
                    .collect::<String>()
            })
            .collect::<Vec<_>>()
            .join(" ")
    };
    let single = index.search(&SearchRequest {
        q: "authority".to_owned(),
        ..SearchRequest::default()
    });
    for (n, pruned) in [(64, true), (65, false)] {
        let q = spellings(n);
        let parsed = ParsedQuery::parse(&q);
        let request = SearchRequest {
            q: q.clone(),
            ..SearchRequest::default()
        };
        let filters = Filters::new(&request, &parsed);
        let searcher = index.reader.searcher();
        let QueryPlan::Text { broad, .. } = index.plan(&searcher, &parsed, &filters).unwrap()
        else {
            panic!("{n} words: not a text query");
        };
        assert_eq!(broad.is_some(), pruned, "{n} words");
        let results = index.search(&request);
        assert_eq!(urls(&results), urls(&single), "{n} words");
    }
}

#[test]
fn broad_counts_are_estimated_close_to_the_exact_ones() {
    let index = broad_fixture();
    for q in ["court order", "authority review", "section"] {
        let (_, _, total, counted) = both_paths(index, q, None, 10, 0);
        assert!(counted.estimated, "{q}: {total} matches were all counted");
        let error = (counted.total as f64 - total as f64).abs() / total as f64;
        assert!(error < 0.1, "{q}: about {} against {total}", counted.total);
        let tallied: u64 = counted.tally.unit[0].iter().sum();
        let off = (tallied as f64 - total as f64).abs() / total as f64;
        assert!(
            off < 0.1,
            "{q}: kinds add up to {tallied}, not about {total}"
        );
    }
    // A query with few matches in every slice is counted exactly.
    let searcher = index.reader.searcher();
    let rare = TermQuery::new(
        Term::from_field_text(index.fields.text, "court"),
        IndexRecordOption::Basic,
    );
    let rare = BooleanQuery::new(vec![
        (Occur::Must, Box::new(rare) as Box<dyn Query>),
        (
            Occur::Must,
            Box::new(TermQuery::new(
                Term::from_field_text(index.fields.region, "europe"),
                IndexRecordOption::Basic,
            )),
        ),
    ]);
    let counted = index.counted(&searcher, &rare).unwrap();
    let exact = searcher.search(&rare, &Count).unwrap();
    if !counted.estimated {
        assert_eq!(counted.total, exact);
    }
}

#[test]
fn broad_search_reports_estimated_totals_with_exact_hits() {
    let index = broad_fixture();
    let results = index.search(&query("court order"));
    assert!(
        results.estimated,
        "{} matches were all counted",
        results.total
    );
    assert_eq!(results.total, about(results.total as f64) as usize);
    assert_eq!(results.hits.len(), MAX_LIMIT);
    let kinds: u64 = facet(&results, "kind").values.iter().map(|v| v.count).sum();
    assert!(kinds > 0);
    // A narrow query stays exact.
    let narrow = index.search(&query("\"court order\" blocking"));
    assert!(!narrow.estimated);
}

#[test]
fn estimates_round_to_two_significant_figures() {
    assert_eq!(about(41_085.0), 41_000);
    assert_eq!(about(37_813.4), 38_000);
    assert_eq!(about(96.0), 96);
    assert_eq!(about(7.4), 7);
    assert_eq!(about(0.3), 1);
    assert_eq!(about(0.0), 0);
}

#[test]
fn phrases_match_and_score_as_tantivy_phrase_queries_do() {
    use tantivy::query::PhraseQuery;
    let index = broad_fixture();
    let searcher = index.reader.searcher();
    let mut stemmer = index.stemmer.clone();
    let words = [
        "section",
        "act",
        "court",
        "order",
        "authority",
        "content",
        "minister",
        "law",
        "public",
        "block",
        "access",
        "police",
    ];
    let stem = |stemmer: &mut TextAnalyzer, word: &str| tokens(stemmer, word)[0].1.clone();
    let mut phrases: Vec<Vec<(usize, String)>> = Vec::new();
    for a in words {
        for b in words {
            phrases.push(vec![(0, stem(&mut stemmer, a)), (1, stem(&mut stemmer, b))]);
        }
        // A word missing in between (as a stop word leaves it), and three words.
        phrases.push(vec![
            (0, stem(&mut stemmer, a)),
            (2, stem(&mut stemmer, "court")),
        ]);
        phrases.push(vec![
            (0, stem(&mut stemmer, "section")),
            (1, stem(&mut stemmer, a)),
            (2, stem(&mut stemmer, "order")),
        ]);
    }
    let all = || TopDocs::with_limit(1_000_000).order_by_score();
    let sorted = |mut hits: Vec<(Score, DocAddress)>| {
        hits.sort_by_key(|(_, address)| *address);
        hits
    };
    let mut matched_phrases = 0;
    let mut matches = 0;
    for phrase in &phrases {
        for (field, _) in index.fields.weighted() {
            let terms: Vec<(usize, Term)> = phrase
                .iter()
                .map(|(at, word)| (*at, Term::from_field_text(field, word)))
                .collect();
            let ours = Phrase::new(terms.clone(), &index.positions);
            let theirs = PhraseQuery::new_with_offset_and_slop(terms, 0);
            let (our_hits, our_count) = searcher.search(&ours, &(all(), Count)).unwrap();
            let (their_hits, their_count) = searcher.search(&theirs, &(all(), Count)).unwrap();
            assert_eq!(our_count, their_count, "{phrase:?} in {field:?}");
            assert_eq!(
                sorted(our_hits),
                sorted(their_hits),
                "{phrase:?} in {field:?}"
            );
            // Unscored, and moved by seeks as one side of an intersection.
            assert_eq!(
                searcher.search(&ours, &Count).unwrap(),
                their_count,
                "{phrase:?} in {field:?}, unscored"
            );
            let also = || {
                Box::new(TermQuery::new(
                    Term::from_field_text(
                        index.fields.text,
                        &stem(&mut index.stemmer.clone(), "court"),
                    ),
                    IndexRecordOption::WithFreqs,
                ))
            };
            let with = |phrase: Box<dyn Query>| {
                BooleanQuery::new(vec![(Occur::Must, also()), (Occur::Must, phrase)])
            };
            let (ours_with, _) = searcher
                .search(&with(Box::new(ours.clone())), &(all(), Count))
                .unwrap();
            let (theirs_with, _) = searcher
                .search(&with(Box::new(theirs.clone())), &(all(), Count))
                .unwrap();
            assert_eq!(
                sorted(ours_with),
                sorted(theirs_with),
                "{phrase:?} in {field:?} and a word"
            );
            if their_count > 0 {
                matched_phrases += 1;
                matches += their_count;
            }
        }
    }
    // The comparison is not between two empty sets: many phrases match, some in many units.
    assert!(matched_phrases > 100, "{matched_phrases} phrases matched");
    assert!(matches > 1_000, "{matches} matches");
}
