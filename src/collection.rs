//! Workshop collections: resolving each item's site address to a title, and checking it exists.

use crate::compare::{self, CompareQuery};
use crate::model::{Jurisdiction, SafeguardKey, Site};

/// Section ids every jurisdiction page has.
const PAGE_SECTIONS: [(&str, &str); 8] = [
    ("instruments", "Instruments"),
    ("powers", "Powers"),
    ("cases", "Court rulings"),
    ("safeguards", "Safeguards"),
    ("analysis", "Analysis"),
    ("sources", "Sources"),
    ("changelog", "Changelog"),
    ("cite", "Cite this entry"),
];

/// A readable title for a site address, or why the address does not resolve.
pub fn resolve(site: &Site, target: &str) -> Result<String, String> {
    let (path, fragment) = target.split_once('#').unwrap_or((target, ""));
    let (path, query) = path.split_once('?').unwrap_or((path, ""));
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    if !target.starts_with('/') {
        return Err(format!(
            "`{target}` must be a site address starting with `/`, e.g. `/jurisdictions/indonesia/#safeguard-user-notice`"
        ));
    }
    match parts.as_slice() {
        ["jurisdictions", id] => {
            let j = site
                .jurisdiction(id)
                .ok_or_else(|| format!("no jurisdiction `{id}`"))?;
            if fragment.is_empty() {
                return Ok(j.name.clone());
            }
            anchor_title(j, fragment)
                .map(|title| format!("{}: {title}", j.name))
                .ok_or_else(|| format!("`{}` has no anchor `#{fragment}`", j.id))
        }
        ["topics", key] => SafeguardKey::from_key(key)
            .map(|k| format!("Safeguard: {}", k.label()))
            .ok_or_else(|| format!("no topic `{key}`")),
        ["compare"] => {
            let selection = CompareQuery::parse(query)?.selection(site)?;
            if !selection.is_complete() {
                return Err(format!(
                    "a comparison needs at least {} jurisdictions",
                    compare::MIN_CHOSEN
                ));
            }
            let names: Vec<&str> = selection
                .jurisdictions
                .iter()
                .map(|j| j.name.as_str())
                .collect();
            Ok(format!("Compare: {}", names.join(", ")))
        }
        ["compare", grouping] => site
            .taxonomy
            .groupings
            .iter()
            .find(|g| g.id == *grouping)
            .map(|g| format!("Compare: {}", g.name))
            .ok_or_else(|| format!("no grouping `{grouping}`")),
        [""] => Ok("Home: the safeguards matrix".to_string()),
        [page] => site
            .pages
            .iter()
            .find(|p| p.id == *page)
            .map(|p| p.title.clone())
            .ok_or_else(|| format!("no page `/{page}/`")),
        _ => Err(format!("`{target}` is not an address jurisdex serves")),
    }
}

/// What an anchor on a jurisdiction page points at.
fn anchor_title(j: &Jurisdiction, anchor: &str) -> Option<String> {
    if let Some((_, title)) = PAGE_SECTIONS.iter().find(|(id, _)| *id == anchor) {
        return Some((*title).to_string());
    }
    if let Some(key) = SafeguardKey::ALL.iter().find(|k| k.anchor() == anchor) {
        return Some(key.label().to_string());
    }
    if let Some(id) = anchor.strip_prefix("instrument-") {
        return j.instrument(id).map(|i| i.title.clone());
    }
    if let Some(id) = anchor.strip_prefix("source-") {
        return j.source(id).map(|s| s.title.clone());
    }
    let numbered = |prefix: &str| {
        anchor
            .strip_prefix(prefix)
            .and_then(|n| n.parse::<usize>().ok())
            .filter(|n| *n >= 1)
    };
    if let Some(n) = numbered("power-") {
        return j
            .powers
            .get(n - 1)
            .map(|p| format!("Power of the {}", p.authority));
    }
    if let Some(n) = numbered("case-") {
        return j.cases.get(n - 1).map(|c| c.name.clone());
    }
    j.body
        .sections
        .iter()
        .find(|s| s.id == anchor)
        .map(|s| s.title.clone())
}
