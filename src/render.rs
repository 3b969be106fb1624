//! Renders the checked [`Site`] to HTML pages in memory with minijinja; writes nothing.
//!
//! Templates get `#[derive(Serialize)]` view structs, autoescape is on (by `.html`/`.xml`
//! extension) and undefined variables are errors, so a misspelt name fails the build.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use minijinja::value::{Serde, Value as JinjaValue};
use minijinja::{Environment, UndefinedBehavior, context};
use rayon::prelude::*;
use serde::Serialize;

use crate::compare::{self, Selection, Table};
use crate::model::{
    Action, AuthorityType, ChangelogLine, Confidence, Date, EntryStatus, Group, Instrument,
    InstrumentStatus, InstrumentType, Jurisdiction, Outcome, Power, SafeguardKey, Safeguards, Site,
    SourceKind, Taxonomy, Value,
};

/// One output file: a path relative to the output root and its bytes.
#[derive(Debug)]
pub struct OutputFile {
    pub path: PathBuf,
    pub contents: String,
}

/// Rendering failed: a template error with its template name and line.
#[derive(Debug, thiserror::Error)]
#[error("{path}: template error: {message}")]
pub struct RenderError {
    pub path: String,
    pub message: String,
}

impl From<minijinja::Error> for RenderError {
    fn from(err: minijinja::Error) -> Self {
        RenderError {
            path: match (err.name(), err.line()) {
                (Some(name), Some(line)) => format!("templates/{name}:{line}"),
                (Some(name), None) => format!("templates/{name}"),
                _ => "templates".to_string(),
            },
            message: format!("{err:#}"),
        }
    }
}

/// Site-wide settings the templates need.
#[derive(Debug, Clone, Serialize)]
pub struct SiteMeta {
    /// Absolute base URL for permalinks, citations and the feed, without trailing slash.
    pub base_url: String,
    /// Path prefix for links (the path part of `base_url`), without trailing slash.
    pub root: String,
    /// Date of this build, `YYYY-MM-DD`.
    pub built: String,
    /// Whether the page is served with live search (`serve`) or static only.
    pub dev_reload: bool,
}

/// The minijinja environment with jurisdex's filters and functions.
pub struct Renderer {
    env: Environment<'static>,
}

impl Renderer {
    /// Loads templates from `dir`.
    pub fn new(dir: &Path) -> Renderer {
        let mut env = Environment::new();
        env.set_loader(minijinja::path_loader(dir));
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_auto_reload(false);
        env.set_formatter(html_formatter);
        env.add_filter("date", human_date);
        env.add_filter("anchor", |key: String| {
            SafeguardKey::from_key(&key).map_or(key.clone(), SafeguardKey::anchor)
        });
        env.add_function("label", label);
        env.add_function("symbol", |value: String| {
            Value::from_key(&value)
                .map_or("?", Value::symbol)
                .to_string()
        });
        env.add_global("safeguard_keys", JinjaValue::from(Serde(safeguard_list())));
        env.add_global("value_legend", JinjaValue::from(Serde(value_legend())));
        Renderer { env }
    }

    /// Renders one template with a context.
    pub fn render(&self, template: &str, ctx: JinjaValue) -> Result<String, RenderError> {
        Ok(self.env.get_template(template)?.render(ctx)?)
    }

    /// Renders a page template with the site-wide `meta` and `nav` added to its context.
    pub fn render_page(
        &self,
        template: &str,
        meta: &SiteMeta,
        nav: &Nav,
        ctx: JinjaValue,
    ) -> Result<String, RenderError> {
        self.render(
            template,
            context! { meta => Serde(meta), nav => Serde(nav), ..ctx },
        )
    }

