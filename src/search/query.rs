//! The query language (words, phrases, exclusions, filters) parsed without ever failing, and the tantivy queries built from it.

use super::*;

/// The query for a literal's tokens in one field: none without tokens, a term query for one, a
/// [`Phrase`] for more.
pub(super) fn literal_query(
    field: Field,
    tokens: &[(usize, String)],
    positions: &PositionFiles,
) -> Option<Box<dyn Query>> {
    match tokens {
        [] => None,
        [(_, token)] => Some(Box::new(TermQuery::new(
            Term::from_field_text(field, token),
            IndexRecordOption::WithFreqs,
        ))),
        _ => {
            let terms = tokens
                .iter()
                .map(|(position, token)| (*position, Term::from_field_text(field, token)))
                .collect();
            Some(Box::new(Phrase::new(terms, positions)))
        }
    }
}

pub(super) fn with_clauses(
    base: Box<dyn Query>,
    clauses: Vec<(Occur, Box<dyn Query>)>,
) -> Box<dyn Query> {
    if clauses.is_empty() {
        return base;
    }
    let mut all = vec![(Occur::Must, base)];
    all.extend(clauses);
    Box::new(BooleanQuery::new(all))
}

#[derive(Default)]
pub(super) struct QueryTerms {
    pub(super) stems: BTreeSet<String>,
    pub(super) scripts: Vec<String>,
}

/// Cuts the query to [`MAX_QUERY_BYTES`] at a character boundary (and before a word the cut would
/// split), turns control whitespace into spaces and drops other control characters.
pub(super) fn clean_query(q: &str) -> String {
    let mut end = q.len().min(MAX_QUERY_BYTES);
    while !q.is_char_boundary(end) {
        end -= 1;
    }
    let mut kept = &q[..end];
    if q[end..].starts_with(|c: char| !c.is_whitespace())
        && let Some(space) = kept.rfind(char::is_whitespace)
    {
        kept = &kept[..space];
    }
    let cleaned: String = kept
        .chars()
        .filter_map(|c| match c {
            c if c.is_whitespace() => Some(' '),
            c if c.is_control() => None,
            c => Some(c),
        })
        .collect();
    cleaned.trim().to_owned()
}

/// The user's query split into words, phrases, exclusions and filters.
#[derive(Debug, PartialEq)]
pub(super) struct ParsedQuery {
    pub(super) parts: Vec<Part>,
}

#[derive(Debug, PartialEq)]
pub(super) enum Part {
    Word(String),
    Phrase(String),
    Exclude(String),
    Filter {
        key: FilterKey,
        value: String,
        negated: bool,
    },
}

impl ParsedQuery {
    pub(super) fn parse(text: &str) -> ParsedQuery {
        let mut parts = Vec::new();
        let mut rest = text;
        loop {
            rest = rest.trim_start();
            if rest.is_empty() {
                break;
            }
            let (negated, body) = match rest.strip_prefix('-') {
                Some(body) if !body.is_empty() && !body.starts_with(char::is_whitespace) => {
                    (true, body)
                }
                _ => (false, rest),
            };
            if let Some(inner) = body.strip_prefix('"') {
                let (phrase, after) = match inner.find('"') {
                    Some(at) => (&inner[..at], &inner[at + 1..]),
                    None => (inner, ""),
                };
                push_text(&mut parts, phrase.trim(), negated, true);
                rest = after;
                continue;
            }
            let word_end = |from: usize| {
                body[from..]
                    .find(|c: char| c.is_whitespace() || c == '"')
                    .map_or(body.len(), |at| from + at)
            };
            let end = word_end(0);
            let end = cited_number_start(body, end).map_or(end, word_end);
            let token = &body[..end];
            rest = &body[end..];
            let filter = token.split_once(':').and_then(|(prefix, value)| {
                let key = FilterKey::from_prefix(prefix)?;
                value
                    .chars()
                    .any(char::is_alphanumeric)
                    .then_some((key, value))
            });
            match filter {
                Some((key, value)) => parts.push(Part::Filter {
                    key,
                    value: value.to_owned(),
                    negated,
                }),
                // Unknown `name:` prefixes and stray colons: plain words.
                None => {
                    for word in token.split(':') {
                        push_text(&mut parts, word, negated, false);
                    }
                }
            }
        }
        ParsedQuery { parts }
    }

    /// Words and phrases that must match.
    pub(super) fn positive(&self) -> impl Iterator<Item = &str> {
        self.parts.iter().filter_map(|part| match part {
            Part::Word(text) | Part::Phrase(text) => Some(text.as_str()),
            _ => None,
        })
    }

    pub(super) fn exclusions(&self) -> impl Iterator<Item = &str> {
        self.parts.iter().filter_map(|part| match part {
            Part::Exclude(text) => Some(text.as_str()),
            _ => None,
        })
    }

