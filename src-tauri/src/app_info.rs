//! `app_info`: what the status bar and diagnostics show about this build.

use brickdesk_core::ErrorInfo;
use serde::Serialize;

#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct AppInfo {
    pub name: String,
    pub version: String,
    pub identifier: String,
    /// `linux`, `macos` or `windows`.
    pub os: String,
    pub arch: String,
    /// The OS's regional format as a BCP 47 tag (`de-DE`), which the UI formats numbers and
    /// dates by; `en-US` where the OS names none (the `C` or `POSIX` locale).
    pub locale: String,
}

/// `de_DE.UTF-8@euro` → `de-DE`; `C`, `POSIX` and nothing → `en-US`.
fn regional_format(found: Option<String>) -> String {
    let tag = found
        .as_deref()
        .map(|l| {
            l.split(['.', '@'])
                .next()
                .unwrap_or_default()
                .replace('_', "-")
        })
        .unwrap_or_default();
    let usable = !tag.is_empty()
        && tag != "C"
        && tag != "POSIX"
        && tag.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if usable { tag } else { "en-US".into() }
}

static STARTED: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
static FIRST_SCREEN: std::sync::Once = std::sync::Once::new();

/// Notes when the app started, for the "first screen ready" line.
pub fn mark_start() {
    STARTED.get_or_init(std::time::Instant::now);
}

/// The UI asks for this as its first screen mounts: the log says how long start-up took
/// (support reads it; `startup-benchmark` waits for it).
#[tauri::command]
#[specta::specta]
pub fn app_info(app: tauri::AppHandle) -> Result<AppInfo, ErrorInfo> {
    FIRST_SCREEN.call_once(|| {
        let since_start_ms = STARTED.get().map(|t| t.elapsed().as_millis());
        tracing::info!(?since_start_ms, "first screen ready");
    });
    let package = app.package_info();
    Ok(AppInfo {
        name: package.name.clone(),
        version: package.version.to_string(),
        identifier: app.config().identifier.clone(),
        os: std::env::consts::OS.to_owned(),
        arch: std::env::consts::ARCH.to_owned(),
        locale: regional_format(sys_locale::get_locale()),
    })
}

#[cfg(test)]
mod tests {
    use super::regional_format;

    #[test]
    fn os_locales_become_tags_the_ui_can_format_by() {
        assert_eq!(regional_format(Some("de_DE.UTF-8@euro".into())), "de-DE");
        assert_eq!(regional_format(Some("fr-CA".into())), "fr-CA");
        assert_eq!(regional_format(Some("C".into())), "en-US");
        assert_eq!(regional_format(Some("POSIX".into())), "en-US");
        assert_eq!(regional_format(Some("x'y".into())), "en-US");
        assert_eq!(regional_format(None), "en-US");
    }
}
