//! The catalog: what the pages listing or comparing entries, the exports and the server need of
//! each entry, without its body or the bulk of its front matter, so that a site of any size fits in
//! memory after the build has streamed its entries through.
//!
//! A build writes the catalog beside the search index ([`CATALOG_FILE`]); the server reads it to
//! answer compare views and exports, and to re-render listing pages after an edit.

pub mod client_compare;
pub mod collection;
pub mod compare;

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::markdown::Rendered;
use crate::model::{
    ChangelogLine, Collection, Confidence, ContentVersion, Date, EntryStatus, Framework,
    Jurisdiction, Page, ReviewKind, SafeguardKey, Taxonomy, Topic, Value,
};
use compare::{Fact, SourceLink};

/// An address or comparison that the site cannot show (an unknown id, anchor or parameter); the
/// message says why and what to write instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct AddressError(pub String);

impl From<String> for AddressError {
    fn from(message: String) -> AddressError {
        AddressError(message)
    }
}

/// Name of the catalog file inside a built site (hidden: the server never serves it).
pub const CATALOG_FILE: &str = ".catalog.json";

/// One entry as listings, comparisons and exports show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub id: String,
    pub name: String,
    pub iso: String,
    pub region: String,
    pub groupings: Vec<String>,
    pub aliases: Vec<String>,
    pub summary: String,
    pub last_reviewed: Date,
    /// The entry's content version, which citations of it pin.
    pub version: ContentVersion,
    pub entry_status: EntryStatus,
    pub changelog: Vec<ChangelogLine>,
    /// Number of instruments.
    pub instruments: usize,
    /// Number of ordering powers.
    pub powers: usize,
    /// The eight assessments, in [`SafeguardKey::ALL`] order.
    pub safeguards: Vec<Rating>,
    /// The compared facts, in [`compare::FACTS`] order.
    pub facts: Vec<Fact>,
    /// Every source of the entry, in its order; ratings and facts cite them by position.
    pub sources: Vec<SourceLink>,
    /// The dates the law sets for the entry's instruments, and its bills' stages: what the
    /// review tracker lists.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reviews: Vec<ReviewLine>,
    /// Titles of the page's anchors (`instrument-…`, `section-…`), kept only for entries that a
    /// workshop collection points into, so its items can be titled.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub anchors: BTreeMap<String, String>,
    /// The cards of the page (safeguards, powers, instruments, rulings) as rendered, by anchor,
    /// for workshop reading packs; kept, like `anchors`, only for entries a collection points into.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub passages: BTreeMap<String, String>,
    /// The entry's latest published version, when the content is in a git repository: what the
    /// Atom feed announces.
    #[serde(default)]
    pub latest_version: Option<VersionLine>,
}

/// An entry's latest published version, as the Atom feed announces it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VersionLine {
    /// The day it was published.
    pub date: Date,
    pub commit: String,
    /// The page of its day, root-relative.
    pub page: Option<String>,
    /// What it changed, in words: its changelog lines, then the ratings, powers and instruments.
    pub changes: Vec<String>,
}

/// A date the law sets for one of an entry's instruments (a review, report, sunset or expiry),
/// or a pending bill's latest stage, as the review tracker lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewLine {
    /// The instrument's id (its anchor on the entry's page is `instrument-<id>`).
    pub instrument: String,
    pub instrument_title: String,
    /// `None` for a bill's stage.
    pub kind: Option<ReviewKind>,
    /// When it falls due, or the date of the bill's stage.
    pub due: Date,
    /// The section that sets it (empty for a bill's stage).
    pub provision: String,
    /// What the law requires by then, or the stage the bill reached.
    pub text: String,
    pub done: Option<Date>,
    pub outcome: Option<String>,
    pub confidence: Confidence,
    /// Positions in the entry's [`Summary::sources`].
    pub sources: Vec<u16>,
}

impl ReviewLine {
    /// Every review date and bill stage of an entry, in the order of its instruments.
    fn of(j: &Jurisdiction) -> Vec<ReviewLine> {
        let mut lines = Vec::new();
        for i in &j.instruments {
            for r in &i.reviews {
                lines.push(ReviewLine {
                    instrument: i.id.clone(),
                    instrument_title: i.title.clone(),
                    kind: Some(r.kind),
                    due: r.due,
                    provision: r.provision.clone(),
                    text: r.requires.clone(),
                    done: r.done,
                    outcome: r.outcome.clone(),
                    confidence: r.confidence,
                    sources: compare::source_indices(j, &r.sources),
                });
            }
            if let Some(stage) = &i.stage {
                lines.push(ReviewLine {
                    instrument: i.id.clone(),
                    instrument_title: i.title.clone(),
                    kind: None,
                    due: stage.date,
                    provision: String::new(),
                    text: stage.stage.clone(),
                    done: None,
                    outcome: None,
                    confidence: i.confidence,
                    sources: compare::source_indices(j, &stage.sources),
                });
            }
        }
        lines
    }
}

