//! The app's folders under its former identifier, moved to the current one once.
//!
//! Brickdesk's bundle identifier was `dev.brickdesk.app` until version 0.1; macOS Finder
//! shows any folder whose name ends in `.app` as a (broken) application, and the OS names
//! the app's folders after the identifier (`~/Library/Logs/dev.brickdesk.app`…). The
//! identifier is now [`IDENTIFIER`]; the link scheme stays `dev.brickdesk.app` (links in
//! browsers, registrations and IT's app connections keep working), and so do the keychain
//! service (a name, not a folder: sign-ins carry over) and the managed-preferences domain
//! (IT's profiles keep applying).

use std::path::Path;

/// The app's bundle identifier (`tauri.conf.json`; a test checks they agree).
pub const IDENTIFIER: &str = "dev.brickdesk.desktop";
/// The identifier that named the folders before.
pub const FORMER_IDENTIFIER: &str = "dev.brickdesk.app";

/// Moves `<parent>/dev.brickdesk.app` to `current` (`<parent>/dev.brickdesk.desktop`) when
/// only the former exists; `Ok(true)` when it moved. Run before anything opens a file there.
pub fn move_former(current: &Path) -> std::io::Result<bool> {
    let Some(parent) = current.parent() else {
        return Ok(false);
    };
    let former = parent.join(FORMER_IDENTIFIER);
    if current.exists() || !former.is_dir() || former == current {
        return Ok(false);
    }
    std::fs::rename(&former, current)?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_former_folder_moves_once_and_a_current_one_is_never_replaced() {
        let root = tempfile::tempdir().expect("dir");
        let former = root.path().join(FORMER_IDENTIFIER);
        let current = root.path().join(IDENTIFIER);
        std::fs::create_dir_all(former.join("logs")).expect("dir");
        std::fs::write(former.join("profiles.json"), "{}").expect("file");
        assert!(move_former(&current).expect("moved"));
        assert!(current.join("profiles.json").is_file());
        assert!(current.join("logs").is_dir());
        assert!(!former.exists());
        // Once: a folder the new version already made stays as it is.
        std::fs::create_dir_all(&former).expect("dir");
        std::fs::write(former.join("profiles.json"), "old").expect("file");
        assert!(!move_former(&current).expect("nothing to do"));
        assert_eq!(
            std::fs::read_to_string(current.join("profiles.json")).expect("read"),
            "{}"
        );
        // Nothing there at all: nothing to do.
        assert!(!move_former(&root.path().join("x").join(IDENTIFIER)).expect("none"));
    }
}
