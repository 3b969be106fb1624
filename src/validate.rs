//! Checks that parsing alone cannot: ids, cross-references, completeness and editorial warnings.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use crate::diagnostics::{Diagnostic, Report};
use crate::load::{Loaded, Origin};
use crate::markdown::{MAX_HEADINGS, Rendered};
use crate::model::{
    Confidence, Date, Framework, InstrumentStatus, Jurisdiction, Reference, SafeguardKey, Source,
    Taxonomy, Value,
};
use crate::routes::SITE_SECTIONS;

/// Entries not reviewed for this many days get a warning.
pub const STALE_AFTER_DAYS: i64 = 365;

/// True for a lower-case slug: `a-z`, `0-9` and single hyphens, starting with a letter.
pub fn is_slug(text: &str) -> bool {
    let bytes = text.as_bytes();
    !bytes.is_empty()
        && bytes[0].is_ascii_lowercase()
        && bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-')
        && !text.ends_with('-')
        && !text.contains("--")
}

/// Why `text` is not a well-formed absolute `http` or `https` address with a valid host, if it is
/// not: the scheme, whitespace and control characters, then the host itself (labels of letters,
/// digits and hyphens, at least two of them, no trailing dot), or an IP address.
pub fn web_url_problem(text: &str) -> Option<&'static str> {
    if text.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Some("contains whitespace or a control character");
    }
    if text.chars().any(is_bidi_control) {
        return Some(
            "contains a bidirectional control character, which can make it read as another address",
        );
    }
    let before_query = text.split(['?', '#']).next().unwrap_or(text);
    if before_query.contains('\\') {
        // Browsers read it as `/`, but written into a page it is percent-encoded (`%5C`), as
        // RFC 3986 requires, and names another address.
        return Some("has a backslash before its query: write `/`");
    }
    let Ok(url) = url::Url::parse(text) else {
        return Some("is not a well-formed address");
    };
    if !matches!(url.scheme(), "http" | "https") || !text.contains("://") {
        return Some("is not an http(s) address");
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Some("carries a user name or password");
    }
    match url.host() {
        None => Some("has no host"),
        Some(url::Host::Ipv4(_) | url::Host::Ipv6(_)) => None,
        Some(url::Host::Domain(host)) => domain_problem(host),
    }
}

/// Why a (punycode, lower-case) domain name is not a valid public host name, if it is not.
fn domain_problem(host: &str) -> Option<&'static str> {
    if host.ends_with('.') {
        return Some("has a trailing dot after the host: write the publisher's normal address");
    }
    let labels: Vec<&str> = host.split('.').collect();
    if labels.len() < 2 {
        return Some("has a host without a domain (`example.org`)");
    }
    let label_ok = |l: &&str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    };
    if !labels.iter().all(label_ok) {
        return Some("has a host name that is not valid");
    }
    let top = labels[labels.len() - 1];
    let top_ok = top.starts_with("xn--") || top.bytes().all(|b| b.is_ascii_alphabetic());
    if !top_ok || top.len() < 2 {
        return Some("has a host whose top-level domain is not valid");
    }
    None
}

/// True for an ISO 3166-1 alpha-2 code (`PK`), `EU`, or an ISO 3166-2 subdivision code (`GB-SCT`,
/// `CA-QC`), for jurisdictions within a country.
pub fn is_iso_code(code: &str) -> bool {
    let (country, subdivision) = code.split_once('-').unwrap_or((code, ""));
    let country_ok = country.len() == 2 && country.bytes().all(|b| b.is_ascii_uppercase());
    let subdivision_ok = code.len() == 2
        || (!subdivision.is_empty()
            && subdivision.len() <= 3
            && subdivision
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()));
    country_ok && subdivision_ok
}

