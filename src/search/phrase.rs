//! Phrases (exact, no slop) read with a running offset into each word's positions. tantivy's
//! phrase scorer finds where a document's positions start by adding up the term frequencies of
//! its block before it, on every document it checks: two fifths of the time of a phrase of two
//! common words, whose positions are read in most of the index. Here each word's list is read
//! block by block in document order and the offset is carried along. A phrase is scored as
//! tantivy's `PhraseQuery` scores it: BM25 of the phrase's count in the document, with its words'
//! summed statistics.

use super::*;

use std::fmt;
use std::sync::Arc;
use tantivy::directory::{CompositeFile, Directory, FileSlice};
use tantivy::fieldnorm::FieldNormReader;
use tantivy::index::SegmentId;
use tantivy::positions::PositionReader;
use tantivy::postings::BlockSegmentPostings;
use tantivy::query::{Bm25Weight, EmptyScorer};

/// Each segment's positions file, opened with the index: a served index is never reloaded, so
/// its segments stay those it was opened with.
#[derive(Clone, Default)]
pub(super) struct PositionFiles(Arc<Vec<(SegmentId, CompositeFile)>>);

impl PositionFiles {
    pub(super) fn open(index: &Index, searcher: &Searcher) -> tantivy::Result<PositionFiles> {
        let mut files = Vec::with_capacity(searcher.segment_readers().len());
        for segment in searcher.segment_readers() {
            let id = segment.segment_id();
            let path = PathBuf::from(format!("{}.pos", id.uuid_string()));
            let file = index.directory().open_read(&path)?;
            files.push((id, CompositeFile::open(&file)?));
        }
        Ok(PositionFiles(Arc::new(files)))
    }

    /// The positions of `field` in `segment`, if it has any.
    fn field(&self, segment: SegmentId, field: Field) -> Option<FileSlice> {
        self.0
            .iter()
            .find(|(id, _)| *id == segment)
            .and_then(|(_, file)| file.open_read(field))
    }
}

/// The words of a phrase, each with its position in the phrase, all in one field.
#[derive(Clone)]
pub(super) struct Phrase {
    terms: Vec<(usize, Term)>,
    files: PositionFiles,
}

impl fmt::Debug for Phrase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.terms.iter().map(|(at, term)| (at, term)))
            .finish()
    }
}

impl Phrase {
    /// The phrase of two or more `terms` of one field, as `(position, term)`.
    pub(super) fn new(mut terms: Vec<(usize, Term)>, files: &PositionFiles) -> Phrase {
        terms.sort_by_key(|(position, _)| *position);
        Phrase {
            terms,
            files: files.clone(),
        }
    }
}

