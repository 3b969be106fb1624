//! The review tracker: what every entry's instruments are due for (reviews, reports to the
//! legislature, sunsets, expiries) and where pending bills stand, as the `/reviews/` page, its Atom
//! feed and an iCalendar feed a policymaker's calendar can subscribe to.

use super::*;
use crate::catalog::ReviewLine;
use crate::catalog::compare::SourceLink;
use crate::ics::{Calendar, Event};

/// One row of the tracker, ready to show.
#[derive(Debug, Serialize)]
pub(super) struct ReviewRow {
    pub(super) jurisdiction: String,
    /// The instrument on its entry's page, under the site's root.
    pub(super) href: String,
    /// The same, absolute, for the feeds.
    pub(super) address: String,
    pub(super) instrument: String,
    /// `Review`, `Sunset` … or `Bill`.
    pub(super) kind: &'static str,
    /// `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
    pub(super) due: String,
    pub(super) provision: String,
    pub(super) text: String,
    pub(super) done: Option<String>,
    pub(super) outcome: Option<String>,
    pub(super) confidence: Confidence,
    pub(super) sources: Vec<SourceLink>,
    /// Stable across builds: the jurisdiction, instrument, kind and due date.
    pub(super) uid: String,
    /// The Atom `updated` of the row: when it was carried out, or when its entry was reviewed.
    pub(super) updated: String,
}

/// The tracker's rows by state, as of the build date.
#[derive(Debug, Default, Serialize)]
pub(super) struct ReviewsView {
    /// Past due and not recorded as carried out, longest overdue first.
    pub(super) overdue: Vec<ReviewRow>,
    /// Not yet due, soonest first.
    pub(super) upcoming: Vec<ReviewRow>,
    /// Carried out, latest first.
    pub(super) done: Vec<ReviewRow>,
    /// Pending bills' latest stage, latest first.
    pub(super) bills: Vec<ReviewRow>,
}

impl ReviewsView {
    /// Sorts the review lines of `entries` by their state on `today`.
    pub(super) fn new(entries: &[&Summary], meta: &SiteMeta, today: Date) -> ReviewsView {
        let mut view = ReviewsView::default();
        let mut lines: Vec<(&Summary, &ReviewLine)> = entries
            .iter()
            .flat_map(|j| j.reviews.iter().map(move |line| (*j, line)))
            .collect();
        lines.sort_by(|a, b| a.1.due.cmp(&b.1.due).then_with(|| a.0.name.cmp(&b.0.name)));
        for (j, line) in lines {
            let row = ReviewRow::new(j, line, meta);
            match (line.kind, line.done) {
                (None, _) => view.bills.push(row),
                (Some(_), Some(_)) => view.done.push(row),
                (Some(_), None) if line.due.last_day() < today => view.overdue.push(row),
                (Some(_), None) => view.upcoming.push(row),
            }
        }
        view.bills.reverse();
        view.done
            .sort_by(|a, b| b.done.cmp(&a.done).then_with(|| a.uid.cmp(&b.uid)));
        view
    }

    /// Every row, for the Atom feed.
    pub(super) fn all(&self) -> impl Iterator<Item = &ReviewRow> {
        self.overdue
            .iter()
            .chain(&self.upcoming)
            .chain(&self.done)
            .chain(&self.bills)
    }

    /// The calendar: one all-day event per review date (on the last day of a year or month the
    /// law gives), none for bills' stages, which are past by the time they are recorded.
    pub(super) fn calendar(&self, built: &str) -> String {
        let mut calendar = Calendar::new("jurisdex: reviews, reports and sunsets");
        let stamp = built.replace('-', "");
        for row in self.overdue.iter().chain(&self.upcoming).chain(&self.done) {
            let Ok(due) = Date::parse(&row.due) else {
                continue;
            };
            let summary = format!(
                "{} due: {} ({})",
                row.kind, row.instrument, row.jurisdiction
            );
            let mut description =
                format!("{} ({}).", row.text.trim_end_matches('.'), row.provision);
            if let Some(done) = &row.done {
                description.push_str(&format!(" Carried out {}.", human_date(done.clone())));
                if let Some(outcome) = &row.outcome {
                    description.push_str(&format!(" {outcome}"));
                }
            }
            description.push_str(&format!("\n{}", row.address));
            calendar.event(&Event {
                uid: &row.uid,
                day: due.last_day(),
                summary: &summary,
                description: &description,
                url: &row.address,
                stamp: &stamp,
            });
        }
        calendar.finish()
    }
}

impl ReviewRow {
    fn new(j: &Summary, line: &ReviewLine, meta: &SiteMeta) -> ReviewRow {
        let path = format!(
            "{}#{}",
            routes::jurisdiction(&j.id),
            routes::instrument_anchor(&line.instrument)
        );
        let kind = line.kind.map_or("Bill", ReviewKind::label);
        let updated = line.done.unwrap_or(j.last_reviewed).max(j.last_reviewed);
        let host = meta
            .base_url
            .split("://")
            .nth(1)
            .unwrap_or(&meta.base_url)
            .split(['/', ':'])
            .next()
            .unwrap_or("jurisdex");
        ReviewRow {
            jurisdiction: j.name.clone(),
            href: format!("{}{path}", meta.root),
            address: format!("{}{path}", meta.base_url),
            instrument: line.instrument_title.clone(),
            kind,
            due: line.due.to_string(),
            provision: line.provision.clone(),
            text: line.text.clone(),
            done: line.done.map(|d| d.to_string()),
            outcome: line.outcome.clone(),
            confidence: line.confidence,
            sources: j.cited(&line.sources),
            uid: format!(
                "{}-{}-{}-{}@{host}",
                j.id,
                line.instrument,
                kind.to_lowercase(),
                line.due
            ),
            updated: format!("{}T00:00:00Z", updated.last_day()),
        }
    }
}
