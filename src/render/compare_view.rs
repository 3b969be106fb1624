//! The view of a comparison: the form's choices, the table and its links, for the pre-rendered grouping pages and the server's custom comparisons.

use super::*;

/// How a compare page is titled and what it adds to the table.
#[derive(Debug, Clone, Copy)]
pub struct ComparePage<'a> {
    pub heading: &'a str,
    /// A message above the form (a bad selection).
    pub error: Option<&'a str>,
    /// The pre-rendered CSV beside a grouping's page, instead of the server's CSV address.
    pub csv_file: Option<&'a str>,
    /// A grouping comparison's place in its pages.
    pub pager: Option<&'a Pager>,
    /// A grouping comparison's two pre-rendered views of the same page: every row, and
    /// differences only.
    pub views: Option<&'a CompareViews>,
    /// A grouping comparison's own address (absolute), which its citation pins; a custom
    /// comparison's is its `/compare/?j=…` address.
    pub address: Option<&'a str>,
    /// The static compare page (`compare/index.html`): the browser draws the comparison its
    /// address asks for (`compare.js`), and without JavaScript it points to the ready-made ones.
    /// Never the server's `/compare/?j=…`, which draws its own.
    pub in_browser: bool,
}

/// The addresses of a pre-rendered comparison page's two views.
#[derive(Debug, Serialize)]
pub struct CompareViews {
    pub all_rows: String,
    pub differences_only: String,
}

impl<'a> ComparePage<'a> {
    /// A compare page with this heading and nothing else.
    pub fn titled(heading: &'a str) -> ComparePage<'a> {
        ComparePage {
            heading,
            error: None,
            csv_file: None,
            pager: None,
            views: None,
            address: None,
            in_browser: false,
        }
    }
}

/// The compare page: the selection form and, when complete, the table.
#[derive(Debug, Serialize)]
pub(super) struct CompareView<'a> {
    pub(super) heading: &'a str,
    pub(super) error: Option<&'a str>,
    pub(super) table: Option<Table>,
    /// A checkbox per entry, or none when there are too many (see [`FORM_CHOICES_MAX`]).
    pub(super) choices: Vec<Choice>,
    /// The chosen ids, for the typed form.
    pub(super) typed: String,
    pub(super) safeguards: Vec<Choice>,
    pub(super) differences_only: bool,
    pub(super) benchmark: Option<String>,
    /// The CSV of exactly this view.
    pub(super) csv_href: Option<String>,
    /// This view's shareable address.
    pub(super) self_href: String,
    /// The citations of the table shown (none without a table).
    pub(super) cite: Option<CiteBox>,
    pub(super) groupings: Vec<(String, String)>,
    pub(super) views: Option<&'a CompareViews>,
    pub(super) min: usize,
    pub(super) max: usize,
    pub(super) in_browser: bool,
}

/// Up to this many entries, the compare form offers a checkbox (and a benchmark option) for each;
/// above, it takes ids or ISO codes typed as a comma-separated list.
pub const FORM_CHOICES_MAX: usize = 100;

/// One checkbox of the compare form.
#[derive(Debug, Serialize)]
pub(super) struct Choice {
    pub(super) key: String,
    pub(super) label: String,
    pub(super) checked: bool,
}

impl<'a> CompareView<'a> {
    pub(super) fn new(
        catalog: &Catalog,
        meta: &SiteMeta,
        selection: &Selection,
        page: &ComparePage<'a>,
    ) -> Self {
        let (heading, error) = (page.heading, page.error);
        let chosen: Vec<&str> = selection
            .jurisdictions
            .iter()
            .map(|j| j.id.as_str())
            .collect();
        let keys: Vec<&str> = selection.safeguards.iter().map(|k| k.key()).collect();
        let mut query = format!("j={}", chosen.join(","));
        if keys.len() < SafeguardKey::ALL.len() {
            query.push_str(&format!("&t={}", keys.join(",")));
        }
        if selection.differences_only {
            query.push_str("&diff=1");
        }
        if let Some(b) = selection.benchmark {
            query.push_str(&format!("&bench={}", b.id));
        }
        let complete = selection.is_complete();
        // A grouping larger than the form allows is not chosen in the form: it would be refused.
        let fits_form = chosen.len() <= compare::MAX_CHOSEN;
        let self_href = format!("{}/compare/?{query}", meta.root);
        let cite = complete
            .then(|| compare_cite(meta, selection, page, &self_href))
            .flatten();
        CompareView {
            cite,
            heading,
            error,
            views: page.views,
            table: complete.then(|| compare::table(selection, &meta.root)),
            choices: if catalog.entries.len() <= FORM_CHOICES_MAX {
                catalog
                    .entries
                    .iter()
                    .map(|j| Choice {
                        key: j.id.clone(),
                        label: j.name.clone(),
                        checked: fits_form && chosen.contains(&j.id.as_str()),
                    })
                    .collect()
            } else {
                Vec::new()
            },
            typed: if fits_form {
                chosen.join(", ")
            } else {
                String::new()
            },
            safeguards: SafeguardKey::ALL
                .iter()
                .map(|k| Choice {
                    key: k.key().to_string(),
                    label: k.label().to_string(),
                    checked: keys.contains(&k.key()),
                })
                .collect(),
            differences_only: selection.differences_only,
            benchmark: selection.benchmark.map(|b| b.id.clone()),
            csv_href: match page.csv_file {
                Some(file) => Some(file.to_string()),
                None => complete.then(|| format!("{}/compare/?{query}&format=csv", meta.root)),
            },
            self_href,
            groupings: comparable_groupings(catalog)
                .map(|(g, _)| (g.id.clone(), g.name.clone()))
                .collect(),
            min: compare::MIN_CHOSEN,
            max: compare::MAX_CHOSEN,
            in_browser: page.in_browser,
        }
    }
}

/// The cite box of a comparison: a grouping's under its heading and address, a custom one under
/// the names it compares and its `/compare/?j=…` address.
fn compare_cite(
    meta: &SiteMeta,
    selection: &Selection,
    page: &ComparePage,
    self_href: &str,
) -> Option<CiteBox> {
    let entries: Vec<&Summary> = selection.columns().into_iter().map(|(j, _)| j).collect();
    let (title, key, address) = match page.address {
        Some(address) => {
            let title = match page.pager {
                Some(pager) if pager.number > 1 => {
                    format!("{} (page {})", page.heading, pager.number)
                }
                _ => page.heading.to_string(),
            };
            (title, "compare", address.to_string())
        }
        None => {
            let names: Vec<&str> = entries.iter().map(|j| j.name.as_str()).collect();
            let listed = match names.split_last() {
                Some((last, [])) => last.to_string(),
                Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
                None => String::new(),
            };
            let origin = meta
                .base_url
                .strip_suffix(&meta.root)
                .unwrap_or(&meta.base_url);
            (
                format!(
                    "Comparison of {listed}: powers to block or remove online content and their safeguards"
                ),
                "compare",
                format!("{origin}{self_href}"),
            )
        }
    };
    CiteBox::of_entries("comparison", &title, key, &address, &entries, meta)
}
