//! The checks themselves, in the order a connection needs them: the proxy, the certificate,
//! sign-in discovery, the SQL API, result storage, then the local keychain and link handler.

use super::chain::{self, Chain, Recording};
use super::{CheckKind, CheckLine, LinkRegistration};
use crate::auth::discovery;
use crate::host::WorkspaceHost;
use crate::net::{self, NetworkSettings};
use crate::profiles::{Profile, RedirectMode};
use crate::service::Workspaces;
use crate::sql::warehouses;
use crate::{ErrorCode, ErrorInfo};
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;

/// No single check may hang the test.
const STEP_TIMEOUT: Duration = Duration::from_secs(20);

const NETWORK_FIX: &str = "Check the workspace URL, and that this computer can reach it: VPN, \
                           firewall and proxy. Your IT department can allow the host.";

async fn timed<T>(
    what: &str,
    step: impl std::future::Future<Output = Result<T, ErrorInfo>>,
) -> Result<T, ErrorInfo> {
    tokio::time::timeout(STEP_TIMEOUT, step)
        .await
        .unwrap_or_else(|_| {
            Err(ErrorInfo::new(
                ErrorCode::Network,
                format!(
                    "{what} did not answer within {} seconds.",
                    STEP_TIMEOUT.as_secs()
                ),
            ))
        })
}

pub(super) async fn all(
    service: &Workspaces,
    profile: &Profile,
    links: LinkRegistration,
    on_line: &impl Fn(&CheckLine),
) -> Vec<CheckLine> {
    let mut lines = Vec::new();
    let mut push = |line: CheckLine| {
        on_line(&line);
        lines.push(line);
    };
    let (settings, settings_error) = match service.policy().network() {
        Ok(settings) => (settings, None),
        Err(error) => (NetworkSettings::default(), Some(error)),
    };
    match profile.workspace_host() {
        Ok(host) => {
            push(proxy(&settings, &host).await);
            push(secure_connection(&settings, settings_error, &host).await);
            push(sign_in_discovery(&settings, &host).await);
            let (sql, usable) = sql_endpoint(service, &profile.id, &settings, &host).await;
            push(sql);
            push(result_storage(usable, profile, &settings).await);
        }
        Err(error) => push(CheckLine::fail(
            CheckKind::SignInDiscovery,
            error.message,
            "Correct the workspace URL in the workspace's settings.",
        )),
    }
    push(keychain(service));
    push(link_scheme(links, &profile.redirect));
    lines
}

/// The proxy in effect for `host`: the policy's, else `HTTPS_PROXY`/`ALL_PROXY`.
fn effective_proxy(settings: &NetworkSettings, host: &str) -> Option<url::Url> {
    let env = |names: &[&str]| {
        names
            .iter()
            .find_map(|n| std::env::var(n).ok().filter(|v| !v.trim().is_empty()))
    };
    let (proxy, no_proxy) = match &settings.proxy {
        Some(proxy) if !proxy.trim().is_empty() => (proxy.clone(), settings.no_proxy.clone()),
        _ => (
            env(&["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"])?,
            env(&["NO_PROXY", "no_proxy"]),
        ),
    };
    let bypassed = no_proxy.unwrap_or_default().split(',').any(|entry| {
        let entry = entry.trim().trim_start_matches('*').trim_start_matches('.');
        entry == "*"
            || (!entry.is_empty() && (host == entry || host.ends_with(&format!(".{entry}"))))
    });
    if bypassed {
        return None;
    }
    url::Url::parse(proxy.trim()).ok()
}

fn without_credentials(proxy: &url::Url) -> String {
    let mut shown = proxy.clone();
    let _ = shown.set_username("");
    let _ = shown.set_password(None);
    shown.to_string().trim_end_matches('/').to_owned()
}

