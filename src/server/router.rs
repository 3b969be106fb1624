//! The router: every route of the server, its hardened defaults (security headers, limits, timeouts), static files and redirects.

use super::*;

/// Content-Security-Policy for every response: no inline script, no framing. The one inline style
/// is the site's own stylesheet, in each page's `<style>` (one request less before the first paint
/// on a slow link); user content never reaches it (Markdown is sanitised, style attributes and
/// elements dropped), and with every other source limited to the site an injected style could not
/// send anything elsewhere.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
/// Most requests handled at once; more wait their turn.
pub const MAX_CONCURRENT_REQUESTS: usize = 512;
/// A request taking longer than this is answered 408.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// Most answers compressed on the fly at once (each holds a compressor of about 120 KB until its
/// client has read it); beyond them answers go uncompressed, so a thousand clients that stop
/// reading cannot hold a thousand compressors.
pub const MAX_COMPRESSING: usize = 64;
/// Largest request body accepted (the server takes no uploads).
pub const MAX_BODY_BYTES: usize = 16 * 1024;

/// Headers on every answer: those of the router, and those that hyper writes on its own (see
/// [`GuardedIo`]). The first is the one whose presence marks an answer as already having them.
pub const SECURITY_HEADERS: [(header::HeaderName, &str); 4] = [
    (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    (header::CONTENT_SECURITY_POLICY, CSP),
    (header::REFERRER_POLICY, "strict-origin-when-cross-origin"),
    (header::X_FRAME_OPTIONS, "DENY"),
];

/// The router with every route and layer.
pub fn app(state: AppState) -> Router {
    let routes = Router::new()
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
        .layer(axum::middleware::from_fn(validators_per_coding))
        .layer(axum::middleware::from_fn_with_state(
            Arc::new(tokio::sync::Semaphore::new(MAX_COMPRESSING)),
            compression_slot,
        ))
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .layer(axum::middleware::map_request(only_byte_ranges))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ))
        .layer(ConcurrencyLimitLayer::new(MAX_CONCURRENT_REQUESTS));
    SECURITY_HEADERS
        .into_iter()
        .fold(routes, |router, (name, value)| {
            router.layer(SetResponseHeaderLayer::if_not_present(
                name,
                HeaderValue::from_static(value),
            ))
        })
}

