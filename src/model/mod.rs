//! The content model: typed front matter for jurisdictions, topics and pages.
//!
//! These structs are deserialised straight from YAML with `deny_unknown_fields`, so a typo in a key
//! or an unknown enum value is a parse error with a line and column. Cross-references between parts
//! of an entry are checked afterwards by [`crate::validate`].

use serde::{Deserialize, Serialize};

use crate::markdown::Rendered;

mod date;
mod version;
mod vocabulary;

pub use date::*;
pub use version::*;
pub use vocabulary::*;

/// One jurisdiction entry: front matter plus the rendered Markdown body.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Jurisdiction {
    pub id: String,
    pub name: String,
    pub iso: String,
    pub region: String,
    pub groupings: Vec<String>,
    pub legal_system: String,
    pub summary: String,
    pub last_reviewed: Date,
    /// What a citation pins: the review date and a hash of the file; filled by the loader,
    /// never by YAML.
    #[serde(skip_deserializing)]
    pub version: ContentVersion,
    pub reviewed_by: String,
    pub entry_status: EntryStatus,
    #[serde(default)]
    pub aliases: Vec<String>,
    pub changelog: Vec<ChangelogLine>,
    pub instruments: Vec<Instrument>,
    pub powers: Vec<Power>,
    #[serde(default)]
    pub no_general_power: Option<NoGeneralPower>,
    #[serde(default)]
    pub cases: Vec<Case>,
    pub safeguards: Safeguards,
    pub sources: Vec<Source>,
    /// The Markdown body, rendered; filled by the loader, never by YAML.
    #[serde(skip_deserializing)]
    pub body: Rendered,
}

/// One line of an entry's changelog.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangelogLine {
    pub date: Date,
    pub change: String,
}

/// A legal instrument: constitution, statute, regulation, ruling or bill.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Instrument {
    pub id: String,
    pub title: String,
    #[serde(default)]
    pub original_title: Option<String>,
    #[serde(default)]
    pub original_lang: Option<String>,
    #[serde(default)]
    pub short_name: Option<String>,
    #[serde(rename = "type")]
    pub kind: InstrumentType,
    pub status: InstrumentStatus,
    pub dates: InstrumentDates,
    pub citation: String,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub key_provisions: Vec<Provision>,
    /// The reviews, reports, sunsets and expiries the law sets for this instrument.
    #[serde(default)]
    pub reviews: Vec<ReviewDate>,
    /// Where a bill stands in the legislature: only for an instrument with status `proposed`.
    #[serde(default)]
    pub stage: Option<BillStage>,
    pub confidence: Confidence,
    pub sources: Vec<String>,
}

/// A date the law sets for an instrument: a review of its operation, a report to the legislature,
/// or the day its provisions lapse.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReviewDate {
    pub kind: ReviewKind,
    /// When it falls due (a year or a month where the law counts from an uncertain start).
    pub due: Date,
    /// The section that sets it.
    pub provision: String,
    /// What the law requires by then, in the law's terms.
    pub requires: String,
    /// When it was carried out (a review reported, a sunset passed or renewed).
    #[serde(default)]
    pub done: Option<Date>,
    /// What came of it, once done.
    #[serde(default)]
    pub outcome: Option<String>,
    pub confidence: Confidence,
    pub sources: Vec<String>,
}

/// Where a pending bill stands: the stage reached and its date.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BillStage {
    /// The stage in the legislature's own terms (`second reading in the Senate`).
    pub stage: String,
    pub date: Date,
    pub sources: Vec<String>,
}

/// Lifecycle dates of an instrument.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InstrumentDates {
    #[serde(default)]
    pub adopted: Option<Date>,
    #[serde(default)]
    pub in_force: Option<Date>,
    #[serde(default)]
    pub amended: Vec<Date>,
}

/// A section of an instrument with a one-line gist.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Provision {
    pub section: String,
    pub gist: String,
}

/// A pointer to a section of one of the entry's instruments.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reference {
    pub instrument: String,
    pub section: String,
}

