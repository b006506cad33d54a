//! Unauthenticated discovery documents: host metadata and OAuth/OIDC server metadata.

use crate::config::HostMetadataMode;
use crate::errors::api_error;
use crate::server::Shared;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use serde_json::{Value, json};

/// `GET /.well-known/databricks-config`: the fields databricks-sdk-py's `HostMetadata` and
/// databricks-sdk-go's `config/host_metadata.go` read, or one of the failures the SDKs fall
/// back from (`host_metadata` in the config).
pub async fn databricks_config(State(shared): State<Shared>) -> Response {
    let config = &shared.config;
    let oidc_endpoint = match config.host_metadata {
        HostMetadataMode::Document => format!("{}/oidc", shared.base_url),
        HostMetadataMode::AccountPlaceholder => {
            format!("{}/oidc/accounts/{{account_id}}", shared.base_url)
        }
        HostMetadataMode::Missing => {
            return api_error(StatusCode::NOT_FOUND, "NOT_FOUND", "Not Found");
        }
        HostMetadataMode::Redirect => {
            let mut response = StatusCode::FOUND.into_response();
            response.headers_mut().insert(
                header::LOCATION,
                HeaderValue::from_static("/login.html?next_url=%2F.well-known%2Fdatabricks-config"),
            );
            return response;
        }
        HostMetadataMode::Unauthorized => {
            return api_error(StatusCode::UNAUTHORIZED, "UNAUTHENTICATED", "Unauthorized");
        }
        HostMetadataMode::Forbidden => {
            return api_error(StatusCode::FORBIDDEN, "PERMISSION_DENIED", "Forbidden");
        }
        HostMetadataMode::ServerError => {
            return api_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "INTERNAL_ERROR",
                "Internal error",
            );
        }
        HostMetadataMode::Html => {
            return Html("<!doctype html><title>Sign in</title><p>Sign in to continue.</p>")
                .into_response();
        }
    };
    if config.unified_host.is_some() {
        // A unified host names the account's issuer and no single workspace; the shape of
        // databricks-sdk-go's `config/auth_profiles_test.go` ("SPOGW") and the CLI's
        // `cmd/auth/login_test.go` (`host_type` is compared lower-cased, `normalizeHostType`).
        return Json(json!({
            "oidc_endpoint": format!("{}/oidc/accounts/{{account_id}}", shared.base_url),
            "account_id": config.account_id,
            "cloud": config.cloud,
            "host_type": "unified",
        }))
        .into_response();
    }
    Json(json!({
        "oidc_endpoint": oidc_endpoint,
        "workspace_id": config.workspace_id,
        "account_id": config.account_id,
        "cloud": config.cloud,
    }))
    .into_response()
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

/// `GET /oidc/accounts/{account_id}/.well-known/oauth-authorization-server`
pub async fn account_authorization_server(
    State(shared): State<Shared>,
    Path(account_id): Path<String>,
) -> Response {
    if account_id != shared.config.account_id {
        return crate::errors::api_error(
            StatusCode::NOT_FOUND,
            "RESOURCE_DOES_NOT_EXIST",
            "Unknown account.",
        );
    }
    let base = format!("{}/oidc/accounts/{account_id}", shared.base_url);
    let mut document = server_metadata(&shared.base_url);
    if let Value::Object(map) = &mut document {
        map.insert("issuer".into(), json!(base));
        map.insert(
            "authorization_endpoint".into(),
            json!(format!("{base}/v1/authorize")),
        );
        map.insert("token_endpoint".into(), json!(format!("{base}/v1/token")));
    }
    Json(document).into_response()
}
