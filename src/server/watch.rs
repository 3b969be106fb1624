//! Builds in a child process and `serve --watch`: a changed file is rebuilt (incrementally where it can be) and swapped in.

use super::*;
use std::sync::atomic::{AtomicBool, Ordering};

/// Quiet time after a change before rebuilding: long enough to coalesce an editor's save (write,
/// rename, microseconds apart), short enough not to dominate the edit-to-served time.
pub const WATCH_DEBOUNCE: Duration = Duration::from_millis(15);
/// Prefix of the private directories that `serve --watch` builds each version into.
pub const SNAPSHOT_PREFIX: &str = ".jurisdex-serve-";

/// A new private directory beside `--out` for one served version.
pub(super) fn private_dir(options: &Config) -> Result<PathBuf, ServeError> {
    let parent = site::parent_dir(&options.out_dir);
    Ok(site::work_dir(&parent, SNAPSHOT_PREFIX)?.keep())
}

/// The environment variable that tells a build run by `serve` whose child it is: the build exits
/// when that process is gone ([`exit_with_parent`]), so a killed server leaves no build running.
pub const PARENT_ENV: &str = "JURISDEX_SERVE_PID";

/// The environment variable that asks a build run by `serve` to lower its own CPU priority by
/// this much (`nice`), so that a compaction in the background leaves the cores to the server's
/// answers and to the edits it serves.
pub const NICE_ENV: &str = "JURISDEX_BUILD_NICE";

/// How much a compaction's build lowers its priority ([`NICE_ENV`]).
pub const COMPACTION_NICENESS: i32 = 10;

/// How urgent a build in a child process is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Urgency {
    /// What the server is waiting for: its first build, or a change that cannot be layered.
    Now,
    /// A compaction: the edits it folds in are already served.
    Background,
}

/// Builds the site into `out` in a child process (`jurisdex build`), so that the server's own
/// memory never holds a build: its diagnostics go to the server's stderr. Returns whether the
/// build succeeded. Dropping the future (a newer change, the time limit, the server stopping)
/// kills the build.
pub(super) async fn build_in_child(
    options: &Config,
    out: &Path,
    urgency: Urgency,
) -> Result<bool, ServeError> {
    let exe = std::env::current_exe().map_err(ServeError::Binary)?;
    let mut command = tokio::process::Command::new(exe);
    // The build is short-lived and gives all its memory back when it exits: glibc's own
    // thresholds suit it.
    if std::env::var_os("GLIBC_TUNABLES").is_some_and(|t| t == MALLOC_TUNABLES) {
        command.env_remove("GLIBC_TUNABLES");
    }
    command
        .arg("build")
        .arg("--content")
        .arg(&options.content_dir)
        .arg("--templates")
        .arg(&options.templates_dir)
        .arg("--out")
        .arg(out)
        .arg("--base-url")
        .arg(&options.base_url)
        .env(PARENT_ENV, std::process::id().to_string())
        .stdin(std::process::Stdio::null())
        .kill_on_drop(true);
    if options.dev_reload {
        command.arg("--dev-reload");
    }
    if urgency == Urgency::Background {
        command.env(NICE_ENV, COMPACTION_NICENESS.to_string());
    }
    let mut build = BuildProcess {
        child: Some(command.spawn().map_err(ServeError::Child)?),
        parent: site::parent_dir(out),
    };
    let status = match build.child.as_mut() {
        Some(child) => child.wait().await.map_err(ServeError::Child)?,
        None => unreachable!("the child is taken only here and in drop"),
    };
    build.child = None;
    Ok(status.success())
}

/// A build process under way. Dropped before it ends (cancelled), it is killed and, once it is
/// gone, the working directory it had beside its output is removed.
struct BuildProcess {
    child: Option<tokio::process::Child>,
    parent: PathBuf,
}

impl Drop for BuildProcess {
    fn drop(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        let _ = child.start_kill();
        let parent = std::mem::take(&mut self.parent);
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                let _ = child.wait().await;
                site::remove_orphans(&parent, site::BUILD_PREFIX);
            });
        }
    }
}

