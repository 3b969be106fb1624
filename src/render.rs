//! Renders entries and the [`Catalog`] to HTML pages in memory with minijinja; writes nothing.
//!
//! Templates get `#[derive(Serialize)]` view structs, autoescape is on (by `.html`/`.xml`
//! extension) and undefined variables are errors, so a misspelt name fails the build.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use minijinja::value::{Serde, Value as JinjaValue};
use minijinja::{Environment, UndefinedBehavior, context};
use rayon::prelude::*;
use serde::Serialize;

use crate::catalog::compare::{self, Selection, Table};
use crate::catalog::{Catalog, Summary};
use crate::model::{
    Action, AuthorityType, Confidence, CourtRole, Date, EntryStatus, Group, InstrumentStatus,
    InstrumentType, Jurisdiction, Outcome, Page, SafeguardKey, SourceKind, Taxonomy, Value,
};
use crate::routes;

/// Rows per page of the pages that list entries: the home matrix, the entries list and each
/// safeguard's topic page. A site of up to this many entries shows each list on one page.
pub const PAGE_SIZE: usize = 50;
/// Jurisdictions per page of a grouping's ready-made comparison.
pub const COMPARE_PAGE_SIZE: usize = 60;
/// Entries in the Atom feed: the most recently reviewed.
pub const FEED_ENTRIES: usize = 50;

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
        env.add_function("anchor_of", anchor_of);
        env.add_function("url", url);
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

    /// Renders the compare page for a selection (only the form when fewer than two are chosen).
    pub fn render_compare(
        &self,
        catalog: &Catalog,
        meta: &SiteMeta,
        selection: &Selection,
        page: &ComparePage,
    ) -> Result<String, RenderError> {
        let mut view = CompareView::new(catalog, meta, selection, page.heading, page.error);
        if let Some(file) = page.csv_file {
            view.csv_href = Some(file.to_string());
        }
        self.render_page(
            "compare.html",
            meta,
            &Nav::new(&catalog.pages),
            context! { compare => Serde(view), pager => Serde(page.pager) },
        )
    }

    /// Renders the pages that do not show entry data: alias redirects, indexes of topics and
    /// collections, the compare form, the search page, the 404 page and the site pages. They
    /// change only when entries are added, removed or renamed.
    pub fn render_fixed<E>(
        &self,
        catalog: &Catalog,
        meta: &SiteMeta,
        sink: &impl Fn(OutputFile) -> Result<(), E>,
    ) -> Result<(), E>
    where
        E: From<RenderError>,
    {
        let nav = Nav::new(&catalog.pages);
        let page =
            |path: &str, template: &str, ctx: JinjaValue| -> Result<OutputFile, RenderError> {
                Ok(OutputFile {
                    path: PathBuf::from(path),
                    contents: self.render_page(template, meta, &nav, ctx)?,
                })
            };
        sink(page("404.html", "404.html", context! {})?)?;
        sink(page(
            "topics/index.html",
            "topics.html",
            context! { topics => Serde(topic_index(catalog)) },
        )?)?;
        // The client-side search page: used by the offline bundle and by static hosting without
        // the server (the server answers `/search` itself; this page is `/search/`).
        sink(page(
            crate::routes::SEARCH_PAGE_FILE,
            "offline-search.html",
            context! { root => "../" },
        )?)?;
        for j in &catalog.entries {
            for alias in &j.aliases {
                sink(page(
                    &routes::index_file(&routes::jurisdiction(alias)),
                    "redirect.html",
                    context! { target => format!("{}{}", meta.root, routes::jurisdiction(&j.id)), title => &j.name },
                )?)?;
            }
        }
        let empty = Selection {
            jurisdictions: Vec::new(),
            safeguards: SafeguardKey::ALL.to_vec(),
            differences_only: false,
            benchmark: None,
        };
        sink(OutputFile {
            path: PathBuf::from("compare/index.html"),
            contents: self.render_compare(
                catalog,
                meta,
                &empty,
                &ComparePage::titled("Compare jurisdictions"),
            )?,
        })?;
        sink(page(
            "collections/index.html",
            "collections.html",
            context! { collections => Serde(&catalog.collections) },
        )?)?;
        for p in &catalog.pages {
            sink(page(
                &routes::index_file(&routes::page(&p.id)),
                "page.html",
                context! { page => Serde(p) },
            )?)?;
        }
        Ok(())
    }

    /// Renders the given listing pages of `catalog` in parallel, handing each file to `sink`.
    pub fn render_listings<E>(
        &self,
        catalog: &Catalog,
        meta: &SiteMeta,
        listings: &[Listing],
        sink: &(impl Fn(OutputFile) -> Result<(), E> + Sync),
    ) -> Result<(), E>
    where
        E: From<RenderError> + Send,
    {
        let nav = Nav::new(&catalog.pages);
        listings
            .par_iter()
            .try_for_each(|listing| -> Result<(), E> {
                for file in self.render_listing(catalog, meta, &nav, listing)? {
                    sink(file)?;
                }
                Ok(())
            })
    }

    /// The file(s) of one listing page.
    fn render_listing(
        &self,
        catalog: &Catalog,
        meta: &SiteMeta,
        nav: &Nav,
        listing: &Listing,
    ) -> Result<Vec<OutputFile>, RenderError> {
        let rows = || -> Vec<&Summary> {
            listing
                .members
                .iter()
                .map(|&i| &*catalog.entries[i])
                .collect()
        };
        let html =
            |path: String, template: &str, ctx: JinjaValue| -> Result<OutputFile, RenderError> {
                Ok(OutputFile {
                    path: PathBuf::from(path),
                    contents: self.render_page(template, meta, nav, ctx)?,
                })
            };
        let pager = listing.pager(&meta.root);
        Ok(match &listing.kind {
            ListingKind::Matrix => {
                let rows: Vec<MatrixRow> = rows().into_iter().map(MatrixRow::new).collect();
                vec![html(
                    listing.file(),
                    "index.html",
                    context! { matrix => Serde(Matrix { rows }), taxonomy => Serde(&catalog.taxonomy), pager => Serde(&pager), total => catalog.entries.len() },
                )?]
            }
            ListingKind::Entries => vec![html(
                listing.file(),
                "jurisdictions.html",
                context! { entries => Serde(rows()), pager => Serde(&pager), total => catalog.entries.len() },
            )?],
            ListingKind::Topic(key) => {
                let topic = catalog.topics.iter().find(|t| t.key == *key);
                vec![html(
                    listing.file(),
                    "topic.html",
                    context! {
                        key => key.key(), title => key.label(), anchor => key.anchor(),
                        topic => Serde(topic), groups => Serde(topic_groups(&rows(), *key)),
                        counts => Serde(value_counts(&listing.tally)), pager => Serde(&pager),
                        total => catalog.entries.len(),
                    },
                )?]
            }
            ListingKind::Compare(grouping) => {
                let selection = Selection {
                    jurisdictions: rows(),
                    safeguards: SafeguardKey::ALL.to_vec(),
                    differences_only: false,
                    benchmark: None,
                };
                let name = catalog
                    .taxonomy
                    .groupings
                    .iter()
                    .find(|g| &g.id == grouping)
                    .map_or(grouping.as_str(), |g| g.name.as_str());
                let heading = format!("Compare: {name}");
                let csv = format!("{}compare.csv", listing.dir());
                let origin = meta
                    .base_url
                    .strip_suffix(&meta.root)
                    .unwrap_or(&meta.base_url);
                vec![
                    OutputFile {
                        path: PathBuf::from(listing.file()),
                        contents: self.render_compare(
                            catalog,
                            meta,
                            &selection,
                            &ComparePage {
                                csv_file: Some(&format!("{}/{csv}", meta.root)),
                                pager: Some(&pager),
                                ..ComparePage::titled(&heading)
                            },
                        )?,
                    },
                    OutputFile {
                        path: PathBuf::from(csv),
                        contents: compare::to_csv(&compare::table(&selection, &meta.root), origin),
                    },
                ]
            }
            ListingKind::Feed => {
                let entries = rows();
                let updated = entries
                    .first()
                    .map_or_else(|| meta.built.clone(), |j| j.last_reviewed.to_string());
                vec![html(
                    "feed.xml".to_string(),
                    "feed.xml",
                    context! { entries => Serde(entries), updated => updated },
                )?]
            }
            ListingKind::Collection(id) => {
                let Some(collection) = catalog.collections.iter().find(|c| &c.id == id) else {
                    return Ok(Vec::new());
                };
                vec![html(
                    listing.file(),
                    "collection.html",
                    context! { c => Serde(collection), view => Serde(CollectionView::new(catalog, meta, collection)) },
                )?]
            }
        })
    }

    /// Renders one jurisdiction's page.
    pub fn render_jurisdiction(
        &self,
        taxonomy: &Taxonomy,
        meta: &SiteMeta,
        nav: &Nav,
        j: &Jurisdiction,
    ) -> Result<OutputFile, RenderError> {
        let view = JurisdictionView::new(j, taxonomy);
        Ok(OutputFile {
            path: PathBuf::from(routes::index_file(&routes::jurisdiction(&j.id))),
            contents: self.render_page(
                "jurisdiction.html",
                meta,
                nav,
                context! { j => Serde(j), view => Serde(view) },
            )?,
        })
    }
}

