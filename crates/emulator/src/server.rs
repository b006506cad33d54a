//! The HTTP server: router, shared state, binding, and the middleware that logs every request
//! and applies injected transport faults.

use crate::catalogs;
use crate::errors::{ApiError, api_error, numeric_api_error};
use crate::faults::{Fault, Faults};
use crate::files::Links;
use crate::genie::Genie;
use crate::request_log::RequestLog;
use crate::sql::engine::Engine;
use crate::sql::statements::{Limits, Statements};
use crate::store::Store;
use crate::tls::{TestCa, TlsListener};
use crate::warehouses::Warehouses;
use crate::{
    Config, admin, auth, authorize, discovery, files, genie, scim, sql, token, warehouses,
};
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::serve::Listener;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::net::TcpListener;

/// State shared by every route.
#[derive(Debug)]
pub struct SharedState {
    pub config: Config,
    /// `http://127.0.0.1:<port>` (or `https://`), the origin clients use.
    pub base_url: String,
    /// The account's sign-ins, shared by every workspace of a unified host.
    pub store: Arc<Store>,
    pub faults: Arc<Faults>,
    pub log: Arc<RequestLog>,
    pub warehouses: Arc<Warehouses>,
    pub engine: Arc<Engine>,
    pub statements: Arc<Statements>,
    /// Result downloads, served at one `/__files/` route for every workspace.
    pub links: Arc<Links>,
    pub genie: Genie,
}

pub type Shared = Arc<SharedState>;

/// What every workspace of a host shares: the account's sign-ins, faults, the request log and
/// the download links.
#[derive(Clone)]
struct Account {
    store: Arc<Store>,
    faults: Arc<Faults>,
    log: Arc<RequestLog>,
    links: Arc<Links>,
}

/// One workspace's state.
fn workspace_state(config: Config, base_url: String, account: &Account) -> Shared {
    let timings = &config.timings;
    let warehouses = Warehouses::new(
        config.warehouses.clone(),
        Duration::from_millis(timings.warehouse_start_ms),
        Duration::from_millis(timings.warehouse_stop_ms),
    );
    let statements = Statements::new(Limits {
        chunk_rows: timings.chunk_rows,
        result_ttl: Duration::from_secs(timings.result_ttl_secs),
        min_run: Duration::from_millis(timings.statement_ms),
        memory_bytes: config.result_memory_mib.saturating_mul(1024 * 1024),
    });
    Arc::new(SharedState {
        store: account.store.clone(),
        faults: account.faults.clone(),
        log: account.log.clone(),
        warehouses: Arc::new(warehouses),
        engine: Arc::new(Engine::new(config.seed, &config.session_time_zone)),
        statements: Arc::new(statements),
        links: account.links.clone(),
        genie: Genie::new(config.genie.questions_per_minute),
        config,
        base_url,
    })
}

/// A workspace's API: everything under `/api/` needs a valid bearer token.
fn workspace_api(shared: Shared) -> Router {
    Router::new()
        .route("/api/2.0/preview/scim/v2/Me", get(scim::me))
        .route("/api/2.0/sql/warehouses", get(warehouses::list))
        .route("/api/2.0/sql/warehouses/{id}", get(warehouses::get))
        .route(
            "/api/2.0/sql/warehouses/{id}/start",
            post(warehouses::start),
        )
        .route("/api/2.0/sql/warehouses/{id}/stop", post(warehouses::stop))
        .route(
            "/api/2.1/unity-catalog/catalogs",
            get(catalogs::list_catalogs),
        )
        .route(
            "/api/2.1/unity-catalog/schemas",
            get(catalogs::list_schemas),
        )
        .route("/api/2.1/unity-catalog/tables", get(catalogs::list_tables))
        .route(
            "/api/2.1/unity-catalog/tables/{full_name}",
            get(catalogs::get_table),
        )
        .route("/api/2.0/sql/statements", post(sql::execute))
        .route("/api/2.0/sql/statements/{id}", get(sql::get))
        .route(
            "/api/2.0/sql/statements/{id}/result/chunks/{index}",
            get(sql::chunk),
        )
        .route("/api/2.0/sql/statements/{id}/cancel", post(sql::cancel))
        .merge(genie::routes())
        .route_layer(middleware::from_fn_with_state(
            shared.clone(),
            auth::require_bearer,
        ))
        .with_state(shared)
}

