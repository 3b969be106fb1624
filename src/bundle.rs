//! The offline bundle: the whole site as a zip that works when opened from disk (`file://`), with
//! relative links and a prebuilt client-side search index, for workshops with poor connectivity.
//!
//! The client index (`assets/search-index.js`) is also written by every build, so the same search
//! works wherever the static site is hosted without the jurisdex server.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde::Serialize;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

use crate::diagnostics::Report;
use crate::model::{Date, Site};
use crate::search;
use crate::site::{self, BuildError, BuildOptions};

/// The folder every entry of the zip lives under.
pub const TOP_DIR: &str = "jurisdex-offline";
/// Where the client-side index is written, relative to the site root.
pub const CLIENT_INDEX_FILE: &str = "assets/search-index.js";
/// The client-side search page, relative to the site root (written by every build).
pub const SEARCH_PAGE: &str = "search/index.html";

/// Characters of a unit's text kept for the result snippet.
const SNIPPET_CHARS: usize = 300;
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
pub fn bundle(options: &BuildOptions, zip_path: &Path) -> Result<BundleSummary, BundleError> {
    let started = Instant::now();
    let options = BuildOptions {
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
                Ok(html) => relative_links(&html, &root, depth(name)).into_bytes(),
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
        out.push_str(&relative_link(&html[start..end], root, depth));
        done = end;
    }
    out.push_str(&html[done..]);
    out
}

/// One link of [`relative_links`]; anything not starting with a single `/` is returned as is.
fn relative_link(href: &str, root: &str, depth: usize) -> String {
    if !href.starts_with('/') || href.starts_with("//") {
        return href.to_string();
    }
    let href = match href.strip_prefix(root) {
        Some(rest)
            if !root.is_empty() && (rest.is_empty() || rest.starts_with(['/', '?', '#'])) =>
        {
            rest
        }
        _ => href,
    };
    let split = href.find(['?', '#']).unwrap_or(href.len());
    let (path, suffix) = href.split_at(split);
    let mut path = path.trim_start_matches('/').to_string();
    let last = path.rsplit('/').next().unwrap_or("");
    if path.is_empty() || path.ends_with('/') {
        path.push_str("index.html");
    } else if !last.contains('.') {
        // `/search` and other extension-less names are directories on disk.
        path.push_str("/index.html");
    }
    format!("{}{path}{suffix}", "../".repeat(depth))
}

/// The client-side index as JavaScript.
///
/// Shape: `window.JURISDEX_INDEX = {"docs":[{"title","crumb","url","kind","text"}…],
/// "terms":{"token":[doc ids…]…}};` where `url` is relative to the site root and names a file
/// (`jurisdictions/x/index.html#a`), `text` is the start of the unit's text for snippets, and
/// tokens are those of [`tokens`], over title, short name, original title, breadcrumb and text,
/// plus the filters `kind:`, `jurisdiction:`, `region:` and `grouping:` (which no text yields, as
/// `:` splits words).
pub fn client_index(site: &Site) -> String {
    let units = search::units(site);
    let mut terms: BTreeMap<String, Vec<u32>> = BTreeMap::new();
    let mut docs = Vec::with_capacity(units.len());
    for (id, unit) in (0u32..).zip(&units) {
        let fields = [
            unit.title.as_str(),
            unit.short_name.unwrap_or(""),
            unit.original_title.unwrap_or(""),
            unit.breadcrumb.as_str(),
            unit.text.as_str(),
        ];
        let mut found: BTreeSet<String> = fields.iter().flat_map(|f| tokens(f)).collect();
        found.insert(format!("kind:{}", unit.kind.key()));
        if let Some(j) = unit.jurisdiction {
            found.insert(format!("jurisdiction:{}", j.id));
            found.insert(format!("region:{}", j.region));
            found.extend(j.groupings.iter().map(|g| format!("grouping:{g}")));
        }
        for token in found {
            terms.entry(token).or_default().push(id);
        }
        docs.push(ClientDoc {
            title: &unit.title,
            crumb: &unit.breadcrumb,
            url: relative_link(&unit.url, "", 0),
            kind: unit.kind.key(),
            text: snippet_text(&unit.text),
        });
    }
    let index = ClientIndex { docs, terms };
    // Serialising plain strings and numbers cannot fail; an empty index is the safe fallback.
    let json =
        serde_json::to_string(&index).unwrap_or_else(|_| "{\"docs\":[],\"terms\":{}}".into());
    format!("window.JURISDEX_INDEX = {json};\n")
}

