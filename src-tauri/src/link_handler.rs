//! Linux: whether the desktop entry the system opens `dev.brickdesk.app:` links with runs this
//! very binary. The deep-link plugin only recognises the per-user handler it writes itself; an
//! installed package registers the scheme through its own entry (`Brickdesk.desktop`), which
//! must count too.

use std::path::{Path, PathBuf};

/// The program an entry's `Exec=` line starts (its first word, unquoted).
fn exec_program(entry: &str) -> Option<String> {
    let exec = entry
        .lines()
        .find_map(|line| line.trim().strip_prefix("Exec="))?;
    let first = if let Some(quoted) = exec.trim().strip_prefix('"') {
        quoted.split('"').next()?
    } else {
        exec.split_whitespace().next()?
    };
    Some(first.to_owned()).filter(|p| !p.is_empty())
}

/// `$XDG_DATA_HOME` then `$XDG_DATA_DIRS` (with their defaults), as the desktop-entry spec
/// searches them.
fn data_dirs() -> Vec<PathBuf> {
    let home = std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")));
    let system = std::env::var("XDG_DATA_DIRS")
        .ok()
        .filter(|d| !d.is_empty())
        .unwrap_or_else(|| "/usr/local/share:/usr/share".to_owned());
    home.into_iter()
        .chain(system.split(':').map(PathBuf::from))
        .collect()
}

/// `program` as the shell would find it: a path as is, a bare name on `$PATH`.
fn resolve(program: &str) -> Option<PathBuf> {
    if program.contains('/') {
        return Some(PathBuf::from(program));
    }
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// Whether `xdg-mime`'s default handler for `scheme` starts the running binary.
pub fn default_handler_is_this_app(scheme: &str) -> bool {
    let Ok(output) = std::process::Command::new("xdg-mime")
        .args(["query", "default", &format!("x-scheme-handler/{scheme}")])
        .output()
    else {
        return false;
    };
    let name = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    let Ok(this) = std::env::current_exe() else {
        return false;
    };
    !name.is_empty()
        && data_dirs()
            .iter()
            .map(|dir| dir.join("applications").join(&name))
            .find(|entry| entry.is_file())
            .and_then(|entry| std::fs::read_to_string(entry).ok())
            .and_then(|text| exec_program(&text))
            .and_then(|program| resolve(&program))
            .is_some_and(|program| same_file(&program, &this))
}

#[cfg(test)]
mod tests {
    use super::exec_program;

    #[test]
    fn the_program_is_the_first_word_of_exec() {
        let packaged = "[Desktop Entry]\nName=Brickdesk\nExec=brickdesk %u\nMimeType=x;\n";
        assert_eq!(exec_program(packaged).as_deref(), Some("brickdesk"));
        let quoted = "[Desktop Entry]\nExec=\"/opt/My Apps/brickdesk\" %u\n";
        assert_eq!(
            exec_program(quoted).as_deref(),
            Some("/opt/My Apps/brickdesk")
        );
        assert_eq!(exec_program("[Desktop Entry]\nName=x\n"), None);
    }
}
