//! The `Serialize` view structs of the templates: navigation, the matrix, an entry, a topic, a collection.

use super::*;
use crate::catalog::Rating;
use crate::catalog::compare::CompareQuery;

/// Navigation data shared by every page.
#[derive(Debug, Clone, Serialize)]
pub struct Nav {
    pub pages: Vec<NavItem>,
}

/// One link in the navigation.
#[derive(Debug, Clone, Serialize)]
pub struct NavItem {
    pub id: String,
    pub title: String,
}

impl Nav {
    /// The navigation to a site's pages.
    pub fn new(pages: &[Page]) -> Nav {
        Nav {
            pages: pages
                .iter()
                .map(|p| NavItem {
                    id: p.id.clone(),
                    title: p.title.clone(),
                })
                .collect(),
        }
    }
}

/// One page of the jurisdictions × safeguards matrix.
#[derive(Debug, Serialize)]
pub struct Matrix {
    pub rows: Vec<MatrixRow>,
}

/// One jurisdiction's row of the matrix.
#[derive(Debug, Serialize)]
pub struct MatrixRow {
    pub id: String,
    pub name: String,
    pub iso: String,
    pub region: String,
    pub groupings: Vec<String>,
    pub score: f32,
    pub entry_status: EntryStatus,
    pub cells: Vec<MatrixCell>,
}

/// One rated safeguard in the matrix.
#[derive(Debug, Serialize)]
pub struct MatrixCell {
    pub key: SafeguardKey,
    pub value: Value,
    pub confidence: Confidence,
    pub href: String,
}

impl MatrixRow {
    /// The row of one entry.
    pub fn new(j: &Summary) -> MatrixRow {
        MatrixRow {
            id: j.id.clone(),
            name: j.name.clone(),
            iso: j.iso.clone(),
            region: j.region.clone(),
            groupings: j.groupings.clone(),
            score: j.score(),
            entry_status: j.entry_status,
            cells: j
                .safeguards
                .iter()
                .map(|a| MatrixCell {
                    key: a.key,
                    value: a.value,
                    confidence: a.confidence,
                    href: format!("{}#{}", routes::jurisdiction(&j.id), a.key.anchor()),
                })
                .collect(),
        }
    }
}

/// Lookups a jurisdiction page needs beside the entry itself.
#[derive(Debug, Serialize)]
pub(super) struct JurisdictionView<'a> {
    pub(super) instrument_titles: BTreeMap<&'a str, String>,
    pub(super) sources: BTreeMap<&'a str, &'a crate::model::Source>,
    /// Case numbers (1-based) per instrument id, to tie rulings to the provisions they affected.
    pub(super) cases_by_instrument: BTreeMap<&'a str, Vec<usize>>,
    /// Distinct ordering authorities with their type, in order of first appearance.
    pub(super) authorities: Vec<String>,
    /// Per power id, each practice record's figure and period in words (`about 350`, `2024`).
    pub(super) practice: BTreeMap<&'a str, Vec<[String; 2]>>,
    pub(super) region_name: String,
    pub(super) grouping_names: Vec<(String, String)>,
    pub(super) warnings: usize,
    /// The citations of the entry, which each section's "Cite" pins to its anchor.
    pub(super) cite: CiteBox,
    /// Per section anchor, the address that opens a prefilled report of an error in it (`None`
    /// when the site names nowhere for reports to go).
    pub(super) report_hrefs: BTreeMap<String, Option<String>>,
}