/// One safeguard assessment of an entry, with its references resolved to text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rating {
    pub key: SafeguardKey,
    pub value: Value,
    pub confidence: Confidence,
    pub note: String,
    /// Compact references: `PECA, s 37`.
    pub provisions: Vec<String>,
    /// Full references: `Prevention of Electronic Crimes Act 2016, s 37`.
    pub provision_titles: Vec<String>,
    /// Positions in the entry's [`Summary::sources`].
    pub sources: Vec<u16>,
}

impl Summary {
    /// The summary of a checked entry; `with_anchors` keeps its anchor titles.
    pub fn new(j: &Jurisdiction, with_anchors: bool) -> Summary {
        let safeguards = j
            .safeguards
            .iter()
            .map(|(key, a)| Rating {
                key,
                value: a.value,
                confidence: a.confidence,
                note: a.note.clone(),
                provisions: a.provisions.iter().map(|p| j.reference_label(p)).collect(),
                provision_titles: a
                    .provisions
                    .iter()
                    .map(|p| {
                        let title = j
                            .instrument(&p.instrument)
                            .map_or(p.instrument.as_str(), |i| i.title.as_str());
                        format!("{title}, {}", p.section)
                    })
                    .collect(),
                sources: compare::source_indices(j, &a.sources),
            })
            .collect();
        Summary {
            id: j.id.clone(),
            name: j.name.clone(),
            iso: j.iso.clone(),
            region: j.region.clone(),
            groupings: j.groupings.clone(),
            aliases: j.aliases.clone(),
            summary: j.summary.clone(),
            last_reviewed: j.last_reviewed,
            version: j.version.clone(),
            entry_status: j.entry_status,
            changelog: j.changelog.clone(),
            instruments: j.instruments.len(),
            powers: j.powers.len(),
            safeguards,
            facts: compare::facts(j),
            sources: j
                .sources
                .iter()
                .map(|s| SourceLink {
                    title: s.title.clone(),
                    url: s.url.clone(),
                })
                .collect(),
            reviews: ReviewLine::of(j),
            anchors: if with_anchors {
                crate::catalog::collection::anchor_titles(j)
            } else {
                BTreeMap::new()
            },
            passages: BTreeMap::new(),
            latest_version: None,
        }
    }

    /// The sources at these positions.
    pub fn cited(&self, positions: &[u16]) -> Vec<SourceLink> {
        positions
            .iter()
            .filter_map(|&at| self.sources.get(usize::from(at)).cloned())
            .collect()
    }

    /// The assessment of one safeguard.
    pub fn rating(&self, key: SafeguardKey) -> &Rating {
        let at = SafeguardKey::ALL
            .iter()
            .position(|k| *k == key)
            .unwrap_or(0);
        &self.safeguards[at]
    }

    /// How many safeguards are rated `yes` (full) and `partial` (half), for sorting the matrix.
    pub fn score(&self) -> f32 {
        self.safeguards
            .iter()
            .map(|a| match a.value {
                Value::Yes => 1.0,
                Value::Partial => 0.5,
                _ => 0.0,
            })
            .sum()
    }
}

/// Everything after the entries' own pages: the input of listing pages, comparisons, exports,
/// collections and the server.
#[derive(Debug, Clone)]
pub struct Catalog {
    pub taxonomy: Taxonomy,
    /// Sorted by name; shared, so a copy of the catalog (an incremental rebuild's) is cheap.
    pub entries: Vec<Arc<Summary>>,
    /// In safeguard order.
    pub topics: Vec<Topic>,
    pub pages: Vec<Page>,
    pub collections: Vec<Collection>,
    /// The standards the safeguards are mapped onto, by id.
    pub frameworks: Vec<Framework>,
}

/// Why the catalog of a built site could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("cannot access `{path}`: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("`{path}` is damaged or from another version of jurisdex ({source}): rebuild the site")]
    Json {
        path: PathBuf,
        source: serde_json::Error,
    },
}

/// The catalog as stored: topics and pages carry their rendered bodies, which content files may
/// never set (their model types refuse a `body` key).
#[derive(Deserialize)]
struct Stored {
    taxonomy: Taxonomy,
    entries: Vec<Arc<Summary>>,
    topics: Vec<StoredTopic>,
    pages: Vec<StoredPage>,
    collections: Vec<Collection>,
    frameworks: Vec<Framework>,
}

/// [`Stored`] borrowed from a catalog, for writing.
#[derive(Serialize)]
struct StoredRef<'a> {
    taxonomy: &'a Taxonomy,
    entries: &'a [Arc<Summary>],
    topics: Vec<StoredTopic>,
    pages: Vec<StoredPage>,
    collections: &'a [Collection],
    frameworks: &'a [Framework],
}