/// How a compare page is titled and what it adds to the table.
#[derive(Debug, Clone, Copy)]
pub struct ComparePage<'a> {
    pub heading: &'a str,
    /// A message above the form (a bad selection).
    pub error: Option<&'a str>,
    /// The pre-rendered CSV beside a grouping's page, instead of the server's CSV address.
    pub csv_file: Option<&'a str>,
    /// A grouping comparison's place in its pages.
    pub pager: Option<&'a Pager>,
}

impl<'a> ComparePage<'a> {
    /// A compare page with this heading and nothing else.
    pub fn titled(heading: &'a str) -> ComparePage<'a> {
        ComparePage {
            heading,
            error: None,
            csv_file: None,
            pager: None,
        }
    }
}

/// What a page listing or comparing entries shows.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ListingKind {
    /// The safeguards matrix: `/`, then `/page/<n>/`.
    Matrix,
    /// The entries list: `/jurisdictions/`, then `/jurisdictions/page/<n>/`.
    Entries,
    /// One safeguard across entries: `/topics/<key>/`, then `…/page/<n>/`.
    Topic(SafeguardKey),
    /// A grouping's side-by-side comparison and its CSV: `/compare/<grouping>/`, then `…/page/<n>/`.
    Compare(String),
    /// The Atom feed of the latest reviews.
    Feed,
    /// A workshop collection, which titles its items from entry data.
    Collection(String),
}

