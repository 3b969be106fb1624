//! The files of the client index and their compact encodings: every file is a script that hands
//! its part to `jurisdexSearchPart(kind, number, data)` in `offline-search.js`, except the root,
//! which sets `window.JURISDEX_SEARCH`.
//!
//! - `index.js`: `{"docs": N, "shards": S, "chunk": C, "kinds": [...], "lengths": [...]}`, or
//!   `{"left_out": entries}` when the build left the index out (see `StaticSearch`);
//! - `t/<shard>.js`: `{"term": postings…}` for the terms whose [`shard_of`] is `shard`, each
//!   posting list the base64 of (doc id delta as a LEB128 varint, BM25 weight byte) pairs, the
//!   first delta from 0;
//! - `v/<length>.js`: the words of that many characters (no filters, no unspaced bigrams),
//!   space-separated, the most frequent first, for typo corrections;
//! - `d/<chunk>.js`: `[[title, breadcrumb, url, kind number, snippet text]…]` for C documents in
//!   id order; a url on the same page as the one before is written as its `#anchor` alone.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use super::super::SearchError;
use super::super::analysis::is_unspaced;
use super::super::units::Kind;
use super::{ClientDoc, term_weight};
use crate::html::script_safe;

/// The client index's folder, relative to the site root; its root file is
/// [`crate::routes::CLIENT_INDEX_FILE`].
pub const CLIENT_INDEX_DIR: &str = "assets/search";

/// Bytes of postings aimed at per term shard: a query of two words loads about twice this.
const SHARD_BYTES: usize = 24 * 1024;

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

/// Writes the client index of `docs` (in id order) and `terms` (by number) into `site_dir`.
pub(super) fn write(
    docs: &[ClientDoc],
    terms: &[Box<str>],
    site_dir: &Path,
) -> Result<(), SearchError> {
    let dir = site_dir.join(CLIENT_INDEX_DIR);
    let average = docs.iter().map(|d| f64::from(d.length)).sum::<f64>() / docs.len().max(1) as f64;
    let mut postings: Vec<Vec<u8>> = vec![Vec::new(); terms.len()];
    let mut last: Vec<u32> = vec![0; terms.len()];
    let mut frequency: Vec<u32> = vec![0; terms.len()];
    for (id, doc) in (0u32..).zip(docs) {
        for &(term, count) in &doc.terms {
            let t = term as usize;
            varint(id - last[t], &mut postings[t]);
            postings[t].push(term_weight(count, doc.length, average));
            last[t] = id;
            frequency[t] += 1;
        }
    }
    let total: usize = postings.iter().map(|p| p.len().div_ceil(3) * 4).sum();
    let shards = u32::try_from(total.div_ceil(SHARD_BYTES).max(1)).unwrap_or(u32::MAX);

    let mut sharded: Vec<BTreeMap<&str, String>> = vec![BTreeMap::new(); shards as usize];
    for (term, list) in terms.iter().zip(&postings) {
        sharded[shard_of(term, shards) as usize].insert(term, base64(list));
    }
    drop(postings);
    for (number, shard) in sharded.iter().enumerate() {
        put(&dir, "t", number, &json(shard))?;
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

    let kind_number = |kind: Kind| Kind::ALL.iter().position(|&k| k == kind).unwrap_or(0);
    for (number, chunk) in docs.chunks(DOCS_PER_CHUNK).enumerate() {
        let mut page = "";
        let rows: Vec<serde_json::Value> = chunk
            .iter()
            .map(|doc| {
                let (this_page, anchor) = doc.url.split_once('#').unwrap_or((&doc.url, ""));
                let url = if this_page == page && !anchor.is_empty() {
                    format!("#{anchor}")
                } else {
                    doc.url.to_string()
                };
                page = this_page;
                serde_json::json!([doc.title, doc.crumb, url, kind_number(doc.kind), doc.text])
            })
            .collect();
        put(&dir, "d", number, &json(&rows))?;
    }

    let root = serde_json::json!({
        "docs": docs.len(),
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

/// Appends `n` as an unsigned LEB128 varint: seven bits a byte, the high bit set on all but the
/// last.
fn varint(mut n: u32, out: &mut Vec<u8>) {
    while n >= 0x80 {
        out.push((n & 0x7f) as u8 | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
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
    fn varints_and_base64_match_their_specifications() {
        let mut out = Vec::new();
        for n in [0, 1, 127, 128, 300, u32::MAX] {
            varint(n, &mut out);
        }
        assert_eq!(
            out,
            [0, 1, 127, 0x80, 1, 0xac, 2, 0xff, 0xff, 0xff, 0xff, 0x0f]
        );
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
        assert_eq!(base64(&[0xff, 0xfe]), "//4=");
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
