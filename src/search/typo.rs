//! Typo tolerance: the vocabulary walked for corrections and the spellings found in a result's text.

use super::*;

/// How the words that replaced misspelt ones are spelt in the hits, for `corrected_query`.
pub(super) struct Spellings<'p> {
    /// Replacement stem → (its query word's index in [`ParsedQuery::parts`], edit distance).
    pub(super) wanted: HashMap<&'p str, (usize, usize)>,
    pub(super) starts: StemStarts,
    /// Per query word: each spelling found, with its edit distance and how often it occurs.
    pub(super) found: BTreeMap<usize, BTreeMap<String, (usize, usize)>>,
}

impl<'p> Spellings<'p> {
    /// Words of one token only: a word of several tokens is kept as typed.
    pub(super) fn new(plan: &'p FuzzyPlan) -> Spellings<'p> {
        let mut wanted = HashMap::new();
        for word in plan.words.iter().filter(|w| w.corrected) {
            if plan.words.iter().filter(|w| w.part == word.part).count() == 1 {
                for (stem, distance) in &word.stems {
                    wanted.insert(stem.as_str(), (word.part, *distance));
                }
            }
        }
        Spellings {
            starts: StemStarts::of(wanted.keys().copied()),
            wanted,
            found: BTreeMap::new(),
        }
    }

    pub(super) fn scan(&mut self, text: &str) {
        let Spellings {
            wanted,
            starts,
            found,
        } = self;
        scan_words(text, starts, |range, stem| {
            if let Some(stem) = stem {
                Self::note(wanted, found, text, range, stem);
            }
        });
    }

    /// Notes the word of `text` at `range`, stemmed `stem`, if it is a replacement.
    pub(super) fn observe(&mut self, text: &str, range: Range<usize>, stem: &str) {
        Self::note(&self.wanted, &mut self.found, text, range, stem);
    }

    /// [`Spellings::observe`], on the fields it uses.
    pub(super) fn note(
        wanted: &HashMap<&'p str, (usize, usize)>,
        found: &mut BTreeMap<usize, BTreeMap<String, (usize, usize)>>,
        text: &str,
        range: Range<usize>,
        stem: &str,
    ) {
        let Some(&(part, distance)) = wanted.get(stem) else {
            return;
        };
        if let Some(spelling) = text.get(range) {
            let seen = found
                .entry(part)
                .or_default()
                .entry(spelling.to_lowercase())
                .or_insert((distance, 0));
            seen.1 += 1;
        }
    }

    /// The query rewritten with, for each corrected word, its spelling in the hits: the
    /// closest, then the most frequent; `None` if that is the query as typed.
    pub(super) fn suggestion(self, parsed: &ParsedQuery) -> Option<String> {
        let replacements: HashMap<usize, String> = self
            .found
            .into_iter()
            .filter_map(|(part, found)| {
                found
                    .into_iter()
                    .min_by(|a, b| (a.1.0, b.1.1, &a.0).cmp(&(b.1.0, a.1.1, &b.0)))
                    .map(|(spelling, _)| (part, spelling))
            })
            .collect();
        let rewritten = parsed.render(&replacements);
        (rewritten.to_lowercase() != parsed.render(&HashMap::new()).to_lowercase())
            .then_some(rewritten)
    }
}

/// What the typo retry makes of a query's plain words.
pub(super) enum Retry {
    /// Every word is indexed: search as typed.
    AsTyped,
    /// A word is in no prose field and cannot be corrected: nothing can match.
    Hopeless,
    /// The misspelt words replaced by the closest indexed ones.
    Corrected(FuzzyPlan),
}

/// The fuzzy retry of a zero-hit query.
pub(super) struct FuzzyPlan {
    pub(super) query: Box<dyn Query>,
    pub(super) words: Vec<FuzzyWord>,
}

impl FuzzyPlan {
    /// The stems that replaced misspelt words.
    pub(super) fn corrections(&self) -> impl Iterator<Item = String> + '_ {
        self.words
            .iter()
            .filter(|w| w.corrected)
            .flat_map(|w| w.stems.iter().map(|(stem, _)| stem.clone()))
    }
}

