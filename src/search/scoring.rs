//! Custom query nodes: a union that scores by its best clause, and a scorer that only moves forward.

use super::*;

/// Documents matching any of the queries, scored by the sum of the scores of those that match:
/// what a `BooleanQuery` of `Should` clauses finds and scores, with a cheaper scorer where it is
/// one side of an intersection (each word of a query is a union over five fields).
///
/// tantivy's union buffers a window of 4,096 documents, 64 KB allocated for each segment and
/// cleared on every seek past the window, which a union inside an intersection mostly does: at
/// 10,000 entries that was a fifth of the server's time on the cache-hostile stream. This one
/// moves each clause's scorer (a handful) to the target instead.
#[derive(Debug)]
pub(super) struct AnyOf(pub(super) Vec<Box<dyn Query>>);

impl Clone for AnyOf {
    fn clone(&self) -> AnyOf {
        AnyOf(self.0.iter().map(|q| q.box_clone()).collect())
    }
}

impl Query for AnyOf {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let weights = self
            .0
            .iter()
            .map(|q| q.weight(enable_scoring))
            .collect::<tantivy::Result<_>>()?;
        Ok(Box::new(AnyOfWeight(weights)))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for query in &self.0 {
            query.query_terms(visitor);
        }
    }
}

pub(super) struct AnyOfWeight(pub(super) Vec<Box<dyn Weight>>);

impl Weight for AnyOfWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let mut scorers = Vec::with_capacity(self.0.len());
        for weight in &self.0 {
            let scorer = weight.scorer(reader, boost)?;
            if scorer.doc() != TERMINATED {
                scorers.push(scorer);
            }
        }
        if scorers.len() <= 1 {
            return Ok(scorers
                .pop()
                .unwrap_or_else(|| Box::new(tantivy::query::EmptyScorer)));
        }
        Ok(Box::new(AnyOfScorer::new(scorers)))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let matched: Vec<Explanation> = self
            .0
            .iter()
            .filter_map(|w| w.explain(reader, doc).ok())
            .collect();
        if matched.is_empty() {
            return Err(tantivy::TantivyError::InvalidArgument(format!(
                "document {doc} does not match"
            )));
        }
        let score = matched.iter().map(Explanation::value).sum();
        let mut explanation = Explanation::new("AnyOf, sum of", score);
        for detail in matched {
            explanation.add_detail(detail);
        }
        Ok(explanation)
    }
}

/// The union of two or more scorers, positioned on the smallest of their documents.
pub(super) struct AnyOfScorer {
    pub(super) scorers: Vec<Box<dyn Scorer>>,
    /// The document of each scorer (kept here: asking through the box costs a call each time).
    pub(super) docs: Vec<DocId>,
    pub(super) doc: DocId,
}

impl AnyOfScorer {
    pub(super) fn new(scorers: Vec<Box<dyn Scorer>>) -> AnyOfScorer {
        let docs: Vec<DocId> = scorers.iter().map(|s| s.doc()).collect();
        let doc = docs.iter().copied().min().unwrap_or(TERMINATED);
        AnyOfScorer { scorers, docs, doc }
    }
}

impl DocSet for AnyOfScorer {
    fn advance(&mut self) -> DocId {
        let current = self.doc;
        let mut next = TERMINATED;
        for (scorer, doc) in self.scorers.iter_mut().zip(&mut self.docs) {
            if *doc == current {
                *doc = scorer.advance();
            }
            next = next.min(*doc);
        }
        self.doc = next;
        next
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc >= target {
            return self.doc;
        }
        let mut next = TERMINATED;
        for (scorer, doc) in self.scorers.iter_mut().zip(&mut self.docs) {
            if *doc < target {
                *doc = scorer.seek(target);
            }
            next = next.min(*doc);
        }
        self.doc = next;
        next
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        self.scorers
            .iter()
            .fold(0u32, |sum, s| sum.saturating_add(s.size_hint()))
    }
}

impl Scorer for AnyOfScorer {
    // In clause order, as tantivy's union adds them.
    fn score(&mut self) -> Score {
        let current = self.doc;
        let mut score = 0.0;
        for (scorer, doc) in self.scorers.iter_mut().zip(&self.docs) {
            if *doc == current {
                score += scorer.score();
            }
        }
        score
    }
}

/// Wraps an excluded query so that its scorer is only ever moved forward.
///
/// An exclusion probes its scorer with each candidate document and ignores the lower bounds that
/// `seek_danger` returns, so a probe can land behind a phrase scorer's current document. tantivy
/// 0.27's `PhraseScorer::seek_danger` asserts against that in debug builds (see
/// quickwit-oss/tantivy#2811), so `-"a phrase"` would panic in a debug server. Here every probe
/// becomes a guarded `seek`, which never moves backwards.
#[derive(Debug)]
pub(super) struct ForwardOnly(pub(super) Box<dyn Query>);

impl Clone for ForwardOnly {
    fn clone(&self) -> ForwardOnly {
        ForwardOnly(self.0.box_clone())
    }
}

impl Query for ForwardOnly {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(ForwardOnlyWeight(self.0.weight(enable_scoring)?)))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.0.query_terms(visitor);
    }
}

pub(super) struct ForwardOnlyWeight(pub(super) Box<dyn Weight>);

impl Weight for ForwardOnlyWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(Box::new(ForwardOnlyScorer(self.0.scorer(reader, boost)?)))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        self.0.explain(reader, doc)
    }
}

pub(super) struct ForwardOnlyScorer(pub(super) Box<dyn Scorer>);

impl DocSet for ForwardOnlyScorer {
    fn advance(&mut self) -> DocId {
        self.0.advance()
    }

    // The default `seek_danger` calls this, so the inner scorer never sees a danger-zone seek.
    fn seek(&mut self, target: DocId) -> DocId {
        let doc = self.0.doc();
        if doc >= target {
            doc
        } else {
            self.0.seek(target)
        }
    }

    fn doc(&self) -> DocId {
        self.0.doc()
    }

    fn size_hint(&self) -> u32 {
        self.0.size_hint()
    }
}

impl Scorer for ForwardOnlyScorer {
    fn score(&mut self) -> Score {
        self.0.score()
    }
}
