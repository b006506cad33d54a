//! The checks in the order a connection needs them — the proxy, the certificate, sign-in
//! discovery ([`super::connection`]), the SQL API and result storage ([`super::sql_checks`]) —
//! then the local ones: the keychain and the link handler.

use super::connection;
use super::sql_checks;
use super::{CheckKind, CheckLine, LinkRegistration};
use crate::host::WorkspaceHost;
use crate::net::NetworkSettings;
use crate::profiles::{Profile, RedirectMode};
use crate::service::Workspaces;
use crate::{ErrorCode, ErrorInfo};
use std::sync::Arc;
use std::time::Duration;

/// No single check may hang the test.
pub(super) const STEP_TIMEOUT: Duration = Duration::from_secs(20);

pub(super) const NETWORK_FIX: &str = "Check the workspace URL, and that this computer can reach it: VPN, \
                           firewall and proxy. Your IT department can allow the host.";

pub(super) async fn timed<T>(
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
    service: &Arc<Workspaces>,
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
            // Without usable policy settings the proxy in effect is unknown: the Secure
            // connection line says why.
            push(match &settings_error {
                None => connection::proxy(service.proxies(), &host).await,
                Some(_) => CheckLine::new(
                    CheckKind::Proxy,
                    super::Outcome::Skipped,
                    "Not checked: your organisation's network policy could not be used.",
                ),
            });
            push(connection::secure_connection(&settings, settings_error, &host).await);
            push(connection::sign_in_discovery(service.http(), &host).await);
            if profile.auth.is_interactive() {
                push(sign_in_address(service, profile).await);
            }
            let (sql, usable) = sql_checks::sql_endpoint(service, &profile.id, &host).await;
            push(sql);
            push(sql_checks::result_storage(usable, profile, service.proxies()).await);
        }
        Err(error) => push(CheckLine::fail(
            CheckKind::SignInDiscovery,
            error.message,
            "Correct the workspace URL in the workspace's settings.",
        )),
    }
    push(keychain(service).await);
    push(link_scheme(links, &profile.redirect));
    lines
}

/// Whether the app connection accepts this workspace's sign-in address: the line the sign-in
/// preflight would show before a browser opens.
async fn sign_in_address(service: &Arc<Workspaces>, profile: &Profile) -> CheckLine {
    let kind = CheckKind::SignInAddress;
    let address = profile.redirect_uri();
    match timed("The sign-in server", service.sign_in_preflight(&profile.id)).await {
        Ok(None) => CheckLine::pass(
            kind,
            format!("The sign-in server did not refuse {address}."),
        ),
        Ok(Some(advice)) => {
            let fix = if advice.offer.is_some() {
                "Sign in through the offered address (Brickdesk asks when you sign in), or ask \
                 your Databricks admin to register this one."
            } else {
                "Ask your Databricks admin to change the app connection as described."
            };
            CheckLine::fail(kind, advice.message, fix)
        }
        Err(error) => CheckLine::new(kind, super::Outcome::Skipped, error.message),
    }
}

pub(super) fn host_name(host: &WorkspaceHost) -> String {
    host.join("/").host_str().unwrap_or_default().to_owned()
}

/// The keychain answers over a blocking OS call (which may wait on an unlock prompt): it runs
/// off the async threads, within the step timeout.
async fn keychain(service: &Arc<Workspaces>) -> CheckLine {
    let store = if cfg!(target_os = "macos") {
        "the macOS Keychain"
    } else if cfg!(windows) {
        "Windows Credential Manager"
    } else {
        "the Secret Service keyring (GNOME Keyring or KWallet)"
    };
    let probe = {
        let service = service.clone();
        async move {
            tokio::task::spawn_blocking(move || service.keychain_check())
                .await
                .unwrap_or_else(|_| {
                    Err(ErrorInfo::new(
                        ErrorCode::Internal,
                        "The keychain check stopped unexpectedly.",
                    ))
                })
        }
    };
    match timed("The keychain", probe).await {
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
