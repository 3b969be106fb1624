//! `check`: one failing case per validation rule, each asserting file, line and field.

use crate::support::Fixture;
use jurisdex::diagnostics::Diagnostic;

/// 1-based line of the first occurrence of `needle` in a fixture file.
fn line_of(f: &Fixture, file: &str, needle: &str) -> usize {
    let text = std::fs::read_to_string(f.content().join(file)).unwrap();
    let at = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not in {file}"));
    text[..at].matches('\n').count() + 1
}

/// 1-based line of the last occurrence of `needle` in a fixture file.
fn last_line_of(f: &Fixture, file: &str, needle: &str) -> usize {
    let text = std::fs::read_to_string(f.content().join(file)).unwrap();
    let at = text
        .rfind(needle)
        .unwrap_or_else(|| panic!("{needle:?} not in {file}"));
    text[..at].matches('\n').count() + 1
}

fn errors(f: &Fixture) -> Vec<Diagnostic> {
    f.check_errors()
}

/// True when one of `errors` is in a file ending with `file`, on `field`, saying `message`.
fn has_error(errors: &[Diagnostic], file: &str, field: &str, message: &str) -> bool {
    errors
        .iter()
        .any(|d| d.path.ends_with(file) && d.field == field && d.message.contains(message))
}

/// Applies an edit to alpha.md and asserts an error naming `field` and containing `message` on the
/// line of the last line of `to` (the line the edit changed).
fn expect_error(from: &str, to: &str, field: &str, message: &str) {
    expect_error_at(from, to, to.lines().last().unwrap(), field, message);
}

/// Like [`expect_error`], with the error expected on the last line containing `at`.
fn expect_error_at(from: &str, to: &str, at: &str, field: &str, message: &str) {
    let f = Fixture::new("basic");
    f.edit("jurisdictions/alpha.md", from, to);
    let line = last_line_of(&f, "jurisdictions/alpha.md", at);
    let errors = errors(&f);
    let hit = errors
        .iter()
        .find(|d| d.field == field && d.message.contains(message))
        .unwrap_or_else(|| {
            panic!("no error on `{field}` containing {message:?}; got:\n{errors:#?}")
        });
    assert!(hit.path.ends_with("jurisdictions/alpha.md"));
    assert_eq!(hit.line, line, "wrong line for {field}: {hit}");
    assert!(
        hit.to_string().contains(&format!("alpha.md:{line}:")),
        "{hit}"
    );
}

#[test]
fn the_fixture_is_valid() {
    let f = Fixture::new("basic");
    assert_eq!(errors(&f), Vec::new());
}

#[test]
fn unknown_key_is_an_error() {
    expect_error(
        "legal_system: civil law",
        "legal_sytem: civil law",
        "front matter",
        "unknown field `legal_sytem`",
    );
}

#[test]
fn unknown_nested_key_names_the_path() {
    expect_error(
        "    deadline: { hours: 4, text: Within four hours for urgent content. }",
        "    dedline: { hours: 4, text: Within four hours for urgent content. }",
        "powers[0]",
        "unknown field `dedline`",
    );
}

#[test]
fn unknown_enum_value_is_an_error() {
    expect_error(
        "    authority_type: executive",
        "    authority_type: ministry",
        "powers[0].authority_type",
        "unknown variant `ministry`",
    );
}

#[test]
fn wrong_type_is_an_error() {
    expect_error(
        "groupings: [asean]",
        "groupings: asean",
        "groupings",
        "invalid type",
    );
}

#[test]
fn impossible_date_is_an_error() {
    expect_error(
        "last_reviewed: 2026-11-01",
        "last_reviewed: 2026-02-30",
        "last_reviewed",
        "does not exist",
    );
}

#[test]
fn missing_safeguard_is_an_error() {
    let f = Fixture::new("basic");
    f.edit("jurisdictions/alpha.md", "  sunset_review:\n    value: \"no\"\n    provisions: [{ instrument: ite-2008, section: whole Act }]\n    note: Orders do not expire.\n    confidence: believed\n    sources: [law-text]\n", "");
    let errors = errors(&f);
    assert!(errors.iter().any(|d| d.field == "safeguards" && d.message.contains("missing field `sunset_review`")), "{errors:#?}");
}

