//! Stage timings of one search, for the profiler in `examples/profile_search.rs`: where the time
//! of a query goes (collecting the page, the count and facets, the units shown, the typo retry).

use super::searcher::Ranking;
use super::*;

/// Milliseconds spent in each stage of one search, measured one stage at a time.
#[derive(Debug, Clone, Copy)]
pub struct StageTimes {
    /// The whole search, as `/api/search` runs it.
    pub search: f64,
    /// The page, the count and the facets, collected in one pass.
    pub collect: f64,
    /// The top hits alone.
    pub top: f64,
    /// The count and the facets alone.
    pub count_and_facets: f64,
    /// Loading the hits' units and making their snippets.
    pub outcome: f64,
    /// The typo retry of a query that found nothing, if it ran.
    pub fuzzy: Option<f64>,
    /// How many units matched as typed.
    pub matches: usize,
    /// Whether the search answered with a corrected query.
    pub corrected: bool,
}

impl SearchIndex {
    /// The number of stems in the vocabulary walked for typo corrections (built on first use).
    pub fn vocabulary_size(&self) -> Option<usize> {
        let searcher = self.reader.searcher();
        self.vocabulary(&searcher).map(|v| v.0.len())
    }

    /// Runs `request` once whole, then stage by stage, and times each.
    pub fn stage_times(&self, request: &SearchRequest) -> tantivy::Result<StageTimes> {
        let ms = |t: Instant| t.elapsed().as_secs_f64() * 1000.0;
        let searcher = self.reader.searcher();
        let t = Instant::now();
        let results = self.search(request);
        let search = ms(t);

        let parsed = ParsedQuery::parse(&clean_query(&request.q));
        let filters = Filters::new(request, &parsed);
        let positive: Vec<&str> = parsed.positive().collect();
        let text_query = self.parse_text(&positive);
        let query = with_clauses(text_query.box_clone(), filters.clauses(&self.fields));
        let t = Instant::now();
        let page = self.collect(&searcher, &*query, Ranking::Score, DEFAULT_LIMIT, 0)?;
        let collect = ms(t);
        let t = Instant::now();
        let top = TopDocs::with_limit(DEFAULT_LIMIT).order_by_score();
        searcher.search(&*query, &top)?;
        let top = ms(t);
        let t = Instant::now();
        searcher.search(&*query, &(Count, self.facet_tally()))?;
        let count_and_facets = ms(t);
        let matches = page.total;
        let t = Instant::now();
        self.outcome(&searcher, page, &filters, &parsed, Some(&*text_query), None)?;
        let outcome = ms(t);
        let mut fuzzy = None;
        if matches == 0 {
            let t = Instant::now();
            if let Retry::Corrected(plan) = self.fuzzy_plan(&searcher, &parsed)? {
                let query = with_clauses(plan.query.box_clone(), filters.clauses(&self.fields));
                let page = self.collect(&searcher, &*query, Ranking::Score, DEFAULT_LIMIT, 0)?;
                let highlight = Some(&*plan.query);
                self.outcome(&searcher, page, &filters, &parsed, highlight, Some(&plan))?;
            }
            fuzzy = Some(ms(t));
        }
        Ok(StageTimes {
            search,
            collect,
            top,
            count_and_facets,
            outcome,
            fuzzy,
            matches,
            corrected: results.corrected,
        })
    }
}
