//! The statements a user ran, per workspace: text, warehouse, parameters, when, how long,
//! how many rows and how it ended. Searchable by text, and re-runnable from the UI.

use super::LocalDb;
use crate::sql::params::Parameter;
use crate::{ErrorCode, ErrorInfo};
use rusqlite::{OptionalExtension as _, params};
use serde::{Deserialize, Serialize};

/// How a statement ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum RunStatus {
    Succeeded,
    Failed,
    Cancelled,
}

impl RunStatus {
    fn as_str(self) -> &'static str {
        match self {
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
            Self::Cancelled => "cancelled",
        }
    }

    fn parse(text: &str) -> Self {
        match text {
            "succeeded" => Self::Succeeded,
            "cancelled" => Self::Cancelled,
            _ => Self::Failed,
        }
    }
}

/// One executed statement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct HistoryEntry {
    pub id: u32,
    pub workspace_id: String,
    pub statement: String,
    pub warehouse_id: String,
    pub catalog: Option<String>,
    pub schema: Option<String>,
    pub parameters: Vec<Parameter>,
    /// RFC 3339, UTC.
    pub started_at: String,
    pub duration_ms: u32,
    /// Rows in the result, when it succeeded.
    pub row_count: Option<u32>,
    pub status: RunStatus,
    /// The server's (or Brickdesk's) message when it did not succeed.
    pub error: Option<String>,
}

/// What [`History::record`] stores (the id and workspace are added).
#[derive(Debug, Clone)]
pub struct NewEntry<'a> {
    pub statement: &'a str,
    pub warehouse_id: &'a str,
    pub catalog: Option<&'a str>,
    pub schema: Option<&'a str>,
    pub parameters: &'a [Parameter],
    pub started_at: chrono::DateTime<chrono::Utc>,
    pub duration: std::time::Duration,
    pub row_count: Option<u64>,
    pub status: RunStatus,
    pub error: Option<&'a str>,
}

/// Entries kept per workspace; older ones are dropped as new ones arrive.
pub const KEPT_PER_WORKSPACE: u32 = 5_000;

#[derive(Debug, Clone)]
pub struct History {
    db: std::sync::Arc<LocalDb>,
}

const COLUMNS: &str = "id, workspace_id, statement, warehouse_id, catalog, schema_name, parameters, \
                       started_at, duration_ms, row_count, status, error";

fn entry(row: &rusqlite::Row<'_>) -> rusqlite::Result<HistoryEntry> {
    let parameters: String = row.get(6)?;
    let status: String = row.get(10)?;
    Ok(HistoryEntry {
        id: row.get(0)?,
        workspace_id: row.get(1)?,
        statement: row.get(2)?,
        warehouse_id: row.get(3)?,
        catalog: row.get(4)?,
        schema: row.get(5)?,
        // A row written by a newer Brickdesk with parameter types this one does not know
        // still shows; it is re-run without them.
        parameters: serde_json::from_str(&parameters).unwrap_or_default(),
        started_at: row.get(7)?,
        duration_ms: row.get(8)?,
        row_count: row.get(9)?,
        status: RunStatus::parse(&status),
        error: row.get(11)?,
    })
}