/// A power to order blocking, removal, suspension or disclosure.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Power {
    /// Stable slug: the power's anchor is `#power-<id>`, whatever its position.
    pub id: String,
    /// Anchors this power was published under before (`power-1`), kept so that printed links land.
    #[serde(default)]
    pub aliases: Vec<String>,
    pub authority: String,
    pub authority_type: AuthorityType,
    pub actions: Vec<Action>,
    pub basis: Reference,
    pub grounds: String,
    pub deadline: Deadline,
    pub court_role: CourtRole,
    /// What the affected user or publisher can do about an order, with the provision.
    pub remedy: String,
    #[serde(default)]
    pub penalties: Option<String>,
    /// How often the power is used: dated figures from transparency reports or court records.
    #[serde(default)]
    pub practice: Vec<PracticeRecord>,
    pub confidence: Confidence,
    pub sources: Vec<String>,
}

/// A dated figure of a power's use: orders issued, items removed, accounts suspended.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PracticeRecord {
    pub measure: PracticeMeasure,
    pub count: u64,
    /// True where the source gives the figure as approximate ("about 350").
    #[serde(default)]
    pub approximate: bool,
    /// The period the figure covers: a year, a month or the day it starts.
    pub period: Date,
    /// The end of the period, where it runs past `period`'s own year, month or day.
    #[serde(default)]
    pub until: Option<Date>,
    /// Who reported it and what the figure counts, in the source's terms.
    pub note: String,
    pub confidence: Confidence,
    pub sources: Vec<String>,
}

impl PracticeRecord {
    /// `2024` or `7 June 2022 – 14 February 2024`: the period in words.
    pub fn period_label(&self) -> String {
        match &self.until {
            Some(until) => format!("{} – {}", self.period.human(), until.human()),
            None => self.period.human(),
        }
    }

    /// `482` or `about 350`, with thousands separated.
    pub fn count_label(&self) -> String {
        let digits = self.count.to_string();
        let mut grouped = String::new();
        for (n, digit) in digits.chars().enumerate() {
            if n > 0 && (digits.len() - n).is_multiple_of(3) {
                grouped.push(',');
            }
            grouped.push(digit);
        }
        if self.approximate {
            format!("about {grouped}")
        } else {
            grouped
        }
    }
}

impl Power {
    /// The power's anchor on its jurisdiction page, e.g. `power-class-1-removal`.
    pub fn anchor(&self) -> String {
        crate::routes::power_anchor(&self.id)
    }
}

/// How fast an order must be obeyed: the law's own words, and the period in hours where it is fixed.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Deadline {
    /// The fixed period in hours, when the law or official guidance sets one.
    #[serde(default)]
    pub hours: Option<u32>,
    /// The deadline as the law puts it, or what it says where it sets none.
    pub text: String,
}

/// An explicit, sourced statement that a jurisdiction has no general power of this kind.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoGeneralPower {
    pub statement: String,
    pub sources: Vec<String>,
}

/// A court ruling on one of the entry's instruments.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    /// Stable slug: the ruling's anchor is `#case-<id>`, whatever its position.
    pub id: String,
    /// Anchors this ruling was published under before (`case-1`), kept so that printed links land.
    #[serde(default)]
    pub aliases: Vec<String>,
    pub name: String,
    pub court: String,
    pub date: Date,
    #[serde(default)]
    pub citation: Option<String>,
    pub outcome: Outcome,
    pub instrument: String,
    #[serde(default)]
    pub provision: Option<String>,
    pub summary: String,
    pub confidence: Confidence,
    pub sources: Vec<String>,
}

impl Case {
    /// The ruling's anchor on its jurisdiction page, e.g. `case-disini-2014`.
    pub fn anchor(&self) -> String {
        crate::routes::case_anchor(&self.id)
    }
}

/// The eight safeguard assessments; every key is required.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Safeguards {
    pub legal_clarity: Assessment,
    pub necessity_proportionality: Assessment,
    pub judicial_authorisation: Assessment,
    pub independent_oversight: Assessment,
    pub user_notice: Assessment,
    pub appeal_redress: Assessment,
    pub transparency_reporting: Assessment,
    pub sunset_review: Assessment,
}

