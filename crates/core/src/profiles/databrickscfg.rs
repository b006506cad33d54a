//! Importing workspaces from the Databricks CLI's `~/.databrickscfg` (or the file that
//! `DATABRICKS_CONFIG_FILE` names): host, client id, auth type and account id.
//!
//! Tokens, client secrets and passwords in that file are never imported: they are plaintext
//! there, and Brickdesk keeps secrets only in the keychain. The import says which profiles had
//! one, so the user can enter it (or sign in) in Brickdesk instead.

use super::{AuthKind, DEFAULT_SCOPES, Profile, RedirectMode};
use crate::host::WorkspaceAddress;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The file the Databricks tools read: `DATABRICKS_CONFIG_FILE`, else `~/.databrickscfg`.
pub fn default_path() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("DATABRICKS_CONFIG_FILE").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(path));
    }
    std::env::home_dir().map(|home| home.join(".databrickscfg"))
}

/// A profile found in the file, ready to add.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct Candidate {
    /// The `[section]` name.
    pub section: String,
    pub profile: Profile,
    /// The section held a token or secret that was left behind on purpose.
    pub secret_left_behind: bool,
}

/// A section that could not be imported, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct Skipped {
    pub section: String,
    pub reason: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ImportReport {
    pub candidates: Vec<Candidate>,
    pub skipped: Vec<Skipped>,
}

/// Sections of an INI file: `[name]` then `key = value` lines; `;`/`#` comments.
fn sections(text: &str) -> Vec<(String, BTreeMap<String, String>)> {
    let mut out: Vec<(String, BTreeMap<String, String>)> = Vec::new();
    for line in text.lines().map(str::trim) {
        if line.is_empty() || line.starts_with(';') || line.starts_with('#') {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            out.push((name.trim().to_owned(), BTreeMap::new()));
        } else if let (Some((key, value)), Some((_, map))) = (line.split_once('='), out.last_mut())
        {
            map.insert(key.trim().to_lowercase(), value.trim().to_owned());
        }
    }
    out
}

const SECRET_KEYS: [&str; 4] = ["token", "client_secret", "password", "azure_client_secret"];

/// Reads the file at `path` into candidates (nothing is added yet).
pub fn read(path: &Path) -> Result<ImportReport, crate::ErrorInfo> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        crate::ErrorInfo::new(
            crate::ErrorCode::Config,
            format!("Could not read {}: {e}.", path.display()),
        )
    })?;
    Ok(parse(&text))
}

/// Reads the file the Databricks tools use ([`default_path`]); a missing file is `NotFound`
/// with the place looked at, so the user knows there is nothing to import.
pub fn read_default() -> Result<ImportReport, crate::ErrorInfo> {
    let path = default_path().filter(|p| p.is_file()).ok_or_else(|| {
        let looked_at = default_path()
            .map(|p| p.display().to_string())
            .unwrap_or_else(|| "~/.databrickscfg".into());
        crate::ErrorInfo::new(
            crate::ErrorCode::NotFound,
            format!(
                "There is no Databricks CLI configuration at {looked_at}, so there is nothing to \
                 import. Enter the workspace URL instead."
            ),
        )
    })?;
    read(&path)
}

/// Parses the file's text into candidates.
pub fn parse(text: &str) -> ImportReport {
    let mut report = ImportReport::default();
    for (section, keys) in sections(text) {
        let skip = |reason: &str| Skipped {
            section: section.clone(),
            reason: reason.to_owned(),
        };
        let Some(host) = keys.get("host") else {
            report.skipped.push(skip("It has no host."));
            continue;
        };
        let address = match WorkspaceAddress::parse(host) {
            Ok(address) => address,
            Err(error) => {
                report.skipped.push(skip(&error.message));
                continue;
            }
        };
        let client_id = keys.get("client_id").filter(|c| !c.is_empty()).cloned();
        let has = |k: &str| keys.get(k).is_some_and(|v| !v.is_empty());
        let secret_left_behind = SECRET_KEYS.iter().any(|k| has(k));
        let auth_type = keys.get("auth_type").map(|a| a.to_lowercase());
        let auth = match (auth_type.as_deref(), client_id) {
            (Some("oauth-m2m"), Some(client_id)) => AuthKind::ServicePrincipal { client_id },
            (Some("pat"), _) => AuthKind::PersonalAccessToken,
            (None, Some(client_id)) if has("client_secret") => {
                AuthKind::ServicePrincipal { client_id }
            }
            (None, None) if has("token") => AuthKind::PersonalAccessToken,
            (Some("databricks-cli" | "external-browser" | "u2m") | None, Some(client_id))
                if client_id != super::DATABRICKS_CLI_CLIENT_ID =>
            {
                AuthKind::AppConnection {
                    client_id,
                    confidential: has("client_secret"),
                }
            }
            (Some("databricks-cli" | "external-browser" | "u2m") | None, _) => {
                AuthKind::DatabricksCli
            }
            (Some(other), _) => {
                report.skipped.push(skip(&format!(
                    "Its auth_type {other} is not one Brickdesk supports (U2M, M2M or a personal \
                     access token)."
                )));
                continue;
            }
        };
        let id = import_id(&section);
        report.candidates.push(Candidate {
            section: section.clone(),
            profile: Profile {
                id,
                name: section.clone(),
                host: address.host.to_string(),
                auth,
                scopes: DEFAULT_SCOPES.into(),
                redirect: RedirectMode::DeepLink,
                account_id: keys
                    .get("account_id")
                    .filter(|a| !a.is_empty())
                    .cloned()
                    .or(address.account_id),
                // The CLI writes `workspace_id` for a workspace of a unified host; `none` is
                // its own marker for "no workspace" (databricks/cli `libs/auth/headers.go`).
                workspace_id: keys
                    .get("workspace_id")
                    .filter(|w| w.as_str() != "none" && crate::host::valid_workspace_id(w))
                    .cloned()
                    .or(address.workspace_id),
                compressed_results: true,
                default_warehouse_id: None,
                pinned_spaces: vec![],
            },
            secret_left_behind,
        });
    }
    report
}

