//! App-wide state owned by Tauri: the core's workspace service, built from the OS config dir,
//! the IT policy, and the keychain under its service name.

use brickdesk_core::genie::Genie;
use brickdesk_core::genie::limiter::DEFAULT_PER_MINUTE;
use brickdesk_core::genie::responses::Responses;
use brickdesk_core::host::WorkspaceHost;
use brickdesk_core::local::genie::GenieStore;
use brickdesk_core::local::history::History;
use brickdesk_core::local::responses::ResponseStore;
use brickdesk_core::local::saved::SavedQueries;
use brickdesk_core::local::workbench::Workbenches;
use brickdesk_core::local::{self, LocalDb};
use brickdesk_core::policy::{self, Policy};
use brickdesk_core::service::{Config, Workspaces};
use brickdesk_core::sql::runs::Runs;
use brickdesk_core::sql::spill::{SharedSpillStore, SpillFolder};
use brickdesk_core::vault::{KeyringStore, Vault};
use brickdesk_core::{ErrorCode, ErrorInfo};
use std::sync::{Arc, Mutex};
use tauri::Manager;

use crate::test_hooks;

#[derive(Debug)]
pub struct AppState {
    pub workspaces: Arc<Workspaces>,
    /// SQL statements run from the UI and their rows.
    pub runs: Arc<Runs>,
    pub history: History,
    /// Genie questions and answers (their rows live in `runs`).
    pub genie: Arc<Genie>,
    /// Ask anything and Agent mode (their supporting tables live in `runs`).
    pub responses: Arc<Responses>,
    pub workbenches: Workbenches,
    pub saved: SavedQueries,
    /// What the user must hear about start-up (a recovered file, an ignored policy).
    notices: Mutex<Vec<ErrorInfo>>,
}

impl AppState {
    /// The start-up notices, once.
    pub fn take_notices(&self) -> Vec<ErrorInfo> {
        std::mem::take(&mut *self.notices.lock().unwrap_or_else(|p| p.into_inner()))
    }
}

fn demo_host() -> Option<WorkspaceHost> {
    let raw = test_hooks::read(test_hooks::DEMO_HOST)?;
    WorkspaceHost::parse(&raw)
        .inspect_err(
            |error| tracing::warn!(variable = test_hooks::DEMO_HOST, %error, "ignored the demo host"),
        )
        .ok()
}

pub fn manage(app: &tauri::App) -> Result<Arc<Workspaces>, ErrorInfo> {
    let config_dir = app.path().app_config_dir().map_err(|e| {
        ErrorInfo::new(
            ErrorCode::Config,
            format!("Brickdesk could not find its settings folder: {e}."),
        )
    })?;
    let service_name = test_hooks::read(test_hooks::KEYCHAIN_SERVICE)
        .unwrap_or_else(|| brickdesk_core::vault::SERVICE.to_owned());
    let (policy, policy_notices) = policy::load();
    let config = |policy: Policy| Config {
        profiles_file: config_dir.join(brickdesk_core::profiles::file::FILE_NAME),
        policy,
        vault: Vault::new(Arc::new(KeyringStore::new(service_name.clone()))),
        demo_host: demo_host(),
    };
    let mut notices: Vec<ErrorInfo> = policy_notices;
    let (workspaces, open_notices) = match Workspaces::open(config(policy.clone())) {
        Ok(opened) => opened,
        // A policy whose proxy or CA bundle cannot be used must not keep the app from starting:
        // say so, and run with the system's network settings.
        Err(error) if error.code == ErrorCode::Config => {
            notices.push(error);
            let fallback = Policy {
                proxy: None,
                no_proxy: None,
                ca_bundle: None,
                ..policy
            };
            Workspaces::open(config(fallback))?
        }
        Err(error) => return Err(error),
    };
    notices.extend(open_notices);
    let db = Arc::new(open_local_db(app, &mut notices));
    if let Err(error) = workspaces.set_local_data(db.clone()) {
        notices.push(error);
    }
    let history = History::new(db.clone());
    let runs = Runs::new(Some(history.clone()));
    if let Some(limit) = memory_limit() {
        runs.set_memory_limit(limit);
    }
    if let Some(store) = spill_folder(app) {
        runs.set_spill_store(store);
    }
    let runs = Arc::new(runs);
    let genie = Genie::new(
        GenieStore::new(db.clone()),
        runs.clone(),
        questions_per_minute(),
    );
    let responses = Responses::new(ResponseStore::new(db.clone()), runs.clone());
    app.manage(AppState {
        workspaces: workspaces.clone(),
        runs,
        genie: Arc::new(genie),
        responses: Arc::new(responses),
        history,
        saved: SavedQueries::new(db.clone()),
        workbenches: Workbenches::new(db),
        notices: Mutex::new(notices),
    });
    Ok(workspaces)
}

/// The local database in the OS data dir; if it cannot be used, one in memory (history and
/// tabs then last until the app quits, and the user is told why).
fn open_local_db(app: &tauri::App, notices: &mut Vec<ErrorInfo>) -> LocalDb {
    let opened = app
        .path()
        .app_local_data_dir()
        .map_err(|e| {
            ErrorInfo::new(
                ErrorCode::Config,
                format!("Brickdesk could not find its data folder: {e}."),
            )
        })
        .and_then(|dir| {
            // Earlier versions kept it in the roaming folder (Windows); moved once.
            if let Ok(roaming) = app.path().app_data_dir()
                && let Err(error) = local::place::move_to_local(&roaming, &dir)
            {
                tracing::warn!(
                    "the local database could not be moved to {}: {error}",
                    dir.display()
                );
            }
            LocalDb::open(&dir.join(local::FILE_NAME))
        });
    match opened {
        Ok((db, notice)) => {
            notices.extend(notice);
            db
        }
        Err(error) => {
            notices.push(ErrorInfo::new(
                error.code,
                format!(
                    "{} SQL history and tabs will not be kept after you quit.",
                    error.message
                ),
            ));
            LocalDb::in_memory()
        }
    }
}

/// Large results spill to a folder of the user's own in the OS cache folder (not the roaming
/// profile), swept of what a crash may have left; without one, to the OS temp folder.
fn spill_folder(app: &tauri::App) -> Option<SharedSpillStore> {
    let dir = app.path().app_cache_dir().ok()?.join("results");
    match SpillFolder::private(dir) {
        Ok((folder, swept)) => {
            if swept > 0 {
                tracing::info!(swept, "removed result files left by an earlier run");
            }
            Some(folder.shared())
        }
        Err(error) => {
            tracing::warn!(%error, "no folder for large results; using the temp folder");
            None
        }
    }
}

fn memory_limit() -> Option<usize> {
    let raw = test_hooks::read(test_hooks::RESULT_MEMORY_MB)?;
    match raw.trim().parse::<usize>() {
        Ok(mb) if mb > 0 => Some(mb.saturating_mul(1 << 20)),
        _ => {
            tracing::warn!(
                variable = test_hooks::RESULT_MEMORY_MB,
                "ignored: not a positive number of MB"
            );
            None
        }
    }
}

fn questions_per_minute() -> u32 {
    test_hooks::read(test_hooks::GENIE_PER_MINUTE)
        .and_then(|v| v.trim().parse().ok())
        .filter(|n| *n > 0)
        .unwrap_or(DEFAULT_PER_MINUTE)
}