    /// The query written back, with some words replaced (by their index in `parts`).
    pub(super) fn render(&self, replacements: &HashMap<usize, String>) -> String {
        let rendered: Vec<String> = self
            .parts
            .iter()
            .enumerate()
            .map(|(i, part)| match part {
                Part::Word(word) => replacements.get(&i).unwrap_or(word).clone(),
                Part::Phrase(phrase) => format!("\"{phrase}\""),
                Part::Exclude(text) if text.contains(' ') => format!("-\"{text}\""),
                Part::Exclude(text) => format!("-{text}"),
                Part::Filter {
                    key,
                    value,
                    negated,
                } => format!("{}{}:{value}", if *negated { "-" } else { "" }, key.name()),
            })
            .collect();
        rendered.join(" ")
    }
}

/// Where the number of a citation marker starts when `body[..end]` is a marker written apart from
/// its number (`s 233`, `art. 19`, `§ 5`): the two are one word, searched as a phrase.
fn cited_number_start(body: &str, end: usize) -> Option<usize> {
    let word = &body[..end];
    let marker = word.strip_suffix('.').unwrap_or(word);
    marker_at(body, 0..marker.len())?;
    body[end..]
        .find(|c: char| !c.is_whitespace())
        .map(|at| end + at)
}

/// Adds a word or phrase unless it has nothing searchable in it (`*`, `((`, a lone `-`).
pub(super) fn push_text(parts: &mut Vec<Part>, text: &str, negated: bool, quoted: bool) {
    if !text.chars().any(char::is_alphanumeric) {
        return;
    }
    let text = text.to_owned();
    parts.push(match (negated, quoted) {
        (true, _) => Part::Exclude(text),
        (false, true) => Part::Phrase(text),
        (false, false) => Part::Word(text),
    });
}

/// Active filters: values of one key are alternatives, different keys must all hold.
#[derive(Debug, Default)]
pub(super) struct Filters {
    pub(super) include: BTreeMap<FilterKey, BTreeSet<String>>,
    pub(super) exclude: Vec<(FilterKey, String)>,
}

impl Filters {
    /// The request's own filter fields plus those in the query; either may list values with commas.
    pub(super) fn new(request: &SearchRequest, parsed: &ParsedQuery) -> Filters {
        let mut filters = Filters::default();
        let fields = [
            (FilterKey::Region, &request.region),
            (FilterKey::Grouping, &request.grouping),
            (FilterKey::Kind, &request.kind),
            (FilterKey::Value, &request.value),
            (FilterKey::AuthorityType, &request.authority_type),
            (FilterKey::Jurisdiction, &request.jurisdiction),
        ];
        for (key, value) in fields {
            if let Some(value) = value {
                filters.add(key, value, false);
            }
        }
        for part in &parsed.parts {
            if let Part::Filter {
                key,
                value,
                negated,
            } = part
            {
                filters.add(*key, value, *negated);
            }
        }
        filters
    }

    /// Adds one value, or several separated by commas.
    pub(super) fn add(&mut self, key: FilterKey, values: &str, negated: bool) {
        for value in values.split(',').map(|v| key.normalize(v)) {
            if value.is_empty() {
                continue;
            }
            if negated {
                self.exclude.push((key, value));
            } else {
                self.include.entry(key).or_default().insert(value);
            }
        }
    }

    pub(super) fn is_empty(&self) -> bool {
        self.include.is_empty() && self.exclude.is_empty()
    }

    pub(super) fn selected(&self, key: FilterKey) -> impl Iterator<Item = &String> {
        self.include.get(&key).into_iter().flatten()
    }

    pub(super) fn is_selected(&self, key: FilterKey, value: &str) -> bool {
        self.include
            .get(&key)
            .is_some_and(|values| values.contains(value))
    }

    pub(super) fn clauses(&self, fields: &Fields) -> Vec<(Occur, Box<dyn Query>)> {
        let term = |key: FilterKey, value: &str| -> Box<dyn Query> {
            Box::new(TermQuery::new(
                Term::from_field_text(key.field(fields), value),
                IndexRecordOption::Basic,
            ))
        };
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = self
            .include
            .iter()
            .map(|(&key, values)| {
                let any: Box<dyn Query> =
                    Box::new(AnyOf(values.iter().map(|value| term(key, value)).collect()));
                (Occur::Must, any)
            })
            .collect();
        clauses.extend(
            self.exclude
                .iter()
                .map(|(key, value)| (Occur::MustNot, term(*key, value))),
        );
        clauses
    }
}

pub(super) fn non_empty(text: String) -> Option<String> {
    (!text.is_empty()).then_some(text)
}

pub(super) fn text_start(text: &str) -> String {
    let Some((cut, _)) = text.char_indices().nth(SNIPPET_CHARS) else {
        return text.to_owned();
    };
    let head = &text[..cut];
    let head = head
        .rfind(char::is_whitespace)
        .map_or(head, |at| &head[..at]);
    format!("{} …", head.trim_end())
}
