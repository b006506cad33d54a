//! The user's Internet settings through WinHTTP, and WinHTTP's own evaluation of their
//! auto-config script or WPAD auto-detection (DHCP, then DNS), as Windows browsers use them.
//!
//! This is the only unsafe code in the proxy module: FFI calls whose strings WinHTTP
//! allocates and the caller frees with `GlobalFree`, each freed here exactly once.
#![allow(unsafe_code)]

use super::{OsFailure, SystemSettings};
use windows_sys::Win32::Foundation::{GlobalFree, NO_ERROR};
use windows_sys::Win32::NetworkManagement::IpHelper::NotifyAddrChange;
use windows_sys::Win32::Networking::WinHttp::{
    WINHTTP_ACCESS_TYPE_NO_PROXY, WINHTTP_AUTO_DETECT_TYPE_DHCP, WINHTTP_AUTO_DETECT_TYPE_DNS_A,
    WINHTTP_AUTOPROXY_AUTO_DETECT, WINHTTP_AUTOPROXY_CONFIG_URL, WINHTTP_AUTOPROXY_OPTIONS,
    WINHTTP_CURRENT_USER_IE_PROXY_CONFIG, WINHTTP_PROXY_INFO, WinHttpCloseHandle,
    WinHttpGetIEProxyConfigForCurrentUser, WinHttpGetProxyForUrl, WinHttpOpen,
};
use windows_sys::core::PWSTR;

/// Takes a WinHTTP-allocated string: its text, and frees it.
fn take(text: PWSTR) -> Option<String> {
    if text.is_null() {
        return None;
    }
    // SAFETY: WinHTTP returns NUL-terminated UTF-16 it allocated with GlobalAlloc; it is read
    // up to its terminator and freed once, here.
    let value = unsafe {
        let mut len = 0;
        while *text.add(len) != 0 {
            len += 1;
        }
        let value = String::from_utf16_lossy(std::slice::from_raw_parts(text, len));
        GlobalFree(text.cast());
        value
    };
    Some(value).filter(|v| !v.trim().is_empty())
}

fn wide(text: &str) -> Vec<u16> {
    text.encode_utf16().chain(std::iter::once(0)).collect()
}

pub(super) fn read() -> SystemSettings {
    let mut config = WINHTTP_CURRENT_USER_IE_PROXY_CONFIG::default();
    // SAFETY: `config` is a valid out-parameter; on success its strings are ours to free.
    if unsafe { WinHttpGetIEProxyConfigForCurrentUser(&mut config) } == 0 {
        return SystemSettings::default();
    }
    let pac_url = take(config.lpszAutoConfigUrl);
    let proxy = take(config.lpszProxy);
    let bypass = take(config.lpszProxyBypass);
    SystemSettings {
        pac_url,
        auto_detect: config.fAutoDetect != 0,
        fixed: proxy.as_deref().and_then(super::https_entry),
        bypass,
    }
}

/// WinHTTP's "the script's server asked for a sign-in" (`winhttp.h`).
const ERROR_WINHTTP_LOGIN_FAILURE: i32 = 12015;

/// WinHTTP's proxy list for `url` (`"a:8080;b:8080"`, or empty for direct).
pub(super) fn proxy_for_url(
    settings: &SystemSettings,
    url: &url::Url,
) -> Result<String, OsFailure> {
    let agent = wide("Brickdesk");
    // SAFETY: a session handle with no proxy of its own; closed below.
    let session = unsafe {
        WinHttpOpen(
            agent.as_ptr(),
            WINHTTP_ACCESS_TYPE_NO_PROXY,
            std::ptr::null(),
            std::ptr::null(),
            0,
        )
    };
    if session.is_null() {
        return Err(OsFailure::Failed(format!(
            "Windows' WinHTTP could not start (error {})",
            std::io::Error::last_os_error()
                .raw_os_error()
                .unwrap_or_default()
        )));
    }
    let script = settings.pac_url.as_deref().map(wide);
    // The script must not see a path or query: the origin only, port included.
    let origin = wide(&crate::proxy::pac::origin(url));
    let ask = |auto_logon: bool| {
        let mut options = WINHTTP_AUTOPROXY_OPTIONS {
            fAutoLogonIfChallenged: i32::from(auto_logon),
            ..WINHTTP_AUTOPROXY_OPTIONS::default()
        };
        // Both set: WinHTTP tries WPAD first, then the named script, as Windows' own
        // settings do.
        if settings.auto_detect || script.is_none() {
            options.dwFlags |= WINHTTP_AUTOPROXY_AUTO_DETECT;
            options.dwAutoDetectFlags =
                WINHTTP_AUTO_DETECT_TYPE_DHCP | WINHTTP_AUTO_DETECT_TYPE_DNS_A;
        }
        if let Some(script) = &script {
            options.dwFlags |= WINHTTP_AUTOPROXY_CONFIG_URL;
            options.lpszAutoConfigUrl = script.as_ptr();
        }
        let mut info = WINHTTP_PROXY_INFO::default();
        // SAFETY: every pointer outlives the call; `info`'s strings are ours to free on
        // success.
        let ok =
            unsafe { WinHttpGetProxyForUrl(session, origin.as_ptr(), &mut options, &mut info) };
        (ok != 0, info, std::io::Error::last_os_error())
    };
    // Without the user's Windows sign-in first, as Chromium asks: a script server that wants
    // it is answered only when the script is one the OS's settings name and WPAD is off
    // (a WPAD answer can come from anyone on the network).
    let (mut ok, mut info, mut error) = ask(false);
    if !ok
        && error.raw_os_error() == Some(ERROR_WINHTTP_LOGIN_FAILURE)
        && script.is_some()
        && !settings.auto_detect
    {
        (ok, info, error) = ask(true);
    }
    // SAFETY: the handle came from WinHttpOpen and is closed once.
    unsafe { WinHttpCloseHandle(session) };
    if !ok {
        return Err(super::winhttp_failure(error.raw_os_error()));
    }
    let _ = take(info.lpszProxyBypass);
    Ok(take(info.lpszProxy).unwrap_or_default())
}

/// Counts every change of the computer's IP addresses (joining a VPN or another network) on
/// a thread of its own, for as long as the app runs.
pub(super) fn watch() {
    let started = std::thread::Builder::new()
        .name("network-changes".into())
        .spawn(|| {
            loop {
                // SAFETY: with no handle and no OVERLAPPED the call blocks until an IPv4
                // address changes, and holds no pointer of ours.
                let result = unsafe { NotifyAddrChange(std::ptr::null_mut(), std::ptr::null()) };
                if result != NO_ERROR {
                    tracing::warn!("Windows stopped telling of network changes (error {result})");
                    return;
                }
                super::changed();
            }
        });
    if let Err(error) = started {
        tracing::warn!("could not watch for network changes ({error})");
    }
}
