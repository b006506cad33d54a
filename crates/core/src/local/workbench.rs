//! The SQL editor's state per workspace, restored on restart: its tabs (title, text,
//! catalog, schema, parameter values), the active tab and the warehouse picked.

use super::LocalDb;
use crate::ErrorInfo;
use crate::sql::params::Parameter;
use rusqlite::{OptionalExtension as _, params};
use serde::{Deserialize, Serialize};

/// One editor tab.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct SqlTab {
    /// Chosen by the UI; unique within the workspace.
    pub id: String,
    pub title: String,
    pub statement: String,
    #[serde(default)]
    pub catalog: Option<String>,
    #[serde(default)]
    pub schema: Option<String>,
    #[serde(default)]
    pub parameters: Vec<Parameter>,
}

/// Everything the SQL runner restores for a workspace.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct Workbench {
    pub tabs: Vec<SqlTab>,
    #[serde(default)]
    pub active_tab: Option<String>,
    #[serde(default)]
    pub warehouse_id: Option<String>,
}

/// Limits that keep a runaway UI from filling the disk.
const MAX_TABS: usize = 50;
const MAX_STATEMENT_BYTES: usize = 1 << 20;

#[derive(Debug, Clone)]
pub struct Workbenches {
    db: std::sync::Arc<LocalDb>,
}

impl Workbenches {
    pub fn new(db: std::sync::Arc<LocalDb>) -> Self {
        Self { db }
    }

    /// The saved state, or an empty one for a workspace never opened (or saved by a newer
    /// Brickdesk in a shape this one cannot read).
    pub fn load(&self, workspace_id: &str) -> Result<Workbench, ErrorInfo> {
        let saved: Option<String> = self.db.with(|c| {
            c.query_row(
                "SELECT state FROM sql_workbench WHERE workspace_id = ?1",
                [workspace_id],
                |r| r.get(0),
            )
            .optional()
        })?;
        Ok(saved
            .and_then(|json| serde_json::from_str(&json).ok())
            .unwrap_or_default())
    }

    pub fn save(&self, workspace_id: &str, workbench: &Workbench) -> Result<(), ErrorInfo> {
        if workbench.tabs.len() > MAX_TABS
            || workbench
                .tabs
                .iter()
                .any(|t| t.statement.len() > MAX_STATEMENT_BYTES)
        {
            return Err(ErrorInfo::new(
                crate::ErrorCode::InvalidInput,
                format!(
                    "Brickdesk keeps up to {MAX_TABS} tabs of up to 1 MB each. Close a tab or \
                     shorten the SQL to keep your work."
                ),
            ));
        }
        let json = serde_json::to_string(workbench).unwrap_or_default();
        self.db
            .with(|c| {
                c.execute(
                    "INSERT INTO sql_workbench (workspace_id, state) VALUES (?1, ?2) \
                     ON CONFLICT (workspace_id) DO UPDATE SET state = excluded.state",
                    params![workspace_id, json],
                )
            })
            .map(drop)
    }

    pub fn forget(&self, workspace_id: &str) -> Result<(), ErrorInfo> {
        self.db
            .with(|c| {
                c.execute(
                    "DELETE FROM sql_workbench WHERE workspace_id = ?1",
                    [workspace_id],
                )
            })
            .map(drop)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn saves_and_restores_per_workspace() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join(super::super::FILE_NAME);
        let state = Workbench {
            tabs: vec![SqlTab {
                id: "t1".into(),
                title: "Trips".into(),
                statement: "SELECT 1".into(),
                catalog: Some("samples".into()),
                schema: Some("nyctaxi".into()),
                parameters: vec![],
            }],
            active_tab: Some("t1".into()),
            warehouse_id: Some("wh".into()),
        };
        {
            let (db, _) = LocalDb::open(&path).expect("open");
            let benches = Workbenches::new(Arc::new(db));
            assert_eq!(benches.load("a").expect("load"), Workbench::default());
            benches.save("a", &state).expect("save");
        }
        let (db, _) = LocalDb::open(&path).expect("reopen");
        let benches = Workbenches::new(Arc::new(db));
        assert_eq!(
            benches.load("a").expect("load"),
            state,
            "survives a restart"
        );
        assert_eq!(benches.load("b").expect("load"), Workbench::default());
        let too_many = Workbench {
            tabs: vec![state.tabs[0].clone(); MAX_TABS + 1],
            ..Workbench::default()
        };
        assert!(benches.save("a", &too_many).is_err());
        assert_eq!(
            benches.load("a").expect("load"),
            state,
            "a refused save keeps the old"
        );
        benches.forget("a").expect("forget");
        assert_eq!(benches.load("a").expect("load"), Workbench::default());
    }
}
