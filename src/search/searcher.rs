//! Opening an index and answering a request: run the query, collect hits and facets, rank and fetch the units shown.

use super::*;

use std::sync::Arc;
use tantivy::directory::error::{DeleteError, LockError, OpenReadError, OpenWriteError};
use tantivy::directory::{
    Directory, DirectoryLock, FileHandle, Lock, MmapDirectory, WatchCallback, WatchHandle, WritePtr,
};

impl SearchIndex {
    /// Opens an index written by [`IndexBuilder`]; reloading is manual, as the index never changes.
    /// Nothing is written into `dir`, which may be on a read-only file system.
    pub fn open(dir: &Path) -> Result<SearchIndex, SearchError> {
        let tantivy_error = tantivy_error(dir);
        let directory = MmapDirectory::open(dir)
            .map_err(|source| tantivy_error(tantivy::TantivyError::from(source)))?;
        let index = Index::open(UnlockedDirectory(directory)).map_err(tantivy_error)?;
        let (schema, fields) = Fields::schema();
        if index.schema() != schema {
            return Err(SearchError::SchemaMismatch {
                path: dir.to_path_buf(),
            });
        }
        register_tokenizers(&index).map_err(tantivy_error)?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(tantivy_error)?;
        let labels = read_labels(dir)?;
        let units = UnitsReader::open(dir)?;
        let columns = |a: &str, b: &str| {
            reader
                .searcher()
                .segment_readers()
                .iter()
                .map(|segment| {
                    let fast = segment.fast_fields();
                    Ok((fast.u64(a)?, fast.u64(b)?))
                })
                .collect::<tantivy::Result<Vec<_>>>()
                .map_err(tantivy_error)
        };
        let unit_columns = columns(UNIT_AT_FIELD, UNIT_LEN_FIELD)?;
        let positions = PositionFiles::open(&index, &reader.searcher()).map_err(tantivy_error)?;
        let facet_columns = columns(FACET_UNIT_FIELD, FACET_PLACE_FIELD)?;
        let regions = FacetValues::of(FilterKey::Region, &labels);
        let groupings = FacetValues::of(FilterKey::Grouping, &labels);
        let place_facets = labels
            .places
            .iter()
            .map(|p| {
                let region = regions.index(&p.region);
                (
                    region,
                    p.groupings
                        .iter()
                        .filter_map(|g| groupings.index(g))
                        .collect(),
                )
            })
            .collect();
        Ok(SearchIndex {
            reader,
            fields,
            stemmer: prose_analyzer(),
            ngrams: ngram_analyzer().map_err(tantivy_error)?,
            vocabulary: OnceLock::new(),
            corrections: Mutex::default(),
            units,
            unit_columns,
            facet_columns,
            place_facets,
            positions,
            labels,
        })
    }

    /// The number of documents (units) in the index.
    pub fn doc_count(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Runs a search; any input gives results (possibly none), never an error or a panic.
    pub fn search(&self, request: &SearchRequest) -> SearchResults {
        let started = Instant::now();
        let query = clean_query(&request.q);
        let parsed = ParsedQuery::parse(&query);
        let filters = Filters::new(request, &parsed);
        let limit = request.limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT);
        let offset = request.offset.unwrap_or(0).min(MAX_OFFSET);
        let outcome = self
            .run(&parsed, &filters, limit, offset)
            .unwrap_or_else(|error| {
                tracing::warn!(%error, query = %query, "search failed");
                SearchOutcome::default()
            });
        SearchResults {
            query,
            total: outcome.total,
            estimated: outcome.estimated,
            offset,
            limit,
            hits: outcome.hits,
            facets: outcome.facets,
            corrected: outcome.corrected,
            corrected_query: outcome.corrected_query,
            elapsed_ms: started.elapsed().as_secs_f64() * 1000.0,
        }
    }

    /// Answers a parsed request: the plan first, then its execution.
    pub(super) fn run(
        &self,
        parsed: &ParsedQuery,
        filters: &Filters,
        limit: usize,
        offset: usize,
    ) -> tantivy::Result<SearchOutcome> {
        let searcher = self.reader.searcher();
        let plan = self.plan(&searcher, parsed, filters)?;
        self.execute(&searcher, plan, parsed, filters, limit, offset)
    }

