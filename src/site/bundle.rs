//! The offline bundle: the whole site as a zip that works when opened from disk (`file://`), with
//! relative links, a prebuilt client-side search index and comparison data, for workshops with
//! poor connectivity.
//!
//! The client-side search index (`search::client_index`) and comparison data
//! (`catalog::client_compare`) it carries are written by every build, so the same search and
//! custom comparisons work wherever the static site is hosted without the jurisdex server.

use std::fs;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

use crate::config::Config;
use crate::diagnostics::Report;
use crate::model::Date;
use crate::routes;
use crate::site::{self, BuildError};

/// The folder every entry of the zip lives under.
pub const TOP_DIR: &str = "jurisdex-offline";

/// Attribute openings whose root-absolute values are rewritten; the leading space keeps
/// `data-href="` and the like out.
const LINK_OPENINGS: [&str; 4] = [" href=\"", " src=\"", " action=\"", "content=\"0; url="];

/// What a successful bundle produced.
#[derive(Debug)]
pub struct BundleSummary {
    /// The zip written.
    pub path: PathBuf,
    /// Files in the zip.
    pub entries: usize,
    /// Size of the zip in bytes.
    pub bytes: u64,
    pub jurisdictions: usize,
    /// Warnings found while checking the content.
    pub report: Report,
    pub elapsed: Duration,
}

/// Why a bundle failed; the target zip is left untouched.
#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    #[error("{0}")]
    Build(#[from] BuildError),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write the zip `{path}`: {source}")]
    Zip {
        path: PathBuf,
        source: zip::result::ZipError,
    },
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> BundleError + '_ {
    move |source| BundleError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Builds the site into a temporary directory (never `options.out_dir`) and writes it to
/// `zip_path` as an offline bundle under [`TOP_DIR`], atomically.
pub fn bundle(options: &Config, zip_path: &Path) -> Result<BundleSummary, BundleError> {
    let started = Instant::now();
    let options = Config {
        dev_reload: false,
        ..options.clone()
    };
    let staging = tempfile::Builder::new()
        .prefix("jurisdex-bundle-")
        .tempdir()
        .map_err(io_err(&std::env::temp_dir()))?;
    let built = site::build_into(&options, staging.path())?;
    let root = options.root();
    let today = Date::today();
    let parent = site::parent_dir(zip_path);
    fs::create_dir_all(&parent).map_err(io_err(&parent))?;
    let mut temp = tempfile::Builder::new()
        .prefix(".jurisdex-bundle-")
        .suffix(".zip.tmp")
        .tempfile_in(&parent)
        .map_err(io_err(&parent))?;
    let zip_err = |source| BundleError::Zip {
        path: zip_path.to_path_buf(),
        source,
    };
    let mut zip = ZipWriter::new(BufWriter::new(temp.as_file_mut()));
    let file_options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .unix_permissions(0o644)
        .last_modified_time(zip_time(&today));

    let mut files = site_files(staging.path())?;
    files.sort_by(|a, b| a.0.cmp(&b.0));
    for (name, source) in &files {
        let bytes = fs::read(source).map_err(io_err(source))?;
        let bytes = if name.ends_with(".html") {
            match String::from_utf8(bytes) {
                Ok(html) => {
                    with_offline_csp(&relative_links(&html, &root, depth(name))).into_bytes()
                }
                Err(err) => err.into_bytes(),
            }
        } else {
            bytes
        };
        zip.start_file(format!("{TOP_DIR}/{name}"), file_options)
            .map_err(zip_err)?;
        zip.write_all(&bytes).map_err(io_err(zip_path))?;
    }
    let mut writer = zip.finish().map_err(zip_err)?;
    writer.flush().map_err(io_err(zip_path))?;
    drop(writer);
    temp.as_file().sync_all().map_err(io_err(zip_path))?;
    readable_by_all(temp.as_file()).map_err(io_err(zip_path))?;
    temp.persist(zip_path).map_err(|err| BundleError::Io {
        path: zip_path.to_path_buf(),
        source: err.error,
    })?;
    let bytes = fs::metadata(zip_path).map_err(io_err(zip_path))?.len();
    Ok(BundleSummary {
        path: zip_path.to_path_buf(),
        entries: files.len(),
        bytes,
        jurisdictions: built.catalog.entries.len(),
        report: built.report,
        elapsed: started.elapsed(),
    })
}

/// Temporary files are private (0600); the finished zip is for sharing, like any other download.
#[cfg(unix)]
fn readable_by_all(file: &fs::File) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    file.set_permissions(fs::Permissions::from_mode(0o644))
}

#[cfg(not(unix))]
fn readable_by_all(_file: &fs::File) -> std::io::Result<()> {
    Ok(())
}

/// Every file of a built site (`/`-separated path, source), without the server's search index.
fn site_files(dir: &Path) -> Result<Vec<(String, PathBuf)>, BundleError> {
    let mut files = Vec::new();
    let walk = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_entry(|e| e.depth() != 1 || e.file_name() != site::INDEX_DIR);
    for entry in walk {
        let entry = entry.map_err(|err| BundleError::Io {
            path: err.path().unwrap_or(dir).to_path_buf(),
            source: err.into(),
        })?;
        if !entry.file_type().is_file() {
            continue;
        }
        let relative = entry.path().strip_prefix(dir).unwrap_or(entry.path());
        let name: Vec<String> = relative
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        files.push((name.join("/"), entry.into_path()));
    }
    Ok(files)
}

