//! Every URL and anchor of the site, derived from data, in one place. Site paths are
//! root-relative (`/jurisdictions/pakistan/`); a deployment under a prefix puts `meta.root`
//! before them. Templates reach the same functions as `url(...)` and `anchor(...)`.
//!
//! Anchors come from data, never from positions or prose: `#power-<id>` and `#case-<id>` are
//! the ids written in the content, so reordering an entry's powers breaks no printed link.

/// The search page served by `serve`.
pub const SEARCH: &str = "/search";
/// The client-side search page of a static site or bundle, relative to the site root.
pub const SEARCH_PAGE_FILE: &str = "search/index.html";
/// The root file of the client-side search index (its parts are beside it), relative to the
/// site root.
pub const CLIENT_INDEX_FILE: &str = "assets/search/index.js";
/// The comparison data of custom comparisons in the browser, relative to the site root.
pub const CLIENT_COMPARE_FILE: &str = "assets/compare-data.js";
/// The top-level folders the site writes its own pages and files into: a site page (`/<id>/`)
/// may not take one of these names, or the two would be written to the same place.
pub const SITE_SECTIONS: [&str; 11] = [
    "jurisdictions",
    "frameworks",
    "reviews",
    "topics",
    "compare",
    "collections",
    "search",
    "assets",
    "api",
    "export",
    "page",
];

/// The list of jurisdictions.
pub const JURISDICTIONS: &str = "/jurisdictions/";
/// The list of topics.
pub const TOPICS: &str = "/topics/";
/// The custom comparison page (`/compare/?j=…`).
pub const COMPARE: &str = "/compare/";
/// The list of collections.
pub const COLLECTIONS: &str = "/collections/";
/// The review tracker: what the entries' laws are due for, and where bills stand.
pub const REVIEWS: &str = "/reviews/";
/// The review tracker's Atom feed, relative to the site root.
pub const REVIEWS_FEED_FILE: &str = "reviews/feed.xml";
/// The review tracker's iCalendar feed, relative to the site root.
pub const REVIEWS_CALENDAR_FILE: &str = "reviews.ics";

/// A jurisdiction's page: `/jurisdictions/<id>/`.
pub fn jurisdiction(id: &str) -> String {
    format!("/jurisdictions/{id}/")
}

/// The published versions of a jurisdiction's entry and what each changed:
/// `/jurisdictions/<id>/history/`.
pub fn jurisdiction_history(id: &str) -> String {
    format!("/jurisdictions/{id}/history/")
}

/// A jurisdiction's entry as it stood at the end of a day: `/jurisdictions/<id>/as-of/<date>/`.
pub fn jurisdiction_as_of(id: &str, date: &str) -> String {
    format!("/jurisdictions/{id}/as-of/{date}/")
}

/// The query parameter of the JSON API that asks for an entry as it stood on a day:
/// `/api/jurisdictions/<id>?as_of=2026-11-03`.
pub const AS_OF_PARAM: &str = "as_of";

/// A topic (safeguard) page: `/topics/<key>/`.
pub fn topic(key: &str) -> String {
    format!("/topics/{key}/")
}

/// A site page (`about`, `methodology` …): `/<id>/`.
pub fn page(id: &str) -> String {
    format!("/{id}/")
}

/// A grouping's pre-rendered comparison: `/compare/<grouping>/`.
pub fn grouping_compare(grouping: &str) -> String {
    format!("/compare/{grouping}/")
}

/// The "differences only" view of a page of a grouping's comparison, beside it:
/// `/compare/<grouping>/` → `/compare/<grouping>/differences/`.
pub fn differences_view(compare_page: &str) -> String {
    format!("{compare_page}{DIFFERENCES_VIEW}")
}

/// The folder of a pre-rendered comparison's "differences only" view, under the page.
pub const DIFFERENCES_VIEW: &str = "differences/";

/// The list of frameworks (the standards the safeguards are mapped onto).
pub const FRAMEWORKS: &str = "/frameworks/";

/// A framework's cross-walk: `/frameworks/<id>/`.
pub fn framework(id: &str) -> String {
    format!("/frameworks/{id}/")
}

