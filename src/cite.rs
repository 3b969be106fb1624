//! Citations of a page in the four forms readers paste into their work: plain text, BibTeX, RIS
//! and CSL-JSON. Each names the content version and its review date, and gives the address that
//! pins the version (`…/jurisdictions/<id>/?v=<version>`), which keeps showing what was cited or
//! says what changed since. Every value is escaped for its format here; the page escapes the
//! result again for HTML.

use serde::Serialize;

use crate::catalog::Summary;
use crate::config::SiteMeta;
use crate::model::{ContentVersion, Date, Jurisdiction};
use crate::routes;

/// Who the citations name as author and publisher.
const PUBLISHER: &str = "jurisdex";

/// What a citation names.
#[derive(Debug, Clone, Copy)]
pub struct Cited<'a> {
    /// The cited work's title.
    pub title: &'a str,
    /// A short identifier for reference managers (letters, digits and `-` are kept).
    pub key: &'a str,
    /// The address that pins the version, percent-encoded.
    pub url: &'a str,
    pub version: &'a ContentVersion,
    /// When the reader saw it: the build date, `YYYY-MM-DD`.
    pub accessed: &'a str,
}

/// One citation in each form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Citation {
    pub plain: String,
    pub bibtex: String,
    pub ris: String,
    pub csl_json: String,
}

impl Citation {
    /// The four forms of one citation.
    pub fn new(cited: &Cited) -> Citation {
        let reviewed = Date::parse(cited.version.reviewed()).ok();
        let human = |date: Option<Date>| date.map_or_else(String::new, |d| d.human());
        let accessed = Date::parse(cited.accessed).ok();
        let key: String = format!("{PUBLISHER}-{}-{}", cited.key, cited.version.reviewed())
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect();
        let note = format!("Version {}, reviewed {}", cited.version, human(reviewed));
        let title = one_line(cited.title);
        let plain = format!(
            "{PUBLISHER}, “{title}”, version {} (reviewed {}), {} (accessed {}).",
            cited.version,
            human(reviewed),
            cited.url,
            human(accessed),
        );
        let bibtex = format!(
            "@misc{{{key},\n  author = {{{{{PUBLISHER}}}}},\n  title = {{{{{}}}}},\n  year = {{{}}},\n  date = {{{}}},\n  version = {{{}}},\n  url = {{{}}},\n  urldate = {{{}}},\n  note = {{{}}}\n}}\n",
            escape_bibtex(&title),
            reviewed.map_or(0, |d| d.year),
            cited.version.reviewed(),
            cited.version,
            cited.url,
            cited.accessed,
            escape_bibtex(&note),
        );
        let ris_date = |date: &str| date.replace('-', "/");
        let ris = [
            ("TY", "ELEC".to_string()),
            ("AU", PUBLISHER.to_string()),
            ("TI", title.clone()),
            ("PY", reviewed.map_or(0, |d| d.year).to_string()),
            ("DA", ris_date(cited.version.reviewed())),
            ("ET", cited.version.to_string()),
            ("UR", cited.url.to_string()),
            ("Y2", ris_date(cited.accessed)),
            ("N1", note.clone()),
            ("ER", String::new()),
        ]
        .iter()
        .map(|(tag, value)| format!("{tag}  - {value}\n"))
        .collect();
        let item = CslItem {
            id: &key,
            kind: "webpage",
            title: &title,
            author: [CslName { literal: PUBLISHER }],
            container_title: PUBLISHER,
            url: cited.url,
            version: cited.version.as_str(),
            issued: CslDate::of(reviewed),
            accessed: CslDate::of(accessed),
            note: &note,
        };
        Citation {
            plain,
            bibtex,
            ris,
            csl_json: serde_json::to_string_pretty(&[item]).unwrap_or_default(),
        }
    }
}

