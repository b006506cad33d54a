//! Whether a policy file can be trusted as IT's: on macOS and Linux the file, and every
//! folder above it, must be owned by root and writable by nobody else (no group or world
//! write bit). Otherwise another local user, or any program of the user, could have written
//! it (a proxy and a CA bundle that every other user's Brickdesk then trusts). Symbolic links
//! are followed and the real path is checked. On Windows policy comes only from the registry
//! (`HKLM\Software\Policies`, which only administrators write), so no file is trusted there.

use std::path::Path;

/// What is checked of one path: its owner and permission bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ownership {
    pub uid: u32,
    pub mode: u32,
}

/// Group- or world-writable, or not root's.
pub fn writable_by_others(owner: Ownership) -> bool {
    owner.uid != 0 || owner.mode & 0o022 != 0
}

/// Why `path` (already canonical) is not trusted, if it is not: every component from the
/// file up to `/` is checked with `lookup`.
pub fn check_chain(
    path: &Path,
    lookup: impl Fn(&Path) -> std::io::Result<Ownership>,
) -> Result<(), String> {
    for place in path.ancestors() {
        if place.as_os_str().is_empty() {
            continue;
        }
        let owner =
            lookup(place).map_err(|e| format!("{} cannot be checked: {e}", place.display()))?;
        if writable_by_others(owner) {
            return Err(format!(
                "{} can be changed by users other than root (owner {}, mode {:o}); a policy must \
                 be writable by administrators only",
                place.display(),
                owner.uid,
                owner.mode & 0o7777
            ));
        }
    }
    Ok(())
}

/// Whether the policy file at `path` may be used (see the module docs).
#[cfg(unix)]
pub fn check(path: &Path) -> Result<(), String> {
    use std::os::unix::fs::MetadataExt as _;
    let real = std::fs::canonicalize(path).map_err(|e| format!("{}: {e}", path.display()))?;
    check_chain(&real, |place| {
        let meta = std::fs::metadata(place)?;
        Ok(Ownership {
            uid: meta.uid(),
            mode: meta.mode(),
        })
    })
}

#[cfg(not(unix))]
pub fn check(path: &Path) -> Result<(), String> {
    Err(format!(
        "{} is not read on Windows: use the registry policy (HKLM\\Software\\Policies\\Brickdesk)",
        path.display()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;
    use std::path::PathBuf;

    fn tree(entries: &[(&str, u32, u32)]) -> HashMap<PathBuf, Ownership> {
        entries
            .iter()
            .map(|(p, uid, mode)| {
                (
                    PathBuf::from(p),
                    Ownership {
                        uid: *uid,
                        mode: *mode,
                    },
                )
            })
            .collect()
    }

    fn verdict(map: &HashMap<PathBuf, Ownership>, path: &str) -> Result<(), String> {
        check_chain(Path::new(path), |p| {
            map.get(p)
                .copied()
                .ok_or_else(|| std::io::Error::other("missing"))
        })
    }

    #[test]
    fn only_a_root_owned_chain_without_group_or_world_write_is_trusted() {
        let good = tree(&[
            ("/", 0, 0o755),
            ("/etc", 0, 0o755),
            ("/etc/brickdesk", 0, 0o755),
            ("/etc/brickdesk/policy.json", 0, 0o644),
        ]);
        assert_eq!(verdict(&good, "/etc/brickdesk/policy.json"), Ok(()));
        for (place, uid, mode) in [
            ("/etc/brickdesk/policy.json", 1000, 0o644),
            ("/etc/brickdesk/policy.json", 0, 0o666),
            ("/etc/brickdesk", 0, 0o775),
            ("/etc/brickdesk", 1000, 0o755),
            ("/etc", 0, 0o1777),
        ] {
            let mut bad = good.clone();
            bad.insert(PathBuf::from(place), Ownership { uid, mode });
            let error = verdict(&bad, "/etc/brickdesk/policy.json").expect_err(place);
            assert!(error.contains(place), "{error}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_file_in_a_folder_anyone_can_write_is_refused() {
        // The temp folder is world-writable (sticky): what a user plants there is not policy.
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("policy.json");
        std::fs::write(&path, "{}").expect("write");
        assert!(check(&path).is_err());
    }
}
