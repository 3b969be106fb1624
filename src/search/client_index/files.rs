//! The files of the client index and their compact encodings: every file is a script that hands
//! its part to `jurisdexSearchPart(kind, number, data)` in `offline-search.js`, except the root,
//! which sets `window.JURISDEX_SEARCH`.
//!
//! - `index.js`: `{"docs": N, "shards": S, "chunk": C, "kinds": [...], "lengths": [...]}`, or
//!   `{"left_out": entries}` when the build left the index out (see `StaticSearch`);
//! - `t/<shard>.js`: `{"term": postings…}` for the terms whose [`shard_of`] is `shard`, each
//!   posting list the base64 of (doc id delta as a LEB128 varint, BM25 weight byte) pairs, the
//!   first delta from 0; and `"~term": "other forms"`, the index's other words that share the
//!   term's stem, whose postings a query for the term merges;
//! - `p/<shard>.js`: `{"term": positions…}` for the same terms but filters, each the base64 of,
//!   for every posting in the order of `t/`, the number of the word's positions in that
//!   document and the positions as LEB128 gaps (the first from 0); loaded only for phrases;
//! - `v/<length>.js`: the words of that many characters (no filters, no unspaced bigrams),
//!   space-separated, the most frequent first, for typo corrections;
//! - `d/<chunk>.js`: `[[title, breadcrumb, url, kind number, snippet text]…]` for C documents in
//!   id order; a url on the same page as the one before is written as its `#anchor` alone.

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::path::Path;

use super::super::SearchError;
use super::super::analysis::{is_unspaced, stem_in_place};
use super::super::units::Kind;
use super::spill::{DocMeta, Spilled, write_varint};
use super::term_weight;
use crate::html::script_safe;
use rayon::prelude::*;

/// The client index's folder, relative to the site root; its root file is
/// [`crate::routes::CLIENT_INDEX_FILE`].
pub const CLIENT_INDEX_DIR: &str = "assets/search";

/// Bytes aimed at per term shard file (its words, their posting lists and their other forms;
/// about half as many gzipped): a query loads one for each of its words and of their other forms,
/// so on a slow link it waits for a few of these, not for the index.
const SHARD_BYTES: usize = 12 * 1024;

/// Documents per metadata chunk (about 8 KB): the hits of a page of results come from a few.
pub(super) const DOCS_PER_CHUNK: usize = 16;