#[test]
fn id_must_match_the_file_name() {
    expect_error(
        "id: alpha",
        "id: alfa",
        "id",
        "must match the file name `alpha`",
    );
}

#[test]
fn iso_code_is_checked() {
    expect_error("iso: AL", "iso: Alb", "iso", "is not an ISO 3166 code");
}

#[test]
fn unknown_region_and_grouping_are_errors() {
    expect_error(
        "region: southeast-asia",
        "region: atlantis",
        "region",
        "unknown region `atlantis`",
    );
    expect_error(
        "groupings: [asean]",
        "groupings: [asean, nato]",
        "groupings[1]",
        "unknown grouping `nato`",
    );
}

#[test]
fn dangling_source_id_is_an_error() {
    expect_error_at(
        "    sources: [ruling]\nsafeguards:",
        "    sources: [rulling]\nsafeguards:",
        "[rulling]",
        "cases[0].sources[0]",
        "unknown source `rulling`",
    );
}

#[test]
fn dangling_instrument_reference_is_an_error() {
    expect_error(
        "    basis: { instrument: ite-2008, section: Art. 40(2b) }",
        "    basis: { instrument: ite-2009, section: Art. 40(2b) }",
        "powers[0].basis.instrument",
        "unknown instrument `ite-2009`",
    );
    expect_error_at(
        "    instrument: ite-2008\n    provision",
        "    instrument: nope\n    provision",
        "instrument: nope",
        "cases[0].instrument",
        "unknown instrument `nope`",
    );
}

#[test]
fn rated_safeguard_without_source_is_an_error() {
    expect_error(
        "    note: No notice is required.\n    confidence: confirmed\n    sources: [ruling]",
        "    note: No notice is required.\n    confidence: confirmed\n    sources: []",
        "safeguards.user_notice.sources",
        "must cite at least one source",
    );
}

#[test]
fn power_without_source_is_an_error() {
    expect_error_at(
        "    confidence: confirmed\n    sources: [law-text]\ncases:",
        "    confidence: confirmed\n    sources: []\ncases:",
        "    sources: []",
        "powers[0].sources",
        "must cite at least one source",
    );
}

#[test]
fn duplicate_instrument_id_is_an_error() {
    expect_error(
        "  - id: thai-act",
        "  - id: ite-2008",
        "instruments[1].id",
        "duplicate instrument id `ite-2008`",
    );
}

#[test]
fn duplicate_source_id_is_an_error() {
    expect_error(
        "  - id: ruling",
        "  - id: law-text",
        "sources[1].id",
        "duplicate source id `law-text`",
    );
}

#[test]
fn original_title_needs_its_language() {
    expect_error_at(
        "    original_lang: th\n",
        "    short_name: CCA\n",
        "  - id: thai-act",
        "instruments[1]",
        "`original_title` and `original_lang` go together",
    );
}

#[test]
fn non_web_url_is_an_error() {
    expect_error(
        "    url: https://example.org/ruling",
        "    url: javascript:alert(1)",
        "sources[1].url",
        "is not an http(s) address",
    );
}

#[test]
fn source_address_with_a_trailing_dot_after_the_host_is_an_error() {
    expect_error(
        "    url: https://example.org/ruling",
        "    url: https://issuu.com./doc",
        "sources[1].url",
        "has a trailing dot after the host",
    );
}

#[test]
fn source_address_with_an_invalid_host_is_an_error() {
    for (bad, problem) in [
        ("https://exa mple.org/x", "contains whitespace"),
        ("https://example/x", "has a host without a domain"),
        (
            "https://exa_mple.org/x",
            "has a host name that is not valid",
        ),
        ("https://example.c0m/x", "top-level domain is not valid"),
    ] {
        expect_error(
            "    url: https://example.org/ruling",
            &format!("    url: {bad}"),
            "sources[1].url",
            problem,
        );
    }
}

/// Every warning `check` gives for the fixture after an edit of alpha.md, as displayed.
fn warnings_after(from: &str, to: &str) -> Vec<String> {
    let f = Fixture::new("basic");
    f.edit("jurisdictions/alpha.md", from, to);
    let (loaded, _) = jurisdex::site::check(&f.content());
    assert!(
        !loaded.report.has_errors(),
        "{:#?}",
        loaded.report.diagnostics
    );
    loaded
        .report
        .diagnostics
        .iter()
        .map(ToString::to_string)
        .collect()
}

