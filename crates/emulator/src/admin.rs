//! Emulator-only controls under `/__emulator/`, for tests: expire access tokens, revoke
//! refresh tokens. Not part of the Databricks API.

use crate::errors::json_ok;
use crate::server::Shared;
use axum::extract::State;
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
