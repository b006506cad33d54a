//! Genie questions that must survive a restart (the outbox) and the spaces a user pinned.
//!
//! A question is written here before anything is sent: `queued` (waiting for the rate limit),
//! then `sending` while the request is out, then `sent` with its message id once Genie has it,
//! and deleted when its answer arrived. After a restart, `queued` questions are sent, `sent`
//! ones are polled again, and a `sending` one is reported as possibly unsent rather than sent a
//! second time.

use super::LocalDb;
use crate::ErrorInfo;
use rusqlite::{OptionalExtension as _, params};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum OutboxState {
    Queued,
    Sending,
    Sent,
}

impl OutboxState {
    fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Sending => "sending",
            Self::Sent => "sent",
        }
    }

    fn parse(text: &str) -> Self {
        match text {
            "queued" => Self::Queued,
            "sent" => Self::Sent,
            _ => Self::Sending,
        }
    }
}

/// A question on its way to Genie.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct OutboxEntry {
    pub id: u32,
    pub workspace_id: String,
    pub space_id: String,
    /// `None`: the question starts a new conversation.
    pub conversation_id: Option<String>,
    pub content: String,
    pub created_at_ms: f64,
    pub state: OutboxState,
    pub message_id: Option<String>,
}

/// A pinned space.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct Favourite {
    pub space_id: String,
    pub title: String,
}

#[derive(Debug, Clone)]
pub struct GenieStore {
    db: std::sync::Arc<LocalDb>,
}

const COLUMNS: &str =
    "id, workspace_id, space_id, conversation_id, content, created_at_ms, state, message_id";

fn entry(row: &rusqlite::Row<'_>) -> rusqlite::Result<OutboxEntry> {
    let created: i64 = row.get(5)?;
    let state: String = row.get(6)?;
    Ok(OutboxEntry {
        id: row.get(0)?,
        workspace_id: row.get(1)?,
        space_id: row.get(2)?,
        conversation_id: row.get(3)?,
        content: row.get(4)?,
        created_at_ms: created as f64,
        state: OutboxState::parse(&state),
        message_id: row.get(7)?,
    })
}

impl GenieStore {
    pub fn new(db: std::sync::Arc<LocalDb>) -> Self {
        Self { db }
    }

    /// Keeps a question before it is sent.
    pub fn enqueue(
        &self,
        workspace_id: &str,
        space_id: &str,
        conversation_id: Option<&str>,
        content: &str,
    ) -> Result<OutboxEntry, ErrorInfo> {
        let now = chrono::Utc::now().timestamp_millis();
        let id = self.db.with(|c| {
            c.execute(
                "INSERT INTO genie_outbox (workspace_id, space_id, conversation_id, content, \
                 created_at_ms, state) VALUES (?1, ?2, ?3, ?4, ?5, 'queued')",
                params![workspace_id, space_id, conversation_id, content, now],
            )?;
            Ok(c.last_insert_rowid())
        })?;
        self.get(u32::try_from(id).unwrap_or(u32::MAX))?
            .ok_or_else(|| ErrorInfo::new(crate::ErrorCode::Internal, "question not kept"))
    }

    pub fn get(&self, id: u32) -> Result<Option<OutboxEntry>, ErrorInfo> {
        self.db.with(|c| {
            c.query_row(
                &format!("SELECT {COLUMNS} FROM genie_outbox WHERE id = ?1"),
                [id],
                entry,
            )
            .optional()
        })
    }