    /// Everything a request will run, decided before anything is collected: the browse query,
    /// or the text query with its filters and the typo retry to try if it finds nothing, or the
    /// typo retry alone when a plain word cannot match as typed.
    pub(super) fn plan(
        &self,
        searcher: &Searcher,
        parsed: &ParsedQuery,
        filters: &Filters,
    ) -> tantivy::Result<QueryPlan> {
        let mut clauses = filters.clauses(&self.fields);
        clauses.extend(parsed.exclusions().map(|text| {
            let excluded: Box<dyn Query> = Box::new(ForwardOnly(self.parse_text(&[text])));
            (Occur::MustNot, excluded)
        }));
        let positive: Vec<&str> = parsed.positive().collect();
        if positive.is_empty() {
            // Browse view: all jurisdictions, or everything the filters let through, in site order.
            let base: Box<dyn Query> = if filters.is_empty() {
                Box::new(TermQuery::new(
                    Term::from_field_text(self.fields.kind, Kind::Jurisdiction.key()),
                    IndexRecordOption::Basic,
                ))
            } else {
                Box::new(AllQuery)
            };
            return Ok(QueryPlan::Browse(with_clauses(base, clauses)));
        }
        // A plain word in no prose field cannot match as typed, so such a query goes straight to
        // the typo retry. With n-grams in play a word can match inside a title: search as typed
        // first, and retry only if that finds nothing.
        let as_typed_can_match = positive.iter().any(|t| needs_ngrams(t));
        let retry = match self.fuzzy_plan(searcher, parsed)? {
            Retry::AsTyped => None,
            Retry::Hopeless if as_typed_can_match => None,
            Retry::Hopeless => return Ok(QueryPlan::RetryOnly(None)),
            Retry::Corrected(fuzzy) => {
                let cloned = clauses.iter().map(|(o, q)| (*o, q.box_clone())).collect();
                let retry = (with_clauses(fuzzy.query.box_clone(), cloned), fuzzy);
                if !as_typed_can_match {
                    return Ok(QueryPlan::RetryOnly(Some(retry)));
                }
                Some(retry)
            }
        };
        let broad = self.broad_plan(searcher, &positive, &clauses)?;
        let text = self.parse_text(&positive);
        let query = with_clauses(text.box_clone(), clauses);
        Ok(QueryPlan::Text {
            query,
            text,
            retry,
            broad,
        })
    }

    /// Runs a plan: collects the page of hits, the total and the facets, falls back on the typo
    /// retry when the text finds nothing, and loads the hits that are shown.
    pub(super) fn execute(
        &self,
        searcher: &Searcher,
        plan: QueryPlan,
        parsed: &ParsedQuery,
        filters: &Filters,
        limit: usize,
        offset: usize,
    ) -> tantivy::Result<SearchOutcome> {
        let corrected = |(query, fuzzy): (Box<dyn Query>, FuzzyPlan)| -> tantivy::Result<Option<SearchOutcome>> {
            let page = self.collect(searcher, &*query, Ranking::Score, limit, offset)?;
            if page.total == 0 {
                return Ok(None);
            }
            let highlight = Some(&*fuzzy.query);
            self.outcome(searcher, page, filters, parsed, highlight, Some(&fuzzy))
                .map(Some)
        };
        match plan {
            QueryPlan::Browse(query) => {
                let page = self.collect(searcher, &*query, Ranking::SiteOrder, limit, offset)?;
                self.outcome(searcher, page, filters, parsed, None, None)
            }
            QueryPlan::RetryOnly(retry) => {
                if let Some(found) = retry.map(corrected).transpose()?.flatten() {
                    return Ok(found);
                }
                let nothing = HitPage::empty(&self.facet_tally());
                self.outcome(searcher, nothing, filters, parsed, None, None)
            }
            QueryPlan::Text {
                query,
                text,
                retry,
                broad,
            } => {
                let page = match broad {
                    Some(broad) => {
                        let counted = self.counted(searcher, &*query)?;
                        let docs = if counted.total == 0 {
                            Vec::new()
                        } else {
                            self.broad_top(searcher, &broad, &*query, limit, offset)?
                        };
                        HitPage {
                            docs,
                            total: counted.total,
                            counts: counted.tally,
                            estimated: counted.estimated,
                        }
                    }
                    None => self.collect(searcher, &*query, Ranking::Score, limit, offset)?,
                };
                if page.total == 0
                    && let Some(found) = retry.map(corrected).transpose()?.flatten()
                {
                    return Ok(found);
                }
                self.outcome(searcher, page, filters, parsed, Some(&*text), None)
            }
        }
    }

