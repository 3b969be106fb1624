//! Broad queries at scale: a query whose rarest word is in thousands of units is answered
//! without visiting every match. Its page of hits comes from block-max pruning over each word's
//! fields (a block of postings whose best possible score cannot reach the page is skipped), then
//! the candidates are scored again by the full query, so the page is the one an exhaustive search
//! gives. Its total and facet counts are exact up to [`SAMPLED_PER_STRATUM`] matches in each of
//! [`SAMPLE_STRATA`] equal slices of the index, and estimated from that stratified sample beyond.

use super::*;

use std::collections::BinaryHeap;
use tantivy::fieldnorm::FieldNormReader;
use tantivy::postings::BlockSegmentPostings;
use tantivy::query::Bm25Weight;

/// A query is answered by this module when every one of its words is in more units than this
/// (summed over the prose fields, an upper bound on its matches); below it, counting every
/// match costs less than a millisecond and stays exact.
pub(super) const BROAD_ABOVE: u64 = 4_000;
/// The index is read in this many equal slices of document numbers for the counts: the entries'
/// units are contiguous, so a sample from one place would see a few regions only.
pub(super) const SAMPLE_STRATA: u32 = 64;
/// Matches counted in one slice before the rest of the slice is estimated from them.
pub(super) const SAMPLED_PER_STRATUM: u64 = 48;
/// The most words a broad query may have: the words a candidate holds are kept as the bits of a
/// `u64` (a longer query is answered exhaustively).
const MAX_BROAD_WORDS: usize = 64;
/// Postings a cursor steps over one by one before it searches the rest of its block for a target.
pub(super) const STEPS_BEFORE_SEARCH: usize = 4;
/// Candidates kept beyond the page before the exact rescoring, for scores that the pruning
/// computes in another order of floating-point additions than the full query.
const RESCORE_SLACK: usize = 8;

/// A broad text query taken apart for pruning: per word, each (term, boost) it may match with;
/// the filters a match must pass (scored, as in the full query) and the exclusions; the phrase of
/// the whole query in a law's own-language title, whose bonus is added by a search of its own.
pub(super) struct BroadPlan {
    pub(super) words: Vec<Vec<(Term, Score)>>,
    pub(super) filters: Vec<Box<dyn Query>>,
    pub(super) excluded: Vec<Box<dyn Query>>,
    pub(super) title_phrase: Option<Box<dyn Query>>,
}

/// The total and the facet tally of a result set, and whether they are estimates.
pub(super) struct Counted {
    pub(super) total: usize,
    pub(super) tally: Tally,
    pub(super) estimated: bool,
}

impl SearchIndex {
    /// The broad plan of a text query, if the query is broad: plain words only (each a single
    /// stem, no n-gram script), each in more than [`BROAD_ABOVE`] units.
    pub(super) fn broad_plan(
        &self,
        searcher: &Searcher,
        positive: &[&str],
        clauses: &[(Occur, Box<dyn Query>)],
    ) -> tantivy::Result<Option<BroadPlan>> {
        let mut stemmer = self.stemmer.clone();
        let mut literals: Vec<String> = Vec::new();
        let mut whole: Vec<(usize, String)> = Vec::new();
        let mut words = Vec::new();
        for text in positive {
            if needs_ngrams(text) {
                return Ok(None);
            }
            let literal = text.replace(['"', '\\'], " ");
            let stems = tokens(&mut stemmer, &literal);
            let [(_, stem)] = stems.as_slice() else {
                return Ok(None);
            };
            let next = whole.last().map_or(0, |(position, _)| position + 1);
            whole.push((next, stem.clone()));
            if literals.contains(&literal) {
                continue;
            }
            literals.push(literal);
            words.push(stem.clone());
        }
        let one_word = whole.len() == 1;
        let mut planned = Vec::with_capacity(words.len());
        for stem in &words {
            let mut terms = Vec::new();
            let mut units = 0;
            for (field, boost) in self.fields.weighted() {
                // The full query's bonuses for a match in the short name, and for a one-word
                // query in the own-language title, fold into the word's term in that field.
                let bonus = if field == self.fields.short_name {
                    SHORT_NAME_MATCH_BOOST
                } else if field == self.fields.original_title && one_word {
                    ORIGINAL_TITLE_MATCH_BOOST
                } else {
                    0.0
                };
                let term = Term::from_field_text(field, stem);
                let found = searcher.doc_freq(&term)?;
                if found > 0 {
                    units += found;
                    terms.push((term, boost + bonus));
                }
            }
            if units <= BROAD_ABOVE {
                return Ok(None);
            }
            planned.push(terms);
        }
        if planned.is_empty() || planned.len() > MAX_BROAD_WORDS {
            return Ok(None);
        }
        let (filters, excluded) = clauses.iter().fold(
            (Vec::new(), Vec::new()),
            |(mut filters, mut excluded), (occur, query)| {
                match occur {
                    Occur::MustNot => excluded.push(query.box_clone()),
                    Occur::Must | Occur::Should => filters.push(query.box_clone()),
                }
                (filters, excluded)
            },
        );
        let title_phrase = (!one_word)
            .then(|| literal_query(self.fields.original_title, &whole, &self.positions))
            .flatten();
        Ok(Some(BroadPlan {
            words: planned,
            filters,
            excluded,
            title_phrase,
        }))
    }

