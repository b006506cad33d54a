//! The operating system's proxy settings, read the way the OS's own HTTP stack reads them.
//!
//! - Windows ([`windows`]): the user's Internet settings through WinHTTP
//!   (`WinHttpGetIEProxyConfigForCurrentUser`); an auto-config URL or WPAD auto-detection is
//!   evaluated by WinHTTP itself (`WinHttpGetProxyForUrl`), as Edge and Chrome do there.
//! - macOS ([`macos`]): SystemConfiguration's proxy dictionary (what System Settings and
//!   configuration profiles write); a PAC URL there runs in Brickdesk's evaluator.
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

#[cfg(any(target_os = "linux", test))]
mod linux;
#[cfg(any(target_os = "macos", brickdesk_check_macos))]
mod macos;
#[cfg(any(windows, brickdesk_check_windows))]
mod windows;

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

/// The OS's own answer for `url` under `settings`' auto-config, where the OS evaluates
/// scripts itself (Windows). `None` elsewhere: Brickdesk fetches and runs the script.
pub fn os_evaluates(settings: &SystemSettings, url: &url::Url) -> Option<Result<String, String>> {
    #[cfg(any(windows, brickdesk_check_windows))]
    return Some(windows::proxy_for_url(settings, url));
    #[allow(unreachable_code)]
    {
        let _ = (settings, url);
        None
    }
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
            if let Err(problem) = answer {
                assert!(problem.contains("auto-config"), "{problem}");
            }
        }
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