    /// The query of words and phrases, each a literal (tantivy's query syntax never applies): all
    /// of the texts over the prose fields, with their boosts; the n-gram field joins in when a text
    /// has scripts written without spaces between words. A document whose short name has the texts
    /// scores [`SHORT_NAME_MATCH_BOOST`] more, to lift an instrument whose short name is the query
    /// (`PECA`) above documents that merely mention it; one whose title in its own language holds
    /// the whole query as a phrase scores [`ORIGINAL_TITLE_MATCH_BOOST`] more, so a reader who types
    /// a law's title as it is written at home lands on the law, not on a ruling named after it.
    ///
    /// The queries are those tantivy's `QueryParser` makes of the texts quoted (a term or phrase
    /// query per field, duplicates dropped), with each word's union of fields an [`AnyOf`]; built
    /// here, a query is tokenized once instead of once per field, and without the grammar.
    pub(super) fn parse_text(&self, texts: &[&str]) -> Box<dyn Query> {
        let with_ngrams = texts.iter().any(|t| needs_ngrams(t));
        let mut stemmer = self.stemmer.clone();
        let mut ngrams = with_ngrams.then(|| self.ngrams.clone());
        let mut literals: Vec<String> = Vec::with_capacity(texts.len());
        let mut all: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let mut short_names: Vec<Box<dyn Query>> = Vec::new();
        // Every word of the query in order, positions running on across the texts: the phrase
        // that a law's title in its own language must hold whole to be lifted.
        let mut whole: Vec<(usize, String)> = Vec::new();
        for text in texts {
            let literal = text.replace(['"', '\\'], " ");
            let stems = tokens(&mut stemmer, &literal);
            let next = whole.last().map_or(0, |(position, _)| position + 1);
            whole.extend(stems.iter().map(|(p, stem)| (next + p, stem.clone())));
            if literals.contains(&literal) {
                continue;
            }
            let mut fields: Vec<Box<dyn Query>> = self
                .fields
                .weighted()
                .into_iter()
                .filter_map(|(field, boost)| {
                    let query = literal_query(field, &stems, &self.positions)?;
                    Some(if boost == 1.0 {
                        query
                    } else {
                        Box::new(BoostQuery::new(query, boost))
                    })
                })
                .collect();
            if let Some(ngrams) = ngrams.as_mut() {
                let grams = tokens(ngrams, &literal);
                fields.extend(literal_query(
                    self.fields.title_ngram,
                    &grams,
                    &self.positions,
                ));
            }
            match fields.len() {
                0 => {}
                1 => all.extend(fields.pop().map(|query| (Occur::Must, query))),
                _ => all.push((Occur::Must, Box::new(AnyOf(fields)))),
            }
            short_names.extend(literal_query(
                self.fields.short_name,
                &stems,
                &self.positions,
            ));
            literals.push(literal);
        }
        let text: Box<dyn Query> = if all.is_empty() {
            Box::new(EmptyQuery)
        } else {
            Box::new(BooleanQuery::new(all))
        };
        let short_name: Box<dyn Query> = if short_names.is_empty() {
            Box::new(EmptyQuery)
        } else {
            Box::new(AnyOf(short_names))
        };
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![
            (Occur::Must, text),
            (
                Occur::Should,
                Box::new(BoostQuery::new(short_name, SHORT_NAME_MATCH_BOOST)),
            ),
        ];
        if let Some(title) = literal_query(self.fields.original_title, &whole, &self.positions) {
            clauses.push((
                Occur::Should,
                Box::new(BoostQuery::new(title, ORIGINAL_TITLE_MATCH_BOOST)),
            ));
        }
        Box::new(BooleanQuery::new(clauses))
    }