/// A framework's cross-walk as CSV or JSON (`csv`, `json`), relative to the site root.
pub fn framework_export_file(id: &str, extension: &str) -> String {
    format!("frameworks/{id}/framework.{extension}")
}

/// A workshop collection: `/collections/<id>/`.
pub fn collection(id: &str) -> String {
    format!("/collections/{id}/")
}

/// A collection's reading pack, every item's section in full for print:
/// `/collections/<id>/reading-pack/`.
pub fn reading_pack(id: &str) -> String {
    format!("/collections/{id}/{READING_PACK}/")
}

/// The reading pack's directory inside its collection's.
pub const READING_PACK: &str = "reading-pack";

/// A jurisdiction's JSON, relative to the site root: `api/jurisdictions/<id>.json`.
pub fn api_jurisdiction_file(id: &str) -> String {
    format!("api/jurisdictions/{id}.json")
}

/// A past version of a jurisdiction's JSON, relative to the site root:
/// `api/jurisdictions/<id>/as-of/<date>.json`.
pub fn api_jurisdiction_as_of_file(id: &str, date: &str) -> String {
    format!("api/jurisdictions/{id}/as-of/{date}.json")
}

/// The file that serves a directory URL, relative to the site root:
/// `/jurisdictions/x/` → `jurisdictions/x/index.html`.
pub fn index_file(url: &str) -> String {
    format!("{}index.html", url.trim_start_matches('/'))
}

/// The query parameter that names a cited content version: `?v=2026-11-03.a1b2c3d4e5f6`.
pub const VERSION_PARAM: &str = "v";

/// `address` pinned to a content version, the address a citation gives:
/// `https://kb.example.org/jurisdictions/x/?v=2026-11-03.a1b2c3d4e5f6` (`&v=…` after a query).
pub fn cited(address: &str, version: &crate::model::ContentVersion) -> String {
    let separator = if address.contains('?') { '&' } else { '?' };
    format!("{address}{separator}{VERSION_PARAM}={version}")
}

/// The anchor of a jurisdiction page's analysis (its Markdown body).
pub const ANALYSIS_ANCHOR: &str = "analysis";

/// The anchor of a safeguard on a jurisdiction page, from its key: `safeguard-user-notice`.
pub fn safeguard_anchor(key: &str) -> String {
    format!("safeguard-{}", key.replace('_', "-"))
}

/// The anchor of an instrument: `instrument-<id>`.
pub fn instrument_anchor(id: &str) -> String {
    format!("instrument-{id}")
}

/// The anchor of a power: `power-<id>`.
pub fn power_anchor(id: &str) -> String {
    format!("power-{id}")
}

/// The anchor of a court ruling: `case-<id>`.
pub fn case_anchor(id: &str) -> String {
    format!("case-{id}")
}

/// The anchor of a source: `source-<id>`.
pub fn source_anchor(id: &str) -> String {
    format!("source-{id}")
}

/// A root-relative link as a relative link to a file, for a page at `depth` opened from disk
/// (`file://` has no directory index): `/jurisdictions/x/#a` at depth 2 becomes
/// `../../jurisdictions/x/index.html#a`. `root` is the site's path prefix (`""` or `/kb`);
/// anything not starting with a single `/` is returned as is.
pub fn file_link(href: &str, root: &str, depth: usize) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_and_anchors_come_from_ids() {
        assert_eq!(jurisdiction("pakistan"), "/jurisdictions/pakistan/");
        assert_eq!(
            index_file(&jurisdiction("pakistan")),
            "jurisdictions/pakistan/index.html"
        );
        assert_eq!(topic("user_notice"), "/topics/user_notice/");
        assert_eq!(safeguard_anchor("user_notice"), "safeguard-user-notice");
        assert_eq!(power_anchor("pta-s37"), "power-pta-s37");
        assert_eq!(file_link("/search", "", 1), "../search/index.html");
        assert_eq!(
            file_link("https://example.org/", "", 1),
            "https://example.org/"
        );
    }
}
