//! Queries generated from the search's query language (words as indexed, inflected, misspelt or
//! in other scripts, very long words, citations, `"phrases"`, `-exclusions`, `name:value`
//! filters, words that look like operators) and run against the test fixture's index, with the
//! request's own filter fields. Must never panic, and what the engine promises must hold:
//!
//! - a page holds `min(limit, total - offset)` hits, and the kind facet counts every match once;
//! - snippets are the text escaped with `<mark>` around in-bounds, ordered highlights, nothing else;
//! - whitespace between terms (any amount, any kind) and control characters anywhere change
//!   nothing; the order of the terms changes neither the total nor the facet counts;
//! - a `name:value` filter in the query and the same filter as a request field give the same
//!   results; hits satisfy the `kind:` and `jurisdiction:` filters, included and excluded;
//! - a word excluded with `-` is in no hit's snippet, and for a query `q`, `q -x` and `q "x"`
//!   split the matches of `q` between them (no typo retry, no n-gram scripts).

use super::fixture_index;

use arbitrary::Arbitrary;
use jurisdex::html;
use jurisdex::search::{self, SearchIndex, SearchRequest, SearchResults};

/// The fixture's index, in this target's own work directory.
fn index() -> &'static SearchIndex {
    fixture_index::index(".jurisdex-fuzz-query-language-")
}

/// Words of the fixture's entries, topics and pages (so queries find things).
const WORDS: &[&str] = &[
    "blocking",
    "block",
    "orders",
    "ministry",
    "court",
    "constitutional",
    "judicial",
    "authorisation",
    "removal",
    "terrorist",
    "content",
    "online",
    "regulation",
    "hours",
    "four",
    "hour",
    "administrative",
    "notice",
    "appeal",
    "platform",
    "access",
    "unlawful",
    "law",
    "sites",
    "accounts",
    "Kominfo",
    "ITE",
    "UU",
    "TCO",
    "Belau",
    "minister",
    "transparency",
    "reports",
    "independent",
    "oversight",
    "proportionality",
    "necessity",
    "clarity",
    "sunset",
    "review",
    "Alpha",
    "Beta",
    "communication",
    "decision",
    "written",
    "prior",
    "propaganda",
    "within",
    "the",
    "a",
    "of",
    "no",
    "is",
    "2008",
    "40",
    "2b",
    "81",
    "2021",
    "784",
    "one",
    "script",
    "alert",
    "img",
    "ampersand",
    "quoted",
    "Undang",
    "Nomor",
    "Tahun",
    "Computer",
    "Related",
    "Crime",
    "Act",
    "methodology",
    "values",
    "yes",
    "partial",
    "silent",
    "unknown",
    "disclaimer",
    "legal",
    "advice",
    "rulings",
    "framework",
    "upheld",
    "expire",
    "statutory",
];

/// Words in other scripts and Unicode that tokenizers and case mappings treat specially.
const OTHER_WORDS: &[&str] = &[
    "พระราชบัญญัติ",
    "คอมพิวเตอร์",
    "ความผิด",
    "情報流通",
    "法律",
    "قانون",
    "مکمل",
    "कानून",
    "법률",
    "ဥပဒေ",
    "Türkiye",
    "Légifrance",
    "straße",
    "STRASSE",
    "İstanbul",
    "ǅemal",
    "ﬁnal",
    "e\u{301}tat",
    "\u{212a}ominfo",
    "Ωmega",
    "𝔘nicode",
    "١٢٣",
    "👍",
    "\u{fffd}",
    "\u{200b}",
    "\u{202e}rlo",
    "<b>",
    "&amp;",
    "'",
    "`",
    "\\",
    "*",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    "~",
    "^",
    "\u{ad}",
    "\u{fe0f}",
    "a\u{30a}",
    "ǈ",
];

