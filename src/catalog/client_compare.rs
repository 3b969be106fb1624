//! The comparison data for the browser (`assets/compare-data.js`), so that a static host or the
//! offline bundle opened from `file://` can show a custom comparison without the server: every
//! entry's cells for every row, made by [`compare::table`] exactly as the server makes them, for
//! `compare.js` to assemble into the chosen columns.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use super::compare::{self, Selection, SourceLink};
use super::{Catalog, Summary};
use crate::html::{encode_url, script_safe};
use crate::model::{Confidence, SafeguardKey, Value};
use crate::routes;

/// The comparison data as JavaScript.
///
/// Shape: `window.JURISDEX_COMPARE = {"min","max","values":{"yes":{"label","symbol"}…},
/// "rows":[{"key","label","safeguard","href"}…],"entries":[{"id","name","iso","aliases","href",
/// "cells":[{"value","confidence","answer","text","provision","href","sources":[…]}…]}…],
/// "sources":[{"title","url","href"}…]};` where `rows` are every safeguard then every fact in table
/// order, an entry's `cells` follow `rows`, a row differs when the answers of its cells do (the
/// `answer`, or the `text` when there is no `answer`),
/// `sources` are positions in the top-level `sources` (each title and URL once, so equal lists
/// are equal sources), and every `href` is relative to the site root and names a file
/// (`jurisdictions/x/index.html#safeguard-user-notice`).
pub fn client_compare(catalog: &Catalog) -> String {
    let data = CompareData::new(catalog);
    // Serialising plain strings and numbers cannot fail; no data makes the page say so.
    let json = serde_json::to_string(&data).unwrap_or_else(|_| "null".into());
    format!("window.JURISDEX_COMPARE = {};\n", script_safe(&json))
}

#[derive(Serialize)]
struct CompareData {
    min: usize,
    max: usize,
    values: BTreeMap<&'static str, ValueText>,
    rows: Vec<ClientRow>,
    entries: Vec<ClientEntry>,
    sources: Vec<ClientSource>,
}

/// How a value's badge reads.
#[derive(Serialize)]
struct ValueText {
    label: &'static str,
    symbol: &'static str,
}

#[derive(Serialize)]
struct ClientRow {
    key: String,
    label: String,
    safeguard: bool,
    /// The safeguard's topic page (none for facts).
    href: Option<String>,
}

#[derive(Serialize)]
struct ClientEntry {
    id: String,
    name: String,
    iso: String,
    aliases: Vec<String>,
    href: String,
    cells: Vec<ClientCell>,
}

#[derive(Serialize)]
struct ClientCell {
    value: Option<Value>,
    confidence: Option<Confidence>,
    /// What the row compares ([`compare::Cell::answer`]), left out when it is the text.
    #[serde(skip_serializing_if = "Option::is_none")]
    answer: Option<String>,
    text: String,
    provision: String,
    href: String,
    sources: Vec<usize>,
}

#[derive(Serialize)]
struct ClientSource {
    title: String,
    /// The address as written, for the printed list of sources.
    url: Option<String>,
    /// The address made ready for a link (see [`encode_url`]).
    href: Option<String>,
}

/// A site-root-relative address of a file: `/topics/x/` → `topics/x/index.html`.
fn file_href(route: &str) -> String {
    routes::file_link(route, "", 0)
}

/// Every row and every safeguard, in order, in one entry's column (or none).
fn whole(entry: Option<&Summary>) -> compare::Table {
    let selection = Selection {
        jurisdictions: entry.into_iter().collect(),
        safeguards: SafeguardKey::ALL.to_vec(),
        differences_only: false,
        benchmark: None,
    };
    compare::table(&selection, "")
}

impl CompareData {
    fn new(catalog: &Catalog) -> CompareData {
        let rows = whole(None)
            .rows
            .into_iter()
            .map(|r| ClientRow {
                href: r.safeguard.map(|_| file_href(&routes::topic(&r.key))),
                safeguard: r.safeguard.is_some(),
                key: r.key,
                label: r.label,
            })
            .collect();
        let mut sources: Vec<ClientSource> = Vec::new();
        let mut numbers: HashMap<SourceLink, usize> = HashMap::new();
        let entries = catalog
            .entries
            .iter()
            .map(|j| ClientEntry {
                cells: whole(Some(j))
                    .rows
                    .into_iter()
                    .flat_map(|r| r.cells)
                    .map(|cell| ClientCell {
                        answer: (cell.answer() != cell.text).then(|| cell.answer().to_string()),
                        sources: cell
                            .sources
                            .into_iter()
                            .map(|s| {
                                *numbers.entry(s.clone()).or_insert_with(|| {
                                    sources.push(ClientSource {
                                        href: s.url.as_deref().map(|u| encode_url(u).into_owned()),
                                        url: s.url,
                                        title: s.title,
                                    });
                                    sources.len() - 1
                                })
                            })
                            .collect(),
                        value: cell.value,
                        confidence: cell.confidence,
                        text: cell.text,
                        provision: cell.provision,
                        href: file_href(&cell.href),
                    })
                    .collect(),
                id: j.id.clone(),
                name: j.name.clone(),
                iso: j.iso.clone(),
                aliases: j.aliases.clone(),
                href: file_href(&routes::jurisdiction(&j.id)),
            })
            .collect();
        CompareData {
            min: compare::MIN_CHOSEN,
            max: compare::MAX_CHOSEN,
            values: Value::ALL
                .iter()
                .map(|v| {
                    (
                        v.key(),
                        ValueText {
                            label: v.label(),
                            symbol: v.symbol(),
                        },
                    )
                })
                .collect(),
            rows,
            entries,
            sources,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_catalog_still_names_every_row() {
        let catalog = Catalog {
            taxonomy: crate::model::Taxonomy {
                regions: Vec::new(),
                groupings: Vec::new(),
            },
            entries: Vec::new(),
            topics: Vec::new(),
            pages: Vec::new(),
            collections: Vec::new(),
            frameworks: Vec::new(),
        };
        let js = client_compare(&catalog);
        let json = js
            .trim_end()
            .strip_prefix("window.JURISDEX_COMPARE = ")
            .and_then(|j| j.strip_suffix(';'))
            .unwrap();
        let data: serde_json::Value = serde_json::from_str(json).unwrap();
        let rows = data["rows"].as_array().unwrap();
        assert_eq!(rows.len(), SafeguardKey::ALL.len() + compare::FACTS.len());
        assert_eq!(rows[0]["href"], "topics/legal_clarity/index.html");
        assert_eq!(rows.last().unwrap()["href"], serde_json::Value::Null);
        assert_eq!(data["values"]["partial"]["symbol"], "◐");
    }
}
