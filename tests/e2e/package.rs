//! The Linux package: the `.deb` that `scripts/test.sh` bundles from the tested binary is
//! unpacked into a scratch root the way dpkg installs it, the installed binary is started, and
//! a `dev.brickdesk.app:` link opened with `xdg-open` must reach it through the package's
//! desktop entry — the path a link clicked in a browser or a mail takes on a Linux desktop.

use anyhow::{Context, Result, bail, ensure};
use brickdesk_e2e::{Options, run_with, running_app_pid, target_bin};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(20);
const SCHEME_HANDLER: &str = "x-scheme-handler/dev.brickdesk.app";

#[test]
fn the_installed_deb_receives_a_link_opened_with_xdg_open() -> Result<()> {
    let deb = built_deb()?;
    let root = std::env::temp_dir().join(format!("brickdesk-deb-root-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    run(Command::new("dpkg-deb").arg("-x").arg(&deb).arg(&root))?;
    let outcome = check_installed(&deb, &root);
    let _ = std::fs::remove_dir_all(&root);
    outcome
}

fn check_installed(deb: &Path, root: &Path) -> Result<()> {
    let installed = root.join("usr/bin/brickdesk");
    ensure!(
        std::fs::read(&installed)? == std::fs::read(target_bin("brickdesk")?)?,
        "{} holds another build than target/debug/brickdesk; bundle it again (scripts/test.sh)",
        deb.display()
    );
    let applications = root.join("usr/share/applications");
    let entry = std::fs::read_to_string(applications.join("Brickdesk.desktop"))
        .context("the package has no usr/share/applications/Brickdesk.desktop")?;
    let key = |name: &str| {
        entry
            .lines()
            .find_map(|line| line.strip_prefix(&format!("{name}=")))
            .unwrap_or_default()
            .to_owned()
    };
    ensure!(
        key("MimeType").split(';').any(|t| t == SCHEME_HANDLER),
        "the desktop entry does not declare {SCHEME_HANDLER}:\n{entry}"
    );
    ensure!(
        key("Exec") == "brickdesk %u",
        "the desktop entry must pass the link to the app (`Exec=brickdesk %u`):\n{entry}"
    );
    // What dpkg's desktop-file-utils trigger does after installing a .desktop file.
    run(Command::new("update-desktop-database").arg(&applications))?;

    // The app runs as on a machine with the package installed: its bin and share folders are
    // where the system looks for programs and desktop entries.
    let usr = root.join("usr");
    let options = Options {
        app: Some(installed.clone()),
        env: vec![
            ("PATH".into(), prepend(&usr.join("bin"), "PATH")?),
            (
                "XDG_DATA_DIRS".into(),
                prepend(&usr.join("share"), "XDG_DATA_DIRS")?,
            ),
        ],
        ..Options::default()
    };
    run_with("installed-deb", options, |app| {
        let d = &app.driver;
        d.wait_for_text("[data-testid=workspace-item]", "Demo workspace", WAIT)?;
        let pid = running_app_pid()?.context("no Brickdesk owns the single-instance name")?;
        let exe = std::fs::read_link(format!("/proc/{pid}/exe"))?;
        assert_eq!(exe, installed, "the running app is not the installed one");

        let status = Command::new("xdg-open")
            .arg("dev.brickdesk.app:/open?workspace=demo")
            .envs(app.app_env())
            // No browser to fall back on: only the scheme handler can take the link.
            .env_remove("BROWSER")
            .status()
            .context("running xdg-open (package xdg-utils)")?;
        assert!(status.success(), "xdg-open failed: {status}");
        let notice = d.wait_for_text(
            "[data-testid=notice][data-kind=deep-link-handled]",
            "Opened from a link",
            WAIT,
        )?;
        assert!(notice.contains("Demo workspace"), "{notice}");

        // The package's entry took the link: the app registered no per-user handler of its own…
        let own_handlers: Vec<_> = std::fs::read_dir(app.world.scratch.join("data/applications"))
            .into_iter()
            .flatten()
            .filter_map(|entry| Some(entry.ok()?.file_name().to_string_lossy().into_owned()))
            .filter(|name| name.ends_with("-handler.desktop"))
            .collect();
        assert!(own_handlers.is_empty(), "{own_handlers:?}");
        // …and it knows that the package's entry sends links to it.
        d.click("[data-testid=account-button]", WAIT)?;
        d.click("[data-testid=account-self-test]", WAIT)?;
        let line = "[data-testid=self-test-line][data-kind=linkScheme]";
        let outcome = brickdesk_e2e::wait_until("the link line", WAIT, || {
            Ok(d.find_all(line)?
                .first()
                .map(|l| l.attribute("data-outcome"))
                .transpose()?
                .flatten())
        })?;
        assert_eq!(outcome, "pass", "{:?}", d.texts(line)?);
        Ok(())
    })
}

/// The `.deb` in `target/debug/bundle/deb/`, built by `scripts/test.sh`.
fn built_deb() -> Result<PathBuf> {
    let dir = target_bin("brickdesk")?
        .with_file_name("bundle")
        .join("deb");
    let debs: Vec<PathBuf> = std::fs::read_dir(&dir)
        .into_iter()
        .flatten()
        .filter_map(|entry| Some(entry.ok()?.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "deb"))
        .collect();
    match debs.as_slice() {
        [deb] => Ok(deb.clone()),
        [] => bail!(
            "no .deb in {}. Bundle the built app first: (cd src-tauri && \
             ../ui/node_modules/.bin/tauri bundle --debug --bundles deb) — scripts/test.sh does this.",
            dir.display()
        ),
        many => bail!("more than one .deb in {}: {many:?}", dir.display()),
    }
}

/// `dir` in front of the search path in environment variable `name` (or its XDG default).
fn prepend(dir: &Path, name: &str) -> Result<String> {
    let rest = std::env::var(name).unwrap_or_else(|_| match name {
        "XDG_DATA_DIRS" => "/usr/local/share:/usr/share".to_owned(),
        _ => "/usr/bin:/bin".to_owned(),
    });
    let dir = dir.to_str().context("scratch path is not UTF-8")?;
    Ok(format!("{dir}:{rest}"))
}

fn run(command: &mut Command) -> Result<()> {
    let status = command
        .status()
        .with_context(|| format!("running {command:?}"))?;
    ensure!(status.success(), "{command:?} failed: {status}");
    Ok(())
}