/// Legal citations as readers type them.
const CITATIONS: &[&str] = &[
    "Art. 40(2b)",
    "Art.40(2b)",
    "s. 37",
    "s37",
    "§ 3",
    "81/PUU-XVIII/2020",
    "Law No. 11 of 2008",
    "Regulation (EU) 2021/784",
    "B.E. 2550",
    "No.11/2008",
    "UU ITE",
    "Art. 3",
    "para. 2(a)(iii)",
    "2021/784/EU",
    "S.I. 2019/1234",
];

/// Words that are operators elsewhere and plain words or punctuation here.
const OPERATORS: &[&str] = &[
    "OR", "AND", "NOT", "or", "|", "||", "&&", "+", "!", "NEAR", "*", "?",
];

/// Names before `:`, the filter names in several spellings and some that are not filters.
const PREFIXES: &[&str] = &[
    "title",
    "section",
    "art",
    "http",
    "https",
    "s",
    "",
    "lang",
    "region",
    "REGION",
    "Kind",
    "authority",
    "authority_type",
    "jurisdiction",
    "safeguard",
    "status",
    "grouping",
    "value",
];

/// Whitespace the query cleaner turns into spaces.
const SPACES: &[&str] = &[
    " ", "  ", "\t", "\n", "\r\n", "\u{a0}", "\u{3000}", "\u{2028}", "\u{85}", "\u{2003}", "\u{b}",
    "\u{c}",
];

/// Control characters that are not whitespace: the cleaner drops them.
const CONTROLS: &[char] = &[
    '\0', '\u{1}', '\u{8}', '\u{1b}', '\u{1f}', '\u{7f}', '\u{80}', '\u{9f}',
];

#[derive(Arbitrary, Debug, Clone)]
enum Word {
    Indexed(u8),
    Inflected(u8, u8),
    Misspelt(u8, u8, u8),
    Shouted(u8),
    Other(u8),
    Long(u8, u16),
    Number(u32),
    Free(String),
}

impl Word {
    fn render(&self) -> String {
        let pick = |list: &[&'static str], at: u8| list[usize::from(at) % list.len()];
        match self {
            Word::Indexed(at) => pick(WORDS, *at).to_owned(),
            Word::Inflected(at, suffix) => {
                format!(
                    "{}{}",
                    pick(WORDS, *at),
                    pick(&["s", "ed", "ing", "ation", "'s", "-"], *suffix)
                )
            }
            Word::Misspelt(at, position, edit) => {
                let mut chars: Vec<char> = pick(WORDS, *at).chars().collect();
                let i = usize::from(*position) % chars.len();
                match edit % 4 {
                    0 => {
                        chars.remove(i);
                    }
                    1 => chars.insert(i, 'x'),
                    2 => chars[i] = 'q',
                    _ if i + 1 < chars.len() => chars.swap(i, i + 1),
                    _ => chars.push('e'),
                }
                chars.into_iter().collect()
            }
            Word::Shouted(at) => pick(WORDS, *at).to_uppercase(),
            Word::Other(at) => pick(OTHER_WORDS, *at).to_owned(),
            Word::Long(at, length) => {
                let unit = pick(&["a", "é", "ไ", "情", "4", "ab-", "x_"], *at);
                unit.repeat(usize::from(*length) % 300 + 1)
            }
            Word::Number(n) => n.to_string(),
            // Never a separator or a quote: those belong to the query's structure.
            Word::Free(text) => text
                .chars()
                .filter(|c| !c.is_whitespace() && *c != '"')
                .take(64)
                .collect(),
        }
    }
}

#[derive(Arbitrary, Debug, Clone, Copy, PartialEq)]
enum Key {
    Region,
    Grouping,
    Kind,
    Value,
    Authority,
    AuthorityType,
    Jurisdiction,
    Safeguard,
    Status,
}

impl Key {
    fn name(self) -> &'static str {
        match self {
            Key::Region => "region",
            Key::Grouping => "grouping",
            Key::Kind => "kind",
            Key::Value => "value",
            Key::Authority => "authority",
            Key::AuthorityType => "authority_type",
            Key::Jurisdiction => "jurisdiction",
            Key::Safeguard => "safeguard",
            Key::Status => "status",
        }
    }

