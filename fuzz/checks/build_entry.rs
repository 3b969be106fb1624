//! Any bytes as one more entry of the test fixture's site (`jurisdictions/fuzz.md`), built by
//! `site::build`, the function `jurisdex build` calls, with the real templates. Must never panic.
//! An input that starts with a byte of 0x80 or more is spliced into an entry that builds instead
//! (see [`entry_file`]): whole files mutated byte by byte almost never pass validation, and the
//! output is checked only when they do.
//! A build that succeeds must have written a well-formed Atom feed, CSV files whose records all
//! have the same number of fields, JSON that parses and HTML without raw control characters; a
//! build that fails on its content must point every diagnostic at a real line of a real file.

use std::borrow::Cow;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use jurisdex::config::Config;
use jurisdex::diagnostics::Report;
use jurisdex::site::{self, BuildError};

/// A copy of the fixture's content and the configuration that builds it, made once per run.
struct Workspace {
    _dir: tempfile::TempDir,
    entry: PathBuf,
    config: Config,
}

fn workspace() -> &'static Workspace {
    static WORKSPACE: OnceLock<Workspace> = OnceLock::new();
    WORKSPACE.get_or_init(|| {
        let repo = super::repo_dir();
        // Builds write a few dozen files each: in memory where there is a tmpfs. A static is
        // never dropped, so the directory outlives the run: the next run removes it.
        let shm = Path::new("/dev/shm");
        let parent = if shm.is_dir() {
            shm.to_path_buf()
        } else {
            std::env::temp_dir()
        };
        let dir =
            site::work_dir(&parent, ".jurisdex-fuzz-build-entry-").expect("a temporary directory");
        let content = dir.path().join("content");
        copy_dir(&repo.join("tests/fixtures/basic"), &content);
        Workspace {
            entry: content.join("jurisdictions/fuzz.md"),
            config: Config {
                content_dir: content,
                templates_dir: repo.join("templates"),
                out_dir: dir.path().join("public"),
                base_url: "https://jurisdex.example.org/kb".into(),
                dev_reload: false,
                static_search: jurisdex::config::StaticSearch::Auto,
            },
            _dir: dir,
        }
    })
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("a content directory");
    for entry in fs::read_dir(from).expect("the fixture is readable") {
        let entry = entry.expect("a fixture file");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("a file type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).expect("a fixture file is copied");
        }
    }
}

/// An entry that builds, for the spliced inputs.
const ENTRY: &str = include_str!("../seeds/build_entry/full.md");

/// The fields of [`ENTRY`] a spliced input can replace: the value of the first line that starts
/// with one of these. The last choice is the Markdown body.
const FIELDS: &[&str] = &[
    "name: ",
    "summary: ",
    "legal_system: ",
    "reviewed_by: ",
    "    change: ",
    "    title: ",
    "    original_title: ",
    "    short_name: ",
    "    citation: ",
    "    authority: ",
    "    grounds: ",
    "    remedy: ",
    "    penalties: ",
    "    name: ",
    "    court: ",
    "    summary: ",
    "    note: ",
    "    publisher: ",
];

/// The entry file for an input. An input whose first byte is below 0x80 (any text) is the file
/// itself. Otherwise that byte chooses a field of [`ENTRY`] or its body, and the rest of the
/// input replaces it: a field's value as a quoted YAML string (so the YAML always parses), the
/// body as it is.
fn entry_file(data: &[u8]) -> Cow<'_, [u8]> {
    let Some((&first, rest)) = data.split_first().filter(|(first, _)| **first >= 0x80) else {
        return Cow::Borrowed(data);
    };
    let Some(prefix) = FIELDS.get(usize::from(first - 0x80) % (FIELDS.len() + 1)) else {
        let (front_matter, _) = ENTRY.split_at(ENTRY.rfind("\n---\n").expect("a body") + 5);
        return Cow::Owned([front_matter.as_bytes(), rest].concat());
    };
    let start = ENTRY
        .find(&format!("\n{prefix}"))
        .expect("the field is in the entry")
        + 1;
    let value_start = start + prefix.len();
    let value_end = value_start + ENTRY[value_start..].find('\n').expect("a line");
    let value = serde_json::to_string(&String::from_utf8_lossy(rest)).expect("a string");
    Cow::Owned(
        [&ENTRY[..value_start], &value, &ENTRY[value_end..]]
            .concat()
            .into_bytes(),
    )
}

