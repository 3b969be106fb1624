//! The content's git repository, read through the `git` command (load stage, for
//! [`super::History`]): the first-parent line of `HEAD` with the entry files each commit changed,
//! from one `git log`, and the texts of past versions from one `git cat-file --batch` for each
//! build thread, started when the thread first needs a text.
//!
//! Both read git's machine formats (`--raw -z`, the batch protocol), which do not change with the
//! user's configuration; the settings that could add to them are turned off, and a missing object
//! is never fetched (a partial clone stays offline).

use std::io::{self, BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

/// A commit of the first-parent line and the entry files it changed (their new blobs).
pub(super) struct Commit {
    pub(super) id: String,
    /// The committer's time, in seconds since the epoch.
    pub(super) seconds: i64,
    /// (file name, blob id) of each entry file the commit added or changed.
    pub(super) changed: Vec<(String, String)>,
}

/// Where the content's repository is, as `git` sees it.
pub(super) struct Repository {
    /// The top of the work tree.
    pub(super) workdir: PathBuf,
    /// `sha1` or `sha256`.
    pub(super) object_format: String,
}

/// `git` run in `dir`, with nothing from the environment or the configuration that would point
/// it elsewhere, ask for a password, fetch a missing object or add to what it prints.
fn git(dir: &Path) -> Command {
    let mut command = Command::new("git");
    command
        .arg("-C")
        .arg(dir)
        .args([
            "-c",
            "log.showSignature=false",
            "-c",
            "core.quotePath=false",
        ])
        .env("GIT_NO_LAZY_FETCH", "1")
        .env("GIT_TERMINAL_PROMPT", "0")
        .stdin(Stdio::null());
    for variable in [
        "GIT_DIR",
        "GIT_WORK_TREE",
        "GIT_INDEX_FILE",
        "GIT_OBJECT_DIRECTORY",
        "GIT_ALTERNATE_OBJECT_DIRECTORIES",
        "GIT_COMMON_DIR",
        "GIT_NAMESPACE",
    ] {
        command.env_remove(variable);
    }
    command
}

/// What a `git` command printed, or why it failed (its first line of complaint).
fn output(command: &mut Command) -> Result<(bool, Vec<u8>, String), io::Error> {
    let out = command.stderr(Stdio::piped()).output()?;
    let complaint = String::from_utf8_lossy(&out.stderr)
        .lines()
        .map(str::trim)
        .find(|line| !line.is_empty())
        .unwrap_or("")
        .to_owned();
    Ok((out.status.success(), out.stdout, complaint))
}

/// The repository holding `dir`: `Ok(None)` when there is none (or `git` is not installed and
/// no `.git` is above `dir`).
pub(super) fn discover(dir: &Path) -> Result<Option<Repository>, String> {
    let found = output(git(dir).args(["rev-parse", "--show-toplevel", "--show-object-format"]));
    let (ok, stdout, complaint) = match found {
        Ok(found) => found,
        Err(error) if error.kind() == io::ErrorKind::NotFound => {
            let in_repository = dir.ancestors().any(|a| a.join(".git").exists());
            return if in_repository {
                Err("the `git` command is not installed".into())
            } else {
                Ok(None)
            };
        }
        Err(error) => return Err(format!("`git` cannot be run: {error}")),
    };
    if !ok {
        return if complaint.contains("not a git repository") {
            Ok(None)
        } else {
            Err(complaint)
        };
    }
    let stdout = String::from_utf8(stdout).map_err(|_| "the work tree's path is not UTF-8")?;
    let mut lines = stdout.lines();
    let (Some(workdir), Some(object_format)) = (lines.next(), lines.next()) else {
        return Err(format!(
            "unexpected answer from `git rev-parse`: {stdout:?}"
        ));
    };
    Ok(Some(Repository {
        workdir: PathBuf::from(workdir),
        object_format: object_format.to_owned(),
    }))
}

impl Repository {
    /// Whether `HEAD` names a commit (a new repository has none yet).
    pub(super) fn has_commits(&self) -> Result<bool, String> {
        let (ok, _, complaint) =
            output(git(&self.workdir).args(["rev-parse", "--verify", "--quiet", "HEAD^{commit}"]))
                .map_err(|e| e.to_string())?;
        if !ok && !complaint.is_empty() {
            return Err(complaint);
        }
        Ok(ok)
    }

    /// The commits of the first-parent line of `HEAD` that changed a file directly in `folder`
    /// (relative to the work tree), newest first, with the `.md` files each added or changed.
    pub(super) fn first_parent_changes(&self, folder: &str) -> Result<Vec<Commit>, String> {
        let (ok, stdout, complaint) = output(
            git(&self.workdir)
                .args([
                    "log",
                    "-z",
                    "--first-parent",
                    "--diff-merges=first-parent",
                    "--root",
                    "--no-renames",
                    "--raw",
                    "--no-abbrev",
                    "--format=%H %ct",
                    "HEAD",
                    "--",
                ])
                .arg(format!(":(literal){folder}")),
        )
        .map_err(|e| e.to_string())?;
        if !ok {
            return Err(complaint);
        }
        parse_log(&stdout, folder)
    }

    /// A reader of objects for one thread; the `git` process starts at the first read.
    pub(super) fn objects(&self) -> Objects {
        Objects {
            workdir: self.workdir.clone(),
            batch: None,
            broken: false,
        }
    }
}

/// `git log -z --raw --format='%H %ct'`: each commit's line, then for each file changed its raw
/// line (`:<old mode> <new mode> <old blob> <new blob> <status>`) and its path, all ended by NUL.
fn parse_log(stdout: &[u8], folder: &str) -> Result<Vec<Commit>, String> {
    let text = std::str::from_utf8(stdout).map_err(|_| "a path in the history is not UTF-8")?;
    let prefix = format!("{folder}/");
    let mut commits: Vec<Commit> = Vec::new();
    let mut fields = text.split('\0');
    while let Some(field) = fields.next() {
        let field = field.trim_start_matches('\n');
        if field.is_empty() {
            continue;
        }
        if let Some(raw) = field.strip_prefix(':') {
            let path = fields
                .next()
                .ok_or_else(|| format!("a change without its path in `git log`: {field:?}"))?;
            let commit = commits
                .last_mut()
                .ok_or_else(|| format!("a change before any commit in `git log`: {field:?}"))?;
            let parts: Vec<&str> = raw.split(' ').collect();
            let [_, new_mode, _, new_blob, _status] = parts.as_slice() else {
                return Err(format!("unexpected change line in `git log`: {field:?}"));
            };
            // A blob, executable or not (not a link, a submodule or a deletion's zeros).
            let is_blob = matches!(*new_mode, "100644" | "100755");
            let name = path
                .strip_prefix(&prefix)
                .filter(|name| !name.contains('/') && name.ends_with(".md"));
            if let (true, Some(name)) = (is_blob, name) {
                commit
                    .changed
                    .push((name.to_owned(), (*new_blob).to_owned()));
            }
            continue;
        }
        let (id, seconds) = field
            .split_once(' ')
            .and_then(|(id, seconds)| Some((id, seconds.parse::<i64>().ok()?)))
            .ok_or_else(|| format!("unexpected commit line in `git log`: {field:?}"))?;
        commits.push(Commit {
            id: id.to_owned(),
            seconds,
            changed: Vec::new(),
        });
    }
    Ok(commits)
}

/// The blob id git gives `text` in a repository of `object_format`, when it can be computed here
/// (SHA-1; a SHA-256 repository's texts are read instead).
pub(super) fn blob_id(object_format: &str, text: &[u8]) -> Option<String> {
    if object_format != "sha1" {
        return None;
    }
    let mut hash = sha1_smol::Sha1::new();
    hash.update(format!("blob {}\0", text.len()).as_bytes());
    hash.update(text);
    Some(hash.digest().to_string())
}

/// One thread's `git cat-file --batch`, started on the first read.
pub struct Objects {
    workdir: PathBuf,
    batch: Option<Batch>,
    /// The process could not be started or broke off: the thread reads no more texts.
    broken: bool,
}

struct Batch {
    child: Child,
    input: ChildStdin,
    output: BufReader<ChildStdout>,
}

impl Drop for Batch {
    fn drop(&mut self) {
        // Reading only: nothing is lost by stopping it at once.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Objects {
    /// The content of the blob `id`, or `None` if the repository does not hold it (or it cannot
    /// be read).
    pub(super) fn blob(&mut self, id: &str) -> Option<Vec<u8>> {
        if self.broken {
            return None;
        }
        let read = self.start().and_then(|batch| batch.read(id));
        match read {
            Ok(found) => found,
            Err(_) => {
                self.broken = true;
                self.batch = None;
                None
            }
        }
    }

    fn start(&mut self) -> io::Result<&mut Batch> {
        if self.batch.is_none() {
            let mut child = git(&self.workdir)
                .args(["cat-file", "--batch"])
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .spawn()?;
            let (Some(input), Some(output)) = (child.stdin.take(), child.stdout.take()) else {
                return Err(io::Error::other("git cat-file without pipes"));
            };
            self.batch = Some(Batch {
                child,
                input,
                output: BufReader::new(output),
            });
        }
        self.batch
            .as_mut()
            .ok_or_else(|| io::Error::other("git cat-file not started"))
    }
}

impl Batch {
    /// Asks for `id`: `<id> blob <size>` then the content and a newline, or `<id> missing`.
    fn read(&mut self, id: &str) -> io::Result<Option<Vec<u8>>> {
        writeln!(self.input, "{id}")?;
        self.input.flush()?;
        let mut header = String::new();
        if self.output.read_line(&mut header)? == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        let mut parts = header.split_whitespace();
        let (Some(_), Some(kind)) = (parts.next(), parts.next()) else {
            return Err(io::Error::other(format!("unexpected answer {header:?}")));
        };
        let Some(size) = parts.next().and_then(|s| s.parse::<usize>().ok()) else {
            // `missing` or `ambiguous`: nothing follows.
            return Ok(None);
        };
        let mut content = vec![0; size + 1];
        self.output.read_exact(&mut content)?;
        content.pop();
        Ok((kind == "blob").then_some(content))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_raw_log_gives_each_commits_entry_files_and_nothing_else() {
        let zeros = "0".repeat(40);
        let (a, b) = ("a".repeat(40), "b".repeat(40));
        let log = format!(
            "{c2} 200\0\n:100644 100644 {a} {b} M\0content/jurisdictions/alpha.md\0\
             :100644 000000 {a} {zeros} D\0content/jurisdictions/gone.md\0\
             :000000 120000 {zeros} {a} A\0content/jurisdictions/link.md\0\
             {c1} 100\0\n:000000 100644 {zeros} {a} A\0content/jurisdictions/alpha.md\0\
             :000000 100755 {zeros} {b} A\0content/jurisdictions/b c.md\0\
             :000000 100644 {zeros} {b} A\0content/jurisdictions/sub/deep.md\0\
             :000000 100644 {zeros} {b} A\0content/jurisdictions/notes.txt\0",
            c2 = "2".repeat(40),
            c1 = "1".repeat(40),
        );
        let commits = parse_log(log.as_bytes(), "content/jurisdictions").unwrap();
        assert_eq!(commits.len(), 2);
        assert_eq!(
            (commits[0].id.as_str(), commits[0].seconds),
            (&*"2".repeat(40), 200)
        );
        assert_eq!(commits[0].changed, vec![("alpha.md".to_owned(), b.clone())]);
        assert_eq!(commits[1].seconds, 100);
        assert_eq!(
            commits[1].changed,
            vec![
                ("alpha.md".to_owned(), a.clone()),
                ("b c.md".to_owned(), b.clone())
            ]
        );
        assert!(parse_log(format!("{a} x\0").as_bytes(), "j").is_err());
        assert!(parse_log(b":100644 100644 x y M\0j/a.md\0", "j").is_err());
    }

    #[test]
    fn a_blob_id_is_gits_hash_of_the_text() {
        // `printf 'hello\n' | git hash-object --stdin`
        assert_eq!(
            blob_id("sha1", b"hello\n").as_deref(),
            Some("ce013625030ba8dba906f756967f9e9ca394464a")
        );
        assert_eq!(blob_id("sha256", b"hello\n"), None);
    }
}
