//! IT policy: managed workspaces and restrictions an administrator sets for every user.
//!
//! Sources, in rising precedence: a policy file on macOS (`/Library/Application
//! Support/Brickdesk/policy.json`) and Linux (`/etc/brickdesk/policy.json`), read only when it
//! and every folder above it are root's and writable by nobody else ([`trust`]); then the OS's
//! managed settings ([`managed`]: the Windows registry's `Software\Policies\Brickdesk` in
//! `HKCU` then `HKLM`, macOS managed preferences for the user then the computer), which win
//! key by key; a user-scoped source never loosens ([`LOOSENING`]). On Windows there is no policy file:
//! `C:\ProgramData` lets every user create files, so only the registry (which Group Policy and
//! Intune write, and only administrators can) is read. `BRICKDESK_POLICY_FILE` replaces every
//! source in debug and test builds only: in a release build no user can switch policy off.
//!
//! Policy fails closed. Each source is read key by key: an unknown key, a value of the wrong
//! kind or an invalid workspace is reported and dropped alone, and the rest applies. When a
//! source is there but cannot be used at all (unreadable, not JSON, not trusted), the
//! restrictions it might have held are applied: users may not add workspaces or use personal
//! access tokens unless a source that outranks it says otherwise. Policy applies to the
//! user's stored workspaces too (`crate::service`). `docs/admin-guide.md` documents every key
//! (a test checks).

pub mod managed;
pub mod registry;
pub mod trust;

use crate::net::NetworkSettings;
use crate::profiles::Profile;
use crate::sensitive::Sensitive;
use crate::{ErrorCode, ErrorInfo};
use managed::{PolicyObject, Scope};
use std::path::{Path, PathBuf};

/// Every key the policy understands (the admin guide documents each).
#[derive(Debug, Clone, PartialEq, Eq)]
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
    /// A proxy auto-config script, used when `proxy` is not set.
    pub proxy_auto_config_url: Option<String>,
    /// For proxies that ask for a password (`Basic`; `NTLM` where Windows cannot sign in).
    pub proxy_username: Option<String>,
    pub proxy_password: Option<Sensitive<String>>,
    /// A PEM file of extra root certificates (TLS inspection).
    pub ca_bundle: Option<PathBuf>,
    /// `Basic` may carry a saved or domain password over plain HTTP (off by default).
    pub proxy_allow_basic: bool,
    /// The policy's proxy or script is required: no falling back to direct.
    pub proxy_required: bool,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            workspaces: Vec::new(),
            allow_user_workspaces: true,
            allow_personal_access_tokens: true,
            proxy: None,
            no_proxy: None,
            proxy_auto_config_url: None,
            proxy_username: None,
            proxy_password: None,
            ca_bundle: None,
            proxy_allow_basic: false,
            proxy_required: false,
        }
    }
}

/// The policy file's location on this OS (`None` on Windows: registry only, see the module
/// docs).
pub fn default_path() -> Option<PathBuf> {
    if cfg!(target_os = "windows") {
        None
    } else if cfg!(target_os = "macos") {
        Some(PathBuf::from(
            "/Library/Application Support/Brickdesk/policy.json",
        ))
    } else {
        Some(PathBuf::from("/etc/brickdesk/policy.json"))
    }
}

/// `BRICKDESK_POLICY_FILE`: in debug and test builds, a policy file that replaces every
/// other source (the end-to-end tests' policies). Release builds never read it.
pub fn override_path() -> Option<PathBuf> {
    override_from(
        cfg!(debug_assertions),
        std::env::var_os("BRICKDESK_POLICY_FILE"),
    )
}

fn override_from(debug_build: bool, value: Option<std::ffi::OsString>) -> Option<PathBuf> {
    value
        .filter(|p| debug_build && !p.is_empty())
        .map(PathBuf::from)
}