impl Query for Phrase {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let field = self.terms[0].1.field();
        let entry = enable_scoring.schema().get_field_entry(field);
        let has_positions = entry
            .field_type()
            .get_index_record_option()
            .is_some_and(IndexRecordOption::has_positions);
        if !has_positions {
            return Err(tantivy::TantivyError::SchemaError(format!(
                "a phrase in field {:?}, which has no positions",
                entry.name()
            )));
        }
        let terms: Vec<Term> = self.terms.iter().map(|(_, term)| term.clone()).collect();
        let bm25 = match enable_scoring {
            EnableScoring::Enabled {
                statistics_provider,
                ..
            } => Some(Bm25Weight::for_terms(statistics_provider, &terms)?),
            EnableScoring::Disabled { .. } => None,
        };
        Ok(Box::new(PhraseWeight {
            terms: self.terms.clone(),
            bm25,
            files: self.files.clone(),
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for (_, term) in &self.terms {
            visitor(term, true);
        }
    }
}

struct PhraseWeight {
    terms: Vec<(usize, Term)>,
    bm25: Option<Bm25Weight>,
    files: PositionFiles,
}

impl PhraseWeight {
    fn phrase_scorer(
        &self,
        reader: &SegmentReader,
        boost: Score,
    ) -> tantivy::Result<Option<PhraseScorer>> {
        let field = self.terms[0].1.field();
        let index = reader.inverted_index(field)?;
        let Some(positions) = self.files.field(reader.segment_id(), field) else {
            return Ok(None);
        };
        let last = self.terms.iter().map(|(at, _)| *at).max().unwrap_or(0);
        let mut lists = Vec::with_capacity(self.terms.len());
        for (at, term) in &self.terms {
            let Some(info) = index.get_term_info(term)? else {
                return Ok(None);
            };
            let blocks = index.read_block_postings_from_terminfo(
                &info,
                IndexRecordOption::WithFreqsAndPositions,
            )?;
            let bytes = positions.slice(info.positions_range.clone()).read_bytes()?;
            lists.push(WordPositions {
                blocks,
                positions: PositionReader::open(bytes)?,
                before_block: 0,
                at: 0,
                before_doc: 0,
                shift: (last - at) as u32,
                block_positions: Vec::new(),
                block_read: false,
            });
        }
        let norms = match &self.bm25 {
            Some(_) => reader.fieldnorms_readers().get_field(field)?,
            None => None,
        }
        .unwrap_or_else(|| FieldNormReader::constant(reader.max_doc(), 1));
        let mut scorer = PhraseScorer {
            lists,
            norms,
            bm25: self.bm25.as_ref().map(|weight| weight.boost_by(boost)),
            doc: 0,
            count: 0,
            left: Vec::new(),
            right: Vec::new(),
        };
        scorer.find(0);
        Ok(Some(scorer))
    }
}

impl Weight for PhraseWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(match self.phrase_scorer(reader, boost)? {
            Some(scorer) => Box::new(scorer),
            None => Box::new(EmptyScorer),
        })
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self.scorer(reader, 1.0)?;
        if scorer.seek(doc) != doc {
            return Err(tantivy::TantivyError::InvalidArgument(format!(
                "document {doc} does not match"
            )));
        }
        Ok(Explanation::new("Phrase", scorer.score()))
    }
}

/// One word's postings, read a block at a time in document order, with where the current
/// document's positions start.
struct WordPositions {
    blocks: BlockSegmentPostings,
    positions: PositionReader,
    /// The positions of the documents in the blocks before the decoded one.
    before_block: u64,
    /// The current document's index in the decoded block.
    at: usize,
    /// The positions of the documents before it in the decoded block.
    before_doc: u64,
    /// Added to each position, so that the words of the phrase meet at one position.
    shift: u32,
    /// The positions of every document of the decoded block (each document's from 0), read
    /// in one go when the first of them is needed: most documents of a common word's block are.
    block_positions: Vec<u32>,
    block_read: bool,
}

impl WordPositions {
    /// Moves to the first document at or after `target`. Every block on the way is decoded, as
    /// its term frequencies are the offset of the positions after it.
    fn seek(&mut self, target: DocId) -> DocId {
        loop {
            let docs = self.blocks.docs();
            let Some(&last) = docs.last() else {
                return TERMINATED;
            };
            let freqs = &self.blocks.freqs()[self.at..];
            if last < target {
                let rest: u32 = freqs.iter().sum();
                self.before_block += self.before_doc + u64::from(rest);
                self.blocks.advance();
                self.at = 0;
                self.before_doc = 0;
                self.block_read = false;
                continue;
            }
            // Targets mostly come a few documents apart: step over those, then search the rest.
            let docs = &docs[self.at..];
            let mut skipped = 0;
            while skipped < STEPS_BEFORE_SEARCH && docs[skipped] < target {
                skipped += 1;
            }
            if skipped == STEPS_BEFORE_SEARCH {
                skipped += docs[skipped..].partition_point(|&doc| doc < target);
            }
            let doc = docs[skipped];
            let before: u32 = freqs[..skipped].iter().sum();
            self.before_doc += u64::from(before);
            self.at += skipped;
            return doc;
        }
    }