/// In a build run by `serve` (see [`PARENT_ENV`]) into `out`: exits as soon as the server is
/// gone, however it went (SIGKILL included), so no build outlives it, and removes its working
/// directory first. Checked every [`PARENT_CHECK`]. A build asked to ([`NICE_ENV`]) first lowers
/// its priority.
pub fn exit_with_parent(out: &Path) {
    // Before any thread starts, so that every thread of the build inherits it.
    #[cfg(target_os = "linux")]
    if let Some(niceness) = std::env::var(NICE_ENV)
        .ok()
        .and_then(|n| n.parse::<i32>().ok())
    {
        let _ = rustix::process::setpriority_process(None, niceness);
    }
    let parent_dir = site::parent_dir(out);
    #[cfg(unix)]
    if let Some(parent) = std::env::var(PARENT_ENV)
        .ok()
        .and_then(|pid| pid.parse::<u32>().ok())
    {
        std::thread::spawn(move || {
            loop {
                if std::os::unix::process::parent_id() != parent {
                    eprintln!("the server that started this build is gone: stopping the build");
                    site::remove_own_work_dirs(&parent_dir, site::BUILD_PREFIX);
                    std::process::exit(2);
                }
                std::thread::sleep(PARENT_CHECK);
            }
        });
    }
}

/// How often a build run by `serve` checks that the server still runs.
pub const PARENT_CHECK: Duration = Duration::from_millis(200);

/// A private build directory beside `--out`, removed when dropped unless [`Staging::keep`] hands
/// it to a [`Snapshot`]: a cancelled or failed rebuild leaves nothing behind.
pub(super) struct Staging(Option<PathBuf>);

impl Staging {
    pub(super) fn new(options: &Config) -> Result<Staging, ServeError> {
        private_dir(options).map(|dir| Staging(Some(dir)))
    }

    pub(super) fn path(&self) -> &Path {
        self.0.as_deref().unwrap_or(Path::new(""))
    }

