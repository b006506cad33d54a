//! Unauthenticated discovery documents: host metadata and OAuth/OIDC server metadata.

use crate::server::Shared;
use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

/// `GET /.well-known/databricks-config`
pub async fn databricks_config(State(shared): State<Shared>) -> Json<Value> {
    let config = &shared.config;
    Json(json!({
        "oidc_endpoint": format!("{}/oidc", shared.base_url),
        "workspace_id": config.workspace_id,
        "account_id": config.account_id,
        "cloud": config.cloud,
    }))
}

/// `GET /oidc/.well-known/oauth-authorization-server` (RFC 8414)
pub async fn authorization_server(State(shared): State<Shared>) -> Json<Value> {
    Json(server_metadata(&shared.base_url))
}

/// `GET /oidc/.well-known/openid-configuration`
pub async fn openid_configuration(State(shared): State<Shared>) -> Json<Value> {
    let mut document = server_metadata(&shared.base_url);
    if let Value::Object(map) = &mut document {
        map.insert("subject_types_supported".into(), json!(["public"]));
        map.insert(
            "id_token_signing_alg_values_supported".into(),
            json!(["RS256"]),
        );
        map.insert(
            "userinfo_endpoint".into(),
            json!(format!("{}/oidc/v1/userinfo", shared.base_url)),
        );
    }
    Json(document)
}

fn server_metadata(base: &str) -> Value {
    json!({
        "issuer": format!("{base}/oidc"),
        "authorization_endpoint": format!("{base}/oidc/v1/authorize"),
        "token_endpoint": format!("{base}/oidc/v1/token"),
        "jwks_uri": format!("{base}/oidc/jwks.json"),
        "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials"],
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
        "scopes_supported": ["all-apis", "sql", "genie", "offline_access", "openid", "profile", "email"],
    })
}