    /// The current document's positions, shifted, into `out`.
    fn positions(&mut self, out: &mut Vec<u32>) {
        let freqs = self.blocks.freqs();
        if !self.block_read {
            let all: u32 = freqs.iter().sum();
            self.block_positions.clear();
            self.block_positions.resize(all as usize, 0);
            self.positions
                .read(self.before_block, &mut self.block_positions);
            self.block_read = true;
        }
        let start = self.before_doc as usize;
        let deltas = &self.block_positions[start..start + freqs[self.at] as usize];
        out.clear();
        let mut position = self.shift;
        out.extend(deltas.iter().map(|delta| {
            position += delta;
            position
        }));
    }
}

/// The documents holding every word of a phrase with the words side by side.
struct PhraseScorer {
    lists: Vec<WordPositions>,
    norms: FieldNormReader,
    bm25: Option<Bm25Weight>,
    doc: DocId,
    /// How often the phrase is in the current document.
    count: u32,
    left: Vec<u32>,
    right: Vec<u32>,
}

impl PhraseScorer {
    /// Moves to the first document at or after `target` that holds the phrase.
    fn find(&mut self, mut target: DocId) -> DocId {
        loop {
            // Every word's list on one document.
            let mut doc = target;
            let mut agreed = 0;
            let mut list = 0;
            while agreed < self.lists.len() {
                let found = self.lists[list].seek(doc);
                if found == TERMINATED {
                    self.doc = TERMINATED;
                    return TERMINATED;
                }
                if found == doc {
                    agreed += 1;
                } else {
                    doc = found;
                    agreed = 1;
                }
                list += 1;
                if list == self.lists.len() {
                    list = 0;
                }
            }
            self.count = self.phrase_count();
            if self.count > 0 {
                self.doc = doc;
                return doc;
            }
            target = doc + 1;
        }
    }

    /// The documents of the phrase's rarest word: at most the phrase's.
    fn rarest_word_docs(&self) -> u32 {
        self.lists
            .iter()
            .map(|list| list.blocks.doc_freq())
            .min()
            .unwrap_or(0)
    }

    /// How often the words stand side by side, in order, in the document all lists are on.
    fn phrase_count(&mut self) -> u32 {
        let (first, rest) = self.lists.split_first_mut().expect("a phrase has words");
        first.positions(&mut self.left);
        for list in rest {
            list.positions(&mut self.right);
            keep_common(&mut self.left, &self.right);
            if self.left.is_empty() {
                return 0;
            }
        }
        self.left.len() as u32
    }
}

/// Keeps the positions of `left` that are also in `right` (both ascending).
fn keep_common(left: &mut Vec<u32>, right: &[u32]) {
    let mut kept = 0;
    let mut j = 0;
    for i in 0..left.len() {
        let position = left[i];
        while j < right.len() && right[j] < position {
            j += 1;
        }
        if j == right.len() {
            break;
        }
        if right[j] == position {
            left[kept] = position;
            kept += 1;
        }
    }
    left.truncate(kept);
}

impl DocSet for PhraseScorer {
    fn advance(&mut self) -> DocId {
        if self.doc == TERMINATED {
            return TERMINATED;
        }
        self.find(self.doc + 1)
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if target <= self.doc {
            return self.doc;
        }
        self.find(target)
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    /// As tantivy's phrase scorer estimates: a tenth of its rarest word's documents per word.
    fn size_hint(&self) -> u32 {
        self.rarest_word_docs() / (10 * self.lists.len() as u32)
    }

    /// As tantivy's phrase scorer estimates: ten checks of positions per word in each document of
    /// its rarest word.
    fn cost(&self) -> u64 {
        u64::from(self.rarest_word_docs()) * 10 * self.lists.len() as u64
    }
}

impl Scorer for PhraseScorer {
    fn score(&mut self) -> Score {
        match &self.bm25 {
            Some(weight) => weight.score(self.norms.fieldnorm_id(self.doc), self.count),
            None => 1.0,
        }
    }
}
