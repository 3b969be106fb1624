//! `jurisdex serve --watch` as a real process on a free loopback port: good edits are served,
//! broken edits keep the last good version, and SIGTERM stops it cleanly.

use std::process::Command;
use std::time::{Duration, Instant};

use crate::support::{Fixture, Server, http_get, wait_for};

fn version(server: &Server) -> String {
    http_get(&server.addr, "/__version")
        .map(|(_, b)| b)
        .unwrap_or_default()
}

#[test]
fn watch_rebuilds_good_edits_and_keeps_serving_through_broken_ones() {
    let f = Fixture::new("basic");
    let server = f.serve(&["--watch"]);
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
    let mut server = f.serve(&["--watch"]);
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