    /// The top `offset + limit` hits of `full` (the plan's whole query), in the order and with
    /// the scores an exhaustive search gives, the first `offset` left out.
    pub(super) fn broad_top(
        &self,
        searcher: &Searcher,
        plan: &BroadPlan,
        full: &dyn Query,
        limit: usize,
        offset: usize,
    ) -> tantivy::Result<Vec<(Score, DocAddress)>> {
        let wanted = offset + limit;
        let mut top = TopK::new(wanted + RESCORE_SLACK);
        let filters = weights(
            &plan.filters,
            EnableScoring::enabled_from_searcher(searcher),
        )?;
        let excluded = weights(
            &plan.excluded,
            EnableScoring::disabled_from_searcher(searcher),
        )?;
        let filter_bound: Score = plan
            .filters
            .iter()
            .map(|q| term_bound(searcher, &**q))
            .sum::<tantivy::Result<Score>>()?;
        for (ord, segment) in searcher.segment_readers().iter().enumerate() {
            let mut words = Vec::with_capacity(plan.words.len());
            for terms in &plan.words {
                let mut cursors = Vec::with_capacity(terms.len());
                for (term, boost) in terms {
                    cursors.extend(Cursor::open(searcher, segment, term, *boost)?);
                }
                words.push(cursors);
            }
            let scorers = |weights: &[Box<dyn Weight>]| {
                weights
                    .iter()
                    .map(|w| w.scorer(segment, 1.0))
                    .collect::<tantivy::Result<Vec<_>>>()
            };
            let mut checks = Checks {
                filters: scorers(&filters)?,
                excluded: scorers(&excluded)?,
                bound: filter_bound,
            };
            prune_segment(words, &mut checks, segment.alive_bitset(), |doc, score| {
                top.offer(score, DocAddress::new(ord as u32, doc))
            });
        }
        let mut candidates = top.into_addresses();
        if let Some(phrase) = &plan.title_phrase {
            let both = BooleanQuery::new(vec![
                (Occur::Must, full.box_clone()),
                (Occur::Must, phrase.box_clone()),
            ]);
            let lifted = searcher.search(&both, &TopDocs::with_limit(wanted).order_by_score())?;
            candidates.extend(lifted.into_iter().map(|(_, address)| address));
        }
        let mut scored = exact_scores(searcher, full, candidates)?;
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        Ok(scored.into_iter().skip(offset).take(limit).collect())
    }

