//! Reads `content/`: splits front matter from Markdown, deserialises it, and collects every
//! problem as a [`Diagnostic`] instead of stopping at the first.
//!
//! Parsing limits (documented in `docs/REFERENCE.md`): a content file may be at most
//! [`MAX_FILE_BYTES`]; front matter at most [`MAX_FRONT_MATTER_BYTES`]; YAML nesting is capped by
//! the parser at 128 levels and alias expansion at 100 events per document event (which stops
//! "billion laughs"). Symlinks that leave the content directory are refused.

use std::fs;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::de::DeserializeOwned;

use crate::diagnostics::{Diagnostic, Report};
use crate::html::{is_bidi_override, is_forbidden};
use crate::markdown;
use crate::model::{
    Collection, ContentVersion, Framework, Jurisdiction, Page, Site, Taxonomy, Topic,
};
use crate::settings::{SETTINGS_FILE, Settings, SiteFile};

/// Largest content file accepted.
pub const MAX_FILE_BYTES: u64 = 2 * 1024 * 1024;
/// Largest front matter accepted.
pub const MAX_FRONT_MATTER_BYTES: usize = 256 * 1024;

/// Where a loaded item came from, so later checks can point into the file.
#[derive(Debug, Clone)]
pub struct Origin {
    pub path: PathBuf,
    pub locator: FieldLocator,
}

/// The result of loading: the items that parsed, their origins, and every problem found.
#[derive(Debug, Default)]
pub struct Loaded {
    pub taxonomy: Option<Taxonomy>,
    /// Where the taxonomy was read from, to point its problems into the real file.
    pub taxonomy_origin: Option<Origin>,
    /// The content directory's `topics` folder, named when a topic page is missing.
    pub topics_dir: PathBuf,
    pub jurisdictions: Vec<(Jurisdiction, Origin)>,
    pub topics: Vec<(Topic, Origin)>,
    pub pages: Vec<(Page, Origin)>,
    pub collections: Vec<(Collection, Origin)>,
    pub frameworks: Vec<(Framework, Origin)>,
    /// `site.yaml`, or the defaults where there is none.
    pub settings: Settings,
    pub report: Report,
}

impl Loaded {
    /// Assembles the site model from what loaded (validation decides whether it may be built).
    pub fn site(&self) -> Site {
        assemble(
            self.taxonomy.clone(),
            self.jurisdictions.iter().map(|(j, _)| j.clone()).collect(),
            self.topics.iter().map(|(t, _)| t.clone()).collect(),
            self.pages.iter().map(|(p, _)| p.clone()).collect(),
            self.collections.iter().map(|(c, _)| c.clone()).collect(),
            self.frameworks.iter().map(|(f, _)| f.clone()).collect(),
        )
    }

    /// Like [`Loaded::site`], but moves the items out instead of copying them (a large site's
    /// bodies are then held once); the report and the taxonomy stay.
    pub fn take_site(&mut self) -> Site {
        fn items<T>(list: &mut Vec<(T, Origin)>) -> Vec<T> {
            std::mem::take(list)
                .into_iter()
                .map(|(item, _)| item)
                .collect()
        }
        assemble(
            self.taxonomy.clone(),
            items(&mut self.jurisdictions),
            items(&mut self.topics),
            items(&mut self.pages),
            items(&mut self.collections),
            items(&mut self.frameworks),
        )
    }
}

/// The site model from its parts, each list in display order.
fn assemble(
    taxonomy: Option<Taxonomy>,
    mut jurisdictions: Vec<Jurisdiction>,
    mut topics: Vec<Topic>,
    mut pages: Vec<Page>,
    mut collections: Vec<Collection>,
    mut frameworks: Vec<Framework>,
) -> Site {
    jurisdictions.sort_by(|a, b| a.name.cmp(&b.name));
    topics.sort_by_key(|t| t.key);
    pages.sort_by(|a, b| a.id.cmp(&b.id));
    collections.sort_by(|a, b| b.date.cmp(&a.date).then_with(|| a.id.cmp(&b.id)));
    frameworks.sort_by(|a, b| a.id.cmp(&b.id));
    Site {
        collections,
        frameworks,
        taxonomy: taxonomy.unwrap_or(Taxonomy {
            regions: Vec::new(),
            groupings: Vec::new(),
        }),
        jurisdictions,
        topics,
        pages,
    }
}