/// The policy in force on this computer, and a notice for each problem found.
pub fn load() -> (Policy, Vec<ErrorInfo>) {
    if let Some(path) = override_path() {
        return load_with(&path, None);
    }
    let file = default_path().map(|path| {
        let place = path.display().to_string();
        let read = match read_object(&path) {
            Ok(Some(object)) => trust::check(&path).map(|()| Some(object)),
            other => other,
        };
        (place, read)
    });
    combine(file, os_sources())
}

/// The OS's managed sources, lowest first: the registry on Windows, managed preferences on
/// macOS.
fn os_sources() -> Vec<(Scope, managed::OsPolicy)> {
    #[cfg(windows)]
    return registry::read();
    #[cfg(not(windows))]
    managed::read_os()
}

/// The policy from the file at `path` (not checked for ownership: the caller chose it) with
/// the computer-scoped OS-managed settings `os` over it.
pub fn load_with(path: &Path, os: Option<managed::OsPolicy>) -> (Policy, Vec<ErrorInfo>) {
    load_with_scopes(
        path,
        os.map(|os| (Scope::Machine, os)).into_iter().collect(),
    )
}

/// The policy from the file at `path` with the OS-managed settings `os` over it, lowest
/// first.
pub fn load_with_scopes(
    path: &Path,
    os: Vec<(Scope, managed::OsPolicy)>,
) -> (Policy, Vec<ErrorInfo>) {
    let file = Some((path.display().to_string(), read_object(path)));
    combine(file, os)
}

/// A source's settings: `Ok(None)` when it is not there, `Err` when it is there but cannot be
/// used at all.
type Read = Result<Option<PolicyObject>, String>;

fn read_object(path: &Path) -> Read {
    match std::fs::read_to_string(path) {
        Ok(text) => serde_json::from_str::<PolicyObject>(&text)
            .map(Some)
            .map_err(|e| format!("not a JSON object: {e}")),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e.to_string()),
    }
}

/// The values a user-scoped source may not set: each loosens a restriction.
pub const LOOSENING: &[(&str, bool)] = &[
    ("allowUserWorkspaces", true),
    ("allowPersonalAccessTokens", true),
    ("proxyAllowBasic", true),
    ("proxyRequired", false),
];

/// The file (lowest) and the OS settings (rising) combined, key by key, failing closed.
fn combine(
    file: Option<(String, Read)>,
    os: Vec<(Scope, managed::OsPolicy)>,
) -> (Policy, Vec<ErrorInfo>) {
    let sources = file
        .map(|(place, read)| (Scope::Machine, place, read))
        .into_iter()
        .chain(
            os.into_iter()
                .map(|(scope, (place, read))| (scope, place, read.map(Some))),
        );
    let mut notices = Vec::new();
    let mut policy = Policy::default();
    // Restrictive keys a broken source might have set, unless a higher source sets them.
    let mut unknown_restrictions = false;
    for (scope, place, read) in sources {
        match read {
            Ok(None) => {}
            Ok(Some(mut object)) => {
                if scope == Scope::User {
                    for (key, loose) in LOOSENING {
                        if object.get(*key) == Some(&serde_json::Value::Bool(*loose)) {
                            object.remove(*key);
                            notices.push(key_problem(
                                &place,
                                &format!(
                                    "{key} is set to {loose} for this user alone, which may \
                                     restrict but not loosen; set it for the computer"
                                ),
                            ));
                        }
                    }
                }
                if unknown_restrictions {
                    // A higher source that sets a key decides it.
                    for key in RESTRICTIONS {
                        if object.contains_key(*key) {
                            set_restriction(&mut policy, key, true);
                        }
                    }
                }
                apply(&mut policy, object, &place, &mut notices);
            }
            Err(reason) => {
                notices.push(ignored(&place, &reason));
                unknown_restrictions = true;
                policy.allow_user_workspaces = false;
                policy.allow_personal_access_tokens = false;
            }
        }
    }
    (policy, notices)
}

/// The switches that forbid something when `false`.
const RESTRICTIONS: &[&str] = &["allowUserWorkspaces", "allowPersonalAccessTokens"];