    /// The total and facet tally of `query`: exact when no slice of the index holds more than
    /// [`SAMPLED_PER_STRATUM`] matches, otherwise each full slice's count and tally scaled up
    /// from the share of the slice read to reach them.
    pub(super) fn counted(
        &self,
        searcher: &Searcher,
        query: &dyn Query,
    ) -> tantivy::Result<Counted> {
        let weight = query.weight(EnableScoring::disabled_from_searcher(searcher))?;
        let tally = self.facet_tally();
        let mut exact = tally.empty();
        let mut scaled = [Kind::ALL.len(), Value::ALL.len(), AuthorityType::ALL.len()]
            .map(|n| vec![0.0f64; n + 1]);
        let mut scaled_places = vec![0.0f64; tally.places + 1];
        let mut total = 0.0f64;
        let mut estimated = false;
        for (ord, segment) in searcher.segment_readers().iter().enumerate() {
            let mut collector = tally.for_segment(ord as u32, segment)?;
            let mut scorer = weight.scorer(segment, 1.0)?;
            let alive = segment.alive_bitset();
            let max_doc = segment.max_doc();
            let strata = SAMPLE_STRATA.min(max_doc.max(1));
            for stratum in 0..strata {
                let start = (u64::from(max_doc) * u64::from(stratum) / u64::from(strata)) as DocId;
                let end =
                    (u64::from(max_doc) * u64::from(stratum + 1) / u64::from(strata)) as DocId;
                let mut doc = scorer.doc();
                if doc < start {
                    doc = scorer.seek(start);
                }
                let mut stratum_tally = tally.for_segment(ord as u32, segment)?;
                let mut found = 0u64;
                while doc < end && found < SAMPLED_PER_STRATUM {
                    if alive.is_none_or(|a| a.is_alive(doc)) {
                        stratum_tally.collect(doc, 0.0);
                        found += 1;
                    }
                    doc = scorer.advance();
                }
                let counted = stratum_tally.harvest();
                if found < SAMPLED_PER_STRATUM || doc >= end {
                    add_tally(&mut collector.tally, &counted);
                    total += found as f64;
                    continue;
                }
                // The slice was read up to `doc`, which is the next match after the sample.
                estimated = true;
                let factor = f64::from(end - start) / f64::from(doc - start);
                total += found as f64 * factor;
                for (sums, counts) in scaled.iter_mut().zip(&counted.unit) {
                    for (sum, count) in sums.iter_mut().zip(counts) {
                        *sum += *count as f64 * factor;
                    }
                }
                for (sum, count) in scaled_places.iter_mut().zip(&counted.places) {
                    *sum += *count as f64 * factor;
                }
            }
            add_tally(&mut exact, &collector.harvest());
        }
        let round = |x: f64| {
            if estimated {
                about(x)
            } else {
                x.round() as u64
            }
        };
        for (sums, counts) in scaled.iter().zip(exact.unit.iter_mut()) {
            for (sum, count) in sums.iter().zip(counts.iter_mut()) {
                *count = round(*count as f64 + sum);
            }
        }
        for (sum, count) in scaled_places.iter().zip(exact.places.iter_mut()) {
            *count = round(*count as f64 + sum);
        }
        Ok(Counted {
            total: round(total) as usize,
            tally: exact,
            estimated,
        })
    }
}

/// An estimate rounded to two significant figures (41,085 is "about 41,000"), never to zero.
pub(super) fn about(x: f64) -> u64 {
    if x < 1.0 {
        return u64::from(x > 0.0);
    }
    let magnitude = 10f64.powi(x.log10().floor() as i32 - 1).max(1.0);
    ((x / magnitude).round() * magnitude) as u64
}

fn add_tally(sum: &mut Tally, more: &Tally) {
    for (sums, counts) in sum.unit.iter_mut().zip(&more.unit) {
        for (s, c) in sums.iter_mut().zip(counts) {
            *s += c;
        }
    }
    for (s, c) in sum.places.iter_mut().zip(&more.places) {
        *s += c;
    }
}

/// The weights of `queries`, scored or not.
fn weights(
    queries: &[Box<dyn Query>],
    scoring: EnableScoring<'_>,
) -> tantivy::Result<Vec<Box<dyn Weight>>> {
    queries.iter().map(|q| q.weight(scoring)).collect()
}

