//! Where the database lives: the computer's own data folder (`app_local_data_dir`), which on
//! Windows is Local AppData. Roaming AppData is copied to a server at sign-out and, in many
//! companies, redirected to a network share, where SQLite's write-ahead log does not work
//! (SQLite's documentation: WAL needs shared memory on one host). On macOS and Linux both
//! folders are the same.
//!
//! Earlier versions kept the file in the roaming folder; [`move_to_local`] brings it over
//! once, before it is opened.

use super::FILE_NAME;
use std::path::Path;

/// Moves the database (with its write-ahead log and shared-memory index) from `roaming` to
/// `local` when it is only in `roaming`. `Ok(true)` when it moved.
pub fn move_to_local(roaming: &Path, local: &Path) -> std::io::Result<bool> {
    let from = roaming.join(FILE_NAME);
    let to = local.join(FILE_NAME);
    if roaming == local || !from.is_file() || to.exists() {
        return Ok(false);
    }
    crate::files::private_dir(local)?;
    // The log first: a database moved without its log would lose the last writes.
    for suffix in ["-wal", "-shm", ""] {
        let old = roaming.join(format!("{FILE_NAME}{suffix}"));
        if !old.exists() {
            continue;
        }
        let new = local.join(format!("{FILE_NAME}{suffix}"));
        // Across volumes (a redirected folder) a rename fails: copy, then remove.
        if std::fs::rename(&old, &new).is_err() {
            std::fs::copy(&old, &new)?;
            std::fs::remove_file(&old)?;
        }
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_database_in_the_roaming_folder_moves_once_with_its_log() {
        let root = tempfile::tempdir().expect("dir");
        let (roaming, local) = (root.path().join("Roaming"), root.path().join("Local"));
        std::fs::create_dir_all(&roaming).expect("dir");
        std::fs::write(roaming.join(FILE_NAME), "db").expect("db");
        std::fs::write(roaming.join(format!("{FILE_NAME}-wal")), "log").expect("wal");
        assert!(move_to_local(&roaming, &local).expect("moved"));
        assert_eq!(
            std::fs::read_to_string(local.join(FILE_NAME)).expect("db"),
            "db"
        );
        assert_eq!(
            std::fs::read_to_string(local.join(format!("{FILE_NAME}-wal"))).expect("wal"),
            "log"
        );
        assert!(!roaming.join(FILE_NAME).exists());
        // Once only: a newer local file is never replaced by an older roaming one.
        std::fs::write(roaming.join(FILE_NAME), "older").expect("db");
        assert!(!move_to_local(&roaming, &local).expect("nothing to do"));
        assert_eq!(
            std::fs::read_to_string(local.join(FILE_NAME)).expect("db"),
            "db"
        );
        assert!(!move_to_local(&local, &local).expect("same folder"));
    }
}
