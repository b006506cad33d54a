//! "Copy diagnostics": what a helpdesk needs to see about an installation, as plain text,
//! and nothing secret.
//!
//! Boundary: the text is built only from values that hold no secret by construction (profiles
//! hold none; tokens and client secrets are `Sensitive` and never reach this module), proxy
//! URLs lose any user and password, and as a last guard every word that looks like a token
//! (a Databricks personal access token, a JWT, a long opaque credential) is replaced by
//! `[redacted]`. The shell supplies what only it knows (versions, the deep-link registration,
//! recent warnings).

use crate::ErrorInfo;
use crate::policy::Policy;
use crate::workspace::WorkspaceList;
use std::fmt::Write as _;

/// Everything the report is made of.
#[derive(Debug)]
pub struct DiagnosticsInput<'a> {
    pub app_version: &'a str,
    pub os: &'a str,
    pub arch: &'a str,
    pub workspaces: &'a WorkspaceList,
    /// Sign-in endpoints discovered this session, by workspace id.
    pub discovered: &'a std::collections::HashMap<String, crate::auth::discovery::Endpoints>,
    pub policy: &'a Policy,
    /// Whether the OS keychain answered a read.
    pub keychain: Result<(), ErrorInfo>,
    /// Whether `dev.brickdesk.app:` links reach this app, as the OS says.
    pub deep_link: &'a str,
    /// The latest warnings and errors Brickdesk logged (already secret-free).
    pub recent_problems: &'a [String],
    /// What went wrong choosing proxies lately (an auto-config script that failed).
    pub proxy_problems: &'a [String],
    /// The support log being written (`brickdesk.log`, rotated and scrubbed), if any.
    pub log_file: Option<&'a std::path::Path>,
}

fn looks_like_a_secret(word: &str) -> bool {
    let pat = word.len() >= 36
        && word.starts_with("dapi")
        && word[4..].chars().all(|c| c.is_ascii_hexdigit() || c == '-');
    let jwt = word.starts_with("eyJ") && word.matches('.').count() >= 2;
    let has_digit = word.chars().any(|c| c.is_ascii_digit());
    let has_letter = word.chars().any(|c| c.is_ascii_alphabetic());
    let opaque = word.len() >= 40
        && has_digit
        && has_letter
        && !word.contains('/')
        && !looks_like_a_host(word);
    pat || jwt || opaque
}

/// `adb-1234567890123456.7.azuredatabricks.net`: dot-separated lower-case labels ending in a
/// letters-only top-level domain. Long workspace and storage hosts are what a helpdesk needs to
/// see; tokens are not shaped like this (JWTs have upper case and are caught above).
fn looks_like_a_host(word: &str) -> bool {
    let labels: Vec<&str> = word.trim_end_matches('.').split('.').collect();
    labels.len() >= 2
        && labels.iter().all(|label| {
            !label.is_empty()
                && label
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        })
        && labels
            .last()
            .is_some_and(|tld| tld.chars().all(|c| c.is_ascii_lowercase()))
}

/// A script or page address without its query (which can hold a key).
fn without_query(raw: &str) -> String {
    match url::Url::parse(raw) {
        Ok(mut url) => {
            url.set_query(None);
            let _ = url.set_password(None);
            let _ = url.set_username("");
            url.to_string()
        }
        Err(_) => "(not a URL)".to_owned(),
    }
}

/// An HTTP authentication scheme whose next word is a credential (`Basic dXNl…`,
/// `NTLM TlRM…`, `Negotiate YII…`, `Bearer …`).
fn is_auth_scheme(word: &str) -> bool {
    ["basic", "ntlm", "negotiate", "bearer", "kerberos"]
        .iter()
        .any(|s| word.eq_ignore_ascii_case(s))
}

