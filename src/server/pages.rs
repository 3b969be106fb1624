//! Pages made per request: the search page, custom comparisons, the jurisdiction JSON API and the matrix exports.

use super::*;

/// Longest `/compare/` query string accepted (8 ids, a benchmark and the safeguards fit easily).
pub const MAX_COMPARE_QUERY_BYTES: usize = 2048;
pub(super) async fn search_page(
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
        Ok(body) => Html(body).into_response(),
        Err(SearchFailure::Unavailable) => (
            StatusCode::SERVICE_UNAVAILABLE,
            "search is unavailable just now; try again in a moment",
        )
            .into_response(),
        Err(SearchFailure::Unwritable) => page_failed("search"),
    }
}

/// A link that changes one parameter of the current search.
#[derive(Serialize)]
pub(super) struct FacetLink {
    pub(super) label: String,
    pub(super) count: u64,
    pub(super) selected: bool,
    pub(super) href: String,
}

#[derive(Serialize)]
pub(super) struct FacetView {
    pub(super) name: String,
    pub(super) label: String,
    pub(super) values: Vec<FacetLink>,
}

#[derive(Serialize)]
pub(super) struct SearchView<'a> {
    pub(super) q: &'a str,
    pub(super) results: Option<&'a SearchResults>,
    pub(super) facets: Vec<FacetView>,
    pub(super) active: Vec<FacetLink>,
    pub(super) prev_href: Option<String>,
    pub(super) next_href: Option<String>,
    /// The search for the corrected query, when a typo was corrected.
    pub(super) corrected_href: Option<String>,
    pub(super) page: usize,
    pub(super) pages: usize,
    pub(super) error: Option<&'a str>,
}