    /// The zero-hit retry, for misspelt words: a plain word found in no prose field is replaced
    /// by the closest indexed words (at most [`MAX_FUZZY_EXPANSIONS`], the most frequent first);
    /// words that are indexed, phrases and words in n-gram scripts stay as typed. No retry when
    /// no word is misspelt (the words exist, just not together); none possible when a misspelt
    /// word has no close word (or the query has too many words to try).
    ///
    /// Searching the replacements as plain terms, scored like any other, costs a fraction of
    /// fuzzy term queries, which read every posting list within the distance of every word.
    pub(super) fn fuzzy_plan(
        &self,
        searcher: &Searcher,
        parsed: &ParsedQuery,
    ) -> tantivy::Result<Retry> {
        let mut stemmer = self.stemmer.clone();
        let mut typed = Vec::new();
        let mut exact = Vec::new();
        for (part, item) in parsed.parts.iter().enumerate() {
            match item {
                Part::Word(word) if !needs_ngrams(word) => {
                    stemmer.token_stream(word).process(&mut |token| {
                        let chars = word
                            .get(token.offset_from..token.offset_to)
                            .map_or(0, |s| s.chars().count());
                        typed.push((part, token.text.clone(), fuzzy_distance(chars)));
                    });
                }
                Part::Word(text) | Part::Phrase(text) => exact.push(text.as_str()),
                Part::Exclude(_) | Part::Filter { .. } => {}
            }
        }
        let Some(vocabulary) = self.vocabulary(searcher) else {
            return Ok(Retry::AsTyped);
        };
        let misspelt = typed
            .iter()
            .any(|(_, stem, _)| !vocabulary.0.contains_key(stem));
        if !misspelt {
            return Ok(Retry::AsTyped);
        }
        if typed.len() > MAX_FUZZY_TERMS {
            return Ok(Retry::Hopeless);
        }
        let mut words = Vec::new();
        for (part, stem, distance) in typed {
            let word = if vocabulary.0.contains_key(&stem) {
                FuzzyWord {
                    part,
                    stems: vec![(stem, 0)],
                    corrected: false,
                }
            } else {
                let similar = self.similar_words(searcher, &stem, distance)?;
                if similar.is_empty() {
                    return Ok(Retry::Hopeless);
                }
                FuzzyWord {
                    part,
                    stems: similar,
                    corrected: true,
                }
            };
            words.push(word);
        }
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = words
            .iter()
            .map(|word| {
                let mut any: Vec<Box<dyn Query>> = Vec::new();
                for (stem, _) in &word.stems {
                    for (field, boost) in self.fields.weighted() {
                        let term = TermQuery::new(
                            Term::from_field_text(field, stem),
                            IndexRecordOption::WithFreqs,
                        );
                        any.push(Box::new(BoostQuery::new(Box::new(term), boost)));
                    }
                }
                let any: Box<dyn Query> = Box::new(AnyOf(any));
                (Occur::Must, any)
            })
            .collect();
        if !exact.is_empty() {
            clauses.push((Occur::Must, self.parse_text(&exact)));
        }
        Ok(Retry::Corrected(FuzzyPlan {
            query: Box::new(BooleanQuery::new(clauses)),
            words,
        }))
    }

    /// Every stem of the prose fields with its document count, built on first use (a zero-hit
    /// query with a word in no field) and kept with the index.
    pub(super) fn vocabulary(&self, searcher: &Searcher) -> Option<&Vocabulary> {
        self.vocabulary
            .get_or_init(|| {
                Vocabulary::build(searcher, &self.fields)
                    .inspect_err(|error| {
                        tracing::warn!(%error, "no typo corrections: the vocabulary is unreadable");
                    })
                    .ok()
            })
            .as_ref()
    }

    /// The indexed stems closest to `stem`, within `max_distance` edits (a transposition is
    /// one): those at the smallest distance found, the most frequent first, at most
    /// [`MAX_FUZZY_EXPANSIONS`], each with its distance. A larger distance is tried only when
    /// a smaller one finds nothing, so the common one-letter slip costs one cheap automaton.
    pub(super) fn similar_words(
        &self,
        searcher: &Searcher,
        stem: &str,
        max_distance: u8,
    ) -> tantivy::Result<Vec<(String, usize)>> {
        let key = (stem.to_owned(), max_distance);
        let memo = || {
            self.corrections
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
        };
        if let Some(found) = memo().get(&key) {
            return Ok(found.clone());
        }
        let found = self.walk_vocabulary(searcher, stem, max_distance)?;
        let mut memo = memo();
        if memo.len() >= CORRECTION_MEMO_WORDS {
            memo.clear();
        }
        memo.insert(key, found.clone());
        Ok(found)
    }