/// True for a BCP 47 language tag as content uses them: a two- or three-letter lower-case
/// language, then optional subtags of two to eight letters or digits (`th`, `pt-BR`,
/// `sr-Latn`, `zh-Hant-TW`).
pub fn is_language_tag(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let language_ok = parts
        .next()
        .is_some_and(|l| (2..=3).contains(&l.len()) && l.bytes().all(|b| b.is_ascii_lowercase()));
    language_ok
        && parts.all(|p| (2..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// Characters that reorder the text around them (marks, embeddings, overrides, isolates).
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200e}' | '\u{200f}' | '\u{61c}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// True for a well-formed absolute `http` or `https` URL with a valid host.
pub fn is_web_url(text: &str) -> bool {
    web_url_problem(text).is_none()
}

/// Runs every check over what was loaded (everything in memory) and adds the problems to its
/// report. A streaming build runs the same checks: [`check_shared`], [`check_entry`] per entry,
/// then [`check_identities`] and [`check_collections`].
pub fn validate(loaded: &mut Loaded, today: Date) {
    let mut report = std::mem::take(&mut loaded.report);
    check_shared(loaded, &mut report);
    for (j, origin) in &loaded.jurisdictions {
        check_entry(j, origin, loaded.taxonomy.as_ref(), today, &mut report);
    }
    let identities: Vec<Identity> = loaded
        .jurisdictions
        .iter()
        .map(|(j, origin)| Identity::new(j, origin))
        .collect();
    check_identities(&identities, &mut report);
    if !loaded.collections.is_empty() {
        let referenced = crate::catalog::collection::referenced_ids(
            &loaded
                .collections
                .iter()
                .map(|(c, _)| c.clone())
                .collect::<Vec<_>>(),
        );
        let mut catalog = crate::catalog::Catalog {
            taxonomy: loaded.taxonomy.clone().unwrap_or(Taxonomy {
                regions: Vec::new(),
                groupings: Vec::new(),
            }),
            entries: loaded
                .jurisdictions
                .iter()
                .map(|(j, _)| {
                    std::sync::Arc::new(crate::catalog::Summary::new(j, referenced.contains(&j.id)))
                })
                .collect(),
            topics: Vec::new(),
            pages: loaded.pages.iter().map(|(p, _)| p.clone()).collect(),
            collections: Vec::new(),
            frameworks: Vec::new(),
        };
        catalog.sort();
        check_collections(&catalog, &loaded.collections, &mut report);
    }
    report.sort();
    loaded.report = report;
}

/// Checks the taxonomy, topics and pages.
pub fn check_shared(loaded: &Loaded, report: &mut Report) {
    if let Some(taxonomy) = &loaded.taxonomy {
        check_taxonomy(taxonomy, loaded.taxonomy_origin.as_ref(), report);
    }
    for (topic, origin) in &loaded.topics {
        let stem = origin
            .path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default();
        if topic.key.key() != stem {
            report.push(at(origin, "key").error(format!(
                "`{}` must match the file name `{stem}`: rename one of them",
                topic.key.key()
            )));
        }
    }
    let present: HashSet<SafeguardKey> = loaded.topics.iter().map(|(t, _)| t.key).collect();
    for key in SafeguardKey::ALL.iter().filter(|k| !present.contains(k)) {
        report.push(Diagnostic::warning(
            &loaded.topics_dir,
            (1, 1),
            "topics",
            format!(
                "no topic page `{}.md`; its page will show only the comparison",
                key.key()
            ),
        ));
    }
    for (topic, origin) in &loaded.topics {
        check_headings(&topic.body, origin, report);
    }
    for (framework, origin) in &loaded.frameworks {
        check_framework(framework, origin, report);
    }
    for (page, origin) in &loaded.pages {
        check_headings(&page.body, origin, report);
        check_file_stem(&page.id, "id", origin, report);
        if SITE_SECTIONS.contains(&page.id.as_str()) {
            report.push(at(origin, "id").error(format!(
                "`{}` would be written to `/{}/`, where the site's own `{}` section is: choose another id",
                page.id, page.id, page.id
            )));
        }
    }
}

/// Ids that name the site's own addresses (`/page/2/`, `/jurisdictions/page/2/`), so no entry,
/// alias or page may take them.
pub const RESERVED_IDS: [&str; 1] = ["page"];

/// What must be unique across entries, with where it is written.
#[derive(Debug, Clone)]
pub struct Identity {
    pub id: String,
    pub aliases: Vec<String>,
    pub path: std::path::PathBuf,
    /// The ISO code, which `/compare/?j=` accepts in place of the id.
    pub iso: String,
    /// The name as a reader sees it: invisible characters dropped, case and spacing folded.
    pub visible_name: String,
    id_at: (usize, usize),
    iso_at: (usize, usize),
    name_at: (usize, usize),
    aliases_at: Vec<(usize, usize)>,
}

/// A name as a reader sees it: format characters (zero-width spaces and joiners, bidirectional
/// controls, soft hyphens) dropped, whitespace runs made one space, lower-cased.
pub fn visible_name(name: &str) -> String {
    let shown: String = name
        .chars()
        .filter(|&c| !is_invisible(c))
        .collect::<String>()
        .to_lowercase();
    shown.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Characters that take no room on the page: format characters and the like.
fn is_invisible(c: char) -> bool {
    is_bidi_control(c)
        || matches!(c, '\u{ad}' | '\u{34f}' | '\u{180e}' | '\u{200b}'..='\u{200d}' | '\u{2060}'..='\u{2064}' | '\u{feff}')
}

impl Identity {
    /// The identity of a loaded entry.
    pub fn new(j: &Jurisdiction, origin: &Origin) -> Identity {
        Identity {
            id: j.id.clone(),
            aliases: j.aliases.clone(),
            path: origin.path.clone(),
            iso: j.iso.clone(),
            visible_name: visible_name(&j.name),
            id_at: origin.locator.locate("id"),
            iso_at: origin.locator.locate("iso"),
            name_at: origin.locator.locate("name"),
            aliases_at: (0..j.aliases.len())
                .map(|n| origin.locator.locate(&format!("aliases[{n}]")))
                .collect(),
        }
    }
}

/// Checks that ids are unique and that aliases name no entry and no other entry's alias.
pub fn check_identities(entries: &[Identity], report: &mut Report) {
    let mut ids: HashMap<&str, &Path> = HashMap::new();
    for e in entries {
        if let Some(first) = ids.insert(&e.id, &e.path) {
            report.push(Diagnostic::error(
                &e.path,
                e.id_at,
                "id",
                format!("duplicate id `{}`, also used by {}", e.id, first.display()),
            ));
        }
    }
    let mut isos: HashMap<&str, &Path> = HashMap::new();
    let mut names: HashMap<&str, &Path> = HashMap::new();
    for e in entries {
        if let Some(first) = isos.insert(&e.iso, &e.path) {
            report.push(Diagnostic::error(
                &e.path,
                e.iso_at,
                "iso",
                format!(
                    "ISO code `{}` is also used by {}: a comparison by code could not tell them apart",
                    e.iso,
                    first.display()
                ),
            ));
        }
        if let Some(first) = names.insert(&e.visible_name, &e.path) {
            report.push(Diagnostic::error(
                &e.path,
                e.name_at,
                "name",
                format!(
                    "reads the same as the name of {} (they differ only in case, spacing or invisible characters)",
                    first.display()
                ),
            ));
        }
    }
    let mut alias_owner: HashMap<&str, &str> = HashMap::new();
    for e in entries {
        for (n, (alias, position)) in e.aliases.iter().zip(&e.aliases_at).enumerate() {
            let field = format!("aliases[{n}]");
            if ids.contains_key(alias.as_str()) {
                report.push(Diagnostic::error(
                    &e.path,
                    *position,
                    &field,
                    format!("alias `{alias}` is the id of an existing entry"),
                ));
            } else if let Some(owner) = alias_owner.insert(alias, &e.id)
                && owner != e.id
            {
                report.push(Diagnostic::error(
                    &e.path,
                    *position,
                    &field,
                    format!("alias `{alias}` is already an alias of `{owner}`"),
                ));
            }
        }
    }
}

/// Checks that every collection item points at an address the site has.
pub fn check_collections(
    catalog: &crate::catalog::Catalog,
    collections: &[(crate::model::Collection, Origin)],
    report: &mut Report,
) {
    for (collection, origin) in collections {
        check_file_stem(&collection.id, "id", origin, report);
        if collection.items.is_empty() {
            report.push(at(origin, "items").error("needs at least one item".to_string()));
        }
        for (n, item) in collection.items.iter().enumerate() {
            if let Err(message) = crate::catalog::collection::resolve(catalog, &item.target) {
                report.push(at(origin, &format!("items[{n}].ref")).error(message.0));
            }
        }
    }
}

/// A position in a file, ready to become a diagnostic.
struct Place<'a> {
    path: &'a Path,
    position: (usize, usize),
    field: String,
}

impl Place<'_> {
    fn error(&self, message: String) -> Diagnostic {
        Diagnostic::error(self.path, self.position, &self.field, message)
    }
    fn warning(&self, message: String) -> Diagnostic {
        Diagnostic::warning(self.path, self.position, &self.field, message)
    }
}

fn at<'a>(origin: &'a Origin, field: &str) -> Place<'a> {
    Place {
        path: &origin.path,
        position: origin.locator.locate(field),
        field: field.to_string(),
    }
}