async fn proxy(settings: &NetworkSettings, host: &WorkspaceHost) -> CheckLine {
    let name = host_name(host);
    let Some(proxy) = effective_proxy(settings, &name) else {
        return CheckLine::new(
            CheckKind::Proxy,
            super::Outcome::Skipped,
            format!(
                "No proxy is set for {name} (Brickdesk's policy, HTTPS_PROXY); the connection is \
                 direct, or through the system's proxy settings."
            ),
        );
    };
    let shown = without_credentials(&proxy);
    let (Some(proxy_host), Some(port)) = (proxy.host_str(), proxy.port_or_known_default()) else {
        return CheckLine::fail(
            CheckKind::Proxy,
            format!("The proxy {shown} has no host and port."),
            "Correct ProxyUrl in Brickdesk's policy (http://proxy.example.com:8080).",
        );
    };
    let connect = tokio::net::TcpStream::connect((proxy_host, port));
    match tokio::time::timeout(Duration::from_secs(10), connect).await {
        Ok(Ok(_)) => CheckLine::pass(
            CheckKind::Proxy,
            format!("Requests to {name} go through the proxy {shown}, which answers."),
        ),
        Ok(Err(error)) => CheckLine::fail(
            CheckKind::Proxy,
            format!("The proxy {shown} does not answer ({}).", error.kind()),
            "Check ProxyUrl in Brickdesk's policy or HTTPS_PROXY, and that the proxy is reachable \
             from this network.",
        ),
        Err(_) => CheckLine::fail(
            CheckKind::Proxy,
            format!("The proxy {shown} did not answer within 10 seconds."),
            "Check ProxyUrl in Brickdesk's policy or HTTPS_PROXY, and that the proxy is reachable \
             from this network.",
        ),
    }
}

fn host_name(host: &WorkspaceHost) -> String {
    host.join("/").host_str().unwrap_or_default().to_owned()
}

async fn secure_connection(
    settings: &NetworkSettings,
    settings_error: Option<ErrorInfo>,
    host: &WorkspaceHost,
) -> CheckLine {
    let kind = CheckKind::SecureConnection;
    if let Some(error) = settings_error {
        return CheckLine::fail(
            kind,
            error.message,
            "Ask IT to correct the CA bundle in Brickdesk's policy.",
        );
    }
    if host.join("/").scheme() == "http" {
        return CheckLine::new(
            kind,
            super::Outcome::Skipped,
            "Not used: this workspace runs on this computer (plain http is allowed for loopback \
             only).",
        );
    }
    let seen = Chain::default();
    let client = match net::client_with_verifier(settings, |inner| {
        Arc::new(Recording {
            inner,
            seen: seen.clone(),
        })
    }) {
        Ok(client) => client,
        Err(error) => return CheckLine::fail(kind, error.message, NETWORK_FIX),
    };
    let name = host_name(host);
    let probe = client
        .get(host.join("/.well-known/databricks-config"))
        .send();
    let outcome = tokio::time::timeout(STEP_TIMEOUT, probe).await;
    let presented = seen.lock().unwrap_or_else(|p| p.into_inner()).clone();
    let (Some(leaf), Some(top)) = (presented.first(), presented.last()) else {
        let reason = match outcome {
            Ok(Err(error)) => net::transport_error(&error, &name).message,
            _ => format!("{name} did not answer."),
        };
        return CheckLine::fail(
            kind,
            format!("No secure connection was made. {reason}"),
            NETWORK_FIX,
        );
    };
    let leaf = chain::names(leaf);
    let root = chain::names(top).map(|n| n.issuer);
    let described = match (&leaf, &root) {
        (Some(leaf), Some(root)) => format!(
            "The certificate for {} is issued by \u{201c}{}\u{201d}; the chain ends at \
             \u{201c}{root}\u{201d}",
            leaf.subject, leaf.issuer
        ),
        _ => format!("{name}'s certificate cannot be read"),
    };
    match outcome {
        Ok(Err(error)) if net::is_untrusted_certificate(&error) => {
            let root = root.unwrap_or_else(|| "its issuer".to_owned());
            CheckLine::fail(
                kind,
                format!("Not trusted. {described}, which this computer does not trust."),
                format!(
                    "If \u{201c}{root}\u{201d} is your organisation's certificate authority (for \
                     example for TLS inspection), ask IT to install it in the system's trust \
                     store or to set CaBundle in Brickdesk's policy. Otherwise, use another \
                     network."
                ),
            )
        }
        _ => {
            let from_policy = root.as_deref().is_some_and(|root| {
                settings
                    .extra_ca_pem
                    .as_deref()
                    .is_some_and(|pem| chain::bundle_has_subject(pem, root))
            });
            let source = if from_policy {
                "trusted through the CA bundle in your organisation's policy"
            } else {
                "trusted by this computer"
            };
            CheckLine::pass(kind, format!("Trusted. {described}, {source}."))
        }
    }
}

