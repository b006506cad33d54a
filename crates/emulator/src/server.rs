//! The HTTP server: router, shared state, binding and the request log.

use crate::store::Store;
use crate::{Config, admin, auth, discovery, oauth, scim};
use axum::Router;
use axum::extract::Request;
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, post};
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use tokio::net::TcpListener;

/// State shared by every route.
#[derive(Debug)]
pub struct SharedState {
    pub config: Config,
    /// `http://127.0.0.1:<port>`, the origin clients use.
    pub base_url: String,
    pub store: Store,
}

pub type Shared = Arc<SharedState>;

/// Builds the router for an emulator reachable at `base_url`.
pub fn router(config: Config, base_url: String) -> Router {
    let store = Store::new(config.seed);
    let shared = Arc::new(SharedState {
        config,
        base_url,
        store,
    });
    // Everything under /api/2.0 needs a valid bearer token.
    let api = Router::new()
        .route("/api/2.0/preview/scim/v2/Me", get(scim::me))
        .route_layer(middleware::from_fn_with_state(
            shared.clone(),
            auth::require_bearer,
        ));
    let accounts = "/oidc/accounts/{account_id}";
    Router::new()
        .route(
            "/.well-known/databricks-config",
            get(discovery::databricks_config),
        )
        .route(
            "/oidc/.well-known/oauth-authorization-server",
            get(discovery::authorization_server),
        )
        .route(
            "/oidc/.well-known/openid-configuration",
            get(discovery::openid_configuration),
        )
        .route(
            "/oidc/v1/authorize",
            get(oauth::authorize).post(oauth::authorize_form),
        )
        .route("/oidc/v1/token", post(oauth::token))
        .route(
            &format!("{accounts}/.well-known/oauth-authorization-server"),
            get(discovery::account_authorization_server),
        )
        .route(
            &format!("{accounts}/v1/authorize"),
            get(oauth::account_authorize),
        )
        .route(&format!("{accounts}/v1/token"), post(oauth::account_token))
        .route("/__emulator/health", get(admin::health))
        .route(
            "/__emulator/tokens/expire-access",
            post(admin::expire_access_tokens),
        )
        .route(
            "/__emulator/tokens/revoke-refresh",
            post(admin::revoke_refresh_tokens),
        )
        .merge(api)
        .layer(middleware::from_fn(log_request))
        .with_state(shared)
}

/// Logs method, path and status. Never the query string or headers: they can carry codes,
/// tokens and secrets.
async fn log_request(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let response = next.run(request).await;
    tracing::info!(%method, %path, status = response.status().as_u16(), "request");
    response
}

/// A running emulator on a loopback port.
#[derive(Debug)]
pub struct Emulator {
    pub base_url: String,
    pub addr: SocketAddr,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl Emulator {
    /// Binds 127.0.0.1:`port` (0 = any free port) and serves in the background.
    pub async fn start(config: Config, port: u16) -> anyhow::Result<Self> {
        let listener = bind(port).await?;
        let addr = listener.local_addr()?;
        let base_url = format!("http://{addr}");
        let app = router(config, base_url.clone());
        let task = tokio::spawn(async move {
            if let Err(error) = axum::serve(listener, app).await {
                tracing::error!(%error, "emulator server stopped");
            }
        });
        Ok(Self {
            base_url,
            addr,
            task: Some(task),
        })
    }

    /// Serves until the task ends (the binary's main loop).
    pub async fn wait(mut self) -> anyhow::Result<()> {
        match self.task.take() {
            Some(task) => task
                .await
                .map_err(|e| anyhow::anyhow!("server task failed: {e}")),
            None => Ok(()),
        }
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        if let Some(task) = &self.task {
            task.abort();
        }
    }
}

async fn bind(port: u16) -> anyhow::Result<TcpListener> {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    TcpListener::bind(addr)
        .await
        .map_err(|error| match error.kind() {
            std::io::ErrorKind::AddrInUse => anyhow::anyhow!(
                "port {port} is already in use on 127.0.0.1. Stop the program using it, or pass \
             --port 0 to let the emulator pick a free port."
            ),
            std::io::ErrorKind::PermissionDenied => anyhow::anyhow!(
                "not allowed to listen on port {port}. Use a port above 1023, or --port 0."
            ),
            _ => anyhow::anyhow!("cannot listen on 127.0.0.1:{port}: {error}"),
        })
}