    /// Values that exist in the fixture's index, in the spellings readers use.
    fn values(self) -> &'static [&'static str] {
        match self {
            Key::Region => &["southeast-asia", "europe", "Europe", "south-east-asia"],
            Key::Grouping => &["asean", "eu", "ASEAN", "g7"],
            Key::Kind => &[
                "jurisdiction",
                "instrument",
                "power",
                "case",
                "safeguard",
                "section",
                "topic",
                "page",
                "Case",
                "court-ruling",
            ],
            Key::Value => &["yes", "partial", "no", "silent", "unknown", "YES"],
            Key::Authority | Key::AuthorityType => &[
                "executive",
                "court",
                "independent-regulator",
                "independent_regulator",
                "police",
            ],
            Key::Jurisdiction => &["alpha", "beta", "ALPHA", "old-alpha", "gamma"],
            Key::Safeguard => &[
                "judicial-authorisation",
                "judicial_authorisation",
                "user-notice",
                "legal_clarity",
                "sunset_review",
                "appeal-redress",
            ],
            Key::Status => &[
                "in-force",
                "in_force",
                "amended",
                "repealed",
                "partly_in_force",
            ],
        }
    }
}

#[derive(Arbitrary, Debug, Clone)]
enum Value {
    Known(u8),
    Free(String),
}

impl Value {
    fn render(&self, key: Key) -> String {
        match self {
            Value::Known(at) => key.values()[usize::from(*at) % key.values().len()].to_owned(),
            // Request fields are not cleaned as the query is: no control characters either.
            Value::Free(text) => text
                .chars()
                .filter(|c| !c.is_whitespace() && !c.is_control() && *c != '"')
                .take(32)
                .collect(),
        }
    }
}

#[derive(Arbitrary, Debug, Clone)]
enum Term {
    Word(Word),
    Phrase(Vec<Word>),
    Exclude(Word),
    ExcludePhrase(Vec<Word>),
    Filter {
        negated: bool,
        key: Key,
        values: Vec<Value>,
    },
    Prefixed(u8, Word),
    Citation(u8),
    Operator(u8),
}

impl Term {
    fn render(&self) -> String {
        let words = |words: &[Word]| {
            let rendered: Vec<String> = words.iter().take(8).map(Word::render).collect();
            rendered.join(" ")
        };
        match self {
            Term::Word(word) => word.render(),
            Term::Phrase(list) => format!("\"{}\"", words(list)),
            Term::Exclude(word) => format!("-{}", word.render()),
            Term::ExcludePhrase(list) => format!("-\"{}\"", words(list)),
            Term::Filter {
                negated,
                key,
                values,
            } => format!(
                "{}{}:{}",
                if *negated { "-" } else { "" },
                key.name(),
                filter_values(*key, values)
            ),
            Term::Prefixed(prefix, word) => {
                format!(
                    "{}:{}",
                    PREFIXES[usize::from(*prefix) % PREFIXES.len()],
                    word.render()
                )
            }
            Term::Citation(at) => CITATIONS[usize::from(*at) % CITATIONS.len()].to_owned(),
            Term::Operator(at) => OPERATORS[usize::from(*at) % OPERATORS.len()].to_owned(),
        }
    }

    /// For an exclusion, the same text excluded as a phrase and the phrase itself.
    fn as_phrases(&self) -> Option<(Term, Term)> {
        let words = match self {
            Term::Exclude(word) => vec![word.clone()],
            Term::ExcludePhrase(words) => words.clone(),
            _ => return None,
        };
        Some((Term::ExcludePhrase(words.clone()), Term::Phrase(words)))
    }