    /// Questions of a workspace not answered yet, oldest first.
    pub fn pending(&self, workspace_id: &str) -> Result<Vec<OutboxEntry>, ErrorInfo> {
        self.db.with(|c| {
            let mut statement = c.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM genie_outbox WHERE workspace_id = ?1 ORDER BY id"
            ))?;
            let rows = statement.query_map([workspace_id], entry)?;
            rows.collect()
        })
    }

    /// Moves `queued` to `sending`; false if the question is no longer queued (another task
    /// took it, or it was removed), so it is never sent twice.
    pub fn claim(&self, id: u32) -> Result<bool, ErrorInfo> {
        self.db.with(|c| {
            c.execute(
                "UPDATE genie_outbox SET state = 'sending' WHERE id = ?1 AND state = 'queued'",
                [id],
            )
            .map(|changed| changed == 1)
        })
    }

    /// Genie has the question: its conversation and message ids.
    pub fn sent(&self, id: u32, conversation_id: &str, message_id: &str) -> Result<(), ErrorInfo> {
        self.db
            .with(|c| {
                c.execute(
                    "UPDATE genie_outbox SET state = ?2, conversation_id = ?3, message_id = ?4 \
                     WHERE id = ?1",
                    params![id, OutboxState::Sent.as_str(), conversation_id, message_id],
                )
            })
            .map(drop)
    }

    /// Back to the queue (the request was refused before Genie took it).
    pub fn requeue(&self, id: u32) -> Result<(), ErrorInfo> {
        self.db
            .with(|c| {
                c.execute(
                    "UPDATE genie_outbox SET state = 'queued' WHERE id = ?1",
                    [id],
                )
            })
            .map(drop)
    }

    /// The question is answered (or given up): forget it.
    pub fn remove(&self, id: u32) -> Result<(), ErrorInfo> {
        self.db
            .with(|c| c.execute("DELETE FROM genie_outbox WHERE id = ?1", [id]))
            .map(drop)
    }

    pub fn favourites(&self, workspace_id: &str) -> Result<Vec<Favourite>, ErrorInfo> {
        self.db.with(|c| {
            let mut statement = c.prepare_cached(
                "SELECT space_id, title FROM genie_favourites WHERE workspace_id = ?1 ORDER BY title",
            )?;
            let rows = statement.query_map([workspace_id], |r| {
                Ok(Favourite {
                    space_id: r.get(0)?,
                    title: r.get(1)?,
                })
            })?;
            rows.collect()
        })
    }

    pub fn set_favourite(
        &self,
        workspace_id: &str,
        space_id: &str,
        title: &str,
        pinned: bool,
    ) -> Result<(), ErrorInfo> {
        self.db
            .with(|c| {
                if pinned {
                    c.execute(
                        "INSERT INTO genie_favourites (workspace_id, space_id, title) \
                         VALUES (?1, ?2, ?3) ON CONFLICT DO UPDATE SET title = excluded.title",
                        params![workspace_id, space_id, title],
                    )
                } else {
                    c.execute(
                        "DELETE FROM genie_favourites WHERE workspace_id = ?1 AND space_id = ?2",
                        params![workspace_id, space_id],
                    )
                }
            })
            .map(drop)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn a_question_is_claimed_once_and_survives_a_reopen() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join(super::super::FILE_NAME);
        let id = {
            let store = GenieStore::new(Arc::new(LocalDb::open(&path).expect("open").0));
            let queued = store
                .enqueue("w", "s", None, "How many trips?")
                .expect("enqueue");
            assert_eq!(queued.state, OutboxState::Queued);
            assert!(store.claim(queued.id).expect("claim"));
            assert!(!store.claim(queued.id).expect("claim"), "never twice");
            store.sent(queued.id, "c1", "m1").expect("sent");
            queued.id
        };
        let store = GenieStore::new(Arc::new(LocalDb::open(&path).expect("reopen").0));
        let pending = store.pending("w").expect("pending");
        assert_eq!(pending.len(), 1);
        assert_eq!(pending[0].state, OutboxState::Sent);
        assert_eq!(pending[0].message_id.as_deref(), Some("m1"));
        assert_eq!(pending[0].conversation_id.as_deref(), Some("c1"));
        store.remove(id).expect("remove");
        assert!(store.pending("w").expect("pending").is_empty());
        let next = store.enqueue("w", "s", None, "Again?").expect("enqueue");
        assert!(next.id > id, "ids are never reused");
        store.set_favourite("w", "s", "Taxi", true).expect("pin");
        assert_eq!(store.favourites("w").expect("favs").len(), 1);
        store.set_favourite("w", "s", "Taxi", false).expect("unpin");
        assert!(store.favourites("w").expect("favs").is_empty());
    }
}
