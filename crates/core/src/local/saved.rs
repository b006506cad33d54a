//! Saved queries, per workspace: a name, the SQL, its parameters, and the warehouse, catalog
//! and schema it runs in. A name is unique within a workspace: saving under a name that is
//! taken replaces that query (the UI says so first).

use super::LocalDb;
use crate::sql::params::Parameter;
use crate::{ErrorCode, ErrorInfo};
use rusqlite::params;
use serde::{Deserialize, Serialize};

/// The longest name a saved query may have.
const MAX_NAME_CHARS: usize = 200;

/// A saved query.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct SavedQuery {
    pub id: u32,
    pub name: String,
    pub statement: String,
    pub parameters: Vec<Parameter>,
    pub warehouse_id: Option<String>,
    pub catalog: Option<String>,
    pub schema: Option<String>,
    /// RFC 3339, UTC.
    pub saved_at: String,
}

/// What the UI saves.
#[derive(Debug, Clone, PartialEq, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct NewSavedQuery {
    pub name: String,
    pub statement: String,
    #[serde(default)]
    pub parameters: Vec<Parameter>,
    #[serde(default)]
    pub warehouse_id: Option<String>,
    #[serde(default)]
    pub catalog: Option<String>,
    #[serde(default)]
    pub schema: Option<String>,
}

#[derive(Debug, Clone)]
pub struct SavedQueries {
    db: std::sync::Arc<LocalDb>,
}

const COLUMNS: &str =
    "id, name, statement, parameters, warehouse_id, catalog, schema_name, saved_at";

fn saved(row: &rusqlite::Row<'_>) -> rusqlite::Result<SavedQuery> {
    let parameters: String = row.get(3)?;
    Ok(SavedQuery {
        id: row.get(0)?,
        name: row.get(1)?,
        statement: row.get(2)?,
        // Parameters of a type this Brickdesk does not know are dropped, not the query.
        parameters: serde_json::from_str(&parameters).unwrap_or_default(),
        warehouse_id: row.get(4)?,
        catalog: row.get(5)?,
        schema: row.get(6)?,
        saved_at: row.get(7)?,
    })
}

fn blank_to_none(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|v| !v.is_empty())
}

impl SavedQueries {
    pub fn new(db: std::sync::Arc<LocalDb>) -> Self {
        Self { db }
    }

    /// A workspace's saved queries, by name.
    pub fn list(&self, workspace_id: &str) -> Result<Vec<SavedQuery>, ErrorInfo> {
        self.db.with(|c| {
            let mut statement = c.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM sql_saved WHERE workspace_id = ?1 \
                 ORDER BY name COLLATE NOCASE, id"
            ))?;
            let rows = statement.query_map([workspace_id], saved)?;
            rows.collect()
        })
    }

    /// Saves `query` under its name (replacing a query of that name); the saved query.
    pub fn save(&self, workspace_id: &str, query: &NewSavedQuery) -> Result<SavedQuery, ErrorInfo> {
        let name = query.name.trim();
        if name.is_empty() {
            return Err(ErrorInfo::new(
                ErrorCode::InvalidInput,
                "Give the query a name to save it under.",
            ));
        }
        if name.chars().count() > MAX_NAME_CHARS {
            return Err(ErrorInfo::new(
                ErrorCode::InvalidInput,
                format!("A query's name can be at most {MAX_NAME_CHARS} characters."),
            ));
        }
        if query.statement.trim().is_empty() {
            return Err(ErrorInfo::new(
                ErrorCode::InvalidInput,
                "There is no SQL to save.",
            ));
        }
        let parameters = serde_json::to_string(&query.parameters)
            .map_err(|e| ErrorInfo::new(ErrorCode::Internal, e.to_string()))?;
        let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        self.db.with(|c| {
            c.execute(
                "INSERT INTO sql_saved (workspace_id, name, statement, parameters, warehouse_id, \
                 catalog, schema_name, saved_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) \
                 ON CONFLICT (workspace_id, name) DO UPDATE SET statement = excluded.statement, \
                 parameters = excluded.parameters, warehouse_id = excluded.warehouse_id, \
                 catalog = excluded.catalog, schema_name = excluded.schema_name, \
                 saved_at = excluded.saved_at",
                params![
                    workspace_id,
                    name,
                    query.statement,
                    parameters,
                    blank_to_none(query.warehouse_id.as_deref()),
                    blank_to_none(query.catalog.as_deref()),
                    blank_to_none(query.schema.as_deref()),
                    now
                ],
            )?;
            c.query_row(
                &format!("SELECT {COLUMNS} FROM sql_saved WHERE workspace_id = ?1 AND name = ?2"),
                params![workspace_id, name],
                saved,
            )
        })
    }

    pub fn delete(&self, id: u32) -> Result<(), ErrorInfo> {
        self.db
            .with(|c| c.execute("DELETE FROM sql_saved WHERE id = ?1", [id]))
            .map(drop)
    }

    /// Forgets a workspace's saved queries (the workspace was removed).
    pub fn clear(&self, workspace_id: &str) -> Result<(), ErrorInfo> {
        self.db
            .with(|c| {
                c.execute(
                    "DELETE FROM sql_saved WHERE workspace_id = ?1",
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

    fn query(name: &str, sql: &str) -> NewSavedQuery {
        NewSavedQuery {
            name: name.into(),
            statement: sql.into(),
            parameters: Vec::new(),
            warehouse_id: Some("wh".into()),
            catalog: Some(" ".into()),
            schema: None,
        }
    }

    #[test]
    fn queries_are_kept_per_workspace_by_name_and_a_name_saved_again_replaces_its_query() {
        let saved = SavedQueries::new(Arc::new(LocalDb::in_memory()));
        saved
            .save("a", &query("Trips by day", "SELECT 1"))
            .expect("save");
        saved
            .save("a", &query("avg fare", "SELECT 2"))
            .expect("save");
        saved
            .save("b", &query("Trips by day", "SELECT 3"))
            .expect("save");
        let again = saved
            .save("a", &query(" Trips by day ", "SELECT 4"))
            .expect("replace");
        let listed = saved.list("a").expect("list");
        let names: Vec<&str> = listed.iter().map(|q| q.name.as_str()).collect();
        assert_eq!(
            names,
            ["avg fare", "Trips by day"],
            "by name, ignoring case"
        );
        assert_eq!(listed[1].statement, "SELECT 4");
        assert_eq!(listed[1].id, again.id);
        assert_eq!(listed[1].catalog, None, "a blank catalog is none");
        assert_eq!(saved.list("b").expect("list")[0].statement, "SELECT 3");
        saved.delete(again.id).expect("delete");
        assert_eq!(saved.list("a").expect("list").len(), 1);
        saved.clear("b").expect("clear");
        assert!(saved.list("b").expect("list").is_empty());
    }

    #[test]
    fn a_query_needs_a_name_and_sql() {
        let saved = SavedQueries::new(Arc::new(LocalDb::in_memory()));
        let error = saved
            .save("a", &query("  ", "SELECT 1"))
            .expect_err("no name");
        assert_eq!(error.code, ErrorCode::InvalidInput);
        assert!(saved.save("a", &query("x", " ")).is_err());
        assert!(
            saved
                .save("a", &query(&"n".repeat(201), "SELECT 1"))
                .is_err()
        );
    }
}
