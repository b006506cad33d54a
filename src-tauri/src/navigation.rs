//! The main window never leaves the app. Any navigation to another origin (a link the
//! sanitizer missed, `location = …` from injected script, a form) is refused: links from
//! answers open only in the system browser through `open_link`, after the user agreed. New
//! windows (`window.open`) need no guard here: with no new-window handler set, wry refuses
//! them on every platform.

use tauri::plugin::{Builder, TauriPlugin};
use tauri::{Manager as _, Runtime};
use url::Url;

/// A plugin with no commands whose only job is the navigation check.
pub fn guard<R: Runtime>() -> TauriPlugin<R> {
    Builder::new("navigation-guard")
        .on_navigation(|webview, url| {
            // The Vite dev server, only when the app is built to load it (no custom protocol).
            let dev = tauri::is_dev()
                .then(|| webview.config().build.dev_url.clone())
                .flatten();
            let allowed = is_app_url(url, dev.as_ref());
            if !allowed {
                // The scheme only: the address could carry anything.
                tracing::warn!(
                    scheme = url.scheme(),
                    "refused a navigation away from the app"
                );
            }
            allowed
        })
        .build()
}

/// The app's own pages: `tauri://localhost` (macOS, Linux), `http(s)://tauri.localhost`
/// (Windows), or the dev server's origin in a dev build.
pub fn is_app_url(url: &Url, dev_url: Option<&Url>) -> bool {
    match url.scheme() {
        "tauri" => url.host_str() == Some("localhost"),
        "http" | "https" => {
            (url.host_str() == Some("tauri.localhost") && url.port().is_none())
                || dev_url.is_some_and(|dev| dev.origin() == url.origin())
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(text: &str) -> Url {
        Url::parse(text).expect("url")
    }

    #[test]
    fn only_the_apps_own_origin_is_allowed() {
        for ok in [
            "tauri://localhost/",
            "tauri://localhost/index.html#sql",
            "http://tauri.localhost/",
            "https://tauri.localhost/assets/x.js",
        ] {
            assert!(is_app_url(&url(ok), None), "{ok}");
        }
        for refused in [
            "https://example.com/",
            "https://tauri.localhost.evil.example/",
            "http://tauri.localhost:8080/",
            "tauri://evil/",
            "http://localhost:5173/",
            "file:///etc/passwd",
            "data:text/html,<p>hi</p>",
            "about:blank",
            "dev.brickdesk.app:/oauth/callback?code=x&state=y",
        ] {
            assert!(!is_app_url(&url(refused), None), "{refused}");
        }
    }

    #[test]
    fn the_dev_server_is_allowed_only_when_named() {
        let dev = url("http://localhost:5173");
        assert!(is_app_url(
            &url("http://localhost:5173/src/main.tsx"),
            Some(&dev)
        ));
        assert!(!is_app_url(&url("http://localhost:5174/"), Some(&dev)));
    }
}
