//! SQL warehouses: list, get, start, stop, with the real state machine.
//!
//! `STOPPED → STARTING → RUNNING → STOPPING → STOPPED`. `start` moves to `STARTING` inside the
//! call (an SDK waiter that sees `STOPPED` right after `start` would give up), and the state
//! advances lazily when read, after the configured delays, so nothing runs in the background.
//! A start can be made to fail (config `fail_start` or a `warehouse_start_failure` fault): the
//! warehouse then returns to `STOPPED` with `health.status = FAILED`.

use crate::auth::Caller;
use crate::errors::{ApiError, json_ok};
use crate::faults::Fault;
use crate::server::Shared;
use axum::Extension;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// A configured warehouse.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WarehouseConfig {
    pub id: String,
    pub name: String,
    #[serde(default = "default_size")]
    pub cluster_size: String,
    /// `RUNNING` or `STOPPED` at start-up.
    #[serde(default = "default_state")]
    pub state: String,
    #[serde(default = "default_true")]
    pub serverless: bool,
    /// Every start fails.
    #[serde(default)]
    pub fail_start: bool,
}

fn default_size() -> String {
    "Small".into()
}
fn default_state() -> String {
    "RUNNING".into()
}
fn default_true() -> bool {
    true
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WarehouseState {
    Starting,
    Running,
    Stopping,
    Stopped,
}

impl WarehouseState {
    fn as_str(self) -> &'static str {
        match self {
            Self::Starting => "STARTING",
            Self::Running => "RUNNING",
            Self::Stopping => "STOPPING",
            Self::Stopped => "STOPPED",
        }
    }
}

#[derive(Debug)]
struct Runtime {
    state: WarehouseState,
    /// When the current transition completes, and whether the start will fail.
    settles_at: Option<(Instant, bool)>,
    failed: bool,
}

/// Warehouse states, advanced on read.
#[derive(Debug)]
pub struct Warehouses {
    configs: Vec<WarehouseConfig>,
    runtime: Mutex<HashMap<String, Runtime>>,
    start_delay: Duration,
    stop_delay: Duration,
}

impl Warehouses {
    pub fn new(configs: Vec<WarehouseConfig>, start_delay: Duration, stop_delay: Duration) -> Self {
        let runtime = configs
            .iter()
            .map(|c| {
                let state = if c.state.eq_ignore_ascii_case("STOPPED") {
                    WarehouseState::Stopped
                } else {
                    WarehouseState::Running
                };
                (
                    c.id.clone(),
                    Runtime {
                        state,
                        settles_at: None,
                        failed: false,
                    },
                )
            })
            .collect();
        Self {
            configs,
            runtime: Mutex::new(runtime),
            start_delay,
            stop_delay,
        }
    }

    pub fn exists(&self, id: &str) -> bool {
        self.config(id).is_some()
    }

    fn config(&self, id: &str) -> Option<&WarehouseConfig> {
        self.configs.iter().find(|c| c.id == id)
    }

    /// The state now, after settling any transition that is due.
    pub fn state(&self, id: &str) -> Option<(WarehouseState, bool)> {
        let mut runtime = self.runtime.lock().unwrap_or_else(|p| p.into_inner());
        let entry = runtime.get_mut(id)?;
        if let Some((at, fails)) = entry.settles_at
            && Instant::now() >= at
        {
            entry.settles_at = None;
            entry.state = match (entry.state, fails) {
                (WarehouseState::Starting, false) => WarehouseState::Running,
                (WarehouseState::Starting, true) => {
                    entry.failed = true;
                    WarehouseState::Stopped
                }
                (WarehouseState::Stopping, _) => WarehouseState::Stopped,
                (other, _) => other,
            };
        }
        Some((entry.state, entry.failed))
    }

    /// Starts a stopped warehouse (idempotent for running or starting ones).
    pub fn start(&self, id: &str, fail: bool) {
        let _ = self.state(id);
        let fail = fail || self.config(id).is_some_and(|c| c.fail_start);
        let mut runtime = self.runtime.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(entry) = runtime.get_mut(id)
            && matches!(
                entry.state,
                WarehouseState::Stopped | WarehouseState::Stopping
            )
        {
            entry.state = WarehouseState::Starting;
            entry.failed = false;
            entry.settles_at = Some((Instant::now() + self.start_delay, fail));
        }
    }

    pub fn stop(&self, id: &str) {
        let _ = self.state(id);
        let mut runtime = self.runtime.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(entry) = runtime.get_mut(id)
            && matches!(
                entry.state,
                WarehouseState::Running | WarehouseState::Starting
            )
        {
            entry.state = WarehouseState::Stopping;
            entry.settles_at = Some((Instant::now() + self.stop_delay, false));
        }
    }

