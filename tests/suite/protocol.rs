//! HTTP as the RFCs say and bounded per client: the running server on raw sockets (hyper's own
//! answers, `Host`, the connection cap, header-read timeouts) and the router for ranges and
//! validators by content coding.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use tower::ServiceExt;

use crate::support::{Fixture, wait_for};
use jurisdex::server::{AppState, HEADER_READ_TIMEOUT, SECURITY_HEADERS, Snapshot, app};

/// Sends `request` on a new connection and reads until the server closes it (at most 15 s).
fn exchange(addr: &str, request: &[u8]) -> String {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(15)))
        .unwrap();
    stream.write_all(request).expect("send");
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    String::from_utf8_lossy(&answer).into_owned()
}

fn status(answer: &str) -> u16 {
    answer
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status line in {answer:?}"))
}

fn assert_security_headers(answer: &str) {
    let head = answer
        .split("\r\n\r\n")
        .next()
        .unwrap()
        .to_ascii_lowercase();
    for (name, value) in SECURITY_HEADERS {
        let line = format!("\r\n{}: {}", name.as_str(), value.to_ascii_lowercase());
        assert!(head.contains(&line), "{name} missing from:\n{head}");
    }
}

#[test]
fn answers_hyper_writes_itself_carry_the_security_headers() {
    let fixture = Fixture::new("basic");
    let server = fixture.serve(&[]);
    let malformed = exchange(
        &server.addr,
        b"GET / HTTP/1.1\r\nHost: a\r\nno colon here\r\n\r\n",
    );
    assert_eq!(status(&malformed), 400, "{malformed}");
    assert_security_headers(&malformed);
    let long = format!("GET /{} HTTP/1.1\r\nHost: a\r\n\r\n", "a".repeat(70_000));
    let too_long = exchange(&server.addr, long.as_bytes());
    assert!(matches!(status(&too_long), 414 | 431), "{too_long}");
    assert_security_headers(&too_long);
    let fine = exchange(
        &server.addr,
        b"GET /healthz HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(status(&fine), 200, "{fine}");
    assert_security_headers(&fine);
    // Each header once, even where hyper's answer and ours both could have added them.
    assert_eq!(fine.matches("x-frame-options").count(), 1, "{fine}");
}

#[test]
fn a_request_needs_exactly_one_valid_host() {
    let fixture = Fixture::new("basic");
    let server = fixture.serve(&[]);
    let cases: [(&[u8], u16); 6] = [
        (b"GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n", 400),
        (
            b"GET /healthz HTTP/1.1\r\nHost: a\r\nHost: b\r\nConnection: close\r\n\r\n",
            400,
        ),
        (
            b"GET /healthz HTTP/1.1\r\nHost: a b\r\nConnection: close\r\n\r\n",
            400,
        ),
        (
            b"GET /healthz HTTP/1.1\r\nHost: user@evil\r\nConnection: close\r\n\r\n",
            400,
        ),
        (b"GET /healthz HTTP/1.0\r\n\r\n", 200),
        (
            b"GET /healthz HTTP/1.1\r\nHost: example.org:8080\r\nConnection: close\r\n\r\n",
            200,
        ),
    ];
    for (request, expected) in cases {
        let answer = exchange(&server.addr, request);
        assert_eq!(
            status(&answer),
            expected,
            "{}\n{answer}",
            String::from_utf8_lossy(request)
        );
        assert_security_headers(&answer);
    }
}

#[test]
fn connections_beyond_the_cap_are_refused_clearly_and_the_server_recovers() {
    let fixture = Fixture::new("basic");
    let server = fixture.serve(&["--max-connections", "3"]);
    // `serve` waited for /healthz on connections that are closed now; let the server see it.
    std::thread::sleep(Duration::from_millis(200));
    let idle: Vec<TcpStream> = (0..3)
        .map(|_| TcpStream::connect(&server.addr).unwrap())
        .collect();
    std::thread::sleep(Duration::from_millis(200));
    let refused = exchange(&server.addr, b"GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n");
    assert_eq!(status(&refused), 503, "{refused}");
    assert!(
        refused.to_ascii_lowercase().contains("retry-after: 1"),
        "{refused}"
    );
    assert!(refused.contains("Too many open connections"), "{refused}");
    assert_security_headers(&refused);
    drop(idle);
    wait_for("a free connection", Duration::from_secs(5), || {
        status(&exchange(
            &server.addr,
            b"GET /healthz HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
        )) == 200
    });
}

#[test]
fn idle_and_slow_header_connections_are_closed_after_the_header_timeout() {
    let fixture = Fixture::new("basic");
    let server = fixture.serve(&[]);
    let limit = HEADER_READ_TIMEOUT + Duration::from_secs(4);
    let addr = server.addr.clone();
    // Sends nothing at all.
    let silent = std::thread::spawn(move || {
        let started = Instant::now();
        let mut stream = TcpStream::connect(addr).unwrap();
        stream.set_read_timeout(Some(limit)).unwrap();
        let mut buf = [0; 64];
        let closed = matches!(stream.read(&mut buf), Ok(0) | Err(_));
        (closed, started.elapsed())
    });
    // A byte of the headers every second (slowloris), never the end of them.
    let addr = server.addr.clone();
    let trickle = std::thread::spawn(move || {
        let started = Instant::now();
        let mut stream = TcpStream::connect(addr).unwrap();
        stream.write_all(b"GET / HTTP/1.1\r\nHost: a\r\n").unwrap();
        while started.elapsed() < limit {
            std::thread::sleep(Duration::from_secs(1));
            if stream.write_all(b"X").is_err() {
                return started.elapsed();
            }
        }
        started.elapsed()
    });
    // A kept-alive connection that answered one request and then idles.
    let addr = server.addr.clone();
    let kept = std::thread::spawn(move || {
        let mut stream = TcpStream::connect(addr).unwrap();
        stream.set_read_timeout(Some(limit)).unwrap();
        stream
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n")
            .unwrap();
        let started = Instant::now();
        let mut answer = Vec::new();
        let _ = stream.read_to_end(&mut answer);
        (
            String::from_utf8_lossy(&answer).into_owned(),
            started.elapsed(),
        )
    });
    let (closed, waited) = silent.join().unwrap();
    assert!(
        closed && waited < limit,
        "a silent connection stayed open for {waited:?}"
    );
    let waited = trickle.join().unwrap();
    assert!(
        waited < limit,
        "a trickling connection stayed open for {waited:?}"
    );
    let (answer, waited) = kept.join().unwrap();
    assert_eq!(status(&answer), 200, "{answer}");
    assert!(
        waited < limit,
        "an idle kept-alive connection stayed open for {waited:?}"
    );
}

fn router() -> (Fixture, axum::Router) {
    let fixture = Fixture::new("basic");
    let built = fixture.build().expect("fixture builds");
    let snapshot =
        Snapshot::open(&built.dir, &fixture.options(), 1, false).expect("snapshot opens");
    (fixture, app(AppState::new(snapshot)))
}

async fn send(
    router: &axum::Router,
    headers: &[(header::HeaderName, &str)],
) -> (StatusCode, axum::http::HeaderMap, usize) {
    let mut request = Request::get("/jurisdictions/alpha/");
    for (name, value) in headers {
        request = request.header(name, *value);
    }
    let response = router
        .clone()
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (status, headers, bytes.len())
}

#[tokio::test]
async fn ranges_in_other_units_or_several_at_once_get_the_whole_page() {
    let (_fixture, router) = router();
    let (_, _, whole) = send(&router, &[]).await;
    let (status, headers, len) = send(&router, &[(header::RANGE, "bytes=0-9")]).await;
    assert_eq!((status, len), (StatusCode::PARTIAL_CONTENT, 10));
    assert!(headers.contains_key(header::CONTENT_RANGE));
    for range in ["bytes=0-9,20-29", "items=0-9", "bytes=0-0, 5-5"] {
        let (status, headers, len) = send(&router, &[(header::RANGE, range)]).await;
        assert_eq!((status, len), (StatusCode::OK, whole), "Range: {range}");
        assert!(
            !headers.contains_key(header::CONTENT_RANGE),
            "Range: {range}"
        );
    }
    let (status, _, _) = send(&router, &[(header::RANGE, "bytes=999999999-")]).await;
    assert_eq!(status, StatusCode::RANGE_NOT_SATISFIABLE);
}

#[tokio::test]
async fn a_compressed_answer_never_shares_a_strong_validator_with_the_plain_one() {
    let (_fixture, router) = router();
    let (status, plain, _) = send(&router, &[]).await;
    assert_eq!(status, StatusCode::OK);
    let strong = plain[header::ETAG].to_str().unwrap().to_string();
    assert!(strong.starts_with('"'), "{strong}");
    assert_eq!(plain[header::VARY], "accept-encoding");
    let (_, gzip, _) = send(&router, &[(header::ACCEPT_ENCODING, "gzip")]).await;
    assert_eq!(gzip[header::CONTENT_ENCODING], "gzip");
    assert_eq!(gzip[header::ETAG].to_str().unwrap(), format!("W/{strong}"));
    assert_eq!(gzip[header::VARY], "accept-encoding");
    // Revalidating either representation works, and a 304 names the one the client has.
    let weak = format!("W/{strong}");
    let (status, not_modified, _) = send(
        &router,
        &[
            (header::ACCEPT_ENCODING, "gzip"),
            (header::IF_NONE_MATCH, &weak),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
    assert_eq!(not_modified[header::ETAG].to_str().unwrap(), weak);
    assert_eq!(not_modified[header::VARY], "accept-encoding");
    let (status, not_modified, _) = send(&router, &[(header::IF_NONE_MATCH, &strong)]).await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
    assert_eq!(not_modified[header::ETAG].to_str().unwrap(), strong);
    let (_, refused, _) = send(&router, &[(header::ACCEPT_ENCODING, "gzip;q=0")]).await;
    assert_eq!(refused[header::ETAG].to_str().unwrap(), strong);
}

async fn export(
    router: &axum::Router,
    path: &str,
    accept: &str,
) -> (axum::http::HeaderMap, Vec<u8>) {
    let response = router
        .clone()
        .oneshot(
            Request::get(path)
                .header(header::ACCEPT_ENCODING, accept)
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK, "{path} in {accept}");
    let headers = response.headers().clone();
    let body = response
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes()
        .to_vec();
    (headers, body)
}

/// The exports are compressed once per version and shared: each coding decodes to the same bytes,
/// compressed once (not again by the compression layer), with the validators of its coding.
#[tokio::test]
async fn the_matrix_exports_are_served_in_each_coding_from_one_copy() {
    use std::io::Read as _;
    let (_fixture, router) = router();
    for path in ["/export/matrix.csv", "/export/matrix.json"] {
        let (plain_headers, plain) = export(&router, path, "identity").await;
        assert!(!plain_headers.contains_key(header::CONTENT_ENCODING));
        assert_eq!(plain_headers[header::VARY], "accept-encoding");
        assert!(plain.len() > 100, "{path}");

        let (headers, gzipped) = export(&router, path, "gzip").await;
        assert_eq!(headers[header::CONTENT_ENCODING], "gzip", "{path}");
        let mut unzipped = Vec::new();
        flate2::read::GzDecoder::new(&gzipped[..])
            .read_to_end(&mut unzipped)
            .unwrap();
        assert_eq!(unzipped, plain, "{path} in gzip");

        let (headers, brotli) = export(&router, path, "gzip, deflate, br").await;
        assert_eq!(headers[header::CONTENT_ENCODING], "br", "{path}");
        let mut unbrotli = Vec::new();
        brotli::Decompressor::new(&brotli[..], 4096)
            .read_to_end(&mut unbrotli)
            .unwrap();
        assert_eq!(unbrotli, plain, "{path} in br");

        let (headers, again) = export(&router, path, "br;q=0, gzip").await;
        assert_eq!(headers[header::CONTENT_ENCODING], "gzip", "{path}");
        assert_eq!(again, gzipped, "{path}: the same gzip copy");
    }
}

/// Answers compressed on the fly hold one of a fixed number of compressors until they are read;
/// when all are taken, answers go out uncompressed instead of piling up compressors.
#[tokio::test]
async fn unread_compressed_answers_hold_a_bounded_number_of_compressors() {
    use jurisdex::server::MAX_COMPRESSING;
    let (_fixture, router) = router();
    let request = || {
        Request::get("/jurisdictions/alpha/")
            .header(header::ACCEPT_ENCODING, "gzip")
            .body(Body::empty())
            .unwrap()
    };
    let mut unread = Vec::new();
    for _ in 0..MAX_COMPRESSING {
        let response = router.clone().oneshot(request()).await.unwrap();
        assert_eq!(response.headers()[header::CONTENT_ENCODING], "gzip");
        unread.push(response);
    }
    let plain = router.clone().oneshot(request()).await.unwrap();
    assert_eq!(plain.status(), StatusCode::OK);
    assert!(!plain.headers().contains_key(header::CONTENT_ENCODING));
    assert!(
        plain.headers()[header::ETAG]
            .to_str()
            .unwrap()
            .starts_with('"')
    );
    // One read to the end frees its compressor for the next answer.
    let read = unread.pop().unwrap();
    read.into_body().collect().await.unwrap();
    let again = router.clone().oneshot(request()).await.unwrap();
    assert_eq!(again.headers()[header::CONTENT_ENCODING], "gzip");
}
