//! `jurisdex gen-corpus`: writes a synthetic, schema-valid content directory of any size for
//! benchmarks, deterministic from a seed.
//!
//! Each entry has about 2,000 words of Markdown analysis in six `##` sections, five instruments,
//! three powers, one or two court rulings, all eight safeguards and eight sources. Words are drawn
//! from a legal vocabulary mixed with a long tail of invented words (a log-uniform pick from 20,000),
//! so posting lists have realistic, uneven lengths and search is not trivially cheap. The shipped
//! regions and groupings, topic pages and site pages are copied in, so the directory builds and
//! passes `jurisdex check` on its own.

use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::Path;

use rayon::prelude::*;

use crate::model::{
    Action, AuthorityType, Confidence, CourtRole, InstrumentStatus, InstrumentType, Outcome,
    SafeguardKey, SourceKind, Value,
};

/// Files copied verbatim from the shipped content: taxonomy, topic pages and site pages.
const SHIPPED: &[(&str, &str)] = &[
    (
        "groupings.yaml",
        include_str!("../../content/groupings.yaml"),
    ),
    (
        "pages/about.md",
        include_str!("../../content/pages/about.md"),
    ),
    (
        "pages/context.md",
        include_str!("../../content/pages/context.md"),
    ),
    (
        "pages/disclaimer.md",
        include_str!("../../content/pages/disclaimer.md"),
    ),
    (
        "pages/methodology.md",
        include_str!("../../content/pages/methodology.md"),
    ),
    (
        "topics/appeal_redress.md",
        include_str!("../../content/topics/appeal_redress.md"),
    ),
    (
        "topics/independent_oversight.md",
        include_str!("../../content/topics/independent_oversight.md"),
    ),
    (
        "topics/judicial_authorisation.md",
        include_str!("../../content/topics/judicial_authorisation.md"),
    ),
    (
        "topics/legal_clarity.md",
        include_str!("../../content/topics/legal_clarity.md"),
    ),
    (
        "topics/necessity_proportionality.md",
        include_str!("../../content/topics/necessity_proportionality.md"),
    ),
    (
        "topics/sunset_review.md",
        include_str!("../../content/topics/sunset_review.md"),
    ),
    (
        "topics/transparency_reporting.md",
        include_str!("../../content/topics/transparency_reporting.md"),
    ),
    (
        "topics/user_notice.md",
        include_str!("../../content/topics/user_notice.md"),
    ),
];

/// Region and grouping ids of the shipped `groupings.yaml`.
const REGIONS: &[&str] = &[
    "southeast-asia",
    "south-asia",
    "oceania",
    "europe",
    "north-america",
];
const GROUPINGS: &[&str] = &["jakarta-2018", "asean", "commonwealth", "eu", "g7"];

/// Words of the field, drawn half of the time.
const LEGAL_WORDS: &[&str] = &[
    "authority",
    "blocking",
    "removal",
    "order",
    "platform",
    "provider",
    "content",
    "account",
    "terrorist",
    "extremist",
    "violent",
    "court",
    "judicial",
    "review",
    "appeal",
    "notice",
    "user",
    "minister",
    "regulator",
    "commission",
    "police",
    "prosecutor",
    "intelligence",
    "statute",
    "regulation",
    "decree",
    "guideline",
    "amendment",
    "provision",
    "section",
    "offence",
    "penalty",
    "fine",
    "imprisonment",
    "deadline",
    "hours",
    "hosting",
    "access",
    "internet",
    "service",
    "licence",
    "licensee",
    "oversight",
    "transparency",
    "report",
    "annual",
    "parliament",
    "committee",
    "tribunal",
    "constitutional",
    "proportionality",
    "necessity",
    "legitimate",
    "aim",
    "expression",
    "freedom",
    "privacy",
    "data",
    "disclosure",
    "suspension",
    "throttling",
    "shutdown",
    "emergency",
    "security",
    "public",
    "order",
    "morality",
    "incitement",
    "hatred",
    "propaganda",
    "recruitment",
    "glorification",
    "material",
    "classification",
    "harmful",
    "unlawful",
    "illegal",
    "obscene",
    "defamation",
    "sedition",
    "blasphemy",
    "misinformation",
    "disinformation",
    "election",
    "takedown",
    "request",
    "direction",
    "instruction",
    "warrant",
    "judge",
    "magistrate",
    "hearing",
    "reasons",
    "written",
    "decision",
    "remedy",
    "redress",
    "compensation",
    "complaint",
    "ombudsman",
    "audit",
    "sunset",
    "expiry",
    "renewal",
    "evaluation",
    "safeguard",
    "clarity",
    "vague",
    "broad",
    "discretion",
    "executive",
    "independent",
    "statutory",
    "cooperation",
    "voluntary",
    "industry",
    "code",
    "practice",
    "transparency",
    "statistics",
    "published",
    "secret",
    "confidential",
    "gag",
    "domain",
    "website",
    "network",
    "operator",
    "messaging",
    "social",
    "media",
    "search",
    "engine",
    "cache",
    "mirror",
    "circumvention",
    "proxy",
    "encryption",
    "interception",
    "surveillance",
    "retention",
    "jurisdiction",
    "extraterritorial",
    "foreign",
    "representative",
    "compliance",
    "enforcement",
    "sanction",
    "liability",
    "immunity",
    "intermediary",
    "safe",
    "harbour",
    "notification",
    "counter",
    "procedure",
    "framework",
];

