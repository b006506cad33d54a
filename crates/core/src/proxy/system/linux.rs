//! GNOME's proxy settings (`gsettings`), which GNOME, Unity, Cinnamon, MATE and Budgie share
//! and which their browsers follow. Read only on those desktops: elsewhere `gsettings` would
//! answer from defaults nobody set.

use super::SystemSettings;

#[cfg(target_os = "linux")]
pub(super) fn read() -> SystemSettings {
    let desktop = std::env::var("XDG_CURRENT_DESKTOP")
        .unwrap_or_default()
        .to_uppercase();
    let gnome_family = ["GNOME", "UNITY", "CINNAMON", "MATE", "BUDGIE", "PANTHEON"]
        .iter()
        .any(|d| desktop.contains(d));
    if !gnome_family {
        return SystemSettings::default();
    }
    from_gsettings(|schema, key| {
        let output = std::process::Command::new("gsettings")
            .args(["get", schema, key])
            .stdin(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .output()
            .ok()?;
        output
            .status
            .success()
            .then(|| String::from_utf8_lossy(&output.stdout).trim().to_owned())
    })
}

/// `'text'` → `text`.
fn unquote(value: &str) -> String {
    value.trim().trim_matches('\'').to_owned()
}

/// The settings from `get(schema, key)`, which returns what `gsettings get` prints.
pub(super) fn from_gsettings(get: impl Fn(&str, &str) -> Option<String>) -> SystemSettings {
    const BASE: &str = "org.gnome.system.proxy";
    let mode = get(BASE, "mode").map(|m| unquote(&m)).unwrap_or_default();
    match mode.as_str() {
        "auto" => {
            let url = get(BASE, "autoconfig-url")
                .map(|u| unquote(&u))
                .filter(|u| !u.is_empty());
            SystemSettings {
                auto_detect: url.is_none(),
                pac_url: url,
                ..SystemSettings::default()
            }
        }
        "manual" => {
            let host = get("org.gnome.system.proxy.https", "host")
                .map(|h| unquote(&h))
                .filter(|h| !h.is_empty());
            let port = get("org.gnome.system.proxy.https", "port")
                .and_then(|p| p.trim().parse::<u16>().ok())
                .filter(|p| *p != 0);
            let bypass = get(BASE, "ignore-hosts").map(|list| {
                list.trim_matches(['[', ']', '@', 'a', 's', ' '])
                    .split(',')
                    .map(unquote)
                    .filter(|h| !h.is_empty())
                    .collect::<Vec<_>>()
                    .join(",")
            });
            SystemSettings {
                fixed: host.map(|h| crate::proxy::authority(&h, port.unwrap_or(8080))),
                bypass: bypass.filter(|b| !b.is_empty()),
                ..SystemSettings::default()
            }
        }
        _ => SystemSettings::default(),
    }
}
