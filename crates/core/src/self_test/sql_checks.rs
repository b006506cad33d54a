//! The SQL side: the Statement Execution API answers, and a one-row result downloads from the
//! cloud storage that serves large results. A stopped warehouse is never started.

use super::checks::{NETWORK_FIX, host_name, timed};
use super::{CheckKind, CheckLine};
use crate::ErrorCode;
use crate::host::WorkspaceHost;
use crate::net;
use crate::profiles::Profile;
use crate::service::Workspaces;
use crate::sql::warehouses;
use serde_json::{Value, json};

/// Signed in, with the warehouses the SQL API listed.
pub(super) struct SqlAccess {
    api: crate::api::Api,
    warehouses: Vec<warehouses::Warehouse>,
}

/// The SQL API, and what the storage check needs when signed in.
pub(super) async fn sql_endpoint(
    service: &Workspaces,
    id: &str,
    host: &WorkspaceHost,
) -> (CheckLine, Option<SqlAccess>) {
    let kind = CheckKind::SqlEndpoint;
    match timed("The workspace", service.api(id)).await {
        Ok(api) => match timed("The SQL API", warehouses::list(&api)).await {
            Ok(list) => {
                let running = list.iter().filter(|w| w.state == "RUNNING").count();
                let line = CheckLine::pass(
                    kind,
                    format!(
                        "Answers: {} SQL warehouse(s) you can use, {running} running.",
                        list.len()
                    ),
                );
                (
                    line,
                    Some(SqlAccess {
                        api,
                        warehouses: list,
                    }),
                )
            }
            Err(error) if error.code == ErrorCode::NotSignedIn => {
                (unauthenticated_sql(service.http(), host).await, None)
            }
            Err(error) => {
                let fix = match error.code {
                    ErrorCode::PermissionDenied => {
                        "Ask your workspace admin for access to a SQL warehouse (Can use)."
                    }
                    _ => NETWORK_FIX,
                };
                (CheckLine::fail(kind, error.message, fix), None)
            }
        },
        Err(error) if error.code == ErrorCode::NotSignedIn => {
            (unauthenticated_sql(service.http(), host).await, None)
        }
        Err(error) => (CheckLine::fail(kind, error.message, NETWORK_FIX), None),
    }
}

/// Signed out, the SQL API still answers "401" — which proves it is reachable.
async fn unauthenticated_sql(http: &reqwest::Client, host: &WorkspaceHost) -> CheckLine {
    let kind = CheckKind::SqlEndpoint;
    let name = host_name(host);
    let request = http.get(host.join("/api/2.0/sql/warehouses")).send();
    let answer = timed("The SQL API", async {
        request
            .await
            .map_err(|error| net::transport_error(&error, &name))
    })
    .await;
    match answer {
        Ok(response) if response.status().is_server_error() => CheckLine::fail(
            kind,
            format!(
                "The SQL API answered with HTTP {}.",
                response.status().as_u16()
            ),
            "The workspace has a problem; try again later, or ask your workspace admin.",
        ),
        Ok(response) => CheckLine::pass(
            kind,
            format!(
                "Answers (HTTP {} until you sign in).",
                response.status().as_u16()
            ),
        ),
        Err(error) => CheckLine::fail(kind, error.message, NETWORK_FIX),
    }
}