    /// The filter this term is once the query is cleaned: negated or not, the key, the values.
    fn as_filter(&self) -> Option<(bool, Key, String)> {
        if !matches!(
            self,
            Term::Word(_) | Term::Exclude(_) | Term::Filter { .. } | Term::Prefixed(..)
        ) {
            return None;
        }
        let cleaned = cleaned(&self.render());
        let (negated, body) = match cleaned.strip_prefix('-') {
            Some(body) if !body.is_empty() => (true, body),
            _ => (false, cleaned.as_str()),
        };
        let (prefix, value) = body.split_once(':')?;
        let key = match prefix.to_lowercase().as_str() {
            "authority" => Key::Authority,
            name => *ALL_KEYS.iter().find(|k| k.name() == name)?,
        };
        let value = value.to_owned();
        value
            .chars()
            .any(char::is_alphanumeric)
            .then_some((negated, key, value))
    }

    /// True when the term is certainly a word or phrase that must match and has a token.
    fn is_positive(&self) -> bool {
        let text = cleaned(&self.render());
        match self {
            Term::Word(_) => !text.contains(':') && !text.starts_with('-') && has_token(&text),
            Term::Phrase(_) => has_token(&text),
            _ => false,
        }
    }
}

fn filter_values(key: Key, values: &[Value]) -> String {
    let rendered: Vec<String> = values.iter().take(4).map(|v| v.render(key)).collect();
    rendered.join(",")
}

/// The end of a query, left as typed: the parser must cope with it.
#[derive(Arbitrary, Debug, Clone)]
enum Tail {
    Unterminated(Vec<Word>),
    Dash,
    DashQuote,
    Quote,
    Colons,
    BareKey(Key),
    NegatedBareKey(Key),
}

impl Tail {
    fn render(&self) -> String {
        match self {
            Tail::Unterminated(words) => {
                let rendered: Vec<String> = words.iter().take(4).map(Word::render).collect();
                format!("\"{}", rendered.join(" "))
            }
            Tail::Dash => "-".into(),
            Tail::DashQuote => "-\"".into(),
            Tail::Quote => "\"".into(),
            Tail::Colons => "::".into(),
            Tail::BareKey(key) => format!("{}:", key.name()),
            Tail::NegatedBareKey(key) => format!("-{}:", key.name()),
        }
    }
}

#[derive(Arbitrary, Debug, Clone)]
pub struct Input {
    terms: Vec<Term>,
    tail: Option<Tail>,
    /// The request's filter fields: region, grouping, kind, value, authority type, jurisdiction.
    fields: [Option<Vec<Value>>; 6],
    limit: Option<u8>,
    offset: u8,
    /// Extra whitespace: before the query, after it and at each separator.
    spaces: Vec<u8>,
    /// Control characters inserted at character positions.
    controls: Vec<(u16, u8)>,
}

const ALL_KEYS: [Key; 9] = [
    Key::Region,
    Key::Grouping,
    Key::Kind,
    Key::Value,
    Key::Authority,
    Key::AuthorityType,
    Key::Jurisdiction,
    Key::Safeguard,
    Key::Status,
];

/// The keys of the request's filter fields, in [`Input::fields`] order.
const FIELD_KEYS: [Key; 6] = [
    Key::Region,
    Key::Grouping,
    Key::Kind,
    Key::Value,
    Key::AuthorityType,
    Key::Jurisdiction,
];

impl Input {
    fn terms(&self) -> &[Term] {
        &self.terms[..self.terms.len().min(40)]
    }

    /// The query with one space between terms.
    fn query(&self, terms: &[Term]) -> String {
        let mut parts: Vec<String> = terms.iter().map(Term::render).collect();
        parts.extend(self.tail.as_ref().map(Tail::render));
        parts.join(" ")
    }

    /// The same query with extra whitespace around and between terms, and control characters
    /// anywhere.
    fn noisy_query(&self) -> String {
        let mut parts: Vec<String> = self.terms().iter().map(Term::render).collect();
        parts.extend(self.tail.as_ref().map(Tail::render));
        let mut spaces = self
            .spaces
            .iter()
            .map(|&s| SPACES[usize::from(s) % SPACES.len()]);
        let mut query = String::from(spaces.next().unwrap_or(""));
        for (i, part) in parts.iter().enumerate() {
            if i > 0 {
                query.push(' ');
                query.push_str(spaces.next().unwrap_or(""));
            }
            query.push_str(part);
        }
        query.push_str(spaces.next().unwrap_or(""));
        let mut chars: Vec<char> = query.chars().collect();
        for &(at, control) in self.controls.iter().take(16) {
            let at = usize::from(at) % (chars.len() + 1);
            chars.insert(at, CONTROLS[usize::from(control) % CONTROLS.len()]);
        }
        chars.into_iter().collect()
    }