    /// Renders the compare page for a selection; `csv_file` replaces the server's CSV address on
    /// pre-rendered pages (only the form when fewer than two are chosen).
    pub fn render_compare(
        &self,
        site: &Site,
        meta: &SiteMeta,
        selection: &Selection,
        heading: &str,
        csv_file: Option<&str>,
        error: Option<&str>,
    ) -> Result<String, RenderError> {
        let mut view = CompareView::new(site, meta, selection, heading, error);
        if let Some(file) = csv_file {
            view.csv_href = Some(file.to_string());
        }
        self.render_page(
            "compare.html",
            meta,
            &Nav::new(site),
            context! { compare => Serde(view) },
        )
    }

    /// Renders every page of the site, handing each to `sink` as soon as it is rendered (entries
    /// in parallel), so no more than a few pages are held in memory at once.
    pub fn render_site<E>(
        &self,
        site: &Site,
        meta: &SiteMeta,
        sink: &(impl Fn(OutputFile) -> Result<(), E> + Sync),
    ) -> Result<(), E>
    where
        E: From<RenderError> + Send,
    {
        self.render_aggregates(site, meta, sink)?;
        let nav = Nav::new(site);
        site.jurisdictions
            .par_iter()
            .try_for_each(|j| sink(self.render_jurisdiction(site, meta, &nav, j)?))
    }

    /// Renders every page except the jurisdiction pages: the pages that list or compare many
    /// entries (home matrix, topics, comparisons, feed), alias redirects and site pages.
    pub fn render_aggregates<E>(
        &self,
        site: &Site,
        meta: &SiteMeta,
        sink: &impl Fn(OutputFile) -> Result<(), E>,
    ) -> Result<(), E>
    where
        E: From<RenderError>,
    {
        let nav = Nav::new(site);
        let page =
            |path: &str, template: &str, ctx: JinjaValue| -> Result<OutputFile, RenderError> {
                Ok(OutputFile {
                    path: PathBuf::from(path),
                    contents: self.render_page(template, meta, &nav, ctx)?,
                })
            };

        let matrix = Matrix::new(site);
        let listing = SiteListing::new(site);
        sink(page(
            "index.html",
            "index.html",
            context! { matrix => Serde(&matrix), site => Serde(&listing) },
        )?)?;
        sink(page("404.html", "404.html", context! {})?)?;
        sink(page(
            "jurisdictions/index.html",
            "jurisdictions.html",
            context! { site => Serde(&listing), matrix => Serde(&matrix) },
        )?)?;
        sink(page(
            "topics/index.html",
            "topics.html",
            context! { topics => Serde(topic_index(site)) },
        )?)?;
        // The client-side search page: used by the offline bundle and by static hosting without
        // the server (the server answers `/search` itself; this page is `/search/`).
        sink(page(
            crate::bundle::SEARCH_PAGE,
            "offline-search.html",
            context! { root => "../" },
        )?)?;
        for j in &site.jurisdictions {
            for alias in &j.aliases {
                sink(page(
                    &format!("jurisdictions/{alias}/index.html"),
                    "redirect.html",
                    context! { target => format!("{}/jurisdictions/{}/", meta.root, j.id), title => &j.name },
                )?)?;
            }
        }
        for key in SafeguardKey::ALL {
            let topic = site.topics.iter().find(|t| t.key == *key);
            let rows = topic_rows(site, *key);
            sink(page(
                &format!("topics/{}/index.html", key.key()),
                "topic.html",
                context! { key => key.key(), title => key.label(), anchor => key.anchor(), topic => Serde(topic), groups => Serde(rows) },
            )?)?;
        }
        let all_keys = SafeguardKey::ALL.to_vec();
        let empty = Selection {
            jurisdictions: Vec::new(),
            safeguards: all_keys.clone(),
            differences_only: false,
            benchmark: None,
        };
        sink(OutputFile {
            path: PathBuf::from("compare/index.html"),
            contents: self.render_compare(
                site,
                meta,
                &empty,
                "Compare jurisdictions",
                None,
                None,
            )?,
        })?;
        let origin = meta
            .base_url
            .strip_suffix(&meta.root)
            .unwrap_or(&meta.base_url);
        for (grouping, members) in comparable_groupings(site) {
            let selection = Selection {
                jurisdictions: members,
                safeguards: all_keys.clone(),
                differences_only: false,
                benchmark: None,
            };
            let heading = format!("Compare: {}", grouping.name);
            sink(OutputFile {
                path: PathBuf::from(format!("compare/{}/index.html", grouping.id)),
                contents: self.render_compare(
                    site,
                    meta,
                    &selection,
                    &heading,
                    Some(&format!(
                        "{}/compare/{}/compare.csv",
                        meta.root, grouping.id
                    )),
                    None,
                )?,
            })?;
            sink(OutputFile {
                path: PathBuf::from(format!("compare/{}/compare.csv", grouping.id)),
                contents: compare::to_csv(&compare::table(&selection, &meta.root), origin),
            })?;
        }
        sink(page(
            "collections/index.html",
            "collections.html",
            context! { collections => Serde(&site.collections) },
        )?)?;
        for collection in &site.collections {
            sink(page(
                &format!("collections/{}/index.html", collection.id),
                "collection.html",
                context! { c => Serde(collection), view => Serde(CollectionView::new(site, meta, collection)) },
            )?)?;
        }
        let mut by_review: Vec<&Jurisdiction> = site.jurisdictions.iter().collect();
        by_review.sort_by(|a, b| {
            b.last_reviewed
                .cmp(&a.last_reviewed)
                .then_with(|| a.name.cmp(&b.name))
        });
        let updated = by_review
            .first()
            .map_or_else(|| meta.built.clone(), |j| j.last_reviewed.to_string());
        let by_review: Vec<Listed> = by_review.into_iter().map(Listed::new).collect();
        sink(page(
            "feed.xml",
            "feed.xml",
            context! { entries => Serde(by_review), updated => updated },
        )?)?;
        for p in &site.pages {
            sink(page(
                &format!("{}/index.html", p.id),
                "page.html",
                context! { page => Serde(p) },
            )?)?;
        }
        Ok(())
    }