fn check_file_stem(id: &str, field: &str, origin: &Origin, report: &mut Report) {
    let stem = origin
        .path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default();
    if !is_slug(id) {
        report.push(at(origin, field).error(format!(
            "`{id}` is not a valid id: use lower-case letters, digits and hyphens, starting with a letter"
        )));
    } else if id != stem {
        report.push(at(origin, field).error(format!(
            "`{id}` must match the file name `{stem}`: rename one of them"
        )));
    }
}

fn check_taxonomy(taxonomy: &Taxonomy, origin: Option<&Origin>, report: &mut Report) {
    let mut seen = HashSet::new();
    let lists = [
        ("regions", &taxonomy.regions),
        ("groupings", &taxonomy.groupings),
    ];
    for (list, groups) in lists {
        for (n, group) in groups.iter().enumerate() {
            if is_slug(&group.id) && seen.insert(group.id.as_str()) {
                continue;
            }
            let field = format!("{list}[{n}].id");
            let message = format!("`{}` is not a valid, unique id", group.id);
            report.push(match origin {
                Some(origin) => at(origin, &field).error(message),
                None => Diagnostic::error(Path::new("groupings.yaml"), (1, 1), &field, message),
            });
        }
    }
}

/// A body with more headings than [`MAX_HEADINGS`] is an error.
fn check_headings(body: &Rendered, origin: &Origin, report: &mut Report) {
    if body.too_many_headings {
        report.push(Diagnostic::error(
            &origin.path,
            (1, 1),
            "body",
            format!(
                "has more than {MAX_HEADINGS} headings, the limit: merge sections or split the text"
            ),
        ));
    }
}

