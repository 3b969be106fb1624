//! Text analysis: tokenizers, the memoised English stemmer and the scripts indexed as n-grams.

use super::*;

/// Registers the analyzers the schema names: stemmed English prose and title n-grams.
pub(super) fn register_tokenizers(index: &Index) -> tantivy::Result<()> {
    index
        .tokenizers()
        .register(STEM_TOKENIZER, prose_analyzer());
    index
        .tokenizers()
        .register(NGRAM_TOKENIZER, ngram_analyzer()?);
    Ok(())
}

/// The n-gram analyzer: every run of 2 or 3 characters, lower-cased.
pub(super) fn ngram_analyzer() -> tantivy::Result<TextAnalyzer> {
    let ngrams = NgramTokenizer::all_ngrams(2, 3)?;
    Ok(TextAnalyzer::builder(ngrams).filter(LowerCaser).build())
}

/// The prose analyzer: tantivy's `en_stem` (runs of alphanumeric characters shorter than
/// [`MAX_TOKEN_BYTES`], lower-cased, stemmed) with a memo of stems, reading citation markers as
/// the words they stand for and combining marks as part of the word they follow (see
/// [`CitationTokenizer`]).
pub(super) fn prose_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(CitationTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .filter(MemoStemmer)
        .build()
}

/// English stemming with a per-thread memo of stems.
///
/// frostem's English stemmer costs about 270 ns a word, nine tenths of tokenizing prose, and the
/// index build and the snippets stem the same few thousand words again and again; a lookup costs
/// a tenth of that. A miss asks tantivy's own `Stemmer`, so the stems, and the index, are those of
/// the built-in `en_stem`.
#[derive(Clone, Copy)]
pub(super) struct MemoStemmer;

impl TokenFilter for MemoStemmer {
    type Tokenizer<T: Tokenizer> = MemoStemmerFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> MemoStemmerFilter<T> {
        MemoStemmerFilter(tokenizer)
    }
}

#[derive(Clone)]
pub(super) struct MemoStemmerFilter<T>(pub(super) T);

impl<T: Tokenizer> Tokenizer for MemoStemmerFilter<T> {
    type TokenStream<'a> = MemoStemmerStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        MemoStemmerStream(self.0.token_stream(text))
    }
}

pub(super) struct MemoStemmerStream<S>(pub(super) S);

impl<S: TokenStream> TokenStream for MemoStemmerStream<S> {
    fn advance(&mut self) -> bool {
        if !self.0.advance() {
            return false;
        }
        stem_in_place(&mut self.0.token_mut().text);
        true
    }

    fn token(&self) -> &Token {
        self.0.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.0.token_mut()
    }
}

/// A thread's memo of stems, and the stemmer asked on a miss.
pub(super) struct Stems {
    pub(super) memo: HashMap<ShortWord, Stem, BuildHasherDefault<WordHasher>>,
    pub(super) stemmer: TextAnalyzer,
}

/// A word of at most [`ShortWord::MAX_BYTES`] bytes as two integers and its length, so the memo
/// compares and hashes it in registers: with `String` keys every lookup called `memcmp`, and the
/// memo cost as much again as tantivy's own indexing of the word.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) struct ShortWord {
    /// The first eight bytes (for a shorter word, all of them, zero-padded).
    pub(super) head: u64,
    /// The last eight bytes, overlapping `head` in a word of 9 to 15 bytes (0 for a shorter word).
    pub(super) tail: u64,
    pub(super) len: u8,
}

impl ShortWord {
    pub(super) const MAX_BYTES: usize = 16;

    /// The key of `word`, or `None` when it is longer than [`ShortWord::MAX_BYTES`]. For a given
    /// length the two integers hold every byte, so distinct words have distinct keys.
    pub(super) fn new(word: &str) -> Option<ShortWord> {
        let bytes = word.as_bytes();
        if bytes.len() > Self::MAX_BYTES {
            return None;
        }
        let (head, tail) = match (bytes.first_chunk::<8>(), bytes.last_chunk::<8>()) {
            (Some(head), Some(tail)) => (u64::from_le_bytes(*head), u64::from_le_bytes(*tail)),
            _ => {
                let packed = (0..)
                    .zip(bytes)
                    .fold(0, |packed, (i, &b)| packed | u64::from(b) << (8 * i));
                (packed, 0)
            }
        };
        Some(ShortWord {
            head,
            tail,
            len: bytes.len() as u8,
        })
    }
}

impl Hash for ShortWord {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u64(self.head ^ self.tail.rotate_left(32) ^ u64::from(self.len) << 56);
    }
}

/// A stem as an edit of its word: the first `keep` bytes, then `suffix` (English stems mostly
/// drop a suffix, so `suffix` is usually empty and a hit costs a truncation).
pub(super) struct Stem {
    pub(super) keep: usize,
    pub(super) suffix: Box<str>,
}