    /// Renders one jurisdiction's page.
    pub fn render_jurisdiction(
        &self,
        site: &Site,
        meta: &SiteMeta,
        nav: &Nav,
        j: &Jurisdiction,
    ) -> Result<OutputFile, RenderError> {
        let view = JurisdictionView::new(j, site);
        Ok(OutputFile {
            path: PathBuf::from(format!("jurisdictions/{}/index.html", j.id)),
            contents: self.render_page(
                "jurisdiction.html",
                meta,
                nav,
                context! { j => Serde(j), view => Serde(view) },
            )?,
        })
    }
}

/// The site as the pages listing every entry (home, entries index) see it.
#[derive(Serialize)]
struct SiteListing<'a> {
    taxonomy: &'a Taxonomy,
    jurisdictions: Vec<Listed<'a>>,
}

impl<'a> SiteListing<'a> {
    fn new(site: &'a Site) -> SiteListing<'a> {
        SiteListing {
            taxonomy: &site.taxonomy,
            jurisdictions: site.jurisdictions.iter().map(Listed::new).collect(),
        }
    }
}

/// An entry in a list of every entry (entries index, feed): without its rendered body, which
/// templates would otherwise receive as a copy of every entry's whole text.
#[derive(Serialize)]
struct Listed<'a> {
    id: &'a str,
    name: &'a str,
    iso: &'a str,
    summary: &'a str,
    last_reviewed: &'a Date,
    entry_status: EntryStatus,
    changelog: &'a [ChangelogLine],
    instruments: &'a [Instrument],
    powers: &'a [Power],
    safeguards: &'a Safeguards,
}

impl<'a> Listed<'a> {
    fn new(j: &'a Jurisdiction) -> Listed<'a> {
        Listed {
            id: &j.id,
            name: &j.name,
            iso: &j.iso,
            summary: &j.summary,
            last_reviewed: &j.last_reviewed,
            entry_status: j.entry_status,
            changelog: &j.changelog,
            instruments: &j.instruments,
            powers: &j.powers,
            safeguards: &j.safeguards,
        }
    }
}

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
    /// The navigation of a site.
    pub fn new(site: &Site) -> Nav {
        Nav {
            pages: site
                .pages
                .iter()
                .map(|p| NavItem {
                    id: p.id.clone(),
                    title: p.title.clone(),
                })
                .collect(),
        }
    }
}