/// The shard holding `term` among `shards`: FNV-1a (32 bits) of its UTF-8 bytes, modulo the
/// number of shards, as `shardOf` in `offline-search.js` computes it.
pub fn shard_of(term: &str, shards: u32) -> u32 {
    let mut hash: u32 = 0x811c_9dc5;
    for byte in term.bytes() {
        hash ^= u32::from(byte);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    hash % shards.max(1)
}

/// Postings held in memory at once while the shards are written: a larger index is written in
/// several passes over the spilled documents, each for a share of the shards.
const POSTINGS_PER_PASS: usize = 16 * 1024 * 1024;

/// Writes the client index of the `spilled` documents and `terms` (by number) into `site_dir`.
pub(super) fn write(
    spilled: &Spilled,
    terms: &[Box<str>],
    site_dir: &Path,
) -> Result<(), SearchError> {
    write_in_passes(spilled, terms, site_dir, POSTINGS_PER_PASS)
}

/// [`write`], holding about `postings_per_pass` bytes of postings at a time.
fn write_in_passes(
    spilled: &Spilled,
    terms: &[Box<str>],
    site_dir: &Path,
    postings_per_pass: usize,
) -> Result<(), SearchError> {
    let dir = site_dir.join(CLIENT_INDEX_DIR);
    let spill_error = |source| SearchError::ClientIndexIo {
        path: site_dir.to_path_buf(),
        source,
    };
    write_docs(spilled, &dir)?;

    // A first pass sizes every posting list and position list exactly, which gives the number
    // of shards (from the postings alone, which every query loads) and of passes.
    let mut frequency: Vec<u32> = vec![0; terms.len()];
    let mut bytes: Vec<usize> = vec![0; terms.len()];
    let mut position_bytes: Vec<usize> = vec![0; terms.len()];
    let mut last: Vec<u32> = vec![0; terms.len()];
    spilled
        .for_each_terms(|id, _, doc_terms| {
            for (term, _, positions) in doc_terms.iter() {
                let t = term as usize;
                bytes[t] += varint_len(id - last[t]) + 1;
                position_bytes[t] += position_list_len(positions);
                last[t] = id;
                frequency[t] += 1;
            }
        })
        .map_err(spill_error)?;
    drop(last);
    let encoded = |b: usize| b.div_ceil(3) * 4;
    let postings_total: usize = bytes.iter().copied().map(encoded).sum();
    let held: usize = postings_total + position_bytes.iter().copied().map(encoded).sum::<usize>();
    let siblings = Siblings::of(terms);
    // The bytes of the term shards as written: each word's `"word":"postings",` and, when it has
    // other forms, its `"~word":"forms",`.
    let shard_total: usize = (0u32..)
        .zip(terms)
        .map(|(number, term)| {
            let forms = siblings.forms_len(number, terms);
            let own = term.len() + 6 + encoded(bytes[number as usize]);
            own + if forms > 0 { term.len() + 7 + forms } else { 0 }
        })
        .sum();
    let shards = u32::try_from(shard_total.div_ceil(SHARD_BYTES).max(1)).unwrap_or(u32::MAX);
    let passes = held.div_ceil(postings_per_pass).max(1);
    let mut by_shard: Vec<Vec<u32>> = vec![Vec::new(); shards as usize];
    for (number, term) in (0u32..).zip(terms) {
        by_shard[shard_of(term, shards) as usize].push(number);
    }

    let average = spilled.total_length as f64 / spilled.docs.max(1) as f64;
    for pass in 0..passes {
        // The terms of this pass's shards: shard `s` is written by pass `s % passes`.
        let mut lists: Vec<Option<(Vec<u8>, Vec<u8>)>> = vec![None; terms.len()];
        for shard in by_shard.iter().skip(pass).step_by(passes) {
            for &term in shard {
                let t = term as usize;
                lists[t] = Some((
                    Vec::with_capacity(bytes[t]),
                    Vec::with_capacity(position_bytes[t]),
                ));
            }
        }
        let mut last: Vec<u32> = vec![0; terms.len()];
        spilled
            .for_each_terms(|id, length, doc_terms| {
                for (term, count, positions) in doc_terms.iter() {
                    let t = term as usize;
                    if let Some((postings, position_list)) = &mut lists[t] {
                        write_varint(id - last[t], postings);
                        postings.push(term_weight(count, length, average));
                        write_position_list(positions, position_list);
                        last[t] = id;
                    }
                }
            })
            .map_err(spill_error)?;
        by_shard
            .par_iter()
            .enumerate()
            .skip(pass)
            .step_by(passes)
            .try_for_each(|(number, shard)| {
                let (mut postings, mut positions) = (BTreeMap::new(), BTreeMap::new());
                for &term in shard {
                    let (list, position_list) = lists[term as usize]
                        .as_ref()
                        .map_or((&[][..], &[][..]), |(p, l)| (p.as_slice(), l.as_slice()));
                    let forms = siblings.of_term(term, terms);
                    let term = &*terms[term as usize];
                    if !forms.is_empty() {
                        postings.insert(format!("~{term}"), forms);
                    }
                    postings.insert(term.to_string(), base64(list));
                    // Filter terms have no positions: no phrase holds them.
                    if !term.contains(':') {
                        positions.insert(term, base64(position_list));
                    }
                }
                put(&dir, "t", number, &json(&postings))?;
                put(&dir, "p", number, &json(&positions))
            })?;
    }

    let mut by_length: BTreeMap<usize, Vec<(u32, &str)>> = BTreeMap::new();
    for (term, &count) in terms.iter().zip(&frequency) {
        if !term.contains(':') && !term.chars().any(is_unspaced) {
            by_length
                .entry(term.chars().count())
                .or_default()
                .push((count, term));
        }
    }
    for (length, words) in &mut by_length {
        words.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
        let list: Vec<&str> = words.iter().map(|&(_, w)| w).collect();
        put(&dir, "v", *length, &json(&list.join(" ")))?;
    }

    let root = serde_json::json!({
        "docs": spilled.docs,
        "shards": shards,
        "chunk": DOCS_PER_CHUNK,
        "kinds": Kind::ALL.map(Kind::key),
        "lengths": by_length.keys().collect::<Vec<_>>(),
    });
    let path = site_dir.join(crate::routes::CLIENT_INDEX_FILE);
    fs::write(
        &path,
        format!("window.JURISDEX_SEARCH = {};\n", json(&root)),
    )
    .map_err(|source| SearchError::ClientIndexIo { path, source })
}

/// Writes the metadata chunks `d/<n>.js` of the spilled documents, in id order, a batch of
/// chunks at a time in parallel.
fn write_docs(spilled: &Spilled, dir: &Path) -> Result<(), SearchError> {
    /// Chunks made in memory before they are written in parallel.
    const BATCH: usize = 64;
    let kind_number = |kind: Kind| Kind::ALL.iter().position(|&k| k == kind).unwrap_or(0);
    let mut batch: Vec<DocMeta> = Vec::with_capacity(BATCH * DOCS_PER_CHUNK);
    let mut first_chunk = 0;
    let flush = |batch: &mut Vec<DocMeta>, first_chunk: &mut usize| -> Result<(), SearchError> {
        let chunks: Vec<&[DocMeta]> = batch.chunks(DOCS_PER_CHUNK).collect();
        chunks.par_iter().enumerate().try_for_each(|(k, chunk)| {
            let mut page = "";
            let rows: Vec<serde_json::Value> = chunk
                .iter()
                .map(|doc| {
                    let (this_page, anchor) = doc.url.split_once('#').unwrap_or((&doc.url, ""));
                    let url = if this_page == page && !anchor.is_empty() {
                        format!("#{anchor}")
                    } else {
                        doc.url.clone()
                    };
                    page = this_page;
                    serde_json::json!([doc.title, doc.crumb, url, kind_number(doc.kind), doc.text])
                })
                .collect();
            put(dir, "d", *first_chunk + k, &json(&rows))
        })?;
        *first_chunk += chunks.len();
        batch.clear();
        Ok(())
    };
    let mut failed = Ok(());
    spilled
        .for_each_meta(|meta| {
            batch.push(meta);
            if batch.len() == BATCH * DOCS_PER_CHUNK && failed.is_ok() {
                failed = flush(&mut batch, &mut first_chunk);
            }
        })
        .map_err(|source| SearchError::ClientIndexIo {
            path: dir.to_path_buf(),
            source,
        })?;
    failed?;
    flush(&mut batch, &mut first_chunk)
}

/// The root file of a build that leaves the index out: `{"left_out": entries}`, so that the
/// search page says why it cannot search and what to do.
pub fn write_left_out(entries: usize, site_dir: &Path) -> Result<(), SearchError> {
    let path = site_dir.join(crate::routes::CLIENT_INDEX_FILE);
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).map_err(|source| SearchError::ClientIndexIo {
            path: path.clone(),
            source,
        })?;
    }
    let root = serde_json::json!({ "left_out": entries });
    fs::write(
        &path,
        format!("window.JURISDEX_SEARCH = {};\n", json(&root)),
    )
    .map_err(|source| SearchError::ClientIndexIo { path, source })
}

