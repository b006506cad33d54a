//! IT policy: managed workspaces and restrictions an administrator sets for every user.
//!
//! Read from a per-OS file (`%ProgramData%\Brickdesk\policy.json`, `/Library/Application
//! Support/Brickdesk/policy.json`, `/etc/brickdesk/policy.json`; `BRICKDESK_POLICY_FILE`
//! overrides the location) and from the OS's managed settings ([`managed`]: the Windows
//! registry, macOS managed preferences), which win key by key. Policy wins over the user's own
//! settings. A malformed source is reported and ignored as a whole, so a typo never
//! half-applies. Managed workspaces are shown locked: the user can sign in but not edit or
//! remove them. `docs/admin-guide.md` documents every key (a test checks).

pub mod managed;

use crate::net::NetworkSettings;
use crate::profiles::Profile;
use crate::{ErrorCode, ErrorInfo};
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// Every key the policy understands (the admin guide documents each).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct Policy {
    /// Workspaces every user gets, locked.
    pub workspaces: Vec<Profile>,
    /// Whether users may add their own workspaces.
    pub allow_user_workspaces: bool,
    /// Whether personal access tokens may be used.
    pub allow_personal_access_tokens: bool,
    /// `http://proxy.corp:8080`, for every request.
    pub proxy: Option<String>,
    pub no_proxy: Option<String>,
    /// A PEM file of extra root certificates (TLS inspection).
    pub ca_bundle: Option<PathBuf>,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            workspaces: Vec::new(),
            allow_user_workspaces: true,
            allow_personal_access_tokens: true,
            proxy: None,
            no_proxy: None,
            ca_bundle: None,
        }
    }
}

/// The policy file's location on this OS.
pub fn default_path() -> PathBuf {
    if let Some(path) = std::env::var_os("BRICKDESK_POLICY_FILE").filter(|p| !p.is_empty()) {
        return PathBuf::from(path);
    }
    if cfg!(target_os = "windows") {
        let base = std::env::var_os("ProgramData").unwrap_or_else(|| "C:\\ProgramData".into());
        PathBuf::from(base).join("Brickdesk").join("policy.json")
    } else if cfg!(target_os = "macos") {
        PathBuf::from("/Library/Application Support/Brickdesk/policy.json")
    } else {
        PathBuf::from("/etc/brickdesk/policy.json")
    }
}

/// The policy in force (the file at `path` with this OS's managed settings over it), and a
/// notice for each source that was there but could not be used.
pub fn load(path: &Path) -> (Policy, Vec<ErrorInfo>) {
    load_with(path, managed::read_os())
}

/// [`load`] with the OS-managed settings given: `(where they came from, their object)`.
pub fn load_with(path: &Path, os: Option<managed::OsPolicy>) -> (Policy, Vec<ErrorInfo>) {
    let mut notices = Vec::new();
    let file = match std::fs::read_to_string(path) {
        Ok(text) => match serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(&text)
        {
            Ok(object) => Some(object),
            Err(e) => {
                notices.push(ignored(&path.display().to_string(), &e.to_string()));
                None
            }
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => {
            notices.push(ignored(&path.display().to_string(), &e.to_string()));
            None
        }
    };
    let os = match os {
        Some((_, Ok(object))) => Some(object),
        Some((place, Err(reason))) => {
            notices.push(ignored(&place, &reason));
            None
        }
        None => None,
    };
    if file.is_none() && os.is_none() {
        return (Policy::default(), notices);
    }
    let merged = managed::merge(file.unwrap_or_default(), os.unwrap_or_default());
    match parse_value(serde_json::Value::Object(merged)) {
        Ok(policy) => (policy, notices),
        Err(reason) => {
            notices.push(ignored(&path.display().to_string(), &reason));
            (Policy::default(), notices)
        }
    }
}

fn ignored(place: &str, reason: &str) -> ErrorInfo {
    ErrorInfo::new(
        ErrorCode::Config,
        format!(
            "Your organisation's Brickdesk policy at {place} could not be used ({reason}), so it \
             is ignored. Tell your IT department."
        ),
    )
}

pub fn parse(text: &str) -> Result<Policy, String> {
    parse_value(serde_json::from_str(text).map_err(|e| e.to_string())?)
}

/// Validates a policy object (from any source, merged).
pub fn parse_value(value: serde_json::Value) -> Result<Policy, String> {
    let policy: Policy = serde_json::from_value(value).map_err(|e| e.to_string())?;
    for profile in &policy.workspaces {
        profile
            .validate()
            .map_err(|e| format!("workspace {:?}: {}", profile.id, e.message))?;
    }
    Ok(policy)
}

impl Policy {
    /// Network settings: policy values, the CA bundle read from its file.
    pub fn network(&self) -> Result<NetworkSettings, ErrorInfo> {
        let extra_ca_pem = match &self.ca_bundle {
            None => None,
            Some(path) => Some(std::fs::read(path).map_err(|e| {
                ErrorInfo::new(
                    ErrorCode::Config,
                    format!(
                        "The CA bundle {} named by your organisation's policy cannot be read: {e}. \
                         Tell your IT department.",
                        path.display()
                    ),
                )
            })?),
        };
        Ok(NetworkSettings {
            proxy: self.proxy.clone(),
            no_proxy: self.no_proxy.clone(),
            extra_ca_pem,
        })
    }

    pub fn is_managed(&self, id: &str) -> bool {
        self.workspaces.iter().any(|p| p.id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn managed_workspaces_and_switches_parse() {
        let policy = parse(
            r#"{"workspaces": [{"id": "corp", "name": "Corp", "host": "https://corp.cloud.databricks.com",
                 "auth": {"kind": "appConnection", "clientId": "brickdesk"}}],
                "allowUserWorkspaces": false, "proxy": "http://proxy.corp:8080"}"#,
        )
        .expect("valid");
        assert!(policy.is_managed("corp"));
        assert!(!policy.allow_user_workspaces);
        assert!(
            policy.allow_personal_access_tokens,
            "unset keys keep defaults"
        );
        assert_eq!(
            policy.network().expect("net").proxy.as_deref(),
            Some("http://proxy.corp:8080")
        );
    }

    #[test]
    fn a_malformed_policy_is_reported_and_ignored() {
        let dir = std::env::temp_dir().join(format!("brickdesk-policy-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let path = dir.join("policy.json");
        std::fs::write(&path, r#"{"alowUserWorkspaces": false}"#).expect("write");
        let (policy, notices) = load_with(&path, None);
        assert_eq!(policy, Policy::default());
        let notice = notices.first().expect("reported");
        assert!(
            notice.message.contains("alowUserWorkspaces"),
            "{}",
            notice.message
        );
        std::fs::write(&path, r#"{"workspaces": [{"id": "x", "name": "X", "host": "http://x.example", "auth": {"kind": "databricksCli"}}]}"#).expect("write");
        assert!(
            !load_with(&path, None).1.is_empty(),
            "an invalid workspace invalidates the policy"
        );
        assert_eq!(
            load_with(&dir.join("missing.json"), None),
            (Policy::default(), vec![])
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
