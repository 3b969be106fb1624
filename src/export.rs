//! Machine-readable outputs: the safeguards matrix as CSV and JSON, and each entry as JSON.

use serde::Serialize;

use crate::catalog::Summary;
use crate::model::Jurisdiction;
use crate::render::{OutputFile, SiteMeta};

/// One jurisdiction × safeguard row of the matrix export.
#[derive(Debug, Serialize)]
pub struct MatrixRecord {
    pub jurisdiction_id: String,
    pub jurisdiction: String,
    pub iso: String,
    pub safeguard: String,
    pub value: String,
    pub confidence: String,
    pub provisions: String,
    pub note: String,
    pub source_titles: String,
    pub source_urls: String,
    pub last_reviewed: String,
    pub entry_url: String,
}

/// Column names of the CSV export, in order.
pub const MATRIX_COLUMNS: [&str; 12] = [
    "jurisdiction_id",
    "jurisdiction",
    "iso",
    "safeguard",
    "value",
    "confidence",
    "provisions",
    "note",
    "source_titles",
    "source_urls",
    "last_reviewed",
    "entry_url",
];

/// Every jurisdiction × safeguard, in the entries' order then safeguard order.
pub fn matrix_records(entries: &[Summary], base_url: &str) -> Vec<MatrixRecord> {
    let mut records = Vec::with_capacity(entries.len() * 8);
    for j in entries {
        for a in &j.safeguards {
            records.push(MatrixRecord {
                jurisdiction_id: j.id.clone(),
                jurisdiction: j.name.clone(),
                iso: j.iso.clone(),
                safeguard: a.key.key().to_string(),
                value: a.value.key().to_string(),
                confidence: a.confidence.key().to_string(),
                provisions: a.provision_titles.join("; "),
                note: a.note.clone(),
                source_titles: a
                    .sources
                    .iter()
                    .map(|s| s.title.as_str())
                    .collect::<Vec<_>>()
                    .join("; "),
                source_urls: a
                    .sources
                    .iter()
                    .filter_map(|s| s.url.as_deref())
                    .collect::<Vec<_>>()
                    .join(" "),
                last_reviewed: j.last_reviewed.to_string(),
                entry_url: format!("{base_url}/jurisdictions/{}/#{}", j.id, a.key.anchor()),
            });
        }
    }
    records
}

/// Renders records as RFC 4180 CSV.
pub fn to_csv(records: &[MatrixRecord]) -> String {
    let mut out = csv_line(&MATRIX_COLUMNS);
    for r in records {
        out.push_str(&csv_line(&[
            &r.jurisdiction_id,
            &r.jurisdiction,
            &r.iso,
            &r.safeguard,
            &r.value,
            &r.confidence,
            &r.provisions,
            &r.note,
            &r.source_titles,
            &r.source_urls,
            &r.last_reviewed,
            &r.entry_url,
        ]));
    }
    out
}

/// Renders records as a JSON array.
pub fn to_json(records: &[MatrixRecord]) -> String {
    serde_json::to_string_pretty(records).unwrap_or_default()
}

/// One CSV line (with CRLF). Cells that a spreadsheet would read as a formula are prefixed with
/// `'` so that an export can never run code when opened.
pub fn csv_line(cells: &[&str]) -> String {
    let mut line = cells
        .iter()
        .map(|c| csv_cell(c))
        .collect::<Vec<_>>()
        .join(",");
    line.push_str("\r\n");
    line
}

fn csv_cell(text: &str) -> String {
    let guarded = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    };
    if guarded.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded
    }
}

/// Where the matrix exports live, relative to the site root.
pub const MATRIX_CSV: &str = "export/matrix.csv";
/// See [`MATRIX_CSV`].
pub const MATRIX_JSON: &str = "export/matrix.json";

/// The matrix of `entries` as CSV and as JSON.
pub fn matrix_files(entries: &[Summary], meta: &SiteMeta) -> [OutputFile; 2] {
    let records = matrix_records(entries, &meta.base_url);
    [
        OutputFile {
            path: MATRIX_CSV.into(),
            contents: to_csv(&records),
        },
        OutputFile {
            path: MATRIX_JSON.into(),
            contents: to_json(&records),
        },
    ]
}

/// One entry's data as JSON (`/api/jurisdictions/<id>.json`).
pub fn entry_file(j: &Jurisdiction) -> OutputFile {
    OutputFile {
        path: format!("api/jurisdictions/{}.json", j.id).into(),
        contents: serde_json::to_string_pretty(j).unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_are_quoted_and_formula_guarded() {
        assert_eq!(csv_cell("plain"), "plain");
        assert_eq!(csv_cell("a, b"), "\"a, b\"");
        assert_eq!(csv_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_cell("=HYPERLINK(1)"), "'=HYPERLINK(1)");
    }
}
