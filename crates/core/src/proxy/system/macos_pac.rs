//! macOS evaluates its own auto-config, as Safari does: `CFNetworkCopyProxiesForURL` over the
//! system's proxy dictionary names the script (the configured URL, or the one WPAD found),
//! and `CFNetworkExecuteProxyAutoConfigurationURL` fetches and runs it on a run loop of the
//! calling (blocking) thread, within [`EVALUATION_LIMIT`]. The answer comes back as a
//! WinHTTP-style list (`host:port;DIRECT`) for [`super::winhttp_answer`], so the resolver
//! treats both OSes alike, credential rules included (a route a plain-http script or WPAD
//! chose gets no password: `Resolver::discovered`).
//!
//! Unsafe FFI: CFNetwork's functions and constants are declared here (no maintained crate
//! binds them); every object created here is wrapped under the create rule and released once.
#![allow(unsafe_code)]

use super::{OsFailure, SystemSettings};
use core_foundation::array::{CFArray, CFArrayRef};
use core_foundation::base::{CFIndex, CFType, TCFType as _};
use core_foundation::dictionary::{CFDictionary, CFDictionaryRef};
use core_foundation::error::CFErrorRef;
use core_foundation::number::CFNumber;
use core_foundation::runloop::{CFRunLoop, CFRunLoopSource, CFRunLoopSourceRef};
use core_foundation::string::{CFString, CFStringRef};
use core_foundation::url::{CFURL, CFURLRef};
use std::ffi::c_void;
use std::time::{Duration, Instant};
use system_configuration_sys::dynamic_store_copy_specific::SCDynamicStoreCopyProxies;

/// A script that takes longer than this to fetch and run is a failure.
const EVALUATION_LIMIT: Duration = Duration::from_secs(10);

#[repr(C)]
struct CFStreamClientContext {
    version: CFIndex,
    info: *mut c_void,
    retain: Option<unsafe extern "C" fn(*const c_void) -> *const c_void>,
    release: Option<unsafe extern "C" fn(*const c_void)>,
    copy_description: Option<unsafe extern "C" fn(*const c_void) -> CFStringRef>,
}

type ResultCallback =
    unsafe extern "C" fn(client: *mut c_void, list: CFArrayRef, error: CFErrorRef);

#[cfg_attr(target_os = "macos", link(name = "CFNetwork", kind = "framework"))]
unsafe extern "C" {
    static kCFProxyTypeKey: CFStringRef;
    static kCFProxyTypeNone: CFStringRef;
    static kCFProxyTypeHTTP: CFStringRef;
    static kCFProxyTypeHTTPS: CFStringRef;
    static kCFProxyTypeAutoConfigurationURL: CFStringRef;
    static kCFProxyHostNameKey: CFStringRef;
    static kCFProxyPortNumberKey: CFStringRef;
    static kCFProxyAutoConfigurationURLKey: CFStringRef;
    fn CFNetworkCopyProxiesForURL(url: CFURLRef, settings: CFDictionaryRef) -> CFArrayRef;
    fn CFNetworkExecuteProxyAutoConfigurationURL(
        script: CFURLRef,
        target: CFURLRef,
        callback: ResultCallback,
        context: *mut CFStreamClientContext,
    ) -> CFRunLoopSourceRef;
}

/// One of CFNetwork's constant strings.
fn constant(value: CFStringRef) -> CFString {
    // SAFETY: CFNetwork's constants are valid CFStrings for the process's life; retained.
    unsafe { CFString::wrap_under_get_rule(value) }
}

/// What the callback left.
#[derive(Default)]
struct Outcome {
    done: bool,
    list: Option<Vec<String>>,
}

unsafe extern "C" fn on_result(client: *mut c_void, list: CFArrayRef, error: CFErrorRef) {
    // SAFETY: `client` is the `Outcome` that `proxy_for_url` keeps alive until `done`.
    let outcome = unsafe { &mut *client.cast::<Outcome>() };
    outcome.done = true;
    if error.is_null() && !list.is_null() {
        // SAFETY: `list` is an array of proxy dictionaries, valid during the call; retained.
        let list: CFArray<CFType> = unsafe { CFArray::wrap_under_get_rule(list) };
        outcome.list = Some(proxies(&list).0);
    }
    CFRunLoop::get_current().stop();
}

