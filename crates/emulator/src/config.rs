//! Emulator configuration: built-in demo defaults, optionally replaced by a JSON file.
//!
//! Every top-level field has a demo default, so a config file lists only what it changes;
//! unknown keys are errors so that a typo never silently falls back to the default.

use crate::faults::FaultRule;
use crate::genie::{GenieLimits, GeniePreviews, SpaceConfig};
use crate::store::Subject;
use crate::warehouses::WarehouseConfig;
use serde::Deserialize;
use std::path::Path;

/// Everything that shapes the emulated workspace.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Numeric workspace id, as in `/.well-known/databricks-config`.
    pub workspace_id: String,
    pub account_id: String,
    /// `AWS`, `AZURE` or `GCP`.
    pub cloud: String,
    /// Sign in as this user at once, without the sign-in page (tests).
    pub auto_approve: Option<String>,
    /// Seed for generated ids, tokens and data: the same seed gives the same run.
    pub seed: u64,
    pub users: Vec<User>,
    pub clients: Vec<OAuthClient>,
    pub service_principals: Vec<ServicePrincipal>,
    pub tokens: TokenPolicy,
    /// How an unknown or expired access token is refused: 401, or 403 "Invalid access token."
    /// (both happen on real workspaces).
    pub invalid_token_status: u16,
    /// How `/.well-known/databricks-config` answers (the SDKs fall back to the standard OIDC
    /// paths on anything but the document).
    pub host_metadata: HostMetadataMode,
    /// The SQL session time zone (the `TIMEZONE` parameter; Databricks' default is UTC,
    /// which Spark names `Etc/UTC` in Arrow results). TIMESTAMP columns carry it.
    pub session_time_zone: String,
    pub warehouses: Vec<WarehouseConfig>,
    /// Genie spaces over the sample data.
    pub spaces: Vec<SpaceConfig>,
    pub genie: GenieLimits,
    /// Which Genie previews a workspace admin has turned on (Genie One API, Agent mode API).
    pub genie_previews: GeniePreviews,
    pub timings: Timings,
    /// Rendered external chunks of one result held in memory (MiB); the rest are kept in a
    /// temp file, so a result of tens of millions of rows does not fill the memory.
    pub result_memory_mib: u64,
    pub unity_catalog: UnityCatalogConfig,
    /// Faults active from start-up (more can be added at `POST /__emulator/faults`).
    pub faults: Vec<FaultRule>,
    /// The host result links name instead of the workspace's (`localhost` beside
    /// `127.0.0.1`): real results come from cloud storage, another host, which a proxy
    /// auto-config script may route apart from the workspace.
    pub storage_host: Option<String>,
    /// Serve several workspaces on this one host, as an account's custom URL does (a
    /// "unified host"); `None` is a workspace's own host. See [`crate::unified`].
    pub unified_host: Option<UnifiedHost>,
    /// What the warehouse does with `result_compression: LZ4_FRAME`.
    pub result_compression: ResultCompression,
}

/// How a statement's `result_compression` is treated.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResultCompression {
    /// ARROW_STREAM chunks from links come as LZ4 frames and the manifest says
    /// `result_compression: LZ4_FRAME` (databricks-jdbc's recordings from 2025).
    #[default]
    Honoured,
    /// Asked for, but the manifest names none and the chunks are plain Arrow (a recording of
    /// January 2025 in databricks-jdbc: all five requests asked for LZ4, none got it).
    Ignored,
    /// The field is refused as an invalid parameter (no source: a warehouse that does not
    /// know it; the client must still get its rows).
    Refused,
}

/// A host that serves several workspaces, each chosen per call by `X-Databricks-Workspace-Id`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnifiedHost {
    /// The workspaces, each with its own warehouses, statements and Genie; users, app
    /// connections and tokens are the account's, shared by all of them.
    pub workspaces: Vec<UnifiedWorkspace>,
    /// How a workspace call that names no workspace (or an unknown one) is answered.
    #[serde(default)]
    pub unrouted: Unrouted,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnifiedWorkspace {
    pub workspace_id: String,
    /// Replaces the top-level `warehouses` for this workspace.
    #[serde(default)]
    pub warehouses: Option<Vec<WarehouseConfig>>,
    /// Replaces the top-level `spaces` for this workspace.
    #[serde(default)]
    pub spaces: Option<Vec<SpaceConfig>>,
}

/// The answers sources describe for a call a unified host cannot route.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unrouted {
    /// A redirect to the login page (databricks-sdk-go #1699: "the response came back as the
    /// login HTML page"; databricks-sql-python `session.py`: "redirected to /login").
    #[default]
    LoginPage,
    /// 401 "Credential was not sent or was of an unsupported type for this API." (a PAT
    /// without the header, databricks/cli #5341; mlflow #22554 shows the status).
    CredentialNotSent,
}

