//! The router: every route of the server, its hardened defaults (security headers, limits, timeouts), static files and redirects.

use super::*;

/// Content-Security-Policy for every response: no inline script or style, no framing.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
/// Most requests handled at once; more wait their turn.
pub const MAX_CONCURRENT_REQUESTS: usize = 512;
/// A request taking longer than this is answered 408.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// Largest request body accepted (the server takes no uploads).
pub const MAX_BODY_BYTES: usize = 16 * 1024;

/// The router with every route and layer.
pub fn app(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/__version", get(version))
        .route("/search", get(search_page))
        .route("/api/search", get(api_search))
        .route("/compare/", get(compare_page))
        .route("/compare", get(compare_page))
        .route("/api/jurisdictions/{id}", get(api_jurisdiction))
        .route("/export/matrix.csv", get(matrix_csv))
        .route("/export/matrix.json", get(matrix_json))
        .fallback(static_files)
        .with_state(state)
        .layer(axum::middleware::map_response(only_local_redirects))
        .layer(CompressionLayer::new())
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("strict-origin-when-cross-origin"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ))
        .layer(ConcurrencyLimitLayer::new(MAX_CONCURRENT_REQUESTS))
}

pub(super) async fn healthz() -> &'static str {
    "ok\n"
}

pub(super) async fn version(State(state): State<AppState>) -> impl IntoResponse {
    (
        [(header::CACHE_CONTROL, "no-store")],
        state.snapshot().version().to_string(),
    )
}

/// True for a `Location` that names a path on this site: one `/`, then not another `/` or `\`
/// (`//host/` and `/\host/` are read by browsers as another host).
pub(super) fn is_local_path(location: &str) -> bool {
    location.starts_with('/') && !location[1..].starts_with(['/', '\\'])
}

/// Any redirect, from a handler or from the static files service (which adds a trailing slash to
/// a directory's address), goes to a path on this site or is answered `404`.
pub(super) async fn only_local_redirects(response: Response) -> Response {
    let leaves = response
        .headers()
        .get(header::LOCATION)
        .is_some_and(|l| !l.to_str().is_ok_and(is_local_path));
    if leaves {
        StatusCode::NOT_FOUND.into_response()
    } else {
        response
    }
}

/// A 301 answer: old ids keep working for bookmarks and workshop handouts.
pub(super) fn moved(target: &str) -> Response {
    if !is_local_path(target) {
        return StatusCode::NOT_FOUND.into_response();
    }
    match HeaderValue::from_str(target) {
        Ok(location) => (
            StatusCode::MOVED_PERMANENTLY,
            [(header::LOCATION, location)],
        )
            .into_response(),
        Err(_) => StatusCode::NOT_FOUND.into_response(),
    }
}

/// True when a raw request path could escape the site or reach hidden files.
pub(super) fn is_suspicious(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    lower.contains("..")
        || lower.starts_with("//")
        || lower.contains('\\')
        || lower.contains("%2e")
        || lower.contains("%2f")
        || lower.contains("%5c")
        || lower.contains("%00")
        || lower.contains('\0')
        || path.split('/').any(|segment| segment.starts_with('.'))
}

pub(super) async fn static_files(State(state): State<AppState>, request: Request) -> Response {
    let snapshot = state.snapshot();
    let path = request.uri().path().to_string();
    let not_found = ServeFile::new(snapshot.dir_for("/404.html").join("404.html"));
    if is_suspicious(&path) {
        let response = not_found.oneshot(request).await;
        return (StatusCode::NOT_FOUND, response.into_response()).into_response();
    }
    if let Some(target) = alias_target(&snapshot, request.uri()) {
        return moved(&target);
    }
    let service = ServeDir::new(snapshot.dir_for(&path)).not_found_service(not_found);
    match service.oneshot(request).await {
        Ok(response) => response.into_response(),
        Err(never) => match never {},
    }
}

/// `/jurisdictions/<alias>/...` → the same address under the current id.
pub(super) fn alias_target(snapshot: &Snapshot, uri: &Uri) -> Option<String> {
    let rest = uri
        .path()
        .strip_prefix(&format!("{}/jurisdictions/", snapshot.meta.root))?;
    let (id, tail) = rest.split_once('/').unwrap_or((rest, ""));
    let target = snapshot.listing.aliases.get(id)?;
    Some(format!(
        "{}/jurisdictions/{target}/{tail}",
        snapshot.meta.root
    ))
}