/// One stemmed token of a query word in a fuzzy retry.
pub(super) struct FuzzyWord {
    /// Index of the word in [`ParsedQuery::parts`].
    pub(super) part: usize,
    /// The stems searched, each with its edit distance from the typed stem.
    pub(super) stems: Vec<(String, usize)>,
    /// The typed stem is in no prose field; `stems` are the closest indexed ones.
    pub(super) corrected: bool,
}

/// Every stem of the prose fields with the number of documents holding it in any of them: one
/// automaton walk over it finds the words close to a misspelt one, instead of one walk per field
/// and segment.
pub(super) struct Vocabulary(pub(super) tantivy_fst::Map<Vec<u8>>);

impl Vocabulary {
    pub(super) fn build(searcher: &Searcher, fields: &Fields) -> tantivy::Result<Vocabulary> {
        let mut counts: BTreeMap<Vec<u8>, u64> = BTreeMap::new();
        for (field, _) in fields.weighted() {
            for segment in searcher.segment_readers() {
                let index = segment.inverted_index(field)?;
                let mut terms = index.terms().stream()?;
                while terms.advance() {
                    *counts.entry(terms.key().to_vec()).or_default() +=
                        u64::from(terms.value().doc_freq);
                }
            }
        }
        tantivy_fst::Map::from_iter(counts)
            .map(Vocabulary)
            .map_err(|error| tantivy::TantivyError::InternalError(error.to_string()))
    }
}

/// How the words that can stem to one of a set of stems start, so that the others, most words
/// of a text, are neither lower-cased nor stemmed.
///
/// English stemming keeps a word's first two letters (lower-cased), with one exception: a
/// consonant, `y` and `ing` ("dying", "lying") stems to the consonant and `ie`. So a word can
/// stem to a stem of two bytes or more only if it starts with the stem's first byte and then
/// its second, or `y` where that is `i`. A stem of one byte, or one whose second byte is not
/// ASCII, is matched on its first byte alone; a word that does not start with two ASCII bytes
/// is always stemmed. A test holds the stemmer to this on every word of the shipped content and
/// the shared legal texts.
pub(super) struct StemStarts {
    /// By first byte: some stem starts with it.
    pub(super) first: [bool; 256],
    /// By first byte: a stem starting with it is matched on that byte alone.
    pub(super) any_second: [bool; 256],
    /// The first two bytes a word may start with, for the other stems.
    pub(super) pairs: Vec<[u8; 2]>,
}

impl StemStarts {
    pub(super) fn of<'a>(stems: impl IntoIterator<Item = &'a str>) -> StemStarts {
        let mut starts = StemStarts {
            first: [false; 256],
            any_second: [false; 256],
            pairs: Vec::new(),
        };
        for stem in stems {
            let bytes = stem.as_bytes();
            let Some(&first) = bytes.first() else {
                continue;
            };
            starts.first[usize::from(first)] = true;
            match bytes.get(1) {
                Some(&second) if second.is_ascii() => {
                    starts.pairs.push([first, second]);
                    if second == b'i' {
                        starts.pairs.push([first, b'y']);
                    }
                }
                _ => starts.any_second[usize::from(first)] = true,
            }
        }
        starts
    }

    /// Whether some stem starts with this lower-cased byte.
    pub(super) fn has_first(&self, byte: u8) -> bool {
        self.first[usize::from(byte)]
    }

    /// Whether `word` (not lower-cased) may stem to one of the stems.
    pub(super) fn admits(&self, word: &[u8]) -> bool {
        let Some(&first) = word.first() else {
            return false;
        };
        if !first.is_ascii() {
            return true;
        }
        let first = first.to_ascii_lowercase();
        if !self.has_first(first) {
            return false;
        }
        if self.any_second[usize::from(first)] {
            return true;
        }
        match word.get(1) {
            Some(&second) if second.is_ascii() => {
                self.pairs.contains(&[first, second.to_ascii_lowercase()])
            }
            Some(_) => true,
            None => false,
        }
    }
}