#[test]
fn instrument_without_a_primary_source_is_a_warning() {
    let f = Fixture::new("basic");
    let line = line_of(
        &f,
        "jurisdictions/alpha.md",
        "    confidence: confirmed\n    sources: [law-text]",
    ) + 1;
    let warnings = warnings_after("    kind: legislation", "    kind: news");
    let expected = format!(
        "alpha.md:{line}:5: warning: instruments[0].sources: instrument `ite-2008` cites no primary source"
    );
    assert!(
        warnings.iter().any(|w| w.contains(&expected)),
        "{expected}\n{warnings:#?}"
    );
}

#[test]
fn rated_cell_without_a_provision_is_a_warning() {
    let from = "    value: \"no\"\n    provisions: [{ instrument: ite-2008, section: whole Act }]\n    note: No notice";
    let f = Fixture::new("basic");
    f.edit(
        "jurisdictions/alpha.md",
        from,
        "    value: \"no\"\n    note: No notice",
    );
    let line = line_of(&f, "jurisdictions/alpha.md", "  user_notice:");
    let warnings = warnings_after(from, "    value: \"no\"\n    note: No notice");
    let expected = format!(
        "alpha.md:{line}:3: warning: safeguards.user_notice.provisions: rated `no` with no provision"
    );
    assert!(
        warnings.iter().any(|w| w.contains(&expected)),
        "{expected}\n{warnings:#?}"
    );
    // An unresearched cell makes no claim and needs no provision.
    assert!(
        !warnings
            .iter()
            .any(|w| w.contains("independent_oversight.provisions"))
    );
}

#[test]
fn power_and_case_ids_are_checked() {
    expect_error(
        "  - id: kominfo-blocking",
        "  - id: Kominfo Blocking",
        "powers[0].id",
        "is not a valid id",
    );
    expect_error(
        "    aliases: [power-1]",
        "    aliases: [kominfo]",
        "powers[0].aliases[0]",
        "is not a published power anchor",
    );
    expect_error(
        "    aliases: [case-1]",
        "    aliases: [case-1, case-1]",
        "cases[0].aliases[1]",
        "anchor `case-1` is already used",
    );
}

#[test]
fn power_must_say_what_the_user_can_do() {
    expect_error(
        "    remedy: The platform may challenge the order in the administrative court.",
        "    remedy: \"  \"",
        "powers[0].remedy",
        "must not be empty",
    );
    expect_error(
        "    deadline: { hours: 4, text: Within four hours for urgent content. }",
        "    deadline: { hours: 0, text: Within four hours for urgent content. }",
        "powers[0].deadline.hours",
        "must be at least 1",
    );
}

#[test]
fn no_powers_needs_an_explicit_statement() {
    let f = Fixture::new("basic");
    f.edit("jurisdictions/beta.md", "no_general_power:\n  statement: There is no general national power; removal orders come only from the TCO Regulation.\n  sources: [tco-text]\n", "");
    let errors = errors(&f);
    let hit = errors
        .iter()
        .find(|d| d.field == "powers")
        .expect("powers error");
    assert!(hit.message.contains("no_general_power"));
    assert_eq!(hit.line, line_of(&f, "jurisdictions/beta.md", "powers: []"));
}

#[test]
fn instrument_needs_a_citation() {
    let f = Fixture::new("basic");
    f.edit(
        "jurisdictions/beta.md",
        "    citation: Regulation (EU) 2021/784\n",
        "    citation: \"\"\n",
    );
    assert!(
        errors(&f)
            .iter()
            .any(|d| d.field == "instruments" && d.message.contains("`citation`"))
    );
}

#[test]
fn alias_clashing_with_an_id_is_an_error() {
    expect_error(
        "aliases: [old-alpha]",
        "aliases: [beta]",
        "aliases[0]",
        "is the id of an existing entry",
    );
}

