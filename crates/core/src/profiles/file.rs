//! The user's profile file (`profiles.json` in the OS config dir): written atomically with a
//! backup, and read so that damage never loses the profiles that can still be read.
//!
//! Save: the new text goes to `profiles.json.tmp`, is flushed to disk, the current file is
//! copied to `profiles.json.bak`, and the temporary file is renamed over the current one (an
//! atomic replace on every OS we ship to). Load, when the file is damaged: the damaged file is
//! kept as `profiles.json.damaged`, then the backup is used if it reads; otherwise every profile
//! entry that still reads is kept. Either way the user is told what happened and where the
//! damaged file is.

use super::Profile;
use crate::{ErrorCode, ErrorInfo};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};

pub const FILE_NAME: &str = "profiles.json";
const VERSION: u32 = 1;

/// Everything in the profile file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProfileFile {
    #[serde(default = "version")]
    pub version: u32,
    #[serde(default)]
    pub profiles: Vec<Profile>,
    #[serde(default)]
    pub active_id: Option<String>,
}

fn version() -> u32 {
    VERSION
}

/// A loaded file, and what the user must be told about how it was loaded.
#[derive(Debug, Clone, Default)]
pub struct Loaded {
    pub file: ProfileFile,
    pub notice: Option<ErrorInfo>,
}

fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(suffix);
    path.with_file_name(name)
}

fn config_error(path: &Path, what: &str, error: &std::io::Error) -> ErrorInfo {
    ErrorInfo::new(
        ErrorCode::Config,
        format!(
            "Brickdesk could not {what} its workspace list at {}: {error}. Check that the folder \
             exists and that you may write to it.",
            path.display()
        ),
    )
}

/// Reads the profile file at `path`; a missing file is an empty list.
pub fn load(path: &Path) -> Result<Loaded, ErrorInfo> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            // A crash between backup and rename can leave only the backup.
            return match std::fs::read_to_string(sibling(path, ".bak")) {
                Ok(text) => Ok(Loaded {
                    file: parse_strict(&text).unwrap_or_default(),
                    notice: None,
                }),
                Err(_) => Ok(Loaded::default()),
            };
        }
        Err(e) => return Err(config_error(path, "read", &e)),
    };
    if let Some(file) = parse_strict(&text) {
        return Ok(Loaded { file, notice: None });
    }
    let damaged = sibling(path, ".damaged");
    let _ = crate::files::write_replacing(&damaged, text.as_bytes());
    let from_backup = std::fs::read_to_string(sibling(path, ".bak"))
        .ok()
        .and_then(|t| parse_strict(&t));
    let (file, how) = match from_backup {
        Some(file) => (file, "restored it from its backup".to_owned()),
        None => {
            let (file, lost) = salvage(&text);
            let how = if lost == 0 {
                "recovered every workspace from it".to_owned()
            } else {
                format!("kept every workspace it could still read ({lost} could not be read)")
            };
            (file, how)
        }
    };
    Ok(Loaded {
        file,
        notice: Some(ErrorInfo::new(
            ErrorCode::Config,
            format!(
                "Your workspace list was damaged, so Brickdesk {how}. The damaged file is kept at \
                 {} in case you need something from it.",
                damaged.display()
            ),
        )),
    })
}

/// The whole file, only if every part of it reads and validates.
fn parse_strict(text: &str) -> Option<ProfileFile> {
    let file: ProfileFile = serde_json::from_str(text).ok()?;
    file.profiles
        .iter()
        .all(|p| p.validate().is_ok())
        .then_some(file)
}

/// Every profile that reads and validates, and how many did not.
fn salvage(text: &str) -> (ProfileFile, usize) {
    let Ok(value) = serde_json::from_str::<Value>(text) else {
        return (ProfileFile::default(), 1);
    };
    let entries = value
        .get("profiles")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let total = entries.len();
    let profiles: Vec<Profile> = entries
        .into_iter()
        .filter_map(|v| serde_json::from_value::<Profile>(v).ok())
        .filter(|p| p.validate().is_ok())
        .collect();
    let lost = total - profiles.len();
    let active_id = value
        .get("activeId")
        .and_then(Value::as_str)
        .filter(|id| profiles.iter().any(|p| p.id == *id))
        .map(str::to_owned);
    (
        ProfileFile {
            version: VERSION,
            profiles,
            active_id,
        },
        lost,
    )
}

