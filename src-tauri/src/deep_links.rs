//! Routing of `dev.brickdesk.app:` URLs from the OS to the app.
//!
//! Every URL, whether the app was cold-started with it (`get_current`), received it while
//! running (`on_open_url`), or got it forwarded from a second launch (single instance), goes
//! through [`route`], which validates it with `brickdesk_core::deep_link::parse`. Valid links
//! become typed events; invalid ones are dropped with a log line that names the reason and the
//! length, never the URL (it may carry an authorization code).

use crate::sign_in::SignInFailed;
use crate::state::AppState;
use brickdesk_core::deep_link::{self, DeepLink, Rejection};
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Manager};
use tauri_plugin_deep_link::DeepLinkExt;
use tauri_specta::Event;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum DeepLinkRoute {
    SignInCallback,
    Open,
}

/// A link was accepted and acted on.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type, tauri_specta::Event)]
#[serde(rename_all = "camelCase")]
pub struct DeepLinkHandled {
    pub route: DeepLinkRoute,
    pub workspace_id: Option<String>,
}

/// A link was refused; the UI explains why. Carries no part of the URL.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type, tauri_specta::Event)]
#[serde(rename_all = "camelCase")]
pub struct DeepLinkRejected {
    pub reason: Rejection,
}

/// Handles the URL the app was started with, then listens for later ones.
pub fn install(app: &AppHandle) {
    register_scheme(app);
    // On Windows and Linux the plugin reads the launch URL during its own setup, before any
    // listener exists, so the cold-start URL is only available here.
    match app.deep_link().get_current() {
        Ok(Some(urls)) => urls.iter().for_each(|url| route(app, url.as_str())),
        Ok(None) => {}
        Err(error) => tracing::warn!(%error, "could not read the launch URL"),
    }
    let handle = app.clone();
    app.deep_link().on_open_url(move |event| {
        event
            .urls()
            .iter()
            .for_each(|url| route(&handle, url.as_str()));
    });
}

/// Installers register the `dev.brickdesk.app` scheme. A development build (`scripts/run.sh`)
/// and an AppImage are not installed by one, so on Linux and Windows they register themselves
/// for the current user (a `.desktop` handler plus `xdg-mime`, or `HKCU\Software\Classes`);
/// macOS reads the scheme from the app bundle. A failure only means sign-in links will not
/// reach this copy of the app, so it is logged, not fatal.
fn register_scheme(app: &AppHandle) {
    #[cfg(any(windows, target_os = "linux"))]
    {
        #[cfg(target_os = "linux")]
        let self_installed = app.env().appimage.is_some();
        #[cfg(windows)]
        let self_installed = false;
        // An AppImage carries the package's desktop entry inside its mount, but nothing
        // installed it: it always registers itself.
        if (self_installed || cfg!(debug_assertions) && !installed_by_a_package())
            && let Err(error) = app.deep_link().register_all()
        {
            tracing::warn!(%error, "could not register the dev.brickdesk.app link handler");
        }
    }
    #[cfg(not(any(windows, target_os = "linux")))]
    let _ = app;
}

/// Whether a package put this binary in `<prefix>/bin` beside its desktop entry in
/// `<prefix>/share/applications` (the `.deb` does): the package registered the scheme for
/// every user, and a per-user handler would shadow it.
#[cfg(windows)]
fn installed_by_a_package() -> bool {
    // Installers register the scheme; a debug build never is one.
    false
}

#[cfg(target_os = "linux")]
fn installed_by_a_package() -> bool {
    std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.parent()?.to_path_buf()))
        .is_some_and(|prefix| {
            prefix
                .join("share/applications/Brickdesk.desktop")
                .is_file()
        })
}

/// Single-instance callback: a second `brickdesk …` launch forwarded its arguments here.
///
/// URLs in our scheme reach [`route`] through the deep-link plugin; this only reports an
/// argument the plugin ignores (another scheme, or no URL at all), so that such a launch is
/// not silently swallowed, and brings the window to the front.
pub fn on_second_instance(app: &AppHandle, argv: Vec<String>, _cwd: String) {
    focus_main_window(app);
    if let [_, only] = argv.as_slice() {
        let ours = url::Url::parse(only).is_ok_and(|url| url.scheme() == deep_link::SCHEME);
        if !ours {
            reject(
                app,
                deep_link::parse(only)
                    .err()
                    .unwrap_or(Rejection::WrongScheme),
                only.len(),
            );
        }
    }
}

/// Validates one URL and acts on it.
pub fn route(app: &AppHandle, raw: &str) {
    match deep_link::parse(raw) {
        Ok(DeepLink::Open { workspace }) => {
            // Brought to the front, but not switched: any web page can fire this link, so the
            // window asks the user before it changes the workspace (`DeepLinkHandled`).
            focus_main_window(app);
            tracing::info!(route = "open", "handled a link");
            emit(
                app,
                DeepLinkHandled {
                    route: DeepLinkRoute::Open,
                    workspace_id: workspace,
                },
            );
        }
        Ok(DeepLink::OAuthCallback(callback)) => {
            // The window comes forward only for the sign-in it was waiting for: a page that
            // fires a bogus callback must not pull Brickdesk over what the user is doing.
            let workspaces = app.state::<AppState>().workspaces.clone();
            let app = app.clone();
            tauri::async_runtime::spawn(async move {
                match workspaces.complete_sign_in(callback).await {
                    Ok(id) => {
                        focus_main_window(&app);
                        tracing::info!(route = "oauth_callback", "completed a sign-in");
                        emit(
                            &app,
                            DeepLinkHandled {
                                route: DeepLinkRoute::SignInCallback,
                                workspace_id: Some(id),
                            },
                        );
                    }
                    Err(error) => {
                        tracing::warn!(code = ?error.code, "a sign-in response was not used");
                        emit(&app, SignInFailed(error));
                    }
                }
            });
        }
        Err(reason) => reject(app, reason, raw.len()),
    }
}

fn reject(app: &AppHandle, reason: Rejection, bytes: usize) {
    tracing::warn!(reason = reason.as_str(), bytes, "ignored an incoming link");
    emit(app, DeepLinkRejected { reason });
}

fn emit<E: Event + Serialize + Clone>(app: &AppHandle, event: E) {
    if let Err(error) = event.emit(app) {
        tracing::warn!(%error, "could not notify the window");
    }
}

fn focus_main_window(app: &AppHandle) {
    if let Some(window) = app.get_webview_window("main") {
        // Best effort: a window manager may refuse focus; the link is still handled.
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
    }
}
