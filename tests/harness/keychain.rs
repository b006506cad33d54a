//! Reading the test keychain from outside the app, with `secret-tool` (libsecret), the way an
//! administrator would check what Brickdesk stored. Only attributes are read; secret values
//! are never looked at.

use anyhow::{Context, Result, bail};
use std::process::Command;

/// The `<profile>/<kind>` accounts stored under `service`, sorted.
pub fn accounts(service: &str) -> Result<Vec<String>> {
    let output = Command::new("secret-tool")
        .args(["search", "--all", "--unlock", "service", service])
        .output()
        .context("secret-tool (package libsecret-tools)")?;
    // secret-tool prints each item's label and secret on stdout and its attributes on stderr;
    // only stderr is read. No match is a non-zero exit with nothing printed.
    let stderr = String::from_utf8_lossy(&output.stderr);
    let mut accounts: Vec<String> = stderr
        .lines()
        .filter_map(|line| line.trim().strip_prefix("attribute.username = "))
        .map(str::to_owned)
        .collect();
    if !output.status.success() && !output.stdout.is_empty() {
        bail!("secret-tool failed");
    }
    accounts.sort();
    Ok(accounts)
}