/// Writes `file` to `path` atomically, keeping the previous version as the backup.
pub fn save(path: &Path, file: &ProfileFile) -> Result<(), ErrorInfo> {
    if let Some(dir) = path.parent() {
        crate::files::private_dir(dir)
            .map_err(|e| config_error(path, "create the folder of", &e))?;
    }
    let text = serde_json::to_string_pretty(file).map_err(|e| {
        ErrorInfo::new(
            ErrorCode::Internal,
            format!("The workspace list could not be written: {e}."),
        )
    })?;
    // A private temporary file beside it, renamed over it (crate::files).
    let write = || -> std::io::Result<tempfile::NamedTempFile> {
        let mut out = crate::files::temp_beside(path)?;
        out.write_all(text.as_bytes())?;
        out.write_all(b"\n")?;
        out.as_file().sync_all()?;
        Ok(out)
    };
    let written = write().map_err(|e| config_error(path, "save", &e))?;
    if path.exists() && parse_strict(&std::fs::read_to_string(path).unwrap_or_default()).is_some() {
        let backup = sibling(path, ".bak");
        std::fs::copy(path, &backup)
            .and_then(|_| crate::files::make_private(&backup))
            .map_err(|e| config_error(path, "back up", &e))?;
    }
    crate::files::replace(written, path)
        .map(drop)
        .map_err(|e| config_error(path, "save", &e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profiles::{AuthKind, RedirectMode};

    struct Dir(PathBuf);
    impl Dir {
        fn new(name: &str) -> Self {
            let dir = std::env::temp_dir().join(format!("brickdesk-{name}-{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&dir);
            Self(dir)
        }
        fn file(&self) -> PathBuf {
            self.0.join(FILE_NAME)
        }
    }
    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn profile(id: &str) -> Profile {
        Profile {
            id: id.into(),
            name: format!("Workspace {id}"),
            host: format!("https://{id}.cloud.databricks.com"),
            auth: AuthKind::DatabricksCli,
            scopes: "all-apis offline_access".into(),
            redirect: RedirectMode::DeepLink,
            account_id: None,
            workspace_id: None,
            compressed_results: true,
            default_warehouse_id: None,
            pinned_spaces: vec![],
        }
    }

    fn two() -> ProfileFile {
        ProfileFile {
            version: 1,
            profiles: vec![profile("a"), profile("b")],
            active_id: Some("b".into()),
        }
    }

    #[test]
    fn saves_atomically_with_a_backup_and_loads_back() {
        let dir = Dir::new("save");
        assert_eq!(
            load(&dir.file()).expect("missing is empty").file,
            ProfileFile::default()
        );
        save(&dir.file(), &two()).expect("save");
        let mut three = two();
        three.profiles.push(profile("c"));
        save(&dir.file(), &three).expect("save again");
        let loaded = load(&dir.file()).expect("load");
        assert_eq!(loaded.file, three);
        assert!(loaded.notice.is_none());
        let backup = std::fs::read_to_string(sibling(&dir.file(), ".bak")).expect("backup");
        assert_eq!(parse_strict(&backup), Some(two()));
        assert!(!sibling(&dir.file(), ".tmp").exists());
    }

    #[test]
    fn a_damaged_file_is_restored_from_the_backup_and_kept_aside() {
        let dir = Dir::new("backup");
        save(&dir.file(), &two()).expect("save");
        save(&dir.file(), &two()).expect("save (makes the backup)");
        std::fs::write(dir.file(), "{ not json").expect("damage");
        let loaded = load(&dir.file()).expect("recovers");
        assert_eq!(loaded.file, two());
        let notice = loaded.notice.expect("the user is told");
        assert_eq!(notice.code, ErrorCode::Config);
        assert!(notice.message.contains("backup") && notice.message.contains(".damaged"));
        assert_eq!(
            std::fs::read_to_string(sibling(&dir.file(), ".damaged")).expect("kept"),
            "{ not json"
        );
    }

    #[test]
    fn without_a_backup_every_readable_profile_is_kept() {
        let dir = Dir::new("salvage");
        std::fs::create_dir_all(&dir.0).expect("dir");
        let text = serde_json::json!({
            "version": 1,
            "activeId": "b",
            "profiles": [
                serde_json::to_value(profile("a")).expect("json"),
                {"id": "broken", "name": "No host"},
                serde_json::to_value(profile("b")).expect("json"),
                {"id": "http", "name": "Plain", "host": "http://example.com", "auth": {"kind": "databricksCli"}}
            ]
        });
        std::fs::write(dir.file(), text.to_string()).expect("write");
        let loaded = load(&dir.file()).expect("salvages");
        let ids: Vec<&str> = loaded.file.profiles.iter().map(|p| p.id.as_str()).collect();
        assert_eq!(ids, ["a", "b"]);
        assert_eq!(loaded.file.active_id.as_deref(), Some("b"));
        assert!(
            loaded
                .notice
                .expect("told")
                .message
                .contains("2 could not be read")
        );
    }
}
