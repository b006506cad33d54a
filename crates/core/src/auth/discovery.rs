//! Finding a workspace's OAuth endpoints: `/.well-known/databricks-config` names the OIDC
//! issuer, whose RFC 8414 metadata names the endpoints; when that document is missing or
//! unusable for any reason, `/oidc/.well-known/oauth-authorization-server` is asked directly,
//! as the official SDKs do.
//!
//! The document also says what kind of host this is (`host_type`) and, on a workspace's own
//! host, its `workspace_id`. A unified host (an account's custom URL serving many workspaces)
//! names the account's issuer (`/oidc/accounts/{account_id}`) and no single workspace, so the
//! workspace must come from the address (`?o=`), as databricks-sdk-go's `resolveHostMetadata`
//! and the CLI's `HasUnifiedHostSignal` read it.

use crate::host::WorkspaceHost;
use crate::http_body;
use crate::net::transport_error;
use crate::{ErrorCode, ErrorInfo};
use serde::{Deserialize, Serialize};
use url::Url;

/// A workspace's OAuth endpoints, checked to be https (or http on loopback).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoints {
    pub authorization: Url,
    pub token: Url,
}

/// Where discovery is, for the "Add workspace" dialog.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum DiscoveryStep {
    /// Asking the workspace for its configuration.
    Contacting,
    /// Reading the sign-in server's metadata.
    ReadingSignInServer,
    Done,
}

/// `/.well-known/databricks-config` (databricks-sdk-go `config/host_metadata.go`). Ids may be
/// numbers or strings.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct HostMetadata {
    #[serde(default)]
    oidc_endpoint: Option<String>,
    #[serde(default, deserialize_with = "id_text")]
    pub account_id: Option<String>,
    #[serde(default, deserialize_with = "id_text")]
    pub workspace_id: Option<String>,
    /// `workspace`, `account` or `unified` (sdk-go lower-cases it before comparing).
    #[serde(default)]
    host_type: Option<String>,
}

fn id_text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Option::<serde_json::Value>::deserialize(d)? {
        Some(serde_json::Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Some(serde_json::Value::Number(n)) => Some(n.to_string()),
        _ => None,
    })
}

impl HostMetadata {
    /// Whether the host serves several workspaces: `host_type` says `unified`, or the issuer
    /// is an account's (`/oidc/accounts/`), the signal the CLI keys on.
    pub fn is_unified(&self) -> bool {
        self.host_type
            .as_deref()
            .is_some_and(|t| t.trim().eq_ignore_ascii_case("unified"))
            || self
                .oidc_endpoint
                .as_deref()
                .is_some_and(|e| e.contains("/oidc/accounts/"))
    }
}

#[derive(Deserialize)]
struct ServerMetadata {
    authorization_endpoint: String,
    token_endpoint: String,
}

/// The host's metadata document, or `None` for any answer that is not one: both SDKs treat
/// `/.well-known/databricks-config` as a best-effort probe and fall back to the standard
/// OIDC paths on every failure (databricks-sdk-go `Config.resolveHostMetadata`,
/// databricks-sdk-py `Config._resolve_host_metadata`): older workspaces answer 404, others a
/// redirect to a login page, 401/403, 5xx or HTML. Only a failure to reach the host at all is
/// an error, since the fallback would ask the same host.
pub async fn host_metadata(
    client: &reqwest::Client,
    host: &WorkspaceHost,
) -> Result<Option<HostMetadata>, ErrorInfo> {
    let response = client
        .get(host.join("/.well-known/databricks-config"))
        .header("Accept", "application/json")
        .send()
        .await
        .map_err(|e| transport_error(&e, host.as_str()))?;
    if !response.status().is_success() {
        tracing::info!(status = %response.status(), "no host metadata; using the standard OIDC paths");
        return Ok(None);
    }
    Ok(http_body::read(response, http_body::SIGN_IN)
        .await
        .ok()
        .and_then(|body| serde_json::from_slice(&body).ok()))
}