    /// [`SearchIndex::similar_words`], without the memo.
    pub(super) fn walk_vocabulary(
        &self,
        searcher: &Searcher,
        stem: &str,
        max_distance: u8,
    ) -> tantivy::Result<Vec<(String, usize)>> {
        let Some(vocabulary) = self.vocabulary(searcher) else {
            return Ok(Vec::new());
        };
        for distance in 1..=max_distance {
            let term = Term::from_field_text(self.fields.text, stem);
            let automaton = FuzzyTermQuery::new(term, distance, true).automaton()?;
            let mut stream = vocabulary.0.search(&automaton).into_stream();
            let mut found: Vec<(usize, Reverse<u64>, String)> = Vec::new();
            while let Some((word, freq)) = stream.next() {
                if let Ok(word) = std::str::from_utf8(word) {
                    found.push((edit_distance(word, stem), Reverse(freq), word.to_owned()));
                }
            }
            found.sort();
            let closest = found.first().map(|(d, _, _)| *d);
            if closest.is_some() {
                return Ok(found
                    .into_iter()
                    .take_while(|(d, _, _)| Some(*d) == closest)
                    .take(MAX_FUZZY_EXPANSIONS)
                    .map(|(d, _, word)| (word, d))
                    .collect());
            }
        }
        Ok(Vec::new())
    }

    pub(super) fn collect(
        &self,
        searcher: &Searcher,
        query: &dyn Query,
        ranking: Ranking,
        limit: usize,
        offset: usize,
    ) -> tantivy::Result<HitPage> {
        let facets = self.facet_tally();
        let top = TopDocs::with_limit(limit).and_offset(offset);
        let (docs, total, counts) = match ranking {
            Ranking::Score => searcher.search(query, &(top.order_by_score(), Count, facets))?,
            Ranking::SiteOrder => {
                let by_key = top.order_by_string_fast_field(SORT_KEY_FIELD, Order::Asc);
                let (docs, total, counts) = searcher.search(query, &(by_key, Count, facets))?;
                let docs = docs
                    .into_iter()
                    .map(|(_, address)| (0.0, address))
                    .collect();
                (docs, total, counts)
            }
        };
        Ok(HitPage {
            docs,
            total,
            counts,
            estimated: false,
        })
    }

    /// Loads the page of hits, makes their snippets (highlighting the terms of `highlight`) and
    /// reads the facet counts; `correction` is the fuzzy retry that found them, if any.
    pub(super) fn outcome(
        &self,
        searcher: &Searcher,
        page: HitPage,
        filters: &Filters,
        parsed: &ParsedQuery,
        highlight: Option<&dyn Query>,
        correction: Option<&FuzzyPlan>,
    ) -> tantivy::Result<SearchOutcome> {
        let docs = page
            .docs
            .iter()
            .map(|&(score, address)| Ok((score, self.shown(address)?)))
            .collect::<tantivy::Result<Vec<_>>>()?;
        let mut stemmer = self.stemmer.clone();
        let mut query_terms = self.query_terms(&mut stemmer, parsed);
        let snippets = highlight
            .map(|query| Snippets::for_query(searcher, query, self.fields.text))
            .transpose()?;
        let mut spellings = correction.map(|plan| {
            query_terms.stems.extend(plan.corrections());
            Spellings::new(plan)
        });
        let hits = docs
            .into_iter()
            .map(|(score, doc)| {
                let hit = Hit::parts(&doc, snippets.as_ref(), spellings.as_mut());
                self.hit(doc, hit, score, &mut stemmer, &query_terms)
            })
            .collect();
        Ok(SearchOutcome {
            total: page.total,
            estimated: page.estimated,
            hits,
            facets: self.facets(&page.counts, filters),
            corrected: correction.is_some(),
            corrected_query: spellings.and_then(|s| s.suggestion(parsed)),
        })
    }

    /// What the hit at `address` shows.
    pub(super) fn shown(&self, address: DocAddress) -> tantivy::Result<Shown> {
        let missing = || tantivy::TantivyError::InternalError("a unit is not stored".to_owned());
        let (at, len) = self
            .unit_columns
            .get(address.segment_ord as usize)
            .ok_or_else(missing)?;
        let stored = StoredAt {
            at: at.first(address.doc_id).ok_or_else(missing)?,
            len: len.first(address.doc_id).ok_or_else(missing)?,
        };
        self.units.get(stored)
    }