/// Calls `f` with the byte range of every word of `text`, as the prose analyzer splits it (runs
/// of alphanumeric characters and the combining marks within them, shorter than
/// [`MAX_TOKEN_BYTES`], and citation markers), and with
/// its stem when `starts` admits the word (for a marker, the stem of the word it stands for).
///
/// This is the analyzer's job done on bytes: on a long section it took a fifth of a search.
pub(super) fn scan_words(
    text: &str,
    starts: &StemStarts,
    mut f: impl FnMut(Range<usize>, Option<&str>),
) {
    let bytes = text.as_bytes();
    // The character at a byte offset (a character boundary) and its width.
    let char_at = |at: usize| {
        let c = text.get(at..).and_then(|t| t.chars().next()).unwrap_or(' ');
        (c, c.len_utf8())
    };
    let mut word = String::new();
    let mut at = 0;
    while at < bytes.len() {
        let b = bytes[at];
        if b.is_ascii() {
            if !b.is_ascii_alphanumeric() {
                at += 1;
                continue;
            }
        } else {
            let (c, width) = char_at(at);
            if !c.is_alphanumeric() {
                if let Some((symbols, true)) = next_word(text, at).filter(|(w, _)| w.start == at) {
                    at = symbols.end;
                    report_marker(text, symbols, starts, &mut word, &mut f);
                } else {
                    at += width;
                }
                continue;
            }
        }
        let start = at;
        let mut unicode = false;
        while let Some(&b) = bytes.get(at) {
            if b.is_ascii() {
                if !b.is_ascii_alphanumeric() {
                    break;
                }
                at += 1;
            } else {
                let (c, width) = char_at(at);
                if !c.is_alphanumeric() && !is_mark(c) {
                    break;
                }
                unicode = true;
                at += width;
            }
        }
        if at - start >= MAX_TOKEN_BYTES {
            continue;
        }
        if report_marker(text, start..at, starts, &mut word, &mut f) {
            continue;
        }
        if !starts.admits(&bytes[start..at]) {
            f(start..at, None);
            continue;
        }
        word.clear();
        if unicode {
            word.extend(text[start..at].chars().flat_map(char::to_lowercase));
        } else {
            word.push_str(&text[start..at]);
            word.make_ascii_lowercase();
        }
        stem_in_place(&mut word);
        f(start..at, Some(&word));
    }
}

/// If `text[range]` is a citation marker ([`marker_at`]), calls `f` with its range and, when
/// `starts` admits it, the stem of the word it stands for; returns whether it was one.
pub(super) fn report_marker(
    text: &str,
    range: Range<usize>,
    starts: &StemStarts,
    word: &mut String,
    f: &mut impl FnMut(Range<usize>, Option<&str>),
) -> bool {
    let Some(canonical) = marker_at(text, range.clone()) else {
        return false;
    };
    if starts.admits(canonical.as_bytes()) {
        word.clear();
        word.push_str(canonical);
        stem_in_place(word);
        f(range, Some(word));
    } else {
        f(range, None);
    }
    true
}

/// Edits allowed for a word of this many characters: none for very short words, which would
/// match almost anything.
pub(super) fn fuzzy_distance(chars: usize) -> u8 {
    match chars {
        0..=2 => 0,
        3..=7 => 1,
        _ => 2,
    }
}

/// Optimal string alignment distance: edits where swapping two neighbours counts as one.
pub(super) fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = Vec::new();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut next = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (row[j] + 1).min(next[j - 1] + 1).min(row[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(previous[j - 2] + 1);
            }
            next[j] = best;
        }
        previous = std::mem::replace(&mut row, next);
    }
    row[b.len()]
}
