//! Emulator configuration: built-in demo defaults, optionally replaced by a JSON file.

use serde::Deserialize;
use std::path::Path;

/// Everything that shapes the emulated workspace. Every field has a demo default, so a config
/// file only lists what it changes.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Numeric workspace id, as in `/.well-known/databricks-config`.
    pub workspace_id: String,
    pub account_id: String,
    /// `AWS`, `AZURE` or `GCP`.
    pub cloud: String,
    /// Sign in as this user without showing the sign-in page (tests).
    pub auto_approve: Option<String>,
    /// Seed for generated ids and data.
    pub seed: u64,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            workspace_id: "1234567890123456".into(),
            account_id: "00000000-0000-0000-0000-000000000000".into(),
            cloud: "AWS".into(),
            auto_approve: None,
            seed: 42,
        }
    }
}

impl Config {
    /// Reads a JSON config file; the error names the file and what is wrong with it.
    pub fn from_file(path: &Path) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("cannot read config file {}: {e}", path.display()))?;
        serde_json::from_str(&text)
            .map_err(|e| anyhow::anyhow!("config file {} is not valid: {e}", path.display()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partial_files_keep_defaults_and_unknown_keys_are_errors() {
        let dir = std::env::temp_dir().join(format!("emu-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let good = dir.join("good.json");
        std::fs::write(&good, r#"{"cloud":"AZURE"}"#).expect("write");
        let config = Config::from_file(&good).expect("valid");
        assert_eq!(config.cloud, "AZURE");
        assert_eq!(config.workspace_id, Config::default().workspace_id);

        let bad = dir.join("bad.json");
        std::fs::write(&bad, r#"{"clod":"AZURE"}"#).expect("write");
        let err = Config::from_file(&bad)
            .expect_err("unknown key")
            .to_string();
        assert!(err.contains("bad.json") && err.contains("clod"), "{err}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