/// The answers seen from `/.well-known/databricks-config` across workspaces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HostMetadataMode {
    /// The document, naming the workspace's own `/oidc` issuer.
    Document,
    /// The document, naming the issuer with an `{account_id}` placeholder (account and
    /// unified hosts; the client substitutes `account_id`).
    AccountPlaceholder,
    /// 404: workspaces from before the document existed.
    Missing,
    /// A redirect to the login page.
    Redirect,
    /// 401 or 403 with a Databricks error body.
    Unauthorized,
    Forbidden,
    /// 500 with a Databricks error body.
    ServerError,
    /// 200 with an HTML page (a proxy's or a login page).
    Html,
}

/// How long simulated work takes, and result lifetimes.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Timings {
    pub warehouse_start_ms: u64,
    pub warehouse_stop_ms: u64,
    /// Every statement runs at least this long (to watch progress and cancel it).
    pub statement_ms: u64,
    /// A SUCCEEDED result becomes CLOSED after this long (real service: 1 hour).
    pub result_ttl_secs: u64,
    /// External result links expire after this long (real service: at most 15 minutes).
    pub external_link_secs: u64,
    /// Rows per result chunk.
    pub chunk_rows: u64,
    /// External links in one response: 1 as the real service sends today; more exercise the
    /// list shape the API allows (each link names its `chunk_index`).
    pub external_links_per_response: u64,
    /// How long a Genie message stays in each status before the next one.
    pub genie_step_ms: u64,
    /// Result downloads share a line of this many megabits a second (an office line or a VPN);
    /// unlimited when not set.
    pub storage_link_mbit: Option<f64>,
}

impl Default for Timings {
    fn default() -> Self {
        Self {
            warehouse_start_ms: 4000,
            warehouse_stop_ms: 1000,
            statement_ms: 0,
            result_ttl_secs: 3600,
            external_link_secs: 900,
            chunk_rows: 100_000,
            external_links_per_response: 1,
            genie_step_ms: 700,
            storage_link_mbit: None,
        }
    }
}

/// A workspace user who can sign in on the authorize page.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct User {
    /// Numeric SCIM id.
    pub id: String,
    pub email: String,
    pub display_name: String,
    /// Ids of warehouses and Genie spaces this user may not use.
    #[serde(default)]
    pub denied: Vec<String>,
}

/// An OAuth app connection (or the built-in `databricks-cli` public client).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OAuthClient {
    pub client_id: String,
    pub name: String,
    /// Present for confidential clients, which must then authenticate at the token endpoint.
    #[serde(default)]
    pub secret: Option<String>,
    /// Compared byte for byte with the request's `redirect_uri`.
    pub redirect_uris: Vec<String>,
    /// Each refresh returns a new refresh token and invalidates the old one.
    #[serde(default)]
    pub single_use_refresh_tokens: bool,
    /// The access scopes the app connection allows (`all-apis`, `sql`, …); `offline_access`,
    /// `openid`, `profile` and `email` are always allowed, as the account console says.
    #[serde(default = "every_api")]
    pub scopes: Vec<String>,
}

/// `all-apis` and `sql`: an app connection that may use everything.
pub fn every_api() -> Vec<String> {
    vec!["all-apis".into(), "sql".into()]
}

/// Scopes every app connection allows without listing them.
pub const IDENTITY_SCOPES: [&str; 4] = ["offline_access", "openid", "profile", "email"];

/// Which of `requested` (space-separated) `allowed` does not cover, in order.
pub fn unassigned_scopes(requested: &str, allowed: &[String]) -> Vec<String> {
    requested
        .split_whitespace()
        .filter(|s| !IDENTITY_SCOPES.contains(s) && !allowed.iter().any(|a| a == s))
        .map(str::to_owned)
        .collect()
}

/// A service principal for the client-credentials (M2M) grant.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServicePrincipal {
    pub id: String,
    pub client_id: String,
    pub secret: String,
    pub display_name: String,
    #[serde(default)]
    pub denied: Vec<String>,
    /// The scopes its OAuth secret allows (secrets can be scoped, e.g. to `sql` only).
    #[serde(default = "every_api")]
    pub scopes: Vec<String>,
}

/// Unity Catalog list behaviour (`GET /api/2.1/unity-catalog/catalogs`, `/schemas`).
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct UnityCatalogConfig {
    /// Items per page when a client pages (`max_results=0` lets the server choose).
    pub page_size: usize,
    /// Whether a call without `max_results` gets everything at once. Databricks documents
    /// that "unpaginated requests … will soon be unsupported"; `false` refuses them.
    pub unpaginated_allowed: bool,
}

