//! Policy in the Windows registry: the values under `Software\Policies\Brickdesk`, in `HKLM`
//! for the computer and `HKCU` for the user (only administrators, Group Policy and Intune may
//! write either), as a policy object.
//!
//! Names are the policy keys in PascalCase (`AllowUserWorkspaces`); booleans are `REG_DWORD`
//! 0/1 (`REG_QWORD` is read the same), text is `REG_SZ` or `REG_EXPAND_SZ` (its `%VARIABLES%`
//! expanded as Windows does), `NoProxy` may also be a `REG_MULTI_SZ` list, and `Workspaces`
//! is a `REG_SZ` holding the JSON array of the policy file. A value of another type, or of a
//! type its key cannot take, is reported and dropped alone, like any bad key.

use super::managed::{KEYS, PolicyObject, registry_name};
use serde_json::Value;

/// A registry value as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegistryValue {
    /// `REG_DWORD` or `REG_QWORD`.
    Number(u64),
    /// `REG_SZ`, or `REG_EXPAND_SZ` already expanded.
    String(String),
    /// `REG_MULTI_SZ`.
    List(Vec<String>),
    /// Any other type, by its name (`REG_BINARY`…).
    Other(String),
}

/// The values of the policy key, as `(name, value)`, into a policy object. Unknown names are
/// kept so that the parser reports them (a typo is never silently ignored); a value its key
/// cannot take becomes `null`, which the parser reports and drops alone.
pub fn from_registry(values: &[(String, RegistryValue)]) -> Result<PolicyObject, String> {
    let mut object = PolicyObject::new();
    for (name, value) in values {
        let key = KEYS
            .iter()
            .find(|k| registry_name(k).eq_ignore_ascii_case(name))
            .map_or_else(|| name.clone(), |k| (*k).to_owned());
        let value = match (key.as_str(), value) {
            ("workspaces", RegistryValue::String(json)) => serde_json::from_str(json)
                .map_err(|e| format!("the registry value Workspaces is not a JSON array ({e})"))?,
            (
                "allowUserWorkspaces"
                | "allowPersonalAccessTokens"
                | "proxyAllowBasic"
                | "proxyRequired",
                RegistryValue::Number(n),
            ) => Value::Bool(*n != 0),
            ("noProxy", RegistryValue::List(hosts)) => Value::String(hosts.join(",")),
            (_, RegistryValue::String(text)) => Value::String(text.clone()),
            (_, RegistryValue::Number(n)) => Value::from(*n),
            (_, RegistryValue::List(_) | RegistryValue::Other(_)) => Value::Null,
        };
        object.insert(key, value);
    }
    Ok(object)
}

