//! The run and test commands explain what is missing instead of failing obscurely.
//!
//! These source `scripts/lib/common.sh` with a doctored PATH (shims for `node`, `id`,
//! `dpkg-query`), so they run without changing the machine.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Runs `snippet` after sourcing common.sh, with `shims` (name, script body) first on PATH.
fn run_with_shims(snippet: &str, shims: &[(&str, &str)]) -> (bool, String) {
    let dir = std::env::temp_dir().join(format!(
        "brickdesk-shims-{}-{}",
        std::process::id(),
        snippet.len()
    ));
    std::fs::create_dir_all(&dir).expect("shim dir");
    for (name, body) in shims {
        let path = dir.join(name);
        std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).expect("write shim");
        make_executable(&path);
    }
    let path = format!(
        "{}:{}",
        dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let output = Command::new("bash")
        .arg("-c")
        .arg(format!("source scripts/lib/common.sh && {snippet}"))
        .current_dir(root())
        .env("PATH", path)
        .output()
        .expect("bash runs");
    let _ = std::fs::remove_dir_all(&dir);
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn make_executable(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
}

#[test]
fn a_missing_node_is_named_with_what_to_install() {
    // PATH holds only what the check needs besides Node: cargo, rustc and coreutils.
    let dir = std::env::temp_dir().join(format!("brickdesk-nonode-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    for tool in ["cargo", "rustc", "awk", "sort", "head"] {
        let found = Command::new("bash")
            .args(["-c", &format!("command -v {tool}")])
            .output()
            .expect("bash");
        let target = String::from_utf8_lossy(&found.stdout).trim().to_owned();
        let _ = std::os::unix::fs::symlink(target, dir.join(tool));
    }
    let output = Command::new("/bin/bash")
        .args(["-c", "source scripts/lib/common.sh && require_toolchains"])
        .current_dir(root())
        .env("PATH", &dir)
        .output()
        .expect("bash runs");
    let _ = std::fs::remove_dir_all(&dir);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(
        stderr.contains("Node.js is not installed") && stderr.contains("20 or newer"),
        "{stderr}"
    );
}

#[test]
fn an_old_node_is_named_with_the_version_needed() {
    let (ok, stderr) = run_with_shims("require_toolchains", &[("node", "echo 18")]);
    assert!(!ok);
    assert!(
        stderr.contains("too old") && stderr.contains("20 or newer"),
        "{stderr}"
    );
}

#[test]
fn a_missing_system_package_prints_the_exact_apt_line_when_not_root() {
    let (ok, stderr) = run_with_shims(
        "ensure_apt_packages libwebkit2gtk-4.1-dev xvfb",
        &[("id", "echo 1000"), ("dpkg-query", "exit 1")],
    );
    assert!(!ok);
    assert!(
        stderr.contains("sudo apt-get install -y libwebkit2gtk-4.1-dev xvfb"),
        "the message must carry the exact command: {stderr}"
    );
}

/// The feature guard catches a brickdesk built together with the emulator: that build links
/// features (DataFusion's, the emulator's server stack) the installers' build never has.
#[test]
fn the_feature_guard_refuses_a_workspace_built_app() {
    let output = Command::new("bash")
        .args([
            "scripts/lib/feature-guard.sh",
            "test",
            "--workspace",
            "--exclude",
            "brickdesk-e2e",
        ])
        .current_dir(root())
        .output()
        .expect("bash runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{stderr}");
    assert!(
        stderr.contains("other Cargo features than the installers") && stderr.contains("hyper "),
        "{stderr}"
    );
    let same = Command::new("bash")
        .arg("scripts/lib/feature-guard.sh")
        .current_dir(root())
        .output()
        .expect("bash runs");
    assert!(
        same.status.success(),
        "{}",
        String::from_utf8_lossy(&same.stderr)
    );
}
