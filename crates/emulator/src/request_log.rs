//! The request log: method, path, status, duration and any injected fault of each request,
//! for tests to query at `GET /__emulator/requests`, and the workspace a unified host's call
//! named. Never query strings, other headers or bodies: they carry codes, tokens and secrets.

use serde::Serialize;
use std::sync::Mutex;

/// Oldest entries are dropped past this many.
const CAPACITY: usize = 10_000;

#[derive(Debug, Clone, Serialize)]
pub struct LoggedRequest {
    pub seq: u64,
    pub method: String,
    pub path: String,
    pub status: u16,
    pub millis: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fault: Option<&'static str>,
    /// `X-Databricks-Workspace-Id` (or the legacy `X-Databricks-Org-Id`), when sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workspace: Option<String>,
}

#[derive(Debug, Default)]
pub struct RequestLog {
    entries: Mutex<(u64, Vec<LoggedRequest>)>,
}

impl RequestLog {
    pub fn record(
        &self,
        method: String,
        path: String,
        status: u16,
        millis: u64,
        fault: Option<&'static str>,
        workspace: Option<String>,
    ) {
        let mut guard = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        guard.0 += 1;
        let seq = guard.0;
        let entries = &mut guard.1;
        if entries.len() >= CAPACITY {
            entries.remove(0);
        }
        entries.push(LoggedRequest {
            seq,
            method,
            path,
            status,
            millis,
            fault,
            workspace,
        });
    }

    /// Entries whose path starts with `prefix` (all when empty), oldest first.
    pub fn query(&self, prefix: &str) -> Vec<LoggedRequest> {
        let guard = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        guard
            .1
            .iter()
            .filter(|entry| entry.path.starts_with(prefix))
            .cloned()
            .collect()
    }

    pub fn clear(&self) {
        self.entries
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .1
            .clear();
    }
}
