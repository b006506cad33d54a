//! Ask anything (Genie One) and Agent mode responses, kept so that a question in flight
//! survives a restart and a finished one stays in the history.
//!
//! A response is written before its request is sent (`sending`), gets its conversation and
//! response ids when the stream's `response.created` names them (`streaming`), and its record
//! (what the UI shows, as JSON) when it ends (`done`). After a restart a `streaming` response
//! is read back through the API, never asked again; a `sending` one may or may not have reached
//! Genie, so it is reported as such rather than sent twice.

use super::LocalDb;
use crate::ErrorInfo;
use rusqlite::params;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoredState {
    Sending,
    Streaming,
    Done,
}

impl StoredState {
    fn parse(text: &str) -> Self {
        match text {
            "streaming" => Self::Streaming,
            "done" => Self::Done,
            _ => Self::Sending,
        }
    }
}

/// One kept response. `surface` and `record` are JSON owned by the Genie responses module.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredResponse {
    pub id: u32,
    pub workspace_id: String,
    pub surface: String,
    pub question: String,
    pub conversation_id: Option<String>,
    pub response_id: Option<String>,
    pub state: StoredState,
    pub created_at_ms: i64,
    pub record: Option<String>,
}

#[derive(Debug, Clone)]
pub struct ResponseStore {
    db: std::sync::Arc<LocalDb>,
}

const COLUMNS: &str = "id, workspace_id, surface, question, conversation_id, response_id, state, \
                       created_at_ms, record";

fn stored(row: &rusqlite::Row<'_>) -> rusqlite::Result<StoredResponse> {
    let state: String = row.get(6)?;
    Ok(StoredResponse {
        id: row.get(0)?,
        workspace_id: row.get(1)?,
        surface: row.get(2)?,
        question: row.get(3)?,
        conversation_id: row.get(4)?,
        response_id: row.get(5)?,
        state: StoredState::parse(&state),
        created_at_ms: row.get(7)?,
        record: row.get(8)?,
    })
}

/// How many finished responses a workspace keeps; older ones are dropped.
const KEPT: u32 = 200;

impl ResponseStore {
    pub fn new(db: std::sync::Arc<LocalDb>) -> Self {
        Self { db }
    }

    /// A new response about to be sent; its id.
    pub fn add(
        &self,
        workspace_id: &str,
        surface: &str,
        question: &str,
        conversation_id: Option<&str>,
        now_ms: i64,
    ) -> Result<u32, ErrorInfo> {
        self.db.with(|c| {
            c.execute(
                "INSERT INTO genie_responses (workspace_id, surface, question, conversation_id, \
                 state, created_at_ms) VALUES (?1, ?2, ?3, ?4, 'sending', ?5)",
                params![workspace_id, surface, question, conversation_id, now_ms],
            )?;
            Ok(u32::try_from(c.last_insert_rowid()).unwrap_or(u32::MAX))
        })
    }

    /// The ids the stream named: from now on the response can be read back after a restart.
    pub fn started(
        &self,
        id: u32,
        conversation_id: &str,
        response_id: &str,
    ) -> Result<(), ErrorInfo> {
        self.db.with(|c| {
            c.execute(
                "UPDATE genie_responses SET conversation_id = ?2, response_id = ?3, \
                 state = 'streaming' WHERE id = ?1",
                params![id, conversation_id, response_id],
            )
            .map(drop)
        })
    }

    /// The response ended (answered, failed or stopped): its record, for the history.
    pub fn finish(&self, id: u32, record: &str) -> Result<(), ErrorInfo> {
        self.db.with(|c| {
            let tx = c.transaction()?;
            tx.execute(
                "UPDATE genie_responses SET record = ?2, state = 'done' WHERE id = ?1",
                params![id, record],
            )?;
            // Keep the newest finished ones of the workspace.
            tx.execute(
                "DELETE FROM genie_responses WHERE state = 'done' AND workspace_id = \
                 (SELECT workspace_id FROM genie_responses WHERE id = ?1) AND id NOT IN \
                 (SELECT id FROM genie_responses WHERE state = 'done' AND workspace_id = \
                 (SELECT workspace_id FROM genie_responses WHERE id = ?1) ORDER BY id DESC \
                 LIMIT ?2)",
                params![id, KEPT],
            )?;
            tx.commit()
        })
    }

    pub fn get(&self, id: u32) -> Result<Option<StoredResponse>, ErrorInfo> {
        self.db.with(|c| {
            let mut statement = c.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM genie_responses WHERE id = ?1"
            ))?;
            let mut rows = statement.query_map(params![id], stored)?;
            rows.next().transpose()
        })
    }

    /// The workspace's responses that have not ended, oldest first.
    pub fn unfinished(&self, workspace_id: &str) -> Result<Vec<StoredResponse>, ErrorInfo> {
        self.query(
            "WHERE workspace_id = ?1 AND state != 'done' ORDER BY id",
            workspace_id,
        )
    }

    /// The workspace's responses, newest first, at most `limit`.
    pub fn recent(&self, workspace_id: &str, limit: u32) -> Result<Vec<StoredResponse>, ErrorInfo> {
        let mut all = self.query("WHERE workspace_id = ?1 ORDER BY id DESC", workspace_id)?;
        all.truncate(limit as usize);
        Ok(all)
    }

    pub fn delete(&self, id: u32) -> Result<(), ErrorInfo> {
        self.db.with(|c| {
            c.execute("DELETE FROM genie_responses WHERE id = ?1", params![id])
                .map(drop)
        })
    }

    fn query(&self, clause: &str, workspace_id: &str) -> Result<Vec<StoredResponse>, ErrorInfo> {
        self.db.with(|c| {
            let mut statement =
                c.prepare_cached(&format!("SELECT {COLUMNS} FROM genie_responses {clause}"))?;
            let rows = statement.query_map(params![workspace_id], stored)?;
            rows.collect()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_response_goes_from_sending_to_streaming_to_done_and_old_ones_are_dropped() {
        let store = ResponseStore::new(std::sync::Arc::new(LocalDb::in_memory()));
        let id = store
            .add("ws", "{\"kind\":\"askAnything\"}", "Revenue?", None, 1)
            .expect("add");
        let unfinished = store.unfinished("ws").expect("unfinished");
        assert_eq!(unfinished[0].state, StoredState::Sending);
        assert_eq!(unfinished[0].response_id, None);
        store.started(id, "c1", "r1").expect("started");
        let unfinished = store.unfinished("ws").expect("unfinished");
        assert_eq!(unfinished[0].state, StoredState::Streaming);
        assert_eq!(unfinished[0].response_id.as_deref(), Some("r1"));
        store.finish(id, "{}").expect("finish");
        assert!(store.unfinished("ws").expect("unfinished").is_empty());
        assert_eq!(
            store.get(id).expect("get").and_then(|r| r.record),
            Some("{}".into())
        );
        for n in 0..KEPT + 5 {
            let id = store
                .add("ws", "s", &format!("q{n}"), None, 2)
                .expect("add");
            store.finish(id, "{}").expect("finish");
        }
        let other = store.add("other", "s", "q", None, 3).expect("other");
        store.finish(other, "{}").expect("finish");
        let kept = store.recent("ws", 1_000).expect("recent");
        assert_eq!(kept.len(), KEPT as usize);
        assert_eq!(kept[0].question, format!("q{}", KEPT + 4), "newest first");
        assert_eq!(store.recent("other", 10).expect("other").len(), 1);
    }
}
