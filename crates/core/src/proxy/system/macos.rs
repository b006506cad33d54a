//! macOS's proxy settings from SystemConfiguration (`SCDynamicStoreCopyProxies`): what System
//! Settings, and the configuration profiles IT pushes, set for the current network.
//!
//! One FFI call (the `-sys` crate, which also compiles on Linux, so `--cfg
//! brickdesk_check_macos` type-checks this file there); the dictionary it returns is owned
//! by core-foundation's wrapper from then on.
#![allow(unsafe_code)]

use super::SystemSettings;
use core_foundation::array::CFArray;
use core_foundation::base::{CFType, TCFType as _};
use core_foundation::dictionary::CFDictionary;
use core_foundation::number::CFNumber;
use core_foundation::string::CFString;
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