impl Default for UnityCatalogConfig {
    fn default() -> Self {
        Self {
            page_size: 50,
            unpaginated_allowed: true,
        }
    }
}

/// Lifetimes, in seconds.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TokenPolicy {
    pub access_token_secs: u64,
    pub refresh_token_secs: u64,
    pub authorization_code_secs: u64,
}

impl Default for TokenPolicy {
    fn default() -> Self {
        Self {
            access_token_secs: 3600,
            refresh_token_secs: 7 * 24 * 3600,
            authorization_code_secs: 300,
        }
    }
}

/// Fixed loopback port of the demo `brickdesk` app connection's fallback redirect.
pub const BRICKDESK_LOOPBACK_PORT: u16 = 8765;

impl Default for Config {
    fn default() -> Self {
        Self {
            workspace_id: "1234567890123456".into(),
            account_id: "00000000-0000-0000-0000-000000000000".into(),
            unified_host: None,
            result_compression: ResultCompression::Honoured,
            cloud: "AWS".into(),
            auto_approve: None,
            seed: 42,
            users: vec![
                User {
                    id: "7000000000000001".into(),
                    email: "alice@example.com".into(),
                    display_name: "Alice Analyst".into(),
                    denied: vec![],
                },
                User {
                    id: "7000000000000002".into(),
                    email: "bob@example.com".into(),
                    display_name: "Bob Builder".into(),
                    denied: vec![
                        "01f0c0ffee0000000000000000000002".into(),
                        "b0b0b0b0b0b0b0b0".into(),
                    ],
                },
            ],
            clients: vec![
                OAuthClient {
                    client_id: "databricks-cli".into(),
                    name: "Databricks CLI".into(),
                    secret: None,
                    redirect_uris: vec!["http://localhost:8020".into()],
                    single_use_refresh_tokens: false,
                    scopes: every_api(),
                },
                OAuthClient {
                    client_id: "brickdesk".into(),
                    name: "Brickdesk".into(),
                    secret: None,
                    redirect_uris: vec![
                        "dev.brickdesk.app:/oauth/callback".into(),
                        format!("http://127.0.0.1:{BRICKDESK_LOOPBACK_PORT}/oauth/callback"),
                    ],
                    single_use_refresh_tokens: true,
                    scopes: every_api(),
                },
                // A BI-style app connection: the SQL scope only, and only the loopback
                // redirect registered (no Brickdesk link).
                OAuthClient {
                    client_id: "brickdesk-sql".into(),
                    name: "Brickdesk (SQL only)".into(),
                    secret: None,
                    redirect_uris: vec![format!(
                        "http://127.0.0.1:{BRICKDESK_LOOPBACK_PORT}/oauth/callback"
                    )],
                    single_use_refresh_tokens: true,
                    scopes: vec!["sql".into()],
                },
                OAuthClient {
                    client_id: "brickdesk-confidential".into(),
                    name: "Brickdesk (confidential)".into(),
                    secret: Some("brickdesk-demo-secret".into()),
                    redirect_uris: vec![
                        "dev.brickdesk.app:/oauth/callback".into(),
                        format!("http://127.0.0.1:{BRICKDESK_LOOPBACK_PORT}/oauth/callback"),
                    ],
                    single_use_refresh_tokens: true,
                    scopes: every_api(),
                },
            ],
            service_principals: vec![ServicePrincipal {
                id: "8000000000000001".into(),
                client_id: "kpi-bot".into(),
                secret: "kpi-bot-secret".into(),
                display_name: "KPI bot".into(),
                denied: vec![],
                scopes: every_api(),
            }],
            tokens: TokenPolicy::default(),
            invalid_token_status: 403,
            host_metadata: HostMetadataMode::Document,
            session_time_zone: "Etc/UTC".into(),
            warehouses: vec![
                warehouse("a1b2c3d4e5f60718", "Starter Warehouse", "Small", "RUNNING"),
                warehouse(
                    "5f6e7d8c9b0a1234",
                    "Reporting Warehouse",
                    "Medium",
                    "STOPPED",
                ),
                warehouse(
                    "b0b0b0b0b0b0b0b0",
                    "Finance Warehouse",
                    "X-Small",
                    "RUNNING",
                ),
            ],
            spaces: crate::genie::demo_spaces(),
            genie: GenieLimits::default(),
            genie_previews: GeniePreviews::default(),
            timings: Timings::default(),
            result_memory_mib: 256,
            unity_catalog: UnityCatalogConfig::default(),
            faults: vec![],
            storage_host: None,
        }
    }
}

