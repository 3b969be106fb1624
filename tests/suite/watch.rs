//! `jurisdex serve --watch` as a real process on a free loopback port: good edits are served,
//! broken edits keep the last good version, and SIGTERM stops it cleanly.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::Fixture;

/// Kills the server when a test ends, however it ends.
struct Server {
    child: Child,
    addr: String,
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

fn wait_for(what: &str, timeout: Duration, mut ready: impl FnMut() -> bool) {
    let start = Instant::now();
    while !ready() {
        assert!(start.elapsed() < timeout, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn start(f: &Fixture) -> Server {
    let addr = format!("127.0.0.1:{}", free_port());
    let child = f
        .command(&["serve", "--watch", "--addr", &addr])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start jurisdex serve");
    let server = Server { child, addr };
    wait_for("the server", Duration::from_secs(30), || {
        http_get(&server.addr, "/healthz").is_some_and(|(s, _)| s == 200)
    });
    server
}

fn version(server: &Server) -> String {
    http_get(&server.addr, "/__version")
        .map(|(_, b)| b)
        .unwrap_or_default()
}

#[test]
fn watch_rebuilds_good_edits_and_keeps_serving_through_broken_ones() {
    let f = Fixture::new("basic");
    let server = start(&f);
    assert_eq!(version(&server), "1");
    let (status, page) = http_get(&server.addr, "/jurisdictions/beta/").unwrap();
    assert_eq!(status, 200);
    assert!(page.contains("no general power to order removal"));

    // Clients keep requesting pages and searches through every swap below: none may fail.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let clients: Vec<_> = (0..4)
        .map(|n| {
            let (addr, stop) = (server.addr.clone(), stop.clone());
            std::thread::spawn(move || {
                let mut served = 0;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    let path = if n % 2 == 0 {
                        "/api/search?q=removal"
                    } else {
                        "/jurisdictions/alpha/"
                    };
                    let (status, body) = http_get(&addr, path)
                        .unwrap_or_else(|| panic!("{path}: connection failed"));
                    assert_eq!(status, 200, "{path} during a swap");
                    assert!(body.contains("alpha"), "{path}: incomplete answer");
                    served += 1;
                }
                served
            })
        })
        .collect();

    // A good edit is rebuilt, re-indexed and served.
    f.edit(
        "jurisdictions/beta.md",
        "no general power to order removal",
        "no general power to order takedown",
    );
    wait_for("version 2", Duration::from_secs(30), || {
        version(&server) == "2"
    });
    let (_, page) = http_get(&server.addr, "/jurisdictions/beta/").unwrap();
    assert!(page.contains("no general power to order takedown"));
    let (_, hits) = http_get(&server.addr, "/api/search?q=takedown").unwrap();
    assert!(hits.contains("/jurisdictions/beta/"), "{hits}");

    // A broken edit keeps version 2 served.
    f.edit("jurisdictions/beta.md", "iso: BE", "iso: [");
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(version(&server), "2");
    let (status, page) = http_get(&server.addr, "/jurisdictions/beta/").unwrap();
    assert_eq!(status, 200);
    assert!(page.contains("no general power to order takedown"));

    // Fixing it recovers.
    f.edit("jurisdictions/beta.md", "iso: [", "iso: BE");
    wait_for("version 3", Duration::from_secs(30), || {
        version(&server) == "3"
    });
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let served: usize = clients
        .into_iter()
        .map(|c| c.join().expect("client saw a failure"))
        .sum();
    assert!(served > 20, "only {served} requests made");
}

#[cfg(unix)]
#[test]
fn sigterm_shuts_down_gracefully() {
    let f = Fixture::new("basic");
    let mut server = start(&f);
    let pid = server.child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let start = Instant::now();
    loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            assert!(status.success(), "exit status {status}");
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "did not stop on SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn an_edited_entry_is_rebuilt_alone_and_lists_follow_its_front_matter() {
    let f = Fixture::new("basic");
    let server = start(&f);
    // Analysis text only: the entry's page and its search documents change.
    f.edit(
        "jurisdictions/alpha.md",
        "Blocking orders are administrative.",
        "Blocking orders are zanzibarish.",
    );
    wait_for("version 2", Duration::from_secs(30), || {
        version(&server) == "2"
    });
    let (_, page) = http_get(&server.addr, "/jurisdictions/alpha/").unwrap();
    assert!(page.contains("zanzibarish"), "{page}");
    let (_, hits) = http_get(&server.addr, "/api/search?q=zanzibarish").unwrap();
    assert!(
        hits.contains("/jurisdictions/alpha/#section-legal-framework"),
        "{hits}"
    );
    let (_, hits) = http_get(
        &server.addr,
        "/api/search?q=&jurisdiction=alpha&kind=safeguard",
    )
    .unwrap();
    assert!(
        hits.contains("\"total\":8"),
        "old documents left behind: {hits}"
    );
    for path in [
        "/",
        "/jurisdictions/beta/",
        "/topics/user_notice/",
        "/api/jurisdictions/alpha",
    ] {
        let (status, _) = http_get(&server.addr, path).unwrap();
        assert_eq!(status, 200, "{path}");
    }
    let (_, json) = http_get(&server.addr, "/api/jurisdictions/alpha").unwrap();
    assert!(json.contains("zanzibarish"));

    // A rating note: the pages listing entries show it too.
    f.edit(
        "jurisdictions/alpha.md",
        "No notice is required.",
        "No notice is ever required.",
    );
    wait_for("version 3", Duration::from_secs(30), || {
        version(&server) == "3"
    });
    let (_, topic) = http_get(&server.addr, "/topics/user_notice/").unwrap();
    assert!(topic.contains("No notice is ever required."), "{topic}");
    let (_, page) = http_get(&server.addr, "/jurisdictions/alpha/").unwrap();
    assert!(page.contains("zanzibarish") && page.contains("No notice is ever required."));
}