fn set_restriction(policy: &mut Policy, key: &str, allowed: bool) {
    match key {
        "allowUserWorkspaces" => policy.allow_user_workspaces = allowed,
        "allowPersonalAccessTokens" => policy.allow_personal_access_tokens = allowed,
        _ => {}
    }
}

/// Lays one source's keys over `policy`, each on its own (see the module docs).
fn apply(policy: &mut Policy, object: PolicyObject, place: &str, notices: &mut Vec<ErrorInfo>) {
    let mut problem = |what: String| notices.push(key_problem(place, &what));
    for (key, value) in object {
        match key.as_str() {
            "workspaces" => match value {
                serde_json::Value::Array(items) => {
                    let mut kept = Vec::new();
                    for item in items {
                        match serde_json::from_value::<Profile>(item)
                            .map_err(|e| e.to_string())
                            .and_then(|p| p.validate().map(|()| p).map_err(|e| e.message))
                        {
                            Ok(profile) => kept.push(profile),
                            Err(reason) => problem(format!("a workspace is invalid ({reason})")),
                        }
                    }
                    policy.workspaces = kept;
                }
                _ => problem("workspaces must be a list".into()),
            },
            "allowUserWorkspaces" | "allowPersonalAccessTokens" => match value {
                serde_json::Value::Bool(allowed) => set_restriction(policy, &key, allowed),
                _ => {
                    // Unreadable: the restriction holds.
                    set_restriction(policy, &key, false);
                    problem(format!("{key} must be true or false; it is taken as false"));
                }
            },
            "proxyAllowBasic" | "proxyRequired" => match value {
                serde_json::Value::Bool(on) if key == "proxyAllowBasic" => {
                    policy.proxy_allow_basic = on;
                }
                serde_json::Value::Bool(on) => policy.proxy_required = on,
                // Unreadable: the safer reading (no clear-text passwords; IT's proxy kept).
                _ => {
                    if key == "proxyRequired" {
                        policy.proxy_required = true;
                    }
                    problem(format!(
                        "{key} must be true or false; it is taken as {}",
                        key == "proxyRequired"
                    ));
                }
            },
            "proxy" | "noProxy" | "caBundle" | "proxyAutoConfigUrl" | "proxyUsername"
            | "proxyPassword" => match value {
                serde_json::Value::String(text) => match key.as_str() {
                    "proxy" => policy.proxy = Some(text),
                    "noProxy" => policy.no_proxy = Some(text),
                    "proxyAutoConfigUrl" => policy.proxy_auto_config_url = Some(text),
                    "proxyUsername" => policy.proxy_username = Some(text),
                    "proxyPassword" => policy.proxy_password = Some(Sensitive::new(text)),
                    _ => policy.ca_bundle = Some(PathBuf::from(text)),
                },
                _ => problem(format!("{key} must be text")),
            },
            other => problem(format!("{other} is not a Brickdesk policy key")),
        }
    }
}

/// [`apply`]'s problems for one object, as text (tests of the OS readers).
#[cfg(test)]
pub(crate) fn apply_for_tests(policy: &mut Policy, object: PolicyObject) -> Vec<String> {
    let mut notices = Vec::new();
    apply(policy, object, "the test", &mut notices);
    notices.into_iter().map(|n| n.message).collect()
}

fn ignored(place: &str, reason: &str) -> ErrorInfo {
    ErrorInfo::new(
        ErrorCode::Config,
        format!(
            "Your organisation's Brickdesk policy at {place} could not be used ({reason}), so it \
             is ignored and its restrictions are applied: adding workspaces and personal \
             access tokens are off. Tell your IT department."
        ),
    )
}

fn key_problem(place: &str, what: &str) -> ErrorInfo {
    ErrorInfo::new(
        ErrorCode::Config,
        format!(
            "Your organisation's Brickdesk policy at {place} has a problem: {what}. The rest of \
             it applies. Tell your IT department."
        ),
    )
}

/// Parses one policy text strictly (every problem is an error), for tools and tests.
pub fn parse(text: &str) -> Result<Policy, String> {
    parse_value(serde_json::from_str(text).map_err(|e| e.to_string())?)
}

