//! Listing pages: the paged sequences (matrix, entries list, topics, grouping comparisons, feed, collections, review tracker), which entries each page shows, and which pages an edit makes stale.

use super::*;
use std::collections::HashMap;

/// What a page listing or comparing entries shows.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ListingKind {
    /// The safeguards matrix: `/`, then `/page/<n>/`.
    Matrix,
    /// The entries list: `/jurisdictions/`, then `/jurisdictions/page/<n>/`.
    Entries,
    /// One safeguard across entries: `/topics/<key>/`, then `…/page/<n>/`.
    Topic(SafeguardKey),
    /// A grouping's side-by-side comparison and its CSV: `/compare/<grouping>/`, then `…/page/<n>/`.
    Compare(String),
    /// The Atom feed of the latest reviews.
    Feed,
    /// A workshop collection, which titles its items from entry data.
    Collection(String),
    /// A framework's cross-walk, every entry against its items, with its CSV and JSON on the
    /// first page.
    Framework(String),
    /// The review tracker and its two feeds: the entries whose laws set review dates or that
    /// have bills pending.
    Reviews,
}

/// One page that lists or compares entries: which entries (indices into the catalog, in display
/// order) and where it sits in its sequence of pages. Comparing two catalogs' listings tells an
/// incremental rebuild which pages an edit changes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Listing {
    pub kind: ListingKind,
    /// 1-based page number.
    pub number: usize,
    /// Pages in the sequence.
    pub count: usize,
    /// Entries in the whole sequence.
    pub total: usize,
    /// The page's entries, as indices into the catalog.
    pub members: Vec<usize>,
    /// What the page shows besides its members' rows (a topic's counts per value).
    pub tally: Vec<usize>,
}

impl Listing {
    /// The directory of the page, relative to the site root (`""`, `topics/x/page/2/`).
    pub(super) fn dir(&self) -> String {
        let base = match &self.kind {
            ListingKind::Matrix | ListingKind::Feed => String::new(),
            ListingKind::Entries => "jurisdictions/".to_string(),
            ListingKind::Topic(key) => format!("topics/{}/", key.key()),
            ListingKind::Compare(grouping) => format!("compare/{grouping}/"),
            ListingKind::Collection(id) => format!("collections/{id}/"),
            ListingKind::Reviews => "reviews/".to_string(),
            ListingKind::Framework(id) => format!("frameworks/{id}/"),
        };
        page_dir(&base, self.number)
    }

    /// The file written for the page, relative to the site root.
    pub fn file(&self) -> String {
        match self.kind {
            ListingKind::Feed => "feed.xml".to_string(),
            _ => format!("{}index.html", self.dir()),
        }
    }

    /// Every file the page is written as: its page, then for some kinds the views and exports
    /// written with it (a comparison's differences view and CSV, a framework's exports on its
    /// first page, the review tracker's feed and calendar, a collection's reading pack).
    pub fn files(&self) -> Vec<String> {
        let mut files = vec![self.file()];
        match &self.kind {
            ListingKind::Compare(_) => {
                files.push(self.differences_file());
                files.push(self.compare_csv_file());
            }
            ListingKind::Framework(id) if self.number == 1 => {
                files.push(routes::framework_export_file(id, "csv"));
                files.push(routes::framework_export_file(id, "json"));
            }
            ListingKind::Reviews => {
                files.push(routes::REVIEWS_FEED_FILE.to_string());
                files.push(routes::REVIEWS_CALENDAR_FILE.to_string());
            }
            ListingKind::Collection(id) => {
                files.push(routes::index_file(&routes::reading_pack(id)));
            }
            _ => {}
        }
        files
    }

    /// A comparison page's view of the rows that differ.
    pub(super) fn differences_file(&self) -> String {
        routes::index_file(&routes::differences_view(&self.dir()))
    }

    /// A comparison page's rows as CSV.
    pub(super) fn compare_csv_file(&self) -> String {
        format!("{}compare.csv", self.dir())
    }

    pub(super) fn base(&self) -> String {
        Listing {
            number: 1,
            ..self.clone()
        }
        .dir()
    }