impl Stem {
    pub(super) fn of(word: &str, stem: &str) -> Stem {
        let common = word
            .bytes()
            .zip(stem.bytes())
            .take_while(|(a, b)| a == b)
            .count();
        let keep = (0..=common)
            .rev()
            .find(|&at| word.is_char_boundary(at) && stem.is_char_boundary(at))
            .unwrap_or(0);
        Stem {
            keep,
            suffix: stem[keep..].into(),
        }
    }

    pub(super) fn apply(&self, word: &mut String) {
        word.truncate(self.keep);
        if !self.suffix.is_empty() {
            word.push_str(&self.suffix);
        }
    }
}

/// A fast hash of a [`ShortWord`] (a multiply folded to 64 bits, as in foldhash): the stem memo
/// hashes every indexed word, where the standard SipHash cost as much as the lookup. Words come
/// from the content and queries of this site, not from an adversary who could exploit
/// collisions to slow it, and a collision only costs a comparison.
#[derive(Default)]
pub(super) struct WordHasher(pub(super) u64);

impl Hasher for WordHasher {
    fn write_u64(&mut self, n: u64) {
        const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;
        let product = u128::from(self.0 ^ n) * u128::from(SEED);
        self.0 = (product as u64) ^ ((product >> 64) as u64);
    }

    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(word));
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

thread_local! {
    static STEMS: RefCell<Stems> = RefCell::new(Stems {
        memo: HashMap::default(),
        stemmer: TextAnalyzer::builder(RawTokenizer::default())
            .filter(Stemmer::new(Language::English))
            .build(),
    });
}

/// Replaces a lower-cased word by its English stem.
pub(super) fn stem_in_place(word: &mut String) {
    STEMS.with_borrow_mut(|stems| {
        let key = ShortWord::new(word);
        if let Some(stem) = key.and_then(|key| stems.memo.get(&key)) {
            stem.apply(word);
            return;
        }
        let mut stemmed = None;
        stems
            .stemmer
            .token_stream(word)
            .process(&mut |token| stemmed = Some(token.text.clone()));
        let Some(stemmed) = stemmed else {
            return;
        };
        if let Some(key) = key {
            if stems.memo.len() >= STEM_MEMO_WORDS {
                stems.memo.clear();
            }
            stems.memo.insert(key, Stem::of(word, &stemmed));
        }
        *word = stemmed;
    });
}

/// The tokens of `text` with their positions.
pub(super) fn tokens(analyzer: &mut TextAnalyzer, text: &str) -> Vec<(usize, String)> {
    let mut tokens = Vec::new();
    analyzer.token_stream(text).process(&mut |token| {
        tokens.push((token.position, token.text.clone()));
    });
    tokens
}

/// True for a combining mark (Unicode general category M): a virama, a nukta or an accent written
/// as a character of its own. A mark continues the word it follows, so `সুরক্ষা` is one word, not
/// two cut at its virama; it never starts one. `offline-search.js` and `app.js` read `\p{M}` the
/// same way.
pub(crate) fn is_mark(c: char) -> bool {
    !c.is_ascii()
        && icu_properties::props::GeneralCategoryGroup::Mark.contains(
            icu_properties::CodePointMapData::<icu_properties::props::GeneralCategory>::new()
                .get(c),
        )
}

/// True for text that is indexed as n-grams too: scripts without spaces between words
/// ([`is_unspaced`]), and scripts written with spaces that the default tokenizer splits badly.
pub(super) fn needs_ngrams(text: &str) -> bool {
    text.chars().any(|c| is_unspaced(c) || is_split_badly(c))
}

/// Scripts written with spaces whose words are hard to match whole: inflected with attached
/// particles and clitics (Arabic and Urdu, Devanagari, Bengali to Sinhala) or agglutinative
/// (Hangul).
fn is_split_badly(c: char) -> bool {
    matches!(u32::from(c),
        0x0600..=0x06FF | 0x0750..=0x077F | 0x08A0..=0x08FF | 0xFB50..=0xFDFF | 0xFE70..=0xFEFF // Arabic
        | 0x0900..=0x097F | 0xA8E0..=0xA8FF // Devanagari
        | 0x0980..=0x0DFF // Bengali, Gurmukhi, Gujarati, Oriya, Tamil, Telugu, Kannada, Malayalam, Sinhala
        | 0x1100..=0x11FF | 0x3130..=0x318F | 0xAC00..=0xD7AF // Hangul
    )
}

/// Scripts written without spaces between words (Thai, Lao, Myanmar, Khmer, CJK and kana): the
/// client-side index cuts them into character bigrams (`offline-search.js` holds the same ranges)
/// and the server's index into n-grams.
pub(crate) fn is_unspaced(c: char) -> bool {
    matches!(u32::from(c),
        0x0E00..=0x0EFF // Thai, Lao
        | 0x1000..=0x109F | 0xA9E0..=0xA9FF | 0xAA60..=0xAA7F // Myanmar
        | 0x1780..=0x17FF | 0x19E0..=0x19FF // Khmer
        | 0x2E80..=0x2FDF | 0x3040..=0x30FF | 0x3100..=0x312F | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x3134F // CJK, kana
    )
}