impl Safeguards {
    /// The assessment for one key.
    pub fn get(&self, key: SafeguardKey) -> &Assessment {
        match key {
            SafeguardKey::LegalClarity => &self.legal_clarity,
            SafeguardKey::NecessityProportionality => &self.necessity_proportionality,
            SafeguardKey::JudicialAuthorisation => &self.judicial_authorisation,
            SafeguardKey::IndependentOversight => &self.independent_oversight,
            SafeguardKey::UserNotice => &self.user_notice,
            SafeguardKey::AppealRedress => &self.appeal_redress,
            SafeguardKey::TransparencyReporting => &self.transparency_reporting,
            SafeguardKey::SunsetReview => &self.sunset_review,
        }
    }

    /// All eight assessments in display order.
    pub fn iter(&self) -> impl Iterator<Item = (SafeguardKey, &Assessment)> {
        SafeguardKey::ALL.iter().map(|&k| (k, self.get(k)))
    }
}

/// The rating of one safeguard in one jurisdiction.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Assessment {
    pub value: Value,
    #[serde(default)]
    pub provisions: Vec<Reference>,
    pub note: String,
    pub confidence: Confidence,
    #[serde(default)]
    pub sources: Vec<String>,
}

/// A document the entry relies on.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    pub id: String,
    pub title: String,
    pub publisher: String,
    pub kind: SourceKind,
    #[serde(default)]
    pub url: Option<String>,
    pub accessed: Date,
}

impl Jurisdiction {
    /// The instrument with this id, if any.
    pub fn instrument(&self, id: &str) -> Option<&Instrument> {
        self.instruments.iter().find(|i| i.id == id)
    }

    /// The short name (or else the title) of an instrument, for compact references.
    pub fn instrument_label(&self, id: &str) -> String {
        self.instrument(id).map_or_else(
            || id.to_string(),
            |i| i.short_name.clone().unwrap_or_else(|| i.title.clone()),
        )
    }

    /// `PECA, s 37(1)`: a reference in compact form.
    pub fn reference_label(&self, reference: &Reference) -> String {
        format!(
            "{}, {}",
            self.instrument_label(&reference.instrument),
            reference.section
        )
    }

    /// The source with this id, if any.
    pub fn source(&self, id: &str) -> Option<&Source> {
        self.sources.iter().find(|s| s.id == id)
    }
}

/// A topic page: one safeguard explained.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Topic {
    pub key: SafeguardKey,
    pub title: String,
    pub question: String,
    pub summary: String,
    #[serde(skip_deserializing)]
    pub body: Rendered,
}

/// A free-standing site page (about, methodology, disclaimer ...).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Page {
    pub id: String,
    pub title: String,
    pub summary: String,
    #[serde(skip_deserializing)]
    pub body: Rendered,
}

/// A workshop reading list: `content/collections/<id>.yaml`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Collection {
    pub id: String,
    pub title: String,
    pub audience: String,
    pub date: Date,
    /// Who runs the session; left out of the page and the handout when not given.
    #[serde(default)]
    pub facilitator: Option<String>,
    #[serde(default)]
    pub summary: Option<String>,
    pub items: Vec<CollectionItem>,
}

/// One stop on a reading list: a site address and the trainer's note or question.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CollectionItem {
    /// A site address: `/jurisdictions/<id>/#<anchor>`, `/topics/<key>/`, `/compare/?j=…`,
    /// `/compare/<grouping>/` or a page such as `/methodology/`.
    #[serde(rename = "ref")]
    pub target: String,
    /// Shown as the item's heading; derived from the target when absent.
    #[serde(default)]
    pub title: Option<String>,
    pub note: String,
}