/// Validates a policy object strictly.
pub fn parse_value(value: serde_json::Value) -> Result<Policy, String> {
    let serde_json::Value::Object(object) = value else {
        return Err("the policy is not a JSON object".into());
    };
    let mut policy = Policy::default();
    let mut notices = Vec::new();
    apply(&mut policy, object, "the policy", &mut notices);
    match notices.first() {
        Some(problem) => Err(problem.message.clone()),
        None => Ok(policy),
    }
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
        let proxy_credentials = match (&self.proxy_username, &self.proxy_password) {
            (Some(username), Some(password)) if !username.trim().is_empty() => {
                Some(crate::proxy::ProxyCredentials {
                    username: username.trim().to_owned(),
                    password: password.clone(),
                })
            }
            _ => None,
        };
        Ok(NetworkSettings {
            proxy: self.proxy.clone(),
            no_proxy: self.no_proxy.clone(),
            pac_url: self.proxy_auto_config_url.clone(),
            proxy_credentials,
            proxy_allow_basic: self.proxy_allow_basic,
            proxy_required: self.proxy_required,
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
    fn a_broken_source_fails_closed_and_a_bad_key_is_dropped_alone() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("policy.json");
        // A typo: reported, the rest applies.
        std::fs::write(
            &path,
            r#"{"alowUserWorkspaces": false, "allowPersonalAccessTokens": false}"#,
        )
        .expect("write");
        let (policy, notices) = load_with(&path, None);
        assert!(
            !policy.allow_personal_access_tokens,
            "the valid key applies"
        );
        assert!(policy.allow_user_workspaces);
        assert_eq!(notices.len(), 1);
        assert!(
            notices[0].message.contains("alowUserWorkspaces"),
            "{}",
            notices[0].message
        );
        // One invalid workspace is dropped; the other stays.
        std::fs::write(
            &path,
            r#"{"workspaces": [
                {"id": "x", "name": "X", "host": "http://x.example", "auth": {"kind": "databricksCli"}},
                {"id": "ok", "name": "Ok", "host": "https://ok.example", "auth": {"kind": "databricksCli"}}]}"#,
        )
        .expect("write");
        let (policy, notices) = load_with(&path, None);
        assert!(policy.is_managed("ok") && !policy.is_managed("x"));
        assert_eq!(notices.len(), 1);
        // A value of the wrong kind for a restriction: the restriction holds.
        std::fs::write(&path, r#"{"allowUserWorkspaces": "no"}"#).expect("write");
        assert!(!load_with(&path, None).0.allow_user_workspaces);
        // Not JSON at all: nothing is known, so everything restrictive is on.
        std::fs::write(&path, "allowUserWorkspaces = no").expect("write");
        let (policy, notices) = load_with(&path, None);
        assert!(!policy.allow_user_workspaces && !policy.allow_personal_access_tokens);
        assert!(
            notices[0].message.contains("restrictions are applied"),
            "{}",
            notices[0].message
        );
        // ... unless a source that outranks it says otherwise.
        let os = registry::from_registry(&[(
            "AllowPersonalAccessTokens".to_owned(),
            registry::RegistryValue::Number(1),
        )])
        .expect("shape");
        let (policy, _) = load_with(&path, Some(("HKLM".into(), Ok(os))));
        assert!(policy.allow_personal_access_tokens && !policy.allow_user_workspaces);
        assert_eq!(
            load_with(&dir.path().join("missing.json"), None),
            (Policy::default(), vec![])
        );
    }

    #[test]
    fn only_debug_builds_honour_the_override() {
        let set = || Some(std::ffi::OsString::from("/tmp/p.json"));
        assert_eq!(
            override_from(true, set()),
            Some(PathBuf::from("/tmp/p.json"))
        );
        assert_eq!(
            override_from(false, set()),
            None,
            "release: IT policy holds"
        );
        assert_eq!(override_from(true, Some("".into())), None);
    }
}
