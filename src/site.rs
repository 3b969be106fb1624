//! The build orchestrator: load → validate → render → write → check links → index, then an
//! atomic swap.
//!
//! This is the only code that knows the stage order or writes the output. A build is written to a
//! fresh directory beside the output and renamed into place, so a failed or killed build leaves
//! the previous output untouched.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

use crate::diagnostics::Report;
use crate::export;
use crate::links::Page;
use crate::load::{self, Loaded};
use crate::model::{Date, Jurisdiction, Site};
use crate::render::{OutputFile, Renderer, SiteMeta};
use crate::search;
use crate::validate;

/// Above this many entries the single-file client-side search index (about 25 KB per entry) is
/// not written: a browser could not load it usefully, and the server's search covers such sites.
pub const CLIENT_INDEX_MAX_ENTRIES: usize = 500;

/// Name of the search index directory inside the output (hidden: the server never serves it).
pub const INDEX_DIR: &str = ".search-index";

/// Where to read from and write to.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    pub content_dir: PathBuf,
    pub templates_dir: PathBuf,
    pub out_dir: PathBuf,
    /// Absolute base URL used in permalinks, citations and the feed.
    pub base_url: String,
    /// Pages poll for rebuilds (serve --watch only).
    pub dev_reload: bool,
}

impl BuildOptions {
    /// The path part of the base URL, used to prefix links (`""` for a site at the root).
    pub fn root(&self) -> String {
        let after_scheme = self
            .base_url
            .split_once("://")
            .map_or(self.base_url.as_str(), |(_, r)| r);
        let path = after_scheme.find('/').map_or("", |i| &after_scheme[i..]);
        path.trim_end_matches('/').to_string()
    }

