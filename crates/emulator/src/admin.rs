//! Emulator-only controls under `/__emulator/`, for tests: expire access tokens, revoke
//! refresh tokens, expire Genie results, inject faults, read the request log, list issued
//! secrets (for leak tests). Not part of the
//! Databricks API.

use crate::errors::{api_error, json_ok};
use crate::faults::FaultRule;
use crate::server::Shared;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::json;

pub async fn health() -> Response {
    json_ok(json!({ "status": "ok" }))
}

/// Every access token issued so far is expired from now on.
pub async fn expire_access_tokens(State(shared): State<Shared>) -> Response {
    json_ok(json!({ "expired": shared.store.expire_all_access() }))
}

/// Every refresh token is revoked (as when an app connection is removed).
pub async fn revoke_refresh_tokens(State(shared): State<Shared>) -> Response {
    json_ok(json!({ "revoked": shared.store.revoke_all_refresh() }))
}

/// Every code and token issued so far, and the configured client secrets: what a leak test
/// searches the client's logs, files and UI for. Test-only, like everything under `/__emulator/`.
pub async fn issued_secrets(State(shared): State<Shared>) -> Response {
    let mut secrets = shared.store.issued();
    secrets.extend(
        shared
            .config
            .clients
            .iter()
            .filter_map(|client| client.secret.clone()),
    );
    secrets.extend(
        shared
            .config
            .service_principals
            .iter()
            .map(|principal| principal.secret.clone()),
    );
    json_ok(json!({ "secrets": secrets }))
}

/// Every answered Genie query's result expires now: messages become `QUERY_RESULT_EXPIRED`
/// and query-result fails until execute-query runs them again.
pub async fn expire_genie_results(State(shared): State<Shared>) -> Response {
    json_ok(json!({ "expired": crate::genie::expire_all(&shared) }))
}

/// `GET /__emulator/statements`: every statement run (by clients or by Genie), so a test can
/// check the statement id a client shows against the one that ran.
pub async fn statements(State(shared): State<Shared>) -> Response {
    let list: Vec<_> = shared
        .statements
        .list()
        .into_iter()
        .map(|(id, statement, state)| json!({"statement_id": id, "statement": statement, "state": state}))
        .collect();
    json_ok(json!({ "statements": list }))
}

/// `GET /__emulator/faults`: the live rules.
pub async fn list_faults(State(shared): State<Shared>) -> Response {
    json_ok(json!({ "faults": shared.faults.list() }))
}

/// `POST /__emulator/faults`: one rule, or a list of rules.
pub async fn add_faults(State(shared): State<Shared>, body: axum::body::Bytes) -> Response {
    #[derive(serde::Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(FaultRule),
        Many(Vec<FaultRule>),
    }
    match serde_json::from_slice::<OneOrMany>(&body) {
        Ok(OneOrMany::One(rule)) => shared.faults.add(rule),
        Ok(OneOrMany::Many(rules)) => rules.into_iter().for_each(|rule| shared.faults.add(rule)),
        Err(error) => {
            return api_error(
                StatusCode::BAD_REQUEST,
                "INVALID_PARAMETER_VALUE",
                &format!("Not a fault rule: {error}"),
            );
        }
    }
    json_ok(json!({ "faults": shared.faults.list() }))
}

/// `DELETE /__emulator/faults`
pub async fn clear_faults(State(shared): State<Shared>) -> Response {
    shared.faults.clear();
    json_ok(json!({}))
}

#[derive(serde::Deserialize)]
pub struct RequestsQuery {
    #[serde(default)]
    path_prefix: String,
}

/// `GET /__emulator/requests?path_prefix=/api/`: the request log, oldest first.
pub async fn requests(
    State(shared): State<Shared>,
    Query(query): Query<RequestsQuery>,
) -> Response {
    json_ok(json!({ "requests": shared.log.query(&query.path_prefix) }))
}

/// `DELETE /__emulator/requests`
pub async fn clear_requests(State(shared): State<Shared>) -> Response {
    shared.log.clear();
    json_ok(json!({}))
}
