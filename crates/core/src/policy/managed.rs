//! Policy delivered by the operating system's management tools, beside the policy file:
//!
//! - Windows: values under `Software\Policies\Brickdesk` in `HKLM` (the computer) and `HKCU`
//!   (the user; Group Policy's user configuration, Intune's user scope), read by the policy's
//!   `registry` module with the names and types here.
//! - macOS: `/Library/Managed Preferences/dev.brickdesk.app.plist` (the computer) and
//!   `/Library/Managed Preferences/<user>/dev.brickdesk.app.plist` (a user-scoped profile), as
//!   configuration profiles install them (binary or XML), with the policy file's camelCase
//!   keys and plist types.
//!
//! Each becomes the same JSON object as the policy file, so one parser validates everything.
//! Sources rise in precedence: the file, the user's scope, the computer's scope, each winning
//! key by key over those below. A user-scoped source may add and restrict but never loosen
//! (see [`Scope`]). Only the readers that touch the registry or the file system are per-OS;
//! the shapes are tested everywhere.

use serde_json::{Map, Value};

/// Policy settings from one source, as a JSON object.
pub type PolicyObject = Map<String, Value>;
/// An OS source of policy: where it came from, and its settings or why they are unusable.
pub type OsPolicy = (String, Result<PolicyObject, String>);

/// Whom an OS source of policy applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Set for one user (HKCU, a user-scoped profile): it may add workspaces and settings and
    /// restrict, never loosen what a source below it restricted or what the defaults hold
    /// (see [`super::LOOSENING`]). Only administrators write these places, but a user-scoped
    /// assignment is the easier one to get wrong, and the computer's word is IT's last.
    User,
    /// Set for the computer (HKLM, a device profile): every key, over everything else.
    Machine,
}

/// Every policy key, as the policy file and the plist spell it. The admin guide documents each
/// (a test checks), and the registry uses [`registry_name`].
pub const KEYS: &[&str] = &[
    "workspaces",
    "allowUserWorkspaces",
    "allowPersonalAccessTokens",
    "proxy",
    "noProxy",
    "proxyAutoConfigUrl",
    "proxyUsername",
    "proxyPassword",
    "caBundle",
    "proxyAllowBasic",
    "proxyRequired",
];

/// `allowUserWorkspaces` → `AllowUserWorkspaces`.
pub fn registry_name(key: &str) -> String {
    let mut chars = key.chars();
    chars
        .next()
        .map(|first| first.to_ascii_uppercase().to_string() + chars.as_str())
        .unwrap_or_default()
}

/// A managed-preferences plist (binary or XML) into a policy object. Keys the OS adds to every
/// managed domain (`PayloadUUID`, `PayloadType`…) are not policy and are dropped.
pub fn from_plist(bytes: &[u8]) -> Result<Map<String, Value>, String> {
    let value: plist::Value =
        plist::from_bytes(bytes).map_err(|e| format!("not a property list ({e})"))?;
    let plist::Value::Dictionary(dictionary) = value else {
        return Err("the property list is not a dictionary".into());
    };
    let mut object = Map::new();
    for (key, value) in dictionary {
        if key.starts_with("Payload") || key == "PayloadContent" {
            continue;
        }
        object.insert(key, plist_to_json(value)?);
    }
    Ok(object)
}

fn plist_to_json(value: plist::Value) -> Result<Value, String> {
    Ok(match value {
        plist::Value::Boolean(b) => Value::Bool(b),
        plist::Value::String(s) => Value::String(s),
        plist::Value::Integer(i) => i
            .as_signed()
            .map(Value::from)
            .or_else(|| i.as_unsigned().map(Value::from))
            .unwrap_or(Value::Null),
        plist::Value::Real(r) => serde_json::Number::from_f64(r).map_or(Value::Null, Value::Number),
        plist::Value::Array(items) => Value::Array(
            items
                .into_iter()
                .map(plist_to_json)
                .collect::<Result<_, _>>()?,
        ),
        plist::Value::Dictionary(d) => Value::Object(
            d.into_iter()
                .map(|(k, v)| plist_to_json(v).map(|v| (k, v)))
                .collect::<Result<_, _>>()?,
        ),
        other => return Err(format!("unsupported property list value {other:?}")),
    })
}

/// The policy file's object with the OS-managed one laid over it: an OS value wins for its key.
pub fn merge(file: Map<String, Value>, managed: Map<String, Value>) -> Map<String, Value> {
    let mut merged = file;
    merged.extend(managed);
    merged
}

/// Where macOS configuration profiles put this app's managed preferences.
pub const MACOS_MANAGED_PLIST: &str = "/Library/Managed Preferences/dev.brickdesk.app.plist";
/// The Windows policy key (under `HKEY_LOCAL_MACHINE`, and `HKEY_CURRENT_USER` for a user).
pub const WINDOWS_POLICY_KEY: &str = r"Software\Policies\Brickdesk";