/// Syllables for the invented long tail of the vocabulary.
const SYLLABLES: &[&str] = &[
    "ka", "lo", "mi", "ren", "tas", "vor", "du", "pel", "an", "shi", "gor", "bel", "ti", "nam",
    "rok", "sen", "ul", "fa", "dri", "mon", "qua", "zel", "hu", "ist", "par", "ven", "so", "lim",
    "ek", "tra", "jo", "bun", "wes", "cal", "nor", "pi", "ga", "thu", "rin", "des",
];

/// Size of the invented vocabulary.
const INVENTED_WORDS: usize = 20_000;

/// A small, fast, deterministic generator (splitmix64); quality is ample for synthetic text (and
/// for the fuzz targets' smoke run in the tests).
pub struct Rng(u64);

impl Rng {
    /// The generator of `stream` for `seed`.
    pub fn new(seed: u64, stream: u64) -> Rng {
        let mut rng = Rng(seed ^ stream.wrapping_mul(0xD134_2543_DE82_EF95));
        rng.next();
        rng
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// A number in `lo..=hi`.
    fn between(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    /// One of `items` (not empty).
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// True with probability `percent`/100.
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

/// The words entries are written with.
struct Vocabulary {
    invented: Vec<String>,
}

impl Vocabulary {
    fn new(seed: u64) -> Vocabulary {
        let mut rng = Rng::new(seed, u64::MAX);
        let invented = (0..INVENTED_WORDS)
            .map(|_| {
                (0..rng.between(2, 4))
                    .map(|_| *rng.pick(SYLLABLES))
                    .collect::<String>()
            })
            .collect();
        Vocabulary { invented }
    }

    /// One word: a legal word half of the time, else an invented one with a log-uniform rank, so a
    /// few invented words are common and most are rare.
    fn word<'a>(&'a self, rng: &mut Rng) -> &'a str {
        if rng.chance(50) {
            return rng.pick::<&str>(LEGAL_WORDS);
        }
        let exponent = (rng.next() >> 11) as f64 / (1u64 << 53) as f64;
        let rank = (INVENTED_WORDS as f64).powf(exponent) as usize - 1;
        &self.invented[rank.min(INVENTED_WORDS - 1)]
    }

    /// A capitalised invented word, for names.
    fn name(&self, rng: &mut Rng) -> String {
        capitalise(rng.pick::<String>(&self.invented))
    }

    /// A sentence of `lo..=hi` words, capitalised and ending with a full stop.
    fn sentence(&self, rng: &mut Rng, lo: usize, hi: usize) -> String {
        let words: Vec<&str> = (0..rng.between(lo, hi)).map(|_| self.word(rng)).collect();
        let mut text = capitalise(&words.join(" "));
        text.push('.');
        text
    }

    /// `count` sentences of 8 to 22 words.
    fn sentences(&self, rng: &mut Rng, count: usize) -> String {
        (0..count)
            .map(|_| self.sentence(rng, 8, 22))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

/// Writes `count` entries plus the shipped taxonomy, topics and pages into `dir`, which must not
/// exist or be empty (so the shipped `content/` is never overwritten). The same seed always writes
/// the same files.
pub fn generate(dir: &Path, count: usize, seed: u64) -> io::Result<()> {
    if fs::read_dir(dir).is_ok_and(|mut entries| entries.next().is_some()) {
        return Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            format!(
                "{} is not empty: gen-corpus writes a whole content directory; give a new or empty one",
                dir.display()
            ),
        ));
    }
    for sub in ["jurisdictions", "topics", "pages"] {
        fs::create_dir_all(dir.join(sub))?;
    }
    for (path, text) in SHIPPED {
        fs::write(dir.join(path), text)?;
    }
    let vocabulary = Vocabulary::new(seed);
    (0..count).into_par_iter().try_for_each(|n| {
        let mut rng = Rng::new(seed, n as u64);
        let id = format!("{}-{n:05}", rng.pick(&vocabulary.invented[..]));
        let text = entry(&vocabulary, &mut rng, &id);
        fs::write(dir.join("jurisdictions").join(format!("{id}.md")), text)
    })
}

/// `n` (below 36³) in base 36, in one to three characters.
fn to_base36(mut n: u32) -> String {
    const DIGITS: &[u8; 36] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let mut out = Vec::new();
    loop {
        out.push(DIGITS[(n % 36) as usize]);
        n /= 36;
        if n == 0 {
            break;
        }
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// One entry file: front matter and Markdown body.
fn entry(v: &Vocabulary, rng: &mut Rng, id: &str) -> String {
    let mut out = String::with_capacity(20_000);
    // Names and codes are unique, as check requires: the entry's number tells them apart (codes
    // as ISO 3166-2 subdivisions of a country `X?`, so no shipped country's code is taken).
    let number = id.rsplit('-').next().unwrap_or(id);
    let name = format!("{} {number}", v.name(rng));
    let n: u32 = number.parse().unwrap_or(0);
    let iso = format!(
        "X{}-{}",
        (b'A' + (n / 46_656 % 26) as u8) as char,
        to_base36(n % 46_656)
    );
    let groupings: Vec<&str> = GROUPINGS
        .iter()
        .copied()
        .filter(|_| rng.chance(15))
        .collect();
    let year = rng.between(1995, 2025);
    let _ = write!(
        out,
        "---\nid: {id}\nname: {name}\niso: {iso}\nregion: {}\ngroupings: [{}]\n\
         legal_system: {}\nsummary: >-\n  {}\nlast_reviewed: 2026-11-01\n\
         reviewed_by: jurisdex benchmark generator\nentry_status: {}\naliases: []\n\
         changelog:\n  - date: 2026-11-01\n    change: {}\n",
        rng.pick(REGIONS),
        groupings.join(", "),
        rng.pick(&[
            "common law",
            "civil law",
            "mixed (civil law and customary law)"
        ]),
        v.sentences(rng, 4),
        if rng.chance(80) { "reviewed" } else { "draft" },
        v.sentence(rng, 5, 10),
    );

    let instruments: Vec<String> = (0..5).map(|k| format!("act-{}-{k}", year + k)).collect();
    out.push_str("instruments:\n");
    for (k, instrument) in instruments.iter().enumerate() {
        let _ = write!(
            out,
            "  - id: {instrument}\n    title: {} Act {}\n    short_name: {}A\n    type: {}\n    \
             status: {}\n    dates: {{ adopted: \"{}\" }}\n    citation: Act No. {} of {}\n    \
             key_provisions:\n",
            v.name(rng),
            year + k,
            iso,
            rng.pick(InstrumentType::ALL).key(),
            rng.pick(InstrumentStatus::ALL).key(),
            year + k,
            rng.between(1, 99),
            year + k,
        );
        for _ in 0..rng.between(2, 3) {
            let _ = writeln!(
                out,
                "      - {{ section: s {}, gist: \"{}\" }}",
                rng.between(1, 250),
                v.sentence(rng, 8, 16)
            );
        }
        let _ = write!(
            out,
            "    confidence: {}\n    sources: [src-{k}]\n",
            confidence(rng)
        );
    }

    out.push_str("powers:\n");
    for k in 0..3 {
        let _ = write!(
            out,
            "  - id: power-{k}\n    authority: {} {}\n    authority_type: {}\n    actions: [{}]\n    \
             basis: {{ instrument: {}, section: s {} }}\n    grounds: >-\n      {}\n    \
             deadline: {{ hours: {}, text: Within the period set by the notice. }}\n    \
             court_role: {}\n    remedy: >-\n      {}\n    \
             penalties: {}\n    confidence: {}\n    sources: [src-{}]\n",
            v.name(rng),
            rng.pick(&["Commission", "Ministry", "Authority", "Police", "Agency"]),
            rng.pick(AuthorityType::ALL).key(),
            rng.pick(Action::ALL).key(),
            rng.pick(&instruments),
            rng.between(1, 250),
            v.sentences(rng, 3),
            rng.pick(&[1, 24, 48, 72]),
            rng.pick(CourtRole::ALL).key(),
            v.sentence(rng, 6, 12),
            v.sentence(rng, 6, 12),
            confidence(rng),
            5 + k,
        );
    }

    out.push_str("cases:\n");
    for k in 0..rng.between(1, 2) {
        let _ = write!(
            out,
            "  - id: case-{k}\n    name: {} v {}\n    court: {} Court\n    date: \"{}\"\n    outcome: {}\n    \
             instrument: {}\n    summary: >-\n      {}\n    confidence: {}\n    sources: [src-{}]\n",
            v.name(rng),
            v.name(rng),
            v.name(rng),
            rng.between(year, 2025),
            rng.pick(Outcome::ALL).key(),
            rng.pick(&instruments),
            v.sentences(rng, 3),
            confidence(rng),
            k * 3,
        );
    }

    out.push_str("safeguards:\n");
    for key in SafeguardKey::ALL {
        let value = rng.pick(Value::ALL);
        let _ = write!(
            out,
            "  {}:\n    value: \"{}\"\n    provisions: [{{ instrument: {}, section: s {} }}]\n    \
             note: >-\n      {}\n    confidence: {}\n    sources: [src-{}]\n",
            key.key(),
            value.key(),
            rng.pick(&instruments),
            rng.between(1, 250),
            v.sentences(rng, 2),
            confidence(rng),
            rng.below(8),
        );
    }

    out.push_str("sources:\n");
    for k in 0..8 {
        let _ = write!(
            out,
            "  - id: src-{k}\n    title: {}\n    publisher: {} {}\n    kind: {}\n    \
             url: https://example.org/{id}/src-{k}\n    accessed: 2026-10-{:02}\n",
            capitalise(&v.sentence(rng, 4, 8)).trim_end_matches('.'),
            v.name(rng),
            rng.pick(&["Gazette", "Review", "Institute", "Times", "Court Registry"]),
            rng.pick(SourceKind::ALL).key(),
            rng.between(1, 28),
        );
    }
    out.push_str("---\n");
    body(v, rng, &mut out);
    out
}

/// About 2,000 words of analysis: six sections of three paragraphs, and a list in the second.
fn body(v: &Vocabulary, rng: &mut Rng, out: &mut String) {
    for (n, heading) in [
        "Overview",
        "Legal framework",
        "Blocking and removal in practice",
        "Safeguards",
        "Court rulings",
        "Assessment",
    ]
    .iter()
    .enumerate()
    {
        let _ = writeln!(out, "## {heading}\n");
        for _ in 0..3 {
            let _ = writeln!(out, "{}\n", v.sentences(rng, 8));
        }
        if n == 1 {
            for _ in 0..4 {
                let _ = writeln!(out, "- **{}**: {}", v.name(rng), v.sentence(rng, 6, 12));
            }
            out.push('\n');
        }
    }
}

fn confidence(rng: &mut Rng) -> &'static str {
    // Mostly confirmed, as in real entries; `unsure` would only add warnings.
    if rng.chance(80) {
        Confidence::Confirmed.key()
    } else {
        Confidence::Believed.key()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_generator_is_deterministic_and_varied() {
        let (mut a, mut b) = (Rng::new(7, 3), Rng::new(7, 3));
        let first: Vec<u64> = (0..5).map(|_| a.next()).collect();
        assert_eq!(first, (0..5).map(|_| b.next()).collect::<Vec<_>>());
        assert_ne!(Rng::new(7, 4).next(), first[0]);
        let v = Vocabulary::new(1);
        let mut rng = Rng::new(1, 0);
        let words: std::collections::HashSet<&str> = (0..2_000).map(|_| v.word(&mut rng)).collect();
        assert!(words.len() > 500, "only {} distinct words", words.len());
    }
}
