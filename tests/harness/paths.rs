//! Where the built binaries and the test artifacts are.

use anyhow::{Result, bail};
use std::path::PathBuf;

pub(crate) fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A binary of this workspace in the debug target directory.
pub fn target_bin(name: &str) -> Result<PathBuf> {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target"));
    let path = target.join("debug").join(name);
    if !path.is_file() {
        bail!(
            "{} is missing. Build it first, as scripts/test.sh does: (cd src-tauri && cargo \
             build --bins --features tauri/custom-protocol) and cargo build -p \
             brickdesk-emulator.",
            path.display()
        );
    }
    Ok(path)
}

/// `artifacts/e2e/`, where every test saves its screenshots.
pub fn artifacts_dir() -> Result<PathBuf> {
    let dir = workspace_root().join("artifacts").join("e2e");
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}