/// Replaces every word that looks like a credential by `[redacted]`: tokens by their shape,
/// NTLM messages by their signature, and any word after an authentication scheme's name.
pub fn scrub(text: &str) -> String {
    let is_word =
        |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '~' | '+' | '/' | '=');
    let mut out = String::with_capacity(text.len());
    let mut word = String::new();
    let mut after_scheme = false;
    let mut flush = |word: &mut String, out: &mut String| {
        if word.is_empty() {
            return;
        }
        let ntlm = word.starts_with("TlRMTVNT");
        if looks_like_a_secret(word) || ntlm || (after_scheme && word.len() >= 8) {
            out.push_str("[redacted]");
        } else {
            out.push_str(word);
        }
        after_scheme = is_auth_scheme(word);
        word.clear();
    };
    for c in text.chars() {
        if is_word(c) {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

/// The report, ready to paste into a ticket.
pub fn report(input: &DiagnosticsInput<'_>) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Brickdesk {} on {} ({})",
        input.app_version, input.os, input.arch
    );
    let _ = writeln!(
        out,
        "Generated {}",
        chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    );
    let _ = writeln!(out, "\n[Workspaces]");
    for w in &input.workspaces.workspaces {
        let auth = match &w.auth {
            crate::profiles::AuthKind::AppConnection {
                client_id,
                confidential,
            } => format!(
                "app connection {client_id}{}",
                if *confidential { " (confidential)" } else { "" }
            ),
            crate::profiles::AuthKind::DatabricksCli => "databricks-cli".to_owned(),
            crate::profiles::AuthKind::ServicePrincipal { client_id } => {
                format!("service principal {client_id}")
            }
            crate::profiles::AuthKind::PersonalAccessToken => "personal access token".to_owned(),
        };
        let status = serde_json::to_value(&w.status)
            .ok()
            .and_then(|v| v.get("state").and_then(|s| s.as_str()).map(str::to_owned))
            .unwrap_or_default();
        let active = if input.workspaces.active_id.as_deref() == Some(w.id.as_str()) {
            " [active]"
        } else {
            ""
        };
        let discovery = input.discovered.get(&w.id).map_or_else(
            || "sign-in server not contacted yet".to_owned(),
            |e| {
                format!(
                    "sign-in server {} (token {})",
                    e.authorization.host_str().unwrap_or_default(),
                    e.token.host_str().unwrap_or_default()
                )
            },
        );
        let _ = writeln!(
            out,
            "- {} ({}){active}: {} · {auth} · redirect {:?} · {status} · {discovery}{}",
            w.name,
            w.id,
            w.host,
            w.redirect,
            if w.managed { " · managed by IT" } else { "" }
        );
    }
    let policy = input.policy;
    let _ = writeln!(out, "\n[Policy]");
    let _ = writeln!(out, "managed workspaces: {}", policy.workspaces.len());
    let _ = writeln!(out, "allowUserWorkspaces: {}", policy.allow_user_workspaces);
    let _ = writeln!(
        out,
        "allowPersonalAccessTokens: {}",
        policy.allow_personal_access_tokens
    );
    let _ = writeln!(out, "\n[Network]");
    let proxy = policy
        .proxy
        .as_deref()
        .map(|p| format!("{} (policy)", crate::net::proxy_for_display(p)))
        .or_else(|| {
            ["HTTPS_PROXY", "https_proxy"]
                .iter()
                .find_map(|v| std::env::var(v).ok().filter(|p| !p.is_empty()))
                .map(|p| format!("{} (HTTPS_PROXY)", crate::net::proxy_for_display(&p)))
        })
        .unwrap_or_else(|| "the system's settings".to_owned());
    let _ = writeln!(out, "proxy: {proxy}");
    let _ = writeln!(
        out,
        "proxy auto-config: {}",
        policy.proxy_auto_config_url.as_deref().map_or_else(
            || "-".to_owned(),
            |u| format!("{} (policy)", without_query(u))
        )
    );
    let system = crate::proxy::system::read();
    let _ = writeln!(
        out,
        "system proxy settings: auto-config {}, WPAD {}, fixed proxy {}",
        system
            .pac_url
            .as_deref()
            .map_or_else(|| "-".to_owned(), without_query),
        if system.auto_detect { "on" } else { "off" },
        system
            .fixed
            .as_deref()
            .map_or_else(|| "-".to_owned(), crate::net::proxy_for_display)
    );
    let _ = writeln!(
        out,
        "proxy sign-in: {}",
        match (&policy.proxy_username, &policy.proxy_password) {
            // The user name stays out too, as in proxy URLs: it is half of a credential.
            (Some(_), Some(_)) => "a user name and password from policy".to_owned(),
            (Some(_), None) => "a user name from policy, but no proxyPassword".to_owned(),
            _ if cfg!(windows) => "as the signed-in Windows user, when a proxy asks".to_owned(),
            _ => "none set".to_owned(),
        }
    );
    for problem in input.proxy_problems {
        let _ = writeln!(out, "proxy problem: {problem}");
    }
    let _ = writeln!(
        out,
        "no proxy: {}",
        policy.no_proxy.as_deref().unwrap_or("-")
    );
    let _ = writeln!(
        out,
        "extra CA bundle: {}",
        policy
            .ca_bundle
            .as_ref()
            .map_or_else(|| "-".to_owned(), |p| p.display().to_string())
    );
    let _ = writeln!(out, "\n[Keychain]");
    let _ = writeln!(
        out,
        "{}",
        match &input.keychain {
            Ok(()) => "usable".to_owned(),
            Err(error) => format!("not usable: {}", error.message),
        }
    );
    let _ = writeln!(out, "\n[Links]");
    let _ = writeln!(out, "dev.brickdesk.app: {}", input.deep_link);
    let _ = writeln!(out, "\n[Recent problems]");
    if input.recent_problems.is_empty() {
        let _ = writeln!(out, "none");
    }
    for problem in input.recent_problems {
        let _ = writeln!(out, "- {problem}");
    }
    let _ = writeln!(
        out,
        "Full log: {}",
        input
            .log_file
            .map_or_else(|| "not written".to_owned(), |p| p.display().to_string())
    );
    scrub(&out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_shaped_words_are_redacted_and_ids_are_kept() {
        let text = "pat dapi0123456789abcdef0123456789abcdef, jwt eyJhbGciOi.eyJzdWIi.c2lnbmF0dXJl \
                    opaque AbCdEf0123456789AbCdEf0123456789AbCdEf0123 space 01f0c0ffee0000000000000000000001 \
                    host https://adb-123.azuredatabricks.net/path";
        let scrubbed = scrub(text);
        assert!(!scrubbed.contains("dapi0123"), "{scrubbed}");
        assert!(!scrubbed.contains("eyJhbGciOi"), "{scrubbed}");
        assert!(!scrubbed.contains("AbCdEf0123456789"), "{scrubbed}");
        assert!(
            scrubbed.contains("01f0c0ffee0000000000000000000001"),
            "ids stay: {scrubbed}"
        );
        assert!(scrubbed.contains("https://adb-123.azuredatabricks.net/path"));
        // Real-length workspace and storage hosts stay readable.
        for host in [
            "adb-1234567890123456.7.azuredatabricks.net",
            "dbstorageabcdefghij1234567.blob.core.windows.net",
        ] {
            assert_eq!(scrub(&format!("allow {host}.")), format!("allow {host}."));
        }
    }

    /// A proxy with credentials and no scheme (reqwest reads it as http://) shows as `***@`.
    #[test]
    fn proxy_sign_in_tokens_are_redacted_however_they_are_logged() {
        let text = "Proxy-Authorization: Basic Q09SUFxhbGljZTpTZWNyM3Qh; \
                    header NTLM TlRMTVNTUAADAAAAGAAYAEgAAAD+/abc=, raw TlRMTVNTUAABAAAA, \
                    negotiate YIIGhgYGKwYBBQUCoIIGejCCBnagMDAu and Basic short";
        let scrubbed = scrub(text);
        for secret in ["Q09SUFxh", "TlRMTVNT", "YIIGhgYG"] {
            assert!(!scrubbed.contains(secret), "{scrubbed}");
        }
        assert!(scrubbed.contains("Basic [redacted]"), "{scrubbed}");
        // Words after a scheme's name that are too short to be a credential stay readable.
        assert!(scrubbed.contains("Basic short"), "{scrubbed}");
    }

    #[test]
    fn the_report_never_shows_proxy_credentials() {
        let policy = crate::policy::Policy {
            proxy: Some("alice:s3cret@proxy.corp:8080".into()),
            proxy_auto_config_url: Some("https://pac.corp/proxy.pac?key=k3y".into()),
            proxy_username: Some("CORP\\alice".into()),
            proxy_password: Some(crate::sensitive::Sensitive::new("pa55word".into())),
            ..crate::policy::Policy::default()
        };
        let text = report(&DiagnosticsInput {
            app_version: "0.1.0",
            os: "linux",
            arch: "x86_64",
            workspaces: &crate::workspace::WorkspaceList::default(),
            discovered: &std::collections::HashMap::new(),
            policy: &policy,
            keychain: Ok(()),
            deep_link: "registered",
            recent_problems: &[],
            proxy_problems: &[
                "the auto-config script at https://pac.corp/proxy.pac failed: \
                               boom; Brickdesk goes direct instead, as browsers do"
                    .to_owned(),
            ],
            log_file: None,
        });
        assert!(
            text.contains(
                "proxy problem: the auto-config script at https://pac.corp/proxy.pac \
                           failed: boom"
            ),
            "{text}"
        );
        assert!(
            !text.contains("s3cret") && !text.contains("alice") && !text.contains("pa55word"),
            "{text}"
        );
        assert!(!text.contains("k3y"), "{text}");
        assert!(
            text.contains("proxy auto-config: https://pac.corp/proxy.pac (policy)"),
            "{text}"
        );
        assert!(
            text.contains("proxy sign-in: a user name and password from policy"),
            "{text}"
        );
        assert!(
            text.contains("proxy: http://***@proxy.corp:8080 (policy)"),
            "{text}"
        );
    }
}