async fn server_metadata(
    client: &reqwest::Client,
    url: Url,
    host: &WorkspaceHost,
) -> Result<Option<ServerMetadata>, ErrorInfo> {
    let name = host.as_str();
    let response = client
        .get(url)
        .header("Accept", "application/json")
        .send()
        .await
        .map_err(|e| transport_error(&e, name))?;
    if response.status() == reqwest::StatusCode::NOT_FOUND {
        return Ok(None);
    }
    if !response.status().is_success() {
        return Err(ErrorInfo::new(
            ErrorCode::Server,
            format!(
                "{name} answered {} instead of its sign-in configuration. Check that this is a \
                 Databricks workspace URL.",
                response.status()
            ),
        ));
    }
    let body = http_body::read(response, http_body::SIGN_IN)
        .await
        .map_err(|e| match e {
            http_body::BodyError::Transport(e) => transport_error(&e, name),
            http_body::BodyError::TooLarge { limit } => http_body::too_large(name, limit),
        })?;
    Ok(serde_json::from_slice(&body).ok())
}

/// The OIDC issuer named by host metadata, with `{account_id}` filled in as the SDKs do (from
/// the document's own `account_id`, else the profile's); `None` when it cannot be used.
fn issuer_of(
    metadata: &HostMetadata,
    account_id: Option<&str>,
    host: &WorkspaceHost,
) -> Option<Url> {
    let raw = metadata
        .oidc_endpoint
        .clone()
        .filter(|e| !e.trim().is_empty())?;
    let raw = if raw.contains("{account_id}") {
        let account = metadata
            .account_id
            .as_deref()
            .or(account_id)
            .filter(|a| !a.is_empty())?;
        raw.replace("{account_id}", account)
    } else {
        raw
    };
    match endpoint(raw.trim_end_matches('/'), host) {
        Ok(url) => Some(url),
        Err(_) => {
            // Never follow a plain-http issuer; the host's own /oidc is still https.
            tracing::warn!("host metadata names an issuer that is not https; ignoring it");
            None
        }
    }
}

/// `raw` as a sign-in endpoint: https, or plain http only when the workspace itself is on
/// this computer (the emulator) and so is the endpoint. A remote workspace's discovery
/// document cannot send tokens over plain http, not even to a loopback address.
fn endpoint(raw: &str, host: &WorkspaceHost) -> Result<Url, ErrorInfo> {
    let url = Url::parse(raw).ok().filter(|u| {
        u.scheme() == "https"
            || (u.scheme() == "http"
                && host.is_loopback()
                && WorkspaceHost::parse(u.origin().ascii_serialization().as_str())
                    .is_ok_and(|h| h.is_loopback()))
    });
    url.ok_or_else(|| {
        ErrorInfo::new(
            ErrorCode::Server,
            format!(
                "{} published a sign-in endpoint that is not https. Brickdesk only signs in over \
                 encrypted connections.",
                host.as_str()
            ),
        )
    })
}

/// What discovery found: the endpoints, and what the host's document says about it.
#[derive(Debug, Clone)]
pub struct Discovered {
    pub endpoints: Endpoints,
    /// `None` when the host has no usable document.
    pub metadata: Option<HostMetadata>,
}

