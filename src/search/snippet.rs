//! Snippets: the best fragment of a unit's text with the query's words marked, escaped for HTML.

use super::*;

/// Snippets for one query: the best fragment of a text, found as tantivy's `SnippetGenerator`
/// finds it (the same fragments and scores: a stem weighs `1 / (1 + doc freq)`, the first best
/// fragment wins), but stemming only the words that could match.
pub(super) struct Snippets {
    pub(super) terms: Vec<(String, Score)>,
    pub(super) starts: StemStarts,
}

/// A window of at most [`SNIPPET_CHARS`] bytes of a text, and the matches in it.
pub(super) struct Fragment {
    pub(super) score: Score,
    pub(super) range: Range<usize>,
    pub(super) highlights: Vec<Range<usize>>,
}

impl Fragment {
    pub(super) fn at(start: usize) -> Fragment {
        Fragment {
            score: 0.0,
            range: start..start,
            highlights: Vec::new(),
        }
    }

    /// Keeps this fragment in `best` if it scores higher.
    pub(super) fn offer(self, best: &mut Option<Fragment>) {
        if self.score > 0.0 && best.as_ref().is_none_or(|b| self.score > b.score) {
            *best = Some(self);
        }
    }
}

impl Snippets {
    /// Highlights the terms `query` has in `field`.
    pub(super) fn for_query(
        searcher: &Searcher,
        query: &dyn Query,
        field: Field,
    ) -> tantivy::Result<Snippets> {
        let mut in_field: BTreeSet<&Term> = BTreeSet::new();
        query.query_terms(&mut |term, _| {
            if term.field() == field {
                in_field.insert(term);
            }
        });
        let mut terms = Vec::new();
        for term in in_field {
            let value = term.value();
            let Some(text) = value.as_str() else {
                continue;
            };
            let doc_freq = searcher.doc_freq(term)?;
            if doc_freq > 0 {
                terms.push((text.to_owned(), 1.0 / (1.0 + doc_freq as Score)));
            }
        }
        Ok(Snippets {
            starts: StemStarts::of(terms.iter().map(|(t, _)| t.as_str())),
            terms,
        })
    }

    /// The best fragment of `text` with its highlights (byte ranges), or the start of `text`
    /// when nothing matched; `observe` sees each word that could match, with its stem.
    pub(super) fn snippet(
        &self,
        text: &str,
        observe: impl FnMut(Range<usize>, &str),
    ) -> (String, Vec<(usize, usize)>) {
        let Some(fragment) = self.best_fragment(text, observe) else {
            return (text_start(text), Vec::new());
        };
        // Fragments start and end on words; keep what is left on either side when it is only
        // punctuation, and mark a cut with an ellipsis otherwise.
        let range = fragment.range;
        let head = text.get(..range.start).unwrap_or("");
        let tail = text.get(range.end..).unwrap_or("");
        let wordless = |s: &str| s.len() <= 8 && !s.chars().any(char::is_alphanumeric);
        let before = if wordless(head) { head } else { "… " };
        let after = if wordless(tail) { tail } else { " …" };
        let shift = before.len();
        let highlights = collapse_overlapped_ranges(&fragment.highlights)
            .into_iter()
            .map(|r| (r.start - range.start + shift, r.end - range.start + shift))
            .collect();
        let body = text.get(range).unwrap_or("");
        (format!("{before}{body}{after}"), highlights)
    }

    pub(super) fn best_fragment(
        &self,
        text: &str,
        observe: impl FnMut(Range<usize>, &str),
    ) -> Option<Fragment> {
        if text.is_ascii() {
            self.best_ascii_fragment(text, observe)
        } else {
            self.best_fragment_by_words(text, observe)
        }
    }

    /// [`Snippets::best_fragment`] going through every word.
    pub(super) fn best_fragment_by_words(
        &self,
        text: &str,
        mut observe: impl FnMut(Range<usize>, &str),
    ) -> Option<Fragment> {
        let mut best = None;
        let mut current = Fragment::at(0);
        scan_words(text, &self.starts, |range, stem| {
            if range.end - current.range.start > SNIPPET_CHARS {
                std::mem::replace(&mut current, Fragment::at(range.start)).offer(&mut best);
            }
            current.range.end = range.end;
            if let Some(stem) = stem {
                observe(range.clone(), stem);
            }
            let weight = stem.and_then(|stem| self.terms.iter().find(|(t, _)| t == stem));
            if let Some((_, weight)) = weight {
                current.score += weight;
                current.highlights.push(range);
            }
        });
        current.offer(&mut best);
        best
    }