/// Checks one entry on its own (against the taxonomy): everything but uniqueness across entries.
pub fn check_entry(
    j: &Jurisdiction,
    origin: &Origin,
    taxonomy: Option<&Taxonomy>,
    today: Date,
    report: &mut Report,
) {
    check_file_stem(&j.id, "id", origin, report);
    check_headings(&j.body, origin, report);
    if RESERVED_IDS.contains(&j.id.as_str()) {
        report.push(at(origin, "id").error(format!(
            "`{}` is reserved for the site's own pages (`/jurisdictions/page/2/`): choose another id",
            j.id
        )));
    }
    if !is_iso_code(&j.iso) {
        report.push(at(origin, "iso").error(format!(
            "`{}` is not an ISO 3166 code: two capital letters (`PK`), `EU`, or a subdivision code for a jurisdiction within a country (`GB-SCT`)",
            j.iso
        )));
    }
    for (field, text) in [
        ("name", &j.name),
        ("summary", &j.summary),
        ("legal_system", &j.legal_system),
        ("reviewed_by", &j.reviewed_by),
    ] {
        if text.trim().is_empty() {
            report.push(at(origin, field).error("must not be empty".to_string()));
        }
    }
    if let Some(taxonomy) = taxonomy {
        if !taxonomy.regions.iter().any(|r| r.id == j.region) {
            report.push(at(origin, "region").error(format!(
                "unknown region `{}`; define it in the content directory's groupings.yaml",
                j.region
            )));
        }
        let mut listed = std::collections::HashSet::new();
        for (n, g) in j.groupings.iter().enumerate() {
            if !taxonomy.groupings.iter().any(|t| &t.id == g) {
                report.push(at(origin, &format!("groupings[{n}]")).error(format!(
                    "unknown grouping `{g}`; define it in the content directory's groupings.yaml"
                )));
            } else if !listed.insert(g) {
                report.push(
                    at(origin, &format!("groupings[{n}]"))
                        .error(format!("grouping `{g}` is listed twice")),
                );
            }
        }
    }
    for (n, alias) in j.aliases.iter().enumerate() {
        if RESERVED_IDS.contains(&alias.as_str()) {
            report.push(
                at(origin, &format!("aliases[{n}]"))
                    .error(format!("`{alias}` is reserved for the site's own pages")),
            );
        }
        if !is_slug(alias) {
            report.push(
                at(origin, &format!("aliases[{n}]")).error(format!("`{alias}` is not a valid id")),
            );
        }
    }
    if j.changelog.is_empty() {
        report.push(
            at(origin, "changelog")
                .error("needs at least one line: `- {date: YYYY-MM-DD, change: ...}`".to_string()),
        );
    }
    if !j.last_reviewed.is_full() {
        report
            .push(at(origin, "last_reviewed").error("must be a full date, YYYY-MM-DD".to_string()));
    } else if today.days_since_epoch() - j.last_reviewed.days_since_epoch() > STALE_AFTER_DAYS {
        report.push(at(origin, "last_reviewed").warning(format!(
            "not reviewed for more than 12 months (last {})",
            j.last_reviewed
        )));
    }

    let sources: HashSet<&str> = j.sources.iter().map(|s| s.id.as_str()).collect();
    let mut cited: HashSet<String> = HashSet::new();
    let mut cite = |field: String, ids: &[String], required: bool, report: &mut Report| {
        if required && ids.is_empty() {
            report.push(
                at(origin, &field)
                    .error("must cite at least one source id from `sources`".to_string()),
            );
        }
        for (n, id) in ids.iter().enumerate() {
            if sources.contains(id.as_str()) {
                cited.insert(id.clone());
            } else {
                report.push(at(origin, &format!("{field}[{n}]")).error(format!(
                    "unknown source `{id}`; add it to `sources` or fix the id"
                )));
            }
        }
    };

    let mut instrument_ids = HashSet::new();
    if j.instruments.is_empty() {
        report.push(at(origin, "instruments").error("needs at least one instrument".to_string()));
    } else if j.instruments.iter().all(|i| i.citation.trim().is_empty()) {
        report.push(
            at(origin, "instruments")
                .error("at least one instrument needs a `citation`".to_string()),
        );
    }
    for (n, instrument) in j.instruments.iter().enumerate() {
        let base = format!("instruments[{n}]");
        if !is_slug(&instrument.id) {
            report.push(
                at(origin, &format!("{base}.id"))
                    .error(format!("`{}` is not a valid id", instrument.id)),
            );
        } else if !instrument_ids.insert(instrument.id.as_str()) {
            report.push(
                at(origin, &format!("{base}.id"))
                    .error(format!("duplicate instrument id `{}`", instrument.id)),
            );
        }
        if instrument.title.trim().is_empty() {
            report
                .push(at(origin, &format!("{base}.title")).error("must not be empty".to_string()));
        }
        if let Some(lang) = &instrument.original_lang
            && !is_language_tag(lang)
        {
            report.push(at(origin, &format!("{base}.original_lang")).error(format!(
                "`{lang}` is not a language tag: write the BCP 47 code of the title's language (`th`, `ur`, `pt-BR`)"
            )));
        }
        if instrument.original_title.is_some() != instrument.original_lang.is_some() {
            report.push(
                at(origin, &base).error(
                    "`original_title` and `original_lang` go together: give both or neither"
                        .to_string(),
                ),
            );
        }
        if let Some(url) = &instrument.url
            && let Some(problem) = web_url_problem(url)
        {
            report.push(at(origin, &format!("{base}.url")).error(format!("`{url}` {problem}")));
        }
        check_confidence(instrument.confidence, origin, &base, report);
        cite(format!("{base}.sources"), &instrument.sources, true, report);
        for (m, review) in instrument.reviews.iter().enumerate() {
            let field = format!("{base}.reviews[{m}]");
            for (key, text) in [
                ("provision", &review.provision),
                ("requires", &review.requires),
            ] {
                if text.trim().is_empty() {
                    report.push(
                        at(origin, &format!("{field}.{key}"))
                            .error("must not be empty".to_string()),
                    );
                }
            }
            if let Some(done) = review.done
                && done.days_since_epoch() > today.days_since_epoch()
            {
                report.push(at(origin, &format!("{field}.done")).error(format!(
                    "{done} is after today: `done` is the date it was carried out"
                )));
            }
            if review.outcome.is_some() && review.done.is_none() {
                report.push(
                    at(origin, &format!("{field}.outcome"))
                        .error("an outcome needs the date it came, in `done`".to_string()),
                );
            }
            check_confidence(review.confidence, origin, &field, report);
            cite(format!("{field}.sources"), &review.sources, true, report);
        }
        if let Some(stage) = &instrument.stage {
            let field = format!("{base}.stage");
            if instrument.status != InstrumentStatus::Proposed {
                report.push(at(origin, &field).error(format!(
                    "only a bill has a stage: the status is `{}`, not `proposed`",
                    instrument.status.key()
                )));
            }
            if stage.stage.trim().is_empty() {
                report.push(
                    at(origin, &format!("{field}.stage")).error("must not be empty".to_string()),
                );
            }
            cite(format!("{field}.sources"), &stage.sources, true, report);
        }
        let primary = instrument
            .sources
            .iter()
            .any(|id| j.sources.iter().any(|s| &s.id == id && s.kind.is_primary()));
        if !primary && !instrument.sources.is_empty() {
            report.push(at(origin, &format!("{base}.sources")).warning(format!(
                "instrument `{}` cites no primary source: cite its official text \
                 (a source of kind `legislation`, `court` or `official`)",
                instrument.id
            )));
        }
    }

    let check_reference = |field: String, reference: &Reference, report: &mut Report| {
        if !instrument_ids.contains(reference.instrument.as_str()) {
            report.push(at(origin, &format!("{field}.instrument")).error(format!(
                "unknown instrument `{}`; use an id from `instruments`",
                reference.instrument
            )));
        }
    };

    match (&j.no_general_power, j.powers.is_empty()) {
        (None, true) => report.push(
            at(origin, "powers").error(
                "needs at least one power, or an explicit sourced `no_general_power` statement"
                    .to_string(),
            ),
        ),
        (Some(none), _) => {
            if none.statement.trim().is_empty() {
                report.push(
                    at(origin, "no_general_power.statement").error("must not be empty".to_string()),
                );
            }
            cite(
                "no_general_power.sources".to_string(),
                &none.sources,
                true,
                report,
            );
        }
        _ => {}
    }
    let mut anchors = AnchorSet::default();
    for (n, power) in j.powers.iter().enumerate() {
        let base = format!("powers[{n}]");
        anchors.claim(
            &power.id,
            &power.anchor(),
            &power.aliases,
            "power",
            origin,
            &base,
            report,
        );
        for (field, text) in [
            ("deadline.text", &power.deadline.text),
            ("remedy", &power.remedy),
        ] {
            if text.trim().is_empty() {
                report.push(
                    at(origin, &format!("{base}.{field}")).error(
                        "must not be empty: say what the law provides, or that it sets nothing"
                            .to_string(),
                    ),
                );
            }
        }
        if power.deadline.hours == Some(0) {
            report.push(
                at(origin, &format!("{base}.deadline.hours")).error(
                    "must be at least 1; leave `hours` out where the law sets no fixed period"
                        .to_string(),
                ),
            );
        }
        if power.actions.is_empty() {
            report.push(
                at(origin, &format!("{base}.actions"))
                    .error("must name at least one action".to_string()),
            );
        }
        check_reference(format!("{base}.basis"), &power.basis, report);
        check_confidence(power.confidence, origin, &base, report);
        cite(format!("{base}.sources"), &power.sources, true, report);
        for (m, record) in power.practice.iter().enumerate() {
            let field = format!("{base}.practice[{m}]");
            if record.note.trim().is_empty() {
                report.push(
                    at(origin, &format!("{field}.note"))
                        .error("must say who reported the figure and what it counts".to_string()),
                );
            }
            if let Some(until) = record.until
                && until <= record.period
            {
                report.push(at(origin, &format!("{field}.until")).error(format!(
                    "{until} is not after the start of the period ({})",
                    record.period
                )));
            }
            if record.period.days_since_epoch() > today.days_since_epoch() {
                report.push(at(origin, &format!("{field}.period")).error(format!(
                    "{} has not begun: a figure reports a period that has",
                    record.period
                )));
            }
            check_confidence(record.confidence, origin, &field, report);
            if record.sources.is_empty() {
                report.push(at(origin, &format!("{field}.sources")).error(
                    "a figure needs its source: cite the transparency report, official answer or \
                     court record it comes from"
                        .to_string(),
                ));
            } else {
                cite(format!("{field}.sources"), &record.sources, true, report);
            }
        }
    }
    for (n, case) in j.cases.iter().enumerate() {
        let base = format!("cases[{n}]");
        anchors.claim(
            &case.id,
            &case.anchor(),
            &case.aliases,
            "case",
            origin,
            &base,
            report,
        );
        if !instrument_ids.contains(case.instrument.as_str()) {
            report.push(at(origin, &format!("{base}.instrument")).error(format!(
                "unknown instrument `{}`; use an id from `instruments`",
                case.instrument
            )));
        }
        check_confidence(case.confidence, origin, &base, report);
        cite(format!("{base}.sources"), &case.sources, true, report);
    }
    for (key, assessment) in j.safeguards.iter() {
        let base = format!("safeguards.{}", key.key());
        for (n, provision) in assessment.provisions.iter().enumerate() {
            check_reference(format!("{base}.provisions[{n}]"), provision, report);
        }
        if assessment.note.trim().is_empty() {
            report.push(
                at(origin, &format!("{base}.note")).error("must explain the rating".to_string()),
            );
        }
        if assessment.value != Value::Unknown {
            check_confidence(assessment.confidence, origin, &base, report);
            if assessment.provisions.is_empty() {
                report.push(at(origin, &format!("{base}.provisions")).warning(format!(
                    "rated `{}` with no provision: name the section the rating rests on \
                     (for `silent`, what was checked, e.g. `section: whole Act`)",
                    assessment.value.key()
                )));
            }
        }
        cite(
            format!("{base}.sources"),
            &assessment.sources,
            assessment.value != Value::Unknown,
            report,
        );
    }

    check_sources(&j.sources, &cited, origin, report);
}

