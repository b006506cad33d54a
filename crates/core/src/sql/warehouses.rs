//! SQL warehouses: the ones the user can use, and starting a stopped one with progress.

use crate::api::Api;
use crate::api_path::segment;
use crate::{ErrorCode, ErrorInfo};
use serde::{Deserialize, Serialize};
use std::time::{Duration, Instant};

/// A warehouse as the picker shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct Warehouse {
    pub id: String,
    pub name: String,
    /// `RUNNING`, `STOPPED`, `STARTING`, `STOPPING`, `DELETING`, `DELETED` (open: shown as is).
    pub state: String,
    /// `2X-Small` … `5X-Large`.
    pub size: Option<String>,
    pub serverless: bool,
    /// What the workspace says when it is unhealthy.
    pub health: Option<String>,
}

#[derive(Deserialize)]
struct WireHealth {
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    summary: Option<String>,
}

#[derive(Deserialize)]
struct WireWarehouse {
    id: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    state: Option<String>,
    #[serde(default)]
    cluster_size: Option<String>,
    #[serde(default)]
    enable_serverless_compute: bool,
    #[serde(default)]
    health: Option<WireHealth>,
}

impl From<WireWarehouse> for Warehouse {
    fn from(w: WireWarehouse) -> Self {
        let health = w.health.and_then(|h| match h.status.as_deref() {
            Some("DEGRADED" | "FAILED") => h.summary.or(h.status),
            _ => None,
        });
        Self {
            name: if w.name.is_empty() {
                w.id.clone()
            } else {
                w.name
            },
            id: w.id,
            state: w.state.unwrap_or_else(|| "UNKNOWN".into()),
            size: w.cluster_size,
            serverless: w.enable_serverless_compute,
            health,
        }
    }
}

#[derive(Deserialize)]
struct Page {
    #[serde(default)]
    warehouses: Vec<WireWarehouse>,
    #[serde(default)]
    next_page_token: Option<String>,
}

/// Every warehouse the user can use (all pages), running ones first, then by name.
pub async fn list(api: &Api) -> Result<Vec<Warehouse>, ErrorInfo> {
    let mut all = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let path = match &token {
            Some(t) => format!("/api/2.0/sql/warehouses?page_token={}", urlencode(t)),
            None => "/api/2.0/sql/warehouses".to_owned(),
        };
        let page: Page = api.get(&path).await?;
        all.extend(page.warehouses.into_iter().map(Warehouse::from));
        match page.next_page_token.filter(|t| !t.is_empty()) {
            Some(next) if Some(&next) != token.as_ref() => token = Some(next),
            _ => break,
        }
    }
    all.sort_by(|a, b| {
        (a.state != "RUNNING", a.name.to_lowercase())
            .cmp(&(b.state != "RUNNING", b.name.to_lowercase()))
    });
    Ok(all)
}

fn urlencode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

/// A permission denial on warehouse `id`, explained: what is missing and what to do, with the
/// workspace's own words kept.
pub fn explain_denied(error: ErrorInfo, id: &str) -> ErrorInfo {
    if error.code != ErrorCode::PermissionDenied {
        return error;
    }
    ErrorInfo::new(
        ErrorCode::PermissionDenied,
        format!(
            "You are not allowed to use the warehouse {id}. Pick another warehouse, or ask a \
             workspace admin to give you the \"Can use\" permission on this one (Databricks \
             said: {})",
            error.message.trim_end_matches('.')
        ) + ".",
    )
}

pub async fn get(api: &Api, id: &str) -> Result<Warehouse, ErrorInfo> {
    let wire: WireWarehouse = api
        .get(&format!("/api/2.0/sql/warehouses/{}", segment(id)))
        .await?;
    Ok(wire.into())
}

/// Starts `id` and waits until it runs, reporting each state seen; gives up after `timeout`.
pub async fn start(
    api: &Api,
    id: &str,
    timeout: Duration,
    progress: impl Fn(&Warehouse),
) -> Result<Warehouse, ErrorInfo> {
    let _: serde_json::Value = api
        .post(
            &format!("/api/2.0/sql/warehouses/{}/start", segment(id)),
            &serde_json::json!({}),
        )
        .await
        .map_err(|e| explain_denied(e, id))?;
    let started = Instant::now();
    let mut delay = Duration::from_millis(250);
    loop {
        let warehouse = get(api, id).await?;
        progress(&warehouse);
        match warehouse.state.as_str() {
            "RUNNING" => return Ok(warehouse),
            "DELETED" | "DELETING" => {
                return Err(ErrorInfo::new(
                    ErrorCode::NotFound,
                    format!("The warehouse {} has been deleted.", warehouse.name),
                ));
            }
            // Seen after STARTING: the start failed.
            "STOPPED" if started.elapsed() > Duration::from_secs(2) => {
                return Err(ErrorInfo::new(
                    ErrorCode::Server,
                    format!(
                        "The warehouse {} could not start{}. Try again, or ask its owner.",
                        warehouse.name,
                        warehouse
                            .health
                            .as_deref()
                            .map(|h| format!(" ({h})"))
                            .unwrap_or_default()
                    ),
                ));
            }
            _ => {}
        }
        if started.elapsed() > timeout {
            return Err(ErrorInfo::new(
                ErrorCode::Server,
                format!(
                    "The warehouse {} did not start within {} minutes.",
                    warehouse.name,
                    timeout.as_secs() / 60
                ),
            ));
        }
        tokio::time::sleep(delay).await;
        delay = (delay * 2).min(Duration::from_secs(5));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_denial_says_what_to_do_and_keeps_the_workspace_words() {
        let denied = ErrorInfo::new(
            ErrorCode::PermissionDenied,
            "User bob does not have CAN_USE on warehouse w1.",
        );
        let explained = explain_denied(denied, "w1");
        assert_eq!(explained.code, ErrorCode::PermissionDenied);
        assert!(
            explained.message.contains("Pick another warehouse"),
            "{}",
            explained.message
        );
        assert!(explained.message.contains("\"Can use\""));
        assert!(
            explained
                .message
                .ends_with("does not have CAN_USE on warehouse w1).")
        );
        let other = ErrorInfo::new(ErrorCode::Server, "boom");
        assert_eq!(
            explain_denied(other.clone(), "w1"),
            other,
            "other errors pass through"
        );
    }
}
