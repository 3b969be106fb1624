//! Connections: the accept loop and the bounds on what one client can hold (a cap on open
//! connections with a clear refusal beyond it, header-read, keep-alive and send timeouts), and the
//! guard every connection's bytes pass through.

use super::*;

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

/// Most connections open at once (nginx's `worker_connections`); lowered at start to fit the
/// process's open-file limit. One more is answered `503` and closed at once.
pub const MAX_CONNECTIONS: usize = 16_384;
/// Open files kept for everything but connections (the site's files, the index, the watcher).
pub const RESERVED_FILES: usize = 256;
/// Time a client has to send a request's headers, counted from when the server starts waiting
/// for them: the first request of a connection (nginx's `client_header_timeout`), and the next
/// one on a kept-alive connection (nginx's `keepalive_timeout`). Then the connection is closed.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// A response that a client stops reading for this long is abandoned and its connection closed
/// (nginx's `send_timeout`: the time between two writes that make progress, not the whole
/// response, so a slow link still gets a long file).
pub const SEND_TIMEOUT: Duration = Duration::from_secs(30);
/// On SIGTERM, time given to requests in flight before the server exits anyway.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);
/// Most bytes one connection buffers, read or to write (hyper's default is 400 KB): a client that
/// stops reading holds this much of the server's memory, and the kernel's socket buffer the rest.
pub const MAX_CONNECTION_BUFFER: usize = 16 * 1024;