/// A profile id from a section name: letters, digits, `-` and `_` only.
fn import_id(section: &str) -> String {
    let cleaned: String = section
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .take(56)
        .collect();
    format!("cfg-{cleaned}")
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "\
; the Databricks CLI's config
[DEFAULT]
host = https://dbc-default.cloud.databricks.com
token = dapi0123456789secret

[sales]
host = dbc-sales.cloud.databricks.com
auth_type = databricks-cli

[bot]
host = https://dbc-bot.cloud.databricks.com
client_id = kpi-bot
client_secret = very-secret

[app]
host = https://dbc-app.cloud.databricks.com
client_id = brickdesk
account_id = 0000-1111

[legacy]
host = http://insecure.example.com

[spog-one]
host = https://acme.cloud.databricks.com
account_id = acct-1
workspace_id = 1111
auth_type = databricks-cli

[spog-two]
host = https://acme.cloud.databricks.com/?o=2222
auth_type = databricks-cli

[spog-none]
host = https://acme.cloud.databricks.com
workspace_id = none

[azure]
host = https://adb-1.azuredatabricks.net
auth_type = azure-cli
";

    #[test]
    fn imports_hosts_and_auth_kinds_but_never_secrets() {
        let report = parse(FILE);
        let by_section: BTreeMap<&str, &Candidate> = report
            .candidates
            .iter()
            .map(|c| (c.section.as_str(), c))
            .collect();
        assert_eq!(
            by_section["DEFAULT"].profile.auth,
            AuthKind::PersonalAccessToken
        );
        assert!(by_section["DEFAULT"].secret_left_behind);
        assert_eq!(by_section["sales"].profile.auth, AuthKind::DatabricksCli);
        assert_eq!(
            by_section["sales"].profile.host,
            "https://dbc-sales.cloud.databricks.com"
        );
        assert_eq!(
            by_section["bot"].profile.auth,
            AuthKind::ServicePrincipal {
                client_id: "kpi-bot".into()
            }
        );
        assert_eq!(
            by_section["app"].profile.account_id.as_deref(),
            Some("0000-1111")
        );
        assert!(matches!(
            by_section["app"].profile.auth,
            AuthKind::AppConnection { .. }
        ));
        // Workspaces of one unified host: the CLI's `workspace_id` key, or `?o=` in the host.
        assert_eq!(
            by_section["spog-one"].profile.workspace_id.as_deref(),
            Some("1111")
        );
        assert_eq!(
            by_section["spog-two"].profile.workspace_id.as_deref(),
            Some("2222")
        );
        assert_eq!(
            by_section["spog-two"].profile.host,
            "https://acme.cloud.databricks.com"
        );
        assert_eq!(by_section["spog-none"].profile.workspace_id, None);
        assert_eq!(by_section["sales"].profile.workspace_id, None);
        let skipped: Vec<&str> = report.skipped.iter().map(|s| s.section.as_str()).collect();
        assert_eq!(skipped, ["legacy", "azure"]);
        let serialized = serde_json::to_string(&report).expect("json");
        assert!(
            !serialized.contains("dapi0123456789secret") && !serialized.contains("very-secret"),
            "{serialized}"
        );
        assert!(
            report
                .candidates
                .iter()
                .all(|c| c.profile.validate().is_ok())
        );
    }
}
