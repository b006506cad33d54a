//! The operating system's proxy settings, read the way the OS's own HTTP stack reads them.
//!
//! - Windows ([`windows`]): the user's Internet settings through WinHTTP
//!   (`WinHttpGetIEProxyConfigForCurrentUser`); an auto-config URL or WPAD auto-detection is
//!   evaluated by WinHTTP itself (`WinHttpGetProxyForUrl`), as Edge and Chrome do there.
//! - macOS ([`macos`]): SystemConfiguration's proxy dictionary (what System Settings and
//!   configuration profiles write); its auto-config script or WPAD is evaluated by CFNetwork
//!   ([`macos_pac`]), as Safari does.
//! - Linux ([`linux`]): GNOME's `org.gnome.system.proxy` settings, where a GNOME-family
//!   desktop is running.
//!
//! Only the readers touch the OS; what they return is parsed here, and tested everywhere.
//! (`--cfg brickdesk_check_windows` / `brickdesk_check_macos` compile a reader on Linux to
//! type-check it, which leaves the Linux one unreachable.)
#![cfg_attr(
    any(brickdesk_check_windows, brickdesk_check_macos),
    allow(unreachable_code, dead_code)
)]

mod current;
#[cfg(any(target_os = "linux", test))]
mod linux;
#[cfg(any(target_os = "macos", brickdesk_check_macos))]
mod macos;
#[cfg(any(target_os = "macos", brickdesk_check_macos))]
mod macos_pac;
#[cfg(any(windows, brickdesk_check_windows))]
mod windows;

pub use current::Current;

use std::sync::atomic::{AtomicU64, Ordering};

/// What the OS is set to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SystemSettings {
    /// The auto-config script's address.
    pub pac_url: Option<String>,
    /// WPAD: find the script on the network.
    pub auto_detect: bool,
    /// The fixed proxy for HTTPS, `host:port`.
    pub fixed: Option<String>,
    /// Hosts that bypass the fixed proxy (`;` or `,` separated, `<local>` for plain names).
    pub bypass: Option<String>,
}

/// Reads the OS's settings now (they can change while the app runs: a laptop moves between
/// office and home). Never fails: unreadable settings are no settings.
pub fn read() -> SystemSettings {
    #[cfg(any(windows, brickdesk_check_windows))]
    return windows::read();
    #[cfg(any(target_os = "macos", brickdesk_check_macos))]
    return macos::read();
    #[cfg(target_os = "linux")]
    return linux::read();
    #[allow(unreachable_code)]
    SystemSettings::default()
}

/// Why the OS gave no proxy for a URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OsFailure {
    /// Auto-detection (WPAD) found no script on this network. Windows has it on by default,
    /// and Microsoft documents this answer (`ERROR_WINHTTP_AUTODETECTION_FAILED`) as the
    /// normal case of a network without one: a direct connection, not a problem.
    NothingDetected,
    /// Anything else, in words.
    Failed(String),
}

/// The OS's own answer for `url` under `settings`' auto-config, where the OS evaluates
/// scripts itself (Windows: WinHTTP; macOS: CFNetwork). `None` elsewhere (Linux): Brickdesk
/// fetches and runs the script.
pub fn os_evaluates(
    settings: &SystemSettings,
    url: &url::Url,
) -> Option<Result<String, OsFailure>> {
    #[cfg(any(windows, brickdesk_check_windows))]
    return Some(windows::proxy_for_url(settings, url));
    #[cfg(any(target_os = "macos", brickdesk_check_macos))]
    return Some(macos_pac::proxy_for_url(settings, url));
    #[allow(unreachable_code)]
    {
        let _ = (settings, url);
        None
    }
}

/// A WinHTTP auto-proxy error code (`winhttp.h`) as what it means for the user; any other
/// code by its number (Windows' own text for these codes is not in the system's message
/// table, and reads "OS Error 12180 (FormatMessageW() returned error 317)").
pub fn winhttp_failure(code: Option<i32>) -> OsFailure {
    let words = match code {
        Some(12180) => return OsFailure::NothingDetected,
        Some(12002) => "the script's server did not answer in time",
        Some(12005) => "the script's address is not a valid URL",
        Some(12006) => "the script's address does not start with http:// or https://",
        Some(12007) => "the script's server name could not be found",
        Some(12015) => "the script's server asked for a sign-in",
        Some(12029) => "the script's server could not be reached",
        Some(12166) => "the script has an error",
        Some(12167) => "the script could not be downloaded",
        Some(12178) => "Windows' WinHTTP auto-proxy service is not running",
        _ => "",
    };
    let code = code.map_or_else(
        || "no error code".to_owned(),
        |c| format!("WinHTTP error {c}"),
    );
    OsFailure::Failed(if words.is_empty() {
        format!("Windows could not find or run the proxy auto-config script ({code})")
    } else {
        format!("Windows could not use the proxy auto-config script: {words} ({code})")
    })
}