/// One CSL-JSON item (the citeproc input format).
#[derive(Serialize)]
struct CslItem<'a> {
    id: &'a str,
    #[serde(rename = "type")]
    kind: &'a str,
    title: &'a str,
    author: [CslName<'a>; 1],
    #[serde(rename = "container-title")]
    container_title: &'a str,
    #[serde(rename = "URL")]
    url: &'a str,
    version: &'a str,
    issued: CslDate,
    accessed: CslDate,
    note: &'a str,
}

#[derive(Serialize)]
struct CslName<'a> {
    literal: &'a str,
}

#[derive(Serialize)]
struct CslDate {
    #[serde(rename = "date-parts")]
    date_parts: Vec<Vec<u16>>,
}

impl CslDate {
    fn of(date: Option<Date>) -> CslDate {
        CslDate {
            date_parts: date
                .map(|d| {
                    let mut parts = vec![d.year];
                    parts.extend(d.month.map(u16::from));
                    parts.extend(d.day.map(u16::from));
                    vec![parts]
                })
                .unwrap_or_default(),
        }
    }
}

/// `text` on one line: every run of white space (line breaks included) one space, so that no
/// value can start a new RIS tag or BibTeX field.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `text` as BibTeX field text: the characters TeX treats specially written as commands. Braces
/// become `\textbraceleft{}` and `\textbraceright{}`, because BibTeX counts every brace, escaped or
/// not, when it finds where a field ends.
pub fn escape_bibtex(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\textbackslash{}"),
            '{' => out.push_str("\\textbraceleft{}"),
            '}' => out.push_str("\\textbraceright{}"),
            '^' => out.push_str("\\textasciicircum{}"),
            '~' => out.push_str("\\textasciitilde{}"),
            '$' | '&' | '%' | '#' | '_' => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

/// The cite box of a page: its version, pinned address and citations, and for a page showing
/// several entries, which entry versions it shows.
#[derive(Debug, Clone, Serialize)]
pub struct CiteBox {
    /// What the page is, for "Cite this …": `entry`, `comparison` or `list`.
    pub noun: &'static str,
    pub version: ContentVersion,
    /// The review date in the version, `YYYY-MM-DD`.
    pub reviewed: String,
    /// The address that pins the version.
    pub url: String,
    pub citation: Citation,
    /// The entries a comparison or list shows (none for an entry's own page).
    pub parts: Vec<CitedPart>,
    /// The address that keeps showing this version of an entry after it changes (its as-of page),
    /// when the site has the content's history.
    pub kept_at: Option<String>,
}

/// One entry a comparison or list shows, with its version.
#[derive(Debug, Clone, Serialize)]
pub struct CitedPart {
    pub name: String,
    /// The entry's page, root-relative with the site's prefix.
    pub href: String,
    pub version: ContentVersion,
    pub reviewed: String,
}

/// The title an entry is cited under.
pub fn entry_title(name: &str) -> String {
    format!("{name}: powers to block or remove online content and their safeguards")
}

impl CiteBox {
    /// The cite box of an entry's page.
    pub fn entry(j: &Jurisdiction, meta: &SiteMeta) -> CiteBox {
        let page = format!("{}{}", meta.base_url, routes::jurisdiction(&j.id));
        CiteBox::entry_at(j, &page, meta)
    }

    /// The cite box of an entry shown at `page` (absolute): its own page or, for a past version,
    /// the page of that version.
    pub fn entry_at(j: &Jurisdiction, page: &str, meta: &SiteMeta) -> CiteBox {
        CiteBox::new(
            "entry",
            &entry_title(&j.name),
            &j.id,
            page,
            &j.version,
            meta,
        )
    }

    /// The cite box of a page at `page` (absolute, unpinned) showing `entries`; `None` when it
    /// shows none.
    pub fn of_entries(
        noun: &'static str,
        title: &str,
        key: &str,
        page: &str,
        entries: &[&Summary],
        meta: &SiteMeta,
    ) -> Option<CiteBox> {
        let version = ContentVersion::of_parts(entries.iter().map(|j| &j.version))?;
        let mut cite = CiteBox::new(noun, title, key, page, &version, meta);
        cite.parts = entries
            .iter()
            .map(|j| CitedPart {
                name: j.name.clone(),
                href: format!("{}{}", meta.root, routes::jurisdiction(&j.id)),
                version: j.version.clone(),
                reviewed: j.version.reviewed().to_string(),
            })
            .collect();
        Some(cite)
    }

    fn new(
        noun: &'static str,
        title: &str,
        key: &str,
        page: &str,
        version: &ContentVersion,
        meta: &SiteMeta,
    ) -> CiteBox {
        let url = routes::cited(page, version);
        CiteBox {
            noun,
            citation: Citation::new(&Cited {
                title,
                key,
                url: &url,
                version,
                accessed: &meta.built,
            }),
            url,
            version: version.clone(),
            reviewed: version.reviewed().to_string(),
            parts: Vec::new(),
            kept_at: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn citation(title: &str) -> (ContentVersion, Citation) {
        let version = ContentVersion::of_source(Date::parse("2026-11-03").unwrap(), "text");
        let url = format!("https://kb.example.org/jurisdictions/a/?v={version}");
        let citation = Citation::new(&Cited {
            title,
            key: "a",
            url: &url,
            version: &version,
            accessed: "2026-12-04",
        });
        (version, citation)
    }

    #[test]
    fn every_form_names_the_version_the_review_date_and_the_pinned_address() {
        let (version, c) = citation("A: powers");
        let url = format!("https://kb.example.org/jurisdictions/a/?v={version}");
        assert_eq!(
            c.plain,
            format!(
                "jurisdex, “A: powers”, version {version} (reviewed 3 November 2026), {url} (accessed 4 December 2026)."
            )
        );
        for text in [&c.bibtex, &c.ris, &c.csl_json] {
            assert!(text.contains(version.as_str()), "{text}");
            assert!(text.contains(&url), "{text}");
        }
        assert!(c.bibtex.starts_with("@misc{jurisdex-a-2026-11-03,\n"));
        assert!(c.bibtex.contains("  date = {2026-11-03},\n"));
        assert!(c.ris.starts_with("TY  - ELEC\n"));
        assert!(c.ris.contains("DA  - 2026/11/03\n"));
        assert!(c.ris.ends_with("ER  - \n"));
        let csl: serde_json::Value = serde_json::from_str(&c.csl_json).unwrap();
        assert_eq!(
            csl[0]["issued"]["date-parts"][0],
            serde_json::json!([2026, 11, 3])
        );
        assert_eq!(
            csl[0]["accessed"]["date-parts"][0],
            serde_json::json!([2026, 12, 4])
        );
        assert_eq!(csl[0]["version"], version.as_str());
    }

    #[test]
    fn special_characters_are_escaped_for_each_form() {
        let (_, c) = citation("A {b} \\ 50% & #1_x ^~ $\n TY  - JOUR \"q\"");
        assert!(c.bibtex.contains(
            "title = {{A \\textbraceleft{}b\\textbraceright{} \\textbackslash{} 50\\% \\& \\#1\\_x \\textasciicircum{}\\textasciitilde{} \\$ TY - JOUR \"q\"}}"
        ), "{}", c.bibtex);
        let depth = c.bibtex.chars().try_fold(0i32, |depth, ch| {
            let depth = depth + i32::from(ch == '{') - i32::from(ch == '}');
            (depth >= 0).then_some(depth)
        });
        assert_eq!(depth, Some(0), "{}", c.bibtex);
        // A line break cannot start a forged RIS tag.
        assert_eq!(c.ris.lines().filter(|l| l.starts_with("TY  - ")).count(), 1);
        let csl: serde_json::Value = serde_json::from_str(&c.csl_json).unwrap();
        assert_eq!(csl[0]["title"], "A {b} \\ 50% & #1_x ^~ $ TY - JOUR \"q\"");
    }
}
