//! The words of the client-side index, computed exactly as `offline-search.js` computes a
//! query's.

use std::ops::Range;

use super::super::analysis::{is_mark, is_unspaced};
use super::super::citation::{is_citation_symbol, marker_at};

/// The tokens of the client index, exactly as `offline-search.js` computes them: lower-cased
/// runs of letters and digits with the combining marks within them (and of unspaced scripts,
/// marks included), words of one character
/// dropped, unspaced runs as overlapping character bigrams, and citation markers before a number
/// as the words they stand for (`s 233` is `section 233`, see [`marker_at`]) with the number
/// kept even when it is one character (`para 4`).
pub fn tokens(text: &str) -> Vec<String> {
    let lower = text.to_lowercase();
    let mut tokens = Vec::new();
    // The previous run was a citation marker: this one is its number, kept however short.
    let mut cited = false;
    let mut flush = |run: Range<usize>, kind: Run| {
        let word = &lower[run.clone()];
        let number = std::mem::take(&mut cited);
        match kind {
            Run::Unspaced => {
                let chars: Vec<char> = word.chars().collect();
                tokens.extend(chars.windows(2).map(|pair| pair.iter().collect::<String>()));
            }
            Run::Spaced | Run::Symbols => match marker_at(&lower, run) {
                Some(canonical) => {
                    tokens.push(canonical.to_owned());
                    cited = true;
                }
                None if kind == Run::Spaced && (number || word.chars().nth(1).is_some()) => {
                    tokens.push(word.to_owned());
                }
                None => {}
            },
        }
    };
    let mut run: Option<(usize, Run)> = None;
    for (at, c) in lower.char_indices() {
        let kind = if is_unspaced(c) {
            Some(Run::Unspaced)
        } else if c.is_alphanumeric() || (is_mark(c) && matches!(run, Some((_, Run::Spaced)))) {
            Some(Run::Spaced)
        } else if is_citation_symbol(c) {
            Some(Run::Symbols)
        } else {
            None
        };
        match (run, kind) {
            (Some((_, current)), Some(kind)) if current == kind => {}
            (current, kind) => {
                if let Some((start, current)) = current {
                    flush(start..at, current);
                }
                run = kind.map(|kind| (at, kind));
            }
        }
    }
    if let Some((start, kind)) = run {
        flush(start..lower.len(), kind);
    }
    tokens
}

/// What a run of characters in [`tokens`] is made of.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Run {
    /// Letters and digits of scripts written with spaces.
    Spaced,
    /// Characters of scripts written without spaces ([`is_unspaced`]).
    Unspaced,
    /// Citation symbols (`§`, `¶`).
    Symbols,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_split_words_and_bigram_unspaced_scripts() {
        assert_eq!(
            tokens("Art. 40(2b): UU ITE, a Kominfo-order"),
            ["article", "40", "2b", "uu", "ite", "kominfo", "order"]
        );
        assert_eq!(
            tokens("คอมพิวเตอร์"),
            ["คอ", "อม", "มพ", "พิ", "ิว", "วเ", "เต", "ตอ", "อร", "ร์"]
        );
        // A lone unspaced character makes no bigram.
        assert_eq!(tokens("法律2007年"), ["法律", "2007"]);
        assert_eq!(tokens("Ünïcode ÉTAT"), ["ünïcode", "état"]);
        // A combining mark continues a word (a virama, an accent of its own) and starts none.
        assert_eq!(tokens("সাইবার সুরক্ষা অধ্যাদেশ"), ["সাইবার", "সুরক্ষা", "অধ্যাদেশ"]);
        assert_eq!(tokens("e\u{301}tat \u{301}ab"), ["e\u{301}tat", "ab"]);
    }
}
