//! The incremental build of `serve --watch`: the edited entries re-rendered and their pages
//! replaced ([`update`]), then the listing pages that show them ([`update_listings`]), then their
//! search units ([`update_index`]); the rest of the site kept.

use super::*;
use crate::model::Jurisdiction;

/// What an incremental rebuild ([`update`]) wrote.
#[derive(Debug)]
pub struct Updated {
    /// The new catalog.
    pub catalog: Catalog,
    /// Warnings found in the edited entries.
    pub report: Report,
    /// Files written: the edited entries' pages and JSON.
    pub pages: usize,
    pub elapsed: Duration,
    /// The directory holding the changed files, and then their index ([`update_index`]).
    pub dir: PathBuf,
    /// The edited entries, as loaded, for [`update_index`].
    pub entries: Vec<Jurisdiction>,
    /// The listing pages the edit changed, not written yet: [`update_listings`] writes them.
    pub stale: Vec<Listing>,
}

/// Rebuilds after an edit of existing entries, on top of a previous complete version.
///
/// `files` are the edited jurisdiction files; `base` is the previous version's catalog, `layers`
/// its directories, newest first. Writes into `dir` the edited entries' pages and JSON, with
/// their links checked, and finds the listing pages that show them (or whose rows moved):
/// [`Updated::stale`]. `dir` served over `layers`, with the stale listings rendered from the new
/// catalog, is then a complete new version of the pages (the matrix exports are answered from the
/// catalog by the server); [`update_listings`] then writes the listings, and [`update_index`] the
/// search index. Returns `Ok(None)` when the edit is more than an in-place change of existing
/// entries (a new, removed or renamed entry, or a changed name, alias, region or grouping):
/// rebuild in full. On an error `dir` is incomplete: discard it.
pub fn update(
    options: &Config,
    base: &Catalog,
    layers: &[PathBuf],
    files: &[PathBuf],
    dir: &Path,
) -> Result<Option<Updated>, BuildError> {
    let started = Instant::now();
    let mut report = Report::default();
    let Some(root) = load::content_root(&options.content_dir, &mut report) else {
        return Err(BuildError::Content(report));
    };
    let referenced: HashSet<String> = crate::catalog::collection::referenced_ids(&base.collections)
        .into_iter()
        .collect();
    // `site.yaml` is as the base version read it: editing it makes a full build.
    let settings = match load::load_settings(&root, &options.content_dir) {
        Ok(settings) => settings,
        Err(d) => {
            report.push(d);
            return Err(BuildError::Content(report));
        }
    };
    let today = Date::today();
    let mut entries = Vec::new();
    for path in files {
        match load::load_entry(&root, path) {
            Ok((j, origin)) => {
                validate::check_entry(&j, &origin, Some(&base.taxonomy), today, &mut report);
                entries.push(j);
            }
            Err(d) => report.push(d),
        }
    }
    report.sort();
    if report.has_errors() {
        return Err(BuildError::Content(report));
    }
    let meta = options.meta();
    let renderer = Renderer::new(&options.templates_dir);
    let nav = Nav::new(&base.pages);
    let mut catalog = base.clone();
    let mut changed = Vec::new();
    let mut pages = Vec::with_capacity(entries.len());
    for j in &entries {
        let Some(at) = catalog.entries.iter().position(|s| s.id == j.id) else {
            return Ok(None);
        };
        let old = &catalog.entries[at];
        if (&old.name, &old.aliases, &old.region, &old.groupings)
            != (&j.name, &j.aliases, &j.region, &j.groupings)
        {
            return Ok(None);
        }
        // The full build read the entry's versions when it had a repository.
        let published = old.latest_version.is_some();
        let (page, mut summary) = renderer.render_summarised(
            &catalog.taxonomy,
            &meta,
            &nav,
            settings.error_reports.as_ref(),
            j,
            EntryContext {
                referenced: referenced.contains(&j.id),
                history: published
                    .then(crate::history::EntryHistory::edited)
                    .as_ref(),
            },
        )?;
        // The edit is not a published version: the feed goes on announcing the last one.
        summary
            .latest_version
            .clone_from(&catalog.entries[at].latest_version);
        pages.push((page, published));
        // An edit of the analysis alone leaves the summary, and so every listing, as it was.
        if summary != *catalog.entries[at] {
            catalog.entries[at] = Arc::new(summary);
            changed.push(at);
        }
    }
    // A collection item that no longer resolves is reported, with its position, by a full build.
    let resolves = |target: &str| crate::catalog::collection::resolve(&catalog, target).is_ok();
    if !catalog
        .collections
        .iter()
        .flat_map(|c| &c.items)
        .all(|item| resolves(&item.target))
    {
        return Ok(None);
    }
    tracing::debug!("update: loaded and checked in {:.2?}", started.elapsed());

    let writer = OutputSinks {
        dir,
        root: &meta.root,
        links: Mutex::new(LinkChecker::new(&meta.root, Anchors::OwnPageOnly)),
        written: AtomicUsize::new(0),
    };
    for (j, (page, published)) in entries.iter().zip(pages) {
        writer.write(page)?;
        let history = if published {
            published_versions(layers, &j.id)
        } else {
            None
        };
        writer.write(export::entry_file(j, history))?;
    }
    let pages = writer.written.load(Ordering::Relaxed);
    check_links(writer, &catalog, layers)?;
    let stale = render::stale_listings(base, &catalog, &changed);
    tracing::debug!(
        "update: pages written and {} stale listing page(s) found in {:.2?}",
        stale.len(),
        started.elapsed()
    );
    Ok(Some(Updated {
        pages,
        catalog,
        report,
        elapsed: started.elapsed(),
        dir: dir.to_path_buf(),
        entries,
        stale,
    }))
}