impl<'a> JurisdictionView<'a> {
    pub(super) fn new(
        j: &'a Jurisdiction,
        taxonomy: &Taxonomy,
        meta: &SiteMeta,
        reports: Option<&ReportTarget>,
    ) -> JurisdictionView<'a> {
        let mut cases_by_instrument: BTreeMap<&str, Vec<usize>> = j
            .instruments
            .iter()
            .map(|i| (i.id.as_str(), Vec::new()))
            .collect();
        for (n, case) in j.cases.iter().enumerate() {
            cases_by_instrument
                .entry(case.instrument.as_str())
                .or_default()
                .push(n + 1);
        }
        let unsure = j
            .instruments
            .iter()
            .filter(|i| i.confidence == Confidence::Unsure)
            .count()
            + j.powers
                .iter()
                .filter(|p| p.confidence == Confidence::Unsure)
                .count()
            + j.cases
                .iter()
                .filter(|c| c.confidence == Confidence::Unsure)
                .count()
            + j.safeguards
                .iter()
                .filter(|(_, a)| a.value != Value::Unknown && a.confidence == Confidence::Unsure)
                .count();
        let mut authorities: Vec<String> = Vec::new();
        for p in &j.powers {
            let text = format!(
                "{} ({})",
                p.authority,
                p.authority_type.label().to_lowercase()
            );
            if !authorities.contains(&text) {
                authorities.push(text);
            }
        }
        JurisdictionView {
            instrument_titles: j
                .instruments
                .iter()
                .map(|i| (i.id.as_str(), j.instrument_label(&i.id)))
                .collect(),
            sources: j.sources.iter().map(|s| (s.id.as_str(), s)).collect(),
            cases_by_instrument,
            authorities,
            practice: j
                .powers
                .iter()
                .map(|p| {
                    let figures = p
                        .practice
                        .iter()
                        .map(|r| [r.count_label(), r.period_label()])
                        .collect();
                    (p.id.as_str(), figures)
                })
                .collect(),
            region_name: taxonomy
                .regions
                .iter()
                .find(|r| r.id == j.region)
                .map_or_else(|| j.region.clone(), |r| r.name.clone()),
            grouping_names: j
                .groupings
                .iter()
                .map(|g| {
                    let name = taxonomy
                        .groupings
                        .iter()
                        .find(|t| &t.id == g)
                        .map_or_else(|| g.clone(), |t| t.name.clone());
                    (g.clone(), name)
                })
                .collect(),
            warnings: unsure,
            cite: CiteBox::entry(j, meta),
            report_hrefs: section_labels(j)
                .into_iter()
                .map(|(anchor, what)| {
                    let href = reports.map(|target| report_href(target, j, meta, &anchor, &what));
                    (anchor, href)
                })
                .collect(),
        }
    }
}

/// Every section of an entry a reader may cite or report an error in, as (anchor, what it is):
/// each instrument, power, ruling and safeguard rating, and the analysis.
fn section_labels(j: &Jurisdiction) -> Vec<(String, String)> {
    let mut sections: Vec<(String, String)> = j
        .instruments
        .iter()
        .map(|i| (routes::instrument_anchor(&i.id), i.title.clone()))
        .collect();
    sections.extend(
        j.powers
            .iter()
            .map(|p| (p.anchor(), format!("power: {}", p.authority))),
    );
    sections.extend(j.cases.iter().map(|c| (c.anchor(), c.name.clone())));
    sections.extend(
        SafeguardKey::ALL
            .iter()
            .map(|k| (k.anchor(), k.label().to_string())),
    );
    sections.push((routes::ANALYSIS_ANCHOR.to_string(), "Analysis".to_string()));
    sections
}

/// The address of a prefilled report of an error in one section of an entry: the title names
/// the entry and the section; the body, the exact cited address and the content version.
fn report_href(
    target: &ReportTarget,
    j: &Jurisdiction,
    meta: &SiteMeta,
    anchor: &str,
    what: &str,
) -> String {
    let page = format!("{}{}", meta.base_url, routes::jurisdiction(&j.id));
    let title = format!("Error in {}: {what}", j.name);
    let body = format!(
        "Section: {what}\nAddress: {}#{anchor}\nContent version: {} (reviewed {})\n\nWhat is wrong:\n\n\nThe source that shows it:\n",
        routes::cited(&page, &j.version),
        j.version,
        j.last_reviewed.human(),
    );
    target.href(&title, &body)
}

/// A workshop reading list with resolved titles, links and QR codes.
#[derive(Debug, Serialize)]
pub(super) struct CollectionView {
    /// The list's absolute address (printed, and in its QR code).
    pub(super) url: String,
    /// The list's address as a link (root-relative, so the offline bundle makes it relative).
    pub(super) href: String,
    /// The version of the entries its items open, dated by the latest review among them: what a
    /// printed handout was made from.
    pub(super) version: Option<crate::model::ContentVersion>,
    pub(super) qr: Option<String>,
    pub(super) items: Vec<CollectionItemView>,
}

