//! `jurisdex new jurisdiction <id>`: writes a skeleton entry that passes `check` as a draft.

use std::fs;
use std::path::{Path, PathBuf};

use crate::model::{Date, SafeguardKey};
use crate::validate::is_slug;

/// Why a skeleton could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ScaffoldError {
    #[error(
        "`{0}` is not a valid id: use lower-case letters, digits and hyphens, starting with a letter (e.g. `viet-nam`)"
    )]
    InvalidId(String),
    #[error("{} already exists; edit it instead", .0.display())]
    Exists(PathBuf),
    #[error("cannot write {}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Creates `content/jurisdictions/<id>.md` and returns its path; refuses to overwrite.
pub fn new_jurisdiction(
    content_dir: &Path,
    id: &str,
    name: Option<&str>,
) -> Result<PathBuf, ScaffoldError> {
    if !is_slug(id) {
        return Err(ScaffoldError::InvalidId(id.to_string()));
    }
    let dir = content_dir.join("jurisdictions");
    let path = dir.join(format!("{id}.md"));
    if path.exists() {
        return Err(ScaffoldError::Exists(path));
    }
    fs::create_dir_all(&dir).map_err(|source| ScaffoldError::Io {
        path: dir.clone(),
        source,
    })?;
    let name = name.map_or_else(|| title_case(id), str::to_string);
    fs::write(&path, skeleton(id, &name, Date::today())).map_err(|source| ScaffoldError::Io {
        path: path.clone(),
        source,
    })?;
    Ok(path)
}

fn title_case(id: &str) -> String {
    id.split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next().map_or_else(String::new, |f| {
                f.to_uppercase().collect::<String>() + c.as_str()
            })
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn skeleton(id: &str, name: &str, today: Date) -> String {
    let mut safeguards = String::new();
    for key in SafeguardKey::ALL {
        safeguards.push_str(&format!(
            "  {}:\n    value: unknown          # yes | partial | no | silent | unknown\n    provisions: []           # e.g. [{{ instrument: main-law, section: s 12 }}]\n    note: Not yet researched.\n    confidence: unsure\n    sources: []              # source ids; required unless value is unknown\n",
            key.key()
        ));
    }
    format!(
        r#"---
# New entry for {name}. Replace every REPLACE value, then run `jurisdex check`.
# The full schema, with every field explained, is in content/SCHEMA.md.
id: {id}
name: {name}
iso: XX                      # REPLACE: ISO 3166-1 alpha-2 code, e.g. VN
region: southeast-asia       # a region id from content/groupings.yaml
groupings: []                # grouping ids from content/groupings.yaml, e.g. [asean]
legal_system: REPLACE (e.g. civil law)
summary: >-
  REPLACE: one paragraph summarising who may block or remove online content and accounts,
  under which law, and the main safeguards.
last_reviewed: {today}
reviewed_by: REPLACE (your name or team)
entry_status: draft          # draft | reviewed
aliases: []
changelog:
  - date: {today}
    change: Entry created.
instruments:
  - id: main-law             # short lower-case id, used in links: #instrument-main-law
    title: REPLACE official English title of the law
    type: statute            # constitution | statute | regulation | decree | guideline | court_ruling | bill
    status: in_force         # proposed | enacted | in_force | partly_in_force | amended | suspended | struck_down | repealed
    dates: {{}}                # {{ adopted: YYYY-MM-DD, in_force: YYYY-MM-DD, amended: [YYYY-MM-DD] }}
    citation: REPLACE official number, e.g. Law No. 11 of 2008
    key_provisions: []       # - {{ section: Art. 40, gist: one line }}
    confidence: unsure       # confirmed | believed | unsure
    sources: [main-source]
powers:
  - id: main-power           # short lower-case id, used in links: #power-main-power
    authority: REPLACE name of the authority that may order blocking or removal
    authority_type: executive  # court | independent_regulator | executive | police | prosecutor | intelligence
    actions: [block_access]  # block_access | remove_content | suspend_account | throttle | shutdown | disclose_data
    basis: {{ instrument: main-law, section: REPLACE }}
    grounds: REPLACE how the law defines the content that may be targeted
    deadline:
      # hours: 24            # the fixed period in hours, only where the law sets one
      text: REPLACE the deadline as the law puts it, or "The law sets no period."
    court_role: after        # before (a court authorises or makes the order) | after (review once made) | none
    remedy: REPLACE what the affected user or publisher can do, with the provision
    confidence: unsure
    sources: [main-source]
cases: []
safeguards:
{safeguards}sources:
  - id: main-source
    title: REPLACE title of the document
    publisher: REPLACE publisher
    kind: legislation        # legislation | court | official | secondary | news
    accessed: {today}
---
## Overview

REPLACE: the analysis, in plain paragraphs with `##` headings.
"#
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn title_case_of_ids() {
        assert_eq!(title_case("viet-nam"), "Viet Nam");
    }
}
