//! The client index's documents kept on disk while the entries stream in, so that a build holds
//! only the vocabulary and one small record per entry, whatever the number of entries.
//!
//! Each entry's units go, as they arrive (in any order), into two unnamed temporary files in the
//! build's directory: their metadata (title, breadcrumb, url, kind, snippet text) and their
//! weighted word counts. When every entry is in, the records are sorted into browse order and
//! read back in that order, which numbers the documents, once for the metadata chunks and once
//! or more for the postings.

use std::fs::File;
use std::io::{self, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::Path;

use super::super::units::Kind;

/// One unit as the client index keeps it, before it is numbered.
pub(super) struct SpilledDoc {
    pub(super) meta: DocMeta,
    /// The weighted number of words.
    pub(super) length: u32,
    /// Its terms, by ascending number.
    pub(super) terms: DocTerms,
}

/// A unit's terms, by ascending number, each with its weighted count (0 for filter terms) and
/// the positions of its words in the unit (none for filter terms), kept in one flat list.
#[derive(Default, Debug, PartialEq)]
pub(super) struct DocTerms {
    /// (term number, weighted count, end of its positions in `positions`).
    terms: Vec<(u32, u32, usize)>,
    positions: Vec<u32>,
}

impl DocTerms {
    /// Adds the next term, numbered above the last, with its ascending `positions`.
    pub(super) fn push(&mut self, term: u32, count: u32, positions: &[u32]) {
        self.positions.extend_from_slice(positions);
        self.terms.push((term, count, self.positions.len()));
    }

    /// Each term with its weighted count and positions.
    pub(super) fn iter(&self) -> impl Iterator<Item = (u32, u32, &[u32])> {
        let mut start = 0;
        self.terms.iter().map(move |&(term, count, end)| {
            let positions = &self.positions[start..end];
            start = end;
            (term, count, positions)
        })
    }

    fn clear(&mut self) {
        self.terms.clear();
        self.positions.clear();
    }
}

/// What a result shows of a unit.
pub(super) struct DocMeta {
    pub(super) title: String,
    pub(super) crumb: String,
    /// Relative to the site root, naming a file (`jurisdictions/x/index.html#a`).
    pub(super) url: String,
    pub(super) kind: Kind,
    /// The start of the text, for the snippet.
    pub(super) text: String,
}

/// A run of bytes in one of the spill files.
#[derive(Clone, Copy)]
struct Span {
    at: u64,
    len: usize,
}

/// One entry's (or the site pages') documents in the spill files.
struct Record {
    /// Browse order: the records are read back sorted by this key.
    key: String,
    meta: Span,
    terms: Span,
}

/// Appends the documents of entries to the spill files.
pub(super) struct SpillWriter {
    meta: BufWriter<File>,
    terms: BufWriter<File>,
    meta_at: u64,
    terms_at: u64,
    records: Vec<Record>,
    docs: usize,
    total_length: u64,
}

impl SpillWriter {
    /// Spill files in `dir`, removed when they are dropped (or the process ends).
    pub(super) fn new(dir: &Path) -> io::Result<SpillWriter> {
        Ok(SpillWriter {
            meta: BufWriter::new(tempfile::tempfile_in(dir)?),
            terms: BufWriter::new(tempfile::tempfile_in(dir)?),
            meta_at: 0,
            terms_at: 0,
            records: Vec::new(),
            docs: 0,
            total_length: 0,
        })
    }

    /// Appends `docs`, which will be read back in the order of their `key` among all records
    /// (and in their own order within it).
    pub(super) fn push(&mut self, key: String, docs: &[SpilledDoc]) -> io::Result<()> {
        let (mut meta, mut terms) = (Vec::new(), Vec::new());
        for doc in docs {
            encode_meta(&doc.meta, &mut meta);
            encode_terms(doc, &mut terms);
            self.total_length += u64::from(doc.length);
        }
        self.meta.write_all(&meta)?;
        self.terms.write_all(&terms)?;
        let meta_span = Span {
            at: self.meta_at,
            len: meta.len(),
        };
        let terms_span = Span {
            at: self.terms_at,
            len: terms.len(),
        };
        self.meta_at += meta.len() as u64;
        self.terms_at += terms.len() as u64;
        self.docs += docs.len();
        self.records.push(Record {
            key,
            meta: meta_span,
            terms: terms_span,
        });
        Ok(())
    }

    /// Flushes the files and sorts the records into browse order.
    pub(super) fn finish(self) -> io::Result<Spilled> {
        let mut records = self.records;
        records.sort_unstable_by(|a, b| a.key.cmp(&b.key));
        Ok(Spilled {
            meta: self
                .meta
                .into_inner()
                .map_err(io::IntoInnerError::into_error)?,
            terms: self
                .terms
                .into_inner()
                .map_err(io::IntoInnerError::into_error)?,
            records,
            docs: self.docs,
            total_length: self.total_length,
        })
    }
}

/// The spilled documents in browse order, numbered from 0 in that order.
pub(super) struct Spilled {
    meta: File,
    terms: File,
    records: Vec<Record>,
    pub(super) docs: usize,
    pub(super) total_length: u64,
}

impl Spilled {
    /// Calls `f` with each document's metadata in id order.
    pub(super) fn for_each_meta(&self, mut f: impl FnMut(DocMeta)) -> io::Result<()> {
        let mut buffer = Vec::new();
        for record in &self.records {
            read_span(&self.meta, record.meta, &mut buffer)?;
            let mut bytes = buffer.as_slice();
            while !bytes.is_empty() {
                f(decode_meta(&mut bytes)?);
            }
        }
        Ok(())
    }

    /// Calls `f` with each document's id, weighted length and terms, in id order.
    pub(super) fn for_each_terms(&self, mut f: impl FnMut(u32, u32, &DocTerms)) -> io::Result<()> {
        let mut buffer = Vec::new();
        let mut terms = DocTerms::default();
        let mut positions = Vec::new();
        let mut id = 0u32;
        for record in &self.records {
            read_span(&self.terms, record.terms, &mut buffer)?;
            let mut bytes = buffer.as_slice();
            while !bytes.is_empty() {
                let length = read_varint(&mut bytes)?;
                let count = read_varint(&mut bytes)?;
                terms.clear();
                let mut term = 0u32;
                for _ in 0..count {
                    term = term
                        .checked_add(read_varint(&mut bytes)?)
                        .ok_or_else(corrupt)?;
                    let weight = read_varint(&mut bytes)?;
                    positions.clear();
                    let mut at = 0u32;
                    for _ in 0..read_varint(&mut bytes)? {
                        at = at
                            .checked_add(read_varint(&mut bytes)?)
                            .ok_or_else(corrupt)?;
                        positions.push(at);
                    }
                    terms.push(term, weight, &positions);
                }
                f(id, length, &terms);
                id += 1;
            }
        }
        Ok(())
    }
}

/// Reads `span` of `file` into `buffer`.
fn read_span(mut file: &File, span: Span, buffer: &mut Vec<u8>) -> io::Result<()> {
    buffer.resize(span.len, 0);
    file.seek(SeekFrom::Start(span.at))?;
    file.read_exact(buffer)
}

fn encode_meta(meta: &DocMeta, out: &mut Vec<u8>) {
    for text in [&meta.title, &meta.crumb, &meta.url, &meta.text] {
        write_varint(u32::try_from(text.len()).unwrap_or(u32::MAX), out);
        out.extend_from_slice(text.as_bytes());
    }
    let kind = Kind::ALL.iter().position(|&k| k == meta.kind).unwrap_or(0);
    out.push(u8::try_from(kind).unwrap_or(0));
}

fn decode_meta(bytes: &mut &[u8]) -> io::Result<DocMeta> {
    let mut texts = [String::new(), String::new(), String::new(), String::new()];
    for text in &mut texts {
        let len = read_varint(bytes)? as usize;
        let (head, rest) = bytes.split_at_checked(len).ok_or_else(corrupt)?;
        *text = String::from_utf8(head.to_vec()).map_err(|_| corrupt())?;
        *bytes = rest;
    }
    let (&kind, rest) = bytes.split_first().ok_or_else(corrupt)?;
    *bytes = rest;
    let kind = *Kind::ALL.get(usize::from(kind)).ok_or_else(corrupt)?;
    let [title, crumb, url, text] = texts;
    Ok(DocMeta {
        title,
        crumb,
        url,
        kind,
        text,
    })
}

fn encode_terms(doc: &SpilledDoc, out: &mut Vec<u8>) {
    write_varint(doc.length, out);
    write_varint(
        u32::try_from(doc.terms.terms.len()).unwrap_or(u32::MAX),
        out,
    );
    let mut last = 0;
    for (term, count, positions) in doc.terms.iter() {
        write_varint(term - last, out);
        write_varint(count, out);
        write_varint(u32::try_from(positions.len()).unwrap_or(u32::MAX), out);
        let mut at = 0;
        for &position in positions {
            write_varint(position - at, out);
            at = position;
        }
        last = term;
    }
}

/// Appends `n` as an unsigned LEB128 varint: seven bits a byte, the high bit set on all but the
/// last. The postings the browser reads use the same encoding.
pub(super) fn write_varint(mut n: u32, out: &mut Vec<u8>) {
    while n >= 0x80 {
        out.push((n & 0x7f) as u8 | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

fn read_varint(bytes: &mut &[u8]) -> io::Result<u32> {
    let mut n = 0u32;
    for shift in (0..35).step_by(7) {
        let (&byte, rest) = bytes.split_first().ok_or_else(corrupt)?;
        *bytes = rest;
        n |= u32::from(byte & 0x7f)
            .checked_shl(shift)
            .ok_or_else(corrupt)?;
        if byte < 0x80 {
            return Ok(n);
        }
    }
    Err(corrupt())
}

/// The spill files are written and read by this module alone, within one build: a decoding
/// error means they were damaged under it.
fn corrupt() -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        "the client index's temporary files were changed during the build",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(title: &str, length: u32, terms: &[(u32, u32, &[u32])]) -> SpilledDoc {
        let mut doc_terms = DocTerms::default();
        for &(term, count, positions) in terms {
            doc_terms.push(term, count, positions);
        }
        SpilledDoc {
            meta: DocMeta {
                title: title.into(),
                crumb: "Crumb › é".into(),
                url: format!("jurisdictions/{title}/index.html#a"),
                kind: Kind::ALL[Kind::ALL.len() - 1],
                text: "text".into(),
            },
            length,
            terms: doc_terms,
        }
    }

    #[test]
    fn documents_come_back_in_key_order_and_intact() {
        let dir = tempfile::tempdir().unwrap();
        let mut writer = SpillWriter::new(dir.path()).unwrap();
        writer
            .push(
                "1zeta".into(),
                &[
                    doc("z1", 5, &[(3, 2, &[0, 4]), (700, 1, &[2])]),
                    doc("z2", 1, &[]),
                ],
            )
            .unwrap();
        writer
            .push(
                "1alpha".into(),
                &[doc(
                    "a1",
                    300,
                    &[(0, 0, &[]), (u32::MAX, 9, &[7, 300, 301])],
                )],
            )
            .unwrap();
        let spilled = writer.finish().unwrap();
        assert_eq!((spilled.docs, spilled.total_length), (3, 306));
        let mut titles = Vec::new();
        spilled
            .for_each_meta(|meta| {
                assert_eq!(meta.crumb, "Crumb › é");
                assert_eq!(meta.kind, Kind::ALL[Kind::ALL.len() - 1]);
                titles.push(meta.title);
            })
            .unwrap();
        assert_eq!(titles, ["a1", "z1", "z2"]);
        let mut seen = Vec::new();
        spilled
            .for_each_terms(|id, length, terms| {
                let terms: Vec<_> = terms.iter().map(|(t, c, p)| (t, c, p.to_vec())).collect();
                seen.push((id, length, terms));
            })
            .unwrap();
        assert_eq!(
            seen,
            [
                (
                    0,
                    300,
                    vec![(0, 0, vec![]), (u32::MAX, 9, vec![7, 300, 301])]
                ),
                (1, 5, vec![(3, 2, vec![0, 4]), (700, 1, vec![2])]),
                (2, 1, vec![]),
            ]
        );
    }

    #[test]
    fn varints_match_their_specification() {
        let mut out = Vec::new();
        for n in [0, 1, 127, 128, 300, u32::MAX] {
            write_varint(n, &mut out);
        }
        assert_eq!(
            out,
            [0, 1, 127, 0x80, 1, 0xac, 2, 0xff, 0xff, 0xff, 0xff, 0x0f]
        );
        let mut bytes = out.as_slice();
        for n in [0, 1, 127, 128, 300, u32::MAX] {
            assert_eq!(read_varint(&mut bytes).unwrap(), n);
        }
        assert!(read_varint(&mut [0x80u8].as_slice()).is_err());
    }
}
