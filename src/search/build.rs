//! Building the index: from many threads at once for a full build, and one entry's units replaced for an edit.

use super::*;

/// Writes a new index into `dir` entry by entry.
///
/// Documents go to [`WRITER_THREADS`] tantivy indexing threads, each writing a segment whenever
/// its heap is full; [`finish`](IndexBuilder::finish) merges them into one segment, which every
/// query then visits once instead of once per segment (at 10,000 entries, one segment instead of
/// eight halved the time of the cache-hostile queries).
pub struct IndexBuilder(pub(super) EntryIndexer);

impl IndexBuilder {
    /// Creates the directory and an empty index in it; `dir` must not already hold an index.
    pub fn create(dir: &Path, taxonomy: &Taxonomy) -> Result<IndexBuilder, SearchError> {
        let tantivy_error = tantivy_error(dir);
        fs::create_dir_all(dir).map_err(|source| SearchError::CreateDir {
            path: dir.to_path_buf(),
            source,
        })?;
        let (schema, fields) = Fields::schema();
        let index = Index::create_in_dir(dir, schema).map_err(tantivy_error)?;
        register_tokenizers(&index).map_err(tantivy_error)?;
        let writer: IndexWriter = index
            .writer_with_num_threads(
                WRITER_THREADS,
                WRITER_THREADS * WRITER_HEAP_BYTES_PER_THREAD,
            )
            .map_err(tantivy_error)?;
        // One merge of everything at the end costs less than merging as segments appear.
        writer.set_merge_policy(Box::new(NoMergePolicy));
        Ok(IndexBuilder(EntryIndexer {
            dir: dir.to_path_buf(),
            index: writer,
            units: UnitsWriter::create(dir, 0).map_err(units_error(dir))?,
            fields,
            labels: Labels::from_taxonomy(taxonomy),
            places: Mutex::default(),
        }))
    }

    /// Adds one jurisdiction's units. Callable from many threads at once.
    pub fn add_entry(&self, j: &Jurisdiction) -> Result<(), SearchError> {
        self.0.add_entry(j)
    }

    /// Adds the topic and page units.
    pub fn add_site_units(
        &self,
        topics: &[Topic],
        pages: &[SitePage],
        frameworks: &[Framework],
    ) -> Result<(), SearchError> {
        let (topics, pages) = site_units(topics, pages, frameworks);
        let keyed: Vec<(Unit, String)> = (0..)
            .zip(topics)
            .map(|(k, unit)| (unit, SortKey::topic(k)))
            .chain((0..).zip(pages).map(|(k, unit)| (unit, SortKey::page(k))))
            .collect();
        self.0.add(&keyed, 0)
    }

    /// Commits, merges the segments into one and writes the units and labels files.
    pub fn finish(mut self) -> Result<(), SearchError> {
        let tantivy_error = tantivy_error(&self.0.dir);
        let started = Instant::now();
        self.0.index.commit().map_err(tantivy_error)?;
        let committed = started.elapsed();
        let segments = self
            .0
            .index
            .index()
            .searchable_segment_ids()
            .map_err(tantivy_error)?;
        if segments.len() > 1 {
            self.0
                .index
                .merge(&segments)
                .wait()
                .map_err(tantivy_error)?;
        }
        tracing::debug!(
            "search index: committed in {committed:.2?}, {} segments merged in {:.2?}",
            segments.len(),
            started.elapsed() - committed
        );
        self.0.close()
    }
}

/// Adds units to an index and their shown parts to a units file.
pub(super) struct EntryIndexer {
    pub(super) dir: PathBuf,
    pub(super) index: IndexWriter,
    pub(super) units: UnitsWriter,
    pub(super) fields: Fields,
    pub(super) labels: Labels,
    pub(super) places: Mutex<Places>,
}

impl EntryIndexer {
    /// Adds one jurisdiction's units, keyed by their position in its page.
    pub(super) fn add_entry(&self, j: &Jurisdiction) -> Result<(), SearchError> {
        let mut units = Vec::new();
        jurisdiction_units(j, &mut units);
        let keyed: Vec<(Unit, String)> = units
            .into_iter()
            .enumerate()
            .map(|(position, unit)| (unit, SortKey::entry_unit(j, position)))
            .collect();
        let place = self
            .places
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .number(j);
        self.add(&keyed, place)
    }