/// The highest score a filter (an [`AnyOf`] of terms, or one term) can add: the sum of its
/// terms' BM25 maxima.
fn term_bound(searcher: &Searcher, query: &dyn Query) -> tantivy::Result<Score> {
    let mut terms = Vec::new();
    query.query_terms(&mut |term, _| terms.push(term.clone()));
    terms
        .iter()
        .map(|term| Ok(Bm25Weight::for_terms(searcher, std::slice::from_ref(term))?.max_score()))
        .sum()
}

/// The full query's own score of each candidate (they all match it), read segment by segment in
/// document order; duplicates are dropped.
fn exact_scores(
    searcher: &Searcher,
    full: &dyn Query,
    mut candidates: Vec<DocAddress>,
) -> tantivy::Result<Vec<(Score, DocAddress)>> {
    candidates.sort();
    candidates.dedup();
    let weight = full.weight(EnableScoring::enabled_from_searcher(searcher))?;
    let mut scored = Vec::with_capacity(candidates.len());
    let mut segment_scorer: Option<(u32, Box<dyn Scorer>)> = None;
    for address in candidates {
        if segment_scorer
            .as_ref()
            .is_none_or(|(ord, _)| *ord != address.segment_ord)
        {
            let segment = searcher.segment_reader(address.segment_ord);
            segment_scorer = Some((address.segment_ord, weight.scorer(segment, 1.0)?));
        }
        if let Some((_, scorer)) = segment_scorer.as_mut() {
            let doc = if scorer.doc() < address.doc_id {
                scorer.seek(address.doc_id)
            } else {
                scorer.doc()
            };
            if doc == address.doc_id {
                scored.push((scorer.score(), address));
            }
        }
    }
    Ok(scored)
}

/// The best `size` (score, address) pairs offered, ties to the earlier address.
struct TopK {
    size: usize,
    heap: BinaryHeap<Reverse<Ranked>>,
}

/// A hit ordered by score, then by address with the earlier one first.
#[derive(PartialEq)]
struct Ranked(Score, DocAddress);

impl Eq for Ranked {}

impl PartialOrd for Ranked {
    fn partial_cmp(&self, other: &Ranked) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Ranked {
    fn cmp(&self, other: &Ranked) -> std::cmp::Ordering {
        self.0
            .total_cmp(&other.0)
            .then_with(|| other.1.cmp(&self.1))
    }
}

impl TopK {
    fn new(size: usize) -> TopK {
        TopK {
            size,
            heap: BinaryHeap::with_capacity(size + 1),
        }
    }

    /// Keeps the hit if it is among the best so far; returns the score a hit must now beat.
    fn offer(&mut self, score: Score, address: DocAddress) -> Score {
        if self.heap.len() < self.size {
            self.heap.push(Reverse(Ranked(score, address)));
        } else if self
            .heap
            .peek()
            .is_some_and(|Reverse(worst)| score > worst.0)
        {
            self.heap.pop();
            self.heap.push(Reverse(Ranked(score, address)));
        }
        self.threshold()
    }

    fn threshold(&self) -> Score {
        if self.heap.len() < self.size {
            return Score::NEG_INFINITY;
        }
        self.heap
            .peek()
            .map_or(Score::NEG_INFINITY, |Reverse(worst)| worst.0)
    }

    fn into_addresses(self) -> Vec<DocAddress> {
        self.heap
            .into_iter()
            .map(|Reverse(Ranked(_, a))| a)
            .collect()
    }
}

/// One (term, field) posting list read a block at a time, with the block's best possible score.
struct Cursor {
    postings: BlockSegmentPostings,
    norms: FieldNormReader,
    weight: Bm25Weight,
    /// Position in the decoded block.
    at: usize,
    block_max: Score,
}

impl Cursor {
    fn open(
        searcher: &Searcher,
        segment: &SegmentReader,
        term: &Term,
        boost: Score,
    ) -> tantivy::Result<Option<Cursor>> {
        let index = segment.inverted_index(term.field())?;
        let Some(info) = index.get_term_info(term)? else {
            return Ok(None);
        };
        let postings =
            index.read_block_postings_from_terminfo(&info, IndexRecordOption::WithFreqs)?;
        let Some(norms) = segment.fieldnorms_readers().get_field(term.field())? else {
            return Ok(None);
        };
        let weight = Bm25Weight::for_terms(searcher, std::slice::from_ref(term))?.boost_by(boost);
        let mut cursor = Cursor {
            postings,
            norms,
            weight,
            at: 0,
            block_max: 0.0,
        };
        cursor.load(0);
        Ok(Some(cursor))
    }

