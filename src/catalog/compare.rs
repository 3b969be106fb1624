//! Side-by-side comparison of chosen jurisdictions: the selection, the table and its CSV.

use std::collections::HashMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::{AddressError, Summary};
use crate::csv::csv_line;
use crate::model::{Confidence, ContentVersion, Jurisdiction, SafeguardKey, Value};
use crate::routes;

/// Fewest and most jurisdictions a reader may choose in the form.
pub const MIN_CHOSEN: usize = 2;
/// See [`MIN_CHOSEN`].
pub const MAX_CHOSEN: usize = 8;

/// What the reader asked to compare.
#[derive(Debug, Clone)]
pub struct Selection<'a> {
    pub jurisdictions: Vec<&'a Summary>,
    pub safeguards: Vec<SafeguardKey>,
    pub differences_only: bool,
    /// An extra column used as the yardstick (e.g. the EU), shown first.
    pub benchmark: Option<&'a Summary>,
}

/// Finds a jurisdiction by id, alias or ISO code, in any case.
pub fn find<'a>(entries: &'a [Arc<Summary>], key: &str) -> Option<&'a Summary> {
    let key = key.trim().to_lowercase();
    entries
        .iter()
        .find(|j| j.id == key || j.iso.to_lowercase() == key || j.aliases.contains(&key))
        .map(|j| &**j)
}

impl<'a> Selection<'a> {
    /// Reads `j=a,b,c&t=key,key&diff=1&bench=id`, answering a message for the reader on bad input.
    pub fn parse(
        entries: &'a [Arc<Summary>],
        chosen: &str,
        safeguards: &str,
        differences_only: bool,
        benchmark: &str,
    ) -> Result<Selection<'a>, AddressError> {
        let mut jurisdictions: Vec<&Summary> = Vec::new();
        for key in chosen.split(',').map(str::trim).filter(|k| !k.is_empty()) {
            let j = find(entries, key).ok_or_else(|| format!("unknown jurisdiction `{key}`: use an id such as `indonesia` or an ISO code such as `ID`"))?;
            if !jurisdictions.iter().any(|x| x.id == j.id) {
                jurisdictions.push(j);
            }
        }
        if jurisdictions.len() > MAX_CHOSEN {
            return Err(AddressError(format!(
                "{} jurisdictions chosen: compare at most {MAX_CHOSEN} at a time",
                jurisdictions.len()
            )));
        }
        let mut keys = Vec::new();
        for key in safeguards
            .split(',')
            .map(str::trim)
            .filter(|k| !k.is_empty())
        {
            let k = SafeguardKey::from_key(&key.replace('-', "_")).ok_or_else(|| {
                format!("unknown safeguard `{key}`: use keys such as `judicial_authorisation`")
            })?;
            if !keys.contains(&k) {
                keys.push(k);
            }
        }
        if keys.is_empty() {
            keys = SafeguardKey::ALL.to_vec();
        }
        let benchmark = match benchmark.trim() {
            "" => None,
            key => Some(
                find(entries, key)
                    .ok_or_else(|| format!("unknown benchmark jurisdiction `{key}`"))?,
            ),
        };
        Ok(Selection {
            jurisdictions,
            safeguards: keys,
            differences_only,
            benchmark,
        })
    }

    /// True when enough jurisdictions are chosen to draw a table.
    pub fn is_complete(&self) -> bool {
        self.jurisdictions.len() >= MIN_CHOSEN
    }

    /// The columns in display order: the benchmark first (if not also chosen), then the choice;
    /// `true` marks the benchmark.
    pub fn columns(&self) -> Vec<(&'a Summary, bool)> {
        let mut columns = Vec::new();
        if let Some(b) = self.benchmark {
            columns.push((b, true));
        }
        for j in &self.jurisdictions {
            if self.benchmark.is_none_or(|b| b.id != j.id) {
                columns.push((*j, false));
            }
        }
        columns
    }
}

/// The parameters of a compare address. `j` and `t` may be comma lists or repeat (form checkboxes).
#[derive(Debug, Clone, Default)]
pub struct CompareQuery {
    pairs: Vec<(String, String)>,
}

impl CompareQuery {
    /// Reads a URL query string (without `?`).
    pub fn parse(query: &str) -> Result<CompareQuery, AddressError> {
        serde_urlencoded::from_str(query)
            .map(|pairs| CompareQuery { pairs })
            .map_err(|e| AddressError(format!("bad query string: {e}")))
    }

    /// Every value of a parameter, joined with commas.
    pub fn joined(&self, name: &str) -> String {
        self.pairs
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect::<Vec<_>>()
            .join(",")
    }