/// One page that lists or compares entries: which entries (indices into the catalog, in display
/// order) and where it sits in its sequence of pages. Comparing two catalogs' listings tells an
/// incremental rebuild which pages an edit changes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Listing {
    pub kind: ListingKind,
    /// 1-based page number.
    pub number: usize,
    /// Pages in the sequence.
    pub count: usize,
    /// Entries in the whole sequence.
    pub total: usize,
    /// The page's entries, as indices into the catalog.
    pub members: Vec<usize>,
    /// What the page shows besides its members' rows (a topic's counts per value).
    pub tally: Vec<usize>,
}

impl Listing {
    /// The directory of the page, relative to the site root (`""`, `topics/x/page/2/`).
    fn dir(&self) -> String {
        let base = match &self.kind {
            ListingKind::Matrix | ListingKind::Feed => String::new(),
            ListingKind::Entries => "jurisdictions/".to_string(),
            ListingKind::Topic(key) => format!("topics/{}/", key.key()),
            ListingKind::Compare(grouping) => format!("compare/{grouping}/"),
            ListingKind::Collection(id) => format!("collections/{id}/"),
        };
        page_dir(&base, self.number)
    }

    /// The file written for the page, relative to the site root.
    pub fn file(&self) -> String {
        match self.kind {
            ListingKind::Feed => "feed.xml".to_string(),
            _ => format!("{}index.html", self.dir()),
        }
    }

