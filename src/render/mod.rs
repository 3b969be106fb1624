//! Renders entries and the [`Catalog`] to HTML pages in memory with minijinja; writes nothing.
//!
//! Templates get `#[derive(Serialize)]` view structs, autoescape is on (by `.html`/`.xml`
//! extension) and undefined variables are errors, so a misspelt name fails the build.

mod compare_view;
mod environment;
mod frameworks;
mod history;
mod listings;
mod passages;
mod places;
mod reviews;
mod tile_map;
mod views;
pub use compare_view::*;
use environment::*;
pub use history::HistoryFiles;
pub use listings::*;
use tile_map::{TileLayout, column_totals};
pub use views::*;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use minijinja::value::{Serde, Value as JinjaValue};
use minijinja::{Environment, UndefinedBehavior, context};
use rayon::prelude::*;
use serde::Serialize;

use crate::catalog::compare::{self, Selection, Table};
use crate::catalog::{Catalog, Summary};
use crate::cite::CiteBox;
use crate::config::SiteMeta;
use crate::model::{
    Action, AuthorityType, Confidence, CourtRole, Date, EntryStatus, Group, InstrumentStatus,
    InstrumentType, Jurisdiction, Outcome, Page, PracticeMeasure, ReviewKind, SafeguardKey,
    SourceKind, Taxonomy, Value,
};
use crate::routes;
use crate::settings::ReportTarget;

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

/// Note numbers as a reader writes them: `[6, 7, 8, 9, 11]` → "6–9, 11".
fn number_ranges(numbers: Vec<usize>) -> String {
    let mut sorted = numbers;
    sorted.sort_unstable();
    sorted.dedup();
    let mut parts: Vec<String> = Vec::new();
    let mut at = 0;
    while at < sorted.len() {
        let start = sorted[at];
        let mut end = at;
        while end + 1 < sorted.len() && sorted[end + 1] == sorted[end] + 1 {
            end += 1;
        }
        parts.push(match end - at {
            0 => start.to_string(),
            1 => format!("{start}, {}", sorted[end]),
            _ => format!("{start}–{}", sorted[end]),
        });
        at = end + 1;
    }
    parts.join(", ")
}

/// The site's stylesheet (`assets/style.css` of the templates), written into each page's `<style>`
/// so that a page needs no second request before its first paint (one round trip less on a slow
/// link). Its comments and spaces are left out, about 1 KB gzipped on every page; a stylesheet the
/// minifier cannot read (an unclosed comment or string) is written as it is, for the browser to
/// read as it can. A `</` in it, which would end the element, is written `<\/`, the same in CSS. A
/// missing stylesheet leaves the pages unstyled.
fn inline_stylesheet(dir: &Path) -> String {
    let css = std::fs::read_to_string(dir.join("assets").join("style.css")).unwrap_or_default();
    let compact = minifier::css::minify(&css).map_or_else(|_| css.clone(), |m| m.to_string());
    compact.trim().replace("</", "<\\/")
}