    /// [`Snippets::best_fragment`] for an ASCII text, which most are: the words that could match
    /// are found by searching for their first letters (memchr), only those with the right second
    /// letter too (see [`StemStarts`]) are lower-cased and stemmed, and fragments are then laid out
    /// only from the words at their boundaries, so most of the text is never split into words.
    /// The fragments are those of the word-by-word walk (a test compares them).
    pub(super) fn best_ascii_fragment(
        &self,
        text: &str,
        mut observe: impl FnMut(Range<usize>, &str),
    ) -> Option<Fragment> {
        let bytes = text.as_bytes();
        let mut needles: Vec<u8> = (0..=u8::MAX)
            .filter(|&b| self.starts.has_first(b) && b.is_ascii_alphanumeric())
            .flat_map(|b| [b, b.to_ascii_uppercase()])
            .collect();
        needles.dedup();
        let mut starts = Vec::new();
        let word_start = |&at: &usize| at == 0 || !bytes[at - 1].is_ascii_alphanumeric();
        for group in needles.chunks(3) {
            match *group {
                [a] => starts.extend(memchr::memchr_iter(a, bytes).filter(word_start)),
                [a, b] => starts.extend(memchr::memchr2_iter(a, b, bytes).filter(word_start)),
                [a, b, c] => starts.extend(memchr::memchr3_iter(a, b, c, bytes).filter(word_start)),
                _ => {}
            }
        }
        starts.sort_unstable();
        let mut matches = Vec::new();
        let mut word = String::new();
        for start in starts {
            let end = ascii_word_end(bytes, start);
            if end - start >= MAX_TOKEN_BYTES {
                continue;
            }
            word.clear();
            match marker_at(text, start..end) {
                // A marker starts with the first letter of the word it stands for, so it is
                // among the starts when that word could match.
                Some(canonical) if self.starts.admits(canonical.as_bytes()) => {
                    word.push_str(canonical);
                }
                Some(_) => continue,
                None if self.starts.admits(&bytes[start..end]) => {
                    word.push_str(&text[start..end]);
                    word.make_ascii_lowercase();
                }
                None => continue,
            }
            stem_in_place(&mut word);
            observe(start..end, &word);
            if let Some((_, weight)) = self.terms.iter().find(|(t, _)| *t == word) {
                matches.push((start..end, *weight));
            }
        }
        let mut matches = matches.into_iter().peekable();
        matches.peek()?;
        let mut best = None;
        // Fragment `k` starts at `start` (0 for the first) and holds the words that start
        // before the next one, which starts at the first word ending more than SNIPPET_CHARS
        // bytes after `start`.
        let mut start = 0;
        while matches.peek().is_some() {
            let next = ascii_word_ending_after(bytes, start + SNIPPET_CHARS);
            let limit = next.as_ref().map_or(bytes.len(), |w| w.start);
            let mut fragment = Fragment::at(start);
            while let Some((range, weight)) = matches.next_if(|(r, _)| r.start < limit) {
                fragment.score += weight;
                fragment.highlights.push(range);
            }
            if !fragment.highlights.is_empty() {
                fragment.range.end = ascii_last_word_end_before(bytes, limit).unwrap_or(start);
                fragment.offer(&mut best);
            }
            match next {
                Some(word) => start = word.start,
                None => break,
            }
        }
        best
    }
}

/// The end of the ASCII alphanumeric run starting at `start`.
pub(super) fn ascii_word_end(bytes: &[u8], start: usize) -> usize {
    bytes[start..]
        .iter()
        .position(|b| !b.is_ascii_alphanumeric())
        .map_or(bytes.len(), |n| start + n)
}

/// The first word (shorter than [`MAX_TOKEN_BYTES`]) of an ASCII text that ends after byte
/// `after`, i.e. covers it or starts after it.
pub(super) fn ascii_word_ending_after(bytes: &[u8], after: usize) -> Option<Range<usize>> {
    let mut at = after.min(bytes.len());
    // Back to the start of the word covering `after`, if one does.
    while at > 0
        && at < bytes.len()
        && bytes[at].is_ascii_alphanumeric()
        && bytes[at - 1].is_ascii_alphanumeric()
    {
        at -= 1;
    }
    loop {
        let start = at
            + bytes
                .get(at..)?
                .iter()
                .position(u8::is_ascii_alphanumeric)?;
        let end = ascii_word_end(bytes, start);
        if end > after && end - start < MAX_TOKEN_BYTES {
            return Some(start..end);
        }
        at = end;
    }
}

/// The end of the last word (shorter than [`MAX_TOKEN_BYTES`]) starting before `limit`.
pub(super) fn ascii_last_word_end_before(bytes: &[u8], limit: usize) -> Option<usize> {
    let mut at = limit.min(bytes.len());
    loop {
        // Back over separators to the end of the previous word, then to its start.
        while at > 0 && !bytes[at - 1].is_ascii_alphanumeric() {
            at -= 1;
        }
        if at == 0 {
            return None;
        }
        let end = at;
        while at > 0 && bytes[at - 1].is_ascii_alphanumeric() {
            at -= 1;
        }
        if end - at < MAX_TOKEN_BYTES {
            return Some(end);
        }
    }
}

/// Escapes `text` for HTML and wraps the highlighted byte ranges in `<mark>`.
pub(super) fn mark(text: &str, highlights: &[(usize, usize)]) -> String {
    let mut html = String::with_capacity(text.len() + 16 * highlights.len());
    let mut at = 0;
    for &(start, end) in highlights {
        let (Some(before), Some(marked)) = (text.get(at..start), text.get(start..end)) else {
            continue;
        };
        escape_into(&mut html, before);
        html.push_str("<mark>");
        escape_into(&mut html, marked);
        html.push_str("</mark>");
        at = end;
    }
    escape_into(&mut html, text.get(at..).unwrap_or(""));
    html
}