#[test]
fn ids_naming_the_sites_own_pages_are_refused() {
    // `/jurisdictions/page/2/` is the second page of the entries list.
    expect_error(
        "aliases: [old-alpha]",
        "aliases: [page]",
        "aliases[0]",
        "is reserved for the site's own pages",
    );
    let f = Fixture::new("basic");
    let text = std::fs::read_to_string(f.content().join("jurisdictions/beta.md")).unwrap();
    f.write(
        "jurisdictions/page.md",
        &text.replacen("id: beta", "id: page", 1),
    );
    let errors = errors(&f);
    assert!(
        has_error(
            &errors,
            "page.md",
            "id",
            "is reserved for the site's own pages"
        ),
        "{errors:#?}"
    );
}

#[test]
fn duplicate_alias_across_entries_is_an_error() {
    let f = Fixture::new("basic");
    f.edit(
        "jurisdictions/beta.md",
        "entry_status: draft",
        "entry_status: draft\naliases: [old-alpha]",
    );
    assert!(
        errors(&f)
            .iter()
            .any(|d| d.message.contains("is already an alias of"))
    );
}

#[test]
fn every_problem_is_reported_in_one_run() {
    let f = Fixture::new("basic");
    f.edit(
        "jurisdictions/alpha.md",
        "region: southeast-asia",
        "region: atlantis",
    );
    f.edit(
        "jurisdictions/alpha.md",
        "    sources: [ruling]\nsafeguards:",
        "    sources: [nope]\nsafeguards:",
    );
    f.edit(
        "jurisdictions/beta.md",
        "groupings: [eu]",
        "groupings: [eu, nato]",
    );
    assert!(errors(&f).len() >= 3);
}

#[test]
fn warnings_do_not_fail_stale_and_unsure_claims() {
    let f = Fixture::new("basic");
    f.edit(
        "jurisdictions/alpha.md",
        "last_reviewed: 2026-11-01",
        "last_reviewed: 2020-01-01",
    );
    f.edit(
        "jurisdictions/alpha.md",
        "on necessity.\n    confidence: believed",
        "on necessity.\n    confidence: unsure",
    );
    let (loaded, _) = jurisdex::site::check(&f.content());
    assert!(!loaded.report.has_errors());
    let warnings: Vec<String> = loaded
        .report
        .diagnostics
        .iter()
        .map(ToString::to_string)
        .collect();
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("warning: last_reviewed: not reviewed for more than 12 months")),
        "{warnings:#?}"
    );
    assert!(warnings.iter().any(|w| {
        w.contains("safeguards.necessity_proportionality.confidence") && w.contains("unsure")
    }));
    // An unresearched (`unknown`) rating makes no claim, so its confidence raises no warning.
    assert!(
        !warnings
            .iter()
            .any(|w| w.contains("safeguards.independent_oversight"))
    );
}

#[test]
fn file_level_problems_are_reported_not_panicked() {
    let f = Fixture::new("basic");
    f.write("jurisdictions/empty.md", "");
    f.write("jurisdictions/unclosed.md", "---\nid: unclosed\nname: X\n");
    f.write("jurisdictions/latin1.md", "---\nid: latin1\n");
    std::fs::write(
        f.content().join("jurisdictions/latin1.md"),
        b"---\nid: latin1\nname: Caf\xe9\n---\n",
    )
    .unwrap();
    let errors = errors(&f);
    let text: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert!(
        text.iter()
            .any(|t| t.contains("empty.md:1:1: front matter: is empty")),
        "{text:#?}"
    );
    assert!(
        text.iter()
            .any(|t| t.contains("unclosed.md:1:1: front matter: has no closing `---`")),
        "{text:#?}"
    );
    assert!(
        text.iter()
            .any(|t| t.contains("latin1.md:3:") && t.contains("not valid UTF-8")),
        "{text:#?}"
    );
}

#[cfg(unix)]
#[test]
fn symlink_out_of_content_is_refused() {
    let f = Fixture::new("basic");
    let outside = f.dir.path().join("outside.md");
    std::fs::write(&outside, "---\nid: outside\n---\n").unwrap();
    std::os::unix::fs::symlink(&outside, f.content().join("jurisdictions/outside.md")).unwrap();
    let errors = errors(&f);
    assert!(
        errors
            .iter()
            .any(|d| d.message.contains("outside the content directory")),
        "{errors:#?}"
    );
}

