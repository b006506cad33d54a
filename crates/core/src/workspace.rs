//! Workspaces as the UI sees them: the merged list of managed (policy) and user profiles, each
//! with its sign-in state. Contains no secret by construction.

use crate::profiles::{Access, AuthKind, Profile, RedirectMode};
use serde::{Deserialize, Serialize};

/// Where a workspace's sign-in stands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(tag = "state", rename_all = "camelCase")]
pub enum SignInState {
    /// No usable credential; `reason` says why when it was lost (revoked, expired…).
    #[serde(rename_all = "camelCase")]
    SignedOut { reason: Option<String> },
    /// Waiting for the browser.
    SigningIn,
    /// `user` is the SCIM user name once known; `expires_at_ms` the access token's expiry.
    #[serde(rename_all = "camelCase")]
    SignedIn {
        user: Option<String>,
        expires_at_ms: Option<f64>,
    },
    /// Something needs attention that signing in again would not fix (keychain, network).
    #[serde(rename_all = "camelCase")]
    Error { message: String },
}

impl SignInState {
    /// The state's name, for the log (no user name, no reason text).
    pub fn kind(&self) -> &'static str {
        match self {
            Self::SignedOut { .. } => "signed out",
            Self::SigningIn => "signing in",
            Self::SignedIn { .. } => "signed in",
            Self::Error { .. } => "error",
        }
    }
}

/// One workspace in the sidebar switcher.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct WorkspaceSummary {
    pub id: String,
    pub name: String,
    pub host: String,
    /// The workspace on a host that serves several (`?o=<id>`), which every call names.
    pub workspace_id: Option<String>,
    /// Where it is, for people: the host without its scheme, and the workspace id when the
    /// host serves several (`acme.cloud.databricks.com · workspace 1234`).
    pub location: String,
    /// Pre-configured by IT: the user can sign in but cannot edit or remove it.
    pub managed: bool,
    pub auth: AuthKind,
    pub redirect: RedirectMode,
    /// What its scopes let Brickdesk use (SQL only, or everything).
    pub access: Access,
    pub status: SignInState,
    /// Set when IT policy forbids using this workspace (one from the user's own settings
    /// while policy allows only IT's, or a personal access token while policy forbids them):
    /// the reason. Such a workspace is listed, can be removed, and is never used.
    pub blocked: Option<String>,
}

impl WorkspaceSummary {
    pub fn new(profile: &Profile, managed: bool, status: SignInState) -> Self {
        Self {
            id: profile.id.clone(),
            name: profile.name.clone(),
            host: profile.origin(),
            workspace_id: profile.workspace_id(),
            location: profile.location(),
            managed,
            auth: profile.auth.clone(),
            redirect: profile.redirect,
            access: profile.access(),
            status,
            blocked: None,
        }
    }
}

/// The switcher's whole state: every workspace, the active one, and what policy allows.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct WorkspaceList {
    pub workspaces: Vec<WorkspaceSummary>,
    pub active_id: Option<String>,
    /// False when IT forbids user-added workspaces.
    pub can_add: bool,
    /// False when IT forbids personal access tokens.
    pub can_use_tokens: bool,
    /// True when the OS keeps no sign-ins (a hardened Windows policy): they last until the
    /// app quits, and the user is told so.
    pub sign_ins_end_on_quit: bool,
}

/// Id of the workspace that points at the local emulator in the demo.
pub const DEMO_ID: &str = "demo";