    fn request(&self, q: String) -> SearchRequest {
        let field = |at: usize| {
            self.fields[at]
                .as_ref()
                .map(|values| filter_values(FIELD_KEYS[at], values))
        };
        SearchRequest {
            q,
            region: field(0),
            grouping: field(1),
            kind: field(2),
            value: field(3),
            authority_type: field(4),
            jurisdiction: field(5),
            limit: self.limit.map(usize::from),
            offset: Some(usize::from(self.offset % 16)),
        }
    }
}

/// Runs one generated query and its variants, and checks what the engine promises.
pub fn check(input: Input) {
    let index = index();
    let terms = input.terms();
    let query = input.query(terms);
    let fits = |q: &str| q.len() <= search::MAX_QUERY_BYTES;
    let request = input.request(query.clone());
    let results = index.search(&request);
    check_results(&results, &query);
    // A longer query is cut, and the terms after the cut are not searched.
    if !fits(&query) {
        return;
    }
    check_filters(&input, &request, &results);
    check_exclusions(terms, &results);

    let noisy = input.noisy_query();
    if fits(&noisy) {
        let again = index.search(&SearchRequest {
            q: noisy.clone(),
            ..request.clone()
        });
        assert_eq!(
            words(&again.query),
            words(&results.query),
            "{noisy:?} is cleaned unlike {query:?}"
        );
        assert_same(&results, &again, &query, &noisy);
    }

    let reversed_terms: Vec<Term> = terms.iter().rev().cloned().collect();
    let reversed = input.query(&reversed_terms);
    let backwards = index.search(&SearchRequest {
        q: reversed.clone(),
        ..request.clone()
    });
    assert_eq!(
        backwards.total, results.total,
        "{reversed:?} against {query:?}"
    );
    assert_eq!(
        counts(&backwards),
        counts(&results),
        "{reversed:?} against {query:?}"
    );

    check_filter_as_field(&input, terms, &request, &results);
    check_exclusion_splits(&input, terms, &request);
}

/// What every answer must satisfy on its own.
fn check_results(results: &SearchResults, query: &str) {
    assert!(results.query.len() <= search::MAX_QUERY_BYTES);
    assert!(
        !results.query.chars().any(char::is_control),
        "{:?}",
        results.query
    );
    assert!((1..=search::MAX_LIMIT).contains(&results.limit));
    let expected = results
        .limit
        .min(results.total.saturating_sub(results.offset));
    assert_eq!(
        results.hits.len(),
        expected,
        "{query:?}: total {}, offset {}",
        results.total,
        results.offset
    );
    assert!(
        results.corrected || results.corrected_query.is_none(),
        "{query:?}"
    );
    for hit in &results.hits {
        assert!(hit.url.starts_with('/'), "{query:?}: {}", hit.url);
        let text = &hit.snippet_text;
        let mut html = String::new();
        let mut at = 0;
        for &(start, end) in &hit.highlights {
            assert!(
                at <= start && start < end && end <= text.len(),
                "{query:?}: highlight {start}..{end} after {at} in {text:?}"
            );
            assert!(
                text.is_char_boundary(start) && text.is_char_boundary(end),
                "{query:?}: {text:?}"
            );
            html.push_str(&html::escape(&text[at..start]));
            html.push_str("<mark>");
            html.push_str(&html::escape(&text[start..end]));
            html.push_str("</mark>");
            at = end;
        }
        html.push_str(&html::escape(&text[at..]));
        assert_eq!(hit.snippet_html, html, "{query:?}: snippet markup");
    }
    let mut kinds = 0;
    for facet in &results.facets {
        for value in &facet.values {
            assert!(
                value.count as usize <= results.total,
                "{query:?}: {} {}",
                facet.name,
                value.key
            );
            assert!(
                value.count > 0 || value.selected,
                "{query:?}: {} {}",
                facet.name,
                value.key
            );
        }
        let sum: u64 = facet.values.iter().map(|v| v.count).sum();
        match facet.name.as_str() {
            "kind" => kinds = sum,
            "region" | "value" | "authority_type" => {
                assert!(
                    sum as usize <= results.total,
                    "{query:?}: {} counts {sum}",
                    facet.name
                );
            }
            _ => {}
        }
    }
    assert_eq!(
        kinds as usize, results.total,
        "{query:?}: the kind facet counts every match once"
    );
}