    /// True when a parameter is present and neither empty nor `0`.
    pub fn flag(&self, name: &str) -> bool {
        self.pairs
            .iter()
            .any(|(k, v)| k == name && !v.is_empty() && v != "0")
    }

    /// The selection these parameters describe.
    pub fn selection<'a>(
        &self,
        entries: &'a [Arc<Summary>],
    ) -> Result<Selection<'a>, AddressError> {
        Selection::parse(
            entries,
            &self.joined("j"),
            &self.joined("t"),
            self.flag("diff"),
            &self.joined("bench"),
        )
    }
}

/// The comparison, ready for HTML or CSV.
#[derive(Debug, Clone, Serialize)]
pub struct Table {
    pub columns: Vec<Column>,
    pub rows: Vec<Row>,
    /// The labels of the rows hidden because they do not differ (with "differences only").
    pub hidden: Vec<String>,
    /// Every source the shown cells cite, once each, in order of first citation: the table's
    /// numbered notes (listed under the table in print).
    pub notes: Vec<SourceLink>,
}

/// One jurisdiction's column.
#[derive(Debug, Clone, Serialize)]
pub struct Column {
    pub id: String,
    pub name: String,
    pub benchmark: bool,
    /// The entry's content version.
    pub version: ContentVersion,
}

/// One compared fact or safeguard.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub key: String,
    pub label: String,
    /// Set for safeguard rows.
    pub safeguard: Option<SafeguardKey>,
    pub differs: bool,
    pub cells: Vec<Cell>,
}

/// One jurisdiction's answer for one row.
#[derive(Debug, Clone, Serialize)]
pub struct Cell {
    pub value: Option<Value>,
    /// How sure the rating is (safeguard rows only).
    pub confidence: Option<Confidence>,
    /// The main text (for facts) or a short note (for safeguards).
    pub text: String,
    pub provision: String,
    /// Link to the exact section of the entry.
    pub href: String,
    pub sources: Vec<SourceLink>,
    /// The sources' numbers in the table's [`Table::notes`] (1-based), in the same order.
    pub notes: Vec<usize>,
    /// The label of a row above whose cell in this column cites exactly these sources: the page
    /// says "as for …" instead of listing them again.
    pub sources_as: Option<String>,
}

impl Cell {
    /// What a row's cells are compared by: a safeguard's value, or a fact's text.
    pub fn answer(&self) -> &str {
        match self.value {
            Some(value) => value.key(),
            None => &self.text,
        }
    }
}

/// A cited source.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SourceLink {
    pub title: String,
    pub url: Option<String>,
}

/// Positions in the entry's `sources` of the sources with these ids, without repeating a title.
pub fn source_indices(j: &Jurisdiction, ids: &[String]) -> Vec<u16> {
    let mut out: Vec<u16> = Vec::new();
    for id in ids {
        if let Some(at) = j.sources.iter().position(|s| &s.id == id)
            && !out
                .iter()
                .any(|&o| j.sources[usize::from(o)].title == j.sources[at].title)
        {
            out.push(at as u16);
        }
    }
    out
}

fn join_unique(items: impl Iterator<Item = String>) -> String {
    let mut seen: Vec<String> = Vec::new();
    for item in items {
        if !item.is_empty() && !seen.contains(&item) {
            seen.push(item);
        }
    }
    seen.join("; ")
}

/// One sentence per power, each led by the power's legal basis when the powers differ, so that
/// a reader can tell which rule says what: "POFMA, ss 10-12: By the time specified …".
fn per_power(j: &Jurisdiction, text: impl Fn(&crate::model::Power) -> Option<String>) -> String {
    let said: Vec<(String, String)> = j
        .powers
        .iter()
        .filter_map(|p| text(p).map(|t| (j.reference_label(&p.basis), t)))
        .filter(|(_, t)| !t.trim().is_empty())
        .collect();
    if said.iter().all(|(_, t)| *t == said[0].1) {
        return said.first().map(|(_, t)| t.clone()).unwrap_or_default();
    }
    let mut seen: Vec<&str> = Vec::new();
    let mut out: Vec<String> = Vec::new();
    for (basis, t) in &said {
        if seen.contains(&t.as_str()) {
            continue;
        }
        seen.push(t);
        let t = t.trim();
        let stop = if t.ends_with('.') { "" } else { "." };
        out.push(format!("{basis}: {t}{stop}"));
    }
    out.join(" ")
}