    fn base(&self) -> String {
        Listing {
            number: 1,
            ..self.clone()
        }
        .dir()
    }

    /// The page's place in its sequence, with links.
    fn pager(&self, root: &str) -> Pager {
        let base = self.base();
        let href = |n: usize| format!("{root}/{}", page_dir(&base, n));
        let size = match self.kind {
            ListingKind::Compare(_) => COMPARE_PAGE_SIZE,
            _ => PAGE_SIZE,
        };
        let first = (self.number - 1) * size + usize::from(self.total > 0);
        let mut links = Vec::new();
        for n in 1..=self.count {
            let near = n.abs_diff(self.number) <= 2 || n == 1 || n == self.count;
            if near {
                links.push(PagerLink {
                    number: n,
                    href: href(n),
                    current: n == self.number,
                });
            } else if links.last().is_some_and(|l: &PagerLink| l.number != 0) {
                links.push(PagerLink {
                    number: 0,
                    href: String::new(),
                    current: false,
                });
            }
        }
        Pager {
            number: self.number,
            count: self.count,
            first,
            last: (first + self.members.len()).saturating_sub(1).max(first),
            total: self.total,
            prev: (self.number > 1).then(|| href(self.number - 1)),
            next: (self.number < self.count).then(|| href(self.number + 1)),
            links,
        }
    }
}

/// `base` for page 1, `base` + `page/<n>/` after.
fn page_dir(base: &str, number: usize) -> String {
    if number <= 1 {
        base.to_string()
    } else {
        format!("{base}page/{number}/")
    }
}

/// Where a listing page sits in its sequence, for the "Page 2 of 7" navigation.
#[derive(Debug, Serialize)]
pub struct Pager {
    number: usize,
    count: usize,
    /// 1-based positions of the first and last row shown, of `total`.
    first: usize,
    last: usize,
    total: usize,
    prev: Option<String>,
    next: Option<String>,
    /// Numbered links: the first, the last and two either side of this page; `number` 0 is a gap.
    links: Vec<PagerLink>,
}

#[derive(Debug, Serialize)]
struct PagerLink {
    number: usize,
    href: String,
    current: bool,
}

/// Cuts `members` into pages of `size` (one empty page when there are none).
fn paged(kind: ListingKind, members: Vec<usize>, size: usize, tally: Vec<usize>) -> Vec<Listing> {
    let total = members.len();
    let count = total.div_ceil(size).max(1);
    let mut chunks: Vec<Vec<usize>> = members.chunks(size).map(<[usize]>::to_vec).collect();
    if chunks.is_empty() {
        chunks.push(Vec::new());
    }
    chunks
        .into_iter()
        .enumerate()
        .map(|(n, members)| Listing {
            kind: kind.clone(),
            number: n + 1,
            count,
            total,
            members,
            tally: tally.clone(),
        })
        .collect()
}

/// The listing pages of `after` that differ from those of `before` once the entries at `changed`
/// were edited in place: the pages showing an edited entry, every page of a topic whose rating an
/// edit changed (its groups and counts move), and the feed when a review date changed. Both
/// catalogs must hold the same entries in the same order with the same names, regions and
/// groupings (what an incremental rebuild requires), so no other page's rows can differ.
pub fn stale_listings(before: &Catalog, after: &Catalog, changed: &[usize]) -> Vec<Listing> {
    if changed.is_empty() {
        return Vec::new();
    }
    let moved = |key: SafeguardKey| {
        changed
            .iter()
            .any(|&i| before.entries[i].rating(key).value != after.entries[i].rating(key).value)
    };
    let moved_topics: Vec<SafeguardKey> = SafeguardKey::ALL
        .iter()
        .copied()
        .filter(|&k| moved(k))
        .collect();
    let feed_moved = changed
        .iter()
        .any(|&i| before.entries[i].last_reviewed != after.entries[i].last_reviewed);
    listings(after)
        .into_iter()
        .filter(|listing| {
            listing.members.iter().any(|m| changed.contains(m))
                || match &listing.kind {
                    ListingKind::Topic(key) => moved_topics.contains(key),
                    ListingKind::Feed => feed_moved,
                    _ => false,
                }
        })
        .collect()
}

