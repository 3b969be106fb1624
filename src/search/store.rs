//! The units file (each unit's displayed text, compressed, beside the index) and the facet labels file.

use super::*;

/// What a hit shows of a unit, kept beside the index rather than in tantivy's doc store.
#[derive(Debug, Default, PartialEq)]
pub(super) struct Shown {
    pub(super) kind: String,
    pub(super) jurisdiction: String,
    pub(super) url: String,
    pub(super) title: String,
    pub(super) breadcrumb: String,
    pub(super) text: String,
    pub(super) original_title: String,
    pub(super) original_lang: String,
}

impl Shown {
    /// Appends the unit's shown parts, each as a little-endian `u32` length and its bytes.
    pub(super) fn encode(unit: &Unit, out: &mut Vec<u8>) {
        let parts = [
            unit.kind.key(),
            unit.jurisdiction.map_or("", |j| j.id.as_str()),
            &unit.url,
            &unit.title,
            &unit.breadcrumb,
            &unit.text,
            unit.original_title.unwrap_or(""),
            unit.original_lang.unwrap_or(""),
        ];
        for part in parts {
            let len = u32::try_from(part.len()).unwrap_or(u32::MAX);
            out.extend_from_slice(&len.to_le_bytes());
            out.extend_from_slice(&part.as_bytes()[..len as usize]);
        }
    }

    /// Reads what [`Shown::encode`] wrote; `None` if the bytes are not that.
    pub(super) fn decode(mut bytes: &[u8]) -> Option<Shown> {
        let mut next = || -> Option<String> {
            let (len, rest) = bytes.split_first_chunk::<4>()?;
            let len = usize::try_from(u32::from_le_bytes(*len)).ok()?;
            let (part, rest) = rest.split_at_checked(len)?;
            bytes = rest;
            String::from_utf8(part.to_vec()).ok()
        };
        Some(Shown {
            kind: next()?,
            jurisdiction: next()?,
            url: next()?,
            title: next()?,
            breadcrumb: next()?,
            text: next()?,
            original_title: next()?,
            original_lang: next()?,
        })
    }
}

/// Where a unit's [`Shown`] parts are: `at` = units file number above [`OFFSET_BITS`], offset
/// below; `len` bytes.
#[derive(Debug, Clone, Copy)]
pub(super) struct StoredAt {
    pub(super) at: u64,
    pub(super) len: u64,
}

/// Writes one units file, `jurisdex-units-<n>.bin` in the index directory: a header (magic, the
/// length of the dictionary as a little-endian `u32`, the dictionary), then each unit's encoded
/// [`Shown`] parts as an LZ4 block compressed with the dictionary, after its length (`u32`).
///
/// Units are compressed one by one, so a hit costs one small decompression instead of a 16 KB
/// block of tantivy's doc store, and the dictionary (the last [`DICTIONARY_BYTES`] of the first
/// entry's unit data) makes them compress about as well as those blocks did.
/// The file is written once, in parallel with indexing, and never merged: tantivy's merge then
/// has no doc store to copy, and its memory does not grow with the text.
pub(super) struct UnitsWriter {
    pub(super) number: u64,
    pub(super) dictionary: OnceLock<Vec<u8>>,
    pub(super) file: Mutex<UnitsFile>,
}

pub(super) struct UnitsFile {
    pub(super) out: io::BufWriter<fs::File>,
    /// Bytes written so far; 0 until the header is.
    pub(super) offset: u64,
}

