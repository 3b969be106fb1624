//! The published history of the entries, read from the git repository that holds the content
//! (load stage, beside [`crate::load`]).
//!
//! When `content/` is in a git repository, every commit on the first-parent line of `HEAD` that
//! changed an entry's file is a published version of that entry. The repository is read with the
//! `git` command ([`git`]): first the commits and, for each, the blob of every entry file it
//! changed, so a version is known by its blob id; then, for one entry at a time on the build's
//! worker threads, the texts of its versions. A version is compared with the one before it on
//! what a reader follows (each safeguard's rating, the powers, the instruments), read leniently
//! from the front matter so that a version written in an earlier format still counts; an old
//! version is shown in full (its as-of page) only where it still loads as an entry today.
//!
//! Without a repository the build says so once and writes no history; nothing else changes.

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::Serialize;
use serde_yaml::Value as Yaml;

use crate::catalog::VersionLine;
use crate::load;
use crate::model::{Date, InstrumentStatus, Jurisdiction, SafeguardKey, Value as Rating};
use crate::routes;

mod git;

/// Hex digits of a commit id shown on a history page.
const COMMIT_DIGITS: usize = 12;

/// A commit's id as a history page shows it.
fn short_commit(id: &str) -> String {
    id.chars().take(COMMIT_DIGITS).collect()
}

/// Why the history could not be read (the build goes on without it).
#[derive(Debug, thiserror::Error)]
#[error("{path}: the content's git history cannot be read: {message}")]
pub struct HistoryError {
    path: PathBuf,
    message: String,
}

/// A version of an entry's file: the commit that published it and the file's blob (hex ids).
#[derive(Debug, Clone)]
struct Published {
    date: Date,
    commit: String,
    blob: String,
}

/// The versions of every entry file in the content's repository.
pub struct History {
    repository: git::Repository,
    /// By entry file name (`alpha.md`), oldest first.
    files: HashMap<String, Vec<Published>>,
    /// Readers of texts not in use, each with its `git` process if it started one: a build's
    /// jobs take one and give it back, so a build starts about one process a thread.
    idle: Mutex<Vec<git::Objects>>,
}

/// A reader of past versions' texts, for one job at a time; it goes back to its [`History`] when
/// dropped.
pub struct Reader<'a> {
    idle: &'a Mutex<Vec<git::Objects>>,
    objects: Option<git::Objects>,
}

impl Drop for Reader<'_> {
    fn drop(&mut self) {
        if let (Some(objects), Ok(mut idle)) = (self.objects.take(), self.idle.lock()) {
            idle.push(objects);
        }
    }
}

impl History {
    /// Reads which versions of each entry file the repository holding `content_dir` published.
    /// `Ok(None)` when the content is not in a git repository (or the repository has no commit).
    /// Versions committed before `since` are folded into the last of them, which becomes the
    /// entry's first version.
    pub fn read(content_dir: &Path, since: Option<Date>) -> Result<Option<History>, HistoryError> {
        let fail = |message: String| HistoryError {
            path: content_dir.to_path_buf(),
            message,
        };
        let Some(repository) = git::discover(content_dir).map_err(fail)? else {
            return Ok(None);
        };
        if !repository.has_commits().map_err(fail)? {
            return Ok(None);
        }
        let canonical = |p: &Path| p.canonicalize().map_err(|e| fail(e.to_string()));
        let content = canonical(content_dir)?;
        let relative = content
            .strip_prefix(canonical(&repository.workdir)?)
            .map_err(|_| fail("the content is outside the repository's work tree".into()))?
            .join("jurisdictions");
        let folder = relative
            .to_str()
            .ok_or_else(|| fail("the content's path is not UTF-8".into()))?
            .replace(std::path::MAIN_SEPARATOR, "/");
        let commits = repository.first_parent_changes(&folder).map_err(fail)?;
        let mut files: HashMap<String, Vec<Published>> = HashMap::new();
        for commit in commits.into_iter().rev() {
            let date = Date::from_days_since_epoch(commit.seconds.div_euclid(86_400));
            for (name, blob) in commit.changed {
                let versions = files.entry(name).or_default();
                // A file removed and added again as it was is the same version.
                if versions.last().is_some_and(|v| v.blob == blob) {
                    continue;
                }
                let version = Published {
                    date,
                    commit: commit.id.clone(),
                    blob,
                };
                match versions.last_mut() {
                    Some(last) if since.is_some_and(|since| date < since) => *last = version,
                    _ => versions.push(version),
                }
            }
        }
        Ok(Some(History {
            repository,
            files,
            idle: Mutex::new(Vec::new()),
        }))
    }

