//! Workspaces as the UI lists them, and the in-memory registry the switcher works on.
//!
//! This is the model the shell needs today: named, validated hosts, one of them active, and
//! whether IT manages each. Persistence, auth kinds and policy files build on it; the registry
//! stays the one place that enforces "valid host, unique id, active id exists".

use crate::host::WorkspaceHost;
use crate::{ErrorCode, ErrorInfo};
use serde::{Deserialize, Serialize};

/// One workspace in the sidebar switcher. Contains no secret by construction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct WorkspaceSummary {
    pub id: String,
    pub name: String,
    pub host: String,
    /// Pre-configured by IT: the user can sign in but cannot edit or remove it.
    pub managed: bool,
}

/// The switcher's whole state: every workspace and the active one.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct WorkspaceList {
    pub workspaces: Vec<WorkspaceSummary>,
    pub active_id: Option<String>,
}

/// Id of the workspace that points at the local emulator in the demo.
pub const DEMO_ID: &str = "demo";

/// The workspaces of this session. Invariant: `active_id`, when set, names a listed workspace.
#[derive(Debug, Default)]
pub struct WorkspaceRegistry {
    list: WorkspaceList,
}

impl WorkspaceRegistry {
    /// A registry listing the "Demo workspace" at `host` (the local emulator), active.
    pub fn with_demo(host: &WorkspaceHost) -> Self {
        let mut registry = Self::default();
        registry.push(DEMO_ID.to_owned(), "Demo workspace".to_owned(), host, false);
        registry
    }

    pub fn list(&self) -> &WorkspaceList {
        &self.list
    }

    /// Adds a workspace from what the user typed and makes it active. An empty name becomes
    /// the host's name; adding a host that is already listed selects the existing entry.
    pub fn add(&mut self, name: &str, host: &str) -> Result<&WorkspaceList, ErrorInfo> {
        let host = WorkspaceHost::parse(host)?;
        if let Some(existing) = self
            .list
            .workspaces
            .iter()
            .find(|w| w.host == host.as_str())
        {
            self.list.active_id = Some(existing.id.clone());
            return Ok(&self.list);
        }
        let name = match name.trim() {
            "" => host
                .as_str()
                .split("://")
                .nth(1)
                .unwrap_or(host.as_str())
                .to_owned(),
            given if given.chars().count() > 80 => {
                return Err(ErrorInfo::new(
                    ErrorCode::InvalidInput,
                    "Use a workspace name of at most 80 characters.",
                ));
            }
            given => given.to_owned(),
        };
        let id = self.next_id();
        self.push(id, name, &host, false);
        Ok(&self.list)
    }

    /// Makes `id` the active workspace.
    pub fn select(&mut self, id: &str) -> Result<&WorkspaceList, ErrorInfo> {
        if !self.list.workspaces.iter().any(|w| w.id == id) {
            return Err(ErrorInfo::new(
                ErrorCode::NotFound,
                "That workspace is no longer in your list. Pick another one in the sidebar.",
            ));
        }
        self.list.active_id = Some(id.to_owned());
        Ok(&self.list)
    }

    fn push(&mut self, id: String, name: String, host: &WorkspaceHost, managed: bool) {
        self.list.active_id = Some(id.clone());
        self.list.workspaces.push(WorkspaceSummary {
            id,
            name,
            host: host.to_string(),
            managed,
        });
    }

    fn next_id(&self) -> String {
        (1..)
            .map(|n| format!("ws-{n}"))
            .find(|id| !self.list.workspaces.iter().any(|w| &w.id == id))
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn demo() -> WorkspaceRegistry {
        WorkspaceRegistry::with_demo(&WorkspaceHost::parse("http://127.0.0.1:8787").expect("valid"))
    }

    #[test]
    fn demo_registry_lists_the_demo_workspace_as_active() {
        let registry = demo();
        let list = registry.list();
        assert_eq!(list.workspaces.len(), 1);
        assert_eq!(list.workspaces[0].name, "Demo workspace");
        assert_eq!(list.workspaces[0].host, "http://127.0.0.1:8787");
        assert_eq!(list.active_id.as_deref(), Some(DEMO_ID));
    }

    #[test]
    fn add_validates_names_and_activates() {
        let mut registry = demo();
        let list = registry
            .add("", "dbc-9.cloud.databricks.com")
            .expect("valid")
            .clone();
        assert_eq!(list.workspaces[1].name, "dbc-9.cloud.databricks.com");
        assert_eq!(list.active_id.as_deref(), Some("ws-1"));
        let again = registry
            .add("Other name", "https://dbc-9.cloud.databricks.com/")
            .expect("dup");
        assert_eq!(again.workspaces.len(), 2, "same host is not added twice");
        let err = registry
            .add("x", "http://example.com")
            .expect_err("plain http");
        assert_eq!(err.code, ErrorCode::InvalidInput);
        let err = registry
            .add(&"n".repeat(81), "https://a.example")
            .expect_err("too long");
        assert_eq!(err.code, ErrorCode::InvalidInput);
    }

    #[test]
    fn select_requires_a_listed_workspace() {
        let mut registry = demo();
        registry.add("Second", "https://a.example").expect("valid");
        assert_eq!(
            registry
                .select(DEMO_ID)
                .expect("listed")
                .active_id
                .as_deref(),
            Some(DEMO_ID)
        );
        let err = registry.select("nope").expect_err("unknown");
        assert_eq!(err.code, ErrorCode::NotFound);
        assert_eq!(
            registry.list().active_id.as_deref(),
            Some(DEMO_ID),
            "unchanged on error"
        );
    }
}