    /// Stems and n-gram-script words of the query, to decide which title to show.
    pub(super) fn query_terms(
        &self,
        stemmer: &mut TextAnalyzer,
        parsed: &ParsedQuery,
    ) -> QueryTerms {
        let mut terms = QueryTerms::default();
        for text in parsed.positive() {
            stemmer.token_stream(text).process(&mut |token| {
                terms.stems.insert(token.text.clone());
            });
            terms.scripts.extend(
                text.split_whitespace()
                    .filter(|w| needs_ngrams(w))
                    .map(str::to_lowercase),
            );
        }
        terms
    }

    /// How many of the query's terms a title contains.
    pub(super) fn overlap(stemmer: &mut TextAnalyzer, terms: &QueryTerms, title: &str) -> usize {
        let mut stems = BTreeSet::new();
        stemmer.token_stream(title).process(&mut |token| {
            if terms.stems.contains(&token.text) {
                stems.insert(token.text.clone());
            }
        });
        let lower = title.to_lowercase();
        stems.len()
            + terms
                .scripts
                .iter()
                .filter(|w| lower.contains(String::as_str(w)))
                .count()
    }

    pub(super) fn hit(
        &self,
        doc: Shown,
        (snippet_text, highlights): (String, Vec<(usize, usize)>),
        score: Score,
        stemmer: &mut TextAnalyzer,
        terms: &QueryTerms,
    ) -> Hit {
        let local = !doc.original_title.is_empty()
            && Self::overlap(stemmer, terms, &doc.original_title)
                > Self::overlap(stemmer, terms, &doc.title);
        let (title, lang) = if local {
            (doc.original_title, non_empty(doc.original_lang))
        } else {
            (doc.title, None)
        };
        Hit {
            title,
            breadcrumb: doc.breadcrumb,
            url: doc.url,
            kind: doc.kind,
            jurisdiction: non_empty(doc.jurisdiction),
            snippet_html: mark(&snippet_text, &highlights),
            snippet_text,
            highlights,
            score,
            lang,
        }
    }

    pub(super) fn facet_tally(&self) -> FacetTally<'_> {
        FacetTally {
            places: self.place_facets.len(),
            columns: &self.facet_columns,
        }
    }

    /// The count of each value (by [`FacetValues`] index) of one facet.
    pub(super) fn facet_counts(&self, tally: &Tally, key: FilterKey, values: usize) -> Vec<u64> {
        if let Some(packed) = UnitFacets::KEYS.iter().position(|k| *k == key) {
            // Index plus one in the code.
            return tally.unit[packed].iter().skip(1).copied().collect();
        }
        let mut counts = vec![0; values];
        let places = self.place_facets.iter().zip(tally.places.iter().skip(1));
        for ((region, groupings), &count) in places.filter(|(_, count)| **count > 0) {
            let indices = match key {
                FilterKey::Region => region.as_slice(),
                FilterKey::Grouping => groupings.as_slice(),
                _ => &[],
            };
            for &index in indices {
                if let Some(sum) = counts.get_mut(index) {
                    *sum += count;
                }
            }
        }
        counts
    }

    pub(super) fn facets(&self, tally: &Tally, filters: &Filters) -> Vec<Facet> {
        FACETS
            .iter()
            .map(|&(key, name, label)| {
                let names = FacetValues::of(key, &self.labels);
                let counts = self.facet_counts(tally, key, names.0.len());
                let mut values: Vec<FacetValue> = names
                    .0
                    .iter()
                    .zip(counts)
                    .filter(|(_, count)| *count > 0)
                    .map(|(value, count)| FacetValue {
                        key: (*value).to_owned(),
                        label: self.labels.label(key, value),
                        count,
                        selected: filters.is_selected(key, value),
                    })
                    .collect();
                // A selected value that matches nothing stays listed, so it can be unselected.
                for value in filters.selected(key) {
                    if !values.iter().any(|v| v.key == *value) {
                        values.push(FacetValue {
                            key: value.clone(),
                            label: self.labels.label(key, value),
                            count: 0,
                            selected: true,
                        });
                    }
                }
                values.sort_by(|a, b| {
                    key.rank(&a.key)
                        .cmp(&key.rank(&b.key))
                        .then_with(|| b.count.cmp(&a.count))
                        .then_with(|| a.label.cmp(&b.label))
                });
                Facet {
                    name: name.to_owned(),
                    label: label.to_owned(),
                    values,
                }
            })
            .collect()
    }
}