    /// Adds units of one place (0: none).
    pub(super) fn add(&self, keyed: &[(Unit, String)], place: u64) -> Result<(), SearchError> {
        let encoded: Vec<Vec<u8>> = keyed
            .iter()
            .map(|(unit, _)| {
                let mut bytes = Vec::new();
                Shown::encode(unit, &mut bytes);
                bytes
            })
            .collect();
        let stored = self.units.write(&encoded).map_err(units_error(&self.dir))?;
        for ((unit, key), at) in keyed.iter().zip(stored) {
            let doc = self.fields.document(unit, &self.labels, key, place, at);
            self.index
                .add_document(doc)
                .map_err(tantivy_error(&self.dir))?;
        }
        Ok(())
    }

    /// Waits for tantivy's threads (after a commit), then writes the units and labels files.
    pub(super) fn close(self) -> Result<(), SearchError> {
        self.index
            .wait_merging_threads()
            .map_err(tantivy_error(&self.dir))?;
        self.units.finish().map_err(units_error(&self.dir))?;
        let mut labels = self.labels;
        labels.places = self
            .places
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner)
            .list;
        write_labels(&self.dir, &labels)?;
        share_meta_files(&self.dir)
    }
}

/// tantivy writes its meta files (`meta.json`, `.managed.json`) through temporary files, which
/// only their owner may read. They get the labels file's permissions, as every other file of the
/// index has, so that a server running as another user (a container, a systemd service) can
/// open an index it did not build.
fn share_meta_files(dir: &Path) -> Result<(), SearchError> {
    let labels = dir.join(LABELS_FILE);
    let permissions = fs::metadata(&labels)
        .map_err(|source| SearchError::LabelsIo {
            path: labels,
            source,
        })?
        .permissions();
    for name in ["meta.json", ".managed.json"] {
        let path = dir.join(name);
        if path.exists() {
            fs::set_permissions(&path, permissions.clone())
                .map_err(|source| SearchError::Permissions { path, source })?;
        }
    }
    Ok(())
}

/// Writes the search index for `site` into `dir`, creating the directory; `dir` must not already
/// hold an index.
pub fn build_index(site: &Site, dir: &Path) -> Result<(), SearchError> {
    let builder = IndexBuilder::create(dir, &site.taxonomy)?;
    for j in &site.jurisdictions {
        builder.add_entry(j)?;
    }
    builder.add_site_units(&site.topics, &site.pages, &site.frameworks)?;
    builder.finish()
}

/// Writes into `dir` the index in `base` with the documents of `entries` replaced by theirs;
/// `taxonomy` gives the labels (regions and groupings are unchanged).
///
/// `base` is not modified: its files are hard-linked into `dir` (tantivy never rewrites a segment
/// file, and replaces its meta files by rename), then one segment with the new documents and the
/// deletions is committed in `dir`, without merging. Readers of `base` are unaffected.
pub fn update_index(
    base: &Path,
    dir: &Path,
    taxonomy: &Taxonomy,
    entries: &[Jurisdiction],
) -> Result<(), SearchError> {
    let tantivy_error = tantivy_error(dir);
    let create_error = |source| SearchError::CreateDir {
        path: dir.to_path_buf(),
        source,
    };
    fs::create_dir_all(dir).map_err(create_error)?;
    for entry in fs::read_dir(base).map_err(create_error)? {
        let name = entry.map_err(create_error)?.file_name();
        // Lock files belong to the index they lock.
        if !name.to_string_lossy().starts_with(".tantivy-") {
            fs::hard_link(base.join(&name), dir.join(&name)).map_err(create_error)?;
        }
    }
    let index = Index::open_in_dir(dir).map_err(tantivy_error)?;
    register_tokenizers(&index).map_err(tantivy_error)?;
    let fields = Fields::schema().1;
    let index_writer: IndexWriter = index
        .writer_with_num_threads(1, UPDATE_HEAP_BYTES)
        .map_err(tantivy_error)?;
    index_writer.set_merge_policy(Box::new(NoMergePolicy));
    // The previous units files are linked, unchanged; the new units go to a file of their own.
    let number = (0..)
        .find(|n| {
            !dir.join(format!("{UNITS_FILE_PREFIX}{n}{UNITS_FILE_SUFFIX}"))
                .exists()
        })
        .unwrap_or(0);
    // The previous documents keep their place numbers; new places are numbered after them.
    let places = Places::new(read_labels(base)?.places);
    let mut writer = EntryIndexer {
        dir: dir.to_path_buf(),
        index: index_writer,
        units: UnitsWriter::create(dir, number).map_err(units_error(dir))?,
        fields,
        labels: Labels::from_taxonomy(taxonomy),
        places: Mutex::new(places),
    };
    for j in entries {
        writer
            .index
            .delete_term(Term::from_field_text(fields.jurisdiction, &j.id));
        writer.add_entry(j)?;
    }
    writer.index.commit().map_err(tantivy_error)?;
    writer.close()
}