/// The canonical content directory, or an error in `report` when it cannot be opened.
pub fn content_root(content_dir: &Path, report: &mut Report) -> Option<PathBuf> {
    match content_dir.canonicalize() {
        Ok(root) => Some(root),
        Err(err) => {
            report.push(Diagnostic::error(
                content_dir,
                (1, 1),
                "content",
                format!("cannot open the content directory: {err}"),
            ));
            None
        }
    }
}

/// Every `*.yaml` file of `dir` (none when it does not exist), in file name order, parsed.
fn load_yaml_dir<T: serde::de::DeserializeOwned>(
    root: &Path,
    dir: &Path,
) -> Vec<Result<(T, Origin), Diagnostic>> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
        .into_iter()
        .map(|path| {
            read_text(root, &path).and_then(|text| {
                let item = parse_yaml::<T>(&path, &text, 0)?;
                Ok((
                    item,
                    Origin {
                        locator: FieldLocator::new(&text, 0),
                        path: path.clone(),
                    },
                ))
            })
        })
        .collect()
}

/// Renders an entry's Markdown body into it.
fn attach_entry_body(j: &mut Jurisdiction, body: &str) {
    j.body = markdown::render(body);
}

/// Loads everything under `content_dir` into memory (for checks and small sites; a build streams
/// the entries instead, see [`load_shared`] and [`load_entry`]).
pub fn load(content_dir: &Path) -> Loaded {
    let mut loaded = load_shared(content_dir);
    let Some(root) = content_root(content_dir, &mut Report::default()) else {
        return loaded;
    };
    let files = entry_files(content_dir);
    let jurisdictions: Vec<_> = files
        .par_iter()
        .map(|path| load_entry(&root, path))
        .collect();
    for result in jurisdictions {
        match result {
            Ok(item) => loaded.jurisdictions.push(item),
            Err(d) => loaded.report.push(d),
        }
    }
    loaded
}

/// Loads everything but the jurisdiction entries: the taxonomy, topics, pages and collections.
pub fn load_shared(content_dir: &Path) -> Loaded {
    let mut loaded = Loaded::default();
    let Some(root) = content_root(content_dir, &mut loaded.report) else {
        return loaded;
    };

    report_stray_files(content_dir, &mut loaded.report);
    let taxonomy_path = content_dir.join("groupings.yaml");
    match read_text(&root, &taxonomy_path) {
        Ok(text) => match parse_yaml::<Taxonomy>(&taxonomy_path, &text, 0) {
            Ok(taxonomy) => {
                loaded.taxonomy = Some(taxonomy);
                loaded.taxonomy_origin = Some(Origin {
                    path: taxonomy_path.clone(),
                    locator: FieldLocator::new(&text, 0),
                });
            }
            Err(d) => loaded.report.push(d),
        },
        Err(d) => loaded.report.push(d),
    }

    match load_settings(&root, content_dir) {
        Ok(settings) => loaded.settings = settings,
        Err(d) => loaded.report.push(d),
    }

    loaded.topics_dir = content_dir.join("topics");
    let topics = load_dir::<Topic>(&root, &loaded.topics_dir, |t, body| {
        t.body = markdown::render(body);
    });
    let pages = load_dir::<Page>(&root, &content_dir.join("pages"), |p, body| {
        p.body = markdown::render(body);
    });
    for result in load_yaml_dir::<Collection>(&root, &content_dir.join("collections")) {
        match result {
            Ok(item) => loaded.collections.push(item),
            Err(d) => loaded.report.push(d),
        }
    }
    for result in load_yaml_dir::<Framework>(&root, &content_dir.join("frameworks")) {
        match result {
            Ok(item) => loaded.frameworks.push(item),
            Err(d) => loaded.report.push(d),
        }
    }
    for result in topics.into_iter() {
        match result {
            Ok(item) => loaded.topics.push(item),
            Err(d) => loaded.report.push(d),
        }
    }
    for result in pages.into_iter() {
        match result {
            Ok(item) => loaded.pages.push(item),
            Err(d) => loaded.report.push(d),
        }
    }
    loaded
}

/// Reads and checks `site.yaml`; the defaults when the content directory has none.
pub fn load_settings(root: &Path, content_dir: &Path) -> Result<Settings, Diagnostic> {
    let path = content_dir.join(SETTINGS_FILE);
    if !path.exists() {
        return Ok(Settings::default());
    }
    let text = read_text(root, &path)?;
    let file = if text.trim().is_empty() {
        SiteFile::default()
    } else {
        parse_yaml::<SiteFile>(&path, &text, 0)?
    };
    Settings::new(file).map_err(|err| {
        let field = "report_errors_to";
        Diagnostic::error(
            &path,
            FieldLocator::new(&text, 0).locate(field),
            field,
            err.to_string(),
        )
    })
}

