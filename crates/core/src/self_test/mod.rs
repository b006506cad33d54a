//! The network self-test: for one workspace, each thing sign-in, Genie and SQL depend on, as a
//! green or red line with what to do about it, exportable as text for a helpdesk ticket.
//!
//! Boundary: it reads the profile, the policy and the keychain through [`Workspaces`], makes
//! the same requests the app makes (same proxy, same trust store) and never changes anything:
//! it does not start a stopped warehouse (that costs money) and sends no token anywhere but the
//! workspace. The shell supplies what only it knows: whether the OS sends `dev.brickdesk.app:`
//! links to this app. Lines are built from messages that hold no secret by construction, and
//! the export is scrubbed like diagnostics as a last guard.

pub mod chain;
mod checks;
mod connection;
mod sql_checks;

use crate::ErrorInfo;
use crate::service::Workspaces;
use serde::Serialize;
use std::fmt::Write as _;

/// What is checked, in the order the lines appear.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum CheckKind {
    /// The workspace publishes its sign-in endpoints (OIDC discovery).
    SignInDiscovery,
    /// The app connection accepts Brickdesk's sign-in address (redirect URL).
    SignInAddress,
    /// The workspace's certificate chain is trusted, and who issued it.
    SecureConnection,
    /// The proxy in effect, if any, answers.
    Proxy,
    /// The SQL Statement Execution API answers.
    SqlEndpoint,
    /// The cloud storage that serves large results can be downloaded from.
    ResultStorage,
    /// The OS keychain can be read.
    Keychain,
    /// The OS sends `dev.brickdesk.app:` links to this app.
    LinkScheme,
}

impl CheckKind {
    pub fn title(self) -> &'static str {
        match self {
            Self::SignInDiscovery => "Sign-in discovery",
            Self::SignInAddress => "Sign-in address",
            Self::SecureConnection => "Secure connection",
            Self::Proxy => "Proxy",
            Self::SqlEndpoint => "SQL endpoint",
            Self::ResultStorage => "Result storage",
            Self::Keychain => "Keychain",
            Self::LinkScheme => "Sign-in links",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum Outcome {
    Pass,
    Fail,
    /// Not checked, and why (e.g. no running warehouse); not a failure.
    Skipped,
}

/// One line of the result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct CheckLine {
    pub kind: CheckKind,
    pub title: String,
    pub outcome: Outcome,
    /// What was found, in a sentence.
    pub detail: String,
    /// What to do about a failure (or a skipped check).
    pub fix: Option<String>,
}

impl CheckLine {
    fn new(kind: CheckKind, outcome: Outcome, detail: impl Into<String>) -> Self {
        Self {
            kind,
            title: kind.title().to_owned(),
            outcome,
            detail: detail.into(),
            fix: None,
        }
    }

    fn pass(kind: CheckKind, detail: impl Into<String>) -> Self {
        Self::new(kind, Outcome::Pass, detail)
    }

    fn fail(kind: CheckKind, detail: impl Into<String>, fix: impl Into<String>) -> Self {
        Self::new(kind, Outcome::Fail, detail).with_fix(fix)
    }

    fn skipped(kind: CheckKind, detail: impl Into<String>, fix: impl Into<String>) -> Self {
        Self::new(kind, Outcome::Skipped, detail).with_fix(fix)
    }

    fn with_fix(mut self, fix: impl Into<String>) -> Self {
        self.fix = Some(fix.into());
        self
    }
}

/// Whether the OS sends `dev.brickdesk.app:` links to this app, as the shell finds out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkRegistration {
    Registered,
    NotRegistered,
    Unknown(String),
}

/// The whole result, with the text a helpdesk gets.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct SelfTestReport {
    pub workspace: String,
    pub host: String,
    pub lines: Vec<CheckLine>,
    /// Every line as plain text, ready to paste or save.
    pub text: String,
}

/// Runs every check for workspace `id`, telling `on_line` about each line as it is known.
pub async fn run(
    service: &std::sync::Arc<Workspaces>,
    id: &str,
    links: LinkRegistration,
    on_line: impl Fn(&CheckLine),
) -> Result<SelfTestReport, ErrorInfo> {
    let (profile, _) = service.profile(id)?;
    let lines = checks::all(service, &profile, links, &on_line).await;
    let text = text(&profile.name, &profile.host, &lines);
    Ok(SelfTestReport {
        workspace: profile.name,
        host: profile.host,
        lines,
        text,
    })
}

fn text(workspace: &str, host: &str, lines: &[CheckLine]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Brickdesk {} network self-test for {workspace} ({host})",
        env!("CARGO_PKG_VERSION")
    );
    let _ = writeln!(
        out,
        "Run {}\n",
        chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    );
    for line in lines {
        let mark = match line.outcome {
            Outcome::Pass => "PASS",
            Outcome::Fail => "FAIL",
            Outcome::Skipped => "SKIP",
        };
        let _ = writeln!(out, "[{mark}] {}: {}", line.title, line.detail);
        if let Some(fix) = &line.fix {
            let _ = writeln!(out, "       What to do: {fix}");
        }
    }
    crate::diagnostics::scrub(&out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_export_marks_each_line_and_says_what_to_do() {
        let lines = [
            CheckLine::pass(CheckKind::Keychain, "Usable."),
            CheckLine::fail(
                CheckKind::ResultStorage,
                "Cannot download from storage.example.net.",
                "Allow storage.example.net.",
            ),
            CheckLine::skipped(CheckKind::SqlEndpoint, "Not signed in.", "Sign in."),
        ];
        let text = text("Finance", "https://adb-1.azuredatabricks.net", &lines);
        assert!(text.contains("self-test for Finance (https://adb-1.azuredatabricks.net)"));
        assert!(text.contains("[PASS] Keychain: Usable.\n"), "{text}");
        assert!(
            text.contains(
                "[FAIL] Result storage: Cannot download from storage.example.net.\n       \
                 What to do: Allow storage.example.net.\n"
            ),
            "{text}"
        );
        assert!(
            text.contains("[SKIP] SQL endpoint: Not signed in."),
            "{text}"
        );
    }
}