#[derive(Debug, Serialize)]
pub(super) struct CollectionItemView {
    pub(super) title: String,
    pub(super) href: String,
    pub(super) url: String,
    pub(super) note: String,
    pub(super) qr: Option<String>,
}

impl CollectionView {
    pub(super) fn new(
        catalog: &Catalog,
        meta: &SiteMeta,
        collection: &crate::model::Collection,
    ) -> CollectionView {
        let origin = meta
            .base_url
            .strip_suffix(&meta.root)
            .unwrap_or(&meta.base_url);
        let url = format!("{}{}", meta.base_url, routes::collection(&collection.id));
        let opened = crate::catalog::collection::opened_entries(catalog, collection);
        CollectionView {
            qr: crate::qr::svg(&url, &format!("QR code for {url}")),
            href: format!("{}{}", meta.root, routes::collection(&collection.id)),
            version: crate::model::ContentVersion::of_parts(
                opened.iter().map(|&at| &catalog.entries[at].version),
            ),
            url,
            items: collection
                .items
                .iter()
                .map(|item| {
                    let href = format!("{}{}", meta.root, item.target);
                    let url = format!("{origin}{href}");
                    CollectionItemView {
                        title: item.title.clone().unwrap_or_else(|| {
                            crate::catalog::collection::resolve(catalog, &item.target)
                                .unwrap_or_else(|_| item.target.clone())
                        }),
                        qr: crate::qr::svg(&url, &format!("QR code for {url}")),
                        href,
                        url,
                        note: item.note.clone(),
                    }
                })
                .collect(),
        }
    }
}

/// A collection's reading pack: every item with its section in full, for participants reading
/// on paper.
#[derive(Debug, Serialize)]
pub(super) struct ReadingPackView {
    pub(super) list: CollectionView,
    pub(super) items: Vec<PackItem>,
}

/// One item of a reading pack: what its address shows, in the form that prints.
#[derive(Debug, Serialize)]
pub(super) struct PackItem {
    /// A card of an entry's page, as rendered there (safe HTML).
    pub(super) passage: Option<String>,
    /// A whole entry: its summary and ratings.
    pub(super) entry: Option<PackEntry>,
    /// A safeguard across the jurisdictions, grouped by value.
    pub(super) topic: Option<(SafeguardKey, Vec<TopicGroup>)>,
    /// A comparison's ratings (its safeguard rows).
    pub(super) table: Option<Table>,
    /// A site page's body (sanitised HTML).
    pub(super) page: Option<String>,
}

/// A whole entry in a reading pack.
#[derive(Debug, Serialize)]
pub(super) struct PackEntry {
    pub(super) name: String,
    pub(super) summary: String,
    pub(super) ratings: Vec<Rating>,
}

impl ReadingPackView {
    pub(super) fn new(
        catalog: &Catalog,
        meta: &SiteMeta,
        collection: &crate::model::Collection,
    ) -> ReadingPackView {
        let items = collection
            .items
            .iter()
            .map(|item| pack_item(catalog, meta, &item.target))
            .collect();
        ReadingPackView {
            list: CollectionView::new(catalog, meta, collection),
            items,
        }
    }
}

/// What one address shows, for print.
fn pack_item(catalog: &Catalog, meta: &SiteMeta, target: &str) -> PackItem {
    let mut item = PackItem {
        passage: None,
        entry: None,
        topic: None,
        table: None,
        page: None,
    };
    let (path, fragment) = target.split_once('#').unwrap_or((target, ""));
    let (path, query) = path.split_once('?').unwrap_or((path, ""));
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    match parts.as_slice() {
        ["jurisdictions", id] => {
            let Some(j) = compare::find(&catalog.entries, id) else {
                return item;
            };
            item.passage = j.passages.get(fragment).cloned();
            if item.passage.is_none() {
                item.entry = Some(PackEntry {
                    name: j.name.clone(),
                    summary: j.summary.clone(),
                    ratings: j.safeguards.clone(),
                });
            }
        }
        ["topics", key] => {
            if let Some(key) = SafeguardKey::from_key(key) {
                let mut rows: Vec<&Summary> = catalog.entries.iter().map(|j| &**j).collect();
                rows.sort_by_key(|j| j.rating(key).value);
                item.topic = Some((key, topic_groups(&rows, key)));
            }
        }
        ["compare"] => {
            if let Ok(selection) =
                CompareQuery::parse(query).and_then(|q| q.selection(&catalog.entries))
            {
                item.table = Some(ratings_only(compare::table(&selection, &meta.root)));
            }
        }
        ["compare", grouping] => {
            let selection = Selection {
                jurisdictions: catalog
                    .entries
                    .iter()
                    .filter(|j| j.groupings.iter().any(|g| g == grouping))
                    .map(|j| &**j)
                    .collect(),
                safeguards: SafeguardKey::ALL.to_vec(),
                differences_only: false,
                benchmark: None,
            };
            if selection.is_complete() {
                item.table = Some(ratings_only(compare::table(&selection, &meta.root)));
            }
        }
        [page] => {
            item.page = catalog.pages.iter().find(|p| p.id == *page).map(|p| {
                let href = format!("{}{}", meta.root, routes::page(&p.id));
                super::passages::standalone(&p.body.html, &href)
            });
        }
        _ => {}
    }
    item
}

