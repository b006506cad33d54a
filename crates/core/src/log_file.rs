//! The support log on disk: `brickdesk.log` in the OS log folder, rotated by size and scrubbed
//! of anything that looks like a credential before it is written.
//!
//! Boundary: this is a plain `io::Write` sink; what is logged and how lines are formatted is
//! the shell's business (tracing). Secrets are `Sensitive` and never logged in the first
//! place; [`crate::diagnostics::scrub`] runs on every line as a last guard, because a log file
//! travels to helpdesks and ticket systems.

use crate::diagnostics::scrub;
use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// The current file's name; rotated ones are `brickdesk.log.1` (newest) … `.N`.
pub const FILE_NAME: &str = "brickdesk.log";

/// Rotates at 5 MiB and keeps 5 old files: 30 MiB at most, a few weeks of normal use.
pub const DEFAULT_MAX_BYTES: u64 = 5 * 1024 * 1024;
pub const DEFAULT_KEEP: usize = 5;

/// An append-only log file that starts a new file past `max_bytes`, keeping `keep` old ones.
#[derive(Debug)]
pub struct RotatingLog {
    dir: PathBuf,
    max_bytes: u64,
    keep: usize,
    file: File,
    written: u64,
}

impl RotatingLog {
    /// Opens (or continues) `dir/brickdesk.log`, creating the folder.
    pub fn open(dir: &Path, max_bytes: u64, keep: usize) -> io::Result<Self> {
        // The user's alone (crate::files): a log names workspaces, people and queries.
        crate::files::private_dir(dir)?;
        let path = dir.join(FILE_NAME);
        let file = crate::files::private_options()
            .create(true)
            .append(true)
            .open(&path)?;
        crate::files::make_private(&path)?;
        let written = file.metadata()?.len();
        Ok(Self {
            dir: dir.to_path_buf(),
            max_bytes,
            keep,
            file,
            written,
        })
    }

    /// The current file.
    pub fn path(&self) -> PathBuf {
        self.dir.join(FILE_NAME)
    }

    fn numbered(&self, n: usize) -> PathBuf {
        self.dir.join(format!("{FILE_NAME}.{n}"))
    }

    /// `.log` → `.log.1` → … → `.log.<keep>`; the oldest is deleted. The current file is
    /// closed first (Windows cannot rename a file another handle keeps open without sharing).
    fn rotate(&mut self) -> io::Result<()> {
        self.file.flush()?;
        drop(std::mem::replace(&mut self.file, tempfile::tempfile()?));
        let _ = std::fs::remove_file(self.numbered(self.keep));
        for n in (1..self.keep).rev() {
            let from = self.numbered(n);
            if from.exists() {
                std::fs::rename(&from, self.numbered(n + 1))?;
            }
        }
        if self.keep > 0 {
            std::fs::rename(self.path(), self.numbered(1))?;
        } else {
            std::fs::remove_file(self.path())?;
        }
        self.reopen()?;
        self.written = 0;
        Ok(())
    }

    fn reopen(&mut self) -> io::Result<()> {
        self.file = crate::files::private_options()
            .create(true)
            .append(true)
            .open(self.path())?;
        Ok(())
    }
}

impl Write for RotatingLog {
    /// Takes one formatted log record (tracing writes each record in one call).
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let clean = scrub(&String::from_utf8_lossy(buf));
        let len = clean.len() as u64;
        if self.written > 0 && self.written + len > self.max_bytes {
            // A file that cannot be rotated (another program holds it) is appended to, and
            // rotation is tried again after another `max_bytes`: no line is lost over it.
            if let Err(error) = self.rotate() {
                self.reopen()?;
                self.written = 0;
                eprintln!(
                    "brickdesk: could not rotate {}: {error}",
                    self.path().display()
                );
            }
        }
        self.file.write_all(clean.as_bytes())?;
        self.written += len;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .expect("log file")
            .map(|e| {
                e.expect("log file")
                    .file_name()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        names.sort();
        names
    }

    #[test]
    fn rotates_by_size_and_keeps_only_the_newest_files() {
        let dir = tempfile::tempdir().expect("log file");
        let mut log = RotatingLog::open(dir.path(), 100, 2).expect("log file");
        for i in 0..20 {
            writeln!(log, "line {i:02} {}", "x".repeat(30)).expect("log file");
        }
        assert_eq!(
            files(dir.path()),
            ["brickdesk.log", "brickdesk.log.1", "brickdesk.log.2"]
        );
        for name in files(dir.path()) {
            let size = std::fs::metadata(dir.path().join(&name))
                .expect("log file")
                .len();
            assert!(size <= 100, "{name} has {size} bytes");
        }
        let newest = std::fs::read_to_string(log.path()).expect("log file");
        assert!(newest.ends_with(&format!("line 19 {}\n", "x".repeat(30))));
        let previous =
            std::fs::read_to_string(dir.path().join("brickdesk.log.1")).expect("log file");
        assert!(previous.contains("line 17"), "{previous}");
        let oldest = std::fs::read_to_string(dir.path().join("brickdesk.log.2")).expect("log file");
        assert!(!oldest.contains("line 00"), "the oldest lines were kept");
    }

    #[test]
    fn continues_the_file_after_a_restart() {
        let dir = tempfile::tempdir().expect("log file");
        writeln!(
            RotatingLog::open(dir.path(), 1000, 2).expect("log file"),
            "first run"
        )
        .expect("log file");
        writeln!(
            RotatingLog::open(dir.path(), 1000, 2).expect("log file"),
            "second run"
        )
        .expect("log file");
        let text = std::fs::read_to_string(dir.path().join(FILE_NAME)).expect("log file");
        assert_eq!(text, "first run\nsecond run\n");
    }

    #[test]
    fn credentials_never_reach_the_file() {
        let dir = tempfile::tempdir().expect("log file");
        let mut log = RotatingLog::open(dir.path(), 10_000, 1).expect("log file");
        let pat = "dapi0123456789abcdef0123456789abcdef";
        let jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl";
        writeln!(log, "WARN request failed token={pat} auth=Bearer {jwt}").expect("log file");
        let text = std::fs::read_to_string(log.path()).expect("log file");
        assert!(!text.contains(pat) && !text.contains(jwt), "{text}");
        assert!(
            text.contains("WARN request failed token=[redacted]"),
            "{text}"
        );
    }
}
