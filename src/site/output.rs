//! Writing the output: files into a work directory beside the target, published by an atomic swap, and the orphans of an interrupted build removed.

use super::*;

/// Writes one output file into `dir`.
pub(super) fn write_file(dir: &Path, file: &OutputFile) -> Result<(), BuildError> {
    let path = dir.join(&file.path);
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).map_err(io_err(parent))?;
    }
    fs::write(&path, &file.contents).map_err(io_err(&path))
}

/// Replaces `out` with `staging`. On Linux the two directories are exchanged in one atomic
/// `renameat2(RENAME_EXCHANGE)`, so at every instant `out` is the old build or the new one, even if
/// the process is killed. Elsewhere (or on a file system without exchange) it takes two renames,
/// keeping the old output as `<out>.old` until the new one is in place; a leftover `<out>.old` from
/// an interrupted swap is restored or removed first.
pub fn publish(staging: PathBuf, out: &Path) -> Result<(), BuildError> {
    let old = out.with_extension("old");
    if old.exists() {
        if out.exists() {
            fs::remove_dir_all(&old).map_err(io_err(&old))?;
        } else {
            fs::rename(&old, out).map_err(io_err(&old))?;
        }
    }
    if out.exists() && exchange(&staging, out).is_ok() {
        // `staging` now holds the previous build.
        return fs::remove_dir_all(&staging).map_err(io_err(&staging));
    }
    if out.exists() {
        fs::rename(out, &old).map_err(io_err(out))?;
    }
    if let Err(source) = fs::rename(&staging, out) {
        if old.exists() {
            let _ = fs::rename(&old, out);
        }
        let _ = fs::remove_dir_all(&staging);
        return Err(BuildError::Io {
            path: out.to_path_buf(),
            source,
        });
    }
    if old.exists() {
        fs::remove_dir_all(&old).map_err(io_err(&old))?;
    }
    Ok(())
}

/// Atomically swaps two existing paths.
#[cfg(target_os = "linux")]
pub(super) fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE).map_err(std::io::Error::from)
}

/// Atomically swaps two existing paths (not available here: the caller falls back to renames).
#[cfg(not(target_os = "linux"))]
pub(super) fn exchange(_a: &Path, _b: &Path) -> std::io::Result<()> {
    Err(std::io::ErrorKind::Unsupported.into())
}

/// Prefix of the staging directory a build writes before it is published.
pub const BUILD_PREFIX: &str = ".jurisdex-build-";

/// A fresh private working directory in `parent`, named `<prefix><pid>-<random>`. Leftovers of
/// processes that no longer run (a build killed mid-way) are removed first, so killed builds do not
/// pile up on disk.
pub fn work_dir(parent: &Path, prefix: &str) -> Result<tempfile::TempDir, BuildError> {
    remove_orphans(parent, prefix);
    tempfile::Builder::new()
        .prefix(&format!("{prefix}{}-", std::process::id()))
        .tempdir_in(parent)
        .map_err(io_err(parent))
}

/// Removes `<prefix><pid>-*` directories whose process is gone (Linux: no `/proc/<pid>`, or a
/// zombie that nobody has reaped yet).
pub fn remove_orphans(parent: &Path, prefix: &str) {
    let proc = Path::new("/proc");
    if !proc.join("self").exists() {
        return;
    }
    remove_work_dirs(parent, prefix, |pid| {
        fs::read_to_string(proc.join(pid.to_string()).join("stat")).map_or(true, |stat| {
            stat.rsplit_once(") ")
                .is_some_and(|(_, s)| s.starts_with('Z'))
        })
    });
}

/// Removes this process's own `<prefix><pid>-*` directories: for a build that must exit at once,
/// without its destructors.
pub fn remove_own_work_dirs(parent: &Path, prefix: &str) {
    let own = std::process::id();
    remove_work_dirs(parent, prefix, |pid| pid == own);
}

/// Removes the `<prefix><pid>-*` directories in `parent` whose pid `remove` picks.
fn remove_work_dirs(parent: &Path, prefix: &str, remove: impl Fn(u32) -> bool) {
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|n| n.strip_prefix(prefix))
            .and_then(|rest| rest.split_once('-'))
            .and_then(|(pid, _)| pid.parse::<u32>().ok())
        else {
            continue;
        };
        if remove(pid) {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

/// The directory that will hold `out` (its parent, or `.`).
pub fn parent_dir(out: &Path) -> PathBuf {
    match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

pub(super) fn copy_dir(from: &Path, to: &Path) -> Result<(), BuildError> {
    fs::create_dir_all(to).map_err(io_err(to))?;
    let entries = match fs::read_dir(from) {
        Ok(entries) => entries,
        Err(_) => return Ok(()),
    };
    for entry in entries {
        let entry = entry.map_err(io_err(from))?;
        let target = to.join(entry.file_name());
        if entry.file_type().map_err(io_err(from))?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            fs::copy(entry.path(), &target).map_err(io_err(&target))?;
        }
    }
    Ok(())
}

/// Writes the comparison data for the browser ([`crate::catalog::client_compare`]) into a built
/// site.
pub(super) fn write_client_compare(catalog: &Catalog, dir: &Path) -> Result<(), BuildError> {
    let path = dir.join(crate::routes::CLIENT_COMPARE_FILE);
    let io = |source| BuildError::Io {
        path: path.clone(),
        source,
    };
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).map_err(io)?;
    }
    fs::write(
        &path,
        crate::catalog::client_compare::client_compare(catalog),
    )
    .map_err(io)
}