    /// The page's place in its sequence, with links; `view` follows each page's address (a
    /// grouping comparison's `differences/` view pages through the same view).
    pub(super) fn pager(&self, root: &str, view: &str) -> Pager {
        let base = self.base();
        let href = |n: usize| format!("{root}/{}{view}", page_dir(&base, n));
        let size = match self.kind {
            ListingKind::Compare(_) => COMPARE_PAGE_SIZE,
            _ => PAGE_SIZE,
        };
        let first = (self.number - 1) * size + usize::from(self.total > 0);
        let mut links = Vec::new();
        for n in 1..=self.count {
            let near = n.abs_diff(self.number) <= 2 || n == 1 || n == self.count;
            if near {
                links.push(PagerLink {
                    number: n,
                    href: href(n),
                    current: n == self.number,
                });
            } else if links.last().is_some_and(|l: &PagerLink| l.number != 0) {
                links.push(PagerLink {
                    number: 0,
                    href: String::new(),
                    current: false,
                });
            }
        }
        Pager {
            number: self.number,
            count: self.count,
            first,
            last: (first + self.members.len()).saturating_sub(1).max(first),
            total: self.total,
            prev: (self.number > 1).then(|| href(self.number - 1)),
            next: (self.number < self.count).then(|| href(self.number + 1)),
            links,
        }
    }
}

/// `base` for page 1, `base` + `page/<n>/` after.
pub(super) fn page_dir(base: &str, number: usize) -> String {
    if number <= 1 {
        base.to_string()
    } else {
        format!("{base}page/{number}/")
    }
}

/// Where a listing page sits in its sequence, for the "Page 2 of 7" navigation.
#[derive(Debug, Serialize)]
pub struct Pager {
    pub(super) number: usize,
    pub(super) count: usize,
    /// 1-based positions of the first and last row shown, of `total`.
    pub(super) first: usize,
    pub(super) last: usize,
    pub(super) total: usize,
    pub(super) prev: Option<String>,
    pub(super) next: Option<String>,
    /// Numbered links: the first, the last and two either side of this page; `number` 0 is a gap.
    pub(super) links: Vec<PagerLink>,
}

#[derive(Debug, Serialize)]
pub(super) struct PagerLink {
    pub(super) number: usize,
    pub(super) href: String,
    pub(super) current: bool,
}

/// Cuts `members` into pages of `size` (one empty page when there are none).
pub(super) fn paged(
    kind: ListingKind,
    members: Vec<usize>,
    size: usize,
    tally: Vec<usize>,
) -> Vec<Listing> {
    let total = members.len();
    let count = total.div_ceil(size).max(1);
    let mut chunks: Vec<Vec<usize>> = members.chunks(size).map(<[usize]>::to_vec).collect();
    if chunks.is_empty() {
        chunks.push(Vec::new());
    }
    chunks
        .into_iter()
        .enumerate()
        .map(|(n, members)| Listing {
            kind: kind.clone(),
            number: n + 1,
            count,
            total,
            members,
            // Only the first page carries the counts, so that a rating that moves changes the
            // pages it moves across, not every page of the topic.
            tally: if n == 0 { tally.clone() } else { Vec::new() },
        })
        .collect()
}

/// The listing pages of `after` that differ from those of `before` once the entries at `changed`
/// were edited in place: the pages showing an edited entry, the pages of a topic whose rating an
/// edit changed that differ from before (the first, with its counts and map, and those its rows
/// move across), the matrix's first page when any rating
/// changed (its maps and totals), and the feed when a review date changed. Both
/// catalogs must hold the same entries in the same order with the same names, regions and
/// groupings (what an incremental rebuild requires), so no other page's rows can differ.
pub fn stale_listings(before: &Catalog, after: &Catalog, changed: &[usize]) -> Vec<Listing> {
    if changed.is_empty() {
        return Vec::new();
    }
    // The tile maps show each rating's confidence as well as its value.
    let moved = |key: SafeguardKey| {
        changed.iter().any(|&i| {
            let (old, new) = (before.entries[i].rating(key), after.entries[i].rating(key));
            (old.value, old.confidence) != (new.value, new.confidence)
        })
    };
    let moved_topics: Vec<SafeguardKey> = SafeguardKey::ALL
        .iter()
        .copied()
        .filter(|&k| moved(k))
        .collect();
    let feed_moved = changed
        .iter()
        .any(|&i| before.entries[i].last_reviewed != after.entries[i].last_reviewed);
    let reviews_moved = changed
        .iter()
        .any(|&i| before.entries[i].reviews != after.entries[i].reviews);
    // A moved rating shifts the rows of its topics' pages between its old and new places.
    let topic_pages_before: HashMap<(SafeguardKey, usize), Listing> = if moved_topics.is_empty() {
        HashMap::new()
    } else {
        listings(before)
            .into_iter()
            .filter_map(|listing| match listing.kind {
                ListingKind::Topic(key) if moved_topics.contains(&key) => {
                    Some(((key, listing.number), listing))
                }
                _ => None,
            })
            .collect()
    };
    listings(after)
        .into_iter()
        .filter(|listing| {
            listing.members.iter().any(|m| changed.contains(m))
                || match &listing.kind {
                    ListingKind::Topic(key) => {
                        moved_topics.contains(key)
                            && topic_pages_before.get(&(*key, listing.number)) != Some(listing)
                    }
                    // The first page carries the maps and the column totals of the whole site.
                    ListingKind::Matrix => listing.number == 1 && !moved_topics.is_empty(),
                    ListingKind::Feed => feed_moved,
                    ListingKind::Reviews => reviews_moved,
                    // The first page carries the exports of every entry's row.
                    ListingKind::Framework(_) => listing.number == 1 && !moved_topics.is_empty(),
                    _ => false,
                }
        })
        .collect()
}

