//! One `Config` for a build and a server (the content, templates and output directories, the
//! base URL, live reload) and the site's metadata that every page sees.

use std::path::PathBuf;

use serde::Serialize;

use crate::model::Date;

/// Where a build reads its content and templates, where it writes, and the address it is published at.
#[derive(Debug, Clone)]
pub struct Config {
    pub content_dir: PathBuf,
    pub templates_dir: PathBuf,
    pub out_dir: PathBuf,
    /// Absolute base URL used in permalinks, citations and the feed.
    pub base_url: String,
    /// Pages poll for rebuilds (serve --watch only).
    pub dev_reload: bool,
}

impl Config {
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
