//! Brickdesk's local database: one SQLite file in the computer's own data dir ([`place`]) for what the app keeps
//! between runs that is neither a setting nor a secret (SQL editor tabs, statement history,
//! saved queries, Genie questions in flight and favourite spaces, Ask anything and Agent mode
//! responses).
//!
//! Boundary: opening, migrating and sharing the one connection. Each feature owns its tables
//! in its own module ([`history`], [`saved`], [`workbench`], [`genie`], [`responses`]). Nothing here is secret: tokens stay in the
//! keychain. A file that cannot be read is moved aside (never deleted) and a fresh one is
//! started, with a notice naming the kept copy.

pub mod genie;
pub mod history;
pub mod place;
pub mod responses;
pub mod saved;
pub mod workbench;

use crate::{ErrorCode, ErrorInfo};
use rusqlite::Connection;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The database's file name in the data dir.
pub const FILE_NAME: &str = "brickdesk.sqlite3";

/// Schema versions, in order; `PRAGMA user_version` says how many have been applied.
const MIGRATIONS: &[&str] = &[
    r"
    CREATE TABLE sql_history (
        id INTEGER PRIMARY KEY,
        workspace_id TEXT NOT NULL,
        statement TEXT NOT NULL,
        warehouse_id TEXT NOT NULL,
        catalog TEXT,
        schema_name TEXT,
        parameters TEXT NOT NULL,
        started_at TEXT NOT NULL,
        duration_ms INTEGER NOT NULL,
        row_count INTEGER,
        status TEXT NOT NULL,
        error TEXT
    );
    CREATE INDEX sql_history_by_workspace ON sql_history (workspace_id, id DESC);
    CREATE TABLE sql_workbench (
        workspace_id TEXT PRIMARY KEY,
        state TEXT NOT NULL
    );
",
    r"
    CREATE TABLE genie_outbox (
        -- AUTOINCREMENT: an answered question's id is never given to a later one, so the UI
        -- can tell their events apart.
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        workspace_id TEXT NOT NULL,
        space_id TEXT NOT NULL,
        conversation_id TEXT,
        content TEXT NOT NULL,
        created_at_ms INTEGER NOT NULL,
        state TEXT NOT NULL,
        message_id TEXT
    );
    CREATE INDEX genie_outbox_by_workspace ON genie_outbox (workspace_id, id);
    CREATE TABLE genie_favourites (
        workspace_id TEXT NOT NULL,
        space_id TEXT NOT NULL,
        title TEXT NOT NULL,
        PRIMARY KEY (workspace_id, space_id)
    );
",
    r"
    CREATE TABLE sql_saved (
        id INTEGER PRIMARY KEY,
        workspace_id TEXT NOT NULL,
        name TEXT NOT NULL,
        statement TEXT NOT NULL,
        parameters TEXT NOT NULL,
        warehouse_id TEXT,
        catalog TEXT,
        schema_name TEXT,
        saved_at TEXT NOT NULL,
        UNIQUE (workspace_id, name)
    );
",
    r"
    CREATE TABLE genie_responses (
        -- AUTOINCREMENT: a finished response's id is never reused, so the UI's events for it
        -- cannot be mistaken for a later one's.
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        workspace_id TEXT NOT NULL,
        surface TEXT NOT NULL,
        question TEXT NOT NULL,
        conversation_id TEXT,
        response_id TEXT,
        state TEXT NOT NULL,
        created_at_ms INTEGER NOT NULL,
        record TEXT
    );
    CREATE INDEX genie_responses_by_workspace ON genie_responses (workspace_id, id DESC);
",
];

#[derive(Debug)]
pub struct LocalDb {
    connection: Mutex<Connection>,
    path: Option<PathBuf>,
}

fn failed(path: Option<&Path>, error: &rusqlite::Error) -> ErrorInfo {
    let place = path.map_or_else(|| "memory".to_owned(), |p| p.display().to_string());
    ErrorInfo::new(
        ErrorCode::Config,
        format!(
            "Brickdesk could not use its local database ({place}): {error}. Check that the \
             disk is not full and that the folder is writable."
        ),
    )
}