/// `%`, `_` and `\` are matched literally in a search.
fn like_pattern(query: &str) -> String {
    let mut pattern = String::from("%");
    for c in query.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

impl History {
    pub fn new(db: std::sync::Arc<LocalDb>) -> Self {
        Self { db }
    }

    /// Stores a finished statement and returns its id.
    pub fn record(&self, workspace_id: &str, new: &NewEntry<'_>) -> Result<u32, ErrorInfo> {
        let parameters = serde_json::to_string(new.parameters).unwrap_or_else(|_| "[]".into());
        let duration_ms = u32::try_from(new.duration.as_millis()).unwrap_or(u32::MAX);
        let rows = new.row_count.map(|n| u32::try_from(n).unwrap_or(u32::MAX));
        self.db.with(|c| {
            let tx = c.transaction()?;
            tx.execute(
                "INSERT INTO sql_history (workspace_id, statement, warehouse_id, catalog, \
                 schema_name, parameters, started_at, duration_ms, row_count, status, error) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                params![
                    workspace_id,
                    new.statement,
                    new.warehouse_id,
                    new.catalog,
                    new.schema,
                    parameters,
                    new.started_at
                        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                    duration_ms,
                    rows,
                    new.status.as_str(),
                    new.error,
                ],
            )?;
            let id = tx.last_insert_rowid();
            tx.execute(
                "DELETE FROM sql_history WHERE workspace_id = ?1 AND id <= ?2 - ?3",
                params![workspace_id, id, KEPT_PER_WORKSPACE],
            )?;
            tx.commit()?;
            Ok(u32::try_from(id).unwrap_or(u32::MAX))
        })
    }

    /// The newest entries of a workspace whose text contains `query` (any case), newest first.
    pub fn search(
        &self,
        workspace_id: &str,
        query: &str,
        limit: u32,
    ) -> Result<Vec<HistoryEntry>, ErrorInfo> {
        self.db.with(|c| {
            let mut statement = c.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM sql_history WHERE workspace_id = ?1 \
                 AND statement LIKE ?2 ESCAPE '\\' ORDER BY id DESC LIMIT ?3"
            ))?;
            let rows = statement.query_map(
                params![workspace_id, like_pattern(query.trim()), limit],
                entry,
            )?;
            rows.collect()
        })
    }

    pub fn get(&self, id: u32) -> Result<HistoryEntry, ErrorInfo> {
        self.db
            .with(|c| {
                c.query_row(
                    &format!("SELECT {COLUMNS} FROM sql_history WHERE id = ?1"),
                    [id],
                    entry,
                )
                .optional()
            })?
            .ok_or_else(|| ErrorInfo::new(ErrorCode::NotFound, "That history entry was deleted."))
    }

    pub fn delete(&self, id: u32) -> Result<(), ErrorInfo> {
        self.db
            .with(|c| c.execute("DELETE FROM sql_history WHERE id = ?1", [id]))
            .map(drop)
    }

    /// Forgets a workspace's history (the workspace was removed, or the user cleared it).
    pub fn clear(&self, workspace_id: &str) -> Result<(), ErrorInfo> {
        self.db
            .with(|c| {
                c.execute(
                    "DELETE FROM sql_history WHERE workspace_id = ?1",
                    [workspace_id],
                )
            })
            .map(drop)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::params::ParamType;
    use std::sync::Arc;

    fn new_entry<'a>(statement: &'a str, parameters: &'a [Parameter]) -> NewEntry<'a> {
        NewEntry {
            statement,
            warehouse_id: "wh1",
            catalog: Some("samples"),
            schema: None,
            parameters,
            started_at: chrono::Utc::now(),
            duration: std::time::Duration::from_millis(1234),
            row_count: Some(42),
            status: RunStatus::Succeeded,
            error: None,
        }
    }

    #[test]
    fn records_searches_and_keeps_workspaces_apart() {
        let history = History::new(Arc::new(LocalDb::in_memory()));
        let date = [Parameter {
            name: "date".into(),
            ty: ParamType::Date,
            value: Some("2016-01-05".into()),
        }];
        let first = history
            .record(
                "a",
                &new_entry("SELECT * FROM trips WHERE d >= :date", &date),
            )
            .expect("record");
        history
            .record("a", &new_entry("SELECT 100% AS pct", &[]))
            .expect("record");
        history
            .record("b", &new_entry("SELECT * FROM trips", &[]))
            .expect("record");

        let all = history.search("a", "", 10).expect("search");
        assert_eq!(all.len(), 2);
        assert_eq!(all[0].statement, "SELECT 100% AS pct", "newest first");
        let found = history.search("a", "TRIPS", 10).expect("search");
        assert_eq!(found.len(), 1, "case-insensitive, this workspace only");
        assert_eq!(found[0].parameters, date);
        assert_eq!(found[0].duration_ms, 1234);
        assert_eq!(found[0].row_count, Some(42));
        assert_eq!(
            history.search("a", "%", 10).expect("search").len(),
            1,
            "% is literal"
        );
        assert_eq!(
            history.get(first).expect("get").catalog.as_deref(),
            Some("samples")
        );
        history.delete(first).expect("delete");
        assert_eq!(
            history.get(first).expect_err("gone").code,
            ErrorCode::NotFound
        );
        history.clear("a").expect("clear");
        assert!(history.search("a", "", 10).expect("search").is_empty());
        assert_eq!(history.search("b", "", 10).expect("search").len(), 1);
    }

    #[test]
    fn keeps_only_the_newest_entries() {
        let history = History::new(Arc::new(LocalDb::in_memory()));
        for i in 0..KEPT_PER_WORKSPACE + 3 {
            history
                .record("a", &new_entry(&format!("SELECT {i}"), &[]))
                .expect("record");
        }
        let kept = history
            .search("a", "", KEPT_PER_WORKSPACE + 10)
            .expect("search");
        assert_eq!(kept.len() as u32, KEPT_PER_WORKSPACE);
        assert_eq!(kept.last().map(|e| e.statement.as_str()), Some("SELECT 3"));
    }
}