/// The `*.md` files of a directory, sorted.
fn markdown_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = match fs::read_dir(dir) {
        Ok(entries) => entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "md"))
            .collect(),
        Err(_) => return Vec::new(),
    };
    files.sort();
    files
}

/// The jurisdiction entry files, sorted by path.
pub fn entry_files(content_dir: &Path) -> Vec<PathBuf> {
    markdown_files(&content_dir.join("jurisdictions"))
}

/// Loads one jurisdiction entry, with its content version; `root` is the canonical content
/// directory.
pub fn load_entry(root: &Path, path: &Path) -> Result<(Jurisdiction, Origin), Diagnostic> {
    parse_entry(path, &read_entry(root, path)?)
}

/// Reads one jurisdiction entry's file; `root` is the canonical content directory.
pub fn read_entry(root: &Path, path: &Path) -> Result<String, Diagnostic> {
    read_text(root, path)
}

/// Parses one jurisdiction entry from its text (as read from `path`, or a version of it), with
/// its content version.
pub fn parse_entry(path: &Path, text: &str) -> Result<(Jurisdiction, Origin), Diagnostic> {
    let (mut j, origin) = parse_document(path, text, attach_entry_body)?;
    j.version = ContentVersion::of_source(j.last_reviewed, text);
    Ok((j, origin))
}

/// Loads every `*.md` file of a directory in parallel.
fn load_dir<T>(
    root: &Path,
    dir: &Path,
    attach_body: impl Fn(&mut T, &str) + Sync,
) -> Vec<Result<(T, Origin), Diagnostic>>
where
    T: DeserializeOwned + Send,
{
    markdown_files(dir)
        .par_iter()
        .map(|path| load_file(root, path, &attach_body))
        .collect()
}

/// Loads one Markdown file with front matter.
fn load_file<T: DeserializeOwned>(
    root: &Path,
    path: &Path,
    attach_body: &impl Fn(&mut T, &str),
) -> Result<(T, Origin), Diagnostic> {
    parse_document(path, &read_text(root, path)?, attach_body)
}

/// Parses one Markdown document with YAML front matter, as read from `path`.
pub fn parse_document<T: DeserializeOwned>(
    path: &Path,
    text: &str,
    attach_body: impl Fn(&mut T, &str),
) -> Result<(T, Origin), Diagnostic> {
    let (front, body, offset) = split_front_matter(path, text)?;
    let mut item = parse_yaml::<T>(path, front, offset)?;
    attach_body(&mut item, body);
    Ok((
        item,
        Origin {
            path: path.to_path_buf(),
            locator: FieldLocator::new(front, offset),
        },
    ))
}

/// Reads a file as UTF-8, refusing oversized files and symlinks that leave the content root.
fn read_text(root: &Path, path: &Path) -> Result<String, Diagnostic> {
    let fail = |message: String| Diagnostic::error(path, (1, 1), "file", message);
    // Every path is resolved, so a symlinked file or folder that leads out of the content
    // directory is refused, not followed.
    let target = path
        .canonicalize()
        .map_err(|e| fail(format!("cannot read: {e}")))?;
    if !target.starts_with(root) {
        return Err(fail(format!(
            "leads to `{}`, outside the content directory (through a symlink); copy the file in instead",
            target.display()
        )));
    }
    let meta = fs::metadata(&target).map_err(|e| fail(format!("cannot read: {e}")))?;
    if !meta.is_file() {
        return Err(fail(
            "is not a regular file (a pipe, socket or device); only regular files are read"
                .to_string(),
        ));
    }
    let len = meta.len();
    if len > MAX_FILE_BYTES {
        return Err(fail(format!(
            "is {len} bytes; the limit for a content file is {MAX_FILE_BYTES} bytes"
        )));
    }
    let bytes = fs::read(&target).map_err(|e| fail(format!("cannot read: {e}")))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        Diagnostic::error(
            path,
            line_and_column(&e.as_bytes()[..valid]),
            "file",
            format!("is not valid UTF-8 (bad byte at offset {valid}); save the file as UTF-8"),
        )
    })?;
    if let Some((at, c)) = text.char_indices().find(|&(_, c)| is_refused_char(c)) {
        return Err(Diagnostic::error(
            path,
            line_and_column(&text.as_bytes()[..at]),
            "text",
            refused_char_message(c),
        ));
    }
    Ok(text)
}

