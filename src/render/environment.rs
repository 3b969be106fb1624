//! The template environment's helpers: the escaping formatter, the `label`, `url`, `anchor_of` and `symbol` functions, the `date`, `href` and `quoted` filters and the globals.

use std::borrow::Cow;

use super::*;
use crate::html::encode_url;

#[derive(Serialize)]
pub(super) struct KeyLabel {
    pub(super) key: &'static str,
    pub(super) label: &'static str,
    pub(super) anchor: String,
}

pub(super) fn safeguard_list() -> Vec<KeyLabel> {
    SafeguardKey::ALL
        .iter()
        .map(|k| KeyLabel {
            key: k.key(),
            label: k.label(),
            anchor: k.anchor(),
        })
        .collect()
}

#[derive(Serialize)]
pub(super) struct LegendItem {
    pub(super) key: &'static str,
    pub(super) label: &'static str,
    pub(super) symbol: &'static str,
    pub(super) meaning: &'static str,
}

pub(super) fn value_legend() -> Vec<LegendItem> {
    Value::ALL
        .iter()
        .map(|v| LegendItem {
            key: v.key(),
            label: v.label(),
            symbol: v.symbol(),
            meaning: match v {
                Value::Yes => "the law provides this safeguard",
                Value::Partial => "provided in part, or only for some powers",
                Value::No => "the law excludes it or provides the opposite",
                Value::Silent => "the law says nothing on it",
                Value::Unknown => "not yet researched",
            },
        })
        .collect()
}

/// Autoescape like minijinja's default, but leaves `/` alone so URLs stay readable in the HTML
/// (`&`, `<`, `>`, `"` and `'` are still escaped).
pub(super) fn html_formatter(
    out: &mut minijinja::Output,
    state: &mut minijinja::State,
    value: &JinjaValue,
) -> Result<(), minijinja::Error> {
    match value.as_str() {
        Some(text)
            if matches!(state.auto_escape(), minijinja::AutoEscape::Html) && !value.is_safe() =>
        {
            crate::html::write_escaped(out, text).map_err(minijinja::Error::from)
        }
        _ => minijinja::escape_formatter(out, state, value),
    }
}

/// The `href` filter: a URL made ready for an `href` or `src` attribute by
/// [`crate::html::encode_url`] (the formatter then escapes `&` and `'`). Templates put every URL
/// attribute through it but those built from `meta.root`, `url(…)` and anchors, which come from
/// the same function already.
pub(super) fn href(url: String) -> String {
    match encode_url(&url) {
        Cow::Borrowed(_) => url,
        Cow::Owned(encoded) => encoded,
    }
}

/// The `quoted` filter: a reader's query as a search page names it, `“court order”`. A query with
/// quotation marks of its own (`"court order" -india`) is shown as typed, so that marks do not nest
/// around it; the offline search page and `app.js` name queries the same way.
pub(super) fn quoted(query: String) -> String {
    if query.contains(['"', '\u{201c}', '\u{201d}']) {
        query
    } else {
        format!("\u{201c}{query}\u{201d}")
    }
}

/// `anchor_of("power", "pta-s37")` → `power-pta-s37`: the anchors of [`routes`], for templates.
pub(super) fn anchor_of(kind: String, id: String) -> Result<String, minijinja::Error> {
    let anchor = match kind.as_str() {
        "instrument" => routes::instrument_anchor(&id),
        "power" => routes::power_anchor(&id),
        "case" => routes::case_anchor(&id),
        "source" => routes::source_anchor(&id),
        _ => return Err(unknown_route("anchor", &kind)),
    };
    Ok(href(anchor))
}

/// `url("jurisdiction", "pakistan")` → `/jurisdictions/pakistan/`: the paths of [`routes`], for
/// templates (which put `meta.root` before them).
pub(super) fn url(kind: String, id: String) -> Result<String, minijinja::Error> {
    let url = match kind.as_str() {
        "jurisdiction" => routes::jurisdiction(&id),
        "topic" => routes::topic(&id),
        "page" => routes::page(&id),
        "grouping_compare" => routes::grouping_compare(&id),
        "collection" => routes::collection(&id),
        "framework" => routes::framework(&id),
        "reading_pack" => routes::reading_pack(&id),
        "api_jurisdiction" => format!("/{}", routes::api_jurisdiction_file(&id)),
        "history" => routes::jurisdiction_history(&id),
        _ => return Err(unknown_route("url", &kind)),
    };
    Ok(href(url))
}

/// A template asked for a kind of address the site does not have.
pub(super) fn unknown_route(function: &str, kind: &str) -> minijinja::Error {
    minijinja::Error::new(
        minijinja::ErrorKind::InvalidOperation,
        format!("{function}(): no kind `{kind}`"),
    )
}

/// `label("value", "yes")` → `Yes`: the human label of any vocabulary key.
pub(super) fn label(vocabulary: String, key: String) -> String {
    let found = match vocabulary.as_str() {
        "value" => Value::from_key(&key).map(Value::label),
        "confidence" => Confidence::from_key(&key).map(Confidence::label),
        "status" => InstrumentStatus::from_key(&key).map(InstrumentStatus::label),
        "type" => InstrumentType::from_key(&key).map(InstrumentType::label),
        "authority" => AuthorityType::from_key(&key).map(AuthorityType::label),
        "action" => Action::from_key(&key).map(Action::label),
        "outcome" => Outcome::from_key(&key).map(Outcome::label),
        "court_role" => CourtRole::from_key(&key).map(CourtRole::label),
        "safeguard" => SafeguardKey::from_key(&key).map(SafeguardKey::label),
        "source_kind" => SourceKind::from_key(&key).map(SourceKind::label),
        "entry_status" => EntryStatus::from_key(&key).map(EntryStatus::label),
        "review_kind" => ReviewKind::from_key(&key).map(ReviewKind::label),
        "measure" => PracticeMeasure::from_key(&key).map(PracticeMeasure::label),
        _ => None,
    };
    found.map_or(key, str::to_string)
}

/// The `date` filter: `2024-01-02` → `2 January 2024`; leaves other text alone.
pub(super) fn human_date(text: String) -> String {
    Date::parse(&text).map_or(text, |d| d.human())
}
