//! The build orchestrator: load → validate → render → write → check links → index, then an
//! atomic swap.
//!
//! This is the only code that knows the stage order or writes the output. A build is written to a
//! fresh directory beside the output and renamed into place, so a failed or killed build leaves
//! the previous output untouched.

pub mod bundle;
mod output;
mod update;
pub use output::*;
pub use update::*;

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;

use crate::catalog::{Catalog, Summary};
use crate::config::Config;
use crate::diagnostics::{Diagnostic, Report};
use crate::export;
use crate::history::History;
use crate::links::{Anchors, LinkChecker, PageLinks};
use crate::load::{self, Loaded};
use crate::model::{Date, Site, Taxonomy};
use crate::render::{self, EntryContext, Listing, Nav, OutputFile, Renderer};
use crate::routes;
use crate::search;
use crate::validate::{self, Identity};

/// Above this many entries the comparison data for the browser (about 15 KB per entry) is not
/// written: a page could not load it usefully, and the server's comparisons cover such sites.
pub const CLIENT_COMPARE_MAX_ENTRIES: usize = 500;

/// Name of the search index directory inside the output (hidden: the server never serves it).
pub const INDEX_DIR: &str = ".search-index";

/// Why a build failed.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("{0}")]
    Content(Report),
    #[error("{0}")]
    Render(#[from] crate::render::RenderError),
    #[error("{} broken internal link(s):\n{}", .0.len(), .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
    Links(Vec<crate::links::BrokenLink>),
    #[error("search index: {0}")]
    Search(#[from] search::SearchError),
    #[error("catalog: {0}")]
    Catalog(#[from] crate::catalog::CatalogError),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// What a successful build produced.
#[derive(Debug)]
pub struct Built {
    /// What listings, comparisons and the server know of the content.
    pub catalog: Catalog,
    /// Warnings found while checking (errors stop the build).
    pub report: Report,
    pub pages: usize,
    pub elapsed: Duration,
    /// The directory holding the finished site.
    pub dir: PathBuf,
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> BuildError + '_ {
    move |source| BuildError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Loads and validates all the content in memory, returning the model and the report (which may
/// hold errors); the items are moved from the returned [`Loaded`] into the [`Site`]. For checks
/// and small sites: [`build`] streams the entries instead.
pub fn check(content_dir: &Path) -> (Loaded, Site) {
    let mut loaded = load::load(content_dir);
    validate::validate(&mut loaded, Date::today());
    let site = loaded.take_site();
    (loaded, site)
}

/// The versions of the entries, when the content is in a git repository; the build says once
/// when it is not, or when its history cannot be read, and goes on without.
fn read_history(content_dir: &Path, since: Option<Date>) -> Option<History> {
    match History::read(content_dir, since) {
        Ok(Some(history)) => Some(history),
        Ok(None) => {
            tracing::info!(
                "{} is not in a git repository: the entries' history and past versions are left out",
                content_dir.display()
            );
            None
        }
        Err(error) => {
            tracing::warn!("{error}: the entries' history and past versions are left out");
            None
        }
    }
}

/// Builds the site and swaps it into `options.out_dir` atomically.
pub fn build(options: &Config) -> Result<Built, BuildError> {
    let parent = parent_dir(&options.out_dir);
    fs::create_dir_all(&parent).map_err(io_err(&parent))?;
    let staging = work_dir(&parent, BUILD_PREFIX)?;
    let mut built = build_into(options, staging.path())?;
    publish(staging.keep(), &options.out_dir)?;
    built.dir = options.out_dir.clone();
    Ok(built)
}

/// What the streaming pass keeps of one entry.
struct Streamed {
    summary: Summary,
    identity: Identity,
}

/// Output sinks shared by the threads of a build: files are written as soon as they are rendered,
/// and only what the link check needs of each page is kept.
struct OutputSinks<'a> {
    dir: &'a Path,
    root: &'a str,
    links: Mutex<LinkChecker>,
    written: AtomicUsize,
}

impl OutputSinks<'_> {
    /// Records a file written by other means (not HTML).
    fn record(&self, path: PathBuf) {
        self.links
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .add(path, PageLinks::default());
        self.written.fetch_add(1, Ordering::Relaxed);
    }

    /// Writes a page whose own links are not checked (a past version's page); links to it are.
    fn write_unchecked(&self, file: OutputFile) -> Result<(), BuildError> {
        write_file(self.dir, &file)?;
        self.record(file.path);
        Ok(())
    }

    fn write(&self, file: OutputFile) -> Result<(), BuildError> {
        let page = if file.path.extension().is_some_and(|x| x == "html") {
            PageLinks::new(&file.contents, self.root)
        } else {
            PageLinks::default()
        };
        write_file(self.dir, &file)?;
        self.links
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .add(file.path, page);
        self.written.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }
}

/// Builds the complete site into `dir`, which must exist and be empty.
///
/// Entries are streamed: each is loaded, checked, rendered, written and indexed by one of the
/// worker threads, and only its [`Summary`] is kept. Checks across entries (unique ids and
/// aliases, collection items) run on the summaries; then the listing pages, exports and the
/// catalog are written from the [`Catalog`], links are checked and the index is committed.
pub fn build_into(options: &Config, dir: &Path) -> Result<Built, BuildError> {
    let started = Instant::now();
    let progress = ProgressBar::new(4).with_style(
        ProgressStyle::with_template("{spinner} [{pos}/{len}] {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    progress.set_message("loading shared content");
    let mut shared = load::load_shared(&options.content_dir);
    let mut report = std::mem::take(&mut shared.report);
    validate::check_shared(&shared, &mut report);
    let Some(root) = load::content_root(&options.content_dir, &mut Report::default()) else {
        return Err(BuildError::Content(report));
    };
    let taxonomy = shared.taxonomy.clone().unwrap_or(Taxonomy {
        regions: Vec::new(),
        groupings: Vec::new(),
    });
    let files = load::entry_files(&options.content_dir);
    let collections: Vec<_> = shared.collections.iter().map(|(c, _)| c.clone()).collect();
    let referenced: HashSet<String> = crate::catalog::collection::referenced_ids(&collections)
        .into_iter()
        .collect();
    let meta = options.meta();
    let renderer = Renderer::new(&options.templates_dir);
    let pages: Vec<_> = shared.pages.iter().map(|(p, _)| p.clone()).collect();
    let nav = Nav::new(&pages);
    let index = search::IndexBuilder::create(&dir.join(INDEX_DIR), &taxonomy)?;
    let client_index = if options.static_search.writes(files.len()) {
        Some(search::ClientIndexBuilder::new(dir)?)
    } else {
        None
    };
    let writer = OutputSinks {
        dir,
        root: &meta.root,
        links: Mutex::new(LinkChecker::new(&meta.root, Anchors::Everywhere)),
        written: AtomicUsize::new(0),
    };
    let history = read_history(&options.content_dir, shared.settings.history_since);
    let today = Date::today();
    // Once an entry has errors the build will fail: later entries are only checked.
    let failed = AtomicBool::new(report.has_errors());
    progress.inc(1);
    progress.set_message(format!("building {} entries", files.len()));

    let streamed = files
        .par_iter()
        .map_init(
            || history.as_ref().map(History::reader),
            |reader, path| -> Result<(Vec<Diagnostic>, Option<Streamed>), BuildError> {
                let loaded = load::read_entry(&root, path)
                    .and_then(|text| Ok((load::parse_entry(path, &text)?, text)));
                let ((j, origin), text) = match loaded {
                    Ok(loaded) => loaded,
                    Err(d) => {
                        failed.store(true, Ordering::Relaxed);
                        return Ok((vec![d], None));
                    }
                };
                let mut found = Report::default();
                validate::check_entry(&j, &origin, Some(&taxonomy), today, &mut found);
                let identity = Identity::new(&j, &origin);
                drop(origin);
                if found.has_errors() {
                    failed.store(true, Ordering::Relaxed);
                }
                let summary = if failed.load(Ordering::Relaxed) {
                    Summary::new(&j, referenced.contains(&j.id))
                } else {
                    let reports = shared.settings.error_reports.as_ref();
                    let versions = history
                        .as_ref()
                        .zip(reader.as_mut())
                        .and_then(|(history, reader)| history.entry(reader, path, &text, &j));
                    drop(text);
                    let (page, summary) = renderer.render_summarised(
                        &taxonomy,
                        &meta,
                        &nav,
                        reports,
                        &j,
                        EntryContext {
                            referenced: referenced.contains(&j.id),
                            history: versions.as_ref(),
                        },
                    )?;
                    writer.write(page)?;
                    if let Some(versions) = &versions {
                        let files = renderer
                            .render_history(&taxonomy, &meta, &nav, reports, &j, versions)?;
                        for file in files.checked {
                            writer.write(file)?;
                        }
                        for file in files.archived {
                            writer.write_unchecked(file)?;
                        }
                    }
                    let versions_json = versions
                        .as_ref()
                        .map(|v| crate::history::VersionIndex::json(&j.id, v));
                    writer.write(export::entry_file(&j, versions_json))?;
                    index.add_entry(&j)?;
                    if let Some(client_index) = &client_index {
                        client_index.add_entry(&j)?;
                    }
                    summary
                };
                Ok((found.diagnostics, Some(Streamed { summary, identity })))
            },
        )
        .collect::<Result<Vec<_>, BuildError>>()?;
    progress.inc(1);
    tracing::debug!("entries streamed in {:.2?}", started.elapsed());

    let mut summaries = Vec::with_capacity(streamed.len());
    let mut identities = Vec::with_capacity(streamed.len());
    for (diagnostics, kept) in streamed {
        report.diagnostics.extend(diagnostics);
        if let Some(kept) = kept {
            summaries.push(Arc::new(kept.summary));
            identities.push(kept.identity);
        }
    }
    validate::check_identities(&identities, &mut report);
    drop(identities);
    let mut catalog = Catalog {
        taxonomy,
        entries: summaries,
        topics: shared.topics.iter().map(|(t, _)| t.clone()).collect(),
        pages,
        collections,
        frameworks: {
            let mut frameworks: Vec<_> = shared.frameworks.iter().map(|(f, _)| f.clone()).collect();
            frameworks.sort_by(|a, b| a.id.cmp(&b.id));
            frameworks
        },
    };
    catalog.sort();
    validate::check_collections(&catalog, &shared.collections, &mut report);
    report.sort();
    if report.has_errors() {
        progress.finish_and_clear();
        return Err(BuildError::Content(report));
    }

    progress.set_message("writing listings, exports and the search index");
    let sink = |file: OutputFile| writer.write(file);
    renderer.render_fixed(&catalog, &meta, &sink)?;
    renderer.render_listings(&catalog, &meta, &render::listings(&catalog), &sink)?;
    tracing::debug!("listing pages rendered in {:.2?}", started.elapsed());
    // The exports are written below; links to them are checked now.
    for path in export::MATRIX_FILES {
        writer.record(PathBuf::from(path));
    }
    copy_dir(&options.templates_dir.join("assets"), &dir.join("assets"))?;
    if catalog.entries.len() <= CLIENT_COMPARE_MAX_ENTRIES {
        write_client_compare(&catalog, dir)?;
    }
    let pages = writer.written.into_inner();
    let broken = writer
        .links
        .into_inner()
        .unwrap_or_else(PoisonError::into_inner)
        .finish(&[dir.to_path_buf()]);
    if !broken.is_empty() {
        progress.finish_and_clear();
        return Err(BuildError::Links(broken));
    }
    tracing::debug!("links checked in {:.2?}", started.elapsed());
    progress.inc(1);
    progress.set_message("merging the search index, writing the exports");
    // The index's final merge runs on one core: the exports and the catalog are written on
    // another meanwhile.
    let (indexed, written) = std::thread::scope(|scope| {
        let indexed = scope.spawn(|| -> Result<(), BuildError> {
            index.add_site_units(&catalog.topics, &catalog.pages, &catalog.frameworks)?;
            index.finish()?;
            tracing::debug!("index committed in {:.2?}", started.elapsed());
            Ok(())
        });
        let written = export::write_matrix_files(dir, &catalog.entries, &meta)
            .map_err(io_err(dir))
            .and_then(|()| catalog.save(dir).map_err(BuildError::from));
        tracing::debug!("exports and catalog written in {:.2?}", started.elapsed());
        (indexed.join(), written)
    });
    progress.finish_and_clear();
    let indexed = indexed.unwrap_or_else(|panic| std::panic::resume_unwind(panic));
    indexed.and(written)?;
    // Last, once the server's index is committed and its memory given back: the client index
    // holds its postings for a share of its shards at a time.
    match client_index {
        Some(client_index) => {
            client_index.write(&catalog.topics, &catalog.pages, &catalog.frameworks, dir)?
        }
        None => search::ClientIndexBuilder::write_left_out(catalog.entries.len(), dir)?,
    }
    tracing::debug!("client index written in {:.2?}", started.elapsed());

    Ok(Built {
        pages,
        report,
        catalog,
        elapsed: started.elapsed(),
        dir: dir.to_path_buf(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_is_the_path_of_the_base_url() {
        let mut options = Config {
            content_dir: "content".into(),
            templates_dir: "templates".into(),
            out_dir: "public".into(),
            base_url: "http://127.0.0.1:8080".into(),
            dev_reload: false,
            static_search: crate::config::StaticSearch::Auto,
        };
        assert_eq!(options.root(), "");
        options.base_url = "https://example.org/kb/".into();
        assert_eq!(options.root(), "/kb");
    }

    #[test]
    fn publish_swaps_and_recovers_an_interrupted_swap() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        let first = tmp.path().join("a");
        fs::create_dir(&first).unwrap();
        fs::write(first.join("v"), "1").unwrap();
        publish(first, &out).unwrap();
        assert_eq!(fs::read_to_string(out.join("v")).unwrap(), "1");
        // Simulate a crash between the two renames: only public.old is left.
        fs::rename(&out, out.with_extension("old")).unwrap();
        let second = tmp.path().join("b");
        fs::create_dir(&second).unwrap();
        fs::write(second.join("v"), "2").unwrap();
        publish(second, &out).unwrap();
        assert_eq!(fs::read_to_string(out.join("v")).unwrap(), "2");
        assert!(!out.with_extension("old").exists());
    }
}
