//! Checks every internal link and anchor in a built site, so a trainer's link never dangles.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

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
pub struct Page {
    ids: HashSet<String>,
    links: Vec<String>,
}

/// Values of `attr="…"` in the tags of an HTML document, with `&amp;` decoded. Only markup is
/// read: text never holds a raw `<` (it is escaped), so a quoted `href="…"` in prose is ignored.
fn attribute_values(html: &str, attr: &str) -> Vec<String> {
    let needle = format!(" {attr}=\"");
    let needle = needle.as_str();
    html.split('<')
        .skip(1)
        .filter_map(|tag| tag.split('>').next())
        .flat_map(|tag| {
            tag.match_indices(needle).filter_map(move |(at, _)| {
                let start = at + needle.len();
                let end = tag[start..].find('"')?;
                Some(tag[start..start + end].replace("&amp;", "&"))
            })
        })
        .collect()
}

/// Every page's path (relative to `site_dir`) → its ids and the links starting with `root/`.
fn scan(site_dir: &Path, root: &str) -> HashMap<PathBuf, Page> {
    let files: Vec<PathBuf> = walkdir::WalkDir::new(site_dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "html"))
        .map(|e| e.into_path())
        .collect();
    files
        .par_iter()
        .filter_map(|path| {
            let html = fs::read_to_string(path).ok()?;
            let relative = path.strip_prefix(site_dir).ok()?.to_path_buf();
            Some((relative, Page::new(&html, root)))
        })
        .collect()
}

impl Page {
    /// The page with its links to anchors in other pages cut to the page itself (for a rebuild
    /// of one entry, whose links into other pages carry anchors derived from unchanged data).
    pub fn without_foreign_anchors(mut self) -> Page {
        for link in &mut self.links {
            if !link.starts_with('#')
                && let Some(hash) = link.find('#')
            {
                link.truncate(hash);
            }
        }
        self
    }

    /// The ids of an HTML page and its links that start with `root/` (or `#`).
    pub fn new(html: &str, root: &str) -> Page {
        let prefix = format!("{root}/");
        Page {
            ids: attribute_values(html, "id").into_iter().collect(),
            links: attribute_values(html, "href")
                .into_iter()
                .filter(|h| h.starts_with('#') || (h.starts_with(&prefix) && !h.starts_with("//")))
                .collect(),
        }
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

/// Checks every internal link of the site in `site_dir` (served under `root`, e.g. `""`).
pub fn check_links(site_dir: &Path, root: &str) -> Vec<BrokenLink> {
    check(&scan(site_dir, root), &[site_dir.to_path_buf()], root)
}

/// Checks the links of `pages` (path relative to the site root → its [`Page`]), as the build
/// collects them while writing. A target page missing from `pages` must exist in one of `dirs`
/// (searched in order, as a version served in layers); its anchors are then read from the file.
pub fn check(pages: &HashMap<PathBuf, Page>, dirs: &[PathBuf], root: &str) -> Vec<BrokenLink> {
    let find = |file: &Path| dirs.iter().map(|d| d.join(file)).find(|p| p.is_file());
    let mut read: HashMap<PathBuf, Option<Page>> = HashMap::new();
    let mut broken = Vec::new();
    for (page_path, page) in pages {
        for href in &page.links {
            let (path, fragment) = href.split_once('#').unwrap_or((href.as_str(), ""));
            let path = path.split('?').next().unwrap_or_default();
            let local = path.strip_prefix(root).unwrap_or(path);
            if DYNAMIC_PREFIXES
                .iter()
                .any(|p| local == *p || local.starts_with(&format!("{p}?")))
            {
                continue;
            }
            let (target_path, target) = if path.is_empty() {
                (page_path.clone(), Some(page))
            } else {
                let file = target_file(local);
                if !pages.contains_key(&file) && find(&file).is_none() {
                    broken.push(BrokenLink {
                        page: page_path.clone(),
                        href: href.clone(),
                        reason: format!("no file `{}`", file.display()),
                    });
                    continue;
                }
                if fragment.is_empty() {
                    continue;
                }
                let target = pages.get(&file).or_else(|| {
                    read.entry(file.clone())
                        .or_insert_with(|| {
                            let is_html = file.extension().is_some_and(|x| x == "html");
                            let html = fs::read_to_string(find(&file)?).ok()?;
                            is_html.then(|| Page::new(&html, root))
                        })
                        .as_ref()
                });
                (file, target)
            };
            if fragment.is_empty() {
                continue;
            }
            match target {
                Some(t) if t.ids.contains(fragment) => {}
                Some(_) => broken.push(BrokenLink {
                    page: page_path.clone(),
                    href: href.clone(),
                    reason: format!("`{}` has no anchor `#{fragment}`", target_path.display()),
                }),
                None => {}
            }
        }
    }
    broken.sort_by(|a, b| (&a.page, &a.href).cmp(&(&b.page, &b.href)));
    broken
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
}
