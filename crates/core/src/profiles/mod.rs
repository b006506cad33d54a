//! Workspace profiles: what Brickdesk knows about each workspace a user works in.
//!
//! Boundary: profiles hold no secret. Client secrets, refresh tokens and personal access tokens
//! live in the [vault](crate::vault), keyed by profile id. Profiles come from the user's config
//! file ([`file`]), from an IT policy ([`crate::policy`], shown as managed and locked), or from an
//! import of `~/.databrickscfg` ([`databrickscfg`]).

pub mod databrickscfg;
pub mod file;

use crate::host::{WorkspaceAddress, WorkspaceHost};
use crate::{ErrorCode, ErrorInfo};
use serde::{Deserialize, Serialize};

/// The public OAuth client every Databricks workspace has, and its registered redirect.
pub const DATABRICKS_CLI_CLIENT_ID: &str = "databricks-cli";
pub const DATABRICKS_CLI_REDIRECT: &str = "http://localhost:8020";
/// The private-use scheme redirect (RFC 8252 §7.1) an app connection registers for Brickdesk.
pub const DEEP_LINK_REDIRECT: &str = "dev.brickdesk.app:/oauth/callback";
/// The loopback port used when a profile does not name one.
pub const DEFAULT_LOOPBACK_PORT: u16 = 8765;
pub const DEFAULT_SCOPES: &str = "all-apis offline_access";

/// How Brickdesk signs in to a workspace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum AuthKind {
    /// OAuth U2M with an app connection registered for Brickdesk. `confidential` app
    /// connections have a client secret, which lives in the vault.
    #[serde(rename_all = "camelCase")]
    AppConnection {
        client_id: String,
        #[serde(default)]
        confidential: bool,
    },
    /// OAuth U2M with the built-in public `databricks-cli` client over its loopback redirect.
    DatabricksCli,
    /// OAuth M2M as a service principal (shared screens); the secret lives in the vault.
    #[serde(rename_all = "camelCase")]
    ServicePrincipal { client_id: String },
    /// A personal access token, which lives in the vault.
    PersonalAccessToken,
}

impl AuthKind {
    /// Whether signing in opens a browser.
    pub fn is_interactive(&self) -> bool {
        matches!(self, Self::AppConnection { .. } | Self::DatabricksCli)
    }
}

/// What a workspace's app connection (or service principal secret) lets Brickdesk use, as
/// OAuth scopes. BI-style app connections often allow only `sql`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum Access {
    /// `all-apis`: the SQL runner, Genie and the catalog browser.
    Everything,
    /// `sql`: the SQL runner (warehouses, statements) and catalog lists read through SQL.
    /// Genie needs `all-apis` (or the `genie` scope).
    SqlOnly,
}

impl Access {
    /// The scopes to ask for. U2M adds `offline_access` for a refresh token; M2M has none.
    pub fn scopes(self, auth: &AuthKind) -> String {
        let api = match self {
            Self::Everything => "all-apis",
            Self::SqlOnly => "sql",
        };
        match auth {
            AuthKind::ServicePrincipal { .. } | AuthKind::PersonalAccessToken => api.to_owned(),
            _ => format!("{api} offline_access"),
        }
    }

    /// What `scopes` amounts to: `all-apis` is everything; otherwise `sql` without it is SQL
    /// only; anything else (fine-grained scopes from IT) is taken as everything it names.
    pub fn of(scopes: &str) -> Self {
        let has = |name: &str| scopes.split_whitespace().any(|s| s == name);
        if !has("all-apis") && has("sql") && !has("genie") {
            Self::SqlOnly
        } else {
            Self::Everything
        }
    }
}

/// Where the browser sends the user back after signing in (U2M).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum RedirectMode {
    /// `dev.brickdesk.app:/oauth/callback`, caught by the OS and handed to the app.
    DeepLink,
    /// `http://127.0.0.1:<port>/oauth/callback`, for identity providers that refuse custom
    /// schemes (RFC 8252 §7.3).
    Loopback { port: u16 },
}

/// One workspace profile, as stored in the config file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct Profile {
    pub id: String,
    pub name: String,
    pub host: String,
    pub auth: AuthKind,
    #[serde(default = "default_scopes")]
    pub scopes: String,
    #[serde(default = "default_redirect")]
    pub redirect: RedirectMode,
    /// For account-level endpoints.
    #[serde(default)]
    pub account_id: Option<String>,
    /// The workspace on a host that serves several (an account's custom URL, `?o=<id>` in the
    /// browser's address): every workspace call names it in `X-Databricks-Workspace-Id`.
    /// A `?o=` left in `host` (a policy or a hand-edited file) counts too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workspace_id: Option<String>,
    /// Statements ask for LZ4-compressed results (`result_compression`); IT or the user can
    /// turn it off for a workspace whose warehouses mishandle it.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub compressed_results: bool,
    #[serde(default)]
    pub default_warehouse_id: Option<String>,
    #[serde(default)]
    pub pinned_spaces: Vec<String>,
}

