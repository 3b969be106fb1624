//! `jurisdex serve --watch` as a real process on a free loopback port: good edits are served,
//! broken edits keep the last good version (and the server says why), concurrent clients never see
//! a failure or a half-written version, and SIGTERM stops it cleanly.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::support::Server;
use crate::support::{Fixture, http_get, send_sigterm, wait_for};

fn version(server: &Server) -> String {
    http_get(&server.addr, "/__version")
        .map(|(_, b)| b)
        .unwrap_or_default()
}

/// Waits until the server serves version `want`.
/// Waits until version `want` is served with its search index (an edit's pages are served
/// first, and its index a moment later).
fn wait_for_version(server: &Server, want: u64) {
    let want = want.to_string();
    let indexed = format!("now serving version {want}\n");
    wait_for(&format!("version {want}"), Duration::from_secs(30), || {
        version(server) == want && server.log().contains(&indexed)
    });
}

/// The revision marker (`zqrevN`) in a body, if any.
fn revision(body: &str) -> Option<u32> {
    let at = body.find("zqrev")? + "zqrev".len();
    let digits: String = body[at..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

/// Checks one answer is complete: 200, a whole HTML page or parseable JSON, and a revision no
/// older than the last this client saw (an old version must never come back after a swap).
fn check_answer(path: &str, answer: Option<(u16, String)>, last_revision: &mut u32) {
    let (status, body) = answer.unwrap_or_else(|| panic!("{path}: connection failed"));
    assert_eq!(status, 200, "{path} during a rebuild");
    if path.starts_with("/api/") {
        serde_json::from_str::<serde_json::Value>(&body)
            .unwrap_or_else(|e| panic!("{path}: incomplete JSON ({e})"));
    } else {
        assert!(body.trim_end().ends_with("</html>"), "{path}: half a page");
    }
    if path.contains("beta") {
        let seen = revision(&body).unwrap_or(0);
        assert!(
            seen >= *last_revision,
            "{path}: revision {seen} after {last_revision}"
        );
        *last_revision = seen;
    }
}

#[test]
fn twenty_rebuilds_good_and_broken_under_load_never_fail_a_request() {
    let f = Fixture::new("basic");
    let server = f.serve(&["--watch"]);
    assert_eq!(version(&server), "1");
    let original = std::fs::read_to_string(f.content().join("jurisdictions/beta.md")).unwrap();
    let good =
        |rev: u32| original.replacen("order removal.", &format!("order removal zqrev{rev}."), 1);
    // Broken in three ways: a YAML syntax error, an unknown field, a value that fails validation.
    let broken = |rev: u32| match rev % 3 {
        0 => good(rev).replacen("iso: BE", "iso: [", 1),
        1 => good(rev).replacen("legal_system:", "legal_sytem:", 1),
        _ => good(rev).replacen("iso: BE", "iso: Belgium", 1),
    };

    // Clients request pages, searches and the API through every rebuild and swap below.
    let stop = Arc::new(AtomicBool::new(false));
    let paths = [
        "/jurisdictions/beta/",
        "/api/jurisdictions/beta",
        "/api/search?q=general+power",
        "/search?q=removal",
        "/",
        "/jurisdictions/alpha/",
    ];
    let clients: Vec<_> = paths
        .into_iter()
        .map(|path| {
            let (addr, stop) = (server.addr.clone(), stop.clone());
            std::thread::spawn(move || {
                let (mut served, mut last_revision) = (0, 0);
                while !stop.load(Ordering::Relaxed) {
                    check_answer(path, http_get(&addr, path), &mut last_revision);
                    served += 1;
                }
                served
            })
        })
        .collect();

    let beta = "jurisdictions/beta.md";
    let mut served_version = 1;
    for rebuild in 1..=20u32 {
        let rev = rebuild.div_ceil(2);
        if rebuild % 2 == 1 {
            // A good edit (which also fixes the previous broken one) is rebuilt and served.
            f.write(beta, &good(rev));
            served_version += 1;
            wait_for_version(&server, served_version);
            let (_, page) = http_get(&server.addr, "/jurisdictions/beta/").unwrap();
            assert_eq!(revision(&page), Some(rev), "rebuild {rebuild}");
            let (_, hits) = http_get(&server.addr, &format!("/api/search?q=zqrev{rev}")).unwrap();
            assert!(
                hits.contains("/jurisdictions/beta/"),
                "rebuild {rebuild}: {hits}"
            );
        } else {
            // A broken edit is reported, naming the file, and the last good version stays.
            let before = server.log().len();
            f.write(beta, &broken(rev));
            wait_for("the rebuild to fail", Duration::from_secs(30), || {
                server.log()[before..].contains("rebuild failed")
            });
            let report = server.log()[before..].to_string();
            assert!(report.contains("beta.md:"), "rebuild {rebuild}: {report}");
            assert_eq!(version(&server), served_version.to_string());
            let (status, page) = http_get(&server.addr, "/jurisdictions/beta/").unwrap();
            assert_eq!((status, revision(&page)), (200, Some(rev)));
        }
    }
    stop.store(true, Ordering::Relaxed);
    let served: usize = clients
        .into_iter()
        .map(|c| c.join().expect("a client saw a failure"))
        .sum();
    eprintln!("{served} requests answered during 20 rebuilds, none failed");
    assert!(served > 100, "only {served} requests made");
}

#[cfg(unix)]
#[test]
fn sigterm_finishes_in_flight_requests_then_exits() {
    let f = Fixture::new("basic");
    let mut server = f.serve(&["--watch"]);
    // Clients search without pause; SIGTERM arrives in the middle. A response that started must
    // arrive whole; afterwards connections are refused or closed without a byte.
    let clients: Vec<_> = (0..4)
        .map(|_| {
            let addr = server.addr.clone();
            std::thread::spawn(move || {
                let (mut whole, mut refused) = (0, 0);
                while refused < 20 {
                    let Ok(mut stream) = TcpStream::connect(&addr) else {
                        refused += 1;
                        std::thread::sleep(Duration::from_millis(5));
                        continue;
                    };
                    let _ = write!(
                        stream,
                        "GET /api/search?q=removal HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                    );
                    let mut response = Vec::new();
                    let _ = stream.read_to_end(&mut response);
                    if response.is_empty() {
                        refused += 1;
                        continue;
                    }
                    let text = String::from_utf8_lossy(&response);
                    let (head, body) = text.split_once("\r\n\r\n").expect("a whole response");
                    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
                    serde_json::from_str::<serde_json::Value>(body)
                        .unwrap_or_else(|e| panic!("a response cut short by shutdown: {e}"));
                    whole += 1;
                }
                whole
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(500));
    send_sigterm(&server.child);
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
    let whole: usize = clients
        .into_iter()
        .map(|c| c.join().expect("a client saw a broken response"))
        .sum();
    assert!(whole > 10, "only {whole} responses before shutdown");
    assert!(server.log().contains("stopped"), "{}", server.log());
}

#[test]
fn an_edited_entry_is_rebuilt_alone_and_lists_follow_its_front_matter() {
    let f = Fixture::new("basic");
    let server = f.serve(&["--watch"]);
    // Analysis text only: the entry's page and its search documents change.
    f.edit(
        "jurisdictions/alpha.md",
        "Blocking orders are administrative.",
        "Blocking orders are zanzibarish.",
    );
    wait_for_version(&server, 2);
    // The edited pages were served before their search index was written.
    let log = server.log();
    let pages = log
        .find("edited pages served in")
        .expect("pages served first");
    assert!(pages < log.find("now serving version 2").unwrap(), "{log}");
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
    wait_for_version(&server, 3);
    let (_, topic) = http_get(&server.addr, "/topics/user_notice/").unwrap();
    assert!(topic.contains("No notice is ever required."), "{topic}");
    // The matrix exports are answered from the current version, not from the first build's files.
    let (_, csv) = http_get(&server.addr, "/export/matrix.csv").unwrap();
    assert!(csv.contains("No notice is ever required."), "{csv}");
    let (_, json) = http_get(&server.addr, "/export/matrix.json").unwrap();
    assert!(json.contains("No notice is ever required."));
    let (_, page) = http_get(&server.addr, "/jurisdictions/alpha/").unwrap();
    assert!(page.contains("zanzibarish") && page.contains("No notice is ever required."));
}

#[test]
fn layers_are_compacted_in_the_background_while_edits_keep_being_served() {
    let f = Fixture::new("basic");
    let server = f.serve(&["--watch"]);
    let mut text = "Blocking orders are administrative.".to_string();
    // Eight edits start a compaction; the later ones are served while it runs or on top of it.
    for n in 1..=12u64 {
        let next = format!("Blocking orders are zqcompact{n}.");
        f.edit("jurisdictions/alpha.md", &text, &next);
        text = next;
        wait_for_version(&server, n + 1);
        let (_, page) = http_get(&server.addr, "/jurisdictions/alpha/").unwrap();
        assert!(
            page.contains(&format!("zqcompact{n}")),
            "edit {n} is served"
        );
    }
    wait_for("the compaction", Duration::from_secs(60), || {
        server.log().contains("compacted in")
    });
    let log = server.log();
    assert!(
        log.contains("compacting 8 layers into a full build in the background"),
        "{log}"
    );
    // Every edit was served as a layer (a full build would have been a child build's own report),
    // and the compaction changed what is served in nothing, not even its version.
    assert_eq!(log.matches("rebuilt in").count(), 12, "{log}");
    assert_eq!(version(&server), "13");
    let (_, page) = http_get(&server.addr, "/jurisdictions/alpha/").unwrap();
    assert!(page.contains("zqcompact12") && !page.contains("zqcompact11"));
    let (_, hits) = http_get(&server.addr, "/api/search?q=zqcompact12").unwrap();
    assert!(hits.contains("/jurisdictions/alpha/"), "{hits}");
    // An old edit's word is found nowhere (at most corrected into the new one).
    let (_, hits) = http_get(&server.addr, "/api/search?q=zqcompact11").unwrap();
    assert!(
        hits.contains("\"total\":0") || hits.contains("\"corrected\":true"),
        "an old edit is still found: {hits}"
    );
    // And edits go on, on top of the compacted build.
    f.edit(
        "jurisdictions/alpha.md",
        &text,
        "Blocking orders are zqcompactafter.",
    );
    wait_for_version(&server, 14);
    let (_, page) = http_get(&server.addr, "/jurisdictions/alpha/").unwrap();
    assert!(page.contains("zqcompactafter"));
}

#[test]
fn a_taxonomy_change_is_rebuilt_in_full_by_a_child_build_and_a_broken_one_is_reported() {
    let f = Fixture::new("basic");
    let server = f.serve(&["--watch"]);
    // Not an entry edit: a full build, run as `jurisdex build` in a child process.
    f.edit(
        "groupings.yaml",
        "name: European Union",
        "name: Union of Europe",
    );
    wait_for_version(&server, 2);
    let (_, page) = http_get(&server.addr, "/jurisdictions/beta/").unwrap();
    assert!(page.contains("Union of Europe"), "{page}");
    // A broken taxonomy: the child's diagnostics reach the server's stderr, version 2 stays.
    f.edit("groupings.yaml", "  - id: europe", "  - id: [europe");
    wait_for("the failed rebuild", Duration::from_secs(30), || {
        server.log().contains("still serving version 2")
    });
    let log = server.log();
    assert!(log.contains("groupings.yaml:"), "{log}");
    assert_eq!(version(&server), "2");
    let (status, page) = http_get(&server.addr, "/jurisdictions/beta/").unwrap();
    assert_eq!(status, 200);
    assert!(page.contains("Union of Europe"));
}

#[test]
fn serve_with_broken_content_reports_it_and_exits() {
    let f = Fixture::new("basic");
    f.edit("jurisdictions/beta.md", "iso: BE", "iso: Belgium");
    let out = f
        .command(&["serve", "--addr", "127.0.0.1:0"])
        .output()
        .expect("run jurisdex serve");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("beta.md:") && stderr.contains("iso"),
        "{stderr}"
    );
    assert!(stderr.contains("fix the content"), "{stderr}");
}

/// `serve` runs itself again (same process) with fixed malloc thresholds, unless
/// `GLIBC_TUNABLES` is already set, and then keeps the user's setting.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[test]
fn the_server_runs_with_fixed_malloc_thresholds_unless_told_otherwise() {
    let environment = |server: &Server| {
        let environ = std::fs::read(format!("/proc/{}/environ", server.child.id()))
            .expect("the server's environment");
        environ
            .split(|&b| b == 0)
            .map(|v| String::from_utf8_lossy(v).into_owned())
            .filter(|v| v.starts_with("GLIBC_TUNABLES="))
            .collect::<Vec<_>>()
    };
    let f = Fixture::new("basic");
    let server = f.serve(&["--watch"]);
    // glibc (2.36) parses the variable in place: /proc shows it up to the first `:`.
    let set = environment(&server);
    assert!(
        set.len() == 1
            && set[0].len() > "GLIBC_TUNABLES=glibc.malloc.".len()
            && format!("GLIBC_TUNABLES={}", jurisdex::server::MALLOC_TUNABLES).starts_with(&set[0]),
        "{set:?}"
    );
    // It still rebuilds on an edit (in the same process, and in a child build at start).
    f.edit(
        "jurisdictions/alpha.md",
        "Blocking orders are administrative.",
        "Blocking orders are quokkaish.",
    );
    wait_for("the edit", Duration::from_secs(30), || {
        http_get(&server.addr, "/api/search?q=quokkaish").is_some_and(|(_, b)| b.contains("alpha"))
    });
    drop(server);

    let user = "glibc.malloc.arena_max=2";
    let server = f.serve_with_env(&[], &[("GLIBC_TUNABLES", user)]);
    assert_eq!(environment(&server), [format!("GLIBC_TUNABLES={user}")]);
}

/// Content deployed the usual way (a symlink renamed to point at a new directory), or deleted and
/// restored, is still watched: the server says so and serves the new content.
#[test]
fn a_replaced_content_directory_is_watched_again() {
    let f = Fixture::new("basic");
    let root = f.dir.path();
    let v1 = root.join("content-v1");
    std::fs::rename(f.content(), &v1).unwrap();
    std::os::unix::fs::symlink(&v1, f.content()).unwrap();
    let server = f.serve(&["--watch"]);

    // Deploy v2 by renaming a new symlink over the old one.
    let v2 = root.join("content-v2");
    crate::support::copy_dir(&v1, &v2);
    let entry = v2.join("jurisdictions/alpha.md");
    let text = std::fs::read_to_string(&entry).unwrap();
    std::fs::write(
        &entry,
        text.replace(
            "Blocking orders are administrative.",
            "Blocking orders are quokkaish.",
        ),
    )
    .unwrap();
    let link = root.join("content.next");
    std::os::unix::fs::symlink(&v2, &link).unwrap();
    std::fs::rename(&link, f.content()).unwrap();
    wait_for(
        "the swapped content to be served",
        Duration::from_secs(30),
        || {
            http_get(&server.addr, "/jurisdictions/alpha/")
                .is_some_and(|(_, page)| page.contains("quokkaish"))
        },
    );
    assert!(
        server.log().contains("was replaced: watching it again"),
        "{}",
        server.log()
    );

    // Later edits of the new directory are seen too.
    let text = std::fs::read_to_string(&entry).unwrap();
    std::fs::write(&entry, text.replace("quokkaish", "wombatish")).unwrap();
    wait_for(
        "an edit after the swap to be served",
        Duration::from_secs(30),
        || {
            http_get(&server.addr, "/jurisdictions/alpha/")
                .is_some_and(|(_, page)| page.contains("wombatish"))
        },
    );

    // Deleted, then restored: the server says it is gone, then watches it again.
    std::fs::remove_file(f.content()).unwrap();
    wait_for("the server to notice", Duration::from_secs(10), || {
        server.log().contains("is gone")
    });
    std::os::unix::fs::symlink(&v1, f.content()).unwrap();
    wait_for(
        "the restored content to be served",
        Duration::from_secs(30),
        || {
            http_get(&server.addr, "/jurisdictions/alpha/")
                .is_some_and(|(_, page)| page.contains("Blocking orders are administrative."))
        },
    );
}

/// The processes `pid` started that still run (Linux).
fn children(pid: u32) -> Vec<u32> {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return Vec::new();
    };
    tasks
        .filter_map(Result::ok)
        .filter_map(|task| std::fs::read_to_string(task.path().join("children")).ok())
        .flat_map(|list| {
            list.split_whitespace()
                .filter_map(|p| p.parse().ok())
                .collect::<Vec<u32>>()
        })
        .collect()
}

fn is_running(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .is_ok_and(|stat| !stat.split(") ").nth(1).is_some_and(|s| s.starts_with('Z')))
}

/// The working directories of builds and rebuilds (`.jurisdex-build-*`, `.jurisdex-serve-*`)
/// beside the fixture's output.
fn staging_dirs(f: &Fixture) -> Vec<String> {
    std::fs::read_dir(f.dir.path())
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| {
            name.starts_with(jurisdex::server::SNAPSHOT_PREFIX)
                || name.starts_with(jurisdex::site::BUILD_PREFIX)
        })
        .collect()
}

/// Starts a full rebuild (a change to the groupings) and returns its build process.
fn start_full_rebuild(f: &Fixture, server: &Server, mark: &str) -> u32 {
    let groupings = f.content().join("groupings.yaml");
    let text = std::fs::read_to_string(&groupings).unwrap();
    std::fs::write(&groupings, format!("{text}\n# {mark}\n")).unwrap();
    let mut build = None;
    wait_for("a rebuild to start", Duration::from_secs(20), || {
        build = children(server.child.id()).first().copied();
        build.is_some()
    });
    build.unwrap()
}

/// A rebuild that a newer change overtakes is cancelled (its build killed) and the newer content
/// served; one past its time limit is cancelled and the last version kept; a killed server's build
/// stops with it, and what it left on disk is removed when a server starts again; SIGTERM does not
/// wait for a rebuild.
#[cfg(target_os = "linux")]
#[test]
fn slow_rebuilds_are_cancelled_by_newer_changes_and_time_limits_and_never_outlive_the_server() {
    let f = Fixture {
        dir: tempfile::tempdir().unwrap(),
    };
    // Enough entries that a full build takes seconds in a test build.
    jurisdex::tools::corpus::generate(&f.content(), 300, 3).unwrap();
    let entry = std::fs::read_dir(f.content().join("jurisdictions"))
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "md"))
        .unwrap();
    let id = entry.file_stem().unwrap().to_string_lossy().into_owned();

    let server = f.serve(&["--watch"]);
    let first = start_full_rebuild(&f, &server, "one");
    let text = std::fs::read_to_string(&entry).unwrap();
    let marked = text.replacen("\n---\n", "\n---\n\nZqnewer marks the newer change.\n", 1);
    assert_ne!(marked, text, "the entry has a body after its front matter");
    std::fs::write(&entry, marked).unwrap();
    wait_for(
        "the cancelled build to stop",
        Duration::from_secs(60),
        || !is_running(first),
    );
    wait_for("the newer content", Duration::from_secs(120), || {
        http_get(&server.addr, &format!("/jurisdictions/{id}/"))
            .is_some_and(|(_, page)| page.contains("Zqnewer"))
    });
    assert!(
        server.log().contains("the rebuild under way is cancelled"),
        "{}",
        server.log()
    );
    assert_eq!(version(&server), "2", "one version for both changes");
    drop(server);

    let server = f.serve(&["--watch", "--rebuild-time-limit", "0.3"]);
    let build = start_full_rebuild(&f, &server, "two");
    wait_for("the time limit", Duration::from_secs(60), || {
        server.log().contains("took longer than")
    });
    wait_for("the build to be killed", Duration::from_secs(30), || {
        !is_running(build)
    });
    assert_eq!(version(&server), "1", "{}", server.log());
    wait_for("its directory to go", Duration::from_secs(30), || {
        staging_dirs(&f).is_empty()
    });

    // SIGKILL: nothing can clean up, yet the build stops by itself.
    let build = start_full_rebuild(&f, &server, "three");
    let mut server = server;
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    wait_for(
        "the orphaned build to stop",
        Duration::from_secs(30),
        || !is_running(build),
    );
    drop(server);
    let mut server = f.serve(&["--watch"]);
    assert!(staging_dirs(&f).is_empty(), "{:?}", staging_dirs(&f));

    // SIGTERM in the middle of a rebuild: the server stops at once, and the build with it.
    let build = start_full_rebuild(&f, &server, "four");
    send_sigterm(&server.child);
    let asked = Instant::now();
    let status = loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            break status;
        }
        assert!(
            asked.elapsed() < Duration::from_secs(30),
            "SIGTERM waited for the rebuild"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success(), "{status}");
    wait_for(
        "the build to stop with the server",
        Duration::from_secs(30),
        || !is_running(build),
    );
}