/// Writes the part `kind`/`number`.
fn put(dir: &Path, kind: &str, number: usize, data: &str) -> Result<(), SearchError> {
    let folder = dir.join(kind);
    let path = folder.join(format!("{number}.js"));
    fs::create_dir_all(&folder)
        .and_then(|()| {
            fs::write(
                &path,
                format!("jurisdexSearchPart(\"{kind}\",{number},{data});\n"),
            )
        })
        .map_err(|source| SearchError::ClientIndexIo { path, source })
}

/// `value` as JSON made safe for a script however it is loaded (see [`script_safe`]).
fn json(value: &impl serde::Serialize) -> String {
    // Serialising strings, numbers and maps of them cannot fail; `null` is the safe fallback.
    script_safe(&serde_json::to_string(value).unwrap_or_else(|_| "null".into()))
}

/// The words of the index that share a stem (the server's English stemmer): a query for one of
/// them finds all, as on the server, which indexes stems. Written into each word's term shard as
/// `"~word": "other forms"`.
struct Siblings {
    /// Each term's group in `groups`, or `u32::MAX` for a term that shares its stem with none.
    group: Vec<u32>,
    groups: Vec<Vec<u32>>,
}

impl Siblings {
    fn of(terms: &[Box<str>]) -> Siblings {
        let mut by_stem: HashMap<String, Vec<u32>> = HashMap::new();
        for (number, term) in (0u32..).zip(terms) {
            if term.contains(':') || term.chars().any(is_unspaced) {
                continue;
            }
            let mut stem = term.to_string();
            stem_in_place(&mut stem);
            by_stem.entry(stem).or_default().push(number);
        }
        let mut group = vec![u32::MAX; terms.len()];
        let mut groups = Vec::new();
        for forms in by_stem.into_values().filter(|forms| forms.len() > 1) {
            let number = u32::try_from(groups.len()).unwrap_or(u32::MAX);
            for &form in &forms {
                group[form as usize] = number;
            }
            groups.push(forms);
        }
        Siblings { group, groups }
    }

