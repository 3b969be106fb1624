//! An entry's history pages: the list of its published versions with what each changed, each past
//! version in full as it stood at the end of its day, and the same as JSON.

use std::path::PathBuf;

use minijinja::context;
use minijinja::value::Value as JinjaValue;
use serde::Serialize;

use super::views::JurisdictionView;
use super::{Nav, OutputFile, RenderError, Renderer, Serde};
use crate::cite::CiteBox;
use crate::config::SiteMeta;
use crate::history::{EntryHistory, Version};
use crate::model::{Date, Jurisdiction, Taxonomy};
use crate::routes;
use crate::settings::ReportTarget;

/// What an entry's history writes.
pub struct HistoryFiles {
    /// The history page, and the JSON and day address of every version: their links are checked
    /// like any page's.
    pub checked: Vec<OutputFile>,
    /// The past versions' pages. Their links lead to the site as it is now, where a section or
    /// an entry they name may since have gone, so they are not checked.
    pub archived: Vec<OutputFile>,
}

/// A version as the history page lists it: with the address of its day's page.
#[derive(Serialize)]
struct VersionView<'a> {
    #[serde(flatten)]
    version: &'a Version,
    href: Option<String>,
}

impl Renderer {
    /// The pages and files of `j`'s history.
    pub fn render_history(
        &self,
        taxonomy: &Taxonomy,
        meta: &SiteMeta,
        nav: &Nav,
        reports: Option<&ReportTarget>,
        j: &Jurisdiction,
        history: &EntryHistory,
    ) -> Result<HistoryFiles, RenderError> {
        let day_page = |date: &Date| routes::jurisdiction_as_of(&j.id, &date.to_string());
        let versions: Vec<VersionView> = history
            .versions
            .iter()
            .map(|version| VersionView {
                version,
                href: version
                    .as_of
                    .as_ref()
                    .map(|d| format!("{}{}", meta.root, day_page(d))),
            })
            .collect();
        let mut checked = vec![OutputFile {
            path: PathBuf::from(routes::index_file(&routes::jurisdiction_history(&j.id))),
            contents: self.render_page(
                "history.html",
                meta,
                nav,
                context! {
                    j => Serde(j),
                    versions => Serde(&versions),
                    uncommitted => history.uncommitted,
                },
            )?,
        }];

        if let Some(day) = &history.current_day {
            // The day of the version shown today leads to the entry itself until it changes.
            checked.push(OutputFile {
                path: PathBuf::from(routes::index_file(&day_page(day))),
                contents: self.render(
                    "redirect.html",
                    context! {
                        target => format!("{}{}", meta.root, routes::jurisdiction(&j.id)),
                        title => &j.name,
                        message => "This is the current version of the entry",
                    },
                )?,
            });
        }
        let mut archived = Vec::with_capacity(history.past.len());
        for (day, old) in &history.past {
            let page = day_page(day);
            let mut view = JurisdictionView::new(old, taxonomy, meta, reports);
            view.cite = CiteBox::entry_at(old, &format!("{}{page}", meta.base_url), meta);
            archived.push(OutputFile {
                path: PathBuf::from(routes::index_file(&page)),
                contents: self.render_entry(
                    meta,
                    nav,
                    old,
                    view,
                    context! {
                        as_of => context! {
                            date => day.to_string(),
                            current => format!("{}{}", meta.root, routes::jurisdiction(&j.id)),
                            history => format!("{}{}", meta.root, routes::jurisdiction_history(&j.id)),
                        },
                        history => JinjaValue::from(()),
                    },
                )?,
            });
            checked.push(OutputFile {
                path: PathBuf::from(routes::api_jurisdiction_as_of_file(&j.id, &day.to_string())),
                contents: serde_json::to_string_pretty(old).unwrap_or_default(),
            });
        }
        Ok(HistoryFiles { checked, archived })
    }
}