/// Builds the router for an emulator reachable at `base_url`.
pub fn router(config: Config, base_url: String) -> Router {
    let account = Account {
        store: Arc::new(Store::new(config.seed)),
        faults: Arc::new(Faults::new(&config.faults)),
        log: Arc::new(RequestLog::default()),
        links: Arc::new(Links::new(
            Duration::from_secs(config.timings.external_link_secs),
            config.timings.storage_link_mbit,
        )),
    };
    let shared = workspace_state(config.clone(), base_url.clone(), &account);
    let api = match &config.unified_host {
        None => workspace_api(shared.clone()),
        Some(unified) => crate::unified::routes(unified, |workspace| {
            let mut own = config.clone();
            own.workspace_id.clone_from(&workspace.workspace_id);
            if let Some(warehouses) = &workspace.warehouses {
                own.warehouses.clone_from(warehouses);
            }
            if let Some(spaces) = &workspace.spaces {
                own.spaces.clone_from(spaces);
            }
            workspace_api(workspace_state(own, base_url.clone(), &account))
        }),
    };
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
            get(authorize::authorize).post(authorize::authorize_form),
        )
        .route("/oidc/v1/token", post(token::token))
        .route(
            &format!("{accounts}/.well-known/oauth-authorization-server"),
            get(discovery::account_authorization_server),
        )
        .route(
            &format!("{accounts}/v1/authorize"),
            get(authorize::account_authorize),
        )
        .route(&format!("{accounts}/v1/token"), post(token::account_token))
        .route("/__files/{token}", get(files::download))
        .route("/__emulator/health", get(admin::health))
        .route("/login.html", get(crate::unified::login_page))
        .route(
            "/__emulator/tokens/expire-access",
            post(admin::expire_access_tokens),
        )
        .route(
            "/__emulator/tokens/revoke-refresh",
            post(admin::revoke_refresh_tokens),
        )
        .route(
            "/__emulator/faults",
            get(admin::list_faults)
                .post(admin::add_faults)
                .delete(admin::clear_faults),
        )
        .route("/__emulator/secrets/issued", get(admin::issued_secrets))
        .route("/__emulator/statements", get(admin::statements))
        .route(
            "/__emulator/genie/expire-results",
            post(admin::expire_genie_results),
        )
        .route(
            "/__emulator/requests",
            get(admin::requests).delete(admin::clear_requests),
        )
        .with_state(shared.clone())
        .merge(api)
        .layer(middleware::from_fn_with_state(shared, observe))
}

/// Logs the request (method, path, status, duration; never the query or headers) and applies
/// any transport fault whose rule matches. `/__emulator/` routes are never faulted.
async fn observe(State(shared): State<Shared>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().as_str().to_owned();
    let path = request.uri().path().to_owned();
    let workspace = crate::unified::named_workspace(request.headers()).map(str::to_owned);
    let fault = if path.starts_with("/__emulator/") {
        None
    } else {
        shared.faults.take(&method, &path, Fault::is_transport)
    };
    let response = match &fault {
        None => next.run(request).await,
        Some(Fault::Latency { ms }) => {
            tokio::time::sleep(Duration::from_millis(*ms)).await;
            next.run(request).await
        }
        Some(Fault::Status {
            status,
            retry_after_secs,
        }) => status_fault(*status, *retry_after_secs),
        Some(Fault::ExpiredToken { status: 401 }) => api_error(
            StatusCode::UNAUTHORIZED,
            "UNAUTHENTICATED",
            "Invalid access token.",
        ),
        Some(Fault::ExpiredToken { .. }) => {
            numeric_api_error(StatusCode::FORBIDDEN, "Invalid access token.")
        }
        Some(Fault::DropConnection { after_bytes }) => {
            truncate_body(next.run(request).await, *after_bytes).await
        }
        Some(_) => next.run(request).await,
    };
    let status = response.status().as_u16();
    let millis = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    let fault_name = fault.as_ref().map(Fault::name);
    tracing::info!(%method, %path, status, millis, fault = fault_name.unwrap_or("-"), "request");
    // The log is for what clients did; the tests' own control requests stay out of it.
    if !path.starts_with("/__emulator/") {
        shared
            .log
            .record(method, path, status, millis, fault_name, workspace);
    }
    response
}