fn yes() -> bool {
    true
}

#[allow(clippy::trivially_copy_pass_by_ref)] // serde's `skip_serializing_if` passes a reference
fn is_true(value: &bool) -> bool {
    *value
}

fn default_scopes() -> String {
    DEFAULT_SCOPES.into()
}

fn default_redirect() -> RedirectMode {
    RedirectMode::DeepLink
}

impl Profile {
    /// The host, validated (https, or http on loopback).
    pub fn workspace_host(&self) -> Result<WorkspaceHost, ErrorInfo> {
        WorkspaceHost::parse(&self.host)
    }

    /// The workspace id every workspace call carries, if the host serves several: the
    /// profile's own, else one named in `host`'s query.
    pub fn workspace_id(&self) -> Option<String> {
        self.workspace_id
            .clone()
            .filter(|id| crate::host::valid_workspace_id(id))
            .or_else(|| {
                WorkspaceAddress::parse(&self.host)
                    .ok()
                    .and_then(|a| a.workspace_id)
            })
    }

    /// The host's origin (as written, if it does not parse).
    pub fn origin(&self) -> String {
        self.workspace_host()
            .map_or_else(|_| self.host.clone(), |h| h.to_string())
    }

    /// Where the workspace is, for people: the host without its scheme, and the workspace id
    /// when the host serves several (`acme.cloud.databricks.com · workspace 1234`).
    pub fn location(&self) -> String {
        let host = self.origin();
        let host = host.split_once("://").map_or(host.as_str(), |(_, h)| h);
        match self.workspace_id() {
            Some(id) => format!("{host} \u{b7} workspace {id}"),
            None => host.to_owned(),
        }
    }

    /// The redirect URI the authorize request names, exactly as the app connection registers it.
    pub fn redirect_uri(&self) -> String {
        match (&self.auth, self.redirect) {
            (AuthKind::DatabricksCli, _) => DATABRICKS_CLI_REDIRECT.into(),
            (_, RedirectMode::DeepLink) => DEEP_LINK_REDIRECT.into(),
            (_, RedirectMode::Loopback { port }) => {
                format!("http://127.0.0.1:{port}/oauth/callback")
            }
        }
    }

    /// What the profile's secrets are bound to: its host and OAuth client
    /// ([`crate::vault::Binding`]).
    ///
    /// Two workspaces of one host are bound apart by the workspace id, so a token kept for
    /// one is never read as the other's. Without an id the binding is the host alone, as it
    /// always was (secrets stored by earlier versions stay readable).
    pub fn binding(&self) -> crate::vault::Binding {
        match self.workspace_id() {
            Some(id) => {
                crate::vault::Binding::of(&format!("{}?o={id}", self.origin()), self.client_id())
            }
            None => crate::vault::Binding::of(&self.host, self.client_id()),
        }
    }

    /// What the profile's scopes let Brickdesk use.
    pub fn access(&self) -> Access {
        Access::of(&self.scopes)
    }

    /// The OAuth client id, for OAuth kinds.
    pub fn client_id(&self) -> Option<&str> {
        match &self.auth {
            AuthKind::AppConnection { client_id, .. }
            | AuthKind::ServicePrincipal { client_id } => Some(client_id),
            AuthKind::DatabricksCli => Some(DATABRICKS_CLI_CLIENT_ID),
            AuthKind::PersonalAccessToken => None,
        }
    }

    /// Checks what a user (or a file) may have got wrong, with a sentence per problem.
    pub fn validate(&self) -> Result<(), ErrorInfo> {
        let invalid = |m: &str| Err(ErrorInfo::new(ErrorCode::InvalidInput, m));
        self.workspace_host()?;
        if self
            .workspace_id
            .as_deref()
            .is_some_and(|id| !crate::host::valid_workspace_id(id))
        {
            return invalid(
                "A workspace id uses only letters, digits, '-' and '_' (at most 64), like the \
                 number after ?o= in the workspace's address.",
            );
        }
        if self.name.trim().is_empty() || self.name.chars().count() > 80 {
            return invalid("Use a workspace name of 1 to 80 characters.");
        }
        if !valid_id(&self.id) {
            return invalid("A profile id uses only letters, digits, '-' and '_' (at most 64).");
        }
        if let Some(client_id) = self.client_id()
            && (client_id.trim().is_empty() || client_id.len() > 200)
        {
            return invalid("Enter the OAuth client id of the app connection.");
        }
        if let RedirectMode::Loopback { port } = self.redirect
            && port < 1024
        {
            return invalid("Use a loopback port of 1024 or above.");
        }
        if self.scopes.split_whitespace().next().is_none() {
            return invalid("Enter at least one OAuth scope, for example all-apis.");
        }
        Ok(())
    }
}