/// `kind:` and `jurisdiction:` filters, from the query and the request, hold for every hit.
fn check_filters(input: &Input, request: &SearchRequest, results: &SearchResults) {
    for key in [Key::Kind, Key::Jurisdiction] {
        let normalize = |value: &str| {
            let value = value.trim().to_lowercase();
            if key == Key::Kind {
                value.replace('-', "_")
            } else {
                value
            }
        };
        let mut include: Vec<String> = Vec::new();
        let mut exclude: Vec<String> = Vec::new();
        let field = if key == Key::Kind {
            &request.kind
        } else {
            &request.jurisdiction
        };
        include.extend(field.iter().flat_map(|v| v.split(',')).map(normalize));
        for (negated, _, values) in input
            .terms()
            .iter()
            .filter_map(Term::as_filter)
            .filter(|(_, k, _)| *k == key)
        {
            let list = if negated { &mut exclude } else { &mut include };
            list.extend(values.split(',').map(normalize));
        }
        include.retain(|v| !v.is_empty());
        for hit in &results.hits {
            let value = if key == Key::Kind {
                Some(&hit.kind)
            } else {
                hit.jurisdiction.as_ref()
            };
            let shown = value.map_or("none", String::as_str);
            assert!(
                include.is_empty() || value.is_some_and(|v| include.contains(v)),
                "{:?}: {} {shown} is not one of {include:?}",
                results.query,
                key.name()
            );
            assert!(
                !value.is_some_and(|v| exclude.contains(v)),
                "{:?}: {} {shown} is excluded",
                results.query,
                key.name()
            );
        }
    }
}

/// A word excluded with `-` is in no hit's snippet (the snippet is a part of the indexed text).
fn check_exclusions(terms: &[Term], results: &SearchResults) {
    for term in terms {
        let Term::Exclude(word) = term else {
            continue;
        };
        let word = word.render();
        if word.is_empty() || word.len() >= 40 || !word.chars().all(|c| c.is_ascii_alphanumeric()) {
            continue;
        }
        let word = word.to_lowercase();
        for hit in &results.hits {
            let found = hit
                .snippet_text
                .split(|c: char| !c.is_alphanumeric())
                .any(|token| token.len() < 40 && token.to_lowercase() == word);
            assert!(
                !found,
                "{:?}: `{word}` is excluded but in {:?}",
                results.query, hit.snippet_text
            );
        }
    }
}

/// A filter moved from the query to the request's field of the same name answers the same.
fn check_filter_as_field(
    input: &Input,
    terms: &[Term],
    request: &SearchRequest,
    results: &SearchResults,
) {
    let Some((at, key, value)) = terms.iter().enumerate().find_map(|(at, term)| {
        let (negated, key, value) = term.as_filter()?;
        (!negated && !matches!(key, Key::Safeguard | Key::Status)).then_some((at, key, value))
    }) else {
        return;
    };
    let mut rest = terms.to_vec();
    rest.remove(at);
    let query = input.query(&rest);
    let mut moved = SearchRequest {
        q: query.clone(),
        ..request.clone()
    };
    let field = match key {
        Key::Region => &mut moved.region,
        Key::Grouping => &mut moved.grouping,
        Key::Kind => &mut moved.kind,
        Key::Value => &mut moved.value,
        Key::Authority | Key::AuthorityType => &mut moved.authority_type,
        Key::Jurisdiction => &mut moved.jurisdiction,
        Key::Safeguard | Key::Status => unreachable!("no request field"),
    };
    *field = Some(match field.take() {
        Some(already) => format!("{already},{value}"),
        None => value,
    });
    let again = index().search(&moved);
    assert_eq!(
        again.total, results.total,
        "{query:?} with {moved:?} against {:?}",
        results.query
    );
    assert_eq!(counts(&again), counts(results), "{query:?} with {moved:?}");
    assert_eq!(hits(&again), hits(results), "{query:?} with {moved:?}");
}