/// Runs one input through the target and checks what must hold.
pub fn check(data: &[u8]) {
    let workspace = workspace();
    fs::write(&workspace.entry, entry_file(data)).expect("the entry is written");
    match site::build(&workspace.config) {
        Ok(built) => {
            check_report(&built.report);
            check_output(&built.dir);
        }
        Err(BuildError::Content(report)) => {
            assert!(report.has_errors(), "a content failure without an error");
            check_report(&report);
        }
        // A link in the entry's Markdown body to a page or anchor that does not exist.
        Err(BuildError::Links(broken)) => {
            assert!(!broken.is_empty());
            for link in &broken {
                assert!(!link.reason.is_empty(), "{link} gives no reason");
            }
        }
        Err(error) => panic!("the build failed on content it had accepted: {error}"),
    }
}

/// Every diagnostic names an existing file and a line in it (or line 1 of a directory).
fn check_report(report: &Report) {
    for diagnostic in &report.diagnostics {
        assert!(
            diagnostic.line >= 1 && diagnostic.column >= 1,
            "{diagnostic}"
        );
        assert!(
            !diagnostic.message.is_empty(),
            "{diagnostic} has no message"
        );
        let path = &diagnostic.path;
        let lines = if path.is_dir() {
            1
        } else {
            let bytes = fs::read(path).unwrap_or_else(|e| panic!("{diagnostic}: {e}"));
            // As the front-matter target counts them; the line after the last holds an error
            // about what is missing at the end.
            String::from_utf8_lossy(&bytes).lines().count().max(1) + 1
        };
        assert!(diagnostic.line <= lines, "{diagnostic} is past the end");
    }
}

/// Checks every file the build wrote that a reader or a program reads.
fn check_output(dir: &Path) {
    let feed = fs::read_to_string(dir.join("feed.xml")).expect("the feed is written");
    if let Err(problem) = check_xml(&feed) {
        panic!("feed.xml is not well-formed XML: {problem}\n{feed}");
    }
    let mut files = Vec::new();
    walk(dir, &mut files);
    for path in files {
        let Some(extension) = path.extension().and_then(|x| x.to_str()) else {
            continue;
        };
        let bytes = fs::read(&path).expect("an output file is readable");
        let shown = path.display();
        match extension {
            "html" => {
                let text = std::str::from_utf8(&bytes)
                    .unwrap_or_else(|e| panic!("{shown} is not UTF-8: {e}"));
                if let Some(c) = text
                    .chars()
                    .find(|&c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
                {
                    panic!("{shown} holds the control character U+{:04X}", u32::from(c));
                }
            }
            "csv" => {
                let text = std::str::from_utf8(&bytes)
                    .unwrap_or_else(|e| panic!("{shown} is not UTF-8: {e}"));
                if let Err(problem) = check_csv(text) {
                    panic!("{shown}: {problem}\n{text}");
                }
            }
            "json" => {
                if let Err(e) = serde_json::from_slice::<serde_json::Value>(&bytes) {
                    panic!("{shown} is not JSON: {e}");
                }
            }
            _ => {}
        }
    }
}

/// Every file under `dir` but the search index's own (tantivy's files, not the site's).
fn walk(dir: &Path, files: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).expect("the output is readable") {
        let entry = entry.expect("an output file");
        let path = entry.path();
        if entry.file_type().expect("a file type").is_dir() {
            if entry.file_name() != site::INDEX_DIR {
                walk(&path, files);
            }
        } else {
            files.push(path);
        }
    }
}

