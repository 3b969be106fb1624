//! Builds in a child process and `serve --watch`: a changed file is rebuilt (incrementally where it can be) and swapped in.

use super::*;

/// Quiet time after a change before rebuilding: long enough to coalesce an editor's save (write,
/// rename), short enough not to dominate the edit-to-served time.
pub const WATCH_DEBOUNCE: Duration = Duration::from_millis(30);
/// Prefix of the private directories that `serve --watch` builds each version into.
pub const SNAPSHOT_PREFIX: &str = ".jurisdex-serve-";

/// A new private directory beside `--out` for one served version.
pub(super) fn private_dir(options: &Config) -> Result<PathBuf, ServeError> {
    let parent = site::parent_dir(&options.out_dir);
    Ok(site::work_dir(&parent, SNAPSHOT_PREFIX)?.keep())
}

/// Builds the site into `out` in a child process (`jurisdex build`), so that the server's own
/// memory never holds a build: its diagnostics go to the server's stderr. Returns whether the
/// build succeeded.
pub(super) fn build_in_child(options: &Config, out: &Path) -> Result<bool, ServeError> {
    let exe = std::env::current_exe().map_err(ServeError::Binary)?;
    let mut command = std::process::Command::new(exe);
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
        .stdin(std::process::Stdio::null());
    if options.dev_reload {
        command.arg("--dev-reload");
    }
    let status = command.status().map_err(ServeError::Child)?;
    Ok(status.success())
}

/// glibc malloc settings for the server (`jurisdex serve` runs itself again with them): fixed
/// thresholds of 1 MB for returning freed memory to the system. glibc starts at 128 KB, which
/// made an edit's rebuild under `--watch` slower (95 ms median to served at 10,000 entries,
/// against 71 ms with 1 MB and 79 ms with glibc's moving thresholds) for a few MB less.
pub const MALLOC_TUNABLES: &str =
    "glibc.malloc.trim_threshold=1048576:glibc.malloc.mmap_threshold=1048576";

/// Builds a private, versioned copy of the site for hot swapping.
pub fn build_snapshot(options: &Config, version: u64) -> Result<Snapshot, ServeError> {
    let dir = private_dir(options)?;
    let snapshot = match build_in_child(options, &dir) {
        Ok(true) => Snapshot::open(&dir, options, version, true).map_err(ServeError::from),
        Ok(false) => Err(ServeError::BuildFailed),
        Err(err) => Err(err),
    };
    if snapshot.is_err() {
        let _ = std::fs::remove_dir_all(&dir);
    }
    snapshot
}

pub(super) type Debouncer = notify_debouncer_full::Debouncer<
    notify::RecommendedWatcher,
    notify_debouncer_full::RecommendedCache,
>;

/// Watches content and templates; each burst of changes triggers one rebuild and swap.
pub(super) fn start_watch(options: Config, state: AppState) -> Result<WatchGuard, ServeError> {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Vec<PathBuf>>();
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
    tokio::spawn(async move {
        let mut version = 1;
        while let Some(mut changed) = rx.recv().await {
            while let Ok(more) = rx.try_recv() {
                changed.extend(more);
            }
            let next = version + 1;
            let opts = options.clone();
            let current = state.snapshot();
            let started = std::time::Instant::now();
            let rebuilt =
                tokio::task::spawn_blocking(move || rebuild(&opts, &current, &changed, next));
            match rebuilt.await {
                Ok(Ok(snapshot)) => {
                    state.swap(snapshot);
                    version = next;
                    eprintln!(
                        "rebuilt in {:.2?}: now serving version {version}",
                        started.elapsed()
                    );
                }
                Ok(Err(errors)) => {
                    eprintln!("{errors}\nrebuild failed: still serving version {version}")
                }
                Err(err) => eprintln!("rebuild crashed ({err}): still serving version {version}"),
            }
        }
    });
    Ok(WatchGuard(keeper))
}

/// Ends the watch when dropped.
pub(super) struct WatchGuard(tokio::task::JoinHandle<()>);

impl Drop for WatchGuard {
    fn drop(&mut self) {
        self.0.abort();
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
/// ([`site::update`]), otherwise a full build.
pub(super) fn rebuild(
    options: &Config,
    current: &Snapshot,
    changed: &[PathBuf],
    version: u64,
) -> Result<Snapshot, ServeError> {
    if let Some(files) = edited_entries(options, changed)
        && current.layers.len() < MAX_LAYERS
    {
        let dir = private_dir(options)?;
        let index = current.layers[0].dir.join(INDEX_DIR);
        let updated = site::update(
            options,
            &current.listing.catalog,
            &current.dirs(),
            &index,
            &files,
            &dir,
        );
        let snapshot = match updated {
            Ok(Some(updated)) => Snapshot::layered(updated, options, version, current)
                .map(Some)
                .map_err(ServeError::from),
            Ok(None) => Ok(None),
            Err(err) => Err(ServeError::from(err)),
        };
        match snapshot {
            Ok(Some(snapshot)) => return Ok(snapshot),
            Ok(None) => {
                let _ = std::fs::remove_dir_all(&dir);
            }
            Err(err) => {
                let _ = std::fs::remove_dir_all(&dir);
                return Err(err);
            }
        }
    }
    build_snapshot(options, version)
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
