//! What only Windows and macOS can show: the policy and proxy readers against settings the
//! GitHub workflow's `platform` job writes first (`.github/workflows/build.yml`: registry
//! values in HKLM and HKCU, managed preferences for the computer and the user, the user's
//! proxy). Ignored everywhere else; that job runs them with `--ignored` and
//! `BRICKDESK_RUNNER_SETTINGS=1`. IT can run them on its own images after writing the same
//! settings (docs/admin-guide.md, "Checking Brickdesk on your own images").

use brickdesk_core::policy;
use brickdesk_core::proxy::system;

/// Run with `--ignored` only where the settings were written first.
fn on_a_prepared_runner() {
    assert!(
        std::env::var("BRICKDESK_RUNNER_SETTINGS").is_ok_and(|v| v == "1"),
        "write the settings of .github/workflows/build.yml's platform job first, then set \
         BRICKDESK_RUNNER_SETTINGS=1"
    );
}

#[test]
#[ignore = "reads the OS policy the GitHub workflow's platform job writes"]
fn the_policy_it_and_the_user_scope_wrote_is_read_as_documented() {
    on_a_prepared_runner();
    let (policy, notices) = policy::load();
    let shown: Vec<&str> = notices.iter().map(|n| n.message.as_str()).collect();
    // The computer's restriction.
    assert!(!policy.allow_user_workspaces, "{shown:?}");
    // The user's scope adds a proxy, and may not loosen.
    assert_eq!(
        policy.proxy.as_deref(),
        Some("http://user-proxy.example:3128"),
        "{shown:?}"
    );
    assert!(
        shown
            .iter()
            .any(|n| n.contains("allowPersonalAccessTokens") && n.contains("for this user alone")),
        "{shown:?}"
    );
    let ca = policy.ca_bundle.expect("caBundle").display().to_string();
    if cfg!(windows) {
        // REG_EXPAND_SZ, expanded as Windows expands it.
        let program_data = std::env::var("ProgramData").expect("ProgramData");
        assert_eq!(ca, format!(r"{program_data}\Brickdesk\corp.pem"));
        // A REG_BINARY value is reported and dropped alone.
        assert!(
            shown.iter().any(|n| n.contains("noProxy must be text")),
            "{shown:?}"
        );
        assert_eq!(policy.no_proxy, None);
    } else {
        assert_eq!(ca, "/Library/Application Support/Brickdesk/corp.pem");
    }
}

#[test]
#[ignore = "reads the OS proxy settings the GitHub workflow's platform job writes"]
fn the_users_proxy_settings_are_read_as_the_os_holds_them() {
    on_a_prepared_runner();
    let settings = system::read();
    assert_eq!(
        settings.fixed.as_deref(),
        Some("proxy.example:3128"),
        "{settings:?}"
    );
}
