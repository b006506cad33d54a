//! The one HTTP client every Databricks call goes through, and what its failures mean.
//!
//! TLS is rustls (ring provider) with the OS verifier, so the roots IT installs for TLS
//! inspection are trusted like in the user's browser; an extra CA bundle from policy is added
//! on top. Proxies are [`crate::proxy`]'s: reqwest asks its relay for every HTTPS connection a
//! proxy may be on the way to. Redirects are not followed: an API call that redirects is a
//! misconfiguration (a private-link login page), not something to chase.

use crate::proxy::relay::Relay;
use crate::proxy::resolver::Resolver;
use crate::proxy::{ProxyAddress, ProxyCredentials};
use crate::{ErrorCode, ErrorInfo};
use rustls::client::danger::ServerCertVerifier;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use std::error::Error as _;
use std::sync::Arc;
use std::time::Duration;

/// Network settings from policy or profile.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NetworkSettings {
    /// `http://proxy.corp:8080`; applies to every request, loopback included.
    pub proxy: Option<String>,
    /// Hosts that bypass `proxy` (comma-separated, as `NO_PROXY`).
    pub no_proxy: Option<String>,
    /// A proxy auto-config script (`https://…/proxy.pac`), when `proxy` is not set.
    pub pac_url: Option<String>,
    /// For proxies that ask for a user name and password (`Basic`, or `NTLM` off Windows).
    pub proxy_credentials: Option<ProxyCredentials>,
    /// IT allows `Basic` (a password in clear text over plain HTTP) for the user's saved
    /// password and a domain account's, and as a fallback after a refused NTLM or Negotiate.
    pub proxy_allow_basic: bool,
    /// IT's proxy or auto-config script must be used: when it cannot be, requests fail
    /// instead of going direct.
    pub proxy_required: bool,
    /// PEM certificates to trust in addition to the OS store.
    pub extra_ca_pem: Option<Vec<u8>>,
}

const USER_AGENT: &str = concat!("brickdesk/", env!("CARGO_PKG_VERSION"));

/// A proxy setting as reqwest reads it: without a scheme it is `http://` (so
/// `alice:s3cret@proxy:8080` is user `alice` at `proxy:8080`, not a URL of scheme `alice`).
pub fn proxy_url(raw: &str) -> Option<url::Url> {
    let raw = raw.trim();
    let with_scheme = if raw.contains("://") {
        raw.to_owned()
    } else {
        format!("http://{raw}")
    };
    url::Url::parse(&with_scheme).ok()
}

/// A proxy setting fit for a support report or a message: user name and password replaced by
/// `***`, however the setting was written (anything before the last `@` when it does not parse).
pub fn proxy_for_display(raw: &str) -> String {
    match proxy_url(raw) {
        Some(mut url) => {
            let had_credentials = !url.username().is_empty() || url.password().is_some();
            let _ = url.set_password(None);
            let _ = url.set_username(if had_credentials { "***" } else { "" });
            url.to_string().trim_end_matches('/').to_owned()
        }
        None => match raw.trim().rsplit_once('@') {
            Some((_, rest)) => format!("***@{rest}"),
            None => raw.trim().to_owned(),
        },
    }
}

fn config_error(message: String) -> ErrorInfo {
    ErrorInfo::new(ErrorCode::Config, message)
}

/// Builds the client for `settings`; a bad proxy URL or CA bundle is a `Config` error.
pub fn client(settings: &NetworkSettings) -> Result<reqwest::Client, ErrorInfo> {
    client_with_verifier(settings, |verifier| verifier)
}

/// [`client`], with its certificate verifier passed through `wrap` (the network self-test
/// wraps it to see the chain a server presents, trusted or not).
pub fn client_with_verifier(
    settings: &NetworkSettings,
    wrap: impl FnOnce(Arc<dyn ServerCertVerifier>) -> Arc<dyn ServerCertVerifier>,
) -> Result<reqwest::Client, ErrorInfo> {
    Ok(proxied(settings, wrap)?.0)
}

