//! Reaching the workspace: the proxy in effect, the certificate chain it presents (and who
//! issued it), and its sign-in discovery document.

use super::chain::{self, Chain, Recording};
use super::checks::{NETWORK_FIX, STEP_TIMEOUT, host_name, timed};
use super::{CheckKind, CheckLine};
use crate::auth::discovery;
use crate::host::WorkspaceHost;
use crate::net::{self, CertificateProblem, NetworkSettings};
use crate::proxy::relay::{self, Reached};
use crate::proxy::resolver::Resolver;
use crate::proxy::{Hop, RouteRule};
use crate::{ErrorCode, ErrorInfo};
use std::sync::Arc;

/// How `host` was reached, in a sentence: the hop, the rule that chose it (and the script's
/// address), and the proxy's sign-in. Names proxies without credentials, by construction.
pub(super) fn describe_route(host: &str, reached: &Reached) -> String {
    let route = &reached.route;
    let rule = match &route.script {
        Some(script) => format!("{} ({script})", route.rule.describe()),
        None => route.rule.describe().to_owned(),
    };
    let mut text = match &reached.used {
        Some(Hop::Direct) => format!("{host} is reached directly, {rule}."),
        Some(Hop::Proxy(proxy)) => format!("{host} is reached through the proxy {proxy}, {rule}."),
        None => format!(
            "{host} could not be reached along its route ({}), chosen {rule}.",
            route
                .hops
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", then ")
        ),
    };
    if let Some(auth) = &reached.auth {
        let offered = auth.offered.join(", ");
        text.push_str(&match (auth.used, auth.accepted) {
            (Some(scheme), true) => format!(
                " The proxy asked for a sign-in ({offered}) and accepted Brickdesk's {scheme} \
                 sign-in."
            ),
            (Some(scheme), false) => format!(
                " The proxy asked for a sign-in ({offered}) and did not accept Brickdesk's \
                 {scheme} sign-in."
            ),
            (None, _) => format!(" The proxy asked for a sign-in ({offered})."),
        });
    } else if matches!(reached.used, Some(Hop::Proxy(_))) {
        text.push_str(" The proxy did not ask for a sign-in.");
    }
    if reached.used.is_some() && !reached.failures.is_empty() {
        text.push_str(&format!(" First tried: {}.", reached.failures.join("; ")));
    } else if reached.used.is_none() && !reached.failures.is_empty() {
        text.push_str(&format!(" {}.", capitalised(&reached.failures.join("; "))));
    }
    if let Some(problem) = &route.problem {
        text.push_str(&format!(" Note: {problem}."));
    }
    text
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().collect::<String>() + chars.as_str())
        .unwrap_or_default()
}

/// The line's outcome and advice for `reached`: red when the host cannot be reached, or when
/// the auto-config script IT set is not working (Brickdesk then goes the fallback way, which
/// may not be the way IT meant).
pub(super) fn route_fix(reached: &Reached) -> Option<String> {
    if reached.used.is_none() {
        let sign_in = reached.auth.as_ref().is_some_and(|a| !a.accepted);
        return Some(if sign_in {
            "Ask IT which sign-in the proxy expects. On Windows Brickdesk signs in as you; \
             elsewhere IT can set proxyUsername and proxyPassword in Brickdesk's policy."
                .to_owned()
        } else {
            "Check the proxy settings (Brickdesk's policy, HTTPS_PROXY or this computer's), and \
             ask IT whether the proxy allows this host."
                .to_owned()
        });
    }
    reached.route.problem.as_ref().map(|_| {
        "Tell IT that the proxy auto-config script is not working for Brickdesk (the reason is \
         above); until it is fixed Brickdesk connects the fallback way."
            .to_owned()
    })
}

pub(super) async fn proxy(resolver: &Resolver, host: &WorkspaceHost) -> CheckLine {
    let url = host.join("/");
    let name = host_name(host);
    if url.scheme() == "http" {
        return CheckLine::new(
            CheckKind::Proxy,
            super::Outcome::Skipped,
            "Not used: this workspace runs on this computer, and plain http (loopback only) \
             does not go through proxy auto-config.",
        );
    }
    let port = url.port_or_known_default().unwrap_or(443);
    let (stream, reached) =
        match tokio::time::timeout(STEP_TIMEOUT, relay::reach(resolver, &name, port)).await {
            Ok(found) => found,
            Err(_) => {
                return CheckLine::fail(
                    CheckKind::Proxy,
                    format!(
                        "Finding the way to {name} took more than {} seconds.",
                        STEP_TIMEOUT.as_secs()
                    ),
                    NETWORK_FIX,
                );
            }
        };
    drop(stream);
    let detail = describe_route(&name, &reached);
    match route_fix(&reached) {
        Some(fix) => CheckLine::fail(CheckKind::Proxy, detail, fix),
        None if reached.route.rule == RouteRule::Unconfigured => CheckLine::new(
            CheckKind::Proxy,
            super::Outcome::Skipped,
            format!(
                "No proxy is configured (Brickdesk's policy, HTTPS_PROXY, this computer's \
                 settings); {name} is reached directly."
            ),
        ),
        None => CheckLine::pass(CheckKind::Proxy, detail),
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
        Ok(found) => CheckLine::pass(
            kind,
            format!(
                "The workspace names its sign-in server: {}.",
                found.endpoints.authorization.host_str().unwrap_or_default()
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