impl UnitsWriter {
    pub(super) fn create(dir: &Path, number: u64) -> io::Result<UnitsWriter> {
        let path = dir.join(format!("{UNITS_FILE_PREFIX}{number}{UNITS_FILE_SUFFIX}"));
        let file = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)?;
        Ok(UnitsWriter {
            number,
            dictionary: OnceLock::new(),
            file: Mutex::new(UnitsFile {
                out: io::BufWriter::new(file),
                offset: 0,
            }),
        })
    }

    /// Writes the units (encoded [`Shown`] parts) and returns where each is. The first call
    /// makes the dictionary from its own units.
    pub(super) fn write(&self, units: &[Vec<u8>]) -> io::Result<Vec<StoredAt>> {
        let dictionary = self.dictionary.get_or_init(|| {
            let all: Vec<u8> = units.concat();
            all[all.len().saturating_sub(DICTIONARY_BYTES)..].to_vec()
        });
        let mut blocks = Vec::with_capacity(units.len());
        for unit in units {
            let len = u32::try_from(unit.len())
                .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "unit over 4 GB"))?;
            let mut block = vec![0; 4 + lz4_flex::block::get_maximum_output_size(unit.len())];
            block[..4].copy_from_slice(&len.to_le_bytes());
            let written =
                lz4_flex::block::compress_into_with_dict(unit, &mut block[4..], dictionary)
                    .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e.to_string()))?;
            block.truncate(4 + written);
            blocks.push(block);
        }
        let mut file = self.file.lock().unwrap_or_else(PoisonError::into_inner);
        file.write_header(dictionary)?;
        let mut stored = Vec::with_capacity(blocks.len());
        for block in blocks {
            use io::Write as _;
            file.out.write_all(&block)?;
            stored.push(StoredAt {
                at: self.number << OFFSET_BITS | file.offset,
                len: block.len() as u64,
            });
            file.offset += block.len() as u64;
        }
        Ok(stored)
    }

    /// Flushes the file to disk (with an empty dictionary if no unit was written).
    pub(super) fn finish(self) -> io::Result<()> {
        let dictionary = self.dictionary.get().map_or(&[][..], Vec::as_slice);
        let mut file = self
            .file
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner);
        file.write_header(dictionary)?;
        let file = file
            .out
            .into_inner()
            .map_err(io::IntoInnerError::into_error)?;
        file.sync_all()
    }
}

impl UnitsFile {
    pub(super) fn write_header(&mut self, dictionary: &[u8]) -> io::Result<()> {
        use io::Write as _;
        if self.offset > 0 {
            return Ok(());
        }
        let len = u32::try_from(dictionary.len()).unwrap_or(u32::MAX);
        self.out.write_all(UNITS_MAGIC)?;
        self.out.write_all(&len.to_le_bytes())?;
        self.out.write_all(dictionary)?;
        self.offset = (UNITS_MAGIC.len() + 4 + dictionary.len()) as u64;
        Ok(())
    }
}

/// The units files of an index, each with its dictionary. Units are read with positioned reads
/// (`pread`), not mapped: a hit reads a few hundred bytes, and the files' pages then stay in the
/// kernel's page cache instead of counting towards the server's resident memory (the units file
/// of the 10,000-entry corpus is 160 MB).
pub(super) struct UnitsReader {
    /// By file number.
    pub(super) files: Vec<UnitsFileReader>,
}

pub(super) struct UnitsFileReader {
    pub(super) file: fs::File,
    pub(super) len: u64,
    pub(super) dictionary: Vec<u8>,
}

impl UnitsReader {
    pub(super) fn open(dir: &Path) -> Result<UnitsReader, SearchError> {
        let mut files = Vec::new();
        for number in 0.. {
            let path = dir.join(format!("{UNITS_FILE_PREFIX}{number}{UNITS_FILE_SUFFIX}"));
            if !path.exists() {
                break;
            }
            let file = UnitsFileReader::open(&path)
                .ok_or_else(|| SearchError::Damaged { path: path.clone() })?;
            files.push(file);
        }
        Ok(UnitsReader { files })
    }

    /// The shown parts of the unit stored at `stored`.
    pub(super) fn get(&self, stored: StoredAt) -> tantivy::Result<Shown> {
        let damaged = || tantivy::TantivyError::InternalError("damaged units file".to_owned());
        let file = usize::try_from(stored.at >> OFFSET_BITS).map_err(|_| damaged())?;
        let file = self.files.get(file).ok_or_else(damaged)?;
        let start = stored.at & ((1 << OFFSET_BITS) - 1);
        if start.saturating_add(stored.len) > file.len {
            return Err(damaged());
        }
        let mut block = vec![0; usize::try_from(stored.len).map_err(|_| damaged())?];
        read_exact_at(&file.file, &mut block, start)?;
        let (raw_len, compressed) = block.split_first_chunk::<4>().ok_or_else(damaged)?;
        let mut raw = vec![0; u32::from_le_bytes(*raw_len) as usize];
        lz4_flex::block::decompress_into_with_dict(compressed, &mut raw, &file.dictionary)
            .map_err(|_| damaged())?;
        Shown::decode(&raw).ok_or_else(damaged)
    }
}

impl UnitsFileReader {
    /// Opens a units file and reads its header; `None` if it is not one.
    pub(super) fn open(path: &Path) -> Option<UnitsFileReader> {
        let file = fs::File::open(path).ok()?;
        let len = file.metadata().ok()?.len();
        let mut head = [0; UNITS_MAGIC.len() + 4];
        read_exact_at(&file, &mut head, 0).ok()?;
        let dictionary_len = head.strip_prefix(UNITS_MAGIC)?.first_chunk::<4>()?;
        let dictionary_len = u64::from(u32::from_le_bytes(*dictionary_len));
        if head.len() as u64 + dictionary_len > len {
            return None;
        }
        let mut dictionary = vec![0; usize::try_from(dictionary_len).ok()?];
        read_exact_at(&file, &mut dictionary, head.len() as u64).ok()?;
        Some(UnitsFileReader {
            file,
            len,
            dictionary,
        })
    }
}

