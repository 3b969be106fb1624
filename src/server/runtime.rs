//! The runtime: connection threads beside the search pool, the listener and a graceful shutdown on SIGTERM or Ctrl-C.

use super::*;

/// The runtime `serve` runs on: one connection thread per two cores (at least one), beside the
/// [`SearchPool`]'s thread per core.
///
/// The connection threads only read requests, answer static pages and cached searches, and
/// write responses; searches, the CPU work, run on the pool. With a connection thread per core as
/// well, twice as many busy threads shared the cores, and each finished search woke a parked
/// one: on 2 cores and 10,000 entries, the cache-hostile stream ran at 6,600 req/s (p99 19.1 ms)
/// against 7,100 (p99 17.9 ms) with one connection thread. What one thread costs: pages compressed
/// on the fly (brotli) under full load, 1,250 req/s instead of 2,200 to 2,400; `/healthz`, cached
/// searches and uncompressed pages ran as fast or faster.
pub fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(connection_threads())
        .enable_all()
        .build()
}

/// The cores this process may use: the [`SearchPool`]'s thread count.
pub(super) fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

/// The async worker threads of [`runtime`]: one per two cores, at least one.
pub(super) fn connection_threads() -> usize {
    (cores() / 2).max(1)
}

/// How `serve` runs, beside the site's [`Config`].
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub addr: SocketAddr,
    /// Rebuild on changes under the content and templates.
    pub watch: bool,
    /// The cap on open connections before it is fitted to the open-file limit.
    pub max_connections: usize,
    /// The longest a rebuild under `watch` may take.
    pub rebuild_time_limit: Duration,
    /// Serve the build already in `--out` as it is: no build, nothing written there (replicas of
    /// one artefact behind a load balancer, a read-only file system).
    pub prebuilt: bool,
}

/// `jurisdex serve`: build into `--out` (in a child process), then serve it (and rebuild on
/// change with `watch`); with `prebuilt`, serve what `--out` holds without building. The port is
/// bound only once the site is open, so a load balancer sends nothing before it can answer.
/// Ctrl+C or SIGTERM stops it at any point, a build under way included; once listening, it stops
/// accepting and lets the requests in flight finish.
pub async fn serve(options: Config, serve: ServeOptions) -> Result<(), ServeError> {
    let ServeOptions {
        addr,
        watch,
        max_connections,
        rebuild_time_limit,
        prebuilt,
    } = serve;
    if !prebuilt {
        // What a killed server left beside --out (its rebuilds' directories) goes now.
        site::remove_orphans(&site::parent_dir(&options.out_dir), SNAPSHOT_PREFIX);
        let built = tokio::select! {
            built = build_in_child(&options, &options.out_dir, Urgency::Now) => built?,
            () = shutdown_signal() => {
                eprintln!("stopped before the first build was done");
                return Ok(());
            }
        };
        if !built {
            return Err(ServeError::BuildFailed);
        }
    }
    let state = AppState::new(Snapshot::open(&options.out_dir, &options, 1, false)?);
    let watcher = if watch {
        Some(start_watch(
            options.clone(),
            state.clone(),
            rebuild_time_limit,
        )?)
    } else {
        None
    };
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| ServeError::Listen { addr, source })?;
    let max_connections = connection_cap(max_connections);
    eprintln!(
        "serving {} on http://{addr}/{}  (at most {max_connections} connections; Ctrl+C to stop)",
        options.out_dir.display(),
        if watch { "  watching for changes" } else { "" }
    );
    serve_connections(listener, app(state), max_connections, shutdown_signal()).await;
    drop(watcher);
    eprintln!("stopped");
    Ok(())
}

/// Resolves on Ctrl+C or SIGTERM; in-flight requests then finish before the server exits.
pub(super) async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