#[test]
fn a_grouping_listed_twice_names_the_real_file_and_line() {
    let f = Fixture::new("basic");
    f.edit(
        "groupings.yaml",
        "  - id: eu\n    name: European Union\n",
        "  - id: eu\n    name: European Union\n  - id: asean\n    name: ASEAN again\n",
    );
    let line = last_line_of(&f, "groupings.yaml", "  - id: asean");
    let errors = errors(&f);
    let hit = errors
        .iter()
        .find(|d| d.field == "groupings[2].id")
        .unwrap_or_else(|| panic!("{errors:#?}"));
    assert_eq!(hit.path, f.content().join("groupings.yaml"));
    assert_eq!(hit.line, line, "{hit}");
    assert!(
        hit.message.contains("`asean` is not a valid, unique id"),
        "{hit}"
    );
}

#[test]
fn an_entry_listing_a_grouping_twice_is_an_error_at_the_second() {
    let f = Fixture::new("basic");
    f.edit(
        "jurisdictions/alpha.md",
        "groupings: [asean]",
        "groupings: [asean, asean]",
    );
    let errors = errors(&f);
    let hit = errors
        .iter()
        .find(|d| d.field == "groupings[1]")
        .unwrap_or_else(|| panic!("{errors:#?}"));
    assert_eq!(hit.path, f.content().join("jurisdictions/alpha.md"));
    assert_eq!(hit.line, 6, "{hit}");
    assert!(hit.message.contains("listed twice"), "{hit}");
}

#[test]
fn messages_name_the_content_directory_in_use() {
    let f = Fixture::new("basic");
    f.edit(
        "jurisdictions/alpha.md",
        "region: southeast-asia",
        "region: atlantis",
    );
    let errors = errors(&f);
    let hit = errors
        .iter()
        .find(|d| d.field == "region")
        .expect("region error");
    assert!(!hit.message.contains("content/"), "{hit}");
    let (loaded, _) = jurisdex::site::check(&f.content());
    let topics = loaded
        .report
        .diagnostics
        .iter()
        .find(|d| d.field == "topics")
        .expect("missing topic pages are named");
    assert_eq!(topics.path, f.content().join("topics"));
}

#[test]
fn a_page_named_after_a_site_section_is_an_error() {
    for section in [
        "topics",
        "compare",
        "collections",
        "search",
        "jurisdictions",
        "assets",
    ] {
        let f = Fixture::new("basic");
        let about = std::fs::read_to_string(f.content().join("pages/about.md")).unwrap();
        f.write(
            &format!("pages/{section}.md"),
            &about.replacen("id: about", &format!("id: {section}"), 1),
        );
        let errors = errors(&f);
        assert!(
            errors
                .iter()
                .any(|d| d.path.ends_with(format!("{section}.md"))
                    && d.field == "id"
                    && d.message
                        .contains(&format!("would be written to `/{section}/`"))),
            "{section}: {errors:#?}"
        );
    }
}

#[test]
fn a_symlinked_folder_leading_out_of_content_is_refused() {
    let f = Fixture::new("basic");
    let outside = f.dir.path().join("elsewhere");
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::copy(f.content().join("pages/about.md"), outside.join("about.md")).unwrap();
    std::fs::remove_dir_all(f.content().join("pages")).unwrap();
    std::os::unix::fs::symlink(&outside, f.content().join("pages")).unwrap();
    let errors = errors(&f);
    assert!(
        errors.iter().any(|d| d.path.ends_with("pages/about.md")
            && d.message.contains("outside the content directory")),
        "{errors:#?}"
    );
}

#[test]
fn a_pipe_among_the_entries_is_an_error_not_a_hang() {
    let f = Fixture::new("basic");
    let pipe = f.content().join("jurisdictions/gamma.md");
    let made = std::process::Command::new("mkfifo").arg(&pipe).status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("skipped: mkfifo is absent, so a pipe cannot be made");
        return;
    }
    let errors = errors(&f);
    assert!(
        errors
            .iter()
            .any(|d| d.path.ends_with("gamma.md") && d.message.contains("not a regular file")),
        "{errors:#?}"
    );
}

