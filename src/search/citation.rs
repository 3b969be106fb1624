//! Legal citation forms: `s 233`, `sec. 233`, `§ 233`, `art. 19`, `para 4` and `¶ 4` read as
//! `section 233`, `article 19` and `paragraph 4`, the same way in the index, in queries, in
//! snippets and in the client-side index (`offline-search.js` mirrors this file).

use std::ops::Range;

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

use super::analysis::is_mark;

/// Each citation marker (lower-case) and the word it stands for before a number.
const MARKERS: [(&str, &str); 20] = [
    ("section", "section"),
    ("sections", "section"),
    ("s", "section"),
    ("ss", "section"),
    ("sec", "section"),
    ("secs", "section"),
    ("sect", "section"),
    ("sects", "section"),
    ("§", "section"),
    ("§§", "section"),
    ("article", "article"),
    ("articles", "article"),
    ("art", "article"),
    ("arts", "article"),
    ("paragraph", "paragraph"),
    ("paragraphs", "paragraph"),
    ("para", "paragraph"),
    ("paras", "paragraph"),
    ("¶", "paragraph"),
    ("¶¶", "paragraph"),
];

/// The spaces allowed between a marker (or its full stop) and its number.
const GAP_SPACES: [char; 7] = [' ', '\t', '\n', '\r', '\u{a0}', '\u{2009}', '\u{202f}'];

/// Whether `c` is a citation symbol (`§`, `¶`): a word of its own, though not alphanumeric.
pub(crate) fn is_citation_symbol(c: char) -> bool {
    matches!(c, '§' | '¶')
}

/// The word the citation marker at `text[word]` stands for, if it is one: a marker of
/// [`MARKERS`] in any case, followed by a number (a digit, after at most one full stop and
/// spaces), and not the `s` of a possessive (`PECA’s 3 powers`). A bare `s` or `art` is an
/// ordinary word.
pub(crate) fn marker_at(text: &str, word: Range<usize>) -> Option<&'static str> {
    let after = text.get(word.end..)?;
    let after = after.strip_prefix('.').unwrap_or(after);
    if !after
        .trim_start_matches(GAP_SPACES)
        .starts_with(|c: char| c.is_ascii_digit())
    {
        return None;
    }
    if text.get(..word.start)?.ends_with(['\'', '’']) {
        return None;
    }
    let marker = text.get(word)?;
    MARKERS
        .iter()
        .find(|(written, _)| written.eq_ignore_ascii_case(marker))
        .map(|(_, canonical)| *canonical)
}

/// The next word of `text` at or after byte `from`: a run of alphanumeric characters (and the
/// combining marks within it, [`is_mark`]) or of citation symbols, with whether it is symbols.
pub(crate) fn next_word(text: &str, from: usize) -> Option<(Range<usize>, bool)> {
    let rest = text.get(from..)?;
    let (offset, first) = rest
        .char_indices()
        .find(|&(_, c)| c.is_alphanumeric() || is_citation_symbol(c))?;
    let symbols = is_citation_symbol(first);
    let start = from + offset;
    let end = text[start..]
        .char_indices()
        .find(|&(_, c)| {
            if symbols {
                !is_citation_symbol(c)
            } else {
                !c.is_alphanumeric() && !is_mark(c)
            }
        })
        .map_or(text.len(), |(at, _)| start + at);
    Some((start..end, symbols))
}

/// tantivy's `SimpleTokenizer` (runs of alphanumeric characters, here with the combining marks
/// within them, see [`next_word`]) that reads citations: a marker
/// before a number becomes the word it stands for (`s 233` is `section 233`), and citation
/// symbols that are not markers are dropped, so positions are those of the simple tokenizer.
#[derive(Clone, Default)]
pub(super) struct CitationTokenizer {
    token: Token,
}

pub(super) struct CitationTokenStream<'a> {
    text: &'a str,
    at: usize,
    token: &'a mut Token,
}

impl Tokenizer for CitationTokenizer {
    type TokenStream<'a> = CitationTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> CitationTokenStream<'a> {
        self.token.reset();
        CitationTokenStream {
            text,
            at: 0,
            token: &mut self.token,
        }
    }
}

impl TokenStream for CitationTokenStream<'_> {
    fn advance(&mut self) -> bool {
        self.token.text.clear();
        while let Some((word, symbols)) = next_word(self.text, self.at) {
            self.at = word.end;
            let written = match marker_at(self.text, word.clone()) {
                Some(canonical) => canonical,
                None if symbols => continue,
                None => &self.text[word.clone()],
            };
            self.token.position = self.token.position.wrapping_add(1);
            self.token.offset_from = word.start;
            self.token.offset_to = word.end;
            self.token.text.push_str(written);
            return true;
        }
        false
    }

    fn token(&self) -> &Token {
        self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        self.token
    }
}