/// The answer beyond [`MAX_CONNECTIONS`], written straight to the socket.
pub(super) fn refusal() -> Vec<u8> {
    let body = "Too many open connections: try again in a moment.\n";
    let mut head = String::from("HTTP/1.1 503 Service Unavailable\r\n");
    head.push_str(
        "content-type: text/plain; charset=utf-8\r\nretry-after: 1\r\nconnection: close\r\n",
    );
    for (name, value) in SECURITY_HEADERS {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str(&format!("content-length: {}\r\n\r\n{body}", body.len()));
    head.into_bytes()
}

/// The connection cap for this process: [`MAX_CONNECTIONS`], or fewer when the open-file limit
/// (raised to its hard limit first) leaves less room beside [`RESERVED_FILES`].
pub fn connection_cap(requested: usize) -> usize {
    match open_file_limit() {
        Some(limit) => requested.min(limit.saturating_sub(RESERVED_FILES).max(1)),
        None => requested,
    }
}

/// Raises the soft limit on open files to the hard limit and returns it (Linux; `None` elsewhere).
fn open_file_limit() -> Option<usize> {
    #[cfg(target_os = "linux")]
    {
        use rustix::process::{Resource, getrlimit, setrlimit};
        let mut limit = getrlimit(Resource::Nofile);
        if limit.current != limit.maximum {
            limit.current = limit.maximum;
            if setrlimit(Resource::Nofile, limit).is_err() {
                limit = getrlimit(Resource::Nofile);
            }
        }
        limit
            .current
            .map(|n| usize::try_from(n).unwrap_or(usize::MAX))
    }
    #[cfg(not(target_os = "linux"))]
    None
}

/// Accepts connections until `shutdown` resolves, serving each with `app` within the bounds
/// above; then lets the requests in flight finish (at most [`SHUTDOWN_GRACE`]).
pub async fn serve_connections(
    listener: TcpListener,
    app: Router,
    max_connections: usize,
    shutdown: impl Future<Output = ()>,
) {
    let open = Arc::new(tokio::sync::Semaphore::new(max_connections));
    let graceful = GracefulShutdown::new();
    // Outside the router's own layers: a request that is not valid HTTP/1.1 never reaches them
    // (its answer gets the security headers from [`GuardedIo`], like hyper's own answers).
    let service = TowerToHyperService::new(app.layer(axum::middleware::from_fn(exactly_one_host)));
    let refusal: Bytes = refusal().into();
    tokio::pin!(shutdown);
    loop {
        let tcp = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((tcp, _peer)) => tcp,
                Err(error) => {
                    // Out of file descriptors or memory: wait instead of spinning on the error.
                    tracing::warn!("accepting a connection: {error}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Ok(permit) = open.clone().try_acquire_owned() else {
            // The socket's send buffer is empty: the refusal is written whole or not at all.
            let _ = tcp.try_write(&refusal);
            continue;
        };
        if let Err(error) = tcp.set_nodelay(true) {
            // Without TCP_NODELAY a page sent as headers + body waits for the delayed ACK (~40 ms).
            tracing::debug!("TCP_NODELAY: {error}");
        }
        tokio::spawn(connection(tcp, permit, service.clone(), graceful.watcher()));
    }
    drop(listener);
    if tokio::time::timeout(SHUTDOWN_GRACE, graceful.shutdown())
        .await
        .is_err()
    {
        eprintln!(
            "some requests were still running after {SHUTDOWN_GRACE:?}: stopping without them"
        );
    }
}

/// RFC 9112 section 3.2: an HTTP/1.1 request without a `Host`, with more than one, or with one
/// that is not a valid host is answered `400`; so is an HTTP/1.0 request with more than one.
pub(super) async fn exactly_one_host(request: Request, next: axum::middleware::Next) -> Response {
    let hosts = request.headers().get_all(header::HOST);
    let count = hosts.iter().count();
    let valid = hosts.iter().all(|host| {
        host.to_str().is_ok_and(|h| {
            !h.is_empty()
                && h.parse::<axum::http::uri::Authority>()
                    .is_ok_and(|a| a.as_str() == h && !h.contains('@'))
        })
    });
    let required = request.version() == axum::http::Version::HTTP_11;
    if count > 1 || !valid || (required && count == 0) {
        return (
            StatusCode::BAD_REQUEST,
            "A request must have exactly one valid Host header.\n",
        )
            .into_response();
    }
    next.run(request).await
}

/// One connection, from accept to close: it waits for the client's first bytes for at most the
/// header-read timeout, then is served. While it waits it holds little more than its socket
/// (see the test of its size).
async fn connection(
    tcp: TcpStream,
    permit: tokio::sync::OwnedSemaphorePermit,
    service: TowerToHyperService<Router>,
    watcher: hyper_util::server::graceful::Watcher,
) {
    let _permit = permit;
    if !first_bytes(&tcp).await {
        return;
    }
    // Boxed: the state of hyper's connection is made only now, not while waiting above.
    Box::pin(serve_connection(tcp, service, watcher)).await;
}

/// Waits for a client's first bytes, at most [`HEADER_READ_TIMEOUT`]: true when they came, false
/// when the client closed, failed or sent nothing in time. (A peek, not `readable()`: tokio
/// reports a new socket readable before anything has arrived.)
async fn first_bytes(tcp: &TcpStream) -> bool {
    let mut byte = [0; 1];
    matches!(
        tokio::time::timeout(HEADER_READ_TIMEOUT, tcp.peek(&mut byte)).await,
        Ok(Ok(1..))
    )
}

/// Serves one connection that has sent its first bytes, until it closes or the server stops.
async fn serve_connection(
    tcp: TcpStream,
    service: TowerToHyperService<Router>,
    watcher: hyper_util::server::graceful::Watcher,
) {
    let connection = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT)
        .max_buf_size(MAX_CONNECTION_BUFFER)
        .serve_connection(TokioIo::new(GuardedIo::new(tcp, SEND_TIMEOUT)), service);
    if let Err(error) = watcher.watch(connection).await {
        tracing::debug!("connection closed: {error}");
    }
}

/// A connection's I/O as hyper sees it: a write that makes no progress for the send timeout fails
/// the connection, and a response head that hyper writes on its own (`400`, `414`, `431` for a
/// request it cannot parse) gets the [`SECURITY_HEADERS`] every other answer has.
pub(super) struct GuardedIo<T> {
    inner: T,
    send_timeout: Duration,
    /// Armed while a write waits for the client to read.
    stalled: Option<Pin<Box<tokio::time::Sleep>>>,
    /// A patched head still to be written, and how much of it was.
    patched: Vec<u8>,
    patched_written: usize,
}

impl<T> GuardedIo<T> {
    pub(super) fn new(inner: T, send_timeout: Duration) -> Self {
        GuardedIo {
            inner,
            send_timeout,
            stalled: None,
            patched: Vec::new(),
            patched_written: 0,
        }
    }
}

impl<T: AsyncWrite + Unpin> GuardedIo<T> {
    /// Passes a write's outcome on, failing it once the client has read nothing for the send
    /// timeout.
    fn bounded<R>(
        &mut self,
        cx: &mut Context<'_>,
        outcome: Poll<io::Result<R>>,
    ) -> Poll<io::Result<R>> {
        match outcome {
            Poll::Ready(result) => {
                self.stalled = None;
                Poll::Ready(result)
            }
            Poll::Pending => {
                let timeout = self.send_timeout;
                let stalled = self
                    .stalled
                    .get_or_insert_with(|| Box::pin(tokio::time::sleep(timeout)));
                match stalled.as_mut().poll(cx) {
                    Poll::Ready(()) => Poll::Ready(Err(io::Error::new(
                        io::ErrorKind::TimedOut,
                        "the client stopped reading the response",
                    ))),
                    Poll::Pending => Poll::Pending,
                }
            }
        }
    }

    /// Writes what is left of a patched head before anything else.
    fn poll_patched(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while self.patched_written < self.patched.len() {
            let rest = &self.patched[self.patched_written..];
            let outcome = Pin::new(&mut self.inner).poll_write(cx, rest);
            match ready!(self.bounded(cx, outcome)) {
                Ok(0) => return Poll::Ready(Err(io::ErrorKind::WriteZero.into())),
                Ok(n) => self.patched_written += n,
                Err(error) => return Poll::Ready(Err(error)),
            }
        }
        self.patched.clear();
        self.patched_written = 0;
        Poll::Ready(Ok(()))
    }

    /// When `buf` begins with a whole response head that lacks the security headers, queues it
    /// with them and returns how many bytes of `buf` that consumed.
    fn patch_head(&mut self, buf: &[u8]) -> Option<usize> {
        let (patched, consumed) = with_security_headers(buf)?;
        self.patched = patched;
        self.patched_written = 0;
        Some(consumed)
    }
}

/// `head` (a response head as hyper writes it, `HTTP/1.x NNN ...\r\n...\r\n\r\n`, at the start of
/// `buf`) with the [`SECURITY_HEADERS`] after its status line, and the length of the head in
/// `buf`; `None` when `buf` does not start with a whole final response head or it has them.
pub(super) fn with_security_headers(buf: &[u8]) -> Option<(Vec<u8>, usize)> {
    let status = buf.strip_prefix(b"HTTP/1.")?.get(2..5)?;
    if !status.iter().all(u8::is_ascii_digit) || status[0] == b'1' {
        return None;
    }
    let end = memchr::memmem::find(buf, b"\r\n\r\n")? + 4;
    let head = &buf[..end];
    let marker = SECURITY_HEADERS[0].0.as_str().as_bytes();
    let has_them = head
        .split(|&b| b == b'\n')
        .any(|line| line.len() > marker.len() && line[..marker.len()].eq_ignore_ascii_case(marker));
    if has_them {
        return None;
    }
    let status_line = memchr::memmem::find(head, b"\r\n")? + 2;
    let mut patched = Vec::with_capacity(end + 512);
    patched.extend_from_slice(&head[..status_line]);
    for (name, value) in SECURITY_HEADERS {
        patched.extend_from_slice(name.as_str().as_bytes());
        patched.extend_from_slice(b": ");
        patched.extend_from_slice(value.as_bytes());
        patched.extend_from_slice(b"\r\n");
    }
    patched.extend_from_slice(&head[status_line..]);
    Some((patched, end))
}

impl<T: AsyncRead + Unpin> AsyncRead for GuardedIo<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_read(cx, buf)
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for GuardedIo<T> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        ready!(this.poll_patched(cx))?;
        if let Some(consumed) = this.patch_head(buf) {
            // The patched head goes out now or on the next call; `buf`'s bytes count as taken.
            let _ = this.poll_patched(cx);
            return Poll::Ready(Ok(consumed));
        }
        let outcome = Pin::new(&mut this.inner).poll_write(cx, buf);
        this.bounded(cx, outcome)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        ready!(this.poll_patched(cx))?;
        if let Some(first) = bufs.iter().find(|b| !b.is_empty())
            && let Some(consumed) = this.patch_head(first)
        {
            let _ = this.poll_patched(cx);
            return Poll::Ready(Ok(consumed));
        }
        let outcome = Pin::new(&mut this.inner).poll_write_vectored(cx, bufs);
        this.bounded(cx, outcome)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_patched(cx))?;
        let outcome = Pin::new(&mut this.inner).poll_flush(cx);
        this.bounded(cx, outcome)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_patched(cx))?;
        Pin::new(&mut this.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_head_written_by_hyper_gets_the_security_headers() {
        let raw = b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\nrest";
        let (patched, consumed) = with_security_headers(raw).expect("a head to patch");
        assert_eq!(&raw[consumed..], b"rest");
        let text = String::from_utf8(patched).unwrap();
        assert!(text.starts_with("HTTP/1.1 400 Bad Request\r\n"), "{text}");
        for (name, value) in SECURITY_HEADERS {
            assert!(text.contains(&format!("\r\n{name}: {value}\r\n")), "{text}");
        }
        assert!(text.ends_with("content-length: 0\r\n\r\n"), "{text}");
    }

    #[test]
    fn heads_that_have_them_bodies_and_interim_answers_are_left_alone() {
        let ours = format!(
            "HTTP/1.1 200 OK\r\n{}: {}\r\n\r\n",
            SECURITY_HEADERS[0].0.as_str().to_uppercase(),
            SECURITY_HEADERS[0].1
        );
        assert!(with_security_headers(ours.as_bytes()).is_none());
        assert!(with_security_headers(b"HTTP/1.1 100 Continue\r\n\r\n").is_none());
        assert!(with_security_headers(b"<!doctype html>\r\n\r\n").is_none());
        assert!(with_security_headers(b"HTTP/1.1 400 Bad Request\r\ncontent-le").is_none());
    }

    #[test]
    fn the_refusal_is_a_whole_answer_with_the_security_headers() {
        let text = String::from_utf8(refusal()).unwrap();
        let (head, body) = text.split_once("\r\n\r\n").unwrap();
        assert!(head.starts_with("HTTP/1.1 503 "));
        assert!(head.contains(&format!("content-length: {}", body.len())));
        assert!(with_security_headers(text.as_bytes()).is_none());
    }

    #[tokio::test(start_paused = true)]
    async fn a_connection_is_served_only_once_its_first_bytes_come() {
        use tokio::io::AsyncWriteExt;
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let mut client = TcpStream::connect(addr).await.unwrap();
        let (tcp, _) = listener.accept().await.unwrap();
        let waiting = tokio::time::timeout(HEADER_READ_TIMEOUT / 2, first_bytes(&tcp)).await;
        assert!(
            waiting.is_err(),
            "a silent client was taken as having sent something"
        );
        client.write_all(b"G").await.unwrap();
        assert!(first_bytes(&tcp).await);
        let silent = TcpStream::connect(addr).await.unwrap();
        let (tcp, _) = listener.accept().await.unwrap();
        assert!(
            !first_bytes(&tcp).await,
            "waited past the header-read timeout"
        );
        drop(silent);
        drop(client);
    }

    #[tokio::test]
    async fn a_connection_waiting_for_its_first_bytes_is_small() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let _client = TcpStream::connect(addr).await.unwrap();
        let (tcp, _) = listener.accept().await.unwrap();
        let permit = Arc::new(tokio::sync::Semaphore::new(1))
            .try_acquire_owned()
            .unwrap();
        let service = TowerToHyperService::new(Router::new());
        let waiting = connection(tcp, permit, service, GracefulShutdown::new().watcher());
        let size = std::mem::size_of_val(&waiting);
        eprintln!("a waiting connection's task holds {size} bytes");
        assert!(size < 1024, "{size} bytes");
    }

    #[tokio::test(start_paused = true)]
    async fn a_client_that_stops_reading_is_cut_off_after_the_send_timeout() {
        use tokio::io::AsyncWriteExt;
        let (server, _client) = tokio::io::duplex(1024);
        let mut guarded = GuardedIo::new(server, SEND_TIMEOUT);
        let chunk = vec![b'x'; 4096];
        let error = loop {
            match guarded.write(&chunk).await {
                Ok(_) => continue,
                Err(error) => break error,
            }
        };
        assert_eq!(error.kind(), io::ErrorKind::TimedOut);
    }

    #[tokio::test(start_paused = true)]
    async fn a_client_that_reads_slowly_is_not_cut_off() {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let (server, mut client) = tokio::io::duplex(1024);
        let reader = tokio::spawn(async move {
            let mut buf = [0; 512];
            let mut total = 0;
            loop {
                tokio::time::sleep(SEND_TIMEOUT / 2).await;
                match client.read(&mut buf).await {
                    Ok(0) | Err(_) => return total,
                    Ok(n) => total += n,
                }
            }
        });
        let mut guarded = GuardedIo::new(server, SEND_TIMEOUT);
        guarded
            .write_all(&vec![b'x'; 8192])
            .await
            .expect("a slow reader gets it all");
        guarded.shutdown().await.unwrap();
        drop(guarded);
        assert_eq!(reader.await.unwrap(), 8192);
    }
}