/// RFC 9110 section 8.8.3: a compressed answer is another representation than the uncompressed
/// one, so they must not share a strong `ETag` (a cache or a range request would mix them up): as
/// nginx does, a compressed answer's `ETag` becomes weak. Every answer says that it varies with
/// `Accept-Encoding`, the uncompressed and `304` ones too, so that no cache serves one coding for
/// another.
pub(super) async fn validators_per_coding(
    request: Request,
    next: axum::middleware::Next,
) -> Response {
    let accepts_compression = preferred_coding(request.headers()).is_some();
    let mut response = next.run(request).await;
    // A `304` has no body to say whether it would have been compressed: it answers for the
    // representation this client gets, the compressed one when it accepts compression.
    let compressed = response.headers().contains_key(header::CONTENT_ENCODING)
        || (response.status() == StatusCode::NOT_MODIFIED && accepts_compression);
    let headers = response.headers_mut();
    if compressed
        && let Some(etag) = headers.get(header::ETAG)
        && etag.as_bytes().starts_with(b"\"")
    {
        let mut weak = b"W/".to_vec();
        weak.extend_from_slice(etag.as_bytes());
        if let Ok(weak) = HeaderValue::from_bytes(&weak) {
            headers.insert(header::ETAG, weak);
        }
    }
    let varies = headers.get_all(header::VARY).iter().any(|v| {
        v.to_str()
            .is_ok_and(|v| v.to_ascii_lowercase().contains("accept-encoding"))
    });
    if !varies {
        headers.append(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
    response
}

/// Gives a request that accepts compression one of [`MAX_COMPRESSING`] slots, held until its
/// answer's body is sent or dropped; when none is free the request is answered uncompressed.
pub(super) async fn compression_slot(
    State(slots): State<Arc<tokio::sync::Semaphore>>,
    mut request: Request,
    next: axum::middleware::Next,
) -> Response {
    if preferred_coding(request.headers()).is_none() {
        return next.run(request).await;
    }
    let Ok(slot) = slots.try_acquire_owned() else {
        request.headers_mut().remove(header::ACCEPT_ENCODING);
        return next.run(request).await;
    };
    next.run(request).await.map(|body| {
        axum::body::Body::new(http_body_util::BodyExt::map_frame(body, move |frame| {
            let _held = &slot;
            frame
        }))
    })
}

/// The content coding this server would answer `headers` with: `br` or `gzip` when
/// `Accept-Encoding` accepts it (a `q` above 0, by name or `*`), in that order; `None` for none.
pub(super) fn preferred_coding(headers: &axum::http::HeaderMap) -> Option<&'static str> {
    // Every answer asks this: it reads the header in place, allocating nothing.
    let codings = || {
        headers
            .get_all(header::ACCEPT_ENCODING)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(|coding| {
                let mut parts = coding.split(';').map(str::trim);
                let name = parts.next().unwrap_or_default();
                let refused = parts.any(|p| {
                    p.strip_prefix("q=")
                        .is_some_and(|q| q.trim().parse::<f32>().is_ok_and(|q| q <= 0.0))
                });
                (name, !refused)
            })
    };
    let named = |coding: &str| codings().find(|(name, _)| name.eq_ignore_ascii_case(coding));
    let accepts = |coding: &str| {
        named(coding)
            .or_else(|| named("*"))
            .is_some_and(|(_, yes)| yes)
    };
    ["br", "gzip"].into_iter().find(|coding| accepts(coding))
}

/// RFC 9110 section 14.2: a `Range` in a unit other than `bytes`, or asking for several ranges
/// (which would need a multipart answer), is ignored and the whole representation sent (`200`);
/// one byte range is left to the static files service (`206`, or `416` when unsatisfiable).
pub(super) async fn only_byte_ranges(mut request: Request) -> Request {
    let single_byte_range = |value: &HeaderValue| {
        value.to_str().is_ok_and(|v| {
            v.trim_start()
                .strip_prefix("bytes=")
                .is_some_and(|ranges| !ranges.contains(','))
        })
    };
    let headers = request.headers_mut();
    let ranges = headers.get_all(header::RANGE);
    let keep = ranges.iter().count() == 1 && ranges.iter().all(single_byte_range);
    if !keep && headers.contains_key(header::RANGE) {
        headers.remove(header::RANGE);
        headers.remove(header::IF_RANGE);
    }
    request
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
    redirect(StatusCode::MOVED_PERMANENTLY, target)
}

/// A `302` to `target` (a path on this site): where the answer may change.
pub(super) fn found(target: &str) -> Response {
    redirect(StatusCode::FOUND, target)
}

fn redirect(status: StatusCode, target: &str) -> Response {
    if !is_local_path(target) {
        return StatusCode::NOT_FOUND.into_response();
    }
    match HeaderValue::from_str(target) {
        Ok(location) => (status, [(header::LOCATION, location)]).into_response(),
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
    if let Some(target) = as_of_target(&snapshot, &path).await {
        return found(&target);
    }
    if let Some(file) = snapshot.pending_file(&path) {
        let content_type = mime_guess::from_path(&file.path).first_or_octet_stream();
        return (
            [(header::CONTENT_TYPE, content_type.as_ref())],
            file.contents,
        )
            .into_response();
    }
    let service = ServeDir::new(snapshot.dir_for(&path))
        .with_buf_chunk_size(MAX_CONNECTION_BUFFER)
        .not_found_service(not_found);
    match service.oneshot(request).await {
        Ok(response) => response.into_response(),
        Err(never) => match never {},
    }
}

/// `/jurisdictions/<id>/as-of/<day>/` for a day that has no page of its own → the page of the
/// version that stood at the end of that day (the entry itself for the current version). A `302`:
/// while the day is today, a later version may yet end it. `None` sends the request on (a day's
/// own page, or the 404 page when the entry had no version then).
async fn as_of_target(snapshot: &Snapshot, path: &str) -> Option<String> {
    let rest = path.strip_prefix(&format!("{}/jurisdictions/", snapshot.meta.root))?;
    let (id, day) = rest.split_once("/as-of/")?;
    let day = day.strip_suffix('/').unwrap_or(day);
    if id.contains('/') || day.contains('/') {
        return None;
    }
    let page = routes::index_file(&routes::jurisdiction_as_of(id, day));
    if snapshot.dir_for(&page).join(&page).is_file() {
        return None;
    }
    match version_on(snapshot, id, day).await.ok()? {
        AsOf::Current => Some(format!(
            "{}{}",
            snapshot.meta.root,
            routes::jurisdiction(id)
        )),
        AsOf::Past { page, .. } => Some(format!("{}{page}", snapshot.meta.root)),
        AsOf::Unavailable | AsOf::Before => None,
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