/// A power's latest figure of each measure it has, as a sentence: "482 orders issued (2024);
/// about 350 items removed (2022 – 2024)"; `None` for a power with no figures.
fn practice_figures(power: &crate::model::Power) -> Option<String> {
    let mut latest: Vec<&crate::model::PracticeRecord> = Vec::new();
    for record in &power.practice {
        let end = |r: &crate::model::PracticeRecord| r.until.unwrap_or(r.period).last_day();
        match latest.iter_mut().find(|r| r.measure == record.measure) {
            Some(kept) if end(kept) < end(record) => *kept = record,
            Some(_) => {}
            None => latest.push(record),
        }
    }
    (!latest.is_empty()).then(|| {
        latest
            .iter()
            .map(|r| {
                format!(
                    "{} {} ({})",
                    r.count_label(),
                    r.measure.label().to_lowercase(),
                    r.period_label()
                )
            })
            .collect::<Vec<_>>()
            .join("; ")
    })
}

/// One compared fact of an entry (a row below the safeguards), ready to show.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fact {
    pub text: String,
    pub provision: String,
    /// The section of the entry's page it comes from: `powers`, `instruments` or `cases`.
    pub anchor: String,
    /// Positions in the entry's sources.
    pub sources: Vec<u16>,
}

/// The compared facts of an entry, in [`FACTS`] order.
pub fn facts(j: &Jurisdiction) -> Vec<Fact> {
    FACTS.iter().map(|(key, _)| fact(j, key)).collect()
}

fn fact(j: &Jurisdiction, key: &str) -> Fact {
    let power_sources = || {
        let ids: Vec<String> = j.powers.iter().flat_map(|p| p.sources.clone()).collect();
        source_indices(j, &ids)
    };
    let (text, provision, anchor, cited) = match key {
        "authorities" => (
            match &j.no_general_power {
                Some(none) if j.powers.is_empty() => {
                    format!("No general power. {}", none.statement)
                }
                _ => join_unique(j.powers.iter().map(|p| {
                    format!(
                        "{} ({})",
                        p.authority,
                        p.authority_type.label().to_lowercase()
                    )
                })),
            },
            join_unique(j.powers.iter().map(|p| j.reference_label(&p.basis))),
            "powers",
            power_sources(),
        ),
        "actions" => (
            join_unique(
                j.powers
                    .iter()
                    .flat_map(|p| p.actions.iter().map(|a| a.label().to_string())),
            ),
            String::new(),
            "powers",
            power_sources(),
        ),
        "deadline" => (
            per_power(j, |p| Some(p.deadline.text.clone())),
            String::new(),
            "powers",
            power_sources(),
        ),
        "court_role" => (
            join_unique(j.powers.iter().map(|p| p.court_role.label().to_string())),
            String::new(),
            "powers",
            power_sources(),
        ),
        "remedy" => (
            per_power(j, |p| Some(p.remedy.clone())),
            String::new(),
            "powers",
            power_sources(),
        ),
        "penalties" => (
            per_power(j, |p| p.penalties.clone()),
            String::new(),
            "powers",
            power_sources(),
        ),
        "practice" => (per_power(j, practice_figures), String::new(), "powers", {
            let ids: Vec<String> = j
                .powers
                .iter()
                .flat_map(|p| p.practice.iter().flat_map(|r| r.sources.clone()))
                .collect();
            source_indices(j, &ids)
        }),
        "instruments" => (
            join_unique(j.instruments.iter().map(|i| {
                format!(
                    "{} ({})",
                    j.instrument_label(&i.id),
                    i.status.label().to_lowercase()
                )
            })),
            String::new(),
            "instruments",
            {
                let ids: Vec<String> = j
                    .instruments
                    .iter()
                    .flat_map(|i| i.sources.clone())
                    .collect();
                source_indices(j, &ids)
            },
        ),
        _ => (
            join_unique(j.cases.iter().map(|c| {
                format!(
                    "{} ({}, {}): {}",
                    c.name,
                    c.court,
                    c.date.year,
                    c.outcome.label().to_lowercase()
                )
            })),
            String::new(),
            "cases",
            {
                let ids: Vec<String> = j.cases.iter().flat_map(|c| c.sources.clone()).collect();
                source_indices(j, &ids)
            },
        ),
    };
    let anchor = if key == "cases" && j.cases.is_empty() {
        "powers"
    } else {
        anchor
    };
    Fact {
        text: if text.is_empty() && key == "practice" {
            "no published figures recorded".to_string()
        } else if text.is_empty() {
            "none recorded".to_string()
        } else {
            text
        },
        provision,
        anchor: anchor.to_string(),
        sources: cited,
    }
}

/// The rows of facts below the safeguards: key and label.
pub const FACTS: [(&str, &str); 9] = [
    ("authorities", "Ordering authority"),
    ("actions", "Actions"),
    ("deadline", "Deadline"),
    ("court_role", "Court's role"),
    ("remedy", "Affected user's remedy"),
    ("penalties", "Penalties"),
    ("practice", "Use in practice (latest figures)"),
    ("instruments", "Key instruments (status)"),
    ("cases", "Court rulings"),
];