/// The `sources` list of an entry or a framework: valid, unique ids, web addresses, and each
/// one cited somewhere (`cited`).
fn check_sources(
    sources: &[Source],
    cited: &HashSet<String>,
    origin: &Origin,
    report: &mut Report,
) {
    let mut source_ids = HashSet::new();
    for (n, source) in sources.iter().enumerate() {
        let base = format!("sources[{n}]");
        if !is_slug(&source.id) {
            report.push(
                at(origin, &format!("{base}.id"))
                    .error(format!("`{}` is not a valid id", source.id)),
            );
        } else if !source_ids.insert(source.id.as_str()) {
            report.push(
                at(origin, &format!("{base}.id"))
                    .error(format!("duplicate source id `{}`", source.id)),
            );
        }
        if let Some(url) = &source.url
            && let Some(problem) = web_url_problem(url)
        {
            report.push(at(origin, &format!("{base}.url")).error(format!("`{url}` {problem}")));
        }
        if !cited.contains(&source.id) {
            report.push(
                at(origin, &format!("{base}.id"))
                    .warning(format!("source `{}` is never cited", source.id)),
            );
        }
    }
}

/// A framework: its id is its file name, its items have unique ids, each maps onto at least
/// one safeguard and cites at least one of its sources.
fn check_framework(framework: &Framework, origin: &Origin, report: &mut Report) {
    check_file_stem(&framework.id, "id", origin, report);
    for (field, text) in [
        ("title", &framework.title),
        ("short_title", &framework.short_title),
        ("publisher", &framework.publisher),
        ("summary", &framework.summary),
    ] {
        if text.trim().is_empty() {
            report.push(at(origin, field).error("must not be empty".to_string()));
        }
    }
    if framework.items.is_empty() {
        report.push(at(origin, "items").error("needs at least one item".to_string()));
    }
    let mut ids = HashSet::new();
    let mut cited = HashSet::new();
    for (n, item) in framework.items.iter().enumerate() {
        let base = format!("items[{n}]");
        if !is_slug(&item.id) {
            report.push(
                at(origin, &format!("{base}.id")).error(format!("`{}` is not a valid id", item.id)),
            );
        } else if !ids.insert(item.id.as_str()) {
            report.push(
                at(origin, &format!("{base}.id")).error(format!("duplicate item id `{}`", item.id)),
            );
        }
        for (field, text) in [
            ("label", &item.label),
            ("reference", &item.reference),
            ("wording", &item.wording),
        ] {
            if text.trim().is_empty() {
                report.push(
                    at(origin, &format!("{base}.{field}")).error("must not be empty".to_string()),
                );
            }
        }
        if item.safeguards.is_empty() {
            report.push(
                at(origin, &format!("{base}.safeguards"))
                    .error("must name at least one safeguard the item maps onto".to_string()),
            );
        }
        if item.sources.is_empty() {
            report.push(
                at(origin, &format!("{base}.sources"))
                    .error("must cite at least one source id from `sources`".to_string()),
            );
        }
        for (m, id) in item.sources.iter().enumerate() {
            if framework.source(id).is_some() {
                cited.insert(id.clone());
            } else {
                report.push(at(origin, &format!("{base}.sources[{m}]")).error(format!(
                    "unknown source `{id}`; add it to `sources` or fix the id"
                )));
            }
        }
    }
    check_sources(&framework.sources, &cited, origin, report);
}