fn migrate(connection: &mut Connection) -> rusqlite::Result<()> {
    let applied: i64 = connection.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let applied = usize::try_from(applied).unwrap_or(0);
    for (index, sql) in (1i64..).zip(MIGRATIONS).skip(applied) {
        let tx = connection.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", index)?;
        tx.commit()?;
    }
    Ok(())
}

fn prepare(mut connection: Connection) -> rusqlite::Result<Connection> {
    // Another Brickdesk process (a second launch forwarding a link) never writes, but a
    // busy timeout keeps a slow disk from turning into errors.
    connection.busy_timeout(std::time::Duration::from_secs(5))?;
    connection.pragma_update(None, "journal_mode", "WAL")?;
    connection.pragma_update(None, "foreign_keys", true)?;
    let integrity: String = connection.query_row("PRAGMA quick_check", [], |r| r.get(0))?;
    if integrity != "ok" {
        return Err(rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CORRUPT),
            Some(integrity),
        ));
    }
    migrate(&mut connection)?;
    Ok(connection)
}

/// The tables that hold a workspace's data, by `workspace_id`.
const WORKSPACE_TABLES: [&str; 6] = [
    "genie_responses",
    "sql_history",
    "sql_saved",
    "sql_workbench",
    "genie_outbox",
    "genie_favourites",
];

/// Creates the database file `0600` if it is not there, and tightens an older one.
fn private_file(path: &Path) -> Result<(), ErrorInfo> {
    crate::files::private_options()
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .and_then(|_| crate::files::make_private(path))
        .map_err(|e| {
            ErrorInfo::new(
                ErrorCode::Config,
                format!("Brickdesk could not create {}: {e}.", path.display()),
            )
        })
}

impl LocalDb {
    /// Opens (or creates) the database at `path`. An unreadable file is renamed to
    /// `<name>.unreadable-<time>` and replaced by a fresh one; the notice says so.
    pub fn open(path: &Path) -> Result<(Self, Option<ErrorInfo>), ErrorInfo> {
        if let Some(dir) = path.parent() {
            crate::files::private_dir(dir).map_err(|e| {
                ErrorInfo::new(
                    ErrorCode::Config,
                    format!("Brickdesk could not create {}: {e}.", dir.display()),
                )
            })?;
        }
        // Created private before SQLite opens it: SQLite gives its -wal and -shm files the
        // database file's permissions.
        private_file(path)?;
        let opened = Connection::open(path).and_then(prepare);
        let (connection, notice) = match opened {
            Ok(connection) => (connection, None),
            Err(error) if is_unreadable(&error) => {
                let kept = path.with_extension(format!(
                    "sqlite3.unreadable-{}",
                    chrono::Utc::now().format("%Y%m%dT%H%M%S")
                ));
                std::fs::rename(path, &kept).map_err(|_| failed(Some(path), &error))?;
                for suffix in ["-wal", "-shm"] {
                    let side = PathBuf::from(format!("{}{suffix}", path.display()));
                    let _ = std::fs::remove_file(side);
                }
                private_file(path)?;
                let fresh = Connection::open(path)
                    .and_then(prepare)
                    .map_err(|e| failed(Some(path), &e))?;
                let notice = ErrorInfo::new(
                    ErrorCode::Config,
                    format!(
                        "Brickdesk could not read its SQL history and editor tabs, so it \
                         started new ones. The old file is kept as {}.",
                        kept.display()
                    ),
                );
                (fresh, Some(notice))
            }
            Err(error) => return Err(failed(Some(path), &error)),
        };
        let db = Self {
            connection: Mutex::new(connection),
            path: Some(path.to_owned()),
        };
        Ok((db, notice))
    }

    /// A database that lives only as long as the process (tests, and a fallback when the
    /// data dir is unusable).
    pub fn in_memory() -> Self {
        let connection = Connection::open_in_memory()
            .and_then(|mut c| migrate(&mut c).map(|()| c))
            .unwrap_or_else(|error| {
                // SQLite without a file cannot fail to open unless memory is exhausted.
                tracing::error!(%error, "in-memory database failed");
                std::process::abort()
            });
        Self {
            connection: Mutex::new(connection),
            path: None,
        }
    }

