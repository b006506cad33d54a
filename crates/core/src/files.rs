//! How Brickdesk creates files, so that other local users and planted links cannot reach them.
//!
//! - Its own files (settings, the local store, the support log) are the user's alone: on Unix
//!   each is created `0600` inside a folder made `0700`. On Windows the per-user AppData
//!   folders they live in already carry an ACL for the user, SYSTEM and Administrators only.
//! - A file written where the user chose (an export, a self-test report) is first written to
//!   a temporary file with a random name, created exclusively (`O_EXCL`, by `tempfile`) in
//!   the same folder, then renamed over the target. There is no predictable name that a
//!   symbolic link could redirect, and the target is either the old file or the whole new one.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::Path;

/// Creates `dir` and its missing parents; on Unix the folder itself is set to `0700`.
pub fn private_dir(dir: &Path) -> io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt as _, PermissionsExt as _};
        builder.mode(0o700);
        builder.create(dir)?;
        let mode = std::fs::metadata(dir)?.permissions().mode() & 0o777;
        if mode != 0o700 {
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
        }
        Ok(())
    }
    #[cfg(not(unix))]
    builder.create(dir)
}

/// Open options that create a file as `0600` on Unix (an existing file keeps its mode; see
/// [`make_private`]).
pub fn private_options() -> OpenOptions {
    let mut options = OpenOptions::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    options
}

/// Sets an existing file to `0600` on Unix (files from older versions were created with the
/// default umask).
pub fn make_private(path: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(path)?.permissions().mode() & 0o777;
        if mode != 0o600 {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// A temporary file beside `target`, created exclusively under a random name (`0600` on
/// Unix), removed when dropped unless [`replace`] moves it over the target.
pub fn temp_beside(target: &Path) -> io::Result<tempfile::NamedTempFile> {
    let dir = match target.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".brickdesk-partial")
        .tempfile_in(dir)
}

/// Whether `target` can be replaced, checked before any work: a file open in Excel on Windows
/// (opened without sharing writes) cannot, and a long export must not find that out only at
/// the end. A missing target is fine; a folder is not.
pub fn check_replaceable(target: &Path) -> io::Result<()> {
    match std::fs::metadata(target) {
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(error) => Err(error),
        Ok(meta) if meta.is_dir() => Err(io::Error::other("it is a folder")),
        // Opened for writing, not truncated, and closed at once.
        Ok(_) => OpenOptions::new().write(true).open(target).map(drop),
    }
}

/// Moves a finished temporary file over `target` (atomic on one file system; replaces an
/// existing file on every OS).
pub fn replace(temp: tempfile::NamedTempFile, target: &Path) -> io::Result<File> {
    temp.persist(target).map_err(|e| e.error)
}

/// Writes `bytes` to `target` through [`temp_beside`] and [`replace`], flushed to disk first.
pub fn write_replacing(target: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut temp = temp_beside(target)?;
    temp.write_all(bytes)?;
    temp.as_file().sync_all()?;
    replace(temp, target).map(drop)
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt as _;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path)
            .expect("metadata")
            .permissions()
            .mode()
            & 0o777
    }

    #[test]
    fn own_files_are_private_in_private_folders() {
        let root = tempfile::tempdir().expect("temp dir");
        let dir = root.path().join("a/b");
        private_dir(&dir).expect("dir");
        assert_eq!(mode(&dir), 0o700);
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        private_dir(&dir).expect("again");
        assert_eq!(mode(&dir), 0o700, "an existing folder is tightened");
        let file = dir.join("f");
        private_options()
            .write(true)
            .create(true)
            .truncate(true)
            .open(&file)
            .expect("create");
        assert_eq!(mode(&file), 0o600);
    }

    #[test]
    fn a_link_planted_at_the_old_temporary_name_is_not_followed() {
        let root = tempfile::tempdir().expect("temp dir");
        let victim = root.path().join("victim.txt");
        std::fs::write(&victim, "keep me").expect("victim");
        let target = root.path().join("export.csv");
        // The name the exporter used to write through before this module.
        std::os::unix::fs::symlink(&victim, root.path().join(".export.csv.brickdesk-partial"))
            .expect("plant link");
        write_replacing(&target, b"a,b\r\n").expect("write");
        assert_eq!(std::fs::read_to_string(&victim).expect("read"), "keep me");
        assert_eq!(std::fs::read_to_string(&target).expect("read"), "a,b\r\n");
        let left: Vec<_> = std::fs::read_dir(root.path())
            .expect("list")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".brickdesk-partial") && n != ".export.csv.brickdesk-partial")
            .collect();
        assert!(left.is_empty(), "temporary files left: {left:?}");
    }

    #[test]
    fn replacing_a_target_that_is_a_link_replaces_the_link_not_its_file() {
        let root = tempfile::tempdir().expect("temp dir");
        let victim = root.path().join("victim.txt");
        std::fs::write(&victim, "keep me").expect("victim");
        let target = root.path().join("export.csv");
        std::os::unix::fs::symlink(&victim, &target).expect("link");
        write_replacing(&target, b"new").expect("write");
        assert_eq!(std::fs::read_to_string(&victim).expect("read"), "keep me");
        assert_eq!(std::fs::read_to_string(&target).expect("read"), "new");
    }
}
