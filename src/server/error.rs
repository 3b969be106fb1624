//! Errors of the server: what stops `serve` or a rebuild (for the terminal), and the answers a
//! client gets (a status and a message safe to show, as JSON for the APIs and as a page for
//! readers).

use super::*;

/// What stops `serve` from starting, or a rebuild from giving a new version to serve.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("cannot find the jurisdex binary to run the build: {0}")]
    Binary(#[source] std::io::Error),
    #[error("cannot run the build as a child process: {0}")]
    Child(#[source] std::io::Error),
    #[error("the build failed (its errors are above): fix the content and try again")]
    BuildFailed,
    #[error("the build thread stopped unexpectedly: {0}")]
    Join(#[from] tokio::task::JoinError),
    #[error(transparent)]
    Build(#[from] BuildError),
    #[error("cannot open the built site: {0}")]
    Open(#[from] OpenError),
    #[error("cannot watch {} for changes: {source}", path.display())]
    Watch {
        path: PathBuf,
        source: notify::Error,
    },
    #[error("cannot start watching for changes: {0}")]
    Watcher(#[source] notify::Error),
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        addr: SocketAddr,
        source: std::io::Error,
    },
}

/// An error answer: status plus a message safe to show (never internals).
#[derive(Debug)]
pub struct AppError {
    pub(super) status: StatusCode,
    pub(super) message: String,
}

impl AppError {
    pub(super) fn bad_request(message: impl Into<String>) -> AppError {
        AppError {
            status: StatusCode::BAD_REQUEST,
            message: message.into(),
        }
    }
}

#[derive(Serialize)]
pub(super) struct ErrorBody<'a> {
    pub(super) error: &'a str,
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

/// A rendered page with its status, or a 500 that names the page but not the internals.
pub(super) fn html_page(
    what: &str,
    status: StatusCode,
    rendered: Result<String, RenderError>,
) -> Response {
    match rendered {
        Ok(html) => (status, Html(html)).into_response(),
        Err(err) => {
            tracing::error!("{what} page: {err}");
            page_failed(what)
        }
    }
}

/// The 500 for a page that could not be rendered, naming the page but not the internals.
pub(super) fn page_failed(what: &str) -> Response {
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        format!("the {what} page could not be rendered"),
    )
        .into_response()
}
