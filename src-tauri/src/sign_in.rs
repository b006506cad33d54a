//! Sign-in commands: start (after the core's preflight, opens the system browser), cancel,
//! sign out. One line each into the core; the browser is the shell's only part.

use crate::state::AppState;
use brickdesk_core::auth::preflight::RedirectAdvice;
use brickdesk_core::workspace::WorkspaceList;
use brickdesk_core::{ErrorCode, ErrorInfo};
use serde::{Deserialize, Serialize};
use tauri::State;

/// A sign-in finished with an error the user must see (the list carries the state).
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type, tauri_specta::Event)]
pub struct SignInFailed(pub ErrorInfo);

/// Starts signing in. When the preflight finds that the app connection does not accept the
/// workspace's sign-in address, no browser opens: the advice comes back instead (with the
/// address to use, when another one is registered).
#[tauri::command]
#[specta::specta]
pub async fn sign_in(
    state: State<'_, AppState>,
    id: String,
) -> Result<Option<RedirectAdvice>, ErrorInfo> {
    if let Some(advice) = state.workspaces.sign_in_preflight(&id).await? {
        return Ok(Some(advice));
    }
    match state.workspaces.begin_sign_in(&id).await? {
        Some(url) => open_browser(&url).map(|()| None),
        None => Ok(None),
    }
}

#[tauri::command]
#[specta::specta]
pub fn cancel_sign_in(state: State<'_, AppState>, id: String) -> Result<WorkspaceList, ErrorInfo> {
    Ok(state.workspaces.cancel_sign_in(&id))
}

#[tauri::command]
#[specta::specta]
pub async fn sign_out(state: State<'_, AppState>, id: String) -> Result<WorkspaceList, ErrorInfo> {
    state.workspaces.sign_out(&id).await
}

/// `$BROWSER` as a program and its arguments for `url`. The variable is a list of commands,
/// separated by `:` on Unix and `;` on Windows (where `:` is in every path, `C:\...`); the
/// first is used. A program path in double quotes may hold spaces (`"C:\Program
/// Files\Firefox\firefox.exe" -new-window`); `%s` marks where the URL goes, else it goes last.
fn browser_command(browser: &str, url: &str, windows: bool) -> Option<(String, Vec<String>)> {
    let first = browser
        .split(if windows { ';' } else { ':' })
        .map(str::trim)
        .find(|c| !c.is_empty())?;
    let (program, rest) = match first.strip_prefix('"') {
        Some(quoted) => {
            let (program, rest) = quoted.split_once('"')?;
            (program.to_owned(), rest)
        }
        None => {
            let (program, rest) = first.split_once(char::is_whitespace).unwrap_or((first, ""));
            (program.to_owned(), rest)
        }
    };
    let mut args: Vec<String> = rest.split_whitespace().map(str::to_owned).collect();
    let mut placed = false;
    for arg in &mut args {
        if arg.contains("%s") {
            *arg = arg.replace("%s", url);
            placed = true;
        }
    }
    if !placed {
        args.push(url.to_owned());
    }
    (!program.is_empty()).then_some((program, args))
}

/// Opens `url` in the user's browser. `$BROWSER` wins when set (as for the Databricks CLI and
/// SDKs; `%s` marks where the URL goes), else the OS default browser.
pub(crate) fn open_browser(url: &str) -> Result<(), ErrorInfo> {
    let failed = |e: std::io::Error| {
        ErrorInfo::new(
            ErrorCode::Internal,
            format!(
                "Brickdesk could not open your web browser ({e}). Set a default browser and try again."
            ),
        )
    };
    match std::env::var("BROWSER")
        .ok()
        .filter(|b| !b.trim().is_empty())
    {
        Some(browser) => {
            let (program, args) = browser_command(&browser, url, cfg!(windows))
                .ok_or_else(|| failed(std::io::Error::other("BROWSER is empty")))?;
            std::process::Command::new(program)
                .args(args)
                .spawn()
                .map(drop)
                .map_err(failed)
        }
        None => open::that_detached(url).map_err(failed),
    }
}

#[cfg(test)]
mod tests {
    use super::browser_command;

    #[test]
    fn browser_commands_read_as_each_os_writes_them() {
        let url = "https://h.example/oidc/v1/authorize?state=x";
        let command = |b: &str, windows| browser_command(b, url, windows);
        assert_eq!(
            command("firefox:chromium", false),
            Some(("firefox".into(), vec![url.into()]))
        );
        assert_eq!(
            command("xdg-open %s", false),
            Some(("xdg-open".into(), vec![url.into()]))
        );
        assert_eq!(
            command(r"C:\Tools\browser.exe", true),
            Some((r"C:\Tools\browser.exe".into(), vec![url.into()]))
        );
        assert_eq!(
            command(
                r#""C:\Program Files\Mozilla Firefox\firefox.exe" -new-window %s;edge"#,
                true
            ),
            Some((
                r"C:\Program Files\Mozilla Firefox\firefox.exe".into(),
                vec!["-new-window".into(), url.into()]
            ))
        );
        assert_eq!(command("  ", false), None);
        assert_eq!(command(r#""unclosed"#, true), None);
    }
}
