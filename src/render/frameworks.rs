//! Cross-walks: each framework's page shows every jurisdiction against the framework's items,
//! through the ratings of the safeguards each item maps onto (the mapping is shown; the code
//! adds no judgement of its own), with the same table as CSV and JSON.

use super::*;
use crate::csv::csv_line;
use crate::model::{Framework, Source};

/// One safeguard rating shown in a framework's cell.
#[derive(Debug, Serialize)]
pub(super) struct Mark {
    pub(super) safeguard: SafeguardKey,
    pub(super) label: &'static str,
    pub(super) value: Value,
    pub(super) confidence: Confidence,
    /// The rating on its entry's page.
    pub(super) href: String,
}

/// One jurisdiction against every item.
#[derive(Debug, Serialize)]
pub(super) struct FrameworkRow {
    pub(super) id: String,
    pub(super) name: String,
    pub(super) href: String,
    /// Per item, in the framework's order, the ratings of the safeguards it maps onto.
    pub(super) cells: Vec<Vec<Mark>>,
}

/// One item with the safeguards it maps onto and the sources of its wording.
#[derive(Debug, Serialize)]
pub(super) struct ItemView<'a> {
    pub(super) item: &'a crate::model::FrameworkItem,
    pub(super) safeguards: Vec<(&'static str, String)>,
    pub(super) sources: Vec<&'a Source>,
}

/// The items of a framework, ready to show.
pub(super) fn items<'a>(framework: &'a Framework, root: &str) -> Vec<ItemView<'a>> {
    framework
        .items
        .iter()
        .map(|item| ItemView {
            item,
            safeguards: item
                .safeguards
                .iter()
                .map(|k| (k.label(), format!("{root}{}", routes::topic(k.key()))))
                .collect(),
            sources: item
                .sources
                .iter()
                .filter_map(|id| framework.source(id))
                .collect(),
        })
        .collect()
}

/// Each entry's row against the framework's items.
pub(super) fn rows(framework: &Framework, entries: &[&Summary], root: &str) -> Vec<FrameworkRow> {
    entries
        .iter()
        .map(|j| {
            let page = format!("{root}{}", routes::jurisdiction(&j.id));
            FrameworkRow {
                id: j.id.clone(),
                name: j.name.clone(),
                href: page.clone(),
                cells: framework
                    .items
                    .iter()
                    .map(|item| {
                        item.safeguards
                            .iter()
                            .map(|&key| {
                                let rating = j.rating(key);
                                Mark {
                                    safeguard: key,
                                    label: key.label(),
                                    value: rating.value,
                                    confidence: rating.confidence,
                                    href: format!("{page}#{}", key.anchor()),
                                }
                            })
                            .collect()
                    })
                    .collect(),
            }
        })
        .collect()
}

/// The framework's table as CSV: a row per jurisdiction, a column per item, each cell naming the
/// mapped safeguards' ratings (`Judicial authorisation: no (confirmed)`).
pub(super) fn to_csv(framework: &Framework, rows: &[FrameworkRow]) -> String {
    let mut header = vec!["jurisdiction_id", "jurisdiction"];
    header.extend(framework.items.iter().map(|i| i.label.as_str()));
    header.push("entry_url");
    let mut out = csv_line(&header);
    for row in rows {
        let cells: Vec<String> = row
            .cells
            .iter()
            .map(|marks| {
                marks
                    .iter()
                    .map(|m| format!("{}: {} ({})", m.label, m.value.key(), m.confidence.key()))
                    .collect::<Vec<_>>()
                    .join("; ")
            })
            .collect();
        let mut line = vec![row.id.as_str(), row.name.as_str()];
        line.extend(cells.iter().map(String::as_str));
        line.push(&row.href);
        out.push_str(&csv_line(&line));
    }
    out
}

/// The framework and its table as JSON: the items with their mapping, and each jurisdiction's
/// ratings per item.
pub(super) fn to_json(framework: &Framework, rows: &[FrameworkRow]) -> String {
    #[derive(Serialize)]
    struct Export<'a> {
        framework: &'a Framework,
        jurisdictions: Vec<JurisdictionRow<'a>>,
    }
    #[derive(Serialize)]
    struct JurisdictionRow<'a> {
        id: &'a str,
        name: &'a str,
        entry_url: &'a str,
        items: BTreeMap<&'a str, &'a [Mark]>,
    }
    let export = Export {
        framework,
        jurisdictions: rows
            .iter()
            .map(|row| JurisdictionRow {
                id: &row.id,
                name: &row.name,
                entry_url: &row.href,
                items: framework
                    .items
                    .iter()
                    .zip(&row.cells)
                    .map(|(item, marks)| (item.id.as_str(), marks.as_slice()))
                    .collect(),
            })
            .collect(),
    };
    serde_json::to_string_pretty(&export).unwrap_or_default()
}
