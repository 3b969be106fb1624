//! The model turned into search units: one per summary, instrument, power, case, safeguard, body section, topic and page, each with its anchor URL.

use super::*;

/// What kind of unit a document is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Jurisdiction,
    Instrument,
    Power,
    Case,
    Safeguard,
    Section,
    Topic,
    Page,
}

impl Kind {
    pub(super) const ALL: [Kind; 8] = [
        Kind::Jurisdiction,
        Kind::Instrument,
        Kind::Power,
        Kind::Case,
        Kind::Safeguard,
        Kind::Section,
        Kind::Topic,
        Kind::Page,
    ];

    pub(crate) fn key(self) -> &'static str {
        match self {
            Kind::Jurisdiction => "jurisdiction",
            Kind::Instrument => "instrument",
            Kind::Power => "power",
            Kind::Case => "case",
            Kind::Safeguard => "safeguard",
            Kind::Section => "section",
            Kind::Topic => "topic",
            Kind::Page => "page",
        }
    }

    pub(super) fn label(self) -> &'static str {
        match self {
            Kind::Jurisdiction => "Jurisdiction",
            Kind::Instrument => "Instrument",
            Kind::Power => "Power",
            Kind::Case => "Court case",
            Kind::Safeguard => "Safeguard",
            Kind::Section => "Section",
            Kind::Topic => "Topic",
            Kind::Page => "Page",
        }
    }
}

/// One search document before it becomes a tantivy document.
pub(crate) struct Unit<'a> {
    pub(crate) kind: Kind,
    pub(crate) jurisdiction: Option<&'a Jurisdiction>,
    /// Root-relative (`/jurisdictions/x/#anchor`), without the site's path prefix.
    pub(crate) url: String,
    pub(crate) title: String,
    pub(crate) breadcrumb: String,
    pub(crate) text: String,
    pub(crate) short_name: Option<&'a str>,
    pub(crate) original_title: Option<&'a str>,
    pub(super) original_lang: Option<&'a str>,
    pub(super) value: Option<Value>,
    pub(super) authority_type: Option<AuthorityType>,
    pub(super) safeguard: Option<SafeguardKey>,
    pub(super) status: Option<InstrumentStatus>,
}

impl<'a> Unit<'a> {
    pub(super) fn new(
        kind: Kind,
        jurisdiction: Option<&'a Jurisdiction>,
        url: String,
        title: &str,
        breadcrumb: String,
        text: String,
    ) -> Unit<'a> {
        Unit {
            kind,
            jurisdiction,
            url,
            title: title.trim().to_owned(),
            breadcrumb,
            text,
            short_name: None,
            original_title: None,
            original_lang: None,
            value: None,
            authority_type: None,
            safeguard: None,
            status: None,
        }
    }
}

/// Every unit of the site in browse order: jurisdictions by name (ignoring case), each followed
/// by its parts in page order, then topics and pages.
#[cfg(test)]
pub(crate) fn units(site: &Site) -> Vec<Unit<'_>> {
    let mut jurisdictions: Vec<&Jurisdiction> = site.jurisdictions.iter().collect();
    jurisdictions.sort_by_cached_key(|j| SortKey::entry_unit(j, 0));
    let mut units = Vec::new();
    for j in jurisdictions {
        jurisdiction_units(j, &mut units);
    }
    let (topics, pages) = site_units(&site.topics, &site.pages, &site.frameworks);
    units.extend(topics);
    units.extend(pages);
    units
}

/// The units of topics, and of pages with the frameworks' pages after them.
pub(super) fn site_units<'a>(
    topics: &'a [Topic],
    pages: &'a [SitePage],
    frameworks: &'a [Framework],
) -> (Vec<Unit<'a>>, Vec<Unit<'a>>) {
    let topics = topics
        .iter()
        .map(|topic| {
            let mut unit = Unit::new(
                Kind::Topic,
                None,
                routes::topic(topic.key.key()),
                &topic.title,
                crumb(&["Topics", &topic.title]),
                sentences(&[&topic.question, &topic.summary, &topic.body.text]),
            );
            unit.safeguard = Some(topic.key);
            unit
        })
        .collect();
    let pages = pages
        .iter()
        .map(|page| {
            Unit::new(
                Kind::Page,
                None,
                routes::page(&page.id),
                &page.title,
                page.title.trim().to_owned(),
                sentences(&[&page.summary, &page.body.text]),
            )
        })
        .chain(frameworks.iter().map(|framework| {
            let items: Vec<String> = framework
                .items
                .iter()
                .map(|item| format!("{}. {} {}", item.label, item.reference, item.wording))
                .collect();
            let mut parts: Vec<&str> = vec![&framework.publisher, &framework.summary];
            parts.extend(items.iter().map(String::as_str));
            Unit::new(
                Kind::Page,
                None,
                routes::framework(&framework.id),
                &framework.title,
                crumb(&["Standards", &framework.short_title]),
                sentences(&parts),
            )
        }))
        .collect();
    (topics, pages)
}