fn status_fault(status: u16, retry_after_secs: Option<u64>) -> Response {
    let code = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let (error_code, message) = match status {
        429 => (
            "REQUEST_LIMIT_EXCEEDED",
            "Too many requests. Please try again later.",
        ),
        503 => (
            "TEMPORARILY_UNAVAILABLE",
            "The service is temporarily unavailable. Please try again later.",
        ),
        500 => ("INTERNAL_ERROR", "Internal error."),
        _ => ("UNKNOWN", "Injected failure."),
    };
    let error = ApiError::new(code, error_code, message);
    match retry_after_secs {
        Some(secs) => error.retry_after(secs).into_response(),
        None => error.into_response(),
    }
}

/// Sends the real status and headers (with the full `Content-Length`) and the first
/// `after_bytes` of the body, then fails the body so the connection is cut mid-transfer.
async fn truncate_body(response: Response, after_bytes: usize) -> Response {
    let (mut parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    let keep = after_bytes.min(bytes.len().saturating_sub(1));
    if let Ok(length) = HeaderValue::from_str(&bytes.len().to_string()) {
        parts.headers.insert(header::CONTENT_LENGTH, length);
    }
    // The partial body goes out first; the error that cuts the connection comes a moment
    // later, so the client really receives headers and a truncated body.
    let head = bytes.slice(..keep);
    let chunks = futures_util::stream::unfold(0u8, move |step| {
        let head = head.clone();
        async move {
            match step {
                0 => Some((Ok::<Bytes, std::io::Error>(head), 1)),
                1 => {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    let cut = std::io::Error::new(
                        std::io::ErrorKind::ConnectionReset,
                        "injected connection drop",
                    );
                    Some((Err(cut), 2))
                }
                _ => None,
            }
        }
    });
    Response::from_parts(parts, Body::from_stream(chunks))
}

/// A running emulator on a loopback port.
#[derive(Debug)]
pub struct Emulator {
    pub base_url: String,
    pub addr: SocketAddr,
    /// In HTTPS mode, the PEM of the test CA that signed the server's certificate.
    pub ca_pem: Option<String>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl Emulator {
    /// Binds 127.0.0.1:`port` (0 = any free port) and serves plain HTTP in the background.
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
            ca_pem: None,
            task: Some(task),
        })
    }

    /// Like [`Emulator::start`], but serves HTTPS with a certificate from a fresh test CA
    /// (see `ca_pem`). Nothing trusts it unless told to.
    pub async fn start_tls(config: Config, port: u16) -> anyhow::Result<Self> {
        let ca = TestCa::generate()?;
        let listener = TlsListener::new(bind(port).await?, &ca)?;
        let addr = Listener::local_addr(&listener)?;
        let base_url = format!("https://{addr}");
        let app = router(config, base_url.clone());
        // `serve` never returns an error for a custom listener; it ends when aborted.
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(Self {
            base_url,
            addr,
            ca_pem: Some(ca.ca_pem),
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
            std::io::ErrorKind::PermissionDenied => {
                anyhow::anyhow!(
                    "not allowed to listen on port {port}. Use a port above 1023, or --port 0."
                )
            }
            _ => anyhow::anyhow!("cannot listen on 127.0.0.1:{port}: {error}"),
        })
}