fn warehouse(id: &str, name: &str, size: &str, state: &str) -> WarehouseConfig {
    WarehouseConfig {
        id: id.into(),
        name: name.into(),
        cluster_size: size.into(),
        state: state.into(),
        serverless: true,
        fail_start: false,
    }
}

impl Config {
    /// Reads a JSON config file; the error names the file and what is wrong with it.
    pub fn from_file(path: &Path) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("cannot read config file {}: {e}", path.display()))?;
        let config: Self = serde_json::from_str(&text)
            .map_err(|e| anyhow::anyhow!("config file {} is not valid: {e}", path.display()))?;
        config
            .validate()
            .map_err(|e| anyhow::anyhow!("config file {}: {e}", path.display()))?;
        Ok(config)
    }

    fn validate(&self) -> anyhow::Result<()> {
        if !matches!(self.invalid_token_status, 401 | 403) {
            anyhow::bail!("invalid_token_status must be 401 or 403");
        }
        if self
            .session_time_zone
            .parse::<datafusion::arrow::array::timezone::Tz>()
            .is_err()
        {
            anyhow::bail!(
                "session_time_zone {:?} is not a time zone (use an IANA name such as \"America/New_York\", or \"Etc/UTC\")",
                self.session_time_zone
            );
        }
        if self.tokens.refresh_token_secs < self.tokens.access_token_secs {
            anyhow::bail!("tokens.refresh_token_secs must be at least tokens.access_token_secs");
        }
        for space in &self.spaces {
            if crate::genie::datasets::Dataset::by_name(&space.dataset).is_none() {
                anyhow::bail!(
                    "space {}: dataset must be \"nyctaxi\" or \"tpch\", not {:?}",
                    space.space_id,
                    space.dataset
                );
            }
            if !self.warehouses.iter().any(|w| w.id == space.warehouse_id) {
                anyhow::bail!(
                    "space {}: warehouse {} is not among the configured warehouses",
                    space.space_id,
                    space.warehouse_id
                );
            }
        }
        Ok(())
    }

    pub fn user_by_email(&self, email: &str) -> Option<&User> {
        self.users
            .iter()
            .find(|u| u.email.eq_ignore_ascii_case(email))
    }

    pub fn client(&self, client_id: &str) -> Option<&OAuthClient> {
        self.clients.iter().find(|c| c.client_id == client_id)
    }

    pub fn service_principal(&self, client_id: &str) -> Option<&ServicePrincipal> {
        self.service_principals
            .iter()
            .find(|s| s.client_id == client_id)
    }

    /// Whether `subject` is denied the warehouse or Genie space `resource_id`.
    pub fn is_denied(&self, subject: &Subject, resource_id: &str) -> bool {
        let denied = match subject {
            Subject::User(email) => self.user_by_email(email).map(|u| &u.denied),
            Subject::ServicePrincipal(id) => self.service_principal(id).map(|s| &s.denied),
        };
        denied.is_some_and(|list| list.iter().any(|d| d == resource_id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partial_files_keep_defaults_and_unknown_keys_are_errors() {
        let dir = std::env::temp_dir().join(format!("emu-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let good = dir.join("good.json");
        std::fs::write(
            &good,
            r#"{"cloud":"AZURE","tokens":{"access_token_secs":60}}"#,
        )
        .expect("write");
        let config = Config::from_file(&good).expect("valid");
        assert_eq!(config.cloud, "AZURE");
        assert_eq!(config.tokens.access_token_secs, 60);
        assert_eq!(
            config.tokens.refresh_token_secs,
            TokenPolicy::default().refresh_token_secs
        );
        assert_eq!(config.users.len(), 2, "users keep the demo default");

        let bad = dir.join("bad.json");
        std::fs::write(&bad, r#"{"clod":"AZURE"}"#).expect("write");
        let err = Config::from_file(&bad)
            .expect_err("unknown key")
            .to_string();
        assert!(err.contains("bad.json") && err.contains("clod"), "{err}");

        let status = dir.join("status.json");
        std::fs::write(&status, r#"{"invalid_token_status":500}"#).expect("write");
        let err = Config::from_file(&status)
            .expect_err("bad status")
            .to_string();
        assert!(err.contains("401 or 403"), "{err}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn demo_has_the_documented_identities() {
        let config = Config::default();
        assert!(config.user_by_email("ALICE@example.com").is_some());
        assert!(
            config
                .client("databricks-cli")
                .is_some_and(|c| c.secret.is_none())
        );
        assert!(
            config
                .client("brickdesk-confidential")
                .is_some_and(|c| c.secret.is_some())
        );
        assert_eq!(
            config
                .service_principal("kpi-bot")
                .map(|s| s.secret.as_str()),
            Some("kpi-bot-secret")
        );
    }
}