/// Reads `text` as RFC 4180 CSV (quoted fields may hold commas, quotes doubled, line breaks)
/// and checks that every record has as many fields as the first.
fn check_csv(text: &str) -> Result<(), String> {
    let mut widths = Vec::new();
    let mut fields = 1;
    let mut chars = text.chars().peekable();
    let mut at_field_start = true;
    while let Some(c) = chars.next() {
        match c {
            '"' if at_field_start => loop {
                match chars.next() {
                    Some('"') if chars.peek() == Some(&'"') => {
                        chars.next();
                    }
                    Some('"') => {
                        if !matches!(chars.peek(), None | Some(',' | '\r' | '\n')) {
                            return Err(format!(
                                "record {}: text after a closing quote",
                                widths.len() + 1
                            ));
                        }
                        at_field_start = false;
                        break;
                    }
                    Some(_) => {}
                    None => return Err("a quoted field is never closed".into()),
                }
            },
            '"' => {
                return Err(format!(
                    "record {}: a quote inside an unquoted field",
                    widths.len() + 1
                ));
            }
            ',' => {
                fields += 1;
                at_field_start = true;
            }
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' => {
                widths.push(fields);
                fields = 1;
                at_field_start = true;
            }
            '\r' => {
                return Err(format!(
                    "record {}: a lone carriage return",
                    widths.len() + 1
                ));
            }
            _ => at_field_start = false,
        }
    }
    if !at_field_start || fields > 1 {
        widths.push(fields);
    }
    let Some(&first) = widths.first() else {
        return Err("no header".into());
    };
    match widths.iter().position(|&w| w != first) {
        Some(at) => Err(format!(
            "record {} has {} fields, the first has {}",
            at + 1,
            widths[at],
            first
        )),
        None => Ok(()),
    }
}

/// Checks that `text` is a well-formed XML 1.0 document without a DTD: only allowed characters,
/// one root element, tags nested and closed, attributes quoted and unique, every `&` a known
/// entity or a character reference to an allowed character, no `<` outside markup.
fn check_xml(text: &str) -> Result<(), String> {
    if let Some(c) = text.chars().find(|&c| !is_xml_char(c)) {
        return Err(format!(
            "the character U+{:04X} is not allowed",
            u32::from(c)
        ));
    }
    let mut rest = text;
    if rest.starts_with("<?xml") {
        rest = after(rest, "?>")?;
    }
    let mut open: Vec<&str> = Vec::new();
    let mut roots = 0;
    while !rest.is_empty() {
        if let Some(comment) = rest.strip_prefix("<!--") {
            let end = comment.find("-->").ok_or("a comment is never closed")?;
            if comment[..end].contains("--") || comment[..end].ends_with('-') {
                return Err("`--` inside a comment".into());
            }
            rest = &comment[end + 3..];
        } else if let Some(data) = rest.strip_prefix("<![CDATA[") {
            if open.is_empty() {
                return Err("character data outside the root element".into());
            }
            rest = after(data, "]]>")?;
        } else if let Some(instruction) = rest.strip_prefix("<?") {
            let (target, after_target) = name(instruction)?;
            if target.eq_ignore_ascii_case("xml") {
                return Err("an XML declaration after the start".into());
            }
            rest = after(after_target, "?>")?;
        } else if rest.starts_with("<!") {
            return Err(format!("unexpected markup at `{}`", head(rest)));
        } else if let Some(closing) = rest.strip_prefix("</") {
            let (tag, after_name) = name(closing)?;
            let after_space = after_name.trim_start_matches(is_xml_space);
            rest = after_space
                .strip_prefix('>')
                .ok_or_else(|| format!("`</{tag}` is not closed by `>`"))?;
            match open.pop() {
                Some(opened) if opened == tag => {}
                Some(opened) => return Err(format!("`</{tag}>` closes `<{opened}>`")),
                None => return Err(format!("`</{tag}>` closes nothing")),
            }
        } else if let Some(opening) = rest.strip_prefix('<') {
            let (tag, mut attributes) = name(opening)?;
            if open.is_empty() {
                roots += 1;
                if roots > 1 {
                    return Err(format!("a second root element `<{tag}>`"));
                }
            }
            let mut seen: Vec<&str> = Vec::new();
            loop {
                let trimmed = attributes.trim_start_matches(is_xml_space);
                if let Some(after_tag) = trimmed.strip_prefix("/>") {
                    rest = after_tag;
                    break;
                }
                if let Some(after_tag) = trimmed.strip_prefix('>') {
                    open.push(tag);
                    rest = after_tag;
                    break;
                }
                if trimmed.len() == attributes.len() {
                    return Err(format!("no space before an attribute of `<{tag}>`"));
                }
                let (attribute, after_name) = name(trimmed)?;
                if seen.contains(&attribute) {
                    return Err(format!("`{attribute}` twice in `<{tag}>`"));
                }
                seen.push(attribute);
                let value = after_name
                    .trim_start_matches(is_xml_space)
                    .strip_prefix('=')
                    .ok_or_else(|| format!("`{attribute}` of `<{tag}>` has no value"))?
                    .trim_start_matches(is_xml_space);
                let quote = value
                    .chars()
                    .next()
                    .filter(|q| matches!(q, '"' | '\''))
                    .ok_or_else(|| format!("`{attribute}` of `<{tag}>` is not quoted"))?;
                let value = &value[1..];
                let end = value
                    .find(quote)
                    .ok_or_else(|| format!("`{attribute}` of `<{tag}>` is never closed"))?;
                if value[..end].contains('<') {
                    return Err(format!("`<` in the value of `{attribute}`"));
                }
                references(&value[..end])?;
                attributes = &value[end + 1..];
            }
        } else {
            let end = rest.find('<').unwrap_or(rest.len());
            let chunk = &rest[..end];
            if open.is_empty() && !chunk.chars().all(is_xml_space) {
                return Err(format!("text outside the root element: `{}`", head(chunk)));
            }
            if chunk.contains("]]>") {
                return Err("`]]>` in text".into());
            }
            references(chunk)?;
            rest = &rest[end..];
        }
    }
    match (open.last(), roots) {
        (Some(tag), _) => Err(format!("`<{tag}>` is never closed")),
        (None, 0) => Err("no root element".into()),
        (None, _) => Ok(()),
    }
}