/// Display names of regions and groupings, stored beside the index for facet labels, and the
/// places of the indexed entries (see [`Place`]).
#[derive(Debug, Default, Serialize, Deserialize)]
pub(super) struct Labels {
    pub(super) regions: BTreeMap<String, String>,
    pub(super) groupings: BTreeMap<String, String>,
    /// Place number `n` (of `facet_place`) is `places[n - 1]`.
    pub(super) places: Vec<Place>,
}

impl Labels {
    pub(super) fn from_taxonomy(taxonomy: &Taxonomy) -> Labels {
        let names = |groups: &[crate::model::Group]| {
            groups
                .iter()
                .map(|g| (g.id.clone(), g.name.clone()))
                .collect()
        };
        Labels {
            regions: names(&taxonomy.regions),
            groupings: names(&taxonomy.groupings),
            places: Vec::new(),
        }
    }

    /// Words that place a unit, so that `indonesia blocking` finds Indonesia's powers even when
    /// their text never names the country.
    pub(super) fn context(&self, j: &Jurisdiction) -> String {
        let mut words = vec![j.name.as_str(), j.iso.as_str()];
        words.extend(j.aliases.iter().map(String::as_str));
        words.extend(self.regions.get(&j.region).map(String::as_str));
        words.extend(
            j.groupings
                .iter()
                .filter_map(|g| self.groupings.get(g))
                .map(String::as_str),
        );
        words.join(" · ")
    }

    pub(super) fn label(&self, key: FilterKey, value: &str) -> String {
        let found = match key {
            FilterKey::Region => self.regions.get(value).cloned(),
            FilterKey::Grouping => self.groupings.get(value).cloned(),
            FilterKey::Kind => Kind::ALL
                .iter()
                .find(|k| k.key() == value)
                .map(|k| k.label().to_owned()),
            FilterKey::Value => Value::from_key(value).map(|v| v.label().to_owned()),
            FilterKey::AuthorityType => {
                AuthorityType::from_key(value).map(|a| a.label().to_owned())
            }
            FilterKey::Jurisdiction | FilterKey::Safeguard | FilterKey::Status => None,
        };
        found.unwrap_or_else(|| value.to_owned())
    }
}

/// Writes the labels file as a new file: one linked from a previous index is left unchanged.
pub(super) fn write_labels(dir: &Path, labels: &Labels) -> Result<(), SearchError> {
    let path = dir.join(LABELS_FILE);
    let json = serde_json::to_vec_pretty(labels).map_err(|source| SearchError::LabelsJson {
        path: path.clone(),
        source,
    })?;
    let staged = dir.join(format!("{LABELS_FILE}.new"));
    fs::write(&staged, json)
        .and_then(|()| fs::rename(&staged, &path))
        .map_err(|source| SearchError::LabelsIo { path, source })
}

pub(super) fn read_labels(dir: &Path) -> Result<Labels, SearchError> {
    let path = dir.join(LABELS_FILE);
    let json = fs::read(&path).map_err(|source| SearchError::LabelsIo {
        path: path.clone(),
        source,
    })?;
    serde_json::from_slice(&json).map_err(|source| SearchError::LabelsJson { path, source })
}

/// Reads exactly `buf.len()` bytes at `offset` without moving the file's cursor, so that the
/// search threads share one handle (`pread` on Unix, `seek_read` on Windows).
#[cfg(unix)]
fn read_exact_at(file: &fs::File, buf: &mut [u8], offset: u64) -> io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buf, offset)
}

/// Reads exactly `buf.len()` bytes at `offset` without moving the file's cursor, so that the
/// search threads share one handle (`pread` on Unix, `seek_read` on Windows).
#[cfg(windows)]
fn read_exact_at(file: &fs::File, mut buf: &mut [u8], mut offset: u64) -> io::Result<()> {
    use std::os::windows::fs::FileExt;
    while !buf.is_empty() {
        match file.seek_read(buf, offset)? {
            0 => return Err(io::ErrorKind::UnexpectedEof.into()),
            n => {
                buf = &mut buf[n..];
                offset += n as u64;
            }
        }
    }
    Ok(())
}