/// Characters content may not hold: those no document may carry, and bidirectional overrides.
fn is_refused_char(c: char) -> bool {
    is_forbidden(c) || is_bidi_override(c)
}

/// Why content may not hold `c`, and what to do.
fn refused_char_message(c: char) -> String {
    if is_forbidden(c) {
        format!(
            "holds the control character U+{:04X}, which no page, feed or export may carry; delete it",
            u32::from(c)
        )
    } else {
        format!(
            "holds the bidirectional override U+{:04X}, which would reverse the text after it on the page; delete it",
            u32::from(c)
        )
    }
}

/// The 1-based line and column just after `before` (columns counted in bytes).
fn line_and_column(before: &[u8]) -> (usize, usize) {
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let column = before.len()
        - before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |p| p + 1)
        + 1;
    (line, column)
}

/// Warns about files of the content folders that look like content but are not read: another
/// case of the extension (`.MD`), or `.yml`, `.markdown`, `.txt`.
fn report_stray_files(content_dir: &Path, report: &mut Report) {
    for (folder, expected) in [
        ("jurisdictions", "md"),
        ("topics", "md"),
        ("pages", "md"),
        ("collections", "yaml"),
        ("frameworks", "yaml"),
    ] {
        let Ok(entries) = fs::read_dir(content_dir.join(folder)) else {
            continue;
        };
        let mut stray: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| {
                p.extension().and_then(|e| e.to_str()).is_some_and(|e| {
                    e != expected
                        && ["md", "markdown", "yaml", "yml", "txt"]
                            .contains(&e.to_ascii_lowercase().as_str())
                })
            })
            .collect();
        stray.sort();
        for path in stray {
            let stem = path
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or_default();
            report.push(Diagnostic::warning(
                &path,
                (1, 1),
                "file",
                format!("is not read: files in `{folder}` end in `.{expected}`; rename it `{stem}.{expected}`"),
            ));
        }
    }
}

/// Splits `---\n<yaml>\n---\n<markdown>`; returns the YAML, the body and the number of lines
/// before the YAML (to turn YAML line numbers into file line numbers).
pub fn split_front_matter<'a>(
    path: &Path,
    text: &'a str,
) -> Result<(&'a str, &'a str, usize), Diagnostic> {
    let text_no_bom = text.strip_prefix('\u{feff}').unwrap_or(text);
    let Some(rest) = text_no_bom
        .strip_prefix("---\n")
        .or_else(|| text_no_bom.strip_prefix("---\r\n"))
    else {
        let message = if text.trim().is_empty() {
            "is empty; an entry starts with a `---` line, then YAML front matter, then `---`"
        } else {
            "does not start with a `---` line opening the YAML front matter"
        };
        return Err(Diagnostic::error(path, (1, 1), "front matter", message));
    };
    let mut offset = 0;
    let mut end = None;
    for line in rest.split_inclusive('\n') {
        if line.trim_end_matches(['\r', '\n']) == "---" {
            end = Some(offset);
            break;
        }
        offset += line.len();
    }
    let Some(end) = end else {
        return Err(Diagnostic::error(
            path,
            (1, 1),
            "front matter",
            "has no closing `---` line; add one after the last YAML line",
        ));
    };
    let front = &rest[..end];
    if front.len() > MAX_FRONT_MATTER_BYTES {
        return Err(Diagnostic::error(
            path,
            (2, 1),
            "front matter",
            format!(
                "is {} bytes; the limit is {MAX_FRONT_MATTER_BYTES} bytes",
                front.len()
            ),
        ));
    }
    let after = &rest[end..];
    let body = after.split_once('\n').map_or("", |(_, b)| b);
    Ok((front, body, 1))
}

/// What `!!` becomes in [`tag_probe`]: a local tag, which the parser keeps on the value, where it
/// resolves the standard `!!` tags and drops them.
const CORE_TAG_PROBE: &str = "!jurisdex-core-tag:";