/// Directory depth of a `/`-separated path: `index.html` 0, `topics/k/index.html` 2.
fn depth(name: &str) -> usize {
    name.matches('/').count()
}

/// The build date as a zip timestamp (noon, so no time zone shows it as another day).
fn zip_time(date: &Date) -> DateTime {
    date.month
        .zip(date.day)
        .and_then(|(month, day)| DateTime::from_date_and_time(date.year, month, day, 12, 0, 0).ok())
        .unwrap_or_default()
}

/// The bundle's own Content-Security-Policy, as a `<meta>` element (a page opened from disk gets no
/// headers): nothing is fetched from another place, so an image written in an entry's Markdown with
/// a remote address stays unloaded, and no script but the bundle's own runs.
pub const OFFLINE_CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'none'; object-src 'none'; base-uri 'none'; form-action 'self'";

/// `html` with [`OFFLINE_CSP`] as the first element of its `<head>`.
fn with_offline_csp(html: &str) -> String {
    let meta = format!(r#"<meta http-equiv="Content-Security-Policy" content="{OFFLINE_CSP}">"#);
    match html.find("<head>") {
        Some(at) => {
            let at = at + "<head>".len();
            format!("{}{meta}{}", &html[..at], &html[at..])
        }
        None => html.to_string(),
    }
}

/// Rewrites the root-absolute links (`href`, `src`, `action`, meta refresh) of a page at `depth`
/// to relative ones that name files: `/jurisdictions/x/#a` at depth 2 becomes
/// `../../jurisdictions/x/index.html#a`, because `file://` has no directory index. `root` is the
/// site's path prefix (`""` or `/kb`). Other links are left alone.
pub fn relative_links(html: &str, root: &str, depth: usize) -> String {
    let mut out = String::with_capacity(html.len() + html.len() / 16);
    // Every value starts after one of the openings; merging the sorted positions of each opening
    // keeps this one pass however rare an opening is.
    let mut starts: Vec<usize> = LINK_OPENINGS
        .iter()
        .flat_map(|o| html.match_indices(o).map(|(at, _)| at + o.len()))
        .collect();
    starts.sort_unstable();
    let mut done = 0;
    for start in starts {
        if start < done {
            continue;
        }
        let end = html[start..].find('"').map_or(html.len(), |e| start + e);
        out.push_str(&html[done..start]);
        out.push_str(&routes::file_link(&html[start..end], root, depth));
        done = end;
    }
    out.push_str(&html[done..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_become_relative_files_at_every_depth() {
        let html = r#"<a href="/">Home</a><a href="/#matrix">M</a><link href="/assets/style.css"><script src="/assets/app.js" defer></script>"#;
        assert_eq!(
            relative_links(html, "", 0),
            r#"<a href="index.html">Home</a><a href="index.html#matrix">M</a><link href="assets/style.css"><script src="assets/app.js" defer></script>"#
        );
        assert_eq!(
            relative_links(r#"<a href="/jurisdictions/">J</a>"#, "", 1),
            r#"<a href="../jurisdictions/index.html">J</a>"#
        );
        assert_eq!(
            relative_links(r#"<a href="/jurisdictions/x/#a">X</a>"#, "", 2),
            r#"<a href="../../jurisdictions/x/index.html#a">X</a>"#
        );
        assert_eq!(
            relative_links(r#"<a href="/compare/g/compare.csv">CSV</a>"#, "", 2),
            r#"<a href="../../compare/g/compare.csv">CSV</a>"#
        );
    }

    #[test]
    fn search_form_goes_to_the_offline_page() {
        let html = r#"<form class="search-box" role="search" action="/search" method="get">"#;
        assert_eq!(
            relative_links(html, "", 1),
            r#"<form class="search-box" role="search" action="../search/index.html" method="get">"#
        );
    }

    #[test]
    fn external_fragment_and_other_attributes_are_untouched() {
        let html = concat!(
            r##"<a href="https://example.org/x/">E</a><a href="http://a.b/">H</a>"##,
            r##"<a href="//cdn.example/x.js">P</a><a href="#section-a">F</a>"##,
            r##"<a data-href="/x/">D</a><a href="mailto:a@b.c">M</a><p>href="/not-an-attribute/"</p>"##,
        );
        assert_eq!(relative_links(html, "", 2), html);
    }

    #[test]
    fn root_prefix_queries_and_redirects_are_handled() {
        assert_eq!(
            relative_links(r#"<a href="/kb/topics/x/?a=1&amp;b=2#t">T</a>"#, "/kb", 1),
            r#"<a href="../topics/x/index.html?a=1&amp;b=2#t">T</a>"#
        );
        assert_eq!(
            relative_links(r#"<a href="/kb">Home</a>"#, "/kb", 0),
            r#"<a href="index.html">Home</a>"#
        );
        assert_eq!(
            relative_links(r#"<a href="/kbx/">K</a>"#, "/kb", 0),
            r#"<a href="kbx/index.html">K</a>"#
        );
        assert_eq!(
            relative_links(
                r#"<meta http-equiv="refresh" content="0; url=/jurisdictions/a/">"#,
                "",
                2
            ),
            r#"<meta http-equiv="refresh" content="0; url=../../jurisdictions/a/index.html">"#
        );
    }
}
