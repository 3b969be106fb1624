//! Shared helpers: fixture sites in temp dirs, builds, a real `serve` process, headless Chromium,
//! and the optional ../shared corpora.

use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use jurisdex::config::Config;
use jurisdex::site::{self, BuildError, Built};

/// The crate root.
pub fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A temp dir holding a copy of `tests/fixtures/<name>` as `content/`.
pub struct Fixture {
    pub dir: tempfile::TempDir,
}

impl Fixture {
    pub fn new(name: &str) -> Fixture {
        let dir = tempfile::tempdir().expect("tempdir");
        copy_dir(
            &manifest_dir().join("tests/fixtures").join(name),
            &dir.path().join("content"),
        );
        Fixture { dir }
    }

    /// A temp dir holding a copy of the shipped `content/`.
    pub fn shipped() -> Fixture {
        let dir = tempfile::tempdir().expect("tempdir");
        copy_dir(&manifest_dir().join("content"), &dir.path().join("content"));
        Fixture { dir }
    }

    pub fn content(&self) -> PathBuf {
        self.dir.path().join("content")
    }

    pub fn out(&self) -> PathBuf {
        self.dir.path().join("public")
    }

    pub fn options(&self) -> Config {
        Config {
            content_dir: self.content(),
            templates_dir: manifest_dir().join("templates"),
            out_dir: self.out(),
            base_url: "http://127.0.0.1:8080".into(),
            dev_reload: false,
            static_search: jurisdex::config::StaticSearch::Auto,
        }
    }

    pub fn build(&self) -> Result<Built, BuildError> {
        site::build(&self.options())
    }

    /// Replaces `from` with `to` in a content file (panics if `from` is absent).
    pub fn edit(&self, file: &str, from: &str, to: &str) {
        let path = self.content().join(file);
        let text = fs::read_to_string(&path).expect("read fixture file");
        assert!(text.contains(from), "{file} does not contain {from:?}");
        fs::write(&path, text.replacen(from, to, 1)).expect("write fixture file");
    }

    pub fn write(&self, file: &str, text: &str) {
        let path = self.content().join(file);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }

    /// `jurisdex <args>` with this fixture's `--content`, `--out` and the crate's templates.
    pub fn command(&self, args: &[&str]) -> std::process::Command {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_jurisdex"));
        command
            .args(args)
            .arg("--content")
            .arg(self.content())
            .arg("--out")
            .arg(self.out())
            .arg("--templates")
            .arg(manifest_dir().join("templates"));
        command
    }

    /// The errors (not warnings) `check` finds in this fixture's content.
    pub fn check_errors(&self) -> Vec<jurisdex::diagnostics::Diagnostic> {
        let (loaded, _) = site::check(&self.content());
        loaded
            .report
            .diagnostics
            .into_iter()
            .filter(|d| d.is_error())
            .collect()
    }

    /// `jurisdex serve` (plus `extra` arguments) on a free loopback port, ready when this returns.
    pub fn serve(&self, extra: &[&str]) -> Server {
        self.serve_with_env(extra, &[])
    }

    /// [`Fixture::serve`] with these environment variables set.
    pub fn serve_with_env(&self, extra: &[&str], env: &[(&str, &str)]) -> Server {
        self.serve_listening("127.0.0.1", extra, env)
    }

    /// [`Fixture::serve`] listening on `host` (`0.0.0.0`: every interface) at a free port; the
    /// tests reach it through loopback.
    pub fn serve_listening(&self, host: &str, extra: &[&str], env: &[(&str, &str)]) -> Server {
        let port = free_port();
        let listen = format!("{host}:{port}");
        let addr = format!("127.0.0.1:{port}");
        let mut args = vec!["serve", "--addr", &listen];
        args.extend_from_slice(extra);
        let mut child = self
            .command(&args)
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start jurisdex serve");
        let log = Arc::new(Mutex::new(String::new()));
        let stderr = BufReader::new(child.stderr.take().expect("piped stderr"));
        let sink = log.clone();
        std::thread::spawn(move || {
            for line in stderr.lines().map_while(Result::ok) {
                let mut log = sink.lock().unwrap();
                log.push_str(&line);
                log.push('\n');
            }
        });
        let server = Server { child, addr, log };
        // Generous: the server builds first, and the tests of this binary run side by side.
        wait_for("the server", Duration::from_secs(120), || {
            http_get(&server.addr, "/healthz").is_some_and(|(s, _)| s == 200)
        });
        server
    }