    /// A reader for the calling job.
    pub fn reader(&self) -> Reader<'_> {
        let idle = self.idle.lock().ok().and_then(|mut idle| idle.pop());
        Reader {
            idle: &self.idle,
            objects: Some(idle.unwrap_or_else(|| self.repository.objects())),
        }
    }

    /// The history of the entry at `path`, whose text today is `current`. `None` when its file was
    /// never committed.
    pub fn entry(
        &self,
        reader: &mut Reader<'_>,
        path: &Path,
        current: &str,
        entry: &Jurisdiction,
    ) -> Option<EntryHistory> {
        let name = path.file_name()?.to_str()?;
        let published = self.files.get(name)?;
        // A version whose blob id is the hash of the text today is that text: most entries are
        // told so without reading their blob, which in a packed repository can be a chain of
        // deltas against other entries' files.
        let today = git::blob_id(&self.repository.object_format, current.as_bytes());
        let texts: Vec<Option<Cow<str>>> = published
            .iter()
            .map(|v| {
                if today.as_deref() == Some(v.blob.as_str()) {
                    return Some(Cow::Borrowed(current));
                }
                let blob = reader.objects.as_mut()?.blob(&v.blob)?;
                String::from_utf8(blob).ok().map(Cow::Owned)
            })
            .collect();
        Some(EntryHistory::new(path, published, texts, current, entry))
    }
}

/// One entry's versions and what each changed.
#[derive(Debug)]
pub struct EntryHistory {
    /// Newest first.
    pub versions: Vec<Version>,
    /// The text today differs from the last committed version.
    pub uncommitted: bool,
    /// The past versions a reader can open in full: the last of each day, loaded as entries,
    /// with the day. The day of the current version is not among them.
    pub past: Vec<(Date, Jurisdiction)>,
    /// The day of the current version, when the text today is the last committed one: its as-of
    /// address leads to the entry itself.
    pub current_day: Option<Date>,
}

/// One published version of an entry, as a history page lists it.
#[derive(Debug, Clone, Serialize)]
pub struct Version {
    /// The day it was committed (UTC).
    pub date: Date,
    pub commit: String,
    pub last_reviewed: Option<String>,
    /// The changelog lines this version added.
    pub changelog: Vec<String>,
    pub ratings: Vec<RatingChange>,
    pub powers: Vec<ItemChange>,
    pub instruments: Vec<ItemChange>,
    /// The first version of the entry.
    pub first: bool,
    /// The version shown on the entry's page today.
    pub current: bool,
    /// The day whose as-of page shows this version (the last version of its day), if it has one.
    pub as_of: Option<Date>,
    /// A later version the same day replaced it, so no day's page shows it.
    pub replaced: bool,
}

impl Version {
    /// What this version changed, in words: its changelog lines, then each rating, power and
    /// instrument it changed.
    pub fn change_lines(&self) -> Vec<String> {
        let mut lines = self.changelog.clone();
        for r in &self.ratings {
            lines.push(format!(
                "{}: {} → {}",
                r.safeguard,
                r.before.as_deref().unwrap_or("none"),
                r.after.as_deref().unwrap_or("none")
            ));
        }
        for (what, items) in [("Power", &self.powers), ("Instrument", &self.instruments)] {
            for item in items {
                let details = if item.details.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", item.details.join("; "))
                };
                lines.push(format!("{what} {}: {}{details}", item.name, item.change));
            }
        }
        lines
    }

    /// The line the Atom feed announces this version with.
    pub fn line(&self, id: &str) -> VersionLine {
        VersionLine {
            date: self.date,
            commit: self.commit.clone(),
            page: self
                .as_of
                .map(|day| routes::jurisdiction_as_of(id, &day.to_string())),
            changes: self.change_lines(),
        }
    }
}

/// A safeguard whose rating a version changed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RatingChange {
    pub safeguard: String,
    pub key: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// A power or instrument a version added, removed or changed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemChange {
    pub id: String,
    pub name: String,
    /// `added`, `removed` or `changed`.
    pub change: &'static str,
    /// What changed in it, in words (`status: In force → Repealed`, `court's role`).
    pub details: Vec<String>,
}