#[derive(Default)]
pub(super) struct SearchOutcome {
    pub(super) total: usize,
    pub(super) estimated: bool,
    pub(super) hits: Vec<Hit>,
    pub(super) facets: Vec<Facet>,
    pub(super) corrected: bool,
    pub(super) corrected_query: Option<String>,
}

pub(super) struct HitPage {
    pub(super) docs: Vec<(Score, DocAddress)>,
    pub(super) total: usize,
    pub(super) counts: Tally,
    /// The total and the counts are estimated from a sample (see `broad.rs`).
    pub(super) estimated: bool,
}

impl HitPage {
    /// No hits.
    pub(super) fn empty(tally: &FacetTally) -> HitPage {
        HitPage {
            docs: Vec::new(),
            total: 0,
            counts: tally.empty(),
            estimated: false,
        }
    }
}

pub(super) enum Ranking {
    Score,
    /// Site order: jurisdictions by name, then their parts in page order (see [`SortKey`]).
    SiteOrder,
}

impl Hit {
    /// The snippet of a hit and its highlights; the spellings of corrected words in its titles
    /// and text go to `spellings`, in the same pass over the text as the snippet.
    pub(super) fn parts(
        doc: &Shown,
        snippets: Option<&Snippets>,
        mut spellings: Option<&mut Spellings>,
    ) -> (String, Vec<(usize, usize)>) {
        if let Some(spellings) = spellings.as_deref_mut() {
            spellings.scan(&doc.title);
            spellings.scan(&doc.original_title);
        }
        let Some(snippets) = snippets else {
            return (text_start(&doc.text), Vec::new());
        };
        snippets.snippet(&doc.text, |range, stem| {
            if let Some(spellings) = spellings.as_deref_mut() {
                spellings.observe(&doc.text, range, stem);
            }
        })
    }
}

/// What a request will run, decided by [`SearchIndex::plan`] before anything is collected.
pub(super) enum QueryPlan {
    /// No words: browse, in site order.
    Browse(Box<dyn Query>),
    /// A plain word matches nowhere as typed: only the typo retry (with its query), if any.
    RetryOnly(Option<(Box<dyn Query>, FuzzyPlan)>),
    /// The text query with its filters; `text` alone marks the snippets; `retry` runs if the
    /// text finds nothing.
    Text {
        query: Box<dyn Query>,
        text: Box<dyn Query>,
        retry: Option<(Box<dyn Query>, FuzzyPlan)>,
        /// The query taken apart for pruning, when it is broad.
        broad: Option<BroadPlan>,
    },
}

/// The directory of an index that no writer will open again: the readers' lock, which tantivy
/// takes in a lock file it creates beside the index, guards against a writer and is left out, so
/// that a served index may sit on a read-only file system. Everything else is the memory-mapped
/// directory's.
#[derive(Clone, Debug)]
struct UnlockedDirectory(MmapDirectory);

impl Directory for UnlockedDirectory {
    fn get_file_handle(&self, path: &Path) -> Result<Arc<dyn FileHandle>, OpenReadError> {
        self.0.get_file_handle(path)
    }

    fn delete(&self, path: &Path) -> Result<(), DeleteError> {
        self.0.delete(path)
    }

    fn exists(&self, path: &Path) -> Result<bool, OpenReadError> {
        self.0.exists(path)
    }

    fn open_write(&self, path: &Path) -> Result<WritePtr, OpenWriteError> {
        self.0.open_write(path)
    }

    fn atomic_read(&self, path: &Path) -> Result<Vec<u8>, OpenReadError> {
        self.0.atomic_read(path)
    }

    fn atomic_write(&self, path: &Path, data: &[u8]) -> io::Result<()> {
        self.0.atomic_write(path, data)
    }

    fn sync_directory(&self) -> io::Result<()> {
        self.0.sync_directory()
    }

    fn watch(&self, watch_callback: WatchCallback) -> tantivy::Result<WatchHandle> {
        self.0.watch(watch_callback)
    }

    fn acquire_lock(&self, _lock: &Lock) -> Result<DirectoryLock, LockError> {
        Ok(DirectoryLock::from(Box::new(())))
    }
}