    /// Deletes everything kept for workspace `id`: SQL history, editor tabs, Genie questions
    /// waiting to be sent or answered, and favourite spaces. A removed workspace leaves
    /// nothing behind for a later one to inherit.
    pub fn forget_workspace(&self, id: &str) -> Result<(), ErrorInfo> {
        self.with(|c| {
            let tx = c.transaction()?;
            for table in WORKSPACE_TABLES {
                tx.execute(
                    &format!("DELETE FROM {table} WHERE workspace_id = ?1"),
                    [id],
                )?;
            }
            tx.commit()
        })
    }

    /// Deletes what is kept for workspaces not in `ids` (removed while Brickdesk could not
    /// clean up, e.g. by editing the settings file).
    pub fn forget_all_but(&self, ids: &[String]) -> Result<(), ErrorInfo> {
        self.with(|c| {
            let tx = c.transaction()?;
            let placeholders = vec!["?"; ids.len()].join(", ");
            for table in WORKSPACE_TABLES {
                let sql = if ids.is_empty() {
                    format!("DELETE FROM {table}")
                } else {
                    format!("DELETE FROM {table} WHERE workspace_id NOT IN ({placeholders})")
                };
                tx.execute(&sql, rusqlite::params_from_iter(ids.iter()))?;
            }
            tx.commit()
        })
    }

    /// Runs `f` with the connection.
    pub(crate) fn with<T>(
        &self,
        f: impl FnOnce(&mut Connection) -> rusqlite::Result<T>,
    ) -> Result<T, ErrorInfo> {
        let mut connection = self.connection.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut connection).map_err(|e| failed(self.path.as_deref(), &e))
    }
}

fn is_unreadable(error: &rusqlite::Error) -> bool {
    matches!(
        error.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseCorrupt | rusqlite::ErrorCode::NotADatabase)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_garbage_file_is_kept_aside_and_a_fresh_database_starts() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join(FILE_NAME);
        std::fs::write(&path, vec![0x42; 8192]).expect("write garbage");
        let (db, notice) = LocalDb::open(&path).expect("opens");
        let notice = notice.expect("a notice");
        assert!(notice.message.contains("unreadable"), "{}", notice.message);
        let kept: Vec<_> = std::fs::read_dir(dir.path())
            .expect("list")
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().contains("unreadable"))
            .collect();
        assert_eq!(kept.len(), 1, "the old file is kept");
        assert_eq!(std::fs::read(kept[0].path()).expect("read").len(), 8192);
        let count: i64 = db
            .with(|c| c.query_row("SELECT count(*) FROM sql_history", [], |r| r.get(0)))
            .expect("usable");
        assert_eq!(count, 0);
    }

    #[test]
    fn a_removed_workspace_leaves_nothing_behind() {
        let db = LocalDb::in_memory();
        let count = |id: &str| -> i64 {
            WORKSPACE_TABLES
                .iter()
                .map(|t| {
                    db.with(|c| {
                        c.query_row(
                            &format!("SELECT count(*) FROM {t} WHERE workspace_id = ?1"),
                            [id],
                            |r| r.get::<_, i64>(0),
                        )
                    })
                    .expect("count")
                })
                .sum()
        };
        for id in ["sales", "ops", "gone"] {
            db.with(|c| {
                c.execute(
                    "INSERT INTO genie_favourites (workspace_id, space_id, title) VALUES (?1, 's', 't')",
                    [id],
                )
                .map(drop)
            })
            .expect("insert");
        }
        db.forget_workspace("sales").expect("forget");
        assert_eq!((count("sales"), count("ops")), (0, 1));
        db.forget_all_but(&["ops".to_owned()]).expect("orphans");
        assert_eq!((count("gone"), count("ops")), (0, 1));
    }

    #[test]
    fn reopening_keeps_the_schema_version() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join(FILE_NAME);
        drop(LocalDb::open(&path).expect("first"));
        let (db, notice) = LocalDb::open(&path).expect("second");
        assert!(notice.is_none());
        let version: i64 = db
            .with(|c| c.query_row("PRAGMA user_version", [], |r| r.get(0)))
            .expect("version");
        assert_eq!(version, MIGRATIONS.len() as i64);
    }
}