/// [`client_with_verifier`], and the proxy resolver its requests go by.
pub fn proxied(
    settings: &NetworkSettings,
    wrap: impl FnOnce(Arc<dyn ServerCertVerifier>) -> Arc<dyn ServerCertVerifier>,
) -> Result<(reqwest::Client, Arc<Resolver>), ErrorInfo> {
    let tls = tls_config(settings, wrap)?;
    // A proxy spoken to over TLS is reqwest's own CONNECT (Basic credentials only).
    let mut tls_proxy = false;
    if let Some(proxy) = settings.proxy.as_deref().filter(|p| !p.trim().is_empty()) {
        let Some((address, _)) = ProxyAddress::from_setting(proxy) else {
            return Err(config_error(format!(
                "The proxy \u{201c}{}\u{201d} is not a valid URL. Use the form \
                 http://proxy.example.com:8080.",
                proxy_for_display(proxy)
            )));
        };
        tls_proxy = address.scheme == "https";
    }
    // Scripts are fetched directly, with the same trust (a PAC on an inspected intranet).
    let direct = builder(tls.clone(), CONNECT_TIMEOUT)
        .no_proxy()
        .build()
        .map_err(|e| config_error(format!("The HTTP client could not be set up: {e}.")))?;
    let resolver = Arc::new(Resolver::new(settings, direct));
    let relay = Relay::new(resolver.clone()).map_err(|e| {
        config_error(format!(
            "Brickdesk could not open its local proxy connection ({e})."
        ))
    })?;
    let fixed = resolver.clone();
    let proxy = reqwest::Proxy::custom(move |url| {
        // Plain HTTP is for loopback only; a fixed proxy still applies to it.
        if url.scheme() == "http" || tls_proxy {
            return fixed_proxy_url(&fixed, url.host_str().unwrap_or_default());
        }
        relay.proxy_for(url)
    });
    // Through the relay, one connection may mean fetching a script and trying several hops
    // (each with its own limit there): reqwest's limit covers all of it.
    let connect_timeout = if !resolver.may_use_proxy("") {
        CONNECT_TIMEOUT
    } else {
        RELAYED_CONNECT_TIMEOUT
    };
    let client = builder(tls, connect_timeout)
        .proxy(proxy)
        .build()
        .map_err(|e| config_error(format!("The HTTP client could not be set up: {e}.")))?;
    Ok((client, resolver))
}

/// The fixed proxy's URL with its credentials, for requests reqwest proxies itself (plain
/// HTTP, and a proxy spoken to over TLS); `None` when `host` goes direct.
fn fixed_proxy_url(resolver: &Resolver, host: &str) -> Option<url::Url> {
    let route = resolver.fixed_route(host)?;
    let Some(crate::proxy::Hop::Proxy(proxy)) = route.hops.first() else {
        return None;
    };
    let mut url = url::Url::parse(&proxy.to_string()).ok()?;
    // Only credentials written into the proxy's own setting: reqwest sends them before any
    // 407 (plain HTTP is loopback only, and the policy's shared account is not for it).
    if let Some(credentials) = resolver.written_into(proxy) {
        let _ = url.set_username(&credentials.username);
        let _ = url.set_password(Some(credentials.password.expose()));
    }
    Some(url)
}

const CONNECT_TIMEOUT: Duration = Duration::from_secs(20);
const RELAYED_CONNECT_TIMEOUT: Duration = Duration::from_secs(60);

fn builder(tls: rustls::ClientConfig, connect_timeout: Duration) -> reqwest::ClientBuilder {
    reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .user_agent(USER_AGENT)
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(connect_timeout)
        .read_timeout(Duration::from_secs(120))
}

fn tls_config(
    settings: &NetworkSettings,
    wrap: impl FnOnce(Arc<dyn ServerCertVerifier>) -> Arc<dyn ServerCertVerifier>,
) -> Result<rustls::ClientConfig, ErrorInfo> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    // Also the process default, for any other rustls user (reqwest's own builder panics
    // without one when built with `rustls-no-provider`). Already installed is fine.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut extra = Vec::new();
    if let Some(pem) = &settings.extra_ca_pem {
        for cert in CertificateDer::pem_slice_iter(pem) {
            extra.push(cert.map_err(|e| {
                config_error(format!(
                    "The extra CA bundle is not a valid PEM certificate list ({e}). Ask IT for \
                     the company root certificate in PEM format."
                ))
            })?);
        }
        if extra.is_empty() {
            return Err(config_error(
                "The extra CA bundle contains no certificate. Ask IT for the company root \
                 certificate in PEM format."
                    .into(),
            ));
        }
    }
    let verifier =
        rustls_platform_verifier::Verifier::new_with_extra_roots(extra, provider.clone()).map_err(
            |e| {
                config_error(format!(
                    "The system certificate store could not be read: {e}."
                ))
            },
        )?;
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| config_error(format!("TLS could not be set up: {e}.")))?
        .dangerous()
        .with_custom_certificate_verifier(wrap(Arc::new(verifier)))
        .with_no_client_auth())
}

