//! Machine-readable outputs: the safeguards matrix as CSV and JSON, and each entry as JSON.

use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::Path;
use std::sync::Arc;

use serde::Serialize;
use serde::ser::{SerializeSeq, Serializer};

use crate::catalog::Summary;
use crate::config::SiteMeta;
use crate::csv::csv_line;
use crate::model::{Jurisdiction, SafeguardKey};
use crate::render::OutputFile;
use crate::routes;

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
    /// The entry's content version, which its citations pin.
    pub version: String,
    pub entry_url: String,
}

/// Column names of the CSV export, in order.
pub const MATRIX_COLUMNS: [&str; 13] = [
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
    "version",
    "entry_url",
];

/// The eight rows of one entry, in safeguard order.
pub fn matrix_records(j: &Summary, base_url: &str) -> Vec<MatrixRecord> {
    j.safeguards
        .iter()
        .map(|a| {
            let sources = j.cited(&a.sources);
            MatrixRecord {
                jurisdiction_id: j.id.clone(),
                jurisdiction: j.name.clone(),
                iso: j.iso.clone(),
                safeguard: a.key.key().to_string(),
                value: a.value.key().to_string(),
                confidence: a.confidence.key().to_string(),
                provisions: a.provision_titles.join("; "),
                note: a.note.clone(),
                source_titles: sources
                    .iter()
                    .map(|s| s.title.as_str())
                    .collect::<Vec<_>>()
                    .join("; "),
                source_urls: sources
                    .iter()
                    .filter_map(|s| s.url.as_deref())
                    .collect::<Vec<_>>()
                    .join(" "),
                last_reviewed: j.last_reviewed.to_string(),
                version: j.version.to_string(),
                entry_url: format!(
                    "{base_url}{}#{}",
                    routes::jurisdiction(&j.id),
                    a.key.anchor()
                ),
            }
        })
        .collect()
}

/// Writes every jurisdiction × safeguard of `entries` (in their order) as RFC 4180 CSV, one
/// entry at a time, so the export is never held whole.
pub fn write_csv(entries: &[Arc<Summary>], base_url: &str, out: &mut impl Write) -> io::Result<()> {
    out.write_all(csv_line(&MATRIX_COLUMNS).as_bytes())?;
    for j in entries {
        for r in matrix_records(j, base_url) {
            out.write_all(csv_record(&r).as_bytes())?;
        }
    }
    out.flush()
}

/// Writes the same records as [`write_csv`] as a JSON array, one entry at a time.
pub fn write_json(
    entries: &[Arc<Summary>],
    base_url: &str,
    out: &mut impl Write,
) -> io::Result<()> {
    let mut serializer = serde_json::Serializer::pretty(&mut *out);
    let mut seq = serializer.serialize_seq(Some(entries.len() * SafeguardKey::ALL.len()))?;
    for j in entries {
        for r in matrix_records(j, base_url) {
            seq.serialize_element(&r)?;
        }
    }
    seq.end()?;
    out.flush()
}

/// Writes the matrix exports of `entries` ([`MATRIX_FILES`]) into a site directory.
pub fn write_matrix_files(dir: &Path, entries: &[Arc<Summary>], meta: &SiteMeta) -> io::Result<()> {
    fs::create_dir_all(dir.join("export"))?;
    let mut csv = BufWriter::new(fs::File::create(dir.join(MATRIX_CSV))?);
    write_csv(entries, &meta.base_url, &mut csv)?;
    let mut json = BufWriter::new(fs::File::create(dir.join(MATRIX_JSON))?);
    write_json(entries, &meta.base_url, &mut json)
}

/// One record as a CSV line.
fn csv_record(r: &MatrixRecord) -> String {
    csv_line(&[
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
        &r.version,
        &r.entry_url,
    ])
}

/// Where the matrix exports live, relative to the site root.
pub const MATRIX_CSV: &str = "export/matrix.csv";
/// See [`MATRIX_CSV`].
pub const MATRIX_JSON: &str = "export/matrix.json";
/// The files [`write_matrix_files`] writes, relative to the site directory.
pub const MATRIX_FILES: [&str; 2] = [MATRIX_CSV, MATRIX_JSON];

/// One entry's data as JSON (`/api/jurisdictions/<id>.json`), with its published versions under
/// `history` when the site has them (an already serialised [`crate::history::VersionIndex`]).
pub fn entry_file(j: &Jurisdiction, history: Option<serde_json::Value>) -> OutputFile {
    #[derive(serde::Serialize)]
    struct WithHistory<'a> {
        #[serde(flatten)]
        entry: &'a Jurisdiction,
        #[serde(skip_serializing_if = "Option::is_none")]
        history: Option<serde_json::Value>,
    }
    OutputFile {
        path: routes::api_jurisdiction_file(&j.id).into(),
        contents: serde_json::to_string_pretty(&WithHistory { entry: j, history })
            .unwrap_or_default(),
    }
}