    /// The site-wide settings templates see, dated today.
    pub fn meta(&self) -> SiteMeta {
        SiteMeta {
            base_url: self.base_url.trim_end_matches('/').to_string(),
            root: self.root(),
            built: Date::today().to_string(),
            dev_reload: self.dev_reload,
        }
    }
}

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
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// What a successful build produced.
#[derive(Debug)]
pub struct Built {
    pub site: Site,
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

/// Loads and validates the content, returning the model and the report (which may hold errors);
/// the items are moved from the returned [`Loaded`] into the [`Site`].
pub fn check(content_dir: &Path) -> (Loaded, Site) {
    let mut loaded = load::load(content_dir);
    validate::validate(&mut loaded, Date::today());
    let site = loaded.take_site();
    (loaded, site)
}

/// Builds the site and swaps it into `options.out_dir` atomically.
pub fn build(options: &BuildOptions) -> Result<Built, BuildError> {
    let parent = parent_dir(&options.out_dir);
    fs::create_dir_all(&parent).map_err(io_err(&parent))?;
    let staging = work_dir(&parent, BUILD_PREFIX)?;
    let mut built = build_into(options, staging.path())?;
    publish(staging.keep(), &options.out_dir)?;
    built.dir = options.out_dir.clone();
    Ok(built)
}

/// Builds the complete site into `dir`, which must exist and be empty.
pub fn build_into(options: &BuildOptions, dir: &Path) -> Result<Built, BuildError> {
    let started = Instant::now();
    let progress = ProgressBar::new(5).with_style(
        ProgressStyle::with_template("{spinner} [{pos}/{len}] {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    progress.set_message("loading and checking content");
    let (loaded, site) = check(&options.content_dir);
    if loaded.report.has_errors() {
        progress.finish_and_clear();
        return Err(BuildError::Content(loaded.report));
    }
    progress.inc(1);
    tracing::debug!("loaded and checked in {:.2?}", started.elapsed());

    progress.set_message(format!(
        "rendering and writing {} entries",
        site.jurisdictions.len()
    ));
    let meta = options.meta();
    let renderer = Renderer::new(&options.templates_dir);
    // Each file is written as soon as it is rendered, and only its links and ids are kept (for
    // the link check), so memory does not grow with the size of the output.
    let pages = Mutex::new(HashMap::new());
    let written = AtomicUsize::new(0);
    let sink = |file: OutputFile| write_file(dir, file, &meta.root, Some(&pages), &written);
    renderer.render_site(&site, &meta, &sink)?;
    export::files(&site, &meta, &sink)?;
    copy_dir(&options.templates_dir.join("assets"), &dir.join("assets"))?;
    if site.jurisdictions.len() <= CLIENT_INDEX_MAX_ENTRIES {
        crate::bundle::write_client_index(&site, dir)?;
    }
    progress.inc(1);
    tracing::debug!("rendered and written in {:.2?}", started.elapsed());
    let pages = pages.into_inner().unwrap_or_else(PoisonError::into_inner);
    let broken = crate::links::check(&pages, &[dir.to_path_buf()], &meta.root);
    drop(pages);
    if !broken.is_empty() {
        progress.finish_and_clear();
        return Err(BuildError::Links(broken));
    }
    progress.inc(1);
    tracing::debug!("links checked in {:.2?}", started.elapsed());

    progress.set_message("building the search index");
    search::build_index(&site, &dir.join(INDEX_DIR))?;
    progress.inc(2);
    progress.finish_and_clear();
    tracing::debug!("indexed in {:.2?}", started.elapsed());

    Ok(Built {
        pages: written.into_inner(),
        report: loaded.report,
        site,
        elapsed: started.elapsed(),
        dir: dir.to_path_buf(),
    })
}

/// What an incremental rebuild ([`update`]) wrote.
#[derive(Debug)]
pub struct Updated {
    /// The new site, or `None` when only analysis text changed, so that every page listing or
    /// comparing entries is unchanged (the new entries' bodies are then only in their pages).
    pub site: Option<Site>,
    /// Warnings found in the edited entries.
    pub report: Report,
    pub pages: usize,
    pub elapsed: Duration,
    /// The directory holding the changed files and the new index.
    pub dir: PathBuf,
}

/// Rebuilds after an edit of existing entries, on top of a previous complete version.
///
/// `files` are the edited jurisdiction files; `base` is the previous version's site (entry bodies
/// may be left out), `layers` its directories, newest first, and `base_index` its search index.
/// Writes into `dir` only what changes: the edited entries' pages and JSON, every page that lists
/// or compares entries (home matrix, topics, comparisons, feed, exports) unless only the analysis
/// text changed, and a copy of the index with the edited entries re-indexed
/// ([`search::update_index`]). `dir` served over `layers` is then a complete new version. Returns
/// `Ok(None)` when the edit is more than an in-place change of existing entries (a new, removed or
/// renamed entry, or a changed name, alias, region or grouping): rebuild in full. On an error `dir`
/// is incomplete: discard it.
pub fn update(
    options: &BuildOptions,
    base: &Site,
    layers: &[PathBuf],
    base_index: &Path,
    files: &[PathBuf],
    dir: &Path,
) -> Result<Option<Updated>, BuildError> {
    let started = Instant::now();
    let mut loaded = load::load_jurisdictions(&options.content_dir, files, &base.taxonomy);
    validate::validate(&mut loaded, Date::today());
    if loaded.report.has_errors() {
        return Err(BuildError::Content(loaded.report));
    }
    let entries: Vec<Jurisdiction> = std::mem::take(&mut loaded.jurisdictions)
        .into_iter()
        .map(|(j, _)| j)
        .collect();
    // Pages that list or compare entries show only front matter and section headings.
    let mut aggregates_changed = false;
    for entry in &entries {
        let Some(old) = base.jurisdictions.iter().find(|j| j.id == entry.id) else {
            return Ok(None);
        };
        if (&old.name, &old.aliases, &old.region, &old.groupings)
            != (&entry.name, &entry.aliases, &entry.region, &entry.groupings)
        {
            return Ok(None);
        }
        let listed = |j: &Jurisdiction| serde_json::to_string(&j.without_body_text()).ok();
        aggregates_changed |= listed(old) != listed(entry);
    }
    tracing::debug!("update: loaded and checked in {:.2?}", started.elapsed());
    let meta = options.meta();
    let renderer = Renderer::new(&options.templates_dir);
    let written = AtomicUsize::new(0);
    let sink = |file| write_file(dir, file, &meta.root, None, &written);
    let site = aggregates_changed.then(|| {
        let mut site = base.clone();
        for entry in &entries {
            if let Some(old) = site.jurisdictions.iter_mut().find(|j| j.id == entry.id) {
                *old = entry.clone();
            }
        }
        site
    });
    if let Some(site) = &site {
        renderer.render_aggregates(site, &meta, &sink)?;
        export::matrix_files(site, &meta, &sink)?;
    }
    // Only the edited pages' links are checked, and only their own anchors: anchors in other
    // pages derive from data this kind of edit cannot change (ids, safeguard keys) and were
    // checked by the full build, and reading those pages (the home page is 38 MB at 10,000
    // entries) would dominate the rebuild.
    let pages = Mutex::new(HashMap::new());
    let nav = crate::render::Nav::new(base);
    for j in &entries {
        let page = renderer.render_jurisdiction(base, &meta, &nav, j)?;
        write_file(dir, page, &meta.root, Some(&pages), &written)?;
        sink(export::entry_file(j))?;
    }
    let pages: HashMap<PathBuf, Page> = pages
        .into_inner()
        .unwrap_or_else(PoisonError::into_inner)
        .into_iter()
        .map(|(path, page)| (path, page.without_foreign_anchors()))
        .collect();
    let mut dirs = vec![dir.to_path_buf()];
    dirs.extend_from_slice(layers);
    let broken = crate::links::check(&pages, &dirs, &meta.root);
    if !broken.is_empty() {
        return Err(BuildError::Links(broken));
    }
    tracing::debug!(
        "update: rendered and links checked in {:.2?}",
        started.elapsed()
    );
    search::update_index(base_index, &dir.join(INDEX_DIR), &base.taxonomy, &entries)?;
    tracing::debug!("update: indexed in {:.2?}", started.elapsed());
    Ok(Some(Updated {
        site,
        report: loaded.report,
        pages: written.into_inner(),
        elapsed: started.elapsed(),
        dir: dir.to_path_buf(),
    }))
}

/// Writes one output file into `dir`, recording the links and ids of an HTML page in `pages`
/// (when given, for the link check).
fn write_file(
    dir: &Path,
    file: OutputFile,
    root: &str,
    pages: Option<&Mutex<HashMap<PathBuf, Page>>>,
    written: &AtomicUsize,
) -> Result<(), BuildError> {
    let path = dir.join(&file.path);
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).map_err(io_err(parent))?;
    }
    fs::write(&path, &file.contents).map_err(io_err(&path))?;
    if let Some(pages) = pages
        && file.path.extension().is_some_and(|x| x == "html")
    {
        let page = Page::new(&file.contents, root);
        pages
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(file.path, page);
    }
    written.fetch_add(1, Ordering::Relaxed);
    Ok(())
}

/// Replaces `out` with `staging`. On Linux the two directories are exchanged in one atomic
/// `renameat2(RENAME_EXCHANGE)`, so at every instant `out` is the old build or the new one, even if
/// the process is killed. Elsewhere (or on a file system without exchange) it takes two renames,
/// keeping the old output as `<out>.old` until the new one is in place; a leftover `<out>.old` from
/// an interrupted swap is restored or removed first.
pub fn publish(staging: PathBuf, out: &Path) -> Result<(), BuildError> {
    let old = out.with_extension("old");
    if old.exists() {
        if out.exists() {
            fs::remove_dir_all(&old).map_err(io_err(&old))?;
        } else {
            fs::rename(&old, out).map_err(io_err(&old))?;
        }
    }
    if out.exists() && exchange(&staging, out).is_ok() {
        // `staging` now holds the previous build.
        return fs::remove_dir_all(&staging).map_err(io_err(&staging));
    }
    if out.exists() {
        fs::rename(out, &old).map_err(io_err(out))?;
    }
    if let Err(source) = fs::rename(&staging, out) {
        if old.exists() {
            let _ = fs::rename(&old, out);
        }
        let _ = fs::remove_dir_all(&staging);
        return Err(BuildError::Io {
            path: out.to_path_buf(),
            source,
        });
    }
    if old.exists() {
        fs::remove_dir_all(&old).map_err(io_err(&old))?;
    }
    Ok(())
}

/// Atomically swaps two existing paths.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE).map_err(std::io::Error::from)
}

