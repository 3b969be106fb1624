//! Versioned snapshots: one built site and its search index, swapped atomically, each request holding the one it started with.

use super::*;

/// The content as request handlers see it.
pub(super) struct ServedContent {
    pub(super) nav: Nav,
    /// The entries' summaries, taxonomy, topics, pages and collections.
    pub(super) catalog: Catalog,
    pub(super) ids: HashSet<String>,
    /// Old id → current id.
    pub(super) aliases: HashMap<String, String>,
    /// The matrix exports, written (and compressed) on first request and shared by every answer:
    /// a thousand clients downloading one hold one copy and cost no compression each. The base URL
    /// is fixed for the life of a server.
    pub(super) exports: [ExportBodies; 2],
}

impl ServedContent {
    pub(super) fn new(catalog: Catalog) -> ServedContent {
        ServedContent {
            nav: Nav::new(&catalog.pages),
            ids: catalog.entries.iter().map(|j| j.id.clone()).collect(),
            aliases: catalog
                .entries
                .iter()
                .flat_map(|j| j.aliases.iter().map(move |a| (a.clone(), j.id.clone())))
                .collect(),
            catalog,
            exports: Default::default(),
        }
    }
}

/// Why a built site could not be opened for serving.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error(transparent)]
    Search(#[from] SearchError),
    #[error(transparent)]
    Catalog(#[from] CatalogError),
}

/// After this many edits served as layers, the next change rebuilds in full. A compaction
/// ([`super::watch::COMPACT_AT`]) normally replaces the layers long before.
pub const MAX_LAYERS: usize = 64;

/// A directory of built files, removed with the last snapshot using it when it is private.
pub(super) struct Layer {
    pub(super) dir: PathBuf,
    pub(super) owned: bool,
}

impl Drop for Layer {
    fn drop(&mut self) {
        if self.owned {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// One complete built version: its files, search index and what the handlers need to know.
///
/// The files are one full build, or layers: an incremental rebuild writes only the changed pages
/// (and its index) into a new directory that is consulted before the previous version's.
pub struct Snapshot {
    /// Newest first; the last is a full build.
    pub(super) layers: Vec<Arc<Layer>>,
    /// Shared with the next version while that one's pages are served before its index is written.
    pub(super) index: Arc<SearchIndex>,
    /// Where `index` was opened from: the base of the next incremental rebuild's index.
    pub(super) index_dir: PathBuf,
    pub(super) renderer: Renderer,
    pub(super) meta: SiteMeta,
    /// What handlers know of the content, shared by versions whose listings are the same.
    pub(super) listing: Arc<ServedContent>,
    pub(super) cache: SearchCache,
    pub(super) version: u64,
    /// The listing pages of the edit this version serves, while they are written into its layer.
    pub(super) pending: Option<Arc<PendingListings>>,
}

impl Snapshot {
    /// Opens a built site directory; `owned` directories are removed with the last snapshot.
    pub fn open(
        dir: &Path,
        options: &Config,
        version: u64,
        owned: bool,
    ) -> Result<Snapshot, OpenError> {
        let layer = Layer {
            dir: dir.to_path_buf(),
            owned,
        };
        let index_dir = dir.join(INDEX_DIR);
        let index = Arc::new(SearchIndex::open(&index_dir)?);
        let listing = Arc::new(ServedContent::new(Catalog::open(dir)?));
        Ok(Snapshot::new(
            options,
            version,
            vec![Arc::new(layer)],
            (index, index_dir),
            listing,
        ))
    }

    /// The layers of an incremental rebuild written into `dir`, served over `previous`'s; `dir`
    /// is private and removed with the last snapshot that uses these layers.
    pub(super) fn layers_over(dir: PathBuf, previous: &Snapshot) -> Vec<Arc<Layer>> {
        let mut layers = vec![Arc::new(Layer { dir, owned: true })];
        layers.extend(previous.layers.iter().cloned());
        layers
    }

    /// A version served from `layers` (newest first), answering searches with `index`, opened
    /// from the directory beside it.
    pub(super) fn new(
        options: &Config,
        version: u64,
        layers: Vec<Arc<Layer>>,
        (index, index_dir): (Arc<SearchIndex>, PathBuf),
        listing: Arc<ServedContent>,
    ) -> Snapshot {
        Snapshot {
            layers,
            index,
            index_dir,
            renderer: Renderer::new(&options.templates_dir),
            meta: options.meta(),
            listing,
            cache: SearchCache::default(),
            version,
            pending: None,
        }
    }

    /// The version of an incremental rebuild's first step ([`site::update`]): its directory
    /// served over `previous`'s layers and answering searches with `previous`'s index, its stale
    /// listing pages rendered on request until [`site::update_listings`] has written them (see
    /// [`Snapshot::pending`]). The directory is removed with the last snapshot using it.
    pub fn edited(
        options: &Config,
        previous: &Snapshot,
        updated: site::Updated,
        version: u64,
    ) -> Snapshot {
        let layers = Snapshot::layers_over(updated.dir, previous);
        let listing = Arc::new(ServedContent::new(updated.catalog));
        let index = (previous.index.clone(), previous.index_dir.clone());
        Snapshot {
            pending: Some(Arc::new(PendingListings::new(updated.stale))),
            ..Snapshot::new(options, version, layers, index, listing)
        }
    }

    /// The listing pages this version renders on request, until they are written.
    pub fn pending(&self) -> Option<&Arc<PendingListings>> {
        self.pending.as_ref()
    }

    /// The catalog this version serves.
    pub fn catalog(&self) -> &Catalog {
        &self.listing.catalog
    }

    /// The version number (increments on every successful rebuild).
    pub fn version(&self) -> u64 {
        self.version
    }

    /// The directories of this version, newest first.
    pub fn dirs(&self) -> Vec<PathBuf> {
        self.layers.iter().map(|l| l.dir.clone()).collect()
    }

    /// A request path relative to the site root, without its leading `/`.
    fn site_relative<'a>(&self, path: &'a str) -> &'a str {
        path.strip_prefix(&self.meta.root)
            .unwrap_or(path)
            .trim_start_matches('/')
    }

    /// The file a request path names (`/a/` → `a/index.html`) when it is one of the pending
    /// listing pages of this version, rendered from its catalog.
    pub(super) fn pending_file(&self, path: &str) -> Option<OutputFile> {
        let pending = self.pending.as_ref()?;
        let relative = self.site_relative(path);
        let file = if relative.is_empty() || relative.ends_with('/') {
            format!("{relative}index.html")
        } else {
            relative.to_string()
        };
        let listing = pending.listing_of(&file)?;
        let rendered = self.renderer.render_listing(
            &self.listing.catalog,
            &self.meta,
            &self.listing.nav,
            listing,
        );
        match rendered {
            Ok(files) => files.into_iter().find(|f| f.path == Path::new(&file)),
            Err(error) => {
                tracing::warn!(%error, file, "a pending listing page failed to render: serving the file written before");
                None
            }
        }
    }

    /// The directory holding the file a request path names (`/a/` → `a/index.html`): the newest
    /// layer that has it, else the full build (which then answers 404).
    pub(super) fn dir_for(&self, path: &str) -> &Path {
        let relative = self.site_relative(path);
        let newer = &self.layers[..self.layers.len() - 1];
        newer
            .iter()
            .find(|layer| {
                let file = layer.dir.join(relative);
                file.is_file() || file.join("index.html").is_file()
            })
            .or(self.layers.last())
            .map_or(Path::new("."), |layer| layer.dir.as_path())
    }
}

/// The listing pages an edit changed ([`site::Updated::stale`]), from the moment its pages are
/// served until they are written into its layer: meanwhile a request for one of their files is
/// answered by rendering it, so no page shows the entry as it was before the edit.
pub struct PendingListings {
    listings: Vec<Listing>,
    /// Each file of a pending page, relative to the site root → its page in `listings`.
    by_file: HashMap<String, usize>,
    /// `None` while the pages are written; then whether they were.
    written: Mutex<Option<bool>>,
    finished: Condvar,
}

impl PendingListings {
    pub fn new(listings: Vec<Listing>) -> PendingListings {
        let by_file = listings
            .iter()
            .enumerate()
            .flat_map(|(at, listing)| listing.files().into_iter().map(move |file| (file, at)))
            .collect();
        PendingListings {
            listings,
            by_file,
            written: Mutex::new(None),
            finished: Condvar::new(),
        }
    }

    /// The pages to write.
    pub fn listings(&self) -> &[Listing] {
        &self.listings
    }

    /// The page that writes `file` (relative to the site root), if it is pending.
    fn listing_of(&self, file: &str) -> Option<&Listing> {
        self.by_file.get(file).map(|&at| &self.listings[at])
    }

    /// Records whether the pages were written, for [`PendingListings::wait`]; the first call
    /// counts.
    pub fn finish(&self, written: bool) {
        self.written
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get_or_insert(written);
        self.finished.notify_all();
    }

    /// Waits until the pages are written or have failed to be; whether they were. The next edit
    /// waits for this before it builds on the layer they are written into.
    pub fn wait(&self) -> bool {
        let mut written = self.written.lock().unwrap_or_else(PoisonError::into_inner);
        loop {
            if let Some(done) = *written {
                return done;
            }
            written = self
                .finished
                .wait(written)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }
}

/// Shared server state: the current snapshot, swappable.
#[derive(Clone)]
pub struct AppState {
    pub(super) current: Arc<RwLock<Arc<Snapshot>>>,
    pub(super) searches: Arc<SearchPool>,
}

impl AppState {
    /// State serving one snapshot.
    pub fn new(snapshot: Snapshot) -> AppState {
        AppState::with_search_threads(snapshot, cores())
    }

    /// State serving one snapshot with `threads` search threads (`serve` runs one per core; with
    /// none, every search answers `503`).
    pub fn with_search_threads(snapshot: Snapshot, threads: usize) -> AppState {
        AppState {
            current: Arc::new(RwLock::new(Arc::new(snapshot))),
            searches: Arc::new(SearchPool::new(threads)),
        }
    }

    /// The snapshot to use for one request.
    pub fn snapshot(&self) -> Arc<Snapshot> {
        match self.current.read() {
            Ok(guard) => guard.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Makes `snapshot` current; the previous one is dropped when its last request finishes.
    pub fn swap(&self, snapshot: Snapshot) {
        let next = Arc::new(snapshot);
        match self.current.write() {
            Ok(mut guard) => *guard = next,
            Err(poisoned) => *poisoned.into_inner() = next,
        }
    }

    /// Makes `snapshot` current if `expected` still is; returns whether it did.
    pub fn swap_if_current(&self, expected: &Arc<Snapshot>, snapshot: Snapshot) -> bool {
        let mut guard = self.current.write().unwrap_or_else(PoisonError::into_inner);
        if !Arc::ptr_eq(&guard, expected) {
            return false;
        }
        *guard = Arc::new(snapshot);
        true
    }
}