impl EntryHistory {
    /// An entry whose one version is the one shown today (most entries): told from the entry
    /// itself, with no second reading of its text.
    fn first(only: &Published, entry: &Jurisdiction) -> EntryHistory {
        let published_with = entry
            .changelog
            .iter()
            .map(|line| format!("{}: {}", line.date, line.change))
            .max();
        EntryHistory {
            versions: vec![Version {
                date: only.date,
                commit: short_commit(&only.commit),
                last_reviewed: Some(entry.last_reviewed.to_string()),
                changelog: published_with.into_iter().collect(),
                ratings: Vec::new(),
                powers: Vec::new(),
                instruments: Vec::new(),
                first: true,
                current: true,
                as_of: Some(only.date),
                replaced: false,
            }],
            uncommitted: false,
            past: Vec::new(),
            current_day: Some(only.date),
        }
    }

    /// An entry edited since the build that read its versions (`serve --watch`): its page links to
    /// the history that build wrote, and no address keeps the edit, which is not committed.
    pub fn edited() -> EntryHistory {
        EntryHistory {
            versions: Vec::new(),
            uncommitted: true,
            past: Vec::new(),
            current_day: None,
        }
    }

    fn new(
        path: &Path,
        published: &[Published],
        texts: Vec<Option<Cow<str>>>,
        current: &str,
        entry: &Jurisdiction,
    ) -> EntryHistory {
        if let ([only], [Some(text)]) = (published, texts.as_slice())
            && text == current
        {
            return EntryHistory::first(only, entry);
        }
        let facts: Vec<Option<Yaml>> = texts
            .iter()
            .map(|t| t.as_deref().and_then(front_matter))
            .collect();
        let last = published.len() - 1;
        let same_as_current = |i: usize| texts[i].as_deref().is_some_and(|t| t == current);
        let uncommitted = !same_as_current(last);
        // The version each day ends with.
        let mut day_ends = vec![false; published.len()];
        for i in 0..published.len() {
            day_ends[i] = published
                .get(i + 1)
                .is_none_or(|n| n.date != published[i].date);
        }
        let mut past = Vec::new();
        let mut current_day = None;
        let mut versions = Vec::with_capacity(published.len());
        for (i, v) in published.iter().enumerate() {
            let this = facts[i].as_ref();
            let before = if i == 0 { None } else { facts[i - 1].as_ref() };
            let is_current = i == last && !uncommitted;
            let mut as_of = None;
            if day_ends[i] {
                if is_current {
                    current_day = Some(v.date);
                    as_of = Some(v.date);
                } else if let Some(j) = texts[i]
                    .as_deref()
                    .and_then(|t| load::parse_entry(path, t).ok().map(|(j, _)| j))
                {
                    past.push((v.date, j));
                    as_of = Some(v.date);
                }
            }
            versions.push(Version {
                date: v.date,
                commit: short_commit(&v.commit),
                last_reviewed: this.and_then(|f| text(f.get("last_reviewed"))),
                changelog: new_changelog_lines(before, this),
                ratings: rating_changes(before, this),
                powers: item_changes(before, this, "powers", power_name),
                instruments: item_changes(before, this, "instruments", instrument_name),
                first: i == 0,
                current: is_current,
                as_of,
                replaced: !day_ends[i],
            });
        }
        versions.reverse();
        EntryHistory {
            versions,
            uncommitted,
            past,
            current_day,
        }
    }
}

/// An entry's versions, newest first, with the addresses of each day's page and of a past
/// version's JSON: the `history` of its JSON (`/api/jurisdictions/<id>.json`), which the server
/// reads back to answer a day that has no page of its own and `?as_of=`.
#[derive(Serialize, serde::Deserialize)]
pub struct VersionIndex<V = Version> {
    /// The text today differs from the last committed version.
    pub uncommitted: bool,
    pub versions: Vec<Indexed<V>>,
}

/// A version in [`VersionIndex`].
#[derive(Serialize, serde::Deserialize)]
pub struct Indexed<V> {
    #[serde(flatten)]
    pub version: V,
    /// The page of the day this version ends (root-relative), if it has one.
    pub page: Option<String>,
    /// A past version's JSON (root-relative), if it can be shown.
    pub json: Option<String>,
}

/// What the server needs of a version in [`VersionIndex`].
#[derive(serde::Deserialize)]
pub struct Dated {
    pub date: Date,
    pub current: bool,
}

/// Which version an entry showed at the end of a day.
#[derive(Debug, PartialEq)]
pub enum AsOf {
    /// The version shown today.
    Current,
    /// A past version, with its day's page and its JSON (when it can be shown).
    Past { page: String, json: Option<String> },
    /// A past version written in an earlier format of the content.
    Unavailable,
    /// The entry had no version yet.
    Before,
}