/// Profile ids are used in keychain entry names and deep links.
pub fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile(auth: AuthKind, redirect: RedirectMode) -> Profile {
        Profile {
            id: "p1".into(),
            name: "Sales".into(),
            host: "https://dbc-1.cloud.databricks.com".into(),
            auth,
            scopes: DEFAULT_SCOPES.into(),
            redirect,
            account_id: None,
            workspace_id: None,
            compressed_results: true,
            default_warehouse_id: None,
            pinned_spaces: vec![],
        }
    }

    #[test]
    fn two_workspaces_of_one_host_are_bound_apart_and_an_old_binding_is_unchanged() {
        let mut first = profile(AuthKind::DatabricksCli, RedirectMode::DeepLink);
        let plain = first.binding();
        assert_eq!(
            plain,
            crate::vault::Binding::of("https://dbc-1.cloud.databricks.com", Some("databricks-cli")),
            "a profile without a workspace id keeps the binding earlier versions stored"
        );
        first.workspace_id = Some("111".into());
        let mut second = first.clone();
        second.workspace_id = Some("222".into());
        assert_ne!(first.binding(), second.binding());
        assert_ne!(first.binding(), plain);
        // A `?o=` in the host (from a policy file) is the same workspace as the field.
        let mut in_host = profile(AuthKind::DatabricksCli, RedirectMode::DeepLink);
        in_host.host = "https://dbc-1.cloud.databricks.com/?o=111".into();
        assert_eq!(in_host.workspace_id().as_deref(), Some("111"));
        assert_eq!(in_host.binding(), first.binding());
        assert_eq!(
            in_host.location(),
            "dbc-1.cloud.databricks.com \u{b7} workspace 111"
        );
        second.workspace_id = Some("bad id".into());
        assert!(second.validate().is_err());
    }

    #[test]
    fn redirect_uris_match_what_clients_register() {
        let app = AuthKind::AppConnection {
            client_id: "brickdesk".into(),
            confidential: false,
        };
        assert_eq!(
            profile(app.clone(), RedirectMode::DeepLink).redirect_uri(),
            "dev.brickdesk.app:/oauth/callback"
        );
        assert_eq!(
            profile(app, RedirectMode::Loopback { port: 8765 }).redirect_uri(),
            "http://127.0.0.1:8765/oauth/callback"
        );
        assert_eq!(
            profile(AuthKind::DatabricksCli, RedirectMode::DeepLink).redirect_uri(),
            "http://localhost:8020"
        );
    }

    #[test]
    fn access_is_read_from_and_written_as_scopes() {
        let app = AuthKind::DatabricksCli;
        let bot = AuthKind::ServicePrincipal {
            client_id: "bot".into(),
        };
        assert_eq!(Access::Everything.scopes(&app), "all-apis offline_access");
        assert_eq!(Access::SqlOnly.scopes(&app), "sql offline_access");
        assert_eq!(Access::SqlOnly.scopes(&bot), "sql");
        assert_eq!(Access::of("all-apis offline_access"), Access::Everything);
        assert_eq!(Access::of("sql offline_access"), Access::SqlOnly);
        assert_eq!(Access::of("sql genie offline_access"), Access::Everything);
    }

    #[test]
    fn validation_names_the_problem() {
        let mut p = profile(AuthKind::PersonalAccessToken, RedirectMode::DeepLink);
        assert!(p.validate().is_ok());
        p.host = "http://example.com".into();
        assert_eq!(
            p.validate().map_err(|e| e.code),
            Err(ErrorCode::InvalidInput)
        );
        p.host = "https://a.example".into();
        p.id = "bad id/../".into();
        assert!(p.validate().is_err());
        let p = profile(
            AuthKind::AppConnection {
                client_id: " ".into(),
                confidential: false,
            },
            RedirectMode::Loopback { port: 80 },
        );
        assert!(
            p.validate()
                .expect_err("no client")
                .message
                .contains("client id")
        );
    }

    #[test]
    fn the_file_format_is_readable_and_stable() {
        let p = profile(
            AuthKind::AppConnection {
                client_id: "brickdesk".into(),
                confidential: true,
            },
            RedirectMode::Loopback { port: 8765 },
        );
        let json = serde_json::to_value(&p).expect("json");
        assert_eq!(
            json["auth"],
            serde_json::json!({"kind": "appConnection", "clientId": "brickdesk", "confidential": true})
        );
        assert_eq!(
            json["redirect"],
            serde_json::json!({"kind": "loopback", "port": 8765})
        );
        let minimal: Profile = serde_json::from_value(serde_json::json!({
            "id": "x", "name": "X", "host": "https://x.example", "auth": {"kind": "databricksCli"}
        }))
        .expect("defaults fill in");
        assert_eq!(minimal.scopes, DEFAULT_SCOPES);
        assert_eq!(minimal.redirect, RedirectMode::DeepLink);
    }
}