/// A standard officials are held to, mapped onto the eight safeguards:
/// `content/frameworks/<id>.yaml`. Its page shows every jurisdiction against its items through
/// the ratings of the safeguards each item maps onto, never a judgement of its own.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Framework {
    pub id: String,
    pub title: String,
    /// For tables and links: `ICCPR art. 19(3)`.
    pub short_title: String,
    pub publisher: String,
    pub adopted: Date,
    pub summary: String,
    pub items: Vec<FrameworkItem>,
    pub sources: Vec<Source>,
}

/// One item of a framework: its wording, where it is, and the safeguards it maps onto.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FrameworkItem {
    pub id: String,
    pub label: String,
    /// Where the item is in the standard: `General Comment No. 34, para. 25`.
    pub reference: String,
    /// The standard's words, quoted, or a paraphrase that says so.
    pub wording: String,
    pub safeguards: Vec<SafeguardKey>,
    pub sources: Vec<String>,
}

impl Framework {
    /// The source with this id, if any.
    pub fn source(&self, id: &str) -> Option<&Source> {
        self.sources.iter().find(|s| s.id == id)
    }
}

/// A named set of jurisdictions (a region or a grouping).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Group {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
}

/// The contents of `groupings.yaml`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Taxonomy {
    pub regions: Vec<Group>,
    pub groupings: Vec<Group>,
}

/// Everything loaded and checked: the input to rendering and indexing.
#[derive(Debug, Clone, Serialize)]
pub struct Site {
    pub taxonomy: Taxonomy,
    /// Sorted by name.
    pub jurisdictions: Vec<Jurisdiction>,
    /// In safeguard order.
    pub topics: Vec<Topic>,
    pub pages: Vec<Page>,
    pub collections: Vec<Collection>,
    /// By id.
    pub frameworks: Vec<Framework>,
}

impl Site {
    /// The jurisdiction with this id, if any.
    pub fn jurisdiction(&self, id: &str) -> Option<&Jurisdiction> {
        self.jurisdictions.iter().find(|j| j.id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_parse_partial_and_reject_impossible() {
        assert_eq!(Date::parse("2024").unwrap().human(), "2024");
        assert_eq!(Date::parse("2024-01").unwrap().human(), "January 2024");
        assert_eq!(Date::parse("2024-01-02").unwrap().human(), "2 January 2024");
        assert!(Date::parse("2024-02-29").is_ok());
        assert!(
            Date::parse("2023-02-29")
                .unwrap_err()
                .to_string()
                .contains("does not exist")
        );
        assert!(
            Date::parse("2021-13-01")
                .unwrap_err()
                .to_string()
                .contains("no month 13")
        );
        assert!(Date::parse("21-01-01").is_err());
        assert!(Date::parse("yesterday").is_err());
        assert!(Date::parse("2024-01-02-03").is_err());
    }

    #[test]
    fn a_partial_date_ends_on_the_last_day_it_covers() {
        let last = |text: &str| Date::parse(text).unwrap().last_day().to_string();
        assert_eq!(last("2027"), "2027-12-31");
        assert_eq!(last("2024-02"), "2024-02-29");
        assert_eq!(last("2023-02"), "2023-02-28");
        assert_eq!(last("2025-12"), "2025-12-31");
        assert_eq!(last("2025-06-30"), "2025-06-30");
    }

    #[test]
    fn days_since_epoch_matches_known_values() {
        assert_eq!(Date::parse("1970-01-01").unwrap().days_since_epoch(), 0);
        assert_eq!(
            Date::parse("2000-03-01").unwrap().days_since_epoch(),
            11_017
        );
        for text in ["1970-01-01", "2000-02-29", "2026-11-24", "2099-12-31"] {
            let date = Date::parse(text).unwrap();
            assert_eq!(Date::from_days_since_epoch(date.days_since_epoch()), date);
        }
    }

    #[test]
    fn vocabulary_keys_round_trip() {
        for key in SafeguardKey::ALL {
            assert_eq!(SafeguardKey::from_key(key.key()), Some(*key));
        }
        assert_eq!(
            SafeguardKey::JudicialAuthorisation.anchor(),
            "safeguard-judicial-authorisation"
        );
        assert_eq!(InstrumentStatus::PartlyInForce.key(), "partly_in_force");
    }
}
