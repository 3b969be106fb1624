//! The HTTP server: static pages, the search page, JSON APIs and a health check, with hardened
//! defaults. A [`Snapshot`] (site directory + search index) is swapped atomically on rebuild; each
//! request holds the snapshot it started with, so no request sees a half-built version.

use std::collections::{HashMap, HashSet, VecDeque};
use std::net::SocketAddr;
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError, RwLock, mpsc};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path as UrlPath, Query, RawQuery, Request, State};
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::serve::ListenerExt;
use axum::{Json, Router};
use minijinja::context;
use minijinja::value::Serde;
use serde::Serialize;
use tower::ServiceExt;
use tower::limit::ConcurrencyLimitLayer;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;

use crate::catalog::{Catalog, CatalogError};
use crate::compare::{self, CompareQuery, Selection};
use crate::export;
use crate::render::{ComparePage, Nav, RenderError, Renderer, SiteMeta};
use crate::search::{MAX_QUERY_BYTES, SearchError, SearchIndex, SearchRequest, SearchResults};
use crate::site::{self, BuildOptions, INDEX_DIR};

/// Content-Security-Policy for every response: no inline script or style, no framing.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
/// Most requests handled at once; more wait their turn.
pub const MAX_CONCURRENT_REQUESTS: usize = 512;
/// A request taking longer than this is answered 408.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// Longest `/compare/` query string accepted (8 ids, a benchmark and the safeguards fit easily).
pub const MAX_COMPARE_QUERY_BYTES: usize = 2048;
/// Most bytes of search answers (keys and response bodies) kept per version.
pub const SEARCH_CACHE_BYTES: usize = 16 << 20;
/// Quiet time after a change before rebuilding: long enough to coalesce an editor's save (write,
/// rename), short enough not to dominate the edit-to-served time.
pub const WATCH_DEBOUNCE: Duration = Duration::from_millis(30);
/// Largest request body accepted (the server takes no uploads).
pub const MAX_BODY_BYTES: usize = 16 * 1024;

/// The content as request handlers see it.
struct Listing {
    nav: Nav,
    /// The entries' summaries, taxonomy, topics, pages and collections.
    catalog: Catalog,
    ids: HashSet<String>,
    /// Old id → current id.
    aliases: HashMap<String, String>,
}