impl VersionIndex {
    /// The index of `history`, as the JSON value of the entry's `history`.
    pub fn json(id: &str, history: &EntryHistory) -> serde_json::Value {
        let index = VersionIndex {
            uncommitted: history.uncommitted,
            versions: history
                .versions
                .iter()
                .map(|version| {
                    let day = version.as_of.map(|d| d.to_string());
                    Indexed {
                        version: version.clone(),
                        page: day.as_ref().map(|d| routes::jurisdiction_as_of(id, d)),
                        json: day
                            .filter(|_| !version.current)
                            .map(|d| format!("/{}", routes::api_jurisdiction_as_of_file(id, &d))),
                    }
                })
                .collect(),
        };
        serde_json::to_value(&index).unwrap_or_default()
    }
}

impl VersionIndex<Dated> {
    /// The version the entry showed at the end of `day`: the newest committed on or before it.
    pub fn on(&self, day: Date) -> AsOf {
        match self.versions.iter().find(|v| v.version.date <= day) {
            None => AsOf::Before,
            Some(v) if v.version.current => AsOf::Current,
            Some(v) => match &v.page {
                Some(page) => AsOf::Past {
                    page: page.clone(),
                    json: v.json.clone(),
                },
                None => AsOf::Unavailable,
            },
        }
    }
}

/// The front matter of an entry's text, read as plain YAML (any format it was written in).
fn front_matter(text: &str) -> Option<Yaml> {
    let (front, _, _) = load::split_front_matter(Path::new("history"), text).ok()?;
    serde_yaml::from_str(front).ok()
}

