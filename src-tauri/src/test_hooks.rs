//! Environment variables that exist for the end-to-end tests and the demo: where exports are
//! saved without a dialog, the keychain namespace, the emulator listed as "Demo workspace",
//! the memory a result may take, Genie's question budget. They are read only in debug builds,
//! which the tests and the demo run; a release build (what the installers ship) ignores them,
//! so no one can redirect a user's exports, keychain entries or workspaces by setting a
//! variable. `BRICKDESK_POLICY_FILE` follows the same rule in the core
//! (`brickdesk_core::policy::override_path`). `BRICKDESK_LOG` (how much the support log says)
//! is a product setting, not a hook.

/// Exports land in this folder instead of a save dialog WebDriver cannot drive.
pub const SAVE_DIR: &str = "BRICKDESK_TEST_SAVE_DIR";
/// The keychain namespace, so tests keep their entries apart from a real install's.
pub const KEYCHAIN_SERVICE: &str = "BRICKDESK_KEYCHAIN_SERVICE";
/// The local emulator the demo lists as "Demo workspace" (loopback only, see the core).
pub const DEMO_HOST: &str = "BRICKDESK_DEMO_HOST";
/// Caps the memory one result's rows may take before the rest goes to a temp file.
pub const RESULT_MEMORY_MB: &str = "BRICKDESK_RESULT_MEMORY_MB";
/// Genie questions per workspace per minute (Databricks' default budget is 5).
pub const GENIE_PER_MINUTE: &str = "BRICKDESK_GENIE_QUESTIONS_PER_MINUTE";

/// The hook's value in a debug build; always `None` in a release build.
pub fn read(name: &str) -> Option<String> {
    given(cfg!(debug_assertions), std::env::var(name).ok())
}

/// A hook's raw value as the build takes it: nothing in a release build, or when blank.
fn given(debug_build: bool, value: Option<String>) -> Option<String> {
    value.filter(|v| debug_build && !v.trim().is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn release_builds_take_no_hook_and_blank_values_are_none() {
        assert_eq!(given(false, Some("/tmp/exports".into())), None);
        assert_eq!(given(true, Some("  ".into())), None);
        assert_eq!(
            given(true, Some("/tmp/x".into())).as_deref(),
            Some("/tmp/x")
        );
    }

    /// Every `BRICKDESK_*` variable the shell reads goes through [`read`], apart from the log
    /// level: a new hook read directly would reach release builds.
    #[test]
    fn the_shell_reads_its_variables_only_through_here() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        for entry in std::fs::read_dir(&dir).expect("src") {
            let path = entry.expect("entry").path();
            if path.file_name().is_some_and(|n| n == "test_hooks.rs") {
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("read");
            for line in text.lines() {
                let reads_env = line.contains("env::var");
                let names_ours = line.contains("\"BRICKDESK_") && !line.contains("BRICKDESK_LOG");
                assert!(
                    !(reads_env && (names_ours || line.contains("_ENV)"))),
                    "{} reads an environment variable directly: {line}",
                    path.display()
                );
            }
        }
    }
}
