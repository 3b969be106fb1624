//! Deployment as `docs/DEPLOY.md` describes it: replicas serving one prebuilt output read-only
//! behind a real nginx, rolled over to a new build one at a time while clients keep searching,
//! with no failed request; and the guide's systemd unit, verified by `systemd-analyze` and its
//! command run. Skipped with a message when nginx or systemd-analyze is absent; a failure when
//! `CI=true`.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use crate::support::{Fixture, copy_dir, http_get, manifest_dir, missing, send_sigterm, wait_for};

/// nginx, where Debian installs it.
fn nginx(skipped: &str) -> Option<PathBuf> {
    ["/usr/sbin/nginx", "/usr/bin/nginx"]
        .into_iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
        .or_else(|| missing("nginx", skipped))
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// One `jurisdex serve --prebuilt` replica.
struct Replica {
    child: Child,
    addr: String,
}

impl Replica {
    fn start(f: &Fixture, out: &Path, port: u16) -> Replica {
        let addr = format!("127.0.0.1:{port}");
        let child = Command::new(env!("CARGO_BIN_EXE_jurisdex"))
            .args(["serve", "--prebuilt", "--addr", &addr])
            .arg("--out")
            .arg(out)
            .arg("--content")
            .arg(f.content())
            .arg("--templates")
            .arg(manifest_dir().join("templates"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start a replica");
        let replica = Replica { child, addr };
        // Ready: the port answers only once the site is open.
        wait_for("the replica", Duration::from_secs(30), || {
            http_get(&replica.addr, "/healthz").is_some_and(|(s, _)| s == 200)
        });
        replica
    }

    /// SIGTERM, then wait for it to drain and exit.
    fn stop(mut self) {
        send_sigterm(&self.child);
        let status = self.child.wait().unwrap();
        assert!(status.success(), "the replica exits cleanly on SIGTERM");
    }
}

impl Drop for Replica {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// nginx (`daemon off`), stopped when dropped, even when the test fails, the way its documentation
/// says: SIGTERM to the master, which stops its workers before it exits. A master killed outright
/// leaves its workers running, still listening on the port.
struct Balancer(Child);

impl Drop for Balancer {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.0.id().to_string()])
            .status();
        for _ in 0..200 {
            if !matches!(self.0.try_wait(), Ok(None)) {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Every file under `dir` with its contents, to tell whether a replica wrote anything there.
fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files: Vec<(PathBuf, Vec<u8>)> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| (e.path().to_path_buf(), fs::read(e.path()).unwrap()))
        .collect();
    files.sort();
    files
}

#[test]
fn a_rolling_update_behind_nginx_fails_no_request() {
    let Some(nginx) = nginx("the rolling-update test did not run") else {
        return;
    };
    let f = Fixture::new("basic");
    let builds = tempfile::tempdir().unwrap();
    let (old, new) = (builds.path().join("old"), builds.path().join("new"));
    assert!(f.command(&["build"]).status().unwrap().success());
    copy_dir(&f.out(), &old);
    f.edit(
        "jurisdictions/alpha.md",
        "\n---\n",
        "\n---\n\nZqrollout marks the new build.\n",
    );
    assert!(f.command(&["build"]).status().unwrap().success());
    copy_dir(&f.out(), &new);
    let before = snapshot(&old);

    let ports = [free_port(), free_port()];
    let mut replicas = vec![
        Replica::start(&f, &old, ports[0]),
        Replica::start(&f, &old, ports[1]),
    ];

    // nginx as DEPLOY.md configures it: a refused or reset connection is retried on the other
    // replica, so a replica that is draining or starting costs no request.
    let proxy = tempfile::tempdir().unwrap();
    let front = free_port();
    let conf = proxy.path().join("nginx.conf");
    fs::write(
        &conf,
        format!(
            "daemon off;\nworker_processes 1;\npid {dir}/nginx.pid;\nerror_log {dir}/error.log;\n\
             events {{ worker_connections 256; }}\nhttp {{\n  access_log off;\n\
             client_body_temp_path {dir}/body; proxy_temp_path {dir}/proxy;\n\
             fastcgi_temp_path {dir}/fastcgi; uwsgi_temp_path {dir}/uwsgi; scgi_temp_path {dir}/scgi;\n\
             upstream jurisdex {{ server 127.0.0.1:{a} max_fails=0; server 127.0.0.1:{b} max_fails=0; keepalive 8; }}\n\
             server {{\n    listen 127.0.0.1:{front};\n    location / {{\n\
             proxy_pass http://jurisdex; proxy_http_version 1.1; proxy_set_header Connection \"\";\n\
             proxy_buffering off; proxy_next_upstream error timeout http_502 http_503; proxy_next_upstream_tries 2;\n\
             proxy_connect_timeout 2s; proxy_read_timeout 10s;\n    }}\n  }}\n}}\n",
            dir = proxy.path().display(),
            a = ports[0],
            b = ports[1],
        ),
    )
    .unwrap();
    let balancer = Balancer(
        Command::new(&nginx)
            .arg("-c")
            .arg(&conf)
            .arg("-p")
            .arg(proxy.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start nginx"),
    );
    let front_addr = format!("127.0.0.1:{front}");
    wait_for("nginx", Duration::from_secs(10), || {
        http_get(&front_addr, "/healthz").is_some_and(|(s, _)| s == 200)
    });

    // Clients search without pause through nginx for the whole roll-out.
    let running = Arc::new(AtomicBool::new(true));
    let (sent, failed) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let clients: Vec<_> = (0..4)
        .map(|n| {
            let (running, sent, failed) = (running.clone(), sent.clone(), failed.clone());
            let front_addr = front_addr.clone();
            std::thread::spawn(move || {
                let paths = [
                    "/api/search?q=judicial",
                    "/search?q=court+order",
                    "/",
                    "/api/search?q=zqrollout",
                ];
                while running.load(Ordering::Relaxed) {
                    let path = paths[(sent.load(Ordering::Relaxed) + n) % paths.len()];
                    sent.fetch_add(1, Ordering::Relaxed);
                    if http_get(&front_addr, path).is_none_or(|(s, _)| s != 200) {
                        failed.fetch_add(1, Ordering::Relaxed);
                    }
                }
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(500));

    // One replica at a time: drain it, start it on the new build, wait until it is ready.
    for (at, &port) in ports.iter().enumerate() {
        replicas.remove(at).stop();
        replicas.insert(at, Replica::start(&f, &new, port));
        std::thread::sleep(Duration::from_millis(500));
    }
    running.store(false, Ordering::Relaxed);
    for client in clients {
        client.join().unwrap();
    }
    drop(balancer);
    assert!(
        std::net::TcpStream::connect(&front_addr).is_err(),
        "nginx's worker outlived its master: {front_addr} still accepts connections"
    );

    let (sent, failed) = (sent.load(Ordering::Relaxed), failed.load(Ordering::Relaxed));
    assert!(sent > 100, "only {sent} requests were sent");
    assert_eq!(
        failed, 0,
        "{failed} of {sent} requests failed during the roll-out"
    );
    eprintln!("rolling update: {sent} requests through nginx, none failed");
    // Both replicas now answer from the new build, identically.
    let answers: Vec<serde_json::Value> = replicas
        .iter()
        .map(|r| {
            let body = http_get(&r.addr, "/api/search?q=zqrollout").unwrap().1;
            let mut answer: serde_json::Value = serde_json::from_str(&body).unwrap();
            // The one field that differs between any two answers.
            answer["elapsed_ms"] = serde_json::Value::Null;
            answer
        })
        .collect();
    assert_eq!(
        answers[0]["hits"][0]["jurisdiction"], "alpha",
        "{}",
        answers[0]
    );
    assert_eq!(answers[0], answers[1]);
    // Serving a prebuilt output writes nothing into it.
    assert!(snapshot(&old) == before, "a replica wrote into its output");
}

#[test]
fn a_prebuilt_output_can_be_served_by_another_user_from_a_read_only_file_system() {
    use std::os::unix::fs::PermissionsExt;
    let f = Fixture::new("basic");
    assert!(f.command(&["build"]).status().unwrap().success());
    let out = f.out();
    let files = || {
        walkdir::WalkDir::new(&out)
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file())
            .map(|e| e.path().to_path_buf())
            .collect::<Vec<_>>()
    };
    // A user who may read one file of the output may read them all: tantivy's meta files are
    // written through temporary files, readable by their owner only, unless the build shares them.
    let mode = |path: &Path| fs::metadata(path).unwrap().permissions().mode() & 0o777;
    let labels = mode(&out.join(".search-index/jurisdex-labels.json"));
    for file in files() {
        assert_eq!(
            mode(&file),
            labels,
            "{} has other permissions",
            file.display()
        );
    }
    // Serving opens the index without its lock files: nothing needs to be created beside it.
    for file in files() {
        if file
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with(".tantivy-")
        {
            fs::remove_file(file).unwrap();
        }
    }
    let before = snapshot(&out);
    let replica = Replica::start(&f, &out, free_port());
    let (status, body) = http_get(&replica.addr, "/api/search?q=alpha").unwrap();
    assert_eq!(status, 200, "{body}");
    replica.stop();
    assert!(
        snapshot(&out) == before,
        "serving created or changed a file in the output"
    );
}

/// The systemd unit of `docs/DEPLOY.md`, as the guide gives it.
fn documented_unit() -> String {
    let guide = fs::read_to_string(manifest_dir().join("docs/DEPLOY.md")).unwrap();
    let start = guide
        .find("```ini\n")
        .expect("the guide gives a systemd unit")
        + "```ini\n".len();
    let end = start + guide[start..].find("```").expect("the unit's block ends");
    guide[start..end].to_string()
}

/// The arguments of a unit's `ExecStart=`, its continuation lines joined.
fn exec_start(unit: &str) -> Vec<String> {
    let at = unit
        .find("\nExecStart=")
        .expect("the unit has an ExecStart")
        + "\nExecStart=".len();
    let mut command = String::new();
    for line in unit[at..].lines() {
        match line.strip_suffix('\\') {
            Some(continued) => command.push_str(continued),
            None => {
                command.push_str(line);
                break;
            }
        }
        command.push(' ');
    }
    command.split_whitespace().map(str::to_string).collect()
}

#[test]
fn the_systemd_unit_of_the_deployment_guide_is_valid_and_its_command_serves() {
    let f = Fixture::new("basic");
    assert!(f.command(&["build"]).status().unwrap().success());
    // The unit's paths made this test's: the build as `current`, the content and the templates.
    let srv = f.dir.path().join("srv");
    fs::create_dir(&srv).unwrap();
    std::os::unix::fs::symlink(f.out(), srv.join("current")).unwrap();
    std::os::unix::fs::symlink(f.content(), srv.join("content")).unwrap();
    std::os::unix::fs::symlink(manifest_dir().join("templates"), srv.join("templates")).unwrap();
    let addr = format!("127.0.0.1:{}", free_port());
    let unit = documented_unit()
        .replace("/usr/local/bin/jurisdex", env!("CARGO_BIN_EXE_jurisdex"))
        .replace("/srv/jurisdex", srv.to_str().unwrap())
        .replace("127.0.0.1:8081", &addr);

    // systemd reads the unit without a complaint (an unknown key, a bad value, a command that is
    // not there are each reported on stderr).
    let analyze = ["/usr/bin/systemd-analyze", "/bin/systemd-analyze"]
        .into_iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
        .or_else(|| {
            missing(
                "systemd-analyze",
                "the guide's systemd unit was not verified",
            )
        });
    if let Some(analyze) = analyze {
        let file = f.dir.path().join("jurisdex-replica.service");
        fs::write(&file, &unit).unwrap();
        let verified = Command::new(analyze)
            .args(["verify", "--man=no"])
            .arg(&file)
            .output()
            .unwrap();
        let complaints = String::from_utf8_lossy(&verified.stderr);
        assert!(
            verified.status.success() && complaints.trim().is_empty(),
            "systemd-analyze verify: {complaints}\n{unit}"
        );
    }

    // Its command serves the build, read-only, and stops cleanly on its KillSignal.
    assert!(unit.contains("KillSignal=SIGTERM"));
    let args = exec_start(&unit);
    let before = snapshot(&f.out());
    let mut child = Command::new(&args[0])
        .args(&args[1..])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the unit's command");
    wait_for("the unit's server", Duration::from_secs(30), || {
        if let Some(exited) = child.try_wait().unwrap() {
            panic!("the unit's command exited with {exited}: {args:?}");
        }
        http_get(&addr, "/healthz").is_some_and(|(s, _)| s == 200)
    });
    let (status, body) = http_get(&addr, "/api/search?q=alpha").unwrap();
    assert_eq!(status, 200, "{body}");
    send_sigterm(&child);
    assert!(child.wait().unwrap().success(), "exits cleanly on SIGTERM");
    assert!(
        snapshot(&f.out()) == before,
        "the unit's server created or changed a file in the output"
    );
}
