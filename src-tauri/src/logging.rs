//! Log setup: human-readable lines on stderr and in `brickdesk.log` in the OS log folder
//! (rotated, scrubbed: `brickdesk_core::log_file`), filtered by `BRICKDESK_LOG` (default
//! `info`).
//!
//! A bare level (`BRICKDESK_LOG=debug`) applies to Brickdesk's own crates only; libraries stay
//! at `warn`, so a support log is about Brickdesk and not connection pooling or keychain
//! plumbing. A full filter (`BRICKDESK_LOG=warn,hyper_util=debug`) is used as written.
//!
//! Nothing logged anywhere in Brickdesk may contain a token, secret, authorization code or
//! callback URL; secrets are `Sensitive<T>`, whose `Debug` is redacted. The latest warnings
//! and errors are also kept in memory for "Copy diagnostics" ([`recent_problems`]).

use brickdesk_core::log_file::{DEFAULT_KEEP, DEFAULT_MAX_BYTES, RotatingLog};
use std::collections::VecDeque;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use tracing::field::{Field, Visit};
use tracing_subscriber::layer::{Context, SubscriberExt as _};
use tracing_subscriber::util::SubscriberInitExt as _;
use tracing_subscriber::{EnvFilter, Layer};

/// Warnings and errors kept for diagnostics.
const KEPT: usize = 20;
static RECENT: Mutex<VecDeque<String>> = Mutex::new(VecDeque::new());

/// The latest warnings and errors, oldest first.
pub fn recent_problems() -> Vec<String> {
    RECENT
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .iter()
        .cloned()
        .collect()
}

#[derive(Default)]
struct Line(String);

impl Visit for Line {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        use std::fmt::Write as _;
        if field.name() == "message" {
            let _ = write!(self.0, "{value:?} ");
        } else {
            let _ = write!(self.0, "{}={value:?} ", field.name());
        }
    }
}

/// Keeps warnings and errors for [`recent_problems`].
struct Recent;

impl<S: tracing::Subscriber> Layer<S> for Recent {
    fn on_event(&self, event: &tracing::Event<'_>, _ctx: Context<'_, S>) {
        let meta = event.metadata();
        let mut line = Line::default();
        event.record(&mut line);
        let text = format!(
            "{} {} {}: {}",
            unix_time(),
            meta.level(),
            meta.target(),
            line.0.trim_end()
        );
        let mut recent = RECENT.lock().unwrap_or_else(|p| p.into_inner());
        if recent.len() == KEPT {
            recent.pop_front();
        }
        recent.push_back(text);
    }
}

/// Where file lines go: held in memory until the app knows its log folder ([`open_file`]),
/// so start-up lines are not lost; dropped if the folder cannot be written.
enum FileSink {
    Pending(Vec<u8>),
    Open(RotatingLog),
    Unavailable,
}

/// Start-up lines kept before the log folder is known.
const PENDING_LIMIT: usize = 64 * 1024;
static FILE: Mutex<FileSink> = Mutex::new(FileSink::Pending(Vec::new()));

struct FileWriter;

impl Write for FileWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match &mut *FILE.lock().unwrap_or_else(|p| p.into_inner()) {
            FileSink::Pending(held) if held.len() + buf.len() <= PENDING_LIMIT => {
                held.extend_from_slice(buf);
                Ok(buf.len())
            }
            FileSink::Open(log) => log.write(buf),
            FileSink::Pending(_) | FileSink::Unavailable => Ok(buf.len()),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match &mut *FILE.lock().unwrap_or_else(|p| p.into_inner()) {
            FileSink::Open(log) => log.flush(),
            _ => Ok(()),
        }
    }
}

static FILE_PATH: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();

/// The log file being written, if any (for "Copy diagnostics").
pub fn file_path() -> Option<&'static Path> {
    FILE_PATH.get().map(PathBuf::as_path)
}

/// Starts writing `brickdesk.log` in `dir`, beginning with the lines logged so far.
pub fn open_file(dir: &Path) {
    let mut sink = FILE.lock().unwrap_or_else(|p| p.into_inner());
    match RotatingLog::open(dir, DEFAULT_MAX_BYTES, DEFAULT_KEEP) {
        Ok(mut log) => {
            if let FileSink::Pending(held) = &*sink {
                let _ = log.write_all(held);
            }
            let _ = FILE_PATH.set(log.path());
            *sink = FileSink::Open(log);
        }
        Err(error) => {
            *sink = FileSink::Unavailable;
            drop(sink);
            tracing::warn!(%error, folder = %dir.display(), "cannot write the log file");
        }
    }
}

/// Seconds since the Unix epoch (no extra dependency for one timestamp).
fn unix_time() -> String {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or_else(|_| "-".to_owned(), |d| format!("t={}", d.as_secs()))
}

const OWN_CRATES: [&str; 2] = ["brickdesk_app", "brickdesk_core"];
const LEVELS: [&str; 6] = ["off", "error", "warn", "info", "debug", "trace"];

/// The filter directives for a `BRICKDESK_LOG` value (`None`: not set).
fn directives(value: Option<&str>) -> String {
    let value = value
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .unwrap_or("info");
    if LEVELS.contains(&value.to_ascii_lowercase().as_str()) {
        let own: Vec<String> = OWN_CRATES
            .iter()
            .map(|krate| format!("{krate}={value}"))
            .collect();
        format!("warn,{}", own.join(","))
    } else {
        value.to_owned()
    }
}

pub fn init() {
    let wanted = directives(std::env::var("BRICKDESK_LOG").ok().as_deref());
    let filter = EnvFilter::try_new(&wanted).unwrap_or_else(|error| {
        eprintln!("BRICKDESK_LOG is not a valid log filter ({error}); using info.");
        EnvFilter::new(directives(None))
    });
    let file_filter = EnvFilter::new(filter.to_string());
    let _ = tracing_subscriber::registry()
        .with(
            tracing_subscriber::fmt::layer()
                .with_writer(std::io::stderr)
                .with_filter(filter),
        )
        .with(
            tracing_subscriber::fmt::layer()
                .with_ansi(false)
                .with_writer(|| FileWriter)
                .with_filter(file_filter),
        )
        .with(Recent.with_filter(tracing_subscriber::filter::LevelFilter::WARN))
        .try_init();
}

#[cfg(test)]
mod tests {
    use super::directives;

    #[test]
    fn a_bare_level_is_for_brickdesk_and_a_filter_is_used_as_written() {
        assert_eq!(
            directives(None),
            "warn,brickdesk_app=info,brickdesk_core=info"
        );
        assert_eq!(
            directives(Some("debug")),
            "warn,brickdesk_app=debug,brickdesk_core=debug"
        );
        assert_eq!(
            directives(Some("warn,hyper_util=debug")),
            "warn,hyper_util=debug"
        );
    }
}
