//! Checks every internal link and anchor in a built site, so a trainer's link never dangles.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::fs;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::html::encode_url;

/// Addresses answered by the server rather than by files, and not checked.
const DYNAMIC_PREFIXES: [&str; 3] = ["/search", "/api/search", "/__version"];

/// A link whose target page or anchor does not exist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokenLink {
    /// The page holding the link, relative to the site root.
    pub page: PathBuf,
    pub href: String,
    pub reason: String,
}

impl std::fmt::Display for BrokenLink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: link `{}`: {}",
            self.page.display(),
            self.href,
            self.reason
        )
    }
}

/// The ids and the internal links of one page.
#[derive(Debug, Default)]
pub struct PageLinks {
    ids: HashSet<String>,
    links: Vec<String>,
}

/// Calls `f` with the name and value of every `id="…"` and `href="…"` attribute in the tags of an
/// HTML document, with `&amp;` decoded. Only markup is read: text never holds a raw `<` (it is
/// escaped), so a quoted `href="…"` in prose is ignored; nor does a quoted value hold a raw `"`.
fn tag_attributes(html: &str, mut f: impl FnMut(Attribute, String)) {
    let bytes = html.as_bytes();
    let mut at = 0;
    while let Some(open) = memchr::memchr(b'<', &bytes[at..]) {
        let start = at + open + 1;
        let end = memchr::memchr(b'>', &bytes[start..]).map_or(bytes.len(), |len| start + len);
        at = end;
        if bytes.get(start) == Some(&b'/') {
            continue;
        }
        // Each `"` opens a value and the next one closes it.
        let mut rest = start;
        while let Some(quote) = memchr::memchr(b'"', &bytes[rest..end]) {
            let value_start = rest + quote + 1;
            let Some(len) = memchr::memchr(b'"', &bytes[value_start..end]) else {
                break;
            };
            rest = value_start + len + 1;
            let name = &html[start..value_start - 1];
            let attribute = if name.ends_with(" id=") {
                Attribute::Id
            } else if name.ends_with(" href=") {
                Attribute::Href
            } else {
                continue;
            };
            let value = &html[value_start..value_start + len];
            let value = if value.contains('&') {
                value.replace("&amp;", "&")
            } else {
                value.to_string()
            };
            f(attribute, value);
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Attribute {
    Id,
    Href,
}

/// Every page's path (relative to `site_dir`) with its ids and links.
fn scan(site_dir: &Path, root: &str) -> Vec<(PathBuf, PageLinks)> {
    let files: Vec<PathBuf> = walkdir::WalkDir::new(site_dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| e.into_path())
        .collect();
    files
        .par_iter()
        .filter_map(|path| {
            let relative = path.strip_prefix(site_dir).ok()?.to_path_buf();
            let page = if relative.extension().is_some_and(|x| x == "html") {
                PageLinks::new(&fs::read_to_string(path).ok()?, root)
            } else {
                PageLinks::default()
            };
            Some((relative, page))
        })
        .collect()
}

impl PageLinks {
    /// The ids of an HTML page and its links that start with `root/` (or `#`).
    pub fn new(html: &str, root: &str) -> PageLinks {
        let prefix = format!("{root}/");
        let mut page = PageLinks::default();
        tag_attributes(html, |attribute, value| match attribute {
            Attribute::Id => {
                page.ids.insert(as_written(value));
            }
            Attribute::Href
                if value.starts_with('#')
                    || (value.starts_with(&prefix) && !value.starts_with("//")) =>
            {
                page.links.push(as_written(value));
            }
            Attribute::Href => {}
        });
        page
    }
}

/// An id or a link as links are written ([`encode_url`]): `#section-ไทย` and
/// `#section-%E0%B9%84%E0%B8%97%E0%B8%A2` name the same anchor, as they do in a browser.
fn as_written(text: String) -> String {
    match encode_url(&text) {
        Cow::Borrowed(_) => text,
        Cow::Owned(encoded) => encoded,
    }
}

/// The file a site path names: `/a/` → `a/index.html`.
fn target_file(path: &str) -> PathBuf {
    let trimmed = path.trim_start_matches('/');
    if trimmed.is_empty() || trimmed.ends_with('/') {
        PathBuf::from(trimmed).join("index.html")
    } else {
        PathBuf::from(trimmed)
    }
}

/// Whether the site path `local` (e.g. `/a/`) names the file `path` (e.g. `a/index.html`), as
/// [`target_file`] would, without building a path. A path it does not recognise (`/a//`) is
/// only checked later, as a link into another page.
fn names_file(local: &str, path: &str) -> bool {
    let trimmed = local.trim_start_matches('/');
    if trimmed.is_empty() || trimmed.ends_with('/') {
        path.strip_prefix(trimmed) == Some("index.html")
    } else {
        path == trimmed
    }
}

/// Checks every internal link of the site in `site_dir` (served under `root`, e.g. `""`).
pub fn check_links(site_dir: &Path, root: &str) -> Vec<BrokenLink> {
    let mut checker = LinkChecker::new(root, Anchors::Everywhere);
    for (path, page) in scan(site_dir, root) {
        checker.add(path, page);
    }
    checker.finish(&[site_dir.to_path_buf()])
}

/// Which anchors of links into other pages a [`LinkChecker`] verifies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Anchors {
    /// Every link's anchor (a full build).
    Everywhere,
    /// Only anchors within the linking page; links into other pages are checked for the page
    /// alone. For a rebuild of a few pages, whose links into other pages carry anchors derived
    /// from data such an edit cannot change (ids, safeguard keys), checked by the full build.
    OwnPageOnly,
}

/// Checks links page by page as a build writes them, keeping only what the check needs: the
/// written files, a hash of each page's ids, and each distinct link into another page.
pub struct LinkChecker {
    root: String,
    anchors_checked: Anchors,
    files: HashSet<PathBuf>,
    /// Hashes of `(page, id)`.
    ids: HashSet<u64>,
    /// Links into other pages: link → the first page holding it.
    pending: HashMap<String, PathBuf>,
    broken: Vec<BrokenLink>,
}

/// A hash of a page's path, from which [`id_hash`] derives those of its ids.
fn page_hash(page: &Path) -> u64 {
    let mut hasher = std::hash::DefaultHasher::new();
    page.hash(&mut hasher);
    hasher.finish()
}

fn id_hash(page: u64, id: &str) -> u64 {
    let mut hasher = std::hash::DefaultHasher::new();
    (page, id).hash(&mut hasher);
    hasher.finish()
}

impl LinkChecker {
    /// A checker for a site served under `root` (e.g. `""`).
    pub fn new(root: &str, anchors_checked: Anchors) -> LinkChecker {
        LinkChecker {
            root: root.to_string(),
            anchors_checked,
            files: HashSet::new(),
            ids: HashSet::new(),
            pending: HashMap::new(),
            broken: Vec::new(),
        }
    }

    /// Records a written file (`path` relative to the site root) and checks its links within
    /// itself; links into other pages wait for [`LinkChecker::finish`].
    pub fn add(&mut self, path: PathBuf, page: PageLinks) {
        let path_str = path.to_str().unwrap_or_default();
        for href in page.links {
            let (target, fragment) = href.split_once('#').unwrap_or((href.as_str(), ""));
            let target = target.split('?').next().unwrap_or_default();
            let local = target.strip_prefix(&self.root).unwrap_or(target);
            if DYNAMIC_PREFIXES.iter().any(|p| {
                local
                    .strip_prefix(p)
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with('?'))
            }) {
                continue;
            }
            if target.is_empty() || names_file(local, path_str) {
                if !fragment.is_empty() && !page.ids.contains(fragment) {
                    self.broken.push(BrokenLink {
                        page: path.clone(),
                        reason: format!("`{}` has no anchor `#{fragment}`", path.display()),
                        href,
                    });
                }
                continue;
            }
            let kept = match self.anchors_checked {
                Anchors::Everywhere => href,
                Anchors::OwnPageOnly => {
                    let page_only = href[..href.len() - fragment.len()].trim_end_matches('#');
                    page_only.to_string()
                }
            };
            self.pending.entry(kept).or_insert_with(|| path.clone());
        }
        let page_key = page_hash(&path);
        for id in &page.ids {
            self.ids.insert(id_hash(page_key, id));
        }
        self.files.insert(path);
    }

    /// Checks the links into other pages and returns every broken link, sorted. A target not
    /// written through this checker must exist in one of `dirs` (searched in order, as a version
    /// served in layers); its anchors are then read from the file.
    pub fn finish(self, dirs: &[PathBuf]) -> Vec<BrokenLink> {
        self.finish_knowing(dirs, |_| false)
    }

    /// [`LinkChecker::finish`], where `known` names files the caller knows exist in `dirs`
    /// (a rebuild's catalog knows every entry page), whose existence is then not looked up.
    pub fn finish_knowing(
        mut self,
        dirs: &[PathBuf],
        known: impl Fn(&Path) -> bool,
    ) -> Vec<BrokenLink> {
        let find = |file: &Path| dirs.iter().map(|d| d.join(file)).find(|p| p.is_file());
        let mut read: HashMap<PathBuf, Option<PageLinks>> = HashMap::new();
        for (href, page) in std::mem::take(&mut self.pending) {
            let (target, fragment) = href.split_once('#').unwrap_or((href.as_str(), ""));
            let target = target.split('?').next().unwrap_or_default();
            let file = target_file(target.strip_prefix(&self.root).unwrap_or(target));
            let written = self.files.contains(&file);
            if fragment.is_empty() && !written && known(&file) {
                continue;
            }
            if !written && find(&file).is_none() {
                self.broken.push(BrokenLink {
                    page,
                    reason: format!("no file `{}`", file.display()),
                    href,
                });
                continue;
            }
            if fragment.is_empty() {
                continue;
            }
            let found = if written {
                Some(self.ids.contains(&id_hash(page_hash(&file), fragment)))
            } else {
                read.entry(file.clone())
                    .or_insert_with(|| {
                        let is_html = file.extension().is_some_and(|x| x == "html");
                        let html = fs::read_to_string(find(&file)?).ok()?;
                        is_html.then(|| PageLinks::new(&html, &self.root))
                    })
                    .as_ref()
                    .map(|target| target.ids.contains(fragment))
            };
            if found == Some(false) {
                self.broken.push(BrokenLink {
                    page,
                    reason: format!("`{}` has no anchor `#{fragment}`", file.display()),
                    href,
                });
            }
        }
        self.broken
            .sort_by(|a, b| (&a.page, &a.href).cmp(&(&b.page, &b.href)));
        self.broken
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_missing_pages_and_anchors() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("a")).unwrap();
        fs::write(
            dir.path().join("index.html"),
            r##"<a href="/a/#x">ok</a> <a href="/a/#y">bad anchor</a> <a href="/b/">missing</a> <a href="#top">ok</a> <a href="#nope">bad</a> <a href="/search?q=x&amp;y=1">dynamic</a> <a href="https://example.org/">external</a> <p id="top"></p> &lt;a href="/quoted-in-text/"&gt;"##,
        )
        .unwrap();
        fs::write(dir.path().join("a/index.html"), r#"<h2 id="x">X</h2>"#).unwrap();
        let broken: Vec<String> = check_links(dir.path(), "")
            .iter()
            .map(|b| b.href.clone())
            .collect();
        assert_eq!(broken, ["#nope", "/a/#y", "/b/"]);
    }

    #[test]
    fn names_file_agrees_with_target_file() {
        let files = [
            "index.html",
            "a/index.html",
            "a/b/index.html",
            "a/feed.xml",
            "feed.xml",
        ];
        let links = [
            "/",
            "",
            "/a/",
            "a/",
            "/a",
            "/a/b/",
            "/a/feed.xml",
            "/feed.xml",
            "/b/",
        ];
        for link in links {
            for file in files {
                assert_eq!(
                    names_file(link, file),
                    target_file(link) == Path::new(file),
                    "{link} {file}"
                );
            }
        }
    }

    #[test]
    fn attributes_are_read_from_tags_only() {
        let html = r#"<p>id="no" href="no"</p><a class="x" href="/a/?q=1&amp;r=2" id="one"><b id="two"></b><img alt="say href=x" data-id="no"></a>"#;
        let mut found = Vec::new();
        tag_attributes(html, |attribute, value| {
            found.push((attribute == Attribute::Id, value));
        });
        assert_eq!(
            found,
            [
                (false, "/a/?q=1&r=2".to_string()),
                (true, "one".to_string()),
                (true, "two".to_string()),
            ]
        );
    }

    #[test]
    fn anchors_outside_ascii_resolve_whether_encoded_or_not() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("a")).unwrap();
        fs::write(
            dir.path().join("index.html"),
            r##"<h2 id="section-ไทย"></h2><a href="#section-%E0%B9%84%E0%B8%97%E0%B8%A2">encoded</a> <a href="/a/#section-%C3%BCber">encoded</a> <a href="/a/#section-über">as typed</a> <a href="/a/#section-%C3%BCberall">missing</a>"##,
        )
        .unwrap();
        fs::write(
            dir.path().join("a/index.html"),
            r#"<h2 id="section-über">X</h2>"#,
        )
        .unwrap();
        let broken: Vec<String> = check_links(dir.path(), "")
            .iter()
            .map(|b| b.href.clone())
            .collect();
        assert_eq!(broken, ["/a/#section-%C3%BCberall"]);
    }
}