/// XML 1.0's `Char` production.
fn is_xml_char(c: char) -> bool {
    matches!(u32::from(c), 0x9 | 0xA | 0xD | 0x20..=0xD7FF | 0xE000..=0xFFFD | 0x1_0000..)
}

fn is_xml_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

/// The text after the first `end` in `text`.
fn after<'a>(text: &'a str, end: &str) -> Result<&'a str, String> {
    text.find(end)
        .map(|at| &text[at + end.len()..])
        .ok_or_else(|| format!("`{}` is never closed by `{end}`", head(text)))
}

/// A name at the start of `text` (letters, digits, `_`, `:`, `-`, `.`, anything not ASCII; not
/// starting with a digit, `-` or `.`) and what follows it.
fn name(text: &str) -> Result<(&str, &str), String> {
    let is_name =
        |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | ':' | '-' | '.') || !c.is_ascii();
    let end = text.find(|c: char| !is_name(c)).unwrap_or(text.len());
    let name = &text[..end];
    match name.chars().next() {
        Some(c) if !c.is_ascii_digit() && !matches!(c, '-' | '.') => Ok((name, &text[end..])),
        _ => Err(format!("no name at `{}`", head(text))),
    }
}

/// Checks every `&` of `text` starts an entity XML predefines or a reference to an allowed character.
fn references(text: &str) -> Result<(), String> {
    for (at, _) in text.match_indices('&') {
        let reference = &text[at + 1..];
        let end = reference
            .find(';')
            .ok_or_else(|| format!("`&` without `;` at `{}`", head(&text[at..])))?;
        let body = &reference[..end];
        if matches!(body, "lt" | "gt" | "amp" | "quot" | "apos") {
            continue;
        }
        let code = match body.strip_prefix("#x") {
            Some(hex) if !hex.is_empty() && hex.chars().all(|c| c.is_ascii_hexdigit()) => {
                u32::from_str_radix(hex, 16).ok()
            }
            Some(_) => None,
            None => body
                .strip_prefix('#')
                .filter(|d| !d.is_empty() && d.chars().all(|c| c.is_ascii_digit()))
                .and_then(|d| d.parse().ok()),
        };
        let valid = code.and_then(char::from_u32).is_some_and(is_xml_char);
        if !valid {
            return Err(format!("`&{body};` is not a reference XML knows"));
        }
    }
    Ok(())
}

/// The start of `text`, for messages.
fn head(text: &str) -> &str {
    let end = text.char_indices().nth(40).map_or(text.len(), |(at, _)| at);
    &text[..end]
}