/// Atomically swaps two existing paths (not available here: the caller falls back to renames).
#[cfg(not(target_os = "linux"))]
fn exchange(_a: &Path, _b: &Path) -> std::io::Result<()> {
    Err(std::io::ErrorKind::Unsupported.into())
}

/// Prefix of the staging directory a build writes before it is published.
pub const BUILD_PREFIX: &str = ".jurisdex-build-";

/// A fresh private working directory in `parent`, named `<prefix><pid>-<random>`. Leftovers of
/// processes that no longer run (a build killed mid-way) are removed first, so killed builds do not
/// pile up on disk.
pub fn work_dir(parent: &Path, prefix: &str) -> Result<tempfile::TempDir, BuildError> {
    remove_orphans(parent, prefix);
    tempfile::Builder::new()
        .prefix(&format!("{prefix}{}-", std::process::id()))
        .tempdir_in(parent)
        .map_err(io_err(parent))
}

/// Removes `<prefix><pid>-*` directories whose process is gone (Linux: no `/proc/<pid>`).
fn remove_orphans(parent: &Path, prefix: &str) {
    let proc = Path::new("/proc");
    if !proc.join("self").exists() {
        return;
    }
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|n| n.strip_prefix(prefix))
            .and_then(|rest| rest.split_once('-'))
            .and_then(|(pid, _)| pid.parse::<u32>().ok())
        else {
            continue;
        };
        if !proc.join(pid.to_string()).exists() {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

/// The directory that will hold `out` (its parent, or `.`).
pub fn parent_dir(out: &Path) -> PathBuf {
    match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

fn copy_dir(from: &Path, to: &Path) -> Result<(), BuildError> {
    fs::create_dir_all(to).map_err(io_err(to))?;
    let entries = match fs::read_dir(from) {
        Ok(entries) => entries,
        Err(_) => return Ok(()),
    };
    for entry in entries {
        let entry = entry.map_err(io_err(from))?;
        let target = to.join(entry.file_name());
        if entry.file_type().map_err(io_err(from))?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            fs::copy(entry.path(), &target).map_err(io_err(&target))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_is_the_path_of_the_base_url() {
        let mut options = BuildOptions {
            content_dir: "content".into(),
            templates_dir: "templates".into(),
            out_dir: "public".into(),
            base_url: "http://127.0.0.1:8080".into(),
            dev_reload: false,
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
