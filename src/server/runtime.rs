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

/// `jurisdex serve`: build into `--out` (in a child process), then serve it (and rebuild on
/// change with `watch`).
pub async fn serve(
    options: Config,
    addr: SocketAddr,
    watch: bool,
    max_connections: usize,
) -> Result<(), ServeError> {
    let build_options = options.clone();
    let out = options.out_dir.clone();
    let built = tokio::task::spawn_blocking(move || build_in_child(&build_options, &out)).await?;
    if !built? {
        return Err(ServeError::BuildFailed);
    }
    let state = AppState::new(Snapshot::open(&options.out_dir, &options, 1, false)?);
    let watcher = if watch {
        Some(start_watch(options.clone(), state.clone())?)
    } else {
        None
    };
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| ServeError::Listen { addr, source })?;
    let max_connections = connection_cap(max_connections);
    eprintln!(
        "serving {} on http://{addr}/{}  (Ctrl+C to stop)",
        options.out_dir.display(),
        if watch { "  watching for changes" } else { "" }
    );
    tracing::info!("at most {max_connections} connections at once");
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