/// Every cause of `error`, lower-cased, for classification (never shown).
fn causes(error: &reqwest::Error) -> String {
    let mut text = String::new();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(&cause.to_string().to_lowercase());
        text.push(' ');
        source = cause.source();
    }
    text
}

/// The server's certificate was rejected (unknown issuer, expired, wrong name).
pub fn is_untrusted_certificate(error: &reqwest::Error) -> bool {
    let chain = causes(error);
    chain.contains("certificate") || chain.contains("unknownissuer")
}

/// Why a server's certificate was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CertificateProblem {
    /// No authority this computer trusts issued it (a TLS-inspecting proxy's own root, say).
    UnknownIssuer,
    /// It is for another host name.
    WrongName,
    /// It has expired, or is not valid yet (often a wrong clock).
    Expired,
    Other,
}

/// The certificate problem behind `error`, if that is what it is.
pub fn certificate_problem(error: &reqwest::Error) -> Option<CertificateProblem> {
    if !is_untrusted_certificate(error) {
        return None;
    }
    let chain = causes(error);
    Some(
        if chain.contains("notvalidforname") || chain.contains("not valid for name") {
            CertificateProblem::WrongName
        } else if chain.contains("expired") || chain.contains("notvalidyet") {
            CertificateProblem::Expired
        } else if chain.contains("unknownissuer") || chain.contains("unknown issuer") {
            CertificateProblem::UnknownIssuer
        } else {
            CertificateProblem::Other
        },
    )
}

/// A transport failure (no HTTP answer) as a sentence a user can act on. Never includes a URL
/// (they can carry codes) or a header.
pub fn transport_error(error: &reqwest::Error, host: &str) -> ErrorInfo {
    let chain = causes(error);
    let message = if is_untrusted_certificate(error) {
        format!(
            "The connection to {host} is not trusted: its certificate is not issued by an \
             authority this computer trusts. If your company inspects TLS traffic, ask IT to \
             install its root certificate, or to set the CA bundle in Brickdesk's policy."
        )
    } else if chain.contains("proxy") || chain.contains("tunnel") {
        match crate::proxy::relay::last_failure(host) {
            Some(why) => format!(
                "Brickdesk could not reach {host}: {why}. Test connection (the account menu) \
                 shows the way it tried; tell IT if it looks wrong."
            ),
            None => format!(
                "Brickdesk could not reach {host} through the proxy. Check the proxy settings \
                 (HTTPS_PROXY or Brickdesk's policy), or ask IT whether the proxy allows it."
            ),
        }
    } else if chain.contains("dns")
        || chain.contains("failed to lookup")
        || chain.contains("name or service")
    {
        format!(
            "Brickdesk could not find {host}. Check the workspace URL and your network connection."
        )
    } else if error.is_timeout() {
        format!("{host} did not answer in time. Check your network connection and try again.")
    } else if error.is_connect() {
        format!(
            "Brickdesk could not connect to {host}. Check your network connection, VPN or proxy, \
             and try again."
        )
    } else {
        format!("The connection to {host} failed. Check your network connection and try again.")
    };
    ErrorInfo::new(ErrorCode::Network, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proxy_credentials_never_show_however_they_are_written() {
        for (raw, shown) in [
            ("alice:s3cret@proxy.corp:8080", "http://***@proxy.corp:8080"),
            (
                "http://alice:s3cret@proxy.corp:8080/",
                "http://***@proxy.corp:8080",
            ),
            ("https://bob@proxy.corp", "https://***@proxy.corp"),
            ("http://proxy.corp:3128", "http://proxy.corp:3128"),
            ("proxy.corp:3128", "http://proxy.corp:3128"),
            ("not a url:pw@[bad", "***@[bad"),
        ] {
            assert_eq!(proxy_for_display(raw), shown, "{raw}");
        }
        let error = client(&NetworkSettings {
            proxy: Some("http://alice:s3cret@[bad".into()),
            ..NetworkSettings::default()
        })
        .expect_err("bad proxy");
        assert!(!error.message.contains("s3cret"), "{}", error.message);
    }

    #[test]
    fn bad_settings_are_config_errors() {
        let proxy = client(&NetworkSettings {
            proxy: Some("not a url".into()),
            ..NetworkSettings::default()
        })
        .expect_err("bad proxy");
        assert_eq!(proxy.code, ErrorCode::Config);
        let ca = client(&NetworkSettings {
            extra_ca_pem: Some(b"no certificate here".to_vec()),
            ..NetworkSettings::default()
        })
        .expect_err("bad CA");
        assert!(ca.message.contains("PEM"), "{}", ca.message);
        assert!(client(&NetworkSettings::default()).is_ok());
    }
}