    /// The length of [`Siblings::of_term`], without writing it.
    fn forms_len(&self, term: u32, terms: &[Box<str>]) -> usize {
        self.groups
            .get(self.group[term as usize] as usize)
            .map_or(0, |forms| {
                let others = forms.iter().filter(|&&form| form != term);
                others
                    .map(|&form| terms[form as usize].len() + 1)
                    .sum::<usize>()
                    - 1
            })
    }

    /// The other forms of `term`'s stem, space-separated in order, or "".
    fn of_term(&self, term: u32, terms: &[Box<str>]) -> String {
        let Some(forms) = self.groups.get(self.group[term as usize] as usize) else {
            return String::new();
        };
        let mut others: Vec<&str> = forms
            .iter()
            .filter(|&&form| form != term)
            .map(|&form| &*terms[form as usize])
            .collect();
        others.sort_unstable();
        others.join(" ")
    }
}

/// Appends the positions of a word in one document to its position list: their number, then
/// the first and the gaps between them, as varints.
fn write_position_list(positions: &[u32], out: &mut Vec<u8>) {
    write_varint(u32::try_from(positions.len()).unwrap_or(u32::MAX), out);
    let mut at = 0;
    for &position in positions {
        write_varint(position - at, out);
        at = position;
    }
}

/// The bytes [`write_position_list`] appends for `positions`.
fn position_list_len(positions: &[u32]) -> usize {
    let mut at = 0;
    let gaps: usize = positions
        .iter()
        .map(|&position| varint_len(position - std::mem::replace(&mut at, position)))
        .sum();
    varint_len(u32::try_from(positions.len()).unwrap_or(u32::MAX)) + gaps
}

/// The bytes of `n` as a LEB128 varint ([`write_varint`]).
fn varint_len(n: u32) -> usize {
    (32 - n.leading_zeros() as usize).div_ceil(7).max(1)
}