/// Every page of `catalog` that lists or compares entries.
pub fn listings(catalog: &Catalog) -> Vec<Listing> {
    let all: Vec<usize> = (0..catalog.entries.len()).collect();
    let mut out = paged(ListingKind::Matrix, all.clone(), PAGE_SIZE, Vec::new());
    out.extend(paged(ListingKind::Entries, all, PAGE_SIZE, Vec::new()));
    for key in SafeguardKey::ALL {
        // Entries by value (in display order), then in name order: one pass into a bucket each.
        let mut by_value: Vec<Vec<usize>> = vec![Vec::new(); Value::ALL.len()];
        for (i, j) in catalog.entries.iter().enumerate() {
            let value = j.rating(*key).value;
            let rank = Value::ALL.iter().position(|v| *v == value).unwrap_or(0);
            by_value[rank].push(i);
        }
        let tally = by_value.iter().map(Vec::len).collect();
        out.extend(paged(
            ListingKind::Topic(*key),
            by_value.concat(),
            PAGE_SIZE,
            tally,
        ));
    }
    for (grouping, members) in comparable_groupings(catalog) {
        out.extend(paged(
            ListingKind::Compare(grouping.id.clone()),
            members,
            COMPARE_PAGE_SIZE,
            Vec::new(),
        ));
    }
    let mut by_review: Vec<usize> = (0..catalog.entries.len()).collect();
    let latest_first = |&a: &usize, &b: &usize| {
        let (a, b) = (&catalog.entries[a], &catalog.entries[b]);
        b.last_reviewed
            .cmp(&a.last_reviewed)
            .then_with(|| a.name.cmp(&b.name))
            .then_with(|| a.id.cmp(&b.id))
    };
    if by_review.len() > FEED_ENTRIES {
        by_review.select_nth_unstable_by(FEED_ENTRIES, latest_first);
        by_review.truncate(FEED_ENTRIES);
    }
    by_review.sort_by(latest_first);
    out.push(Listing {
        kind: ListingKind::Feed,
        number: 1,
        count: 1,
        total: by_review.len(),
        members: by_review,
        tally: Vec::new(),
    });
    for framework in &catalog.frameworks {
        out.extend(paged(
            ListingKind::Framework(framework.id.clone()),
            (0..catalog.entries.len()).collect(),
            PAGE_SIZE,
            Vec::new(),
        ));
    }
    let with_reviews: Vec<usize> = (0..catalog.entries.len())
        .filter(|&i| !catalog.entries[i].reviews.is_empty())
        .collect();
    out.push(Listing {
        kind: ListingKind::Reviews,
        number: 1,
        count: 1,
        total: with_reviews.len(),
        members: with_reviews,
        tally: Vec::new(),
    });
    for collection in &catalog.collections {
        out.push(Listing {
            kind: ListingKind::Collection(collection.id.clone()),
            number: 1,
            count: 1,
            total: 0,
            members: crate::catalog::collection::opened_entries(catalog, collection),
            tally: Vec::new(),
        });
    }
    out
}