/// `q -x` and `q "x"` split the matches of `q`, when no typo retry runs and no text needs
/// n-grams (the n-gram field joins every word of a query that has such a text).
fn check_exclusion_splits(input: &Input, terms: &[Term], request: &SearchRequest) {
    let Some((at, (excluded, phrase))) = terms
        .iter()
        .enumerate()
        .find_map(|(at, term)| Some((at, term.as_phrases()?)))
    else {
        return;
    };
    if !has_token(&phrase.render()) {
        return;
    }
    let mut rest = terms.to_vec();
    rest.remove(at);
    if !rest.iter().any(Term::is_positive) {
        return;
    }
    let base = input.query(&rest);
    rest.push(excluded);
    let without = input.query(&rest);
    rest.pop();
    rest.push(phrase);
    let with = input.query(&rest);
    let queries = [&base, &without, &with];
    if queries
        .iter()
        .any(|q| !q.is_ascii() || q.len() > search::MAX_QUERY_BYTES)
    {
        return;
    }
    let [all, outside, inside] = queries.map(|q| {
        index().search(&SearchRequest {
            q: q.clone(),
            ..request.clone()
        })
    });
    if all.corrected || outside.corrected || inside.corrected {
        return;
    }
    assert_eq!(
        all.total,
        outside.total + inside.total,
        "{base:?} finds {}, {without:?} {} and {with:?} {}",
        all.total,
        outside.total,
        inside.total
    );
}

/// True when `text` has a token the index could hold: a run of letters and digits shorter than
/// the 40 bytes the tokenizer keeps.
/// Control characters are dropped first, as the query cleaner drops them.
fn has_token(text: &str) -> bool {
    cleaned(text)
        .split(|c: char| !c.is_alphanumeric())
        .any(|token| !token.is_empty() && token.len() < 40)
}

/// `text` without the control characters that are not whitespace, as the query cleaner leaves it.
fn cleaned(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_control() || c.is_whitespace())
        .collect()
}

fn words(text: &str) -> Vec<&str> {
    text.split_whitespace().collect()
}

/// Facet counts by name and value.
fn counts(results: &SearchResults) -> Vec<(String, String, u64, bool)> {
    results
        .facets
        .iter()
        .flat_map(|f| {
            f.values
                .iter()
                .map(|v| (f.name.clone(), v.key.clone(), v.count, v.selected))
        })
        .collect()
}

/// What a reader sees of each hit, with the exact score.
fn hits(results: &SearchResults) -> Vec<(String, String, String, u32, Option<String>)> {
    results
        .hits
        .iter()
        .map(|h| {
            (
                h.url.clone(),
                h.title.clone(),
                h.snippet_html.clone(),
                h.score.to_bits(),
                h.lang.clone(),
            )
        })
        .collect()
}

fn assert_same(a: &SearchResults, b: &SearchResults, qa: &str, qb: &str) {
    assert_eq!(a.total, b.total, "{qa:?} against {qb:?}");
    assert_eq!(hits(a), hits(b), "{qa:?} against {qb:?}");
    assert_eq!(counts(a), counts(b), "{qa:?} against {qb:?}");
    assert_eq!(a.corrected, b.corrected, "{qa:?} against {qb:?}");
    assert_eq!(
        a.corrected_query, b.corrected_query,
        "{qa:?} against {qb:?}"
    );
}