/// The jurisdictions × safeguards matrix on the home page.
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
    pub note: String,
}

impl Matrix {
    /// Builds the matrix from every jurisdiction, in name order.
    pub fn new(site: &Site) -> Matrix {
        Matrix {
            rows: site
                .jurisdictions
                .iter()
                .map(|j| MatrixRow {
                    id: j.id.clone(),
                    name: j.name.clone(),
                    iso: j.iso.clone(),
                    region: j.region.clone(),
                    groupings: j.groupings.clone(),
                    score: j.safeguard_score(),
                    entry_status: j.entry_status,
                    cells: j
                        .safeguards
                        .iter()
                        .map(|(key, a)| MatrixCell {
                            key,
                            value: a.value,
                            confidence: a.confidence,
                            href: format!("jurisdictions/{}/#{}", j.id, key.anchor()),
                            note: a.note.clone(),
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}

/// Lookups a jurisdiction page needs beside the entry itself.
#[derive(Debug, Serialize)]
struct JurisdictionView<'a> {
    instrument_titles: BTreeMap<&'a str, String>,
    sources: BTreeMap<&'a str, &'a crate::model::Source>,
    /// Case numbers (1-based) per instrument id, to tie rulings to the provisions they affected.
    cases_by_instrument: BTreeMap<&'a str, Vec<usize>>,
    /// Distinct ordering authorities with their type, in order of first appearance.
    authorities: Vec<String>,
    region_name: String,
    grouping_names: Vec<(String, String)>,
    warnings: usize,
}

impl<'a> JurisdictionView<'a> {
    fn new(j: &'a Jurisdiction, site: &Site) -> JurisdictionView<'a> {
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
            region_name: site
                .taxonomy
                .regions
                .iter()
                .find(|r| r.id == j.region)
                .map_or_else(|| j.region.clone(), |r| r.name.clone()),
            grouping_names: j
                .groupings
                .iter()
                .map(|g| {
                    let name = site
                        .taxonomy
                        .groupings
                        .iter()
                        .find(|t| &t.id == g)
                        .map_or_else(|| g.clone(), |t| t.name.clone());
                    (g.clone(), name)
                })
                .collect(),
            warnings: unsure,
        }
    }
}

/// The compare page: the selection form and, when complete, the table.
#[derive(Debug, Serialize)]
struct CompareView<'a> {
    heading: &'a str,
    error: Option<&'a str>,
    table: Option<Table>,
    choices: Vec<Choice>,
    safeguards: Vec<Choice>,
    differences_only: bool,
    benchmark: Option<String>,
    /// The CSV of exactly this view.
    csv_href: Option<String>,
    /// This view's shareable address.
    self_href: String,
    groupings: Vec<(String, String)>,
    min: usize,
    max: usize,
}

/// One checkbox of the compare form.
#[derive(Debug, Serialize)]
struct Choice {
    key: String,
    label: String,
    checked: bool,
}

impl<'a> CompareView<'a> {
    fn new(
        site: &Site,
        meta: &SiteMeta,
        selection: &Selection,
        heading: &'a str,
        error: Option<&'a str>,
    ) -> Self {
        let chosen: Vec<&str> = selection
            .jurisdictions
            .iter()
            .map(|j| j.id.as_str())
            .collect();
        let keys: Vec<&str> = selection.safeguards.iter().map(|k| k.key()).collect();
        let mut query = format!("j={}", chosen.join(","));
        if keys.len() < SafeguardKey::ALL.len() {
            query.push_str(&format!("&t={}", keys.join(",")));
        }
        if selection.differences_only {
            query.push_str("&diff=1");
        }
        if let Some(b) = selection.benchmark {
            query.push_str(&format!("&bench={}", b.id));
        }
        let complete = selection.is_complete();
        CompareView {
            heading,
            error,
            table: complete.then(|| compare::table(selection, &meta.root)),
            choices: site
                .jurisdictions
                .iter()
                .map(|j| Choice {
                    key: j.id.clone(),
                    label: j.name.clone(),
                    checked: chosen.contains(&j.id.as_str()),
                })
                .collect(),
            safeguards: SafeguardKey::ALL
                .iter()
                .map(|k| Choice {
                    key: k.key().to_string(),
                    label: k.label().to_string(),
                    checked: keys.contains(&k.key()),
                })
                .collect(),
            differences_only: selection.differences_only,
            benchmark: selection.benchmark.map(|b| b.id.clone()),
            csv_href: complete.then(|| format!("{}/compare/?{query}&format=csv", meta.root)),
            self_href: format!("{}/compare/?{query}", meta.root),
            groupings: comparable_groupings(site)
                .map(|(g, _)| (g.id.clone(), g.name.clone()))
                .collect(),
            min: compare::MIN_CHOSEN,
            max: compare::MAX_CHOSEN,
        }
    }
}

/// A workshop reading list with resolved titles, links and QR codes.
#[derive(Debug, Serialize)]
struct CollectionView {
    url: String,
    qr: Option<String>,
    items: Vec<CollectionItemView>,
}

#[derive(Debug, Serialize)]
struct CollectionItemView {
    title: String,
    href: String,
    url: String,
    note: String,
    qr: Option<String>,
}

impl CollectionView {
    fn new(site: &Site, meta: &SiteMeta, collection: &crate::model::Collection) -> CollectionView {
        let origin = meta
            .base_url
            .strip_suffix(&meta.root)
            .unwrap_or(&meta.base_url);
        let url = format!("{}/collections/{}/", meta.base_url, collection.id);
        CollectionView {
            qr: crate::qr::svg(&url, &format!("QR code for {url}")),
            url,
            items: collection
                .items
                .iter()
                .map(|item| {
                    let href = format!("{}{}", meta.root, item.target);
                    let url = format!("{origin}{href}");
                    CollectionItemView {
                        title: item.title.clone().unwrap_or_else(|| {
                            crate::collection::resolve(site, &item.target)
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

/// Groupings with enough members to compare, with their members.
fn comparable_groupings(site: &Site) -> impl Iterator<Item = (&Group, Vec<&Jurisdiction>)> {
    site.taxonomy.groupings.iter().filter_map(|g| {
        let members: Vec<&Jurisdiction> = site
            .jurisdictions
            .iter()
            .filter(|j| j.groupings.contains(&g.id))
            .collect();
        (members.len() >= compare::MIN_CHOSEN).then_some((g, members))
    })
}

/// Jurisdictions grouped by their value for one safeguard (for topic pages).
#[derive(Debug, Serialize)]
struct TopicGroup {
    value: Value,
    rows: Vec<TopicRow>,
}

#[derive(Debug, Serialize)]
struct TopicRow {
    id: String,
    name: String,
    note: String,
    confidence: Confidence,
    provisions: Vec<String>,
}

fn topic_rows(site: &Site, key: SafeguardKey) -> Vec<TopicGroup> {
    Value::ALL
        .iter()
        .map(|&value| TopicGroup {
            value,
            rows: site
                .jurisdictions
                .iter()
                .filter(|j| j.safeguards.get(key).value == value)
                .map(|j| {
                    let a = j.safeguards.get(key);
                    TopicRow {
                        id: j.id.clone(),
                        name: j.name.clone(),
                        note: a.note.clone(),
                        confidence: a.confidence,
                        provisions: a.provisions.iter().map(|p| j.reference_label(p)).collect(),
                    }
                })
                .collect(),
        })
        .filter(|g| !g.rows.is_empty())
        .collect()
}

/// One line of the topics index: a safeguard, with its question and summary where written.
#[derive(Serialize)]
struct TopicSummary {
    key: &'static str,
    label: &'static str,
    question: Option<String>,
    summary: Option<String>,
}

fn topic_index(site: &Site) -> Vec<TopicSummary> {
    SafeguardKey::ALL
        .iter()
        .map(|&key| {
            let topic = site.topics.iter().find(|t| t.key == key);
            TopicSummary {
                key: key.key(),
                label: key.label(),
                question: topic.map(|t| t.question.clone()),
                summary: topic.map(|t| t.summary.clone()),
            }
        })
        .collect()
}

#[derive(Serialize)]
struct KeyLabel {
    key: &'static str,
    label: &'static str,
    anchor: String,
}

fn safeguard_list() -> Vec<KeyLabel> {
    SafeguardKey::ALL
        .iter()
        .map(|k| KeyLabel {
            key: k.key(),
            label: k.label(),
            anchor: k.anchor(),
        })
        .collect()
}

#[derive(Serialize)]
struct LegendItem {
    key: &'static str,
    label: &'static str,
    symbol: &'static str,
    meaning: &'static str,
}

fn value_legend() -> Vec<LegendItem> {
    Value::ALL
        .iter()
        .map(|v| LegendItem {
            key: v.key(),
            label: v.label(),
            symbol: v.symbol(),
            meaning: match v {
                Value::Yes => "the law provides this safeguard",
                Value::Partial => "provided in part, or only for some powers",
                Value::No => "the law excludes it or provides the opposite",
                Value::Silent => "the law says nothing on it",
                Value::Unknown => "not yet researched",
            },
        })
        .collect()
}

/// Autoescape like minijinja's default, but leaves `/` alone so URLs stay readable in the HTML
/// (`&`, `<`, `>`, `"` and `'` are still escaped).
fn html_formatter(
    out: &mut minijinja::Output,
    state: &mut minijinja::State,
    value: &JinjaValue,
) -> Result<(), minijinja::Error> {
    match value.as_str() {
        Some(text)
            if matches!(state.auto_escape(), minijinja::AutoEscape::Html) && !value.is_safe() =>
        {
            let mut escaped = String::with_capacity(text.len() + 8);
            for c in text.chars() {
                match c {
                    '&' => escaped.push_str("&amp;"),
                    '<' => escaped.push_str("&lt;"),
                    '>' => escaped.push_str("&gt;"),
                    '"' => escaped.push_str("&quot;"),
                    '\'' => escaped.push_str("&#x27;"),
                    _ => escaped.push(c),
                }
            }
            out.write_str(&escaped).map_err(minijinja::Error::from)
        }
        _ => minijinja::escape_formatter(out, state, value),
    }
}

/// `label("value", "yes")` → `Yes`: the human label of any vocabulary key.
fn label(vocabulary: String, key: String) -> String {
    let found = match vocabulary.as_str() {
        "value" => Value::from_key(&key).map(Value::label),
        "confidence" => Confidence::from_key(&key).map(Confidence::label),
        "status" => InstrumentStatus::from_key(&key).map(InstrumentStatus::label),
        "type" => InstrumentType::from_key(&key).map(InstrumentType::label),
        "authority" => AuthorityType::from_key(&key).map(AuthorityType::label),
        "action" => Action::from_key(&key).map(Action::label),
        "outcome" => Outcome::from_key(&key).map(Outcome::label),
        "safeguard" => SafeguardKey::from_key(&key).map(SafeguardKey::label),
        "source_kind" => SourceKind::from_key(&key).map(SourceKind::label),
        "entry_status" => EntryStatus::from_key(&key).map(EntryStatus::label),
        _ => None,
    };
    found.map_or(key, str::to_string)
}

/// The `date` filter: `2024-01-02` → `2 January 2024`; leaves other text alone.
fn human_date(text: String) -> String {
    Date::parse(&text).map_or(text, |d| d.human())
}
