//! Reaching the workspace: the proxy in effect, the certificate chain it presents (and who
//! issued it), and its sign-in discovery document.

use super::chain::{self, Chain, Recording};
use super::checks::{NETWORK_FIX, STEP_TIMEOUT, host_name, timed};
use super::{CheckKind, CheckLine};
use crate::auth::discovery;
use crate::host::WorkspaceHost;
use crate::net::{self, CertificateProblem, NetworkSettings};
use crate::{ErrorCode, ErrorInfo};
use std::sync::Arc;
use std::time::Duration;

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
        let entry = entry.trim();
        let domain = entry.trim_start_matches('*').trim_start_matches('.');
        entry == "*"
            || (!domain.is_empty() && (host == domain || host.ends_with(&format!(".{domain}"))))
    });
    if bypassed {
        return None;
    }
    crate::net::proxy_url(&proxy)
}

fn without_credentials(proxy: &url::Url) -> String {
    crate::net::proxy_for_display(proxy.as_str())
}

pub(super) async fn proxy(settings: &NetworkSettings, host: &WorkspaceHost) -> CheckLine {
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

pub(super) async fn secure_connection(
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
    let problem = match &outcome {
        Ok(Err(error)) => net::certificate_problem(error),
        _ => None,
    };
    match problem {
        Some(CertificateProblem::WrongName) => CheckLine::fail(
            kind,
            format!("Not trusted. {described}, which is not a certificate for {name}."),
            "Check the workspace URL. If it is right, a proxy or firewall is answering in the \
             workspace's place: tell IT.",
        ),
        Some(CertificateProblem::Expired) => CheckLine::fail(
            kind,
            format!("Not trusted. {described}, which has expired or is not valid yet."),
            "Check this computer's date and time. If they are right, tell IT.",
        ),
        Some(CertificateProblem::UnknownIssuer | CertificateProblem::Other) => {
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
        // The handshake verified the chain (a rejected one fails as a certificate problem);
        // whatever happened after it is the sign-in discovery line's business.
        None => {
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

pub(super) async fn sign_in_discovery(http: &reqwest::Client, host: &WorkspaceHost) -> CheckLine {
    let kind = CheckKind::SignInDiscovery;
    let found = timed(
        "The workspace",
        discovery::discover(http, host, None, |_| {}),
    )
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
        assert_eq!(without_credentials(&proxy), "http://***@proxy.corp:3128");
        assert_eq!(effective_proxy(&settings, "db.internal.corp"), None);
        assert_eq!(effective_proxy(&settings, "localhost"), None);
        let everything = NetworkSettings {
            no_proxy: Some("*".into()),
            ..settings
        };
        assert_eq!(
            effective_proxy(&everything, "adb-1.azuredatabricks.net"),
            None
        );
    }
}