/// `/search?...` with one filter set (or removed, with `None`) and an offset.
pub(super) fn search_href(
    root: &str,
    request: &SearchRequest,
    change: Option<(&str, Option<&str>)>,
    offset: usize,
) -> String {
    let mut pairs: Vec<(&str, String)> = Vec::new();
    if !request.q.is_empty() {
        pairs.push(("q", request.q.clone()));
    }
    for (name, current) in request.filters() {
        let value = match change {
            Some((changed, new)) if changed == name => new,
            _ => current,
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

pub(super) fn render_search(
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
pub(super) fn search_html(
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
        for (name, value) in request.filters() {
            if let Some(value) = value.filter(|v| !v.is_empty()) {
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
    let corrected_href = results
        .and_then(|r| r.corrected_query.as_deref())
        .map(|corrected| {
            let request = SearchRequest {
                q: corrected.to_owned(),
                ..request.clone()
            };
            search_href(root, &request, None, 0)
        });
    let view = SearchView {
        q: &request.q,
        results,
        facets,
        active,
        prev_href,
        next_href,
        corrected_href,
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

/// `/compare/?j=a,b&t=key&diff=1&bench=id[&format=csv]`; `j` and `t` may also repeat (form
/// checkboxes).
pub(super) async fn compare_page(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Response {
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
        Err(AddressError(format!(
            "query too long: {} bytes, the limit is {MAX_COMPARE_QUERY_BYTES}",
            query.len()
        )))
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
            return render(&empty, Some(&message.0), StatusCode::BAD_REQUEST);
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

pub(super) async fn api_jurisdiction(
    State(state): State<AppState>,
    UrlPath(id): UrlPath<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let snapshot = state.snapshot();
    let id = id.trim_end_matches(".json");
    if let Some(target) = snapshot.listing.aliases.get(id) {
        let query = query.map(|q| format!("?{q}")).unwrap_or_default();
        return moved(&format!(
            "{}/api/jurisdictions/{target}{query}",
            snapshot.meta.root
        ));
    }
    if !snapshot.listing.ids.contains(id) {
        return not_found(format!("no jurisdiction with id `{id}`"));
    }
    let as_of = serde_urlencoded::from_str::<Vec<(String, String)>>(query.as_deref().unwrap_or(""))
        .unwrap_or_default()
        .into_iter()
        .find(|(key, _)| key == routes::AS_OF_PARAM)
        .map(|(_, day)| day);
    let relative = match as_of {
        None => routes::api_jurisdiction_file(id),
        Some(day) => match version_on(&snapshot, id, &day).await {
            Ok(AsOf::Current) => routes::api_jurisdiction_file(id),
            Ok(AsOf::Past {
                json: Some(json), ..
            }) => json.trim_start_matches('/').to_string(),
            Ok(AsOf::Past { json: None, .. } | AsOf::Unavailable) => {
                return not_found(format!(
                    "the version of `{id}` on {day} was written in an earlier format of the content and cannot be shown"
                ));
            }
            Ok(AsOf::Before) => {
                return not_found(format!(
                    "`{id}` had no published version on or before {day}"
                ));
            }
            Err(response) => return *response,
        },
    };
    let path = snapshot.dir_for(&relative).join(relative);
    match tokio::fs::read(&path).await {
        Ok(bytes) => ([(header::CONTENT_TYPE, "application/json")], bytes).into_response(),
        Err(_) => StatusCode::NOT_FOUND.into_response(),
    }
}

/// A `404` whose body says why.
fn not_found(message: String) -> Response {
    AppError {
        status: StatusCode::NOT_FOUND,
        message,
    }
    .into_response()
}

/// Which version of entry `id` stood at the end of `day` (`YYYY-MM-DD`), from its versions'
/// index; a `400` for a day that is not one, a `404` when the site has no history of the entry.
pub(super) async fn version_on(
    snapshot: &Snapshot,
    id: &str,
    day: &str,
) -> Result<AsOf, Box<Response>> {
    let day = Date::parse(day).ok().filter(Date::is_full).ok_or_else(|| {
        Box::new(
            AppError {
                status: StatusCode::BAD_REQUEST,
                message: format!(
                    "`{day}` is not a day: write {}=YYYY-MM-DD",
                    routes::AS_OF_PARAM
                ),
            }
            .into_response(),
        )
    })?;
    #[derive(serde::Deserialize)]
    struct WithHistory {
        history: Option<VersionIndex<Dated>>,
    }
    let relative = routes::api_jurisdiction_file(id);
    let path = snapshot.dir_for(&relative).join(&relative);
    let index = tokio::fs::read(&path)
        .await
        .ok()
        .and_then(|bytes| serde_json::from_slice::<WithHistory>(&bytes).ok()?.history)
        .ok_or_else(|| {
            Box::new(not_found(format!(
                "this site has no history of `{id}`: it was built from content outside a git repository"
            )))
        })?;
    Ok(index.on(day))
}

/// `/export/matrix.csv`, from the current version's catalog (an edit served incrementally does
/// not rewrite the export files).
pub(super) async fn matrix_csv(State(state): State<AppState>, headers: HeaderMap) -> Response {
    matrix_export(&state, MatrixExport::Csv, &headers).await
}

/// `/export/matrix.json`, like [`matrix_csv`].
pub(super) async fn matrix_json(State(state): State<AppState>, headers: HeaderMap) -> Response {
    matrix_export(&state, MatrixExport::Json, &headers).await
}

/// The two matrix exports, in the order of [`ServedContent::exports`].
#[derive(Clone, Copy)]
pub(super) enum MatrixExport {
    Csv = 0,
    Json = 1,
}

impl MatrixExport {
    fn content_type(self) -> &'static str {
        match self {
            MatrixExport::Csv => "text/csv; charset=utf-8",
            MatrixExport::Json => "application/json",
        }
    }

    fn write(
        self,
        entries: &[Arc<crate::catalog::Summary>],
        base_url: &str,
        mut out: &mut dyn std::io::Write,
    ) -> std::io::Result<()> {
        match self {
            MatrixExport::Csv => export::write_csv(entries, base_url, &mut out),
            MatrixExport::Json => export::write_json(entries, base_url, &mut out),
        }
    }
}

/// One export in each content coding, each made once, when first asked for, straight into its
/// coding (a compressed copy never needs the uncompressed one in memory).
#[derive(Default)]
pub(super) struct ExportBodies {
    identity: std::sync::OnceLock<Result<Bytes, String>>,
    gzip: std::sync::OnceLock<Result<Bytes, String>>,
    brotli: std::sync::OnceLock<Result<Bytes, String>>,
}

/// Brotli quality for the exports: 5 compresses a 45 MB CSV in about a second, near the ratio of
/// the slow top qualities.
const EXPORT_BROTLI_QUALITY: u32 = 5;

impl ExportBodies {
    /// The body in `coding` (`None`: uncompressed), made by `write` if it is the first ask.
    /// Callers asking at once wait for the one that makes it.
    fn get(
        &self,
        coding: Option<&'static str>,
        write: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
    ) -> Result<Bytes, String> {
        let made = |body: std::io::Result<Vec<u8>>| {
            body.map(|mut body| {
                body.shrink_to_fit();
                Bytes::from(body)
            })
            .map_err(|e| e.to_string())
        };
        match coding {
            Some("br") => self.brotli.get_or_init(|| {
                let mut out =
                    brotli::CompressorWriter::new(Vec::new(), 64 * 1024, EXPORT_BROTLI_QUALITY, 22);
                made(
                    write(&mut out)
                        .and_then(|()| std::io::Write::flush(&mut out))
                        .map(|()| out.into_inner()),
                )
            }),
            Some("gzip") => self.gzip.get_or_init(|| {
                let mut out =
                    flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
                made(write(&mut out).and_then(|()| out.finish()))
            }),
            _ => self.identity.get_or_init(|| {
                let mut out = Vec::new();
                made(write(&mut out).map(|()| out))
            }),
        }
        .clone()
    }
}

pub(super) async fn matrix_export(
    state: &AppState,
    export: MatrixExport,
    request: &HeaderMap,
) -> Response {
    let snapshot = state.snapshot();
    let coding = preferred_coding(request);
    let rendered = tokio::task::spawn_blocking(move || {
        let listing = &snapshot.listing;
        listing.exports[export as usize].get(coding, |out| {
            export.write(&listing.catalog.entries, &snapshot.meta.base_url, out)
        })
    })
    .await;
    match rendered {
        Ok(Ok(body)) => {
            let mut response =
                ([(header::CONTENT_TYPE, export.content_type())], body).into_response();
            if let Some(coding) = coding {
                response
                    .headers_mut()
                    .insert(header::CONTENT_ENCODING, HeaderValue::from_static(coding));
            }
            response
        }
        Ok(Err(error)) => {
            tracing::error!("matrix export: {error}");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}