    /// The directory, now owned by whoever serves it.
    pub(super) fn keep(mut self) -> PathBuf {
        self.0.take().unwrap_or_default()
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if let Some(dir) = self.0.take() {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// glibc malloc settings for the server (`jurisdex serve` runs itself again with them): fixed
/// thresholds of 1 MB for returning freed memory to the system. glibc starts at 128 KB, which
/// made an edit's rebuild under `--watch` slower (95 ms median to served at 10,000 entries,
/// against 71 ms with 1 MB and 79 ms with glibc's moving thresholds) for a few MB less.
pub const MALLOC_TUNABLES: &str =
    "glibc.malloc.trim_threshold=1048576:glibc.malloc.mmap_threshold=1048576";

/// Builds a private, versioned copy of the site for hot swapping.
pub(super) async fn build_snapshot(
    options: &Config,
    version: u64,
    urgency: Urgency,
) -> Result<Snapshot, ServeError> {
    let staging = Staging::new(options)?;
    if !build_in_child(options, staging.path(), urgency).await? {
        return Err(ServeError::BuildFailed);
    }
    let snapshot = Snapshot::open(staging.path(), options, version, true)?;
    staging.keep();
    Ok(snapshot)
}

pub(super) type Debouncer = notify_debouncer_full::Debouncer<
    notify::RecommendedWatcher,
    notify_debouncer_full::RecommendedCache,
>;

/// Watches content and templates; each burst of changes triggers one rebuild and swap.
pub(super) fn start_watch(
    options: Config,
    state: AppState,
    time_limit: Duration,
) -> Result<WatchGuard, ServeError> {
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel::<Vec<PathBuf>>();
    let replaced = tx.clone();
    let mut debouncer = notify_debouncer_full::new_debouncer(
        WATCH_DEBOUNCE,
        None,
        move |result: notify_debouncer_full::DebounceEventResult| {
            // Reading files (the build itself) raises access events: only changes count.
            let changed: Vec<PathBuf> = match result {
                Ok(events) => events
                    .iter()
                    .filter(|e| {
                        matches!(
                            e.event.kind,
                            notify::EventKind::Create(_)
                                | notify::EventKind::Modify(_)
                                | notify::EventKind::Remove(_)
                        )
                    })
                    .flat_map(|e| e.event.paths.iter().cloned())
                    .collect(),
                Err(_) => Vec::new(),
            };
            if !changed.is_empty() {
                let _ = tx.send(changed);
            }
        },
    )
    .map_err(ServeError::Watcher)?;
    let dirs = [options.content_dir.clone(), options.templates_dir.clone()];
    let mut watched = Vec::new();
    for dir in &dirs {
        debouncer
            .watch(dir, notify::RecursiveMode::Recursive)
            .map_err(|source| ServeError::Watch {
                path: dir.clone(),
                source,
            })?;
        watched.push(dir_identity(dir));
    }
    let keeper = tokio::spawn(keep_watching(debouncer, dirs, watched, replaced));
    let rebuilder = tokio::spawn(rebuild_on_change(options, state, rx, time_limit));
    Ok(WatchGuard(keeper, rebuilder))
}

/// Longest a rebuild may take before it is cancelled (the last good version stays served); a
/// build of 10,000 entries takes about 20 s on 2 cores.
pub const REBUILD_TIME_LIMIT: Duration = Duration::from_secs(300);

/// Rebuilds after each burst of changes. A change that comes while a rebuild runs cancels it (its
/// build process is killed, its directory removed) and a new one starts with every change so
/// far; a rebuild that runs past `time_limit` ([`REBUILD_TIME_LIMIT`] unless told otherwise) is
/// cancelled and reported.
///
/// Edits of entries are served as layers; once there are [`COMPACT_AT`] of them, a full build of
/// the content starts in the background ([`Compaction`]) while later edits keep being served as
/// layers. When it is done, the edits made since it started are applied to it as a layer and it
/// replaces the layers: the same content, the same version, fewer directories to look through.
/// No edit waits for it.
pub(super) async fn rebuild_on_change(
    options: Config,
    state: AppState,
    mut changes: tokio::sync::mpsc::UnboundedReceiver<Vec<PathBuf>>,
    time_limit: Duration,
) {
    let mut compaction: Option<Compaction> = None;
    loop {
        let mut changed = tokio::select! {
            more = changes.recv() => match more {
                Some(changed) => changed,
                None => return,
            },
            built = compacted(&mut compaction), if compaction.is_some() => {
                let Some(done) = compaction.take() else { continue };
                let version = state.snapshot().version();
                finish_compaction(&options, &state, built, done.since, version, done.started).await;
                continue;
            }
        };
        while let Ok(more) = changes.try_recv() {
            changed.extend(more);
        }
        if let Some(compaction) = compaction.as_mut() {
            compaction.since.extend(changed.iter().cloned());
        }
        let started = std::time::Instant::now();
        let outcome = loop {
            // The version after the one served, which may be the pages of a cancelled rebuild.
            let current = state.snapshot();
            let next = current.version() + 1;
            let rebuilt = tokio::time::timeout(
                time_limit,
                rebuild(&options, &current, &changed, next, Some(&state)),
            );
            tokio::select! {
                outcome = rebuilt => break outcome,
                Some(more) = changes.recv() => {
                    changed.extend(more);
                    while let Ok(more) = changes.try_recv() {
                        changed.extend(more);
                    }
                    if let Some(compaction) = compaction.as_mut() {
                        compaction.since.extend(changed.iter().cloned());
                    }
                    eprintln!("newer changes: the rebuild under way is cancelled and starts again with them");
                }
            }
        };
        match outcome {
            Ok(Ok(snapshot)) => {
                let layers = snapshot.layers.len();
                let version = snapshot.version();
                state.swap(snapshot);
                eprintln!(
                    "rebuilt in {:.2?}: now serving version {version}",
                    started.elapsed()
                );
                if layers == 1 {
                    // A full build: a compaction under way is out of date (dropping it kills it).
                    compaction = None;
                } else if layers >= COMPACT_AT && compaction.is_none() {
                    eprintln!("compacting {layers} layers into a full build in the background");
                    compaction = Some(Compaction::start(&options, time_limit));
                }
            }
            Ok(Err(errors)) => eprintln!(
                "{errors}\nrebuild failed: still serving version {}",
                state.snapshot().version()
            ),
            Err(_) => eprintln!(
                "the rebuild took longer than {:?} and was cancelled: still serving version {}",
                time_limit,
                state.snapshot().version()
            ),
        }
    }
}

/// After this many layers a compaction starts ([`rebuild_on_change`]).
pub const COMPACT_AT: usize = 8;

/// A full build of the content running in the background while edits are served as layers, and
/// the files changed since it started, to be applied on top of it. Dropped, it kills its build.
struct Compaction {
    build: std::pin::Pin<Box<dyn Future<Output = CompactionBuilt> + Send>>,
    since: Vec<PathBuf>,
    started: std::time::Instant,
}

/// The end of the compaction under way (never, when there is none).
async fn compacted(compaction: &mut Option<Compaction>) -> CompactionBuilt {
    match compaction {
        Some(compaction) => compaction.build.as_mut().await,
        None => std::future::pending().await,
    }
}

/// How a compaction's build ended.
enum CompactionBuilt {
    Built(Box<Snapshot>),
    Failed(ServeError),
    TimedOut,
}

impl From<Result<Result<Snapshot, ServeError>, tokio::time::error::Elapsed>> for CompactionBuilt {
    fn from(ended: Result<Result<Snapshot, ServeError>, tokio::time::error::Elapsed>) -> Self {
        match ended {
            Ok(Ok(snapshot)) => CompactionBuilt::Built(Box::new(snapshot)),
            Ok(Err(error)) => CompactionBuilt::Failed(error),
            Err(_) => CompactionBuilt::TimedOut,
        }
    }
}

impl Compaction {
    fn start(options: &Config, time_limit: Duration) -> Compaction {
        let options = options.clone();
        let build = async move {
            // The version is the one served when it is swapped in.
            tokio::time::timeout(time_limit, build_snapshot(&options, 0, Urgency::Background))
                .await
                .into()
        };
        Compaction {
            build: Box::pin(build),
            since: Vec::new(),
            started: std::time::Instant::now(),
        }
    }
}

/// Swaps a finished compaction in, once the edits made since it started are applied to it (as a
/// layer, or in full when they are more than edits of entries): the content served is the same,
/// and so is its `version`. A compaction that failed leaves the layers served; the next edit
/// starts another.
async fn finish_compaction(
    options: &Config,
    state: &AppState,
    built: CompactionBuilt,
    since: Vec<PathBuf>,
    version: u64,
    started: std::time::Instant,
) {
    let mut compacted = match built {
        CompactionBuilt::Built(snapshot) => *snapshot,
        CompactionBuilt::Failed(error) => {
            eprintln!("{error}\ncompaction failed: the layers stay served");
            return;
        }
        CompactionBuilt::TimedOut => {
            eprintln!("the compaction took too long and was cancelled: the layers stay served");
            return;
        }
    };
    compacted.version = version;
    let snapshot = if since.is_empty() {
        compacted
    } else {
        match rebuild(options, &Arc::new(compacted), &since, version, None).await {
            Ok(snapshot) => snapshot,
            Err(error) => {
                eprintln!("{error}\ncompaction failed: the layers stay served");
                return;
            }
        }
    };
    let layers = snapshot.layers.len();
    state.swap(snapshot);
    eprintln!(
        "compacted in {:.2?}: version {version} served from {layers} layer(s)",
        started.elapsed()
    );
}

/// Ends the watch when dropped, and a rebuild under way with it.
pub(super) struct WatchGuard(tokio::task::JoinHandle<()>, tokio::task::JoinHandle<()>);

impl Drop for WatchGuard {
    fn drop(&mut self) {
        self.0.abort();
        self.1.abort();
    }
}

/// How often the watched directories are checked for being deleted, restored or swapped.
pub const WATCH_RECHECK: Duration = Duration::from_secs(1);

/// What a watched directory is: where it resolves to and its inode. A directory deleted and
/// restored, or a symlink renamed to point at another directory (the usual way to deploy
/// content), keeps its path but changes this, and the operating system's watch on the old one
/// then sees nothing more.
pub(super) fn dir_identity(dir: &Path) -> Option<(PathBuf, u64)> {
    let resolved = dir.canonicalize().ok()?;
    let meta = std::fs::metadata(&resolved).ok()?;
    #[cfg(unix)]
    let inode = std::os::unix::fs::MetadataExt::ino(&meta);
    #[cfg(not(unix))]
    let inode = u64::from(meta.is_dir());
    Some((resolved, inode))
}

/// Owns the watcher: every [`WATCH_RECHECK`] it checks that each directory is still the one
/// watched; when one was replaced it watches the new one, says so, and asks for a rebuild; while
/// one is missing it says so once and waits for it.
pub(super) async fn keep_watching(
    mut debouncer: Debouncer,
    dirs: [PathBuf; 2],
    mut watched: Vec<Option<(PathBuf, u64)>>,
    rebuild: tokio::sync::mpsc::UnboundedSender<Vec<PathBuf>>,
) {
    let mut ticks = tokio::time::interval(WATCH_RECHECK);
    loop {
        ticks.tick().await;
        for (dir, seen) in dirs.iter().zip(watched.iter_mut()) {
            let now = dir_identity(dir);
            if now == *seen {
                continue;
            }
            match &now {
                None => eprintln!(
                    "{} is gone: serving the last version until it is back",
                    dir.display()
                ),
                Some(_) => {
                    let _ = debouncer.unwatch(dir);
                    match debouncer.watch(dir, notify::RecursiveMode::Recursive) {
                        Ok(()) => {
                            eprintln!("{} was replaced: watching it again", dir.display());
                            let _ = rebuild.send(vec![dir.clone()]);
                        }
                        Err(error) => {
                            eprintln!("cannot watch {} again ({error}): retrying", dir.display());
                            continue;
                        }
                    }
                }
            }
            *seen = now;
        }
    }
}

/// The next version after `changed`: incremental when only existing entries were edited
/// ([`site::update`], [`site::update_listings`] and [`site::update_index`], on a blocking thread),
/// otherwise a full build in a child process. With `state`, an incremental rebuild's pages are
/// served as soon as the edited entries' pages are written ([`Snapshot::edited`]): the listing
/// pages showing them are rendered on request until they are written, and searches are answered
/// with `current`'s index until its own is. Not if `current` is no longer the version served, or
/// once this rebuild is cancelled (dropped).
pub(super) async fn rebuild(
    options: &Config,
    current: &Arc<Snapshot>,
    changed: &[PathBuf],
    version: u64,
    state: Option<&AppState>,
) -> Result<Snapshot, ServeError> {
    if let Some(files) = edited_entries(options, changed)
        && current.layers.len() < MAX_LAYERS
    {
        let staging = Staging::new(options)?;
        let (opts, base, state) = (options.clone(), current.clone(), state.cloned());
        let cancelled = CancelOnDrop::default();
        let dropped = cancelled.0.clone();
        // The blocking thread owns the directory: if this rebuild is cancelled, the update still
        // ends there and its directory goes with it.
        let updated = tokio::task::spawn_blocking(move || -> Result<_, ServeError> {
            // The layers built on must be complete: the previous edit's listings written.
            if base.pending().is_some_and(|pending| !pending.wait()) {
                return Ok(None);
            }
            let Some(mut updated) = site::update(
                &opts,
                &base.listing.catalog,
                &base.dirs(),
                &files,
                staging.path(),
            )?
            else {
                return Ok(None);
            };
            updated.dir = staging.keep();
            let (elapsed, entries) = (updated.elapsed, std::mem::take(&mut updated.entries));
            let pages = Snapshot::edited(&opts, &base, updated, version);
            let (layers, listing) = (pages.layers.clone(), pages.listing.clone());
            let pending = pages.pending.clone();
            let _unfinished = Unfinished(pending.clone());
            if let Some(state) = state
                && !dropped.load(Ordering::Acquire)
                && state.swap_if_current(&base, pages)
            {
                eprintln!(
                    "edited pages served in {elapsed:.2?} as version {version}; their listings and search follow"
                );
            }
            let written = site::update_listings(
                &opts,
                &listing.catalog,
                pending.as_ref().map_or(&[], |pending| pending.listings()),
                &layers[0].dir,
                &base.dirs(),
            );
            if let Some(pending) = &pending {
                pending.finish(written.is_ok());
            }
            written?;
            let index_dir = site::update_index(
                &layers[0].dir,
                &base.index_dir,
                &listing.catalog.taxonomy,
                &entries,
            )?;
            let index = Arc::new(SearchIndex::open(&index_dir).map_err(OpenError::from)?);
            Ok(Some(Snapshot::new(
                &opts,
                version,
                layers,
                (index, index_dir),
                listing,
            )))
        })
        .await?;
        drop(cancelled);
        if let Some(snapshot) = updated? {
            return Ok(snapshot);
        }
    }
    build_snapshot(options, version, Urgency::Now).await
}

/// Records pending listings as not written when their rebuild ends without saying (an error
/// before they were written, or a panic), so that the next edit does not wait for them.
struct Unfinished(Option<Arc<PendingListings>>);

impl Drop for Unfinished {
    fn drop(&mut self) {
        if let Some(pending) = &self.0 {
            pending.finish(false);
        }
    }
}

/// Tells a blocking rebuild that the future waiting for it was dropped (the rebuild cancelled).
#[derive(Default)]
struct CancelOnDrop(Arc<AtomicBool>);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Release);
    }
}

/// The changed entry files when every change is to a `*.md` file of `jurisdictions/` that still
/// exists (other files there are not content and are ignored); `None` when anything else changed.
pub(super) fn edited_entries(options: &Config, changed: &[PathBuf]) -> Option<Vec<PathBuf>> {
    let entries = options
        .content_dir
        .join("jurisdictions")
        .canonicalize()
        .ok()?;
    let mut files: Vec<PathBuf> = Vec::new();
    for path in changed {
        let parent = path.parent()?.canonicalize().ok()?;
        if parent != entries {
            return None;
        }
        if path.extension().is_some_and(|x| x == "md") {
            if !path.is_file() {
                return None;
            }
            // Named as the full build names it, so errors point at the same path.
            let file = options
                .content_dir
                .join("jurisdictions")
                .join(path.file_name()?);
            if !files.contains(&file) {
                files.push(file);
            }
        }
    }
    (!files.is_empty()).then_some(files)
}