/// What an entry's page is rendered with beyond the entry itself.
pub struct EntryContext<'a> {
    /// A collection cites the entry: its summary keeps the passages the collection shows.
    pub referenced: bool,
    /// Its published versions, when the content is in a git repository.
    pub history: Option<&'a crate::history::EntryHistory>,
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
        env.add_filter("href", href);
        env.add_filter("quoted", quoted);
        env.add_filter("number_ranges", number_ranges);
        env.add_filter("anchor", |key: String| {
            href(SafeguardKey::from_key(&key).map_or(key.clone(), SafeguardKey::anchor))
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
        env.add_global(
            "stylesheet",
            JinjaValue::from_safe_string(inline_stylesheet(dir)),
        );
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
        let view = CompareView::new(catalog, meta, selection, page);
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
                &ComparePage {
                    in_browser: true,
                    ..ComparePage::titled("Compare jurisdictions")
                },
            )?,
        })?;
        sink(page(
            &routes::index_file(routes::FRAMEWORKS),
            "frameworks.html",
            context! { frameworks => Serde(&catalog.frameworks) },
        )?)?;
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

    /// The files of one listing page ([`Listing::files`]).
    pub fn render_listing(
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
        let pager = listing.pager(&meta.root, "");
        Ok(match &listing.kind {
            ListingKind::Matrix => {
                let rows: Vec<MatrixRow> = rows().into_iter().map(MatrixRow::new).collect();
                // The picture of the whole matrix goes on its first page.
                let first = listing.number == 1;
                let maps: Vec<_> = match TileLayout::new(&catalog.entries).filter(|_| first) {
                    Some(layout) => SafeguardKey::ALL
                        .iter()
                        .map(|&key| layout.map(&catalog.entries, key, &meta.root, false))
                        .collect(),
                    None => Vec::new(),
                };
                let totals = first.then(|| column_totals(&catalog.entries));
                vec![html(
                    listing.file(),
                    "index.html",
                    context! {
                        matrix => Serde(Matrix { rows }), taxonomy => Serde(&catalog.taxonomy),
                        pager => Serde(&pager), total => catalog.entries.len(),
                        maps => Serde(maps), totals => Serde(totals),
                    },
                )?]
            }
            ListingKind::Entries => vec![html(
                listing.file(),
                "jurisdictions.html",
                context! { entries => Serde(rows()), pager => Serde(&pager), total => catalog.entries.len() },
            )?],
            ListingKind::Topic(key) => {
                let topic = catalog.topics.iter().find(|t| t.key == *key);
                let map = TileLayout::new(&catalog.entries)
                    .filter(|_| listing.number == 1)
                    .map(|layout| layout.map(&catalog.entries, *key, &meta.root, true));
                let title = match listing.number {
                    1 => format!("{}: every jurisdiction's rating", key.label()),
                    n => format!("{}: every jurisdiction's rating (page {n})", key.label()),
                };
                let cite = CiteBox::of_entries(
                    "list",
                    &title,
                    key.key(),
                    &format!("{}/{}", meta.base_url, listing.dir()),
                    &rows(),
                    meta,
                );
                vec![html(
                    listing.file(),
                    "topic.html",
                    context! {
                        key => key.key(), title => key.label(), anchor => key.anchor(),
                        topic => Serde(topic), groups => Serde(topic_groups(&rows(), *key)),
                        counts => Serde(value_counts(&listing.tally)), pager => Serde(&pager),
                        map => Serde(map),
                        total => catalog.entries.len(), cite => Serde(cite),
                    },
                )?]
            }
            ListingKind::Compare(grouping) => {
                let mut selection = Selection {
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
                let csv = listing.compare_csv_file();
                let origin = meta
                    .base_url
                    .strip_suffix(&meta.root)
                    .unwrap_or(&meta.base_url);
                let csv_href = format!("{}/{csv}", meta.root);
                let views = CompareViews {
                    all_rows: format!("{}/{}", meta.root, listing.dir()),
                    differences_only: format!(
                        "{}/{}",
                        meta.root,
                        routes::differences_view(&listing.dir())
                    ),
                };
                let all_rows = self.render_compare(
                    catalog,
                    meta,
                    &selection,
                    &ComparePage {
                        csv_file: Some(&csv_href),
                        pager: Some(&pager),
                        views: Some(&views),
                        address: Some(&format!("{}/{}", meta.base_url, listing.dir())),
                        ..ComparePage::titled(&heading)
                    },
                )?;
                let csv_text = compare::to_csv(&compare::table(&selection, &meta.root), origin);
                selection.differences_only = true;
                let differences_heading = format!("{heading}: differences only");
                let differences_only = self.render_compare(
                    catalog,
                    meta,
                    &selection,
                    &ComparePage {
                        csv_file: Some(&csv_href),
                        pager: Some(&listing.pager(&meta.root, routes::DIFFERENCES_VIEW)),
                        views: Some(&views),
                        address: Some(&format!(
                            "{}/{}",
                            meta.base_url,
                            routes::differences_view(&listing.dir())
                        )),
                        ..ComparePage::titled(&differences_heading)
                    },
                )?;
                vec![
                    OutputFile {
                        path: PathBuf::from(listing.file()),
                        contents: all_rows,
                    },
                    OutputFile {
                        path: PathBuf::from(listing.differences_file()),
                        contents: differences_only,
                    },
                    OutputFile {
                        path: PathBuf::from(csv),
                        contents: csv_text,
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
            ListingKind::Framework(id) => {
                let Some(framework) = catalog.frameworks.iter().find(|f| &f.id == id) else {
                    return Ok(Vec::new());
                };
                let rows = frameworks::rows(framework, &rows(), &meta.root);
                let mut files = vec![html(
                    listing.file(),
                    "framework.html",
                    context! {
                        f => Serde(framework), items => Serde(frameworks::items(framework, &meta.root)),
                        rows => Serde(&rows), pager => Serde(&pager),
                        csv => format!("{}/{}", meta.root, routes::framework_export_file(id, "csv")),
                        json => format!("{}/{}", meta.root, routes::framework_export_file(id, "json")),
                    },
                )?];
                if listing.number == 1 {
                    let all: Vec<&Summary> = catalog.entries.iter().map(|j| &**j).collect();
                    let absolute = frameworks::rows(framework, &all, &meta.base_url);
                    files.push(OutputFile {
                        path: PathBuf::from(routes::framework_export_file(id, "csv")),
                        contents: frameworks::to_csv(framework, &absolute),
                    });
                    files.push(OutputFile {
                        path: PathBuf::from(routes::framework_export_file(id, "json")),
                        contents: frameworks::to_json(framework, &absolute),
                    });
                }
                files
            }
            ListingKind::Reviews => {
                let today = Date::parse(&meta.built).unwrap_or_else(|_| Date::today());
                let view = reviews::ReviewsView::new(&rows(), meta, today);
                let updated = view
                    .all()
                    .map(|row| row.updated.as_str())
                    .max()
                    .map_or_else(|| format!("{}T00:00:00Z", meta.built), str::to_string);
                vec![
                    html(
                        listing.file(),
                        "reviews.html",
                        context! { view => Serde(&view), entries => listing.total },
                    )?,
                    html(
                        routes::REVIEWS_FEED_FILE.to_string(),
                        "reviews-feed.xml",
                        context! { rows => Serde(view.all().collect::<Vec<_>>()), updated => updated },
                    )?,
                    OutputFile {
                        path: PathBuf::from(routes::REVIEWS_CALENDAR_FILE),
                        contents: view.calendar(&meta.built),
                    },
                ]
            }
            ListingKind::Collection(id) => {
                let Some(collection) = catalog.collections.iter().find(|c| &c.id == id) else {
                    return Ok(Vec::new());
                };
                vec![
                    html(
                        listing.file(),
                        "collection.html",
                        context! { c => Serde(collection), view => Serde(CollectionView::new(catalog, meta, collection)) },
                    )?,
                    html(
                        routes::index_file(&routes::reading_pack(&collection.id)),
                        "reading-pack.html",
                        context! { c => Serde(collection), view => Serde(ReadingPackView::new(catalog, meta, collection)) },
                    )?,
                ]
            }
        })
    }

    /// Renders one jurisdiction's page and its summary; the summary of an entry a collection
    /// points into (`referenced`) keeps the page's cards for reading packs.
    pub fn render_summarised(
        &self,
        taxonomy: &Taxonomy,
        meta: &SiteMeta,
        nav: &Nav,
        reports: Option<&ReportTarget>,
        j: &Jurisdiction,
        entry: EntryContext,
    ) -> Result<(OutputFile, Summary), RenderError> {
        let page = self.render_jurisdiction(taxonomy, meta, nav, reports, j, entry.history)?;
        let mut summary = Summary::new(j, entry.referenced);
        summary.latest_version = entry
            .history
            .and_then(|h| h.versions.first())
            .map(|v| v.line(&j.id));
        if entry.referenced {
            let entry_href = format!("{}{}", meta.root, routes::jurisdiction(&j.id));
            summary.passages = passages::card_passages(&page.contents, &entry_href);
        }
        Ok((page, summary))
    }

    /// An entry's page; `reports` is where its "Report an error" links lead. With its history,
    /// it links to it and its cite box gives the address that keeps this version.
    pub fn render_jurisdiction(
        &self,
        taxonomy: &Taxonomy,
        meta: &SiteMeta,
        nav: &Nav,
        reports: Option<&ReportTarget>,
        j: &Jurisdiction,
        history: Option<&crate::history::EntryHistory>,
    ) -> Result<OutputFile, RenderError> {
        let mut view = JurisdictionView::new(j, taxonomy, meta, reports);
        view.cite.kept_at = history.and_then(|h| h.current_day).map(|day| {
            format!(
                "{}{}",
                meta.base_url,
                routes::jurisdiction_as_of(&j.id, &day.to_string())
            )
        });
        let history_href =
            history.map(|_| format!("{}{}", meta.root, routes::jurisdiction_history(&j.id)));
        Ok(OutputFile {
            path: PathBuf::from(routes::index_file(&routes::jurisdiction(&j.id))),
            contents: self.render_entry(
                meta,
                nav,
                j,
                view,
                context! { history => history_href, as_of => JinjaValue::from(()) },
            )?,
        })
    }

    /// The entry template for `j` with its view; `extra` says whether it is a past version
    /// (`as_of`) and where its history is (`history`).
    fn render_entry(
        &self,
        meta: &SiteMeta,
        nav: &Nav,
        j: &Jurisdiction,
        view: JurisdictionView,
        extra: JinjaValue,
    ) -> Result<String, RenderError> {
        self.render_page(
            "jurisdiction.html",
            meta,
            nav,
            context! { j => Serde(j), view => Serde(view), ..extra },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn note_numbers_read_as_ranges() {
        assert_eq!(
            number_ranges(vec![9, 6, 7, 8, 11, 13, 14]),
            "6–9, 11, 13, 14"
        );
        assert_eq!(number_ranges(vec![3, 3]), "3");
        assert_eq!(number_ranges(Vec::new()), "");
    }

    #[test]
    fn the_inline_stylesheet_drops_comments_and_spaces_but_not_meaning() {
        let dir = tempfile::tempdir().unwrap();
        let assets = dir.path().join("assets");
        std::fs::create_dir(&assets).unwrap();
        let write = |css: &str| std::fs::write(assets.join("style.css"), css).unwrap();
        write(
            "/* a note */\n.prose :target, li + li::before { content: \"→  </style>\"; }\n\
             .a { width: calc(100% - 2rem); }\n",
        );
        assert_eq!(
            inline_stylesheet(dir.path()),
            ".prose :target,li+li::before{content:\"→  <\\/style>\";}.a{width:calc(100% - 2rem);}"
        );
        // Unreadable to the minifier: written as it is, still unable to close the element.
        write("a { b: c } /* unclosed </style>");
        assert_eq!(
            inline_stylesheet(dir.path()),
            "a { b: c } /* unclosed <\\/style>"
        );
        assert_eq!(inline_stylesheet(&dir.path().join("missing")), "");
    }

    #[test]
    fn a_query_is_named_in_quotation_marks_unless_it_has_its_own() {
        assert_eq!(quoted("court order".into()), "“court order”");
        assert_eq!(quoted(String::new()), "“”");
        for typed in [
            "\"court order\" -india",
            "“court order” block",
            "a\"b",
            "-\"x",
        ] {
            assert_eq!(quoted(typed.into()), typed);
        }
    }

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