/// Every page of `catalog` that lists or compares entries.
pub fn listings(catalog: &Catalog) -> Vec<Listing> {
    let all: Vec<usize> = (0..catalog.entries.len()).collect();
    let mut out = paged(ListingKind::Matrix, all.clone(), PAGE_SIZE, Vec::new());
    out.extend(paged(ListingKind::Entries, all, PAGE_SIZE, Vec::new()));
    for key in SafeguardKey::ALL {
        // Entries by value (in display order), then in name order: one pass into a bucket each.
        let mut by_value: Vec<Vec<usize>> = vec![Vec::new(); Value::ALL.len()];
        for (i, j) in catalog.entries.iter().enumerate() {
            let value = j.rating(*key).value;
            let rank = Value::ALL.iter().position(|v| *v == value).unwrap_or(0);
            by_value[rank].push(i);
        }
        let tally = by_value.iter().map(Vec::len).collect();
        out.extend(paged(
            ListingKind::Topic(*key),
            by_value.concat(),
            PAGE_SIZE,
            tally,
        ));
    }
    for (grouping, members) in comparable_groupings(catalog) {
        out.extend(paged(
            ListingKind::Compare(grouping.id.clone()),
            members,
            COMPARE_PAGE_SIZE,
            Vec::new(),
        ));
    }
    let mut by_review: Vec<usize> = (0..catalog.entries.len()).collect();
    let latest_first = |&a: &usize, &b: &usize| {
        let (a, b) = (&catalog.entries[a], &catalog.entries[b]);
        b.last_reviewed
            .cmp(&a.last_reviewed)
            .then_with(|| a.name.cmp(&b.name))
            .then_with(|| a.id.cmp(&b.id))
    };
    if by_review.len() > FEED_ENTRIES {
        by_review.select_nth_unstable_by(FEED_ENTRIES, latest_first);
        by_review.truncate(FEED_ENTRIES);
    }
    by_review.sort_by(latest_first);
    out.push(Listing {
        kind: ListingKind::Feed,
        number: 1,
        count: 1,
        total: by_review.len(),
        members: by_review,
        tally: Vec::new(),
    });
    for collection in &catalog.collections {
        let referenced =
            crate::catalog::collection::referenced_ids(std::slice::from_ref(collection));
        out.push(Listing {
            kind: ListingKind::Collection(collection.id.clone()),
            number: 1,
            count: 1,
            total: 0,
            members: (0..catalog.entries.len())
                .filter(|&i| referenced.contains(&catalog.entries[i].id))
                .collect(),
            tally: Vec::new(),
        });
    }
    out
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
    pub note: String,
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
                    note: a.note.clone(),
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
    fn new(j: &'a Jurisdiction, taxonomy: &Taxonomy) -> JurisdictionView<'a> {
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
        }
    }
}

/// The compare page: the selection form and, when complete, the table.
#[derive(Debug, Serialize)]
struct CompareView<'a> {
    heading: &'a str,
    error: Option<&'a str>,
    table: Option<Table>,
    /// A checkbox per entry, or none when there are too many (see [`FORM_CHOICES_MAX`]).
    choices: Vec<Choice>,
    /// The chosen ids, for the typed form.
    typed: String,
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

/// Up to this many entries, the compare form offers a checkbox (and a benchmark option) for each;
/// above, it takes ids or ISO codes typed as a comma-separated list.
pub const FORM_CHOICES_MAX: usize = 100;

/// One checkbox of the compare form.
#[derive(Debug, Serialize)]
struct Choice {
    key: String,
    label: String,
    checked: bool,
}