/// Writes the listing pages an [`update`] found stale into its directory `dir`, rendered from
/// its `catalog`, with their links checked against `dir` over `layers` (the base's directories,
/// newest first). Returns the number of files written.
pub fn update_listings(
    options: &Config,
    catalog: &Catalog,
    stale: &[Listing],
    dir: &Path,
    layers: &[PathBuf],
) -> Result<usize, BuildError> {
    let started = Instant::now();
    let meta = options.meta();
    let writer = OutputSinks {
        dir,
        root: &meta.root,
        links: Mutex::new(LinkChecker::new(&meta.root, Anchors::OwnPageOnly)),
        written: AtomicUsize::new(0),
    };
    Renderer::new(&options.templates_dir)
        .render_listings(catalog, &meta, stale, &|file| writer.write(file))?;
    let written = writer.written.load(Ordering::Relaxed);
    check_links(writer, catalog, layers)?;
    tracing::debug!(
        "update: {} listing page(s) written and their links checked in {:.2?}",
        stale.len(),
        started.elapsed()
    );
    Ok(written)
}

/// Checks the links of the pages `writer` wrote into its directory, served over `layers`.
fn check_links(
    writer: OutputSinks,
    catalog: &Catalog,
    layers: &[PathBuf],
) -> Result<(), BuildError> {
    let mut dirs = vec![writer.dir.to_path_buf()];
    dirs.extend_from_slice(layers);
    // Every entry of the catalog has its page in one of the layers.
    let ids: HashSet<&str> = catalog.entries.iter().map(|j| j.id.as_str()).collect();
    let entry_page = |file: &Path| {
        file.file_name().is_some_and(|name| name == "index.html")
            && file
                .parent()
                .and_then(|dir| dir.strip_prefix("jurisdictions").ok())
                .and_then(Path::to_str)
                .is_some_and(|id| ids.contains(id))
    };
    let broken = writer
        .links
        .into_inner()
        .unwrap_or_else(PoisonError::into_inner)
        .finish_knowing(&dirs, entry_page);
    if broken.is_empty() {
        Ok(())
    } else {
        Err(BuildError::Links(broken))
    }
}

/// Writes the search index of an [`update`] into its directory `dir`: a copy of `base_index`
/// with the edited `entries` re-indexed ([`search::update_index`]). Returns where it is.
pub fn update_index(
    dir: &Path,
    base_index: &Path,
    taxonomy: &Taxonomy,
    entries: &[Jurisdiction],
) -> Result<PathBuf, BuildError> {
    let started = Instant::now();
    let index_dir = dir.join(INDEX_DIR);
    search::update_index(base_index, &index_dir, taxonomy, entries)?;
    tracing::debug!("update: indexed in {:.2?}", started.elapsed());
    Ok(index_dir)
}

/// The versions the full build read for entry `id`: the `history` of its JSON in the newest layer
/// that holds it (an edit is not one of them).
fn published_versions(layers: &[PathBuf], id: &str) -> Option<serde_json::Value> {
    let file = routes::api_jurisdiction_file(id);
    let text = layers
        .iter()
        .find_map(|layer| fs::read(layer.join(&file)).ok())?;
    let mut json: serde_json::Value = serde_json::from_slice(&text).ok()?;
    json.get_mut("history").map(serde_json::Value::take)
}