#[test]
fn control_characters_are_refused_where_they_are() {
    // Written raw in the file: the exact line and column.
    let f = Fixture::new("basic");
    f.edit("jurisdictions/alpha.md", "name: ", "name: Al\u{b}pha ");
    let line = line_of(&f, "jurisdictions/alpha.md", "name: ");
    let raw = errors(&f);
    let hit = raw
        .iter()
        .find(|d| d.field == "text")
        .unwrap_or_else(|| panic!("{raw:#?}"));
    assert_eq!((hit.line, hit.column), (line, 9), "{hit}");
    assert!(hit.message.contains("U+000B"), "{hit}");
    // Written as a YAML escape: the field that holds it.
    expect_error(
        "legal_system: civil law",
        "legal_system: \"civil\\u0000law\"",
        "legal_system",
        "U+0000",
    );
    // Written into a text field of a collection.
    let f = Fixture::new("basic");
    f.edit(
        "collections/demo.yaml",
        "facilitator: A. Trainer",
        "facilitator: \"A.\\bTrainer\"",
    );
    let errors = errors(&f);
    assert!(
        errors
            .iter()
            .any(|d| d.field == "facilitator" && d.message.contains("U+0008")),
        "{errors:#?}"
    );
}

#[test]
fn stray_content_files_are_named() {
    let f = Fixture::new("basic");
    let beta = std::fs::read_to_string(f.content().join("jurisdictions/beta.md")).unwrap();
    f.write("jurisdictions/gamma.MD", &beta);
    f.write("collections/extra.yml", "id: extra\n");
    let (loaded, _) = jurisdex::site::check(&f.content());
    let warnings: Vec<String> = loaded
        .report
        .diagnostics
        .iter()
        .map(ToString::to_string)
        .collect();
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("gamma.MD") && w.contains("rename it `gamma.md`")),
        "{warnings:#?}"
    );
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("extra.yml") && w.contains("rename it `extra.yaml`")),
        "{warnings:#?}"
    );
}

#[test]
fn a_bidirectional_control_in_an_address_is_an_error() {
    expect_error(
        "    url: https://example.org/ruling",
        "    url: https://example.org/\u{2066}gnilur",
        "sources[1].url",
        "bidirectional control character",
    );
}

#[test]
fn yaml_tags_are_refused_at_their_field() {
    for (tagged, tag) in [
        ("legal_system: !!binary Y2l2aWwgbGF3", "!!binary"),
        (
            "legal_system: !!python/object:os.system civil law",
            "!!python/object:os.system",
        ),
        ("legal_system: !custom civil law", "!custom"),
    ] {
        expect_error(
            "legal_system: civil law",
            tagged,
            "legal_system",
            &format!("has the YAML tag `{tag}`"),
        );
    }
    // A `!` inside quoted or block text is text, not a tag.
    let f = Fixture::new("basic");
    f.edit(
        "jurisdictions/alpha.md",
        "legal_system: civil law",
        "legal_system: \"civil: !law\"",
    );
    f.edit(
        "jurisdictions/alpha.md",
        "summary: ",
        "summary: >-\n  - !important, not a tag.\n  ",
    );
    assert_eq!(errors(&f), Vec::new());
}

#[test]
fn two_entries_with_one_iso_code_or_one_visible_name_are_errors() {
    let f = Fixture::new("basic");
    f.edit(
        "jurisdictions/alpha.md",
        "name: Alpha <script>alert(\"name\")</script>",
        "name: Alpha",
    );
    f.edit("jurisdictions/beta.md", "iso: BE", "iso: AL");
    f.edit(
        "jurisdictions/beta.md",
        "name: Beta",
        "name: \"AL\\u200bPHA\"",
    );
    let errors = errors(&f);
    assert!(
        has_error(&errors, "beta.md", "iso", "is also used by"),
        "{errors:#?}"
    );
    assert!(
        has_error(&errors, "beta.md", "name", "reads the same as the name of"),
        "{errors:#?}"
    );
}

#[test]
fn iso_codes_and_language_tags_are_checked() {
    expect_error(
        "    original_lang: th",
        "    original_lang: Thai",
        "instruments[1].original_lang",
        "is not a language tag",
    );
    let f = Fixture::new("basic");
    f.edit("jurisdictions/beta.md", "iso: BE", "iso: GB-SCT");
    assert_eq!(errors(&f), Vec::new(), "a subdivision code is accepted");
    expect_error("iso: AL", "iso: XYZ", "iso", "is not an ISO 3166 code");
}