/// The power and case anchors of one entry, so that no two elements claim the same one.
#[derive(Default)]
struct AnchorSet {
    claimed: HashSet<String>,
}

impl AnchorSet {
    /// Checks a power's or case's id and aliases, and claims its anchors.
    #[allow(clippy::too_many_arguments)]
    fn claim(
        &mut self,
        id: &str,
        anchor: &str,
        aliases: &[String],
        kind: &str,
        origin: &Origin,
        base: &str,
        report: &mut Report,
    ) {
        if !is_slug(id) {
            report.push(at(origin, &format!("{base}.id")).error(format!(
                "`{id}` is not a valid id (lower-case letters, digits and single hyphens)"
            )));
        } else if !self.claimed.insert(anchor.to_string()) {
            report.push(
                at(origin, &format!("{base}.id")).error(format!("duplicate {kind} id `{id}`")),
            );
        }
        for (n, alias) in aliases.iter().enumerate() {
            let field = format!("{base}.aliases[{n}]");
            let number = alias.strip_prefix(kind).and_then(|r| r.strip_prefix('-'));
            if !number.is_some_and(|r| !r.is_empty() && r.bytes().all(|b| b.is_ascii_digit())) {
                report.push(at(origin, &field).error(format!(
                    "`{alias}` is not a published {kind} anchor: aliases keep old links such as \
                     `{kind}-1` working"
                )));
            } else if !self.claimed.insert(alias.clone()) {
                report.push(
                    at(origin, &field)
                        .error(format!("anchor `{alias}` is already used in this entry")),
                );
            }
        }
    }
}

