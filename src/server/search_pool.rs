//! The search pool and answer cache: searches run on one thread per core from one queue, and recent answers are kept per snapshot.

use super::*;

/// Most bytes of search answers (keys and response bodies) kept per version.
pub const SEARCH_CACHE_BYTES: usize = 16 << 20;
pub(super) fn search_request(
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
pub(super) enum Answer {
    Json,
    Page,
}

impl Answer {
    /// The response body for `results`; `None` (logged) if it cannot be written.
    pub(super) fn body(
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
pub(super) fn exact_bytes(body: Vec<u8>) -> Bytes {
    Bytes::from(body.into_boxed_slice())
}

/// Why a search could not be answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum SearchFailure {
    /// No search thread took the search or answered it (none running, or one panicked): a `503`,
    /// never a different search's answer.
    Unavailable,
    /// The answer's body could not be written (logged): a `500`.
    Unwritable,
}

impl SearchFailure {
    /// The JSON error answer of `/api/search`.
    pub(super) fn into_error(self) -> AppError {
        match self {
            SearchFailure::Unavailable => AppError {
                status: StatusCode::SERVICE_UNAVAILABLE,
                message: "search is unavailable just now; try again in a moment".to_string(),
            },
            SearchFailure::Unwritable => AppError {
                status: StatusCode::INTERNAL_SERVER_ERROR,
                message: "the search answer could not be written".to_string(),
            },
        }
    }
}

/// The body answering `request`, from the cache or a search thread.
pub(super) async fn answer_search(
    state: &AppState,
    request: SearchRequest,
    answer: Answer,
) -> Result<Bytes, SearchFailure> {
    let snapshot = state.snapshot();
    let key = format!("{answer:?} {request:?}");
    if let Some(body) = snapshot.cache.get(&key) {
        return Ok(body);
    }
    let body = state
        .searches
        .search(snapshot.clone(), request, answer)
        .await
        .ok_or(SearchFailure::Unavailable)?
        .ok_or(SearchFailure::Unwritable)?;
    snapshot.cache.insert(key, body.clone());
    Ok(body)
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
pub(super) struct SearchPool {
    pub(super) queue: mpsc::Sender<SearchJob>,
}

pub(super) struct SearchJob {
    pub(super) snapshot: Arc<Snapshot>,
    pub(super) request: SearchRequest,
    pub(super) answer: Answer,
    pub(super) reply: tokio::sync::oneshot::Sender<Option<Bytes>>,
}

impl SearchPool {
    /// Starts `threads` search threads; they end when the pool is dropped.
    pub(super) fn new(threads: usize) -> SearchPool {
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
pub(super) struct SearchCache {
    pub(super) answers: Mutex<CachedAnswers>,
}

#[derive(Default)]
pub(super) struct CachedAnswers {
    pub(super) by_key: HashMap<String, Bytes>,
    /// Keys in insertion order, with the bytes each entry counts for.
    pub(super) order: VecDeque<(String, usize)>,
    pub(super) bytes: usize,
}

impl SearchCache {
    pub(super) fn get(&self, key: &str) -> Option<Bytes> {
        self.lock().by_key.get(key).cloned()
    }

    /// Stores an answer, first evicting the oldest ones if it would not fit.
    pub(super) fn insert(&self, key: String, body: Bytes) {
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

    pub(super) fn lock(&self) -> std::sync::MutexGuard<'_, CachedAnswers> {
        self.answers.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

pub(super) async fn api_search(
    State(state): State<AppState>,
    query: Result<Query<SearchRequest>, QueryRejection>,
) -> Result<Response, AppError> {
    let request = search_request(query)?;
    answer_search(&state, request, Answer::Json)
        .await
        .map(json)
        .map_err(SearchFailure::into_error)
}

/// A `200` with a JSON body.
pub(super) fn json(body: Bytes) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// `value` as JSON with `<` and `>` written as `\u003c`/`\u003e`, so a reflected query can never
/// be read as markup even by a client that ignores the content type; `None` (logged) if it
/// cannot be serialised.
pub(super) fn json_body<T: Serialize>(value: &T) -> Option<Bytes> {
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
pub(super) struct HtmlSafeJson;

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