#[test]
fn a_bidirectional_override_in_content_is_an_error() {
    let f = Fixture::new("basic");
    f.edit("jurisdictions/beta.md", "name: Beta", "name: Be\u{202e}ta");
    let raw = errors(&f);
    assert!(
        raw.iter().any(|d| d.path.ends_with("beta.md")
            && d.field == "text"
            && d.line == 3
            && d.message.contains("bidirectional override U+202E")),
        "{raw:#?}"
    );
    expect_error(
        "legal_system: civil law",
        "legal_system: \"civil \\u202Elaw\"",
        "legal_system",
        "bidirectional override U+202E",
    );
}

#[test]
fn a_practice_figure_without_a_source_is_an_error() {
    expect_error(
        "note: \"Blocking orders in the ministry's annual report.\", confidence: confirmed, sources: [law-text] }",
        "note: \"Blocking orders in the ministry's annual report.\", confidence: confirmed, sources: [] }",
        "powers[0].practice[1].sources",
        "a figure needs its source",
    );
}

#[test]
fn a_practice_period_must_have_begun_and_end_after_it_starts() {
    expect_error(
        "period: 2022-06-07, until: 2024-02-14",
        "period: 2022-06-07, until: 2021-02-14",
        "powers[0].practice[0].until",
        "is not after the start of the period",
    );
    expect_error(
        "count: 482, period: 2024,",
        "count: 482, period: 2098,",
        "powers[0].practice[1].period",
        "has not begun",
    );
}

#[test]
fn a_practice_count_is_a_whole_number() {
    expect_error(
        "count: 482, period: 2024,",
        "count: many, period: 2024,",
        "powers[0].practice[1].count",
        "invalid type: string \"many\", expected u64",
    );
}

#[test]
fn review_dates_are_checked() {
    expect_error(
        "        done: 2024-09-02",
        "        done: 2098-09-02",
        "instruments[0].reviews[1].done",
        "is after today",
    );
    expect_error(
        "        provision: Art. 45C",
        "        provision: \"\"",
        "instruments[0].reviews[2].provision",
        "must not be empty",
    );
    expect_error(
        "        requires: Art. 40(2b) lapses unless Parliament renews it.",
        "        requires: Art. 40(2b) lapses unless Parliament renews it.\n        outcome: Renewed.",
        "instruments[0].reviews[2].outcome",
        "needs the date it came",
    );
    expect_error(
        "      - kind: sunset",
        "      - kind: lapse",
        "instruments[0].reviews[2].kind",
        "unknown variant `lapse`",
    );
}

#[test]
fn only_a_bill_has_a_stage() {
    expect_error_at(
        "    status: proposed",
        "    status: enacted",
        "    stage: { stage: Referred",
        "instruments[2].stage",
        "only a bill has a stage",
    );
}

#[test]
fn a_framework_item_must_map_onto_a_safeguard_and_cite_a_source() {
    let f = Fixture::new("basic");
    f.edit(
        "frameworks/demo-standard.yaml",
        "    safeguards: [user_notice]",
        "    safeguards: []",
    );
    f.edit(
        "frameworks/demo-standard.yaml",
        "    safeguards: [judicial_authorisation, appeal_redress]\n    sources: [demo-text]",
        "    safeguards: [judicial_authorisation, appeal_redress]\n    sources: [nowhere]",
    );
    let found = errors(&f);
    assert!(
        has_error(
            &found,
            "demo-standard.yaml",
            "items[1].safeguards",
            "at least one safeguard"
        ),
        "{found:#?}"
    );
    assert!(
        has_error(
            &found,
            "demo-standard.yaml",
            "items[0].sources[0]",
            "unknown source `nowhere`"
        ),
        "{found:#?}"
    );
    let f = Fixture::new("basic");
    f.edit(
        "frameworks/demo-standard.yaml",
        "[user_notice]",
        "[user_notise]",
    );
    assert!(has_error(
        &errors(&f),
        "demo-standard.yaml",
        "items[1].safeguards[0]",
        "unknown variant"
    ));
}