/// Standard base64 with padding, which `atob` decodes.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for group in bytes.chunks(3) {
        let n = group
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= group.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 0x3f) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_forms_length_is_that_of_the_forms_written() {
        let terms: Vec<Box<str>> = [
            "block",
            "blocked",
            "blocking",
            "court",
            "kind:case",
            "orders",
            "order",
        ]
        .into_iter()
        .map(Box::from)
        .collect();
        let siblings = Siblings::of(&terms);
        for number in 0..terms.len() as u32 {
            let written = siblings.of_term(number, &terms);
            assert_eq!(
                siblings.forms_len(number, &terms),
                written.len(),
                "{written:?}"
            );
        }
        assert_eq!(siblings.of_term(0, &terms), "blocked blocking");
    }

    #[test]
    fn shards_are_fnv1a_of_the_utf8_bytes() {
        // FNV-1a 32 of "" and of "a" are the published 0x811c9dc5 (2,166,136,261) and
        // 0xe40c292c (3,826,002,220).
        assert_eq!(shard_of("", 1000), 261);
        assert_eq!(shard_of("a", 1000), 220);
        assert_eq!(shard_of("kominfo", 1), 0);
        assert!((0..500).all(|i| shard_of(&format!("w{i}"), 7) < 7));
        // Every shard gets some of a few hundred words.
        let mut used = [false; 7];
        for i in 0..500 {
            used[shard_of(&format!("w{i}"), 7) as usize] = true;
        }
        assert!(used.iter().all(|&u| u));
    }

    #[test]
    fn varint_lengths_and_base64_match_their_specifications() {
        for n in [0, 1, 127, 128, 300, 16_383, 16_384, u32::MAX] {
            let mut out = Vec::new();
            write_varint(n, &mut out);
            assert_eq!(varint_len(n), out.len(), "{n}");
        }
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
        assert_eq!(base64(&[0xff, 0xfe]), "//4=");
    }

    /// Every file under `dir`, by path relative to it, with its contents.
    fn files_in(dir: &Path) -> BTreeMap<std::path::PathBuf, Vec<u8>> {
        walkdir::WalkDir::new(dir)
            .into_iter()
            .map(Result::unwrap)
            .filter(|e| e.file_type().is_file())
            .map(|e| {
                let relative = e.path().strip_prefix(dir).unwrap().to_path_buf();
                (relative, fs::read(e.path()).unwrap())
            })
            .collect()
    }

    #[test]
    fn the_shards_are_the_same_in_one_pass_or_many() {
        use super::super::spill::{DocTerms, SpillWriter, SpilledDoc};
        let terms: Vec<Box<str>> = (0..300).map(|t| format!("w{t}").into()).collect();
        let spill_dir = tempfile::tempdir().unwrap();
        let mut writer = SpillWriter::new(spill_dir.path()).unwrap();
        for entry in 0..40u32 {
            let docs: Vec<SpilledDoc> = (0..7u32)
                .map(|unit| SpilledDoc {
                    meta: DocMeta {
                        title: format!("Entry {entry} part {unit}"),
                        crumb: format!("Entry {entry}"),
                        url: format!("jurisdictions/e{entry}/index.html#p{unit}"),
                        kind: Kind::ALL[0],
                        text: "text".into(),
                    },
                    length: 50 + unit,
                    terms: {
                        let mut terms = DocTerms::default();
                        for t in (0..300).filter(|t| (t * 7 + entry * 3 + unit) % 11 < 3) {
                            terms.push(t, 1 + t % 4, &[t % 5, 5 + t % 7]);
                        }
                        terms
                    },
                })
                .collect();
            writer.push(format!("1e{:03}", 39 - entry), &docs).unwrap();
        }
        let spilled = writer.finish().unwrap();
        let (one, many) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        write_in_passes(&spilled, &terms, one.path(), usize::MAX).unwrap();
        write_in_passes(&spilled, &terms, many.path(), 2048).unwrap();
        // About 25 KB of postings: a dozen passes.
        let (one, many) = (files_in(one.path()), files_in(many.path()));
        assert_eq!(one, many);
        // 280 documents in chunks of 16, and every term in some shard.
        let chunks = one
            .keys()
            .filter(|p| p.starts_with("assets/search/d"))
            .count();
        assert_eq!(chunks, 280usize.div_ceil(DOCS_PER_CHUNK));
        let shards_text: String = one
            .iter()
            .filter(|(p, _)| p.starts_with("assets/search/t"))
            .map(|(_, text)| String::from_utf8_lossy(text).into_owned())
            .collect();
        assert!(
            terms
                .iter()
                .all(|t| shards_text.contains(&format!("\"{t}\":")))
        );
    }

    #[test]
    fn the_index_is_safe_in_a_script() {
        let json =
            serde_json::to_string(&["</script><script>alert(1)</script>", "a\u{2028}b\u{2029}c"])
                .unwrap();
        let safe = script_safe(&json);
        assert!(!safe.contains('<') && !safe.contains('\u{2028}') && !safe.contains('\u{2029}'));
        let back: Vec<String> = serde_json::from_str(&safe).unwrap();
        assert_eq!(
            back,
            ["</script><script>alert(1)</script>", "a\u{2028}b\u{2029}c"]
        );
    }
}