/// Builds the comparison table for a selection; links are prefixed with `root`.
pub fn table(selection: &Selection, root: &str) -> Table {
    let columns = selection.columns();
    let mut rows = Vec::new();
    for key in &selection.safeguards {
        let cells: Vec<Cell> = columns
            .iter()
            .map(|(j, _)| {
                let a = j.rating(*key);
                Cell {
                    value: Some(a.value),
                    confidence: Some(a.confidence),
                    text: a.note.clone(),
                    provision: a.provisions.join("; "),
                    href: format!("{root}{}#{}", routes::jurisdiction(&j.id), key.anchor()),
                    sources: j.cited(&a.sources),
                    notes: Vec::new(),
                    sources_as: None,
                }
            })
            .collect();
        let differs = cells.windows(2).any(|w| w[0].answer() != w[1].answer());
        rows.push(Row {
            key: key.key().to_string(),
            label: key.label().to_string(),
            safeguard: Some(*key),
            differs,
            cells,
        });
    }
    for (n, (key, label)) in FACTS.iter().enumerate() {
        let cells: Vec<Cell> = columns
            .iter()
            .map(|(j, _)| {
                let fact = &j.facts[n];
                Cell {
                    value: None,
                    confidence: None,
                    text: fact.text.clone(),
                    provision: fact.provision.clone(),
                    href: format!("{root}{}#{}", routes::jurisdiction(&j.id), fact.anchor),
                    sources: j.cited(&fact.sources),
                    notes: Vec::new(),
                    sources_as: None,
                }
            })
            .collect();
        let differs = cells.windows(2).any(|w| w[0].answer() != w[1].answer());
        rows.push(Row {
            key: key.to_string(),
            label: label.to_string(),
            safeguard: None,
            differs,
            cells,
        });
    }
    let mut hidden = Vec::new();
    if selection.differences_only {
        rows.retain(|r| {
            if !r.differs {
                hidden.push(r.label.clone());
            }
            r.differs
        });
    }
    let mut notes: Vec<SourceLink> = Vec::new();
    let mut numbers: HashMap<SourceLink, usize> = HashMap::new();
    let mut cited_by: Vec<HashMap<Vec<SourceLink>, String>> = vec![HashMap::new(); columns.len()];
    for row in &mut rows {
        for (column, cell) in row.cells.iter_mut().enumerate() {
            if cell.sources.is_empty() {
                continue;
            }
            match cited_by[column].get(&cell.sources) {
                Some(label) => cell.sources_as = Some(label.clone()),
                None => {
                    cited_by[column].insert(cell.sources.clone(), row.label.clone());
                }
            }
        }
    }
    for cell in rows
        .iter_mut()
        .flat_map(|r| &mut r.cells)
        .filter(|c| c.sources_as.is_none())
    {
        cell.notes = cell
            .sources
            .iter()
            .map(|s| {
                *numbers.entry(s.clone()).or_insert_with(|| {
                    notes.push(s.clone());
                    notes.len()
                })
            })
            .collect();
    }
    Table {
        columns: columns
            .iter()
            .map(|(j, benchmark)| Column {
                id: j.id.clone(),
                name: j.name.clone(),
                benchmark: *benchmark,
                version: j.version.clone(),
            })
            .collect(),
        rows,
        hidden,
        notes,
    }
}

/// The table as CSV, one line per row × jurisdiction, exactly the cells shown on screen.
pub fn to_csv(table: &Table, base_url: &str) -> String {
    let mut out = csv_line(&[
        "row",
        "jurisdiction_id",
        "jurisdiction",
        "benchmark",
        "value",
        "confidence",
        "text",
        "provision",
        "sources",
        "url",
        "version",
    ]);
    for row in &table.rows {
        for (column, cell) in table.columns.iter().zip(&row.cells) {
            let sources = cell
                .sources
                .iter()
                .map(|s| match &s.url {
                    Some(url) => format!("{} <{url}>", s.title),
                    None => s.title.clone(),
                })
                .collect::<Vec<_>>()
                .join("; ");
            out.push_str(&csv_line(&[
                &row.label,
                &column.id,
                &column.name,
                if column.benchmark { "yes" } else { "no" },
                cell.value.map_or("", Value::key),
                cell.confidence.map_or("", Confidence::key),
                &cell.text,
                &cell.provision,
                &sources,
                &format!("{base_url}{}", cell.href),
                column.version.as_str(),
            ]));
        }
    }
    out
}