    pub fn read_out(&self, file: &str) -> String {
        fs::read_to_string(self.out().join(file)).unwrap_or_else(|e| panic!("{file}: {e}"))
    }
}

pub fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// `../shared` beside the checkout, or `None` with a message (a failure in CI, where it exists).
pub fn shared_dir() -> Option<PathBuf> {
    let dir = manifest_dir().join("../shared");
    if dir.is_dir() {
        return Some(dir);
    }
    if in_ci() {
        panic!("../shared is missing, but CI=true: the shared corpora must be present in CI");
    }
    eprintln!("skipped: ../shared is absent, so this corpus test cannot run");
    None
}

/// A running `jurisdex serve`, killed when the test ends, however it ends.
pub struct Server {
    pub child: Child,
    pub addr: String,
    /// Everything the server wrote to stderr so far.
    log: Arc<Mutex<String>>,
}

impl Server {
    /// What the server has written to stderr so far.
    pub fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A minimal HTTP/1.1 GET: (status, body).
pub fn http_get(addr: &str, path: &str) -> Option<(u16, String)> {
    let mut stream = TcpStream::connect(addr).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nAccept-Encoding: identity\r\n\r\n").ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    let status = response.split(' ').nth(1)?.parse().ok()?;
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())?;
    Some((status, body))
}

/// Sends SIGTERM to a child process (a server, which then drains and exits).
pub fn send_sigterm(child: &Child) {
    let pid = child.id().to_string();
    assert!(
        std::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
}

pub fn wait_for(what: &str, timeout: Duration, mut ready: impl FnMut() -> bool) {
    let start = Instant::now();
    while !ready() {
        assert!(start.elapsed() < timeout, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

/// The browser the tests drive: `$CHROMIUM` when set, else Debian's `chromium-headless-shell`
/// (the old headless mode, which loads a page for about a third less CPU than the full browser),
/// else `chromium`; or `None` with a message saying what `skipped` (a failure in CI, where
/// `.ci/run` installs the shell).
pub fn chromium(skipped: &str) -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("CHROMIUM").map(PathBuf::from) {
        if path.exists() {
            return Some(path);
        }
        return missing(&format!("$CHROMIUM ({})", path.display()), skipped);
    }
    let candidates: &[&str] = if in_ci() {
        &["/usr/bin/chromium-headless-shell"]
    } else {
        &["/usr/bin/chromium-headless-shell", "/usr/bin/chromium"]
    };
    candidates
        .iter()
        .map(PathBuf::from)
        .find(|path| path.exists())
        .or_else(|| missing(&candidates.join(" or "), skipped))
}

/// `None` with a message saying what is absent and what was `skipped`; a failure when `CI=true`,
/// where everything the tests need is installed by `.ci/run`.
pub fn missing<T>(what: &str, skipped: &str) -> Option<T> {
    if in_ci() {
        panic!("{what} is missing, but CI=true: .ci/run installs it and the test must run in CI");
    }
    eprintln!("skipped: {what} is absent, so {skipped}");
    None
}

/// `GET uri` through the router, in process: (status, headers, body).
pub async fn get(
    router: &axum::Router,
    uri: &str,
) -> (axum::http::StatusCode, axum::http::HeaderMap, String) {
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let response = router
        .clone()
        .oneshot(
            axum::http::Request::get(uri)
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        headers,
        String::from_utf8_lossy(&bytes).into_owned(),
    )
}