pub(super) async fn result_storage(
    access: Option<SqlAccess>,
    profile: &Profile,
    proxies: &crate::proxy::resolver::Resolver,
) -> CheckLine {
    let kind = CheckKind::ResultStorage;
    let Some(SqlAccess { api, warehouses }) = access else {
        return CheckLine::skipped(
            kind,
            "Not checked: it needs a signed-in workspace whose SQL API answers.",
            "Sign in, then run the test again.",
        );
    };
    let running: Vec<String> = warehouses
        .into_iter()
        .filter(|w| w.state == "RUNNING")
        .map(|w| w.id)
        .collect();
    let warehouse = profile
        .default_warehouse_id
        .as_ref()
        .filter(|id| running.contains(id))
        .or(running.first());
    let Some(warehouse) = warehouse else {
        return CheckLine::skipped(
            kind,
            "Not checked: no SQL warehouse is running, and the test does not start one (that \
             costs money).",
            "Start a warehouse in the SQL runner, then run the test again.",
        );
    };
    let body = json!({
        "statement": "SELECT 1 AS brickdesk_self_test",
        "warehouse_id": warehouse,
        "disposition": "EXTERNAL_LINKS",
        "format": "ARROW_STREAM",
        "wait_timeout": "10s",
        "on_wait_timeout": "CANCEL",
    });
    let answer: Value = match timed(
        "The SQL warehouse",
        api.post("/api/2.0/sql/statements", &body),
    )
    .await
    {
        Ok(answer) => answer,
        Err(error) => return CheckLine::fail(kind, error.message, NETWORK_FIX),
    };
    let state = answer["status"]["state"].as_str().unwrap_or("UNKNOWN");
    if state == "FAILED" {
        let message = answer["status"]["error"]["message"]
            .as_str()
            .unwrap_or("no reason given");
        return CheckLine::fail(
            kind,
            format!("The one-row test query failed: {message}"),
            "Ask your workspace admin about the warehouse and your access to it.",
        );
    }
    if state != "SUCCEEDED" {
        return CheckLine::skipped(
            kind,
            format!("Not checked: the test query ended {state}."),
            "Run the test again when the warehouse is idle.",
        );
    }
    let link = &answer["result"]["external_links"][0];
    let Some(Ok(url)) = link["external_link"].as_str().map(url::Url::parse) else {
        return CheckLine::new(
            kind,
            super::Outcome::Skipped,
            "Not checked: the workspace sent the result inline, without a storage link.",
        );
    };
    let storage = url.host_str().unwrap_or_default().to_owned();
    if !crate::sql::fetch::link_allowed(url.as_str(), api.host().is_loopback()) {
        return CheckLine::fail(
            kind,
            format!("The workspace sent a result link to {storage} that is not https."),
            "Ask your Databricks admin or IT why results are not served over https; Brickdesk \
             does not download them otherwise.",
        );
    }
    let line = download(api.http(), &url, link, &storage).await;
    if url.scheme() != "https" {
        return line;
    }
    // The way the download went (the route is the one the relay just used, from its cache),
    // with the proxy's sign-in, which only a tunnel of its own can tell.
    let port = url.port_or_known_default().unwrap_or(443);
    let route = tokio::time::timeout(
        super::checks::STEP_TIMEOUT,
        crate::proxy::relay::reach(proxies, &storage, port),
    )
    .await;
    match route {
        Ok((_, reached)) => {
            let mut line = line;
            line.detail = format!(
                "{} {}",
                line.detail,
                super::connection::describe_route(&storage, &reached)
            );
            if line.outcome == super::Outcome::Pass
                && let Some(fix) = super::connection::route_fix(&reached)
            {
                line.outcome = super::Outcome::Fail;
                line.fix = Some(fix);
            }
            line
        }
        Err(_) => line,
    }
}

/// Downloads one result link as the SQL runner does: no `Authorization` header, only the
/// headers the link comes with.
async fn download(
    http: &reqwest::Client,
    url: &url::Url,
    link: &Value,
    storage: &str,
) -> CheckLine {
    let kind = CheckKind::ResultStorage;
    let mut request = http.get(url.clone());
    if let Some(headers) = link["http_headers"].as_object() {
        for (name, value) in headers {
            if let Some(value) = value.as_str() {
                request = request.header(name.as_str(), value);
            }
        }
    }
    let fetched = timed("The result storage", async {
        let response = request
            .send()
            .await
            .map_err(|error| net::transport_error(&error, storage))?;
        let status = response.status();
        let announced = link["byte_count"].as_u64();
        crate::http_body::read(response, crate::http_body::chunk_limit(announced))
            .await
            .map_err(|error| match error {
                crate::http_body::BodyError::Transport(error) => {
                    net::transport_error(&error, storage)
                }
                crate::http_body::BodyError::TooLarge { limit } => {
                    crate::http_body::too_large(storage, limit)
                }
            })?;
        Ok(status)
    })
    .await;
    let fix = format!(
        "Ask IT to allow {storage} (the workspace's cloud storage) through the firewall and \
         proxy. Until then, Brickdesk fetches large results in a slower way."
    );
    match fetched {
        Ok(status) if status.is_success() => {
            CheckLine::pass(kind, format!("Results download from {storage}."))
        }
        Ok(status) => CheckLine::fail(
            kind,
            format!("{storage} refused the download (HTTP {}).", status.as_u16()),
            fix,
        ),
        Err(error) => CheckLine::fail(
            kind,
            format!("A test result could not be downloaded. {}", error.message),
            fix,
        ),
    }
}