/// A CFNetwork proxy list as `host:port` and `DIRECT` entries (SOCKS and FTP skipped, as on
/// Windows), and the script URL it names, if any.
fn proxies(list: &CFArray<CFType>) -> (Vec<String>, Option<CFURL>) {
    // SAFETY: reading CFNetwork's constant keys.
    let (kind_key, host_key, port_key, script_key) = unsafe {
        (
            constant(kCFProxyTypeKey),
            constant(kCFProxyHostNameKey),
            constant(kCFProxyPortNumberKey),
            constant(kCFProxyAutoConfigurationURLKey),
        )
    };
    // SAFETY: as above.
    let (none, http, https, script_kind) = unsafe {
        (
            constant(kCFProxyTypeNone),
            constant(kCFProxyTypeHTTP),
            constant(kCFProxyTypeHTTPS),
            constant(kCFProxyTypeAutoConfigurationURL),
        )
    };
    let mut found = Vec::new();
    let mut script = None;
    for item in list.iter() {
        let Some(entry) = item.downcast::<CFDictionary>() else {
            continue;
        };
        // SAFETY: a proxy entry is a dictionary of CFString keys; the typed view retains it.
        let entry: CFDictionary<CFString, CFType> =
            unsafe { CFDictionary::wrap_under_get_rule(entry.as_concrete_TypeRef()) };
        let Some(kind) = entry.find(&kind_key).and_then(|v| v.downcast::<CFString>()) else {
            continue;
        };
        if kind == none {
            found.push("DIRECT".to_owned());
        } else if kind == http || kind == https {
            let host = entry
                .find(&host_key)
                .and_then(|v| v.downcast::<CFString>())
                .map(|s| s.to_string());
            let port = entry
                .find(&port_key)
                .and_then(|v| v.downcast::<CFNumber>())
                .and_then(|n| n.to_i64());
            if let (Some(host), Some(port)) = (host, port) {
                found.push(crate::proxy::authority(&host, port));
            }
        } else if kind == script_kind && script.is_none() {
            script = entry.find(&script_key).and_then(|v| v.downcast::<CFURL>());
        }
    }
    (found, script)
}

fn cf_url(text: &str) -> Option<CFURL> {
    let text = CFString::new(text);
    // SAFETY: a URL from a valid string, ours (the create rule); NULL when it is not one.
    let raw = unsafe {
        core_foundation::url::CFURLCreateWithString(
            std::ptr::null(),
            text.as_concrete_TypeRef(),
            std::ptr::null(),
        )
    };
    // SAFETY: checked non-NULL, ours.
    (!raw.is_null()).then(|| unsafe { CFURL::wrap_under_create_rule(raw) })
}

/// The OS's proxy list for `url` (`host:port;DIRECT`, empty for direct).
pub(super) fn proxy_for_url(
    settings: &SystemSettings,
    url: &url::Url,
) -> Result<String, OsFailure> {
    let wpad_only = settings.auto_detect && settings.pac_url.is_none();
    // SAFETY: a NULL store asks for the current settings; the copy is ours.
    let raw = unsafe { SCDynamicStoreCopyProxies(std::ptr::null()) };
    if raw.is_null() {
        return Ok(String::new());
    }
    // SAFETY: `raw` is a CFDictionary we own.
    let system: CFDictionary = unsafe { CFDictionary::wrap_under_create_rule(raw) };
    // The script sees the origin only, as everywhere else.
    let Some(target) = cf_url(&crate::proxy::pac::origin(url)) else {
        return Err(OsFailure::Failed(
            "the address is not one macOS can read".into(),
        ));
    };
    // SAFETY: both are valid; the list is ours (the create rule).
    let listed = unsafe {
        CFNetworkCopyProxiesForURL(target.as_concrete_TypeRef(), system.as_concrete_TypeRef())
    };
    if listed.is_null() {
        return Ok(String::new());
    }
    // SAFETY: `listed` is an array we own.
    let listed: CFArray<CFType> = unsafe { CFArray::wrap_under_create_rule(listed) };
    let (fixed, script) = proxies(&listed);
    let Some(script) = script else {
        return match (fixed.is_empty(), wpad_only) {
            (true, true) => Err(OsFailure::NothingDetected),
            _ => Ok(fixed.join(";")),
        };
    };
    let mut outcome = Outcome::default();
    let mut context = CFStreamClientContext {
        version: 0,
        info: (&raw mut outcome).cast(),
        retain: None,
        release: None,
        copy_description: None,
    };
    // SAFETY: the URLs are valid, the callback has CFNetwork's type, and `outcome` (its
    // client) outlives the run loop below, which removes the source before returning; the
    // source is ours (the create rule).
    let source = unsafe {
        CFNetworkExecuteProxyAutoConfigurationURL(
            script.as_concrete_TypeRef(),
            target.as_concrete_TypeRef(),
            on_result,
            &raw mut context,
        )
    };
    if source.is_null() {
        return Err(OsFailure::Failed(
            "macOS could not start the proxy auto-config script".into(),
        ));
    }
    // SAFETY: just created for us.
    let source = unsafe { CFRunLoopSource::wrap_under_create_rule(source) };
    // A mode of its own: nothing else of this thread's run loop runs meanwhile.
    let mode = CFString::from_static_string("dev.brickdesk.proxy-auto-config");
    let run_loop = CFRunLoop::get_current();
    run_loop.add_source(&source, mode.as_concrete_TypeRef());
    let started = Instant::now();
    while !outcome.done && started.elapsed() < EVALUATION_LIMIT {
        CFRunLoop::run_in_mode(mode.as_concrete_TypeRef(), Duration::from_millis(250), true);
    }
    run_loop.remove_source(&source, mode.as_concrete_TypeRef());
    match outcome.list.take() {
        Some(list) => Ok(list.join(";")),
        // WPAD's script could not be fetched: no script on this network.
        None if outcome.done && wpad_only => Err(OsFailure::NothingDetected),
        None if outcome.done => Err(OsFailure::Failed(
            "macOS could not fetch or run the proxy auto-config script".into(),
        )),
        None => Err(OsFailure::Failed(format!(
            "macOS did not finish the proxy auto-config script within {} seconds",
            EVALUATION_LIMIT.as_secs()
        ))),
    }
}
