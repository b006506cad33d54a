//! App-wide state owned by Tauri: the workspace registry, behind a mutex.

use brickdesk_core::host::WorkspaceHost;
use brickdesk_core::workspace::WorkspaceRegistry;
use std::sync::{Mutex, MutexGuard};
use tauri::Manager;

/// Environment variable naming the local emulator that the demo lists as "Demo workspace".
pub const DEMO_HOST_ENV: &str = "BRICKDESK_DEMO_HOST";

#[derive(Debug, Default)]
pub struct AppState {
    workspaces: Mutex<WorkspaceRegistry>,
}

impl AppState {
    pub fn workspaces(&self) -> MutexGuard<'_, WorkspaceRegistry> {
        // A panic while holding the lock cannot leave the registry half-updated (every method
        // validates before it mutates), so a poisoned lock is still safe to use.
        self.workspaces
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

pub fn manage(app: &tauri::App) {
    app.manage(AppState {
        workspaces: Mutex::new(initial_registry()),
    });
}

fn initial_registry() -> WorkspaceRegistry {
    let Ok(raw) = std::env::var(DEMO_HOST_ENV) else {
        return WorkspaceRegistry::default();
    };
    match WorkspaceHost::parse(&raw) {
        Ok(host) => WorkspaceRegistry::with_demo(&host),
        Err(error) => {
            tracing::warn!(variable = DEMO_HOST_ENV, %error, "ignored the demo workspace host");
            WorkspaceRegistry::default()
        }
    }
}
