//! macOS's proxy settings from SystemConfiguration (`SCDynamicStoreCopyProxies`): what System
//! Settings, and the configuration profiles IT pushes, set for the current network.
//!
//! One FFI call (the `-sys` crate, which also compiles on Linux, so `--cfg
//! brickdesk_check_macos` type-checks this file there); the dictionary it returns is owned
//! by core-foundation's wrapper from then on. [`watch`] asks SystemConfiguration to tell of
//! changes to the proxy and IPv4 keys, on a run loop of its own.
#![allow(unsafe_code)]

use super::SystemSettings;
use core_foundation::array::CFArray;
use core_foundation::array::CFArrayRef;
use core_foundation::base::{CFType, TCFType as _};
use core_foundation::dictionary::CFDictionary;
use core_foundation::number::CFNumber;
use core_foundation::runloop::{CFRunLoop, CFRunLoopSource, kCFRunLoopDefaultMode};
use core_foundation::string::CFString;
use system_configuration_sys::dynamic_store::{
    SCDynamicStoreCreate, SCDynamicStoreCreateRunLoopSource, SCDynamicStoreRef,
    SCDynamicStoreSetNotificationKeys,
};
use system_configuration_sys::dynamic_store_copy_specific::SCDynamicStoreCopyProxies;

fn number(proxies: &CFDictionary<CFString, CFType>, key: &'static str) -> Option<i64> {
    proxies
        .find(CFString::from_static_string(key))
        .and_then(|v| v.downcast::<CFNumber>())
        .and_then(|n| n.to_i64())
}

fn text(proxies: &CFDictionary<CFString, CFType>, key: &'static str) -> Option<String> {
    proxies
        .find(CFString::from_static_string(key))
        .and_then(|v| v.downcast::<CFString>())
        .map(|s| s.to_string())
        .filter(|s| !s.trim().is_empty())
}

pub(super) fn read() -> SystemSettings {
    // SAFETY: a NULL store asks for the current settings without a session; the copy is ours
    // (the create rule), and the wrapper releases it.
    let raw = unsafe { SCDynamicStoreCopyProxies(std::ptr::null()) };
    if raw.is_null() {
        return SystemSettings::default();
    }
    // SAFETY: `raw` is a CFDictionary we own, of CFString keys.
    let proxies: CFDictionary<CFString, CFType> =
        unsafe { CFDictionary::wrap_under_create_rule(raw) };
    let on = |key| number(&proxies, key) == Some(1);
    let fixed = if on("HTTPSEnable") {
        text(&proxies, "HTTPSProxy").map(|host| {
            crate::proxy::authority(&host, number(&proxies, "HTTPSPort").unwrap_or(443))
        })
    } else {
        None
    };
    let mut hosts: Vec<String> = proxies
        .find(CFString::from_static_string("ExceptionsList"))
        .and_then(|v| v.downcast::<CFArray>())
        .map(|list| {
            // SAFETY: the items of a CFArray are CF objects; the typed view retains it.
            let list: CFArray<CFType> =
                unsafe { CFArray::wrap_under_get_rule(list.as_concrete_TypeRef()) };
            list.iter()
                .filter_map(|item| item.downcast::<CFString>().map(|s| s.to_string()))
                .collect()
        })
        .unwrap_or_default();
    if on("ExcludeSimpleHostnames") {
        hosts.push("<local>".into());
    }
    let bypass = Some(hosts.join(",")).filter(|b| !b.is_empty());
    SystemSettings {
        pac_url: on("ProxyAutoConfigEnable")
            .then(|| text(&proxies, "ProxyAutoConfigURLString"))
            .flatten(),
        auto_detect: on("ProxyAutoDiscoveryEnable"),
        fixed,
        bypass,
    }
}

unsafe extern "C" fn on_change(
    _store: SCDynamicStoreRef,
    _keys: CFArrayRef,
    _info: *mut std::ffi::c_void,
) {
    super::changed();
}

/// Counts every change of the global proxy settings or IPv4 state (a VPN, another network,
/// System Settings) on a thread of its own, for as long as the app runs.
pub(super) fn watch() {
    let started = std::thread::Builder::new()
        .name("network-changes".into())
        .spawn(|| {
            let name = CFString::from_static_string("Brickdesk");
            // SAFETY: a store with our callback and no context; it lives as long as the
            // thread, which is the app's life, and is never released.
            let store = unsafe {
                SCDynamicStoreCreate(
                    std::ptr::null(),
                    name.as_concrete_TypeRef(),
                    Some(on_change),
                    std::ptr::null_mut(),
                )
            };
            if store.is_null() {
                tracing::warn!("could not watch for network changes (SCDynamicStoreCreate)");
                return;
            }
            let keys = CFArray::from_CFTypes(&[
                CFString::from_static_string("State:/Network/Global/Proxies"),
                CFString::from_static_string("State:/Network/Global/IPv4"),
            ]);
            // SAFETY: `store` is valid and `keys` a CFArray of CFStrings; no patterns.
            let set = unsafe {
                SCDynamicStoreSetNotificationKeys(
                    store,
                    keys.as_concrete_TypeRef(),
                    std::ptr::null(),
                )
            };
            // SAFETY: a run loop source for `store` (the create rule: ours to release).
            let source = unsafe { SCDynamicStoreCreateRunLoopSource(std::ptr::null(), store, 0) };
            if set == 0 || source.is_null() {
                tracing::warn!("could not watch for network changes (notification keys)");
                return;
            }
            // SAFETY: `source` was just created for us; the wrapper releases it.
            let source = unsafe { CFRunLoopSource::wrap_under_create_rule(source) };
            let run_loop = CFRunLoop::get_current();
            // SAFETY: reading the framework's constant mode name.
            run_loop.add_source(&source, unsafe { kCFRunLoopDefaultMode });
            CFRunLoop::run_current();
        });
    if let Err(error) = started {
        tracing::warn!("could not watch for network changes ({error})");
    }
}