/// A comparison's safeguard rows only: on paper, the ratings side by side.
fn ratings_only(mut table: Table) -> Table {
    table.rows.retain(|row| row.safeguard.is_some());
    table
}

/// Groupings with enough members to compare, with their members (indices into the catalog).
pub(super) fn comparable_groupings(
    catalog: &Catalog,
) -> impl Iterator<Item = (&Group, Vec<usize>)> {
    catalog.taxonomy.groupings.iter().filter_map(|g| {
        let members: Vec<usize> = (0..catalog.entries.len())
            .filter(|&i| catalog.entries[i].groupings.contains(&g.id))
            .collect();
        (members.len() >= compare::MIN_CHOSEN).then_some((g, members))
    })
}

/// Jurisdictions grouped by their value for one safeguard (for topic pages).
#[derive(Debug, Serialize)]
pub(super) struct TopicGroup {
    pub(super) value: Value,
    pub(super) rows: Vec<TopicRow>,
}

#[derive(Debug, Serialize)]
pub(super) struct TopicRow {
    pub(super) id: String,
    pub(super) name: String,
    pub(super) note: String,
    pub(super) confidence: Confidence,
    pub(super) provisions: Vec<String>,
}

/// The rows of one page of a topic, grouped by value (they arrive sorted by value).
pub(super) fn topic_groups(rows: &[&Summary], key: SafeguardKey) -> Vec<TopicGroup> {
    let mut groups: Vec<TopicGroup> = Vec::new();
    for j in rows {
        let a = j.rating(key);
        let row = TopicRow {
            id: j.id.clone(),
            name: j.name.clone(),
            note: a.note.clone(),
            confidence: a.confidence,
            provisions: a.provisions.clone(),
        };
        match groups.last_mut() {
            Some(group) if group.value == a.value => group.rows.push(row),
            _ => groups.push(TopicGroup {
                value: a.value,
                rows: vec![row],
            }),
        }
    }
    groups
}

/// How many entries have each value of one safeguard (every value, in display order).
#[derive(Debug, Serialize)]
pub(super) struct ValueCount {
    pub(super) value: Value,
    pub(super) count: usize,
}

/// A topic listing's tally (entries per value, in display order) as counts to show.
pub(super) fn value_counts(tally: &[usize]) -> Vec<ValueCount> {
    Value::ALL
        .iter()
        .zip(tally)
        .map(|(&value, &count)| ValueCount { value, count })
        .collect()
}

/// One line of the topics index: a safeguard, with its question and summary where written.
#[derive(Serialize)]
pub(super) struct TopicSummary {
    pub(super) key: &'static str,
    pub(super) label: &'static str,
    pub(super) question: Option<String>,
    pub(super) summary: Option<String>,
}

pub(super) fn topic_index(catalog: &Catalog) -> Vec<TopicSummary> {
    SafeguardKey::ALL
        .iter()
        .map(|&key| {
            let topic = catalog.topics.iter().find(|t| t.key == key);
            TopicSummary {
                key: key.key(),
                label: key.label(),
                question: topic.map(|t| t.question.clone()),
                summary: topic.map(|t| t.summary.clone()),
            }
        })
        .collect()
}