/// How many times the OS said its network or proxy settings changed since start-up (the
/// watchers of [`watch`] count them; [`Current`] reads the settings again when it moves).
static CHANGES: AtomicU64 = AtomicU64::new(0);

pub fn changes() -> u64 {
    CHANGES.load(Ordering::Relaxed)
}

/// The network or the proxy settings changed (a watcher, or a test).
pub fn changed() {
    CHANGES.fetch_add(1, Ordering::Relaxed);
}

/// Starts listening, once per process, for the OS's word that the network changed: IP
/// addresses on Windows (`NotifyAddrChange`), the proxy and IPv4 keys of SystemConfiguration
/// on macOS. Linux has no such watcher; settings are read again every minute there.
pub fn watch() {
    static STARTED: std::sync::Once = std::sync::Once::new();
    STARTED.call_once(|| {
        #[cfg(any(windows, brickdesk_check_windows))]
        windows::watch();
        #[cfg(any(target_os = "macos", brickdesk_check_macos))]
        macos::watch();
    });
}

/// WinHTTP's answer for a URL (`"a:8080;b:8080"`, `"http=a:8080"`, `"http://a:8080"`, or
/// empty for direct) as hops: a plain list, not a PAC answer (no `PROXY` keyword).
pub fn winhttp_answer(list: &str) -> super::pac::PacAnswer {
    let mut hops = Vec::new();
    let mut skipped = Vec::new();
    for entry in list
        .split([';', ' ', '\t'])
        .map(str::trim)
        .filter(|e| !e.is_empty())
    {
        let (kind, address) = entry.split_once('=').unwrap_or(("", entry));
        if kind.to_ascii_lowercase().starts_with("socks") {
            skipped.push(entry.to_owned());
            continue;
        }
        let (scheme, address) = match address.split_once("://") {
            Some((scheme, rest)) => (scheme.to_ascii_lowercase(), rest),
            None => ("http".to_owned(), address),
        };
        let hop = if address.eq_ignore_ascii_case("direct") {
            Some(super::Hop::Direct)
        } else if scheme == "http" || scheme == "https" {
            super::ProxyAddress::parse(&scheme, address.trim_end_matches('/'))
        } else {
            None
        };
        match hop {
            Some(hop) if !hops.contains(&hop) => hops.push(hop),
            Some(_) => {}
            None => skipped.push(entry.to_owned()),
        }
    }
    if hops.is_empty() && skipped.is_empty() {
        hops.push(super::Hop::Direct);
    }
    super::pac::PacAnswer { hops, skipped }
}

