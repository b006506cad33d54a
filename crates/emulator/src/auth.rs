//! The bearer-token gate in front of every `/api/2.0/*` route.
//!
//! Missing credentials are a 401; an unknown or expired token is a 401 or a 403
//! "Invalid access token." depending on `invalid_token_status`, because real workspaces do
//! both; a token without the scope a route needs is a 403 naming it. The caller's identity is
//! passed to the routes as a request extension.

use crate::errors::{api_error, numeric_api_error};
use crate::server::Shared;
use crate::store::Subject;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;

/// The authenticated caller of an API route.
#[derive(Debug, Clone)]
pub struct Caller {
    pub subject: Subject,
}

/// The scopes that let a token call `path` besides `all-apis`, as the API reference labels
/// each service ("API scopes: sql" for warehouses and statements, "genie" for Genie,
/// "unity-catalog" for catalogs and schemas; SCIM Me takes "any scoped token"). A refusal
/// reads `{"error_code":403,"message":"Provided OAuth token does not have required scopes:
/// genie"}`, as quoted from real workspaces.
fn required_scope(path: &str) -> Option<&'static [&'static str]> {
    if path.starts_with("/api/2.0/sql/") {
        Some(&["sql"])
    } else if path.starts_with("/api/2.0/genie/") {
        Some(&["genie", "dashboards.genie"])
    } else if path.starts_with("/api/2.1/unity-catalog/") {
        Some(&["unity-catalog"])
    } else {
        None
    }
}

pub async fn require_bearer(
    State(shared): State<Shared>,
    mut request: Request,
    next: Next,
) -> Response {
    let token = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|token| !token.is_empty());
    let Some(token) = token else {
        return numeric_api_error(
            StatusCode::UNAUTHORIZED,
            "Credential was not sent or was of an unsupported type for this API.",
        );
    };
    match shared.store.access(token) {
        Ok(grant) => {
            if let Some(required) = required_scope(request.uri().path())
                && !grant
                    .scope
                    .split_whitespace()
                    .any(|s| s == "all-apis" || required.contains(&s))
            {
                return numeric_api_error(
                    StatusCode::FORBIDDEN,
                    &format!(
                        "Provided OAuth token does not have required scopes: {}",
                        required[0]
                    ),
                );
            }
            request.extensions_mut().insert(Caller {
                subject: grant.subject,
            });
            next.run(request).await
        }
        Err(_) if shared.config.invalid_token_status == 401 => api_error(
            StatusCode::UNAUTHORIZED,
            "UNAUTHENTICATED",
            "Invalid access token.",
        ),
        Err(_) => numeric_api_error(StatusCode::FORBIDDEN, "Invalid access token."),
    }
}
