//! Which proxy a request takes, and getting through it: the corporate-network half of
//! [`crate::net`].
//!
//! - [`resolver`] picks the route per host, by the first rule that applies: the policy's
//!   fixed proxy, the policy's auto-config (PAC) script, `HTTPS_PROXY`, the OS's settings
//!   (its PAC script or WPAD auto-detection, else its fixed proxy), else direct.
//! - [`scripts`] fetches PAC scripts; [`pac`] runs them in an embedded JavaScript engine.
//! - [`bypass`] matches exception lists (`NO_PROXY` and the OS's).
//! - [`system`] reads the OS's proxy settings (WinHTTP on Windows, SystemConfiguration on
//!   macOS, GNOME's settings on Linux).
//! - [`tunnel`] opens a CONNECT tunnel through one proxy and answers its `407` challenges
//!   (`Basic`, `NTLM`, `Negotiate`) with [`challenge`].
//! - [`relay`] puts both behind one loopback address reqwest can use: reqwest cannot answer
//!   a connection-bound handshake such as NTLM, so it asks the relay for each tunnel.
//!
//! Nothing here logs or returns a credential or a handshake token; errors name proxies
//! without their user names ([`ProxyAddress`] has none).

pub mod bypass;
pub mod challenge;
pub mod pac;
pub mod relay;
pub mod resolver;
pub mod scripts;
pub mod system;
pub mod tunnel;

use crate::sensitive::Sensitive;
use std::fmt;

/// A proxy, without credentials: what may be shown and logged.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ProxyAddress {
    /// `http` (plain, the usual) or `https` (TLS to the proxy itself).
    pub scheme: String,
    pub host: String,
    pub port: u16,
}

impl ProxyAddress {
    /// `proxy.corp:8080` (a PAC entry or a Windows setting) with `scheme`; the port defaults
    /// to the scheme's (80 or 443).
    pub fn parse(scheme: &str, address: &str) -> Option<Hop> {
        let url = url::Url::parse(&format!("{scheme}://{}", address.trim())).ok()?;
        Some(Hop::Proxy(Self {
            scheme: scheme.to_owned(),
            host: url.host_str()?.trim_matches(['[', ']']).to_owned(),
            port: url.port_or_known_default()?,
        }))
    }

    /// A proxy setting (`http://user:pw@proxy:8080`, or without a scheme) split into the
    /// address and the credentials written into it.
    pub fn from_setting(raw: &str) -> Option<(Self, Option<ProxyCredentials>)> {
        let url = crate::net::proxy_url(raw)?;
        let scheme = url.scheme().to_owned();
        if scheme != "http" && scheme != "https" {
            return None;
        }
        let address = Self {
            scheme,
            host: url.host_str()?.trim_matches(['[', ']']).to_owned(),
            port: url.port_or_known_default()?,
        };
        let credentials = (!url.username().is_empty()).then(|| ProxyCredentials {
            username: decoded(url.username()),
            password: Sensitive::new(decoded(url.password().unwrap_or_default())),
        });
        Some((address, credentials))
    }

    /// `host:port`, as a CONNECT line and a socket address want it (IPv6 in brackets).
    pub fn authority(&self) -> String {
        authority(&self.host, self.port)
    }
}

/// `host:port`, with an IPv6 host in brackets (`[fd00::1]:8080`), however `host` came.
pub fn authority(host: &str, port: impl fmt::Display) -> String {
    let host = host.trim_matches(['[', ']']);
    if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

impl fmt::Display for ProxyAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}://{}", self.scheme, self.authority())
    }
}

/// A URL's user name or password as written (`CORP%5Calice` → `CORP\alice`).
fn decoded(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8_lossy()
        .into_owned()
}

/// One way to reach a host: straight there, or through a proxy.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Hop {
    Direct,
    Proxy(ProxyAddress),
}

impl fmt::Display for Hop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Direct => f.write_str("direct"),
            Self::Proxy(proxy) => write!(f, "the proxy {proxy}"),
        }
    }
}

/// Which rule chose a route (Test connection says it, so IT knows which setting to change).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RouteRule {
    /// The policy's `proxy` (or its `noProxy` exception).
    Policy,
    /// The policy's `proxyAutoConfigUrl` script.
    PolicyPac,
    /// `HTTPS_PROXY` / `ALL_PROXY` (and `NO_PROXY`).
    Environment,
    /// The OS's auto-config script or WPAD auto-detection.
    SystemPac,
    /// The OS's fixed proxy setting.
    System,
    /// No proxy is configured anywhere.
    Unconfigured,
}

impl RouteRule {
    /// "by the policy's proxy setting", to end a sentence.
    pub fn describe(self) -> &'static str {
        match self {
            Self::Policy => "by the proxy in Brickdesk's policy",
            Self::PolicyPac => "by the proxy auto-config script in Brickdesk's policy",
            Self::Environment => "by the HTTPS_PROXY environment variable",
            Self::SystemPac => "by this computer's proxy auto-config script",
            Self::System => "by this computer's proxy settings",
            Self::Unconfigured => "because no proxy is configured",
        }
    }
}

/// The hops to try for one host, in order, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    pub hops: Vec<Hop>,
    pub rule: RouteRule,
    /// Where the script came from, for a PAC rule.
    pub script: Option<String>,
    /// Something IT should know: the script could not be loaded or run (and the route is the
    /// fallback), or it named proxies Brickdesk cannot use.
    pub problem: Option<String>,
}

impl Route {
    fn new(rule: RouteRule, hops: Vec<Hop>) -> Self {
        Self {
            hops,
            rule,
            script: None,
            problem: None,
        }
    }

    /// Whether any hop is a proxy (else the request needs no relay).
    pub fn uses_proxy(&self) -> bool {
        self.hops.iter().any(|h| matches!(h, Hop::Proxy(_)))
    }
}

/// A proxy asked for a sign-in Brickdesk could not give (no credentials, or they were
/// refused): the app asks the user for their network user name and password, kept in the
/// keychain for that proxy only.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ProxySignInRequest {
    /// `proxy.corp:8080`: what the user signs in to, and what the answer is saved for.
    pub proxy: String,
    /// The schemes it offered (`NTLM`, `Basic`…), for the dialog's wording.
    pub schemes: Vec<String>,
    /// The saved or policy credentials were refused (a changed password), not missing.
    pub refused: bool,
}

/// A user name and password for proxies that ask for one (`Basic`, or `NTLM` where the OS
/// cannot sign in for the user). `DOMAIN\user` or `user@domain` for NTLM.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProxyCredentials {
    pub username: String,
    pub password: Sensitive<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_split_into_an_address_and_credentials() {
        let (address, credentials) =
            ProxyAddress::from_setting("http://CORP%5Calice:p%40ss@proxy.corp:3128").expect("ok");
        assert_eq!(address.to_string(), "http://proxy.corp:3128");
        let credentials = credentials.expect("credentials");
        assert_eq!(credentials.username, "CORP\\alice");
        assert_eq!(credentials.password.expose(), "p@ss");
        let (bare, none) = ProxyAddress::from_setting("proxy.corp").expect("bare");
        assert_eq!(bare.port, 80);
        assert!(none.is_none());
        assert!(ProxyAddress::from_setting("socks5://s:1080").is_none());
        let v6 = ProxyAddress::from_setting("http://[::1]:8080")
            .expect("v6")
            .0;
        assert_eq!(v6.authority(), "[::1]:8080");
    }
}