/// The HTTPS proxy in a Windows-style proxy list: `"proxy:8080"` applies to every scheme,
/// `"http=a:80;https=b:443"` per scheme (WinHTTP's and macOS's manual settings reduce to it).
pub fn https_entry(list: &str) -> Option<String> {
    let entries: Vec<&str> = list
        .split([';', ' '])
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .collect();
    let scheme = |name: &str| {
        entries.iter().find_map(|e| {
            e.split_once('=')
                .filter(|(s, _)| s.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.to_owned())
        })
    };
    scheme("https")
        .or_else(|| {
            entries
                .iter()
                .find(|e| !e.contains('='))
                .map(|e| (*e).to_owned())
        })
        .filter(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn winhttp_answers_are_plain_lists() {
        use crate::proxy::Hop;
        let answer = winhttp_answer("proxy-a.corp:8080;proxy-b.corp:3128");
        let shown: Vec<String> = answer.hops.iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            [
                "the proxy http://proxy-a.corp:8080",
                "the proxy http://proxy-b.corp:3128"
            ]
        );
        assert_eq!(winhttp_answer("").hops, vec![Hop::Direct]);
        assert_eq!(
            winhttp_answer("http=a.corp:80 http://b.corp:81/")
                .hops
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>(),
            ["the proxy http://a.corp:80", "the proxy http://b.corp:81"]
        );
        let socks = winhttp_answer("socks=s.corp:1080");
        assert!(socks.hops.is_empty(), "{socks:?}");
        assert_eq!(socks.skipped, ["socks=s.corp:1080"]);
        assert_eq!(winhttp_answer("DIRECT").hops, vec![Hop::Direct]);
    }

    #[test]
    fn windows_style_lists_give_the_https_proxy() {
        assert_eq!(
            https_entry("proxy.corp:8080").as_deref(),
            Some("proxy.corp:8080")
        );
        assert_eq!(
            https_entry("http=a.corp:80;https=b.corp:443;ftp=c:21").as_deref(),
            Some("b.corp:443")
        );
        assert_eq!(https_entry("http=a.corp:80").as_deref(), None);
        assert_eq!(https_entry("").as_deref(), None);
    }

    /// Runs the real reader of the OS it runs on (Windows and macOS in the GitHub workflow).
    #[test]
    fn the_os_settings_read_without_failing() {
        let settings = read();
        for value in [&settings.pac_url, &settings.fixed, &settings.bypass]
            .into_iter()
            .flatten()
        {
            assert!(!value.trim().is_empty(), "{settings:?}");
        }
        #[cfg(windows)]
        {
            let url = url::Url::parse("https://adb-1.azuredatabricks.net/").expect("url");
            // A runner has no WPAD server: an error or a direct answer, not a crash or a hang.
            let answer = windows::proxy_for_url(
                &SystemSettings {
                    auto_detect: true,
                    ..SystemSettings::default()
                },
                &url,
            );
            // A runner has no WPAD server: WinHTTP's 12180, which is no problem.
            match answer {
                Ok(_) | Err(OsFailure::NothingDetected) => {}
                Err(OsFailure::Failed(problem)) => {
                    assert!(problem.contains("auto-config"), "{problem}");
                    assert!(!problem.contains("FormatMessage"), "{problem}");
                }
            }
        }
    }

    #[test]
    fn winhttp_codes_read_as_words_and_wpad_finding_nothing_is_no_failure() {
        assert_eq!(winhttp_failure(Some(12180)), OsFailure::NothingDetected);
        let OsFailure::Failed(download) = winhttp_failure(Some(12167)) else {
            panic!("a failure");
        };
        assert_eq!(
            download,
            "Windows could not use the proxy auto-config script: the script could not be \
             downloaded (WinHTTP error 12167)"
        );
        let OsFailure::Failed(other) = winhttp_failure(Some(12999)) else {
            panic!("a failure");
        };
        assert!(other.contains("WinHTTP error 12999"), "{other}");
        assert!(
            matches!(winhttp_failure(None), OsFailure::Failed(t) if t.contains("no error code"))
        );
    }

    #[test]
    fn gnome_settings_are_read() {
        let get = |schema: &str, key: &str| -> Option<String> {
            Some(
                match (schema, key) {
                    ("org.gnome.system.proxy", "mode") => "'auto'",
                    ("org.gnome.system.proxy", "autoconfig-url") => "'https://pac.corp/proxy.pac'",
                    ("org.gnome.system.proxy", "ignore-hosts") => "['localhost', '127.0.0.0/8']",
                    ("org.gnome.system.proxy.https", "host") => "'proxy.corp'",
                    ("org.gnome.system.proxy.https", "port") => "3128",
                    _ => return None,
                }
                .to_owned(),
            )
        };
        let auto = linux::from_gsettings(get);
        assert_eq!(auto.pac_url.as_deref(), Some("https://pac.corp/proxy.pac"));
        assert!(!auto.auto_detect);
        let empty_url = linux::from_gsettings(|s, k| {
            if k == "autoconfig-url" {
                Some("''".into())
            } else {
                get(s, k)
            }
        });
        assert!(empty_url.auto_detect, "an empty script address means WPAD");
        let manual = linux::from_gsettings(|s, k| {
            if k == "mode" {
                Some("'manual'".into())
            } else {
                get(s, k)
            }
        });
        assert_eq!(manual.fixed.as_deref(), Some("proxy.corp:3128"));
        assert_eq!(manual.bypass.as_deref(), Some("localhost,127.0.0.0/8"));
        let none = linux::from_gsettings(|s, k| {
            if k == "mode" {
                Some("'none'".into())
            } else {
                get(s, k)
            }
        });
        assert_eq!(none, SystemSettings::default());
    }
}