async fn sign_in_discovery(settings: &NetworkSettings, host: &WorkspaceHost) -> CheckLine {
    let kind = CheckKind::SignInDiscovery;
    let found = async {
        let client = net::client(settings)?;
        timed("The workspace", discovery::discover(&client, host, |_| {})).await
    }
    .await;
    match found {
        Ok(endpoints) => CheckLine::pass(
            kind,
            format!(
                "The workspace names its sign-in server: {}.",
                endpoints.authorization.host_str().unwrap_or_default()
            ),
        ),
        Err(error) if error.code == ErrorCode::Network => {
            CheckLine::fail(kind, error.message, NETWORK_FIX)
        }
        Err(error) => CheckLine::fail(
            kind,
            error.message,
            "Check that the URL is the workspace's own address (as in the browser when Databricks \
             is open), not a login page or a private-link alias.",
        ),
    }
}

/// Signed in, with the warehouses the SQL API listed.
struct SqlAccess {
    api: crate::api::Api,
    warehouses: Vec<warehouses::Warehouse>,
}

/// The SQL API, and what the storage check needs when signed in.
async fn sql_endpoint(
    service: &Workspaces,
    id: &str,
    settings: &NetworkSettings,
    host: &WorkspaceHost,
) -> (CheckLine, Option<SqlAccess>) {
    let kind = CheckKind::SqlEndpoint;
    match service.api(id).await {
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
                (unauthenticated_sql(settings, host).await, None)
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
            (unauthenticated_sql(settings, host).await, None)
        }
        Err(error) => (CheckLine::fail(kind, error.message, NETWORK_FIX), None),
    }
}