/// The YAML with each `!` that may start a node (after a key's colon, a list dash, a flow bracket
/// or comma, or at the start of a line) made a local tag the parser keeps; `None` when there is no
/// such `!`, which is nearly always (plain scalars cannot start with `!`). A `!` inside a quoted or
/// block scalar stays text, so it makes no tagged value.
fn tag_probe(yaml: &str) -> Option<String> {
    let starts: Vec<usize> = yaml
        .match_indices('!')
        .map(|(at, _)| at)
        .filter(|&at| {
            let before = yaml[..at].trim_end_matches([' ', '\t']);
            before.is_empty() || before.ends_with(['\n', ':', '-', '[', '{', ','])
        })
        .collect();
    if starts.is_empty() {
        return None;
    }
    let mut probe = String::with_capacity(yaml.len() + 32 * starts.len());
    let mut copied = 0;
    for at in starts {
        if yaml[at..].starts_with("!!") {
            probe.push_str(&yaml[copied..at]);
            probe.push_str(CORE_TAG_PROBE);
            copied = at + 2;
        }
    }
    probe.push_str(&yaml[copied..]);
    Some(probe)
}

/// What a parsed YAML value holds that content may not: a tag, or a refused character written
/// as an escape (`"\\v"`), which the file's own text does not show.
enum Refused {
    Tag(String),
    Char(char),
}

/// The field path and the first refused thing of a parsed value, in document order.
fn first_refused(value: &serde_yaml::Value, path: &mut String) -> Option<(String, Refused)> {
    match value {
        serde_yaml::Value::Tagged(tagged) => {
            Some((path.clone(), Refused::Tag(tagged.tag.to_string())))
        }
        serde_yaml::Value::String(text) => text
            .chars()
            .find(|&c| is_refused_char(c))
            .map(|c| (path.clone(), Refused::Char(c))),
        serde_yaml::Value::Sequence(items) => items.iter().enumerate().find_map(|(n, item)| {
            let len = path.len();
            path.push_str(&format!("[{n}]"));
            let found = first_refused(item, path);
            path.truncate(len);
            found
        }),
        serde_yaml::Value::Mapping(fields) => fields.iter().find_map(|(key, field)| {
            let len = path.len();
            if !path.is_empty() {
                path.push('.');
            }
            path.push_str(key.as_str().unwrap_or("?"));
            let found = first_refused(field, path);
            path.truncate(len);
            found
        }),
        _ => None,
    }
}

/// Deserialises YAML, turning a parse error into a diagnostic at the real file position.
pub fn parse_yaml<T: DeserializeOwned>(
    path: &Path,
    yaml: &str,
    line_offset: usize,
) -> Result<T, Diagnostic> {
    if yaml.trim().is_empty() {
        return Err(Diagnostic::error(
            path,
            (line_offset + 1, 1),
            "front matter",
            "is empty",
        ));
    }
    // Tags and escaped characters need the parsed value to be seen; a document with neither a
    // possible tag nor a backslash (nearly every one) is parsed once.
    let probe = tag_probe(yaml).or_else(|| yaml.contains('\\').then(|| yaml.to_string()));
    if let Some(probe) = probe
        && let Ok(value) = serde_yaml::from_str::<serde_yaml::Value>(&probe)
        && let Some((field, refused)) = first_refused(&value, &mut String::new())
    {
        let locator = FieldLocator::new(yaml, line_offset);
        let message = match refused {
            Refused::Tag(tag) => format!(
                "has the YAML tag `{}`; tags are not accepted: write the plain value",
                tag.replacen(CORE_TAG_PROBE, "!!", 1)
            ),
            Refused::Char(c) => refused_char_message(c),
        };
        return Err(Diagnostic::error(
            path,
            locator.locate(&field),
            &field,
            message,
        ));
    }
    serde_yaml::from_str::<T>(yaml).map_err(|err| {
        let (line, column) = err.location().map_or((1, 1), |l| {
            let (line, column) = position_of(yaml, l.index());
            (line + line_offset, column)
        });
        let message = strip_positions(&err.to_string());
        let (field, message) = split_field(&message);
        Diagnostic::error(path, (line, column), &field, message)
    })
}

/// The 1-based line and column of a byte offset, counting lines by `\n` as editors and
/// `grep -n` do (the YAML parser also breaks lines at a lone `\r`).
fn position_of(text: &str, index: usize) -> (usize, usize) {
    let mut index = index.min(text.len());
    while !text.is_char_boundary(index) {
        index -= 1;
    }
    let before = &text[..index];
    let line_start = before.rfind('\n').map_or(0, |p| p + 1);
    (
        before.matches('\n').count() + 1,
        before[line_start..].chars().count() + 1,
    )
}