impl<'a> CompareView<'a> {
    fn new(
        catalog: &Catalog,
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
            choices: if catalog.entries.len() <= FORM_CHOICES_MAX {
                catalog
                    .entries
                    .iter()
                    .map(|j| Choice {
                        key: j.id.clone(),
                        label: j.name.clone(),
                        checked: chosen.contains(&j.id.as_str()),
                    })
                    .collect()
            } else {
                Vec::new()
            },
            typed: chosen.join(", "),
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
            groupings: comparable_groupings(catalog)
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
    fn new(
        catalog: &Catalog,
        meta: &SiteMeta,
        collection: &crate::model::Collection,
    ) -> CollectionView {
        let origin = meta
            .base_url
            .strip_suffix(&meta.root)
            .unwrap_or(&meta.base_url);
        let url = format!("{}{}", meta.base_url, routes::collection(&collection.id));
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

/// Groupings with enough members to compare, with their members (indices into the catalog).
fn comparable_groupings(catalog: &Catalog) -> impl Iterator<Item = (&Group, Vec<usize>)> {
    catalog.taxonomy.groupings.iter().filter_map(|g| {
        let members: Vec<usize> = (0..catalog.entries.len())
            .filter(|&i| catalog.entries[i].groupings.contains(&g.id))
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

/// The rows of one page of a topic, grouped by value (they arrive sorted by value).
fn topic_groups(rows: &[&Summary], key: SafeguardKey) -> Vec<TopicGroup> {
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
struct ValueCount {
    value: Value,
    count: usize,
}

/// A topic listing's tally (entries per value, in display order) as counts to show.
fn value_counts(tally: &[usize]) -> Vec<ValueCount> {
    Value::ALL
        .iter()
        .zip(tally)
        .map(|(&value, &count)| ValueCount { value, count })
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

fn topic_index(catalog: &Catalog) -> Vec<TopicSummary> {
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
            crate::html::write_escaped(out, text).map_err(minijinja::Error::from)
        }
        _ => minijinja::escape_formatter(out, state, value),
    }
}

/// `anchor_of("power", "pta-s37")` → `power-pta-s37`: the anchors of [`routes`], for templates.
fn anchor_of(kind: String, id: String) -> Result<String, minijinja::Error> {
    Ok(match kind.as_str() {
        "instrument" => routes::instrument_anchor(&id),
        "power" => routes::power_anchor(&id),
        "case" => routes::case_anchor(&id),
        "source" => routes::source_anchor(&id),
        _ => return Err(unknown_route("anchor", &kind)),
    })
}

/// `url("jurisdiction", "pakistan")` → `/jurisdictions/pakistan/`: the paths of [`routes`], for
/// templates (which put `meta.root` before them).
fn url(kind: String, id: String) -> Result<String, minijinja::Error> {
    Ok(match kind.as_str() {
        "jurisdiction" => routes::jurisdiction(&id),
        "topic" => routes::topic(&id),
        "page" => routes::page(&id),
        "grouping_compare" => routes::grouping_compare(&id),
        "collection" => routes::collection(&id),
        _ => return Err(unknown_route("url", &kind)),
    })
}

/// A template asked for a kind of address the site does not have.
fn unknown_route(function: &str, kind: &str) -> minijinja::Error {
    minijinja::Error::new(
        minijinja::ErrorKind::InvalidOperation,
        format!("{function}(): no kind `{kind}`"),
    )
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
        "court_role" => CourtRole::from_key(&key).map(CourtRole::label),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_is_escaped_except_slashes_and_safe_values() {
        let mut env = Environment::new();
        env.set_formatter(html_formatter);
        env.add_template("t.html", "{{ text }}|{{ safe }}").unwrap();
        let rendered = env
            .get_template("t.html")
            .unwrap()
            .render(context! {
                text => "a/b & <c> \"d\" 'e' é&&",
                safe => JinjaValue::from_safe_string("<b>&</b>".into()),
            })
            .unwrap();
        assert_eq!(
            rendered,
            "a/b &amp; &lt;c&gt; &quot;d&quot; &#39;e&#39; é&amp;&amp;|<b>&</b>"
        );
    }
}