    fn load(&mut self, target: DocId) {
        self.at = self.postings.seek(target);
        self.block_max = self.postings.block_max_score(&self.norms, &self.weight);
    }

    fn doc(&self) -> DocId {
        self.postings
            .docs()
            .get(self.at)
            .copied()
            .unwrap_or(TERMINATED)
    }

    /// The last document of the decoded block (the block holds every posting up to it).
    fn last(&self) -> DocId {
        self.postings.docs().last().copied().unwrap_or(TERMINATED)
    }

    /// Moves to the first posting at or after `target`, decoding its block when it is not this one.
    fn seek(&mut self, target: DocId) -> DocId {
        if target > self.last() {
            self.load(target);
        } else {
            // Targets mostly come a few postings apart: step over those, then search the rest.
            let docs = self.postings.docs();
            let mut at = self.at.min(docs.len());
            let stepped = (at + STEPS_BEFORE_SEARCH).min(docs.len());
            while at < stepped && docs[at] < target {
                at += 1;
            }
            if at == stepped {
                at += docs[at..].partition_point(|&d| d < target);
            }
            self.at = at;
        }
        self.doc()
    }

    fn score(&self) -> Score {
        let doc = self.doc();
        let freq = self.postings.freqs().get(self.at).copied().unwrap_or(1);
        self.weight.score(self.norms.fieldnorm_id(doc), freq)
    }
}

/// The filters and exclusions of the query, read as tantivy scorers, and the most the filters
/// can add to a score.
struct Checks {
    filters: Vec<Box<dyn Scorer>>,
    excluded: Vec<Box<dyn Scorer>>,
    bound: Score,
}

impl Checks {
    /// What the filters add to `doc`'s score, or `None` if a filter or an exclusion rules it out.
    fn admit(&mut self, doc: DocId) -> Option<Score> {
        let mut score = 0.0;
        for filter in &mut self.filters {
            if filter.doc() < doc {
                filter.seek(doc);
            }
            if filter.doc() != doc {
                return None;
            }
            score += filter.score();
        }
        for excluded in &mut self.excluded {
            if excluded.doc() < doc {
                excluded.seek(doc);
            }
            if excluded.doc() == doc {
                return None;
            }
        }
        Some(score)
    }
}

/// Block-max pruning over one segment (MaxScore within windows of blocks). Every word must match,
/// in any of its fields. A window is a run of documents in which every posting list stays in its
/// decoded block, so each list's best possible score there is known. The lists whose bests add up
/// to no more than the threshold are "non-essential": a document found in none of the others
/// cannot beat it, so only the essential lists' documents are candidates, and a candidate is
/// looked up in the non-essential lists (best first) only while its score so far plus their
/// bests could still beat it. A window whose lists are all non-essential is skipped whole.
/// `offer` takes a match and returns the new threshold.
fn prune_segment(
    mut words: Vec<Vec<Cursor>>,
    checks: &mut Checks,
    alive: Option<&tantivy::fastfield::AliveBitSet>,
    mut offer: impl FnMut(DocId, Score) -> Score,
) {
    if words.iter().any(Vec::is_empty) {
        return;
    }
    let mut threshold = Score::NEG_INFINITY;
    // Every list as (its best in the window, (word, list)), sorted by best each window; the
    // order of the last window is kept, so the sort has little to do.
    let mut ranked: Vec<(Score, (usize, usize))> = words
        .iter()
        .enumerate()
        .flat_map(|(w, cursors)| (0..cursors.len()).map(move |i| (0.0, (w, i))))
        .collect();
    // The window's non-essential lists of each word, as (list, best), in the order of `ranked`.
    let mut by_word: Vec<Vec<(usize, Score)>> = vec![Vec::new(); words.len()];
    let mut doc: DocId = 0;
    'windows: while doc < TERMINATED {
        // Every list on the block holding `doc`; the window ends where the first block ends.
        let mut end = TERMINATED - 1;
        let mut first = doc;
        for cursors in words.iter_mut() {
            let mut word_first = TERMINATED;
            for cursor in cursors.iter_mut() {
                let at = cursor.seek(doc);
                if at != TERMINATED {
                    word_first = word_first.min(at);
                    end = end.min(cursor.last());
                }
            }
            if word_first == TERMINATED {
                return;
            }
            first = first.max(word_first);
        }
        if first > end {
            doc = first;
            continue;
        }
        // A list's best in the window: its block's, if it has a posting in the window.
        let best = |words: &[Vec<Cursor>], (w, i): (usize, usize)| -> Score {
            let cursor = &words[w][i];
            if cursor.doc() <= end {
                cursor.block_max
            } else {
                0.0
            }
        };
        for (list_best, list) in ranked.iter_mut() {
            *list_best = best(&words, *list);
        }
        ranked.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut non_essential = checks.bound;
        let mut split = 0;
        for &(list_best, _) in &ranked {
            let next = non_essential + list_best;
            if next > threshold {
                break;
            }
            non_essential = next;
            split += 1;
        }
        if split == ranked.len() {
            doc = end + 1;
            continue;
        }
        for &(_, (w, i)) in &ranked[split..] {
            words[w][i].seek(first);
        }
        by_word.iter_mut().for_each(Vec::clear);
        for &(list_best, (w, i)) in &ranked[..split] {
            by_word[w].push((i, list_best));
        }
        loop {
            // The next document of an essential list in the window, and its score there.
            let candidate = ranked[split..]
                .iter()
                .map(|&(_, (w, i))| words[w][i].doc())
                .min()
                .unwrap_or(TERMINATED);
            if candidate > end {
                doc = end + 1;
                continue 'windows;
            }
            // The words found, as bits.
            let mut matched = 0u64;
            let mut score: Score = 0.0;
            for &(_, (w, i)) in &ranked[split..] {
                let cursor = &mut words[w][i];
                if cursor.doc() == candidate {
                    score += cursor.score();
                    cursor.at += 1;
                    matched |= 1 << w;
                }
            }
            let mut remaining = non_essential;
            if score + remaining <= threshold {
                continue;
            }
            // The words not found yet first, word by word: a word in none of its lists rules
            // the candidate out at once. Then the other lists, for the score.
            let mut ruled_out = false;
            let found_early = matched;
            for (word, word_lists) in by_word.iter().enumerate() {
                let bit = 1 << word;
                if found_early & bit != 0 {
                    continue;
                }
                for &(i, list_best) in word_lists {
                    remaining -= list_best;
                    let cursor = &mut words[word][i];
                    if cursor.doc() <= candidate && cursor.seek(candidate) == candidate {
                        score += cursor.score();
                        matched |= bit;
                    }
                }
                if matched & bit == 0 || score + remaining <= threshold {
                    ruled_out = true;
                    break;
                }
            }
            if ruled_out {
                continue;
            }
            for &(list_best, (w, i)) in ranked[..split].iter().rev() {
                if found_early & (1 << w) == 0 {
                    continue;
                }
                remaining -= list_best;
                let cursor = &mut words[w][i];
                if cursor.doc() <= candidate && cursor.seek(candidate) == candidate {
                    score += cursor.score();
                }
                if score + remaining <= threshold {
                    ruled_out = true;
                    break;
                }
            }
            if ruled_out || alive.is_some_and(|a| !a.is_alive(candidate)) {
                continue;
            }
            if let Some(filtered) = checks.admit(candidate) {
                score += filtered;
                if score > threshold {
                    threshold = offer(candidate, score);
                }
            }
        }
    }
}