/// `%NAME%` replaced by `lookup(NAME)`, as `ExpandEnvironmentStrings` does: a name it does
/// not know, or a lone `%`, stays as written.
pub fn expand_environment(text: &str, lookup: impl Fn(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find('%') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        match after.find('%') {
            Some(end) if end > 0 => match lookup(&after[..end]) {
                Some(value) => {
                    out.push_str(&value);
                    rest = &after[end + 1..];
                }
                None => {
                    // Unknown: the first `%` stays, and the second may open another name.
                    out.push('%');
                    out.push_str(&after[..end]);
                    rest = &after[end..];
                }
            },
            _ => {
                out.push('%');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The user's and the computer's policy keys, lowest first.
#[cfg(windows)]
pub fn read() -> Vec<(super::managed::Scope, super::managed::OsPolicy)> {
    use super::managed::{Scope, WINDOWS_POLICY_KEY};
    use winreg::RegKey;
    use winreg::enums::{HKEY_CURRENT_USER, HKEY_LOCAL_MACHINE};
    [
        (Scope::User, HKEY_CURRENT_USER, "HKCU"),
        (Scope::Machine, HKEY_LOCAL_MACHINE, "HKLM"),
    ]
    .into_iter()
    .filter_map(|(scope, hive, name)| {
        let key = RegKey::predef(hive).open_subkey(WINDOWS_POLICY_KEY).ok()?;
        let place = format!(r"{name}\{WINDOWS_POLICY_KEY}");
        Some((scope, (place, read_key(&key))))
    })
    .collect()
}

#[cfg(windows)]
fn read_key(key: &winreg::RegKey) -> Result<PolicyObject, String> {
    use winreg::enums::{REG_DWORD, REG_EXPAND_SZ, REG_MULTI_SZ, REG_QWORD, REG_SZ};
    let mut values = Vec::new();
    for item in key.enum_values() {
        let (name, raw) = item.map_err(|e| e.to_string())?;
        let read = match raw.vtype {
            REG_DWORD => key
                .get_value::<u32, _>(&name)
                .map(|n| RegistryValue::Number(u64::from(n))),
            REG_QWORD => key.get_value::<u64, _>(&name).map(RegistryValue::Number),
            REG_SZ => key.get_value::<String, _>(&name).map(RegistryValue::String),
            REG_EXPAND_SZ => key.get_value::<String, _>(&name).map(|raw| {
                RegistryValue::String(expand_environment(&raw, |n| std::env::var(n).ok()))
            }),
            // winreg reads a REG_MULTI_SZ as its strings joined by line breaks.
            REG_MULTI_SZ => key.get_value::<String, _>(&name).map(|joined| {
                RegistryValue::List(
                    joined
                        .lines()
                        .filter(|l| !l.is_empty())
                        .map(str::to_owned)
                        .collect(),
                )
            }),
            other => Ok(RegistryValue::Other(format!("{other:?}"))),
        };
        // One unreadable value is that value's problem, not the whole key's.
        values.push((
            name,
            read.unwrap_or_else(|e| RegistryValue::Other(e.to_string())),
        ));
    }
    from_registry(&values)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::managed::Scope;
    use crate::policy::{load_with, parse_value};

    const WORKSPACES: &str = r#"[{"id":"corp","name":"Corp","host":"https://corp.cloud.databricks.com","auth":{"kind":"appConnection","clientId":"brickdesk"}}]"#;

    #[test]
    fn registry_values_become_the_policy() {
        let values = vec![
            (
                "Workspaces".to_owned(),
                RegistryValue::String(WORKSPACES.into()),
            ),
            ("AllowUserWorkspaces".to_owned(), RegistryValue::Number(0)),
            (
                "allowpersonalaccesstokens".to_owned(),
                RegistryValue::Number(1),
            ),
            (
                "Proxy".to_owned(),
                RegistryValue::String("http://proxy.corp:8080".into()),
            ),
        ];
        let policy =
            parse_value(Value::Object(from_registry(&values).expect("shape"))).expect("valid");
        assert!(policy.is_managed("corp"));
        assert!(!policy.allow_user_workspaces);
        assert!(policy.allow_personal_access_tokens, "names ignore case");
        assert_eq!(policy.proxy.as_deref(), Some("http://proxy.corp:8080"));
        let typo = vec![("AllowUserWorkspace".to_owned(), RegistryValue::Number(0))];
        let error = parse_value(Value::Object(from_registry(&typo).expect("shape")))
            .expect_err("unknown value");
        assert!(error.contains("AllowUserWorkspace"), "{error}");
        let broken = vec![("Workspaces".to_owned(), RegistryValue::String("[{".into()))];
        assert!(
            from_registry(&broken)
                .expect_err("bad json")
                .contains("Workspaces")
        );
    }

    #[test]
    fn os_managed_values_win_over_the_file_key_by_key() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("policy.json");
        std::fs::write(
            &path,
            format!(r#"{{"workspaces": {WORKSPACES}, "allowUserWorkspaces": true, "proxy": "http://file:1"}}"#),
        )
        .expect("write");
        let os = from_registry(&[
            ("AllowUserWorkspaces".to_owned(), RegistryValue::Number(0)),
            (
                "Proxy".to_owned(),
                RegistryValue::String("http://registry:2".into()),
            ),
        ])
        .expect("shape");
        let (policy, notices) = load_with(&path, Some(("HKLM".into(), Ok(os))));
        assert!(notices.is_empty(), "{notices:?}");
        assert!(policy.is_managed("corp"), "the file's workspaces stay");
        assert!(!policy.allow_user_workspaces, "the OS value wins");
        assert_eq!(policy.proxy.as_deref(), Some("http://registry:2"));

        // A broken OS source is reported and ignored; the file still applies.
        let (policy, notices) = load_with(
            &path,
            Some(("HKLM".into(), Err("Workspaces is not JSON".into()))),
        );
        assert!(policy.is_managed("corp"));
        assert_eq!(notices.len(), 1);
        assert!(
            notices[0].message.contains("HKLM"),
            "{}",
            notices[0].message
        );
    }

    #[test]
    fn a_user_scope_adds_and_restricts_but_never_loosens_and_the_computer_wins() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("policy.json");
        std::fs::write(&path, r#"{"allowPersonalAccessTokens": false}"#).expect("write");
        let user = from_registry(&[
            (
                "Workspaces".to_owned(),
                RegistryValue::String(WORKSPACES.into()),
            ),
            (
                "AllowPersonalAccessTokens".to_owned(),
                RegistryValue::Number(1),
            ),
            ("AllowUserWorkspaces".to_owned(), RegistryValue::Number(0)),
            ("ProxyRequired".to_owned(), RegistryValue::Number(0)),
            (
                "Proxy".to_owned(),
                RegistryValue::String("http://user:1".into()),
            ),
        ])
        .expect("user");
        let machine = from_registry(&[(
            "Proxy".to_owned(),
            RegistryValue::String("http://machine:2".into()),
        )])
        .expect("machine");
        let (policy, notices) = crate::policy::load_with_scopes(
            &path,
            vec![
                (Scope::User, ("HKCU".into(), Ok(user))),
                (Scope::Machine, ("HKLM".into(), Ok(machine))),
            ],
        );
        assert!(policy.is_managed("corp"), "a user scope adds workspaces");
        assert!(!policy.allow_user_workspaces, "and restricts");
        assert!(
            !policy.allow_personal_access_tokens,
            "but does not loosen the file"
        );
        assert_eq!(
            policy.proxy.as_deref(),
            Some("http://machine:2"),
            "the computer wins"
        );
        let shown: Vec<&str> = notices.iter().map(|n| n.message.as_str()).collect();
        assert_eq!(shown.len(), 2, "{shown:?}");
        assert!(
            shown
                .iter()
                .all(|n| n.contains("HKCU") && n.contains("for this user alone"))
        );
        assert!(
            shown
                .iter()
                .any(|n| n.contains("allowPersonalAccessTokens"))
        );
        assert!(shown.iter().any(|n| n.contains("proxyRequired")));
    }

    #[test]
    fn environment_variables_expand_as_windows_expands_them() {
        let lookup = |name: &str| match name {
            "ProgramData" => Some(r"C:\ProgramData".to_owned()),
            "USERDNSDOMAIN" => Some("CORP.EXAMPLE".to_owned()),
            _ => None,
        };
        assert_eq!(
            expand_environment(r"%ProgramData%\Brickdesk\corp.pem", lookup),
            r"C:\ProgramData\Brickdesk\corp.pem"
        );
        assert_eq!(
            expand_environment("%UNKNOWN%;*.%USERDNSDOMAIN%", lookup),
            "%UNKNOWN%;*.CORP.EXAMPLE"
        );
        assert_eq!(expand_environment("100% sure %", lookup), "100% sure %");
        assert_eq!(expand_environment("%%", lookup), "%%");
    }

    #[test]
    fn a_value_of_a_type_its_key_cannot_take_is_dropped_alone() {
        let values = vec![
            ("AllowUserWorkspaces".to_owned(), RegistryValue::Number(0)),
            (
                "Proxy".to_owned(),
                RegistryValue::List(vec!["http://a:1".into()]),
            ),
            (
                "NoProxy".to_owned(),
                RegistryValue::List(vec!["localhost".into(), "*.corp".into()]),
            ),
            (
                "CaBundle".to_owned(),
                RegistryValue::Other("REG_BINARY".into()),
            ),
            ("ProxyRequired".to_owned(), RegistryValue::Number(1 << 40)),
        ];
        let object = from_registry(&values).expect("the key is read, value by value");
        let mut policy = crate::policy::Policy::default();
        let notices = crate::policy::apply_for_tests(&mut policy, object);
        assert_eq!(notices.len(), 2, "{notices:?}");
        assert!(
            notices.iter().any(|n| n.contains("proxy must be text")),
            "{notices:?}"
        );
        assert!(
            notices.iter().any(|n| n.contains("caBundle must be text")),
            "{notices:?}"
        );
        assert!(!policy.allow_user_workspaces, "the good values still apply");
        assert!(policy.proxy_required, "a REG_QWORD is a number too");
        assert_eq!(policy.no_proxy.as_deref(), Some("localhost,*.corp"));
        assert_eq!(policy.proxy, None);
        // Strict parsing (tools) still fails on them.
        assert!(parse_value(Value::Object(from_registry(&values).expect("read"))).is_err());
    }
}