/// Discovers `host`'s endpoints, reporting each step to `progress`. `account_id` fills an
/// `{account_id}` placeholder in the host metadata when the document does not name one.
pub async fn discover(
    client: &reqwest::Client,
    host: &WorkspaceHost,
    account_id: Option<&str>,
    progress: impl Fn(DiscoveryStep),
) -> Result<Discovered, ErrorInfo> {
    progress(DiscoveryStep::Contacting);
    let metadata = host_metadata(client, host).await?;
    let issuer = metadata
        .as_ref()
        .and_then(|metadata| issuer_of(metadata, account_id, host))
        .unwrap_or_else(|| host.join("/oidc"));
    progress(DiscoveryStep::ReadingSignInServer);
    let mut metadata_url = issuer.clone();
    metadata_url.set_path(&format!(
        "{}/.well-known/oauth-authorization-server",
        issuer.path().trim_end_matches('/')
    ));
    let Some(server) = server_metadata(client, metadata_url, host).await? else {
        return Err(ErrorInfo::new(
            ErrorCode::Server,
            format!(
                "{} does not publish OAuth sign-in metadata. Check that this is a Databricks \
                 workspace URL (not an account console or a custom domain).",
                host.as_str()
            ),
        ));
    };
    let endpoints = Endpoints {
        authorization: endpoint(&server.authorization_endpoint, host)?,
        token: endpoint(&server.token_endpoint, host)?,
    };
    progress(DiscoveryStep::Done);
    Ok(Discovered {
        endpoints,
        metadata,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host() -> WorkspaceHost {
        WorkspaceHost::parse("https://dbc-1.cloud.databricks.com").expect("host")
    }

    fn metadata(oidc: &str, account: Option<&str>) -> HostMetadata {
        HostMetadata {
            oidc_endpoint: Some(oidc.into()),
            account_id: account.map(str::to_owned),
            ..HostMetadata::default()
        }
    }

    #[test]
    fn a_unified_host_is_known_by_its_type_or_its_account_issuer() {
        let read = |json: &str| serde_json::from_str::<HostMetadata>(json).expect(json);
        // The shapes of databricks-sdk-go's tests (`auth_profiles_test.go`, "SPOGW") and the
        // CLI's (`cmd/auth/login_test.go`); ids may be numbers.
        let spog = read(
            r#"{"oidc_endpoint":"https://acme.example/oidc/accounts/{account_id}","account_id":"acct-1","workspace_id":900800700600,"cloud":"AWS","host_type":"UNIFIED"}"#,
        );
        assert!(spog.is_unified());
        assert_eq!(spog.workspace_id.as_deref(), Some("900800700600"));
        assert!(
            read(r#"{"oidc_endpoint":"https://spog.example.com/oidc/accounts/discovered-account","account_id":"discovered-account"}"#)
                .is_unified()
        );
        assert!(read(r#"{"host_type":"unified","account_id":"acct-123"}"#).is_unified());
        let workspace = read(
            r#"{"oidc_endpoint":"https://dbc-1.example/oidc","workspace_id":"42","host_type":"workspace"}"#,
        );
        assert!(!workspace.is_unified());
        assert_eq!(workspace.account_id, None);
    }

    #[test]
    fn the_account_placeholder_is_filled_as_the_sdks_do() {
        let placeholder = "https://dbc-1.cloud.databricks.com/oidc/accounts/{account_id}/";
        assert_eq!(
            issuer_of(&metadata(placeholder, Some("abc")), None, &host())
                .map(|u| u.to_string())
                .as_deref(),
            Some("https://dbc-1.cloud.databricks.com/oidc/accounts/abc")
        );
        assert_eq!(
            issuer_of(&metadata(placeholder, None), Some("from-profile"), &host())
                .map(|u| u.path().to_owned())
                .as_deref(),
            Some("/oidc/accounts/from-profile")
        );
        assert!(
            issuer_of(&metadata(placeholder, None), None, &host()).is_none(),
            "no account id: the standard paths"
        );
        assert!(
            issuer_of(&metadata("http://evil.example/oidc", None), None, &host()).is_none(),
            "a plain-http issuer is ignored"
        );
        assert!(issuer_of(&metadata("", None), None, &host()).is_none());
    }

    #[test]
    fn plain_http_endpoints_only_for_a_workspace_on_this_computer() {
        let remote = host();
        for raw in [
            "http://127.0.0.1:9/oidc/v1/token",
            "http://evil.example/token",
        ] {
            assert!(endpoint(raw, &remote).is_err(), "{raw}");
        }
        assert!(endpoint("https://dbc-1.cloud.databricks.com/oidc/v1/token", &remote).is_ok());
        let local = WorkspaceHost::parse("http://127.0.0.1:8787").expect("host");
        assert!(endpoint("http://127.0.0.1:8787/oidc/v1/token", &local).is_ok());
        assert!(endpoint("http://evil.example/token", &local).is_err());
    }
}