/// macOS's managed preferences, lowest first: `(scope, (where, object or why not))` (none
/// elsewhere; Windows' registry is read by the `registry` module).
pub fn read_os() -> Vec<(Scope, OsPolicy)> {
    read_platform()
}

#[cfg(target_os = "macos")]
fn read_platform() -> Vec<(Scope, OsPolicy)> {
    let user = std::env::var("USER")
        .ok()
        .filter(|u| !u.is_empty() && !u.contains(['/', '.']))
        .map(|u| {
            (
                Scope::User,
                format!("/Library/Managed Preferences/{u}/dev.brickdesk.app.plist"),
            )
        });
    user.into_iter()
        .chain([(Scope::Machine, MACOS_MANAGED_PLIST.to_owned())])
        .filter_map(|(scope, place)| read_plist(&place).map(|read| (scope, (place, read))))
        .collect()
}

#[cfg(target_os = "macos")]
fn read_plist(place: &str) -> Option<Result<PolicyObject, String>> {
    let path = std::path::Path::new(place);
    if let Err(reason) = super::trust::check(path) {
        if path.exists() {
            return Some(Err(reason));
        }
    }
    match std::fs::read(path) {
        Ok(bytes) => Some(from_plist(&bytes)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => Some(Err(e.to_string())),
    }
}

#[cfg(not(target_os = "macos"))]
fn read_platform() -> Vec<(Scope, OsPolicy)> {
    Vec::new()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::parse_value;

    #[test]
    fn plist_dictionaries_become_the_policy_in_xml_and_binary() {
        let xml = br#"<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0"><dict>
  <key>PayloadUUID</key><string>ignored</string>
  <key>allowUserWorkspaces</key><false/>
  <key>noProxy</key><string>localhost</string>
  <key>workspaces</key><array><dict>
    <key>id</key><string>corp</string><key>name</key><string>Corp</string>
    <key>host</key><string>https://corp.cloud.databricks.com</string>
    <key>auth</key><dict><key>kind</key><string>appConnection</string><key>clientId</key><string>brickdesk</string></dict>
    <key>redirect</key><dict><key>kind</key><string>loopback</string><key>port</key><integer>8765</integer></dict>
  </dict></array>
</dict></plist>"#;
        let object = from_plist(xml).expect("xml plist");
        assert!(!object.contains_key("PayloadUUID"));
        let policy = parse_value(Value::Object(object.clone())).expect("valid");
        assert!(policy.is_managed("corp"));
        assert!(!policy.allow_user_workspaces);
        assert_eq!(policy.no_proxy.as_deref(), Some("localhost"));
        // The same dictionary as a binary plist (what configuration profiles usually write).
        let value: plist::Value = plist::from_bytes(xml).expect("parse");
        let mut binary = Vec::new();
        value.to_writer_binary(&mut binary).expect("binary");
        assert_eq!(from_plist(&binary).expect("binary plist"), object);
        assert!(from_plist(b"not a plist").is_err());
    }

    #[test]
    fn every_key_is_understood_and_in_the_admin_guide() {
        let samples = [
            ("workspaces", serde_json::json!([])),
            ("allowUserWorkspaces", serde_json::json!(false)),
            ("allowPersonalAccessTokens", serde_json::json!(false)),
            ("proxy", serde_json::json!("http://p:1")),
            ("noProxy", serde_json::json!("localhost")),
            (
                "proxyAutoConfigUrl",
                serde_json::json!("https://pac.corp/proxy.pac"),
            ),
            ("proxyUsername", serde_json::json!("CORP\\svc-brickdesk")),
            ("proxyPassword", serde_json::json!("s3cret")),
            ("caBundle", serde_json::json!("/etc/ssl/corp.pem")),
            ("proxyAllowBasic", serde_json::json!(true)),
            ("proxyRequired", serde_json::json!(true)),
        ];
        assert_eq!(samples.len(), KEYS.len());
        for (key, sample) in &samples {
            assert!(KEYS.contains(key), "{key} is missing from KEYS");
            let mut object = Map::new();
            object.insert((*key).to_owned(), sample.clone());
            parse_value(Value::Object(object)).unwrap_or_else(|e| panic!("{key}: {e}"));
        }
        let guide_path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/admin-guide.md");
        let guide = std::fs::read_to_string(guide_path).expect("docs/admin-guide.md");
        for key in KEYS {
            assert!(
                guide.contains(&format!("`{key}`")),
                "the admin guide lacks `{key}`"
            );
            let registry = registry_name(key);
            assert!(
                guide.contains(&format!("`{registry}`")),
                "the admin guide lacks `{registry}`"
            );
        }
        for place in [MACOS_MANAGED_PLIST, WINDOWS_POLICY_KEY] {
            assert!(guide.contains(place), "the admin guide lacks {place}");
        }
    }
}