fn check_confidence(confidence: Confidence, origin: &Origin, field: &str, report: &mut Report) {
    if confidence == Confidence::Unsure {
        report.push(
            at(origin, &format!("{field}.confidence")).warning(
                "claim marked `unsure`: shown with a warning; verify it against a primary source"
                    .to_string(),
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert!(is_slug("peca-2016"));
        assert!(!is_slug("PECA"));
        assert!(!is_slug("2016-peca"));
        assert!(!is_slug("a--b"));
        assert!(!is_slug("a-"));
        assert!(!is_slug(""));
    }

    #[test]
    fn web_urls() {
        assert!(is_web_url("https://eur-lex.europa.eu/eli/reg/2021/784/oj"));
        assert!(!is_web_url("javascript:alert(1)"));
        assert!(!is_web_url("https://"));
        assert!(!is_web_url("https://a b"));
        assert!(!is_web_url("ftp://x"));
        assert!(!is_web_url("https://issuu.com./doc"));
        assert!(!is_web_url("https://localhost/doc"));
        assert!(!is_web_url("https://exa_mple.org/"));
        assert!(!is_web_url("https://example.org/a\tb"));
        assert!(!is_web_url("https://user@example.org/"));
        assert!(is_web_url("http://192.0.2.1/x"));
        assert!(!is_web_url("https://example.org\\evil.example/x"));
        assert!(!is_web_url("https://example.org/a\\b"));
        assert!(is_web_url("https://example.org/a?path=C:\\b"));
        assert!(is_web_url("https://xn--80ak6aa92e.com/"));
        assert_eq!(
            web_url_problem("https://issuu.com./x"),
            Some("has a trailing dot after the host: write the publisher's normal address")
        );
    }
}