#[derive(Serialize, Deserialize)]
struct StoredTopic {
    key: SafeguardKey,
    title: String,
    question: String,
    summary: String,
    body: Rendered,
}

#[derive(Serialize, Deserialize)]
struct StoredPage {
    id: String,
    title: String,
    summary: String,
    body: Rendered,
}

impl Catalog {
    /// The entry with this id, if any.
    pub fn entry(&self, id: &str) -> Option<&Summary> {
        self.entries.iter().find(|j| j.id == id).map(|j| &**j)
    }

    /// Sorts entries by name (ties by id), the order of every listing.
    pub fn sort(&mut self) {
        self.entries
            .sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.id.cmp(&b.id)));
    }

    /// Writes the catalog into a built site directory.
    pub fn save(&self, dir: &Path) -> Result<(), CatalogError> {
        let path = dir.join(CATALOG_FILE);
        let stored = StoredRef {
            taxonomy: &self.taxonomy,
            entries: &self.entries,
            topics: self
                .topics
                .iter()
                .map(|t| StoredTopic {
                    key: t.key,
                    title: t.title.clone(),
                    question: t.question.clone(),
                    summary: t.summary.clone(),
                    body: t.body.clone(),
                })
                .collect(),
            pages: self
                .pages
                .iter()
                .map(|p| StoredPage {
                    id: p.id.clone(),
                    title: p.title.clone(),
                    summary: p.summary.clone(),
                    body: p.body.clone(),
                })
                .collect(),
            collections: &self.collections,
            frameworks: &self.frameworks,
        };
        let io = |source| CatalogError::Io {
            path: path.clone(),
            source,
        };
        let mut out = std::io::BufWriter::new(fs::File::create(&path).map_err(io)?);
        serde_json::to_writer(&mut out, &stored).map_err(|source| CatalogError::Json {
            path: path.clone(),
            source,
        })?;
        out.flush().map_err(io)
    }

    /// Reads the catalog of a built site directory.
    pub fn open(dir: &Path) -> Result<Catalog, CatalogError> {
        let path = dir.join(CATALOG_FILE);
        let file = fs::File::open(&path).map_err(|source| CatalogError::Io {
            path: path.clone(),
            source,
        })?;
        // Parsed as it is read: the file (64 MB at 10,000 entries) is never held whole beside the
        // catalog it becomes, which is what a server swapping in a new version has to fit.
        let stored: Stored = serde_json::from_reader(std::io::BufReader::new(file))
            .map_err(|source| CatalogError::Json { path, source })?;
        Ok(Catalog {
            taxonomy: stored.taxonomy,
            entries: stored.entries,
            topics: stored
                .topics
                .into_iter()
                .map(|t| Topic {
                    key: t.key,
                    title: t.title,
                    question: t.question,
                    summary: t.summary,
                    body: t.body,
                })
                .collect(),
            pages: stored
                .pages
                .into_iter()
                .map(|p| Page {
                    id: p.id,
                    title: p.title,
                    summary: p.summary,
                    body: p.body,
                })
                .collect(),
            collections: stored.collections,
            frameworks: stored.frameworks,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_saved_catalog_opens_with_the_same_entries_and_rendered_topics() {
        let (mut loaded, site) =
            crate::site::check(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/basic"));
        assert!(!loaded.report.has_errors(), "{}", loaded.report);
        let catalog = Catalog {
            taxonomy: site.taxonomy.clone(),
            entries: site
                .jurisdictions
                .iter()
                .map(|j| Arc::new(Summary::new(j, true)))
                .collect(),
            topics: site.topics.clone(),
            pages: site.pages.clone(),
            collections: std::mem::take(&mut loaded.collections)
                .into_iter()
                .map(|(c, _)| c)
                .collect(),
            frameworks: site.frameworks.clone(),
        };
        let dir = tempfile::tempdir().unwrap();
        catalog.save(dir.path()).unwrap();
        let opened = Catalog::open(dir.path()).unwrap();
        assert_eq!(
            serde_json::to_value(&opened.entries).unwrap(),
            serde_json::to_value(&catalog.entries).unwrap()
        );
        assert_eq!(opened.topics.len(), catalog.topics.len());
        assert!(!opened.topics.is_empty());
        assert_eq!(opened.topics[0].body.html, catalog.topics[0].body.html);
        assert_eq!(opened.pages[0].body.html, catalog.pages[0].body.html);
        let alpha = opened.entry("alpha").unwrap();
        assert_eq!(
            alpha
                .anchors
                .get("safeguard-user-notice")
                .map(String::as_str),
            Some("User notice")
        );
        fs::write(dir.path().join(CATALOG_FILE), "{").unwrap();
        assert!(matches!(
            Catalog::open(dir.path()),
            Err(CatalogError::Json { .. })
        ));
    }
}
