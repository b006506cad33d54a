//! Finding a workspace's OAuth endpoints: `/.well-known/databricks-config` names the OIDC
//! issuer, whose RFC 8414 metadata names the endpoints; workspaces without the first document
//! are asked `/oidc/.well-known/oauth-authorization-server` directly.

use crate::host::WorkspaceHost;
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

#[derive(Deserialize)]
struct HostMetadata {
    oidc_endpoint: Option<String>,
}

#[derive(Deserialize)]
struct ServerMetadata {
    authorization_endpoint: String,
    token_endpoint: String,
}

async fn get_json<T: serde::de::DeserializeOwned>(
    client: &reqwest::Client,
    url: Url,
    host: &WorkspaceHost,
) -> Result<Option<T>, ErrorInfo> {
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
    let body = response
        .bytes()
        .await
        .map_err(|e| transport_error(&e, name))?;
    Ok(serde_json::from_slice(&body).ok())
}

fn endpoint(raw: &str, host: &WorkspaceHost) -> Result<Url, ErrorInfo> {
    let url = Url::parse(raw).ok().filter(|u| {
        u.scheme() == "https"
            || (u.scheme() == "http"
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

/// Discovers `host`'s endpoints, reporting each step to `progress`.
pub async fn discover(
    client: &reqwest::Client,
    host: &WorkspaceHost,
    progress: impl Fn(DiscoveryStep),
) -> Result<Endpoints, ErrorInfo> {
    progress(DiscoveryStep::Contacting);
    let issuer =
        match get_json::<HostMetadata>(client, host.join("/.well-known/databricks-config"), host)
            .await?
        {
            Some(HostMetadata {
                oidc_endpoint: Some(issuer),
            }) => endpoint(&issuer, host)?,
            _ => host.join("/oidc"),
        };
    progress(DiscoveryStep::ReadingSignInServer);
    let mut metadata_url = issuer.clone();
    metadata_url.set_path(&format!(
        "{}/.well-known/oauth-authorization-server",
        issuer.path().trim_end_matches('/')
    ));
    let Some(metadata) = get_json::<ServerMetadata>(client, metadata_url, host).await? else {
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
        authorization: endpoint(&metadata.authorization_endpoint, host)?,
        token: endpoint(&metadata.token_endpoint, host)?,
    };
    progress(DiscoveryStep::Done);
    Ok(endpoints)
}