/// A scalar as text (`2026-12-03`, `partial`).
fn text(value: Option<&Yaml>) -> Option<String> {
    match value? {
        Yaml::String(s) => Some(s.clone()),
        Yaml::Number(n) => Some(n.to_string()),
        Yaml::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The changelog lines of `this` that `before` did not have, as `date: change`.
fn new_changelog_lines(before: Option<&Yaml>, this: Option<&Yaml>) -> Vec<String> {
    let lines = |f: Option<&Yaml>| -> Vec<String> {
        f.and_then(|f| f.get("changelog"))
            .and_then(Yaml::as_sequence)
            .map(|items| {
                items
                    .iter()
                    .filter_map(|line| {
                        let date = text(line.get("date"))?;
                        let change = text(line.get("change"))?;
                        Some(format!("{date}: {change}"))
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    match before {
        Some(_) => {
            let old = lines(before);
            lines(this)
                .into_iter()
                .filter(|line| !old.contains(line))
                .collect()
        }
        // An entry's first version: the line it was published with, the latest.
        None => lines(this).into_iter().max().into_iter().collect(),
    }
}

/// Each safeguard whose rating differs between the two versions.
fn rating_changes(before: Option<&Yaml>, this: Option<&Yaml>) -> Vec<RatingChange> {
    let rating = |f: Option<&Yaml>, key: SafeguardKey| {
        text(f?.get("safeguards")?.get(key.key())?.get("value"))
    };
    let label = |value: Option<String>| {
        value.map(|v| Rating::from_key(&v).map_or(v.clone(), |r| r.label().to_string()))
    };
    SafeguardKey::ALL
        .iter()
        .filter_map(|&key| {
            let (old, new) = (rating(before, key), rating(this, key));
            if before.is_none() || old == new {
                return None;
            }
            Some(RatingChange {
                safeguard: key.label().to_string(),
                key: key.key().to_string(),
                before: label(old),
                after: label(new),
            })
        })
        .collect()
}

/// How a power is named on a history page: its authority.
fn power_name(item: &Yaml) -> Option<String> {
    text(item.get("authority"))
}

/// How an instrument is named on a history page: its short name or title.
fn instrument_name(item: &Yaml) -> Option<String> {
    text(item.get("short_name")).or_else(|| text(item.get("title")))
}

/// The items (powers or instruments, by `id`) that `this` added, removed or changed.
fn item_changes(
    before: Option<&Yaml>,
    this: Option<&Yaml>,
    list: &str,
    name: fn(&Yaml) -> Option<String>,
) -> Vec<ItemChange> {
    let Some(before) = before else {
        return Vec::new();
    };
    let items = |f: Option<&Yaml>| -> Vec<(String, Yaml)> {
        f.and_then(|f| f.get(list))
            .and_then(Yaml::as_sequence)
            .map(|items| {
                items
                    .iter()
                    .filter_map(|item| Some((text(item.get("id"))?, item.clone())))
                    .collect()
            })
            .unwrap_or_default()
    };
    let (old, new) = (items(Some(before)), items(this));
    let find = |items: &[(String, Yaml)], id: &str| {
        items.iter().find(|(i, _)| i == id).map(|(_, v)| v.clone())
    };
    let named = |id: &str, item: &Yaml| name(item).unwrap_or_else(|| id.to_string());
    let mut changes = Vec::new();
    for (id, item) in &new {
        match find(&old, id) {
            None => changes.push(ItemChange {
                id: id.clone(),
                name: named(id, item),
                change: "added",
                details: Vec::new(),
            }),
            Some(previous) if previous != *item => changes.push(ItemChange {
                id: id.clone(),
                name: named(id, item),
                change: "changed",
                details: field_changes(&previous, item),
            }),
            Some(_) => {}
        }
    }
    for (id, item) in &old {
        if find(&new, id).is_none() {
            changes.push(ItemChange {
                id: id.clone(),
                name: named(id, item),
                change: "removed",
                details: Vec::new(),
            });
        }
    }
    changes
}

/// The fields that differ between two versions of a power or instrument, in words; a status
/// with its values before and after.
fn field_changes(before: &Yaml, after: &Yaml) -> Vec<String> {
    let keys = |v: &Yaml| -> Vec<String> {
        v.as_mapping()
            .map(|m| m.keys().filter_map(|k| text(Some(k))).collect())
            .unwrap_or_default()
    };
    let mut fields = keys(after);
    for key in keys(before) {
        if !fields.contains(&key) {
            fields.push(key);
        }
    }
    fields
        .into_iter()
        .filter(|key| before.get(key) != after.get(key))
        .map(|key| {
            if key == "status" {
                let status = |v: &Yaml| {
                    text(v.get("status")).map(|s| {
                        InstrumentStatus::from_key(&s).map_or(s, |s| s.label().to_string())
                    })
                };
                format!(
                    "status: {} → {}",
                    status(before).unwrap_or_else(|| "none".into()),
                    status(after).unwrap_or_else(|| "none".into())
                )
            } else {
                field_label(&key)
            }
        })
        .collect()
}

/// A front-matter field of a power or instrument in words.
fn field_label(key: &str) -> String {
    match key {
        "authority_type" => "authority type".into(),
        "basis" => "legal basis".into(),
        "court_role" => "court's role".into(),
        "remedy" => "affected user's remedy".into(),
        "practice" => "use in practice".into(),
        "key_provisions" => "key provisions".into(),
        "dates" => "dates".into(),
        "type" => "type of instrument".into(),
        other => other.replace('_', " "),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yaml(text: &str) -> Yaml {
        serde_yaml::from_str(text).unwrap()
    }

    #[test]
    fn ratings_powers_and_instruments_are_compared_by_what_a_reader_follows() {
        let before = yaml(
            "safeguards: {judicial_authorisation: {value: no}, user_notice: {value: partial}}\n\
             powers: [{id: p1, authority: Minister, court_role: none}, {id: p2, authority: Police}]\n\
             instruments: [{id: act, short_name: The Act, status: proposed}]\n\
             changelog: [{date: 2026-01-01, change: First.}]",
        );
        let after = yaml(
            "safeguards: {judicial_authorisation: {value: yes}, user_notice: {value: partial}}\n\
             powers: [{id: p1, authority: Minister, court_role: prior}, {id: p3, authority: Court}]\n\
             instruments: [{id: act, short_name: The Act, status: in_force}]\n\
             changelog: [{date: 2026-01-01, change: First.}, {date: 2026-02-01, change: Enacted.}]",
        );
        let ratings = rating_changes(Some(&before), Some(&after));
        assert_eq!(ratings.len(), 1);
        assert_eq!(ratings[0].key, "judicial_authorisation");
        assert_eq!(
            (ratings[0].before.as_deref(), ratings[0].after.as_deref()),
            (Some("No"), Some("Yes"))
        );
        let powers = item_changes(Some(&before), Some(&after), "powers", power_name);
        let summary: Vec<_> = powers
            .iter()
            .map(|c| (c.id.as_str(), c.change, c.details.clone()))
            .collect();
        assert_eq!(
            summary,
            [
                ("p1", "changed", vec!["court's role".to_string()]),
                ("p3", "added", vec![]),
                ("p2", "removed", vec![]),
            ]
        );
        let instruments = item_changes(Some(&before), Some(&after), "instruments", instrument_name);
        assert_eq!(instruments[0].details, ["status: Proposed → In force"]);
        assert_eq!(
            new_changelog_lines(Some(&before), Some(&after)),
            ["2026-02-01: Enacted."]
        );
        // The first version changes nothing: it is where the entry starts.
        assert!(rating_changes(None, Some(&after)).is_empty());
        assert!(item_changes(None, Some(&after), "powers", power_name).is_empty());
    }
}
