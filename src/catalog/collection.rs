//! Workshop collections: resolving each item's site address to a title, and checking it exists.

use std::collections::BTreeMap;

use super::compare::{self, CompareQuery};
use super::{AddressError, Catalog};
use crate::model::{Collection, Jurisdiction, SafeguardKey};

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

/// The ids of the entries a collection's items point into (`/jurisdictions/<id>/…` and the
/// jurisdictions of `/compare/?j=…`), whose anchor titles the catalog must keep.
pub fn referenced_ids(collections: &[Collection]) -> Vec<String> {
    let mut ids = Vec::new();
    for item in collections.iter().flat_map(|c| &c.items) {
        let (path, _) = item.target.split_once('#').unwrap_or((&item.target, ""));
        if let Some(rest) = path.strip_prefix("/jurisdictions/") {
            ids.push(rest.trim_end_matches('/').to_string());
        }
    }
    ids.sort();
    ids.dedup();
    ids
}

/// The entries a collection's items show, as indices into the catalog in catalog order: the entry
/// of `/jurisdictions/<id>/…`, the chosen jurisdictions of `/compare/?j=…` (with its benchmark),
/// the members of `/compare/<grouping>/`, and every entry for a topic or the matrix. Its pages and
/// its version depend on exactly these.
pub fn opened_entries(catalog: &Catalog, collection: &Collection) -> Vec<usize> {
    let mut opened = vec![false; catalog.entries.len()];
    let position = |id: &str| catalog.entries.iter().position(|j| j.id == id);
    for item in &collection.items {
        let (path, _) = item.target.split_once('#').unwrap_or((&item.target, ""));
        let (path, query) = path.split_once('?').unwrap_or((path, ""));
        let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
        match parts.as_slice() {
            ["jurisdictions", id] => {
                if let Some(at) = compare::find(&catalog.entries, id).and_then(|j| position(&j.id))
                {
                    opened[at] = true;
                }
            }
            ["compare"] => {
                if let Ok(selection) =
                    CompareQuery::parse(query).and_then(|q| q.selection(&catalog.entries))
                {
                    for j in selection
                        .jurisdictions
                        .iter()
                        .copied()
                        .chain(selection.benchmark)
                    {
                        if let Some(at) = position(&j.id) {
                            opened[at] = true;
                        }
                    }
                }
            }
            ["compare", grouping] => {
                for (at, j) in catalog.entries.iter().enumerate() {
                    opened[at] |= j.groupings.iter().any(|g| g == grouping);
                }
            }
            ["topics", _] | [""] => opened.fill(true),
            _ => {}
        }
    }
    (0..opened.len()).filter(|&at| opened[at]).collect()
}

/// A readable title for a site address, or why the address does not resolve.
pub fn resolve(site: &Catalog, target: &str) -> Result<String, AddressError> {
    let (path, fragment) = target.split_once('#').unwrap_or((target, ""));
    let (path, query) = path.split_once('?').unwrap_or((path, ""));
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    if !target.starts_with('/') {
        return Err(AddressError(format!(
            "`{target}` must be a site address starting with `/`, e.g. `/jurisdictions/indonesia/#safeguard-user-notice`"
        )));
    }
    match parts.as_slice() {
        ["jurisdictions", id] => {
            let j = site
                .entry(id)
                .ok_or_else(|| format!("no jurisdiction `{id}`"))?;
            if fragment.is_empty() {
                return Ok(j.name.clone());
            }
            j.anchors
                .get(fragment)
                .map(|title| format!("{}: {title}", j.name))
                .ok_or_else(|| AddressError(format!("`{}` has no anchor `#{fragment}`", j.id)))
        }
        ["topics", key] => SafeguardKey::from_key(key)
            .map(|k| format!("Safeguard: {}", k.label()))
            .ok_or_else(|| AddressError(format!("no topic `{key}`"))),
        ["compare"] => {
            let selection = CompareQuery::parse(query)?.selection(&site.entries)?;
            if !selection.is_complete() {
                return Err(AddressError(format!(
                    "a comparison needs at least {} jurisdictions",
                    compare::MIN_CHOSEN
                )));
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
            .ok_or_else(|| AddressError(format!("no grouping `{grouping}`"))),
        [""] => Ok("Home: the safeguards matrix".to_string()),
        [page] => site
            .pages
            .iter()
            .find(|p| p.id == *page)
            .map(|p| p.title.clone())
            .ok_or_else(|| AddressError(format!("no page `/{page}/`"))),
        _ => Err(AddressError(format!(
            "`{target}` is not an address jurisdex serves"
        ))),
    }
}

/// Every anchor of a jurisdiction page that a collection may point at, with its title: the page
/// sections, safeguards, instruments, sources, powers, cases and body headings.
pub fn anchor_titles(j: &Jurisdiction) -> BTreeMap<String, String> {
    let mut titles: BTreeMap<String, String> = PAGE_SECTIONS
        .iter()
        .map(|(id, title)| ((*id).to_string(), (*title).to_string()))
        .collect();
    for key in SafeguardKey::ALL {
        titles.insert(key.anchor(), key.label().to_string());
    }
    for i in &j.instruments {
        titles.insert(format!("instrument-{}", i.id), i.title.clone());
    }
    for s in &j.sources {
        titles.insert(format!("source-{}", s.id), s.title.clone());
    }
    for p in &j.powers {
        let title = format!("Power of the {}", p.authority);
        for alias in &p.aliases {
            titles.insert(alias.clone(), title.clone());
        }
        titles.insert(p.anchor(), title);
    }
    for c in &j.cases {
        for alias in &c.aliases {
            titles.insert(alias.clone(), c.name.clone());
        }
        titles.insert(c.anchor(), c.name.clone());
    }
    for section in &j.body.sections {
        titles
            .entry(section.id.clone())
            .or_insert_with(|| section.title.clone());
    }
    titles
}