/// Writes [`client_index`] to [`CLIENT_INDEX_FILE`] in a built site directory.
pub fn write_client_index(site: &Site, dir: &Path) -> Result<(), BuildError> {
    let path = dir.join(CLIENT_INDEX_FILE);
    let io = |source| BuildError::Io {
        path: path.clone(),
        source,
    };
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).map_err(io)?;
    }
    fs::write(&path, client_index(site)).map_err(io)
}

#[derive(Serialize)]
struct ClientIndex<'a> {
    docs: Vec<ClientDoc<'a>>,
    terms: BTreeMap<String, Vec<u32>>,
}

#[derive(Serialize)]
struct ClientDoc<'a> {
    title: &'a str,
    crumb: &'a str,
    url: String,
    kind: &'static str,
    text: String,
}

/// The first [`SNIPPET_CHARS`] characters of `text`, cut at a word and marked `…` when cut.
fn snippet_text(text: &str) -> String {
    match text.char_indices().nth(SNIPPET_CHARS) {
        None => text.to_string(),
        Some((cut, _)) => {
            let head = &text[..cut];
            let head = head
                .rfind(char::is_whitespace)
                .filter(|&at| at > cut / 2)
                .map_or(head, |at| &head[..at]);
            format!("{}…", head.trim_end())
        }
    }
}

/// Scripts written without spaces between words (Thai, Lao, Myanmar, Khmer, CJK and kana), which
/// are indexed as character bigrams. `offline-search.js` holds the same ranges.
fn is_unspaced(c: char) -> bool {
    matches!(u32::from(c),
        0x0E00..=0x0EFF // Thai, Lao
        | 0x1000..=0x109F | 0xA9E0..=0xA9FF | 0xAA60..=0xAA7F // Myanmar
        | 0x1780..=0x17FF | 0x19E0..=0x19FF // Khmer
        | 0x2E80..=0x2FDF | 0x3040..=0x30FF | 0x3100..=0x312F | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x3134F // CJK, kana
    )
}

/// The tokens of the client index, exactly as `offline-search.js` computes them: lower-cased
/// runs of letters and digits (and of unspaced scripts, marks included), words of one character
/// dropped, unspaced runs as overlapping character bigrams.
pub fn tokens(text: &str) -> Vec<String> {
    let lower = text.to_lowercase();
    let mut tokens = Vec::new();
    let mut run: Vec<char> = Vec::new();
    let mut run_unspaced = false;
    let mut flush = |run: &mut Vec<char>, unspaced: bool| {
        if unspaced {
            tokens.extend(run.windows(2).map(|pair| pair.iter().collect::<String>()));
        } else if run.len() >= 2 {
            tokens.push(run.iter().collect());
        }
        run.clear();
    };
    for c in lower.chars() {
        let unspaced = is_unspaced(c);
        if !unspaced && !c.is_alphanumeric() {
            flush(&mut run, run_unspaced);
            continue;
        }
        if !run.is_empty() && unspaced != run_unspaced {
            flush(&mut run, run_unspaced);
        }
        run_unspaced = unspaced;
        run.push(c);
    }
    flush(&mut run, run_unspaced);
    tokens
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

    #[test]
    fn tokens_split_words_and_bigram_unspaced_scripts() {
        assert_eq!(
            tokens("Art. 40(2b): UU ITE, a Kominfo-order"),
            ["art", "40", "2b", "uu", "ite", "kominfo", "order"]
        );
        assert_eq!(
            tokens("คอมพิวเตอร์"),
            ["คอ", "อม", "มพ", "พิ", "ิว", "วเ", "เต", "ตอ", "อร", "ร์"]
        );
        // A lone unspaced character makes no bigram.
        assert_eq!(tokens("法律2007年"), ["法律", "2007"]);
        assert_eq!(tokens("Ünïcode ÉTAT"), ["ünïcode", "état"]);
    }

    #[test]
    fn snippets_are_cut_at_a_word() {
        assert_eq!(snippet_text("short"), "short");
        let long = "word ".repeat(100);
        let cut = snippet_text(&long);
        assert!(cut.ends_with("word…"), "{cut}");
        assert!(cut.chars().count() <= SNIPPET_CHARS + 1);
    }
}
