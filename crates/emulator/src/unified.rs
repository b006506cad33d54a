//! A unified host: one host (an account's custom URL) serving several workspaces, each call
//! routed by the `X-Databricks-Workspace-Id` header (databricks-sdk-go PR #1688/#1699; the
//! legacy `X-Databricks-Org-Id` is still accepted, `internal/unified_host_test.go`).
//!
//! Each workspace has its own warehouses, statements and Genie; users, app connections and
//! tokens are the account's (sign-in runs against `/oidc/accounts/{account_id}`). A call that
//! names no workspace, or one the host does not serve, is answered as `config.unrouted` says
//! (sources in `docs/api-fidelity.md`).

use crate::config::{UnifiedHost, UnifiedWorkspace, Unrouted};
use crate::errors::numeric_api_error;
use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use std::collections::HashMap;
use std::sync::Arc;
use tower::ServiceExt as _;

/// The header a workspace call carries on a unified host, and the one it replaced.
pub const WORKSPACE_HEADER: &str = "x-databricks-workspace-id";
const LEGACY_HEADER: &str = "x-databricks-org-id";

struct Workspaces {
    routes: HashMap<String, Router>,
    unrouted: Unrouted,
}

/// Every `/api/` call, handed to the router of the workspace its header names.
pub fn routes(unified: &UnifiedHost, mut api: impl FnMut(&UnifiedWorkspace) -> Router) -> Router {
    let workspaces = Arc::new(Workspaces {
        routes: unified
            .workspaces
            .iter()
            .map(|w| (w.workspace_id.clone(), api(w)))
            .collect(),
        unrouted: unified.unrouted,
    });
    // A fallback, not a `/api/{*rest}` route: a route's captured path would stay in the
    // request and confuse the workspace router's own `Path` extractors.
    Router::new().fallback(dispatch).with_state(workspaces)
}

/// The workspace a request names, if any.
pub fn named_workspace(headers: &axum::http::HeaderMap) -> Option<&str> {
    headers
        .get(WORKSPACE_HEADER)
        .or_else(|| headers.get(LEGACY_HEADER))
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

async fn dispatch(State(workspaces): State<Arc<Workspaces>>, request: Request) -> Response {
    if !request.uri().path().starts_with("/api/") {
        return StatusCode::NOT_FOUND.into_response();
    }
    let route = named_workspace(request.headers()).and_then(|id| workspaces.routes.get(id));
    match route {
        Some(router) => match router.clone().oneshot(request).await {
            Ok(response) => response,
            Err(never) => match never {},
        },
        None => unrouted(workspaces.unrouted, request.uri().path()),
    }
}

fn unrouted(mode: Unrouted, path: &str) -> Response {
    match mode {
        Unrouted::LoginPage => {
            let next: String = url::form_urlencoded::byte_serialize(path.as_bytes()).collect();
            let mut response = StatusCode::FOUND.into_response();
            if let Ok(location) = HeaderValue::from_str(&format!("/login.html?next_url={next}")) {
                response.headers_mut().insert(header::LOCATION, location);
            }
            response
        }
        Unrouted::CredentialNotSent => {
            // The body and header as databricks-jdbc's recordings show a 401
            // (`{"error_code":401,…}`, `www-authenticate: Bearer realm="DatabricksRealm"`).
            let mut response = numeric_api_error(
                StatusCode::UNAUTHORIZED,
                "Credential was not sent or was of an unsupported type for this API.",
            );
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"DatabricksRealm\""),
            );
            response
        }
    }
}

/// `GET /login.html`: the page a browser (or a client that follows redirects) lands on.
pub async fn login_page() -> Html<&'static str> {
    Html(
        "<!doctype html><html><head><title>Databricks - Sign In</title></head>\
         <body><p>Sign in to continue to Databricks.</p></body></html>",
    )
}