pub(super) fn jurisdiction_units<'a>(j: &'a Jurisdiction, units: &mut Vec<Unit<'a>>) {
    let name = j.name.as_str();
    let page = routes::jurisdiction(&j.id);
    let legal_system = format!("Legal system: {}", j.legal_system);
    let no_general_power = j
        .no_general_power
        .as_ref()
        .map_or("", |n| n.statement.as_str());
    units.push(Unit::new(
        Kind::Jurisdiction,
        Some(j),
        page.clone(),
        name,
        name.to_owned(),
        sentences(&[
            &j.summary,
            &legal_system,
            no_general_power,
            preamble(&j.body),
        ]),
    ));

    for instrument in &j.instruments {
        let shown = instrument
            .short_name
            .as_deref()
            .unwrap_or(&instrument.title);
        let status = format!(
            "{}, {}",
            instrument.kind.label(),
            instrument.status.label().to_lowercase()
        );
        let mut parts = vec![instrument.citation.clone(), status];
        parts.extend(
            instrument
                .key_provisions
                .iter()
                .map(|p| format!("{}: {}", p.section, p.gist)),
        );
        let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
        let mut unit = Unit::new(
            Kind::Instrument,
            Some(j),
            format!("{page}#instrument-{}", instrument.id),
            &instrument.title,
            crumb(&[name, "Instruments", shown]),
            sentences(&parts),
        );
        unit.short_name = instrument.short_name.as_deref();
        unit.original_title = instrument.original_title.as_deref();
        unit.original_lang = instrument.original_lang.as_deref();
        unit.status = Some(instrument.status);
        units.push(unit);
    }

    for power in &j.powers {
        let title = format!(
            "{} under {}",
            actions(&power.actions),
            reference(j, &power.basis)
        );
        let labels: Vec<&str> = power.actions.iter().map(|a| a.label()).collect();
        let parts = [
            format!("Authority: {}", power.authority),
            format!("Actions: {}", labels.join(", ")),
            format!("Basis: {}", reference(j, &power.basis)),
            format!("Grounds: {}", power.grounds),
            format!("Deadline: {}", power.deadline.text),
            format!("Court: {}", power.court_role.label()),
            format!("Remedy: {}", power.remedy),
            power
                .penalties
                .as_ref()
                .map_or_else(String::new, |p| format!("Penalties: {p}")),
        ];
        let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
        let mut unit = Unit::new(
            Kind::Power,
            Some(j),
            format!("{page}#{}", power.anchor()),
            &title,
            crumb(&[name, "Powers", &title]),
            sentences(&parts),
        );
        unit.authority_type = Some(power.authority_type);
        units.push(unit);
    }

    for case in &j.cases {
        let reviewed = Reference {
            instrument: case.instrument.clone(),
            section: case.provision.clone().unwrap_or_default(),
        };
        let parts = [
            format!("{}, {}", case.court, case.date.human()),
            case.citation.clone().unwrap_or_default(),
            format!("Outcome: {}", case.outcome.label()),
            format!("On {}", reference(j, &reviewed)),
            case.summary.clone(),
        ];
        let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
        units.push(Unit::new(
            Kind::Case,
            Some(j),
            format!("{page}#{}", case.anchor()),
            &case.name,
            crumb(&[name, "Cases", &case.name]),
            sentences(&parts),
        ));
    }

    for (key, assessment) in j.safeguards.iter() {
        let provisions: Vec<String> = assessment
            .provisions
            .iter()
            .map(|r| reference(j, r))
            .collect();
        let provisions = if provisions.is_empty() {
            String::new()
        } else {
            format!("Provisions: {}", provisions.join("; "))
        };
        let mut unit = Unit::new(
            Kind::Safeguard,
            Some(j),
            format!("{page}#{}", key.anchor()),
            &format!("{}: {}", key.label(), assessment.value.label()),
            crumb(&[name, "Safeguards", key.label()]),
            sentences(&[&assessment.note, &provisions]),
        );
        unit.value = Some(assessment.value);
        unit.safeguard = Some(key);
        units.push(unit);
    }

    for section in j.body.sections.iter().filter(|s| !s.title.is_empty()) {
        units.push(Unit::new(
            Kind::Section,
            Some(j),
            format!("{page}#{}", section.id),
            &section.title,
            crumb(&[name, &section.title]),
            section.text.clone(),
        ));
    }
}

/// The body text before its first heading, which belongs to the jurisdiction summary.
pub(super) fn preamble(body: &Rendered) -> &str {
    match body.sections.iter().find(|s| !s.text.is_empty()) {
        Some(first) => body
            .text
            .find(&first.text)
            .map_or("", |at| &body.text[..at]),
        None => &body.text,
    }
}

/// `Block access, remove content`.
pub(super) fn actions(actions: &[Action]) -> String {
    let labels: Vec<String> = actions
        .iter()
        .enumerate()
        .map(|(i, a)| {
            if i == 0 {
                a.label().to_owned()
            } else {
                a.label().to_lowercase()
            }
        })
        .collect();
    labels.join(", ")
}

/// `Prevention of Electronic Crimes Act 2016 (PECA) s 37`.
pub(super) fn reference(j: &Jurisdiction, r: &Reference) -> String {
    let instrument = match j.instrument(&r.instrument) {
        Some(i) => match &i.short_name {
            Some(short) => format!("{} ({short})", i.title.trim()),
            None => i.title.trim().to_owned(),
        },
        None => r.instrument.clone(),
    };
    format!("{instrument} {}", r.section).trim().to_owned()
}

pub(super) fn crumb(parts: &[&str]) -> String {
    let parts: Vec<&str> = parts.iter().map(|p| p.trim()).collect();
    parts.join(CRUMB)
}

/// Joins non-empty parts into prose, ending each with a full stop if it has none.
pub(super) fn sentences(parts: &[&str]) -> String {
    let mut out = String::new();
    for part in parts.iter().map(|p| p.trim()).filter(|p| !p.is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(part);
        if part.ends_with(|c: char| c.is_alphanumeric() || c == ')') {
            out.push('.');
        }
    }
    out
}