impl Listing {
    fn new(catalog: Catalog) -> Listing {
        Listing {
            nav: Nav::new(&catalog.pages),
            ids: catalog.entries.iter().map(|j| j.id.clone()).collect(),
            aliases: catalog
                .entries
                .iter()
                .flat_map(|j| j.aliases.iter().map(move |a| (a.clone(), j.id.clone())))
                .collect(),
            catalog,
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

/// After this many edits served as layers, the next change rebuilds in full.
pub const MAX_LAYERS: usize = 16;

/// A directory of built files, removed with the last snapshot using it when it is private.
struct Layer {
    dir: PathBuf,
    owned: bool,
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
    layers: Vec<Arc<Layer>>,
    index: SearchIndex,
    renderer: Renderer,
    meta: SiteMeta,
    /// What handlers know of the content, shared by versions whose listings are the same.
    listing: Arc<Listing>,
    cache: SearchCache,
    version: u64,
}

impl Snapshot {
    /// Opens a built site directory; `owned` directories are removed with the last snapshot.
    pub fn open(
        dir: &Path,
        options: &BuildOptions,
        version: u64,
        owned: bool,
    ) -> Result<Snapshot, OpenError> {
        let layer = Layer {
            dir: dir.to_path_buf(),
            owned,
        };
        let index = SearchIndex::open(&dir.join(INDEX_DIR))?;
        let listing = Arc::new(Listing::new(Catalog::open(dir)?));
        Ok(Snapshot::new(
            options,
            version,
            vec![Arc::new(layer)],
            index,
            listing,
        ))
    }

    /// Opens an incremental rebuild served over `previous`; its directory is private and removed
    /// with the last snapshot that uses it.
    pub fn layered(
        updated: site::Updated,
        options: &BuildOptions,
        version: u64,
        previous: &Snapshot,
    ) -> Result<Snapshot, OpenError> {
        let index = SearchIndex::open(&updated.dir.join(INDEX_DIR))?;
        let mut layers = vec![Arc::new(Layer {
            dir: updated.dir,
            owned: true,
        })];
        layers.extend(previous.layers.iter().cloned());
        let listing = Arc::new(Listing::new(updated.catalog));
        Ok(Snapshot::new(options, version, layers, index, listing))
    }

    fn new(
        options: &BuildOptions,
        version: u64,
        layers: Vec<Arc<Layer>>,
        index: SearchIndex,
        listing: Arc<Listing>,
    ) -> Snapshot {
        Snapshot {
            layers,
            index,
            renderer: Renderer::new(&options.templates_dir),
            meta: options.meta(),
            listing,
            cache: SearchCache::default(),
            version,
        }
    }

    /// The version number (increments on every successful rebuild).
    pub fn version(&self) -> u64 {
        self.version
    }

    /// The directories of this version, newest first.
    fn dirs(&self) -> Vec<PathBuf> {
        self.layers.iter().map(|l| l.dir.clone()).collect()
    }

    /// The directory holding the file a request path names (`/a/` → `a/index.html`): the newest
    /// layer that has it, else the full build (which then answers 404).
    fn dir_for(&self, path: &str) -> &Path {
        let relative = path
            .strip_prefix(&self.meta.root)
            .unwrap_or(path)
            .trim_start_matches('/');
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

/// Shared server state: the current snapshot, swappable.
#[derive(Clone)]
pub struct AppState {
    current: Arc<RwLock<Arc<Snapshot>>>,
    searches: Arc<SearchPool>,
}

impl AppState {
    /// State serving one snapshot.
    pub fn new(snapshot: Snapshot) -> AppState {
        AppState {
            current: Arc::new(RwLock::new(Arc::new(snapshot))),
            searches: Arc::new(SearchPool::new(cores())),
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
}

/// An error answer: status plus a message safe to show (never internals).
#[derive(Debug)]
pub struct AppError {
    status: StatusCode,
    message: String,
}

impl AppError {
    fn bad_request(message: impl Into<String>) -> AppError {
        AppError {
            status: StatusCode::BAD_REQUEST,
            message: message.into(),
        }
    }
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    error: &'a str,
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        (
            self.status,
            Json(ErrorBody {
                error: &self.message,
            }),
        )
            .into_response()
    }
}

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

async fn healthz() -> &'static str {
    "ok\n"
}

async fn version(State(state): State<AppState>) -> impl IntoResponse {
    (
        [(header::CACHE_CONTROL, "no-store")],
        state.snapshot().version().to_string(),
    )
}

fn search_request(
    query: Result<Query<SearchRequest>, QueryRejection>,
) -> Result<SearchRequest, AppError> {
    let Query(request) =
        query.map_err(|e| AppError::bad_request(format!("bad query string: {}", e.body_text())))?;
    if request.q.len() > MAX_QUERY_BYTES {
        return Err(AppError::bad_request(format!(
            "query too long: {} bytes, the limit is {MAX_QUERY_BYTES}",
            request.q.len()
        )));
    }
    Ok(request)
}

/// How a search is answered: the JSON of `/api/search` or the HTML of `/search`.
#[derive(Debug, Clone, Copy)]
enum Answer {
    Json,
    Page,
}

impl Answer {
    /// The response body for `results`; `None` (logged) if it cannot be written.
    fn body(
        self,
        snapshot: &Snapshot,
        request: &SearchRequest,
        results: &SearchResults,
    ) -> Option<Bytes> {
        match self {
            Answer::Json => json_body(results),
            Answer::Page => search_html(snapshot, request, Some(results), None)
                .inspect_err(|err| tracing::error!("search page: {err}"))
                .ok()
                .map(|html| exact_bytes(html.into_bytes())),
        }
    }
}

/// `body` without its spare capacity: a body is kept in the cache, which counts its length, and a
/// page grown by doubling can hold twice that.
fn exact_bytes(body: Vec<u8>) -> Bytes {
    Bytes::from(body.into_boxed_slice())
}

/// The body answering `request`, from the cache or a search thread; `None` if it could not be
/// written (logged).
async fn answer_search(state: &AppState, request: SearchRequest, answer: Answer) -> Option<Bytes> {
    let snapshot = state.snapshot();
    let key = format!("{answer:?} {request:?}");
    if let Some(body) = snapshot.cache.get(&key) {
        return Some(body);
    }
    let body = match state
        .searches
        .search(snapshot.clone(), request.clone(), answer)
        .await
    {
        Some(body) => body?,
        None => {
            let results = snapshot.index.search(&SearchRequest::default());
            answer.body(&snapshot, &request, &results)?
        }
    };
    snapshot.cache.insert(key, body.clone());
    Some(body)
}

/// Searches run on one thread per core, taking them in order from one queue. Each thread also
/// writes the answer's body, so the results' many small strings are freed by the thread that
/// allocated them, and the cache holds one buffer per answer.
///
/// A search is CPU work of a fraction of a millisecond. Run with `spawn_blocking`, 64 concurrent
/// searches ran on as many threads sharing two cores, each as slow as all of them together;
/// behind a semaphore, each finished search still had to wake a waiting task, which then woke a
/// blocking thread, and the cores sat idle a sixth of the time in between. These threads take
/// the next search from the queue as soon as they finish one.
struct SearchPool {
    queue: mpsc::Sender<SearchJob>,
}

struct SearchJob {
    snapshot: Arc<Snapshot>,
    request: SearchRequest,
    answer: Answer,
    reply: tokio::sync::oneshot::Sender<Option<Bytes>>,
}

impl SearchPool {
    /// Starts `threads` search threads; they end when the pool is dropped.
    fn new(threads: usize) -> SearchPool {
        let (queue, jobs) = mpsc::channel::<SearchJob>();
        let jobs = Arc::new(Mutex::new(jobs));
        for n in 0..threads {
            let jobs = jobs.clone();
            let started = std::thread::Builder::new()
                .name(format!("search-{n}"))
                .spawn(move || {
                    loop {
                        let job = jobs.lock().unwrap_or_else(PoisonError::into_inner).recv();
                        let Ok(job) = job else {
                            break;
                        };
                        let search = AssertUnwindSafe(|| {
                            let results = job.snapshot.index.search(&job.request);
                            job.answer.body(&job.snapshot, &job.request, &results)
                        });
                        if let Ok(body) = std::panic::catch_unwind(search) {
                            // The request may have gone (client closed, timeout): nothing to do.
                            let _ = job.reply.send(body);
                        }
                    }
                });
            if let Err(error) = started {
                tracing::error!(%error, "cannot start a search thread");
            }
        }
        SearchPool { queue }
    }

    /// Queues a search and waits for its answer; `None` if it failed (a bug: it panicked).
    async fn search(
        &self,
        snapshot: Arc<Snapshot>,
        request: SearchRequest,
        answer: Answer,
    ) -> Option<Option<Bytes>> {
        let (reply, results) = tokio::sync::oneshot::channel();
        let job = SearchJob {
            snapshot,
            request,
            answer,
            reply,
        };
        self.queue.send(job).ok()?;
        results.await.ok()
    }
}

/// Recent search answers of one version (response bodies), so a repeated query (a popular
/// search, a reader paging back) costs a lookup. Dropped with its snapshot, so a rebuild never
/// serves stale hits.
///
/// Bounded by the bytes of its keys and bodies; when full, the oldest answers go first, a few at
/// each insert. Each answer is one buffer: when the cache held the results themselves, evicting
/// one freed a few hundred strings allocated by a search thread, on another thread, and that
/// allocator traffic cost more than a tenth of the server's time under the cache-hostile stream.
#[derive(Default)]
struct SearchCache {
    answers: Mutex<CachedAnswers>,
}

#[derive(Default)]
struct CachedAnswers {
    by_key: HashMap<String, Bytes>,
    /// Keys in insertion order, with the bytes each entry counts for.
    order: VecDeque<(String, usize)>,
    bytes: usize,
}

impl SearchCache {
    fn get(&self, key: &str) -> Option<Bytes> {
        self.lock().by_key.get(key).cloned()
    }

    /// Stores an answer, first evicting the oldest ones if it would not fit.
    fn insert(&self, key: String, body: Bytes) {
        let bytes = key.len() + body.len();
        let mut cache = self.lock();
        if cache.by_key.contains_key(&key) {
            return;
        }
        while cache.bytes + bytes > SEARCH_CACHE_BYTES {
            let Some((old, old_bytes)) = cache.order.pop_front() else {
                break;
            };
            cache.bytes -= old_bytes;
            cache.by_key.remove(&old);
        }
        cache.order.push_back((key.clone(), bytes));
        cache.by_key.insert(key, body);
        cache.bytes += bytes;
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, CachedAnswers> {
        self.answers.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

async fn api_search(
    State(state): State<AppState>,
    query: Result<Query<SearchRequest>, QueryRejection>,
) -> Result<Response, AppError> {
    let request = search_request(query)?;
    Ok(match answer_search(&state, request, Answer::Json).await {
        Some(body) => json(body),
        None => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    })
}

/// A `200` with a JSON body.
fn json(body: Bytes) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// `value` as JSON with `<` and `>` written as `\u003c`/`\u003e`, so a reflected query can never
/// be read as markup even by a client that ignores the content type; `None` (logged) if it
/// cannot be serialised.
fn json_body<T: Serialize>(value: &T) -> Option<Bytes> {
    let mut body = Vec::with_capacity(8 * 1024);
    let mut serializer = serde_json::Serializer::with_formatter(&mut body, HtmlSafeJson);
    match value.serialize(&mut serializer) {
        Ok(()) => Some(exact_bytes(body)),
        Err(err) => {
            tracing::error!("cannot write JSON: {err}");
            None
        }
    }
}

/// Compact JSON that escapes `<` and `>` in strings as it writes them (JSON has them nowhere else).
struct HtmlSafeJson;

impl serde_json::ser::Formatter for HtmlSafeJson {
    fn write_string_fragment<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> std::io::Result<()> {
        let mut rest = fragment.as_bytes();
        while let Some(at) = memchr::memchr2(b'<', b'>', rest) {
            writer.write_all(&rest[..at])?;
            writer.write_all(if rest[at] == b'<' {
                b"\\u003c"
            } else {
                b"\\u003e"
            })?;
            rest = &rest[at + 1..];
        }
        writer.write_all(rest)
    }
}

async fn search_page(
    State(state): State<AppState>,
    query: Result<Query<SearchRequest>, QueryRejection>,
) -> Response {
    let request = match search_request(query) {
        Ok(request) => request,
        Err(err) => {
            let snapshot = state.snapshot();
            return render_search(
                &snapshot,
                &SearchRequest::default(),
                None,
                Some(&err.message),
                err.status,
            );
        }
    };
    match answer_search(&state, request, Answer::Page).await {
        Some(body) => Html(body).into_response(),
        None => page_failed("search"),
    }
}

/// A link that changes one parameter of the current search.
#[derive(Serialize)]
struct FacetLink {
    label: String,
    count: u64,
    selected: bool,
    href: String,
}

#[derive(Serialize)]
struct FacetView {
    name: String,
    label: String,
    values: Vec<FacetLink>,
}

#[derive(Serialize)]
struct SearchView<'a> {
    q: &'a str,
    results: Option<&'a SearchResults>,
    facets: Vec<FacetView>,
    active: Vec<FacetLink>,
    prev_href: Option<String>,
    next_href: Option<String>,
    page: usize,
    pages: usize,
    error: Option<&'a str>,
}

const FILTERS: [&str; 6] = [
    "region",
    "grouping",
    "kind",
    "value",
    "authority_type",
    "jurisdiction",
];

fn filter_value<'a>(request: &'a SearchRequest, name: &str) -> Option<&'a str> {
    match name {
        "region" => request.region.as_deref(),
        "grouping" => request.grouping.as_deref(),
        "kind" => request.kind.as_deref(),
        "value" => request.value.as_deref(),
        "authority_type" => request.authority_type.as_deref(),
        "jurisdiction" => request.jurisdiction.as_deref(),
        _ => None,
    }
}

/// `/search?...` with one filter set (or removed, with `None`) and an offset.
fn search_href(
    root: &str,
    request: &SearchRequest,
    change: Option<(&str, Option<&str>)>,
    offset: usize,
) -> String {
    let mut pairs: Vec<(&str, String)> = Vec::new();
    if !request.q.is_empty() {
        pairs.push(("q", request.q.clone()));
    }
    for name in FILTERS {
        let value = match change {
            Some((changed, new)) if changed == name => new,
            _ => filter_value(request, name),
        };
        if let Some(v) = value.filter(|v| !v.is_empty()) {
            pairs.push((name, v.to_string()));
        }
    }
    if offset > 0 {
        pairs.push(("offset", offset.to_string()));
    }
    if let Some(limit) = request.limit {
        pairs.push(("limit", limit.to_string()));
    }
    let query = serde_urlencoded::to_string(&pairs).unwrap_or_default();
    if query.is_empty() {
        format!("{root}/search")
    } else {
        format!("{root}/search?{query}")
    }
}

fn render_search(
    snapshot: &Snapshot,
    request: &SearchRequest,
    results: Option<&SearchResults>,
    error: Option<&str>,
    status: StatusCode,
) -> Response {
    html_page(
        "search",
        status,
        search_html(snapshot, request, results, error),
    )
}

/// The search page: the form, and the results with their facet links if there are any.
fn search_html(
    snapshot: &Snapshot,
    request: &SearchRequest,
    results: Option<&SearchResults>,
    error: Option<&str>,
) -> Result<String, RenderError> {
    let root = snapshot.meta.root.as_str();
    let mut facets = Vec::new();
    let mut active = Vec::new();
    if let Some(results) = results {
        for facet in &results.facets {
            let values = facet
                .values
                .iter()
                .map(|v| FacetLink {
                    label: v.label.clone(),
                    count: v.count,
                    selected: v.selected,
                    href: search_href(
                        root,
                        request,
                        Some((&facet.name, if v.selected { None } else { Some(&v.key) })),
                        0,
                    ),
                })
                .collect();
            facets.push(FacetView {
                name: facet.name.clone(),
                label: facet.label.clone(),
                values,
            });
        }
        for name in FILTERS {
            if let Some(value) = filter_value(request, name).filter(|v| !v.is_empty()) {
                active.push(FacetLink {
                    label: format!("{}: {value}", name.replace('_', " ")),
                    count: 0,
                    selected: true,
                    href: search_href(root, request, Some((name, None)), 0),
                });
            }
        }
    }
    let (prev_href, next_href, page, pages) = match results {
        Some(r) if r.limit > 0 => {
            let prev = (r.offset > 0)
                .then(|| search_href(root, request, None, r.offset.saturating_sub(r.limit)));
            let next = (r.offset + r.limit < r.total)
                .then(|| search_href(root, request, None, r.offset + r.limit));
            (
                prev,
                next,
                r.offset / r.limit + 1,
                r.total.div_ceil(r.limit).max(1),
            )
        }
        _ => (None, None, 1, 1),
    };
    let view = SearchView {
        q: &request.q,
        results,
        facets,
        active,
        prev_href,
        next_href,
        page,
        pages,
        error,
    };
    snapshot.renderer.render_page(
        "search.html",
        &snapshot.meta,
        &snapshot.listing.nav,
        context! { search => Serde(&view) },
    )
}

/// A rendered page with its status, or a 500 that names the page but not the internals.
fn html_page(what: &str, status: StatusCode, rendered: Result<String, RenderError>) -> Response {
    match rendered {
        Ok(html) => (status, Html(html)).into_response(),
        Err(err) => {
            tracing::error!("{what} page: {err}");
            page_failed(what)
        }
    }
}

/// The 500 for a page that could not be rendered, naming the page but not the internals.
fn page_failed(what: &str) -> Response {
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        format!("the {what} page could not be rendered"),
    )
        .into_response()
}

/// `/compare/?j=a,b&t=key&diff=1&bench=id[&format=csv]`; `j` and `t` may also repeat (form
/// checkboxes).
async fn compare_page(State(state): State<AppState>, RawQuery(query): RawQuery) -> Response {
    let snapshot = state.snapshot();
    let catalog = &snapshot.listing.catalog;
    let meta = &snapshot.meta;
    let render = |selection: &Selection, error: Option<&str>, status: StatusCode| {
        let page = ComparePage {
            error,
            ..ComparePage::titled("Compare jurisdictions")
        };
        let rendered = snapshot
            .renderer
            .render_compare(catalog, meta, selection, &page);
        html_page("compare", status, rendered)
    };
    let query = query.as_deref().unwrap_or("");
    let parsed = if query.len() > MAX_COMPARE_QUERY_BYTES {
        Err(format!(
            "query too long: {} bytes, the limit is {MAX_COMPARE_QUERY_BYTES}",
            query.len()
        ))
    } else {
        CompareQuery::parse(query)
            .and_then(|params| Ok((params.selection(&catalog.entries)?, params)))
    };
    let (selection, params) = match parsed {
        Ok(parsed) => parsed,
        Err(message) => {
            let empty = Selection {
                jurisdictions: Vec::new(),
                safeguards: crate::model::SafeguardKey::ALL.to_vec(),
                differences_only: false,
                benchmark: None,
            };
            return render(&empty, Some(&message), StatusCode::BAD_REQUEST);
        }
    };
    if params.joined("format") == "csv" {
        if !selection.is_complete() {
            return AppError::bad_request(format!(
                "choose at least {} jurisdictions",
                compare::MIN_CHOSEN
            ))
            .into_response();
        }
        let origin = meta
            .base_url
            .strip_suffix(&meta.root)
            .unwrap_or(&meta.base_url);
        let csv = compare::to_csv(&compare::table(&selection, &meta.root), origin);
        return (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"jurisdex-compare.csv\"",
                ),
            ],
            csv,
        )
            .into_response();
    }
    let notice = (!selection.jurisdictions.is_empty() && !selection.is_complete()).then(|| {
        format!(
            "Choose at least {} jurisdictions to compare.",
            compare::MIN_CHOSEN
        )
    });
    render(&selection, notice.as_deref(), StatusCode::OK)
}

async fn api_jurisdiction(State(state): State<AppState>, UrlPath(id): UrlPath<String>) -> Response {
    let snapshot = state.snapshot();
    let id = id.trim_end_matches(".json");
    if let Some(target) = snapshot.listing.aliases.get(id) {
        return moved(&format!(
            "{}/api/jurisdictions/{target}",
            snapshot.meta.root
        ));
    }
    if !snapshot.listing.ids.contains(id) {
        return AppError {
            status: StatusCode::NOT_FOUND,
            message: format!("no jurisdiction with id `{id}`"),
        }
        .into_response();
    }
    let relative = format!("api/jurisdictions/{id}.json");
    let path = snapshot.dir_for(&relative).join(relative);
    match tokio::fs::read(&path).await {
        Ok(bytes) => ([(header::CONTENT_TYPE, "application/json")], bytes).into_response(),
        Err(_) => StatusCode::NOT_FOUND.into_response(),
    }
}

/// `/export/matrix.csv`, from the current version's catalog (an edit served incrementally does
/// not rewrite the export files).
async fn matrix_csv(State(state): State<AppState>) -> Response {
    matrix_export(&state, export::write_csv, "text/csv; charset=utf-8").await
}

/// `/export/matrix.json`, like [`matrix_csv`].
async fn matrix_json(State(state): State<AppState>) -> Response {
    matrix_export(&state, export::write_json, "application/json").await
}

/// Writes one of the matrix exports of some entries into a buffer.
type ExportWriter = fn(&[Arc<crate::catalog::Summary>], &str, &mut Vec<u8>) -> std::io::Result<()>;

async fn matrix_export(
    state: &AppState,
    write: ExportWriter,
    content_type: &'static str,
) -> Response {
    let snapshot = state.snapshot();
    let rendered = tokio::task::spawn_blocking(move || {
        let mut body = Vec::new();
        let catalog = &snapshot.listing.catalog;
        write(&catalog.entries, &snapshot.meta.base_url, &mut body).map(|()| body)
    })
    .await;
    match rendered {
        Ok(Ok(body)) => ([(header::CONTENT_TYPE, content_type)], body).into_response(),
        _ => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

/// A 301 answer: old ids keep working for bookmarks and workshop handouts.
fn moved(target: &str) -> Response {
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
fn is_suspicious(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    lower.contains("..")
        || lower.contains('\\')
        || lower.contains("%2e")
        || lower.contains("%2f")
        || lower.contains("%5c")
        || lower.contains("%00")
        || lower.contains('\0')
        || path.split('/').any(|segment| segment.starts_with('.'))
}

async fn static_files(State(state): State<AppState>, request: Request) -> Response {
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
fn alias_target(snapshot: &Snapshot, uri: &Uri) -> Option<String> {
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

/// Prefix of the private directories that `serve --watch` builds each version into.
pub const SNAPSHOT_PREFIX: &str = ".jurisdex-serve-";

/// A new private directory beside `--out` for one served version.
fn private_dir(options: &BuildOptions) -> Result<PathBuf, String> {
    let parent = site::parent_dir(&options.out_dir);
    Ok(site::work_dir(&parent, SNAPSHOT_PREFIX)
        .map_err(|e| e.to_string())?
        .keep())
}

/// Builds the site into `out` in a child process (`jurisdex build`), so that the server's own
/// memory never holds a build: its diagnostics go to the server's stderr. Returns whether the
/// build succeeded.
fn build_in_child(options: &BuildOptions, out: &Path) -> Result<bool, String> {
    let exe =
        std::env::current_exe().map_err(|e| format!("cannot find the jurisdex binary: {e}"))?;
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
    let status = command
        .status()
        .map_err(|e| format!("cannot run the build: {e}"))?;
    Ok(status.success())
}

/// glibc malloc settings for the server (`jurisdex serve` runs itself again with them): fixed
/// thresholds of 1 MB for returning freed memory to the system. glibc starts at 128 KB, which
/// made an edit's rebuild under `--watch` slower (95 ms median to served at 10,000 entries,
/// against 71 ms with 1 MB and 79 ms with glibc's moving thresholds) for a few MB less.
pub const MALLOC_TUNABLES: &str =
    "glibc.malloc.trim_threshold=1048576:glibc.malloc.mmap_threshold=1048576";

/// Builds a private, versioned copy of the site for hot swapping.
pub fn build_snapshot(options: &BuildOptions, version: u64) -> Result<Snapshot, String> {
    let dir = private_dir(options)?;
    let snapshot = match build_in_child(options, &dir) {
        Ok(true) => Snapshot::open(&dir, options, version, true).map_err(|e| e.to_string()),
        Ok(false) => Err("the build failed (see above)".to_string()),
        Err(err) => Err(err),
    };
    if snapshot.is_err() {
        let _ = std::fs::remove_dir_all(&dir);
    }
    snapshot
}

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
fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

/// The async worker threads of [`runtime`]: one per two cores, at least one.
fn connection_threads() -> usize {
    (cores() / 2).max(1)
}

/// `jurisdex serve`: build into `--out` (in a child process), then serve it (and rebuild on
/// change with `watch`).
pub async fn serve(options: BuildOptions, addr: SocketAddr, watch: bool) -> anyhow::Result<()> {
    let build_options = options.clone();
    let out = options.out_dir.clone();
    let built = tokio::task::spawn_blocking(move || build_in_child(&build_options, &out)).await?;
    match built {
        Ok(true) => {}
        Ok(false) => anyhow::bail!("fix the content and run `jurisdex serve` again"),
        Err(err) => anyhow::bail!("build failed: {err}"),
    }
    let state = AppState::new(Snapshot::open(&options.out_dir, &options, 1, false)?);
    let watcher = if watch {
        Some(start_watch(options.clone(), state.clone())?)
    } else {
        None
    };
    // Without TCP_NODELAY a page sent as headers + body waits for the client's delayed ACK (~40 ms).
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {addr}: {e}"))?
        .tap_io(|tcp| {
            if let Err(err) = tcp.set_nodelay(true) {
                tracing::debug!("TCP_NODELAY: {err}");
            }
        });
    eprintln!(
        "serving {} on http://{addr}/{}  (Ctrl+C to stop)",
        options.out_dir.display(),
        if watch { "  watching for changes" } else { "" }
    );
    axum::serve(listener, app(state))
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    drop(watcher);
    eprintln!("stopped");
    Ok(())
}

/// Resolves on Ctrl+C or SIGTERM; in-flight requests then finish before the server exits.
async fn shutdown_signal() {
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

type Debouncer = notify_debouncer_full::Debouncer<
    notify::RecommendedWatcher,
    notify_debouncer_full::RecommendedCache,
>;

/// Watches content and templates; each burst of changes triggers one rebuild and swap.
fn start_watch(options: BuildOptions, state: AppState) -> anyhow::Result<Debouncer> {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Vec<PathBuf>>();
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
    )?;
    for dir in [&options.content_dir, &options.templates_dir] {
        debouncer.watch(dir, notify::RecursiveMode::Recursive)?;
    }
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
    Ok(debouncer)
}

/// The next version after `changed`: incremental when only existing entries were edited
/// ([`site::update`]), otherwise a full build.
fn rebuild(
    options: &BuildOptions,
    current: &Snapshot,
    changed: &[PathBuf],
    version: u64,
) -> Result<Snapshot, String> {
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
                .map_err(|e| e.to_string()),
            Ok(None) => Ok(None),
            Err(err) => Err(err.to_string()),
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
fn edited_entries(options: &BuildOptions, changed: &[PathBuf]) -> Option<Vec<PathBuf>> {
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
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_runtime_has_one_connection_thread_per_two_cores() {
        let runtime = runtime().expect("runtime");
        assert_eq!(runtime.metrics().num_workers(), connection_threads());
        assert_eq!(connection_threads(), (cores() / 2).max(1));
        // Fewer than tokio's default of one per core wherever there are two cores or more.
        if cores() >= 2 {
            assert!(runtime.metrics().num_workers() < cores());
        }
    }

    #[test]
    fn suspicious_paths_are_caught() {
        for path in [
            "/../etc/passwd",
            "/%2e%2e/x",
            "/a%2fb",
            "/a\\b",
            "/.search-index/meta.json",
            "/x%00",
        ] {
            assert!(is_suspicious(path), "{path}");
        }
        assert!(!is_suspicious("/jurisdictions/pakistan/"));
    }

    #[test]
    fn search_cache_is_bounded_by_memory() {
        let cache = SearchCache::default();
        cache.insert("a".to_owned(), Bytes::from_static(b"answer a"));
        assert_eq!(cache.get("a").as_deref(), Some(&b"answer a"[..]));
        let big = Bytes::from("x".repeat(SEARCH_CACHE_BYTES / 3));
        for n in 0..4 {
            cache.insert(format!("{n}"), big.clone());
            assert!(cache.lock().bytes <= SEARCH_CACHE_BYTES);
        }
        // The oldest entries made room for the newest.
        assert!(cache.get("a").is_none());
        assert!(cache.get("0").is_none());
        assert!(cache.get("2").is_some());
        assert!(cache.get("3").is_some());
    }
}