/// Removes the parser's own ` at line N column M` positions: they count from the start of the
/// front matter, not the file, and the diagnostic already carries the file position.
fn strip_positions(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(at) = rest.find(" at line ") {
        out.push_str(&rest[..at]);
        let after = &rest[at + " at line ".len()..];
        let digits = |s: &str| s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
        let line_len = digits(after);
        match after[line_len..].strip_prefix(" column ") {
            Some(tail) if line_len > 0 && digits(tail) > 0 => rest = &tail[digits(tail)..],
            _ => {
                out.push_str(" at line ");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Separates a leading `a.b[0].c: ` field path from a serde message.
fn split_field(message: &str) -> (String, String) {
    if let Some((head, tail)) = message.split_once(": ")
        && !head.is_empty()
        && head
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '.' | '[' | ']' | '-'))
    {
        return (head.to_string(), tail.to_string());
    }
    ("front matter".to_string(), message.to_string())
}

/// Finds the line and column of a field path (`instruments[1].sources[0]`) in block-style YAML,
/// so that checks made after parsing can still point into the file. Falls back to the deepest
/// part of the path it could find.
#[derive(Debug, Clone)]
pub struct FieldLocator {
    lines: Vec<String>,
    offset: usize,
}

enum Segment<'a> {
    Key(&'a str),
    Index(usize),
}

fn segments(path: &str) -> Vec<Segment<'_>> {
    let mut out = Vec::new();
    for part in path.split('.') {
        let (key, rest) = part.split_once('[').unwrap_or((part, ""));
        if !key.is_empty() {
            out.push(Segment::Key(key));
        }
        for index in rest.split('[') {
            if let Ok(i) = index.trim_end_matches(']').parse() {
                out.push(Segment::Index(i));
            }
        }
    }
    out
}

impl FieldLocator {
    /// Indexes the YAML text; `offset` is the number of file lines before it.
    pub fn new(yaml: &str, offset: usize) -> FieldLocator {
        FieldLocator {
            lines: yaml.lines().map(str::to_string).collect(),
            offset,
        }
    }

    /// 1-based (line, column) in the file of the field path.
    pub fn locate(&self, path: &str) -> (usize, usize) {
        let mut range = 0..self.lines.len();
        let mut found = (0, 0);
        for segment in segments(path) {
            let next = match segment {
                Segment::Key(key) => self.find_key(range.clone(), key),
                Segment::Index(i) => self.find_item(range.clone(), i),
            };
            match next {
                Some((line, column, sub)) => {
                    found = (line, column);
                    range = sub;
                }
                None => break,
            }
        }
        (found.0 + self.offset + 1, found.1 + 1)
    }

    fn content(&self, line: usize) -> Option<(usize, &str)> {
        let text = self.lines[line].as_str();
        let trimmed = text.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            return None;
        }
        Some((text.len() - trimmed.len(), trimmed))
    }

    /// The end of the block that starts at `line` with its key at `column`.
    fn block_end(
        &self,
        line: usize,
        column: usize,
        limit: usize,
        allow_dash_at_column: bool,
    ) -> usize {
        for next in line + 1..limit {
            if let Some((indent, text)) = self.content(next)
                && (indent < column
                    || (indent == column && !(allow_dash_at_column && text.starts_with('-'))))
            {
                return next;
            }
        }
        limit
    }

    fn find_key(
        &self,
        range: std::ops::Range<usize>,
        key: &str,
    ) -> Option<(usize, usize, std::ops::Range<usize>)> {
        let mut child_column = None;
        for line in range.clone() {
            let Some((mut indent, mut text)) = self.content(line) else {
                continue;
            };
            while let Some(rest) = text.strip_prefix("- ") {
                indent += 2 + (rest.len() - rest.trim_start().len());
                text = rest.trim_start();
            }
            let column = *child_column.get_or_insert(indent);
            if indent != column {
                continue;
            }
            if let Some(after) = text.strip_prefix(key)
                && (after.starts_with(':') || after.starts_with("\":") || after.starts_with("':"))
            {
                let end = self.block_end(line, indent, range.end, true);
                return Some((line, indent, line + 1..end.max(line + 1)));
            }
        }
        None
    }

    fn find_item(
        &self,
        range: std::ops::Range<usize>,
        index: usize,
    ) -> Option<(usize, usize, std::ops::Range<usize>)> {
        let mut item_column = None;
        let mut seen = 0;
        for line in range.clone() {
            let Some((indent, text)) = self.content(line) else {
                continue;
            };
            if !(text.starts_with("- ") || text == "-") {
                continue;
            }
            let column = *item_column.get_or_insert(indent);
            if indent != column {
                continue;
            }
            if seen == index {
                let end = self.block_end(line, indent, range.end, false);
                return Some((line, indent, line..end));
            }
            seen += 1;
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const YAML: &str = "id: x\nsafeguards:\n  legal_clarity:\n    value: yes\n    sources: [a]\n  user_notice:\n    value: no\n    sources:\n      - a\n      - bogus\ninstruments:\n  - id: one\n    sources: [a]\n  - id: two\n    basis: { instrument: z, section: s 1 }\n";

    #[test]
    fn locates_nested_keys_and_list_items() {
        let l = FieldLocator::new(YAML, 1);
        assert_eq!(l.locate("id"), (2, 1));
        assert_eq!(l.locate("safeguards.user_notice.value"), (8, 5));
        assert_eq!(l.locate("safeguards.user_notice.sources[1]"), (11, 7));
        assert_eq!(l.locate("instruments[1].id"), (15, 5));
        assert_eq!(l.locate("instruments[1].basis.instrument"), (16, 5));
        assert_eq!(l.locate("instruments[0].sources[0]"), (14, 5));
    }

    #[test]
    fn yaml_errors_count_lines_by_newline_and_drop_the_parsers_positions() {
        let p = Path::new("x.md");
        // Found by `fuzz/run.sh`: lone `\r` is a YAML line break but not an editor's.
        let err = parse_yaml::<serde_yaml::Value>(p, "a: 1\r\r\rb\nc: 2\n", 1).unwrap_err();
        assert_eq!((err.line, err.column), (3, 1), "{err}");
        assert!(!err.message.contains(" at line "), "{err}");
        assert_eq!(
            strip_positions("bad at line 3 column 4, while scanning at line 2 column 1"),
            "bad, while scanning"
        );
        assert_eq!(strip_positions("at line x"), "at line x");
    }

    #[test]
    fn front_matter_split_reports_missing_close() {
        let p = Path::new("x.md");
        assert!(split_front_matter(p, "---\na: 1\n---\nbody").is_ok());
        let err = split_front_matter(p, "---\na: 1\n").unwrap_err();
        assert!(err.message.contains("no closing `---`"));
        let err = split_front_matter(p, "").unwrap_err();
        assert!(err.message.contains("empty"));
        let err = split_front_matter(p, "a: 1").unwrap_err();
        assert!(err.message.contains("does not start"));
    }

    #[test]
    fn parser_limits_stop_deep_nesting_and_alias_bombs() {
        let path = Path::new("x.md");
        let deep = format!("x: {}{}\n", "[".repeat(10_000), "]".repeat(10_000));
        let err = parse_yaml::<serde_yaml::Value>(path, &deep, 1).unwrap_err();
        assert!(
            err.message.contains("recursion limit exceeded"),
            "{}",
            err.message
        );
        let mut bomb = String::from("a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for (name, prev) in ["b", "c", "d", "e", "f", "g", "h", "i"]
            .iter()
            .zip(["a", "b", "c", "d", "e", "f", "g", "h"])
        {
            bomb.push_str(&format!(
                "{name}: &{name} [{}]\n",
                vec![format!("*{prev}"); 9].join(", ")
            ));
        }
        let err = parse_yaml::<serde_yaml::Value>(path, &bomb, 1).unwrap_err();
        assert!(
            err.message.contains("repetition limit exceeded"),
            "{}",
            err.message
        );
    }

    #[test]
    fn yaml_errors_point_into_the_file_and_name_the_field() {
        #[derive(serde::Deserialize, Debug)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct Inner {
            value: u8,
        }
        #[derive(serde::Deserialize, Debug)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct Outer {
            id: String,
            inner: Inner,
        }
        let err =
            parse_yaml::<Outer>(Path::new("x.md"), "id: a\ninner:\n  vlue: 3\n", 1).unwrap_err();
        assert_eq!(err.field, "inner");
        assert!(
            err.message.contains("unknown field `vlue`"),
            "{}",
            err.message
        );
        assert_eq!((err.line, err.column), (4, 3));
    }
}