/// Signed out, the SQL API still answers "401" — which proves it is reachable.
async fn unauthenticated_sql(settings: &NetworkSettings, host: &WorkspaceHost) -> CheckLine {
    let kind = CheckKind::SqlEndpoint;
    let name = host_name(host);
    let answer = async {
        let client = net::client(settings)?;
        let request = client.get(host.join("/api/2.0/sql/warehouses")).send();
        timed("The SQL API", async {
            request
                .await
                .map_err(|error| net::transport_error(&error, &name))
        })
        .await
    }
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

async fn result_storage(
    access: Option<SqlAccess>,
    profile: &Profile,
    settings: &NetworkSettings,
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
    if state != "SUCCEEDED" {
        return CheckLine::skipped(
            kind,
            format!("Not checked: the test query ended {state}."),
            "Run the test again when the warehouse is idle.",
        );
    }
    let link = &answer["result"]["external_links"][0];
    let Some(Ok(url)) = link["external_link"].as_str().map(url::Url::parse) else {
        return CheckLine::skipped(
            kind,
            "Not checked: the workspace sent the result inline, without a storage link.",
            "Nothing to do.",
        );
    };
    let storage = url.host_str().unwrap_or_default().to_owned();
    download(&url, link, &storage, settings).await
}

/// Downloads one result link as the SQL runner does: no `Authorization` header, only the
/// headers the link comes with.
async fn download(
    url: &url::Url,
    link: &Value,
    storage: &str,
    settings: &NetworkSettings,
) -> CheckLine {
    let kind = CheckKind::ResultStorage;
    let fetched = async {
        let client = net::client(settings)?;
        let mut request = client.get(url.clone());
        if let Some(headers) = link["http_headers"].as_object() {
            for (name, value) in headers {
                if let Some(value) = value.as_str() {
                    request = request.header(name.as_str(), value);
                }
            }
        }
        timed("The result storage", async {
            let response = request
                .send()
                .await
                .map_err(|error| net::transport_error(&error, storage))?;
            let status = response.status();
            response
                .bytes()
                .await
                .map_err(|error| net::transport_error(&error, storage))?;
            Ok(status)
        })
        .await
    }
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

fn keychain(service: &Workspaces) -> CheckLine {
    let store = if cfg!(target_os = "macos") {
        "the macOS Keychain"
    } else if cfg!(windows) {
        "Windows Credential Manager"
    } else {
        "the Secret Service keyring (GNOME Keyring or KWallet)"
    };
    match service.keychain_check() {
        Ok(()) => CheckLine::pass(
            CheckKind::Keychain,
            format!("Usable: sign-ins are kept in {store}."),
        ),
        Err(error) => CheckLine::fail(
            CheckKind::Keychain,
            error.message,
            format!("Unlock {store} (or sign in to the computer again), then run the test again."),
        ),
    }
}

fn link_scheme(links: LinkRegistration, redirect: &RedirectMode) -> CheckLine {
    let kind = CheckKind::LinkScheme;
    let loopback = matches!(redirect, RedirectMode::Loopback { .. });
    match links {
        LinkRegistration::Registered => CheckLine::pass(
            kind,
            "dev.brickdesk.app: links open this Brickdesk, so the browser can hand sign-ins back.",
        ),
        LinkRegistration::NotRegistered if loopback => CheckLine::pass(
            kind,
            "dev.brickdesk.app: links are not registered, and this workspace does not need them: \
             it signs in through a loopback address.",
        ),
        LinkRegistration::NotRegistered => CheckLine::fail(
            kind,
            "The system does not send dev.brickdesk.app: links to Brickdesk, so the browser \
             cannot hand a sign-in back.",
            "Reinstall Brickdesk (its installer registers the link type), or switch this \
             workspace to the loopback sign-in.",
        ),
        LinkRegistration::Unknown(reason) => CheckLine::new(
            kind,
            super::Outcome::Skipped,
            format!("The system could not say whether links reach Brickdesk ({reason})."),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_proxy_in_effect_honours_no_proxy_and_hides_credentials() {
        let settings = NetworkSettings {
            proxy: Some("http://user:pass@proxy.corp:3128".into()),
            no_proxy: Some("localhost, .internal.corp".into()),
            extra_ca_pem: None,
        };
        let proxy = effective_proxy(&settings, "adb-1.azuredatabricks.net").expect("a proxy");
        assert_eq!(without_credentials(&proxy), "http://proxy.corp:3128");
        assert_eq!(effective_proxy(&settings, "db.internal.corp"), None);
        assert_eq!(effective_proxy(&settings, "localhost"), None);
    }

    #[test]
    fn link_registration_matters_only_for_deep_link_sign_in() {
        let deep = link_scheme(LinkRegistration::NotRegistered, &RedirectMode::DeepLink);
        assert_eq!(deep.outcome, super::super::Outcome::Fail);
        assert!(deep.fix.expect("fix").contains("Reinstall"));
        let loopback = link_scheme(
            LinkRegistration::NotRegistered,
            &RedirectMode::Loopback { port: 8020 },
        );
        assert_eq!(loopback.outcome, super::super::Outcome::Pass);
    }
}