    /// The warehouse as `GET /api/2.0/sql/warehouses/{id}` shows it.
    pub fn describe(&self, id: &str, host: &str, creator: &str) -> Option<Value> {
        let config = self.config(id)?;
        let (state, failed) = self.state(id)?;
        let running = state == WarehouseState::Running;
        let mut value = json!({
            "id": config.id,
            "name": config.name,
            "state": state.as_str(),
            "cluster_size": config.cluster_size,
            "warehouse_type": "PRO",
            "enable_serverless_compute": config.serverless,
            "enable_photon": true,
            "auto_stop_mins": 10,
            "min_num_clusters": 1,
            "max_num_clusters": 1,
            "num_clusters": if running { 1 } else { 0 },
            "num_active_sessions": 0,
            "creator_name": creator,
            "spot_instance_policy": "COST_OPTIMIZED",
            "channel": { "name": "CHANNEL_NAME_CURRENT" },
            "odbc_params": {
                "hostname": host,
                "path": format!("/sql/1.0/warehouses/{}", config.id),
                "port": 443,
                "protocol": "https"
            },
            "jdbc_url": format!("jdbc:databricks://{host}:443/default;transportMode=http;ssl=1;httpPath=/sql/1.0/warehouses/{};", config.id),
            "tags": { "custom_tags": [] },
        });
        if failed {
            value["health"] = json!({
                "status": "FAILED",
                "summary": "The warehouse failed to start: cloud provider capacity is exhausted.",
                "failure_reason": { "code": "INSUFFICIENT_CAPACITY", "type": "CLOUD_FAILURE" }
            });
        }
        Some(value)
    }

    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.configs.iter().map(|c| c.id.as_str())
    }
}

fn host_of(shared: &Shared) -> String {
    shared
        .base_url
        .trim_start_matches("http://")
        .trim_start_matches("https://")
        .split(':')
        .next()
        .unwrap_or("127.0.0.1")
        .to_owned()
}

/// `403 PERMISSION_DENIED` for a warehouse the caller may not use, `404` for an unknown one.
pub fn check_access(shared: &Shared, caller: &Caller, id: &str) -> Result<(), ApiError> {
    if !shared.warehouses.exists(id) {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "RESOURCE_DOES_NOT_EXIST",
            format!("Warehouse {id} does not exist."),
        ));
    }
    if shared.config.is_denied(&caller.subject, id) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "PERMISSION_DENIED",
            format!(
                "User {} does not have CAN USE permission on warehouse {id}.",
                caller.subject.name()
            ),
        ));
    }
    Ok(())
}

/// Starts `id`, failing the start when a `warehouse_start_failure` fault is armed for it. Used
/// by the start route and by statements that start a stopped warehouse.
pub fn start_honouring_faults(shared: &Shared, id: &str) {
    let path = format!("/api/2.0/sql/warehouses/{id}/start");
    let fail = shared
        .faults
        .take("POST", &path, |f| *f == Fault::WarehouseStartFailure)
        .is_some();
    shared.warehouses.start(id, fail);
}

/// `GET /api/2.0/sql/warehouses`: only the warehouses the caller can use.
pub async fn list(State(shared): State<Shared>, Extension(caller): Extension<Caller>) -> Response {
    let host = host_of(&shared);
    let warehouses: Vec<Value> = shared
        .warehouses
        .ids()
        .filter(|id| !shared.config.is_denied(&caller.subject, id))
        .filter_map(|id| shared.warehouses.describe(id, &host, "alice@example.com"))
        .collect();
    json_ok(json!({ "warehouses": warehouses }))
}

/// `GET /api/2.0/sql/warehouses/{id}`
pub async fn get(
    State(shared): State<Shared>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    check_access(&shared, &caller, &id)?;
    Ok(json_ok(
        shared
            .warehouses
            .describe(&id, &host_of(&shared), "alice@example.com")
            .unwrap_or_default(),
    ))
}

/// `POST /api/2.0/sql/warehouses/{id}/start`
pub async fn start(
    State(shared): State<Shared>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    check_access(&shared, &caller, &id)?;
    start_honouring_faults(&shared, &id);
    Ok(json_ok(json!({})))
}

/// `POST /api/2.0/sql/warehouses/{id}/stop`
pub async fn stop(
    State(shared): State<Shared>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    check_access(&shared, &caller, &id)?;
    shared.warehouses.stop(&id);
    Ok(json_ok(json!({})))
}
