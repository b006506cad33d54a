//! End-to-end harness: the real `brickdesk` binary, driven over WebDriver (tauri-driver +
//! WebKitWebDriver), against a real `brickdesk-emulator` process.
//!
//! Boundary: this crate starts and stops processes and speaks WebDriver; it knows the UI only
//! through `data-testid` attributes and accessible text. The display (Xvfb), the D-Bus session
//! and the unlocked gnome-keyring are provided by `scripts/test.sh`, which runs these tests
//! inside them; a test started without them fails at once with instructions.

pub mod axe;
mod keychain;
mod paths;
mod process;
mod recorder;
pub mod ui;
mod webdriver;

pub use paths::{artifacts_dir, target_bin};
pub use process::{AppWorld, Emulator, running_app_pid, second_launch, webview_rss_kib};
pub use webdriver::{Element, WebDriver};

use anyhow::{Context, Result, bail};
use std::time::{Duration, Instant};

/// How a test's app starts.
#[derive(Debug, Clone)]
pub struct Options {
    /// List the emulator as the "Demo workspace" (as `scripts/run.sh` does).
    pub demo: bool,
    /// An IT policy (JSON) for the app to read.
    pub policy: Option<serde_json::Value>,
    /// The stand-in browser keeps redirects in `<scratch>/held-link` instead of following them.
    pub browser_holds_links: bool,
    /// Who the emulator signs in.
    pub user: &'static str,
    /// The app binary to run; the one Cargo built when `None` (the package test runs the one
    /// installed from the `.deb`).
    pub app: Option<std::path::PathBuf>,
    /// More environment for the app (and for [`AppSession::app_env`]).
    pub env: Vec<(String, String)>,
    /// An emulator config (JSON, as `brickdesk-emulator --config` reads it), if not the demo's.
    pub emulator_config: Option<serde_json::Value>,
    /// More emulator arguments. With `--tls`, the test CA is written to the scratch folder,
    /// named by [`Emulator::ca_file`] and trusted by the stand-in browser.
    pub emulator_args: Vec<String>,
    /// The policy, made once the emulator runs (its CA file, its proxy's script), when the
    /// policy depends on it. Wins over `policy`.
    pub policy_for: Option<fn(&Emulator) -> serde_json::Value>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            demo: true,
            policy: None,
            browser_holds_links: false,
            user: "alice@example.com",
            app: None,
            env: Vec::new(),
            emulator_config: None,
            emulator_args: Vec::new(),
            policy_for: None,
        }
    }
}

/// Runs one end-to-end test against a fresh app with the demo workspace; see [`run_with`].
pub fn run(name: &str, test: impl FnOnce(&mut AppSession) -> Result<()>) -> Result<()> {
    run_with(name, Options::default(), test)
}

/// Runs one end-to-end test against a fresh app (its own settings and keychain namespace),
/// and saves a screenshot of the window at the end to `artifacts/e2e/<name>-passed.png` or
/// `<name>-FAILED.png`. The app's log is `artifacts/e2e/<name>-app.log`.
pub fn run_with(
    name: &str,
    options: Options,
    test: impl FnOnce(&mut AppSession) -> Result<()>,
) -> Result<()> {
    let mut session = AppSession::start(name, options)?;
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| test(&mut session)));
    let label = if matches!(outcome, Ok(Ok(()))) {
        "passed"
    } else {
        "FAILED"
    };
    if let Err(error) = session.screenshot(label) {
        eprintln!("could not save the screenshot of {name}: {error:#}");
    }
    if label == "FAILED" {
        session.print_what_failed();
    }
    drop(session);
    match outcome {
        Ok(result) => result,
        Err(panic) => std::panic::resume_unwind(panic),
    }
}

/// One end-to-end test's world: an emulator, a tauri-driver and the app window.
///
/// Dropping it closes the app and waits until its single-instance name is free for the next
/// test.
#[derive(Debug)]
pub struct AppSession {
    name: String,
    pub emulator: Emulator,
    pub world: AppWorld,
    pub driver: WebDriver,
    tauri_driver: process::TauriDriver,
}

impl AppSession {
    /// Starts an emulator (signing everyone in as alice) and the app.
    pub fn start(name: &str, options: Options) -> Result<Self> {
        require_desktop_session()?;
        let scratch =
            std::env::temp_dir().join(format!("brickdesk-e2e-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&scratch);
        std::fs::create_dir_all(&scratch)?;
        let emulator_config = match &options.emulator_config {
            Some(config) => {
                let path = scratch.join("emulator.json");
                std::fs::write(&path, serde_json::to_vec_pretty(config)?)?;
                Some(path)
            }
            None => None,
        };
        let mut emulator_args = options.emulator_args.clone();
        let mut env = options.env;
        if emulator_args.iter().any(|a| a == "--tls") {
            let ca = scratch.join("emulator-ca.pem");
            emulator_args.extend(["--ca-out".to_owned(), ca.to_string_lossy().into_owned()]);
            // The stand-in browser is curl.
            env.push(("CURL_CA_BUNDLE".into(), ca.to_string_lossy().into_owned()));
        }
        let emulator =
            Emulator::start_with(options.user, emulator_config.as_deref(), &emulator_args)?;
        let _ = std::fs::remove_file(log_path(name)?);
        let policy = options
            .policy_for
            .map(|make| make(&emulator))
            .or(options.policy);
        let policy_file = match &policy {
            Some(policy) => {
                let path = scratch.join("policy.json");
                std::fs::write(&path, serde_json::to_vec_pretty(policy)?)?;
                Some(path)
            }
            None => None,
        };
        let world = AppWorld {
            app: match options.app {
                Some(app) => app,
                None => target_bin("brickdesk")?,
            },
            keychain_service: format!("dev.brickdesk.app.test.{name}"),
            demo_host: options.demo.then(|| emulator.base_url.clone()),
            policy_file,
            browser_saves_to: options
                .browser_holds_links
                .then(|| scratch.join("held-link")),
            scratch,
            extra_env: env,
        };
        std::fs::create_dir_all(world.exports_dir())?;
        let (tauri_driver, driver) = launch(name, &world, &[])?;
        Ok(Self {
            name: name.to_owned(),
            emulator,
            world,
            driver,
            tauri_driver,
        })
    }

    /// Quits the app and starts it again with the same settings and keychain.
    pub fn restart(&mut self) -> Result<()> {
        self.restart_with_args(&[])
    }

    /// Quits the app and starts it again with `args`, as the OS does for a clicked link
    /// (`brickdesk '<url>'`) when Brickdesk is not running.
    pub fn restart_with_args(&mut self, args: &[String]) -> Result<()> {
        self.relaunch(args, |_| Ok(()))
    }

    /// Quits the app, does `meanwhile` to its world, and starts it again with `args`.
    fn relaunch(
        &mut self,
        args: &[String],
        meanwhile: impl FnOnce(&AppWorld) -> Result<()>,
    ) -> Result<()> {
        self.driver.quit();
        self.tauri_driver.stop();
        meanwhile(&self.world)?;
        let (tauri_driver, driver) = launch(&self.name, &self.world, args)?;
        self.tauri_driver = tauri_driver;
        self.driver = driver;
        Ok(())
    }

    /// Quits the app and starts it again as on another machine of the same user: the same
    /// settings and keychain, but no local store (the questions, history and results Brickdesk
    /// keeps on this machine).
    pub fn restart_without_local_store(&mut self) -> Result<()> {
        self.relaunch(&[], |world| {
            let mut removed = 0;
            let mut dirs = vec![world.scratch.join("data")];
            while let Some(dir) = dirs.pop() {
                for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
                    let path = entry.path();
                    if path.is_dir() {
                        dirs.push(path);
                    } else if entry
                        .file_name()
                        .to_string_lossy()
                        .starts_with("brickdesk.sqlite3")
                    {
                        std::fs::remove_file(&path)?;
                        removed += 1;
                    }
                }
            }
            anyhow::ensure!(removed > 0, "no local store found under the scratch folder");
            Ok(())
        })
    }

    /// Saves a screenshot now under `artifacts/e2e/<name>-<label>.png`.
    pub fn screenshot(&self, label: &str) -> Result<()> {
        self.driver
            .save_screenshot(&artifacts_dir()?.join(format!("{}-{label}.png", self.name)))
    }

    /// Prints what the window said and the end of the app's log, so a failure on CI (where
    /// the screenshot is out of reach) can be read from the test output alone.
    fn print_what_failed(&self) {
        let window = self
            .driver
            .texts("body")
            .map(|texts| texts.join("\n"))
            .unwrap_or_else(|error| format!("(unreadable: {error:#})"));
        let window: String = window.chars().take(3000).collect();
        eprintln!("--- the window of {} said:\n{window}", self.name);
        let log = self.log().unwrap_or_default();
        let tail: Vec<&str> = log.lines().rev().take(40).collect();
        eprintln!("--- the end of its log:");
        for line in tail.iter().rev() {
            eprintln!("{line}");
        }
    }

    /// Environment for a second `brickdesk` launch: the same as the running app's.
    pub fn app_env(&self) -> Vec<(String, String)> {
        self.world.env().unwrap_or_default()
    }

    /// The statements the emulator ran (id and SQL), Genie's own included.
    fn emulator_statements(&self) -> Result<Vec<(String, String)>> {
        let url = format!("{}/__emulator/statements", self.emulator.base_url);
        let list: serde_json::Value = ureq::get(&url).call()?.body_mut().read_json()?;
        Ok(list["statements"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|s| {
                let text = |key: &str| s[key].as_str().unwrap_or_default().to_owned();
                (text("statement_id"), text("statement"))
            })
            .collect())
    }

    /// Opens the source line of the (first) answer or result on screen and finds the statement
    /// id it shows among those the emulator ran; that statement's SQL.
    pub fn shown_statement_sql(&self) -> Result<String> {
        let d = &self.driver;
        let wait = Duration::from_secs(30);
        d.click("[data-testid=provenance] summary", wait)?;
        d.wait_for("[data-testid=provenance-statement]", wait)?;
        let shown = d.texts("[data-testid=provenance-statement]")?.concat();
        let ran = self.emulator_statements()?;
        ran.iter()
            .find(|(id, _)| *id == shown.trim())
            .map(|(_, sql)| sql.clone())
            .with_context(|| {
                format!("the statement id {shown:?} is not one the emulator ran: {ran:?}")
            })
    }

    /// The requests the emulator logged under `prefix`, as `(method, path, status)`.
    pub fn emulator_requests(&self, prefix: &str) -> Result<Vec<(String, String, u64)>> {
        let url = format!(
            "{}/__emulator/requests?path_prefix={prefix}",
            self.emulator.base_url
        );
        let log: serde_json::Value = ureq::get(&url).call()?.body_mut().read_json()?;
        Ok(log["requests"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|r| {
                let text = |key: &str| r[key].as_str().unwrap_or_default().to_owned();
                (
                    text("method"),
                    text("path"),
                    r["status"].as_u64().unwrap_or_default(),
                )
            })
            .collect())
    }

    /// The app's log so far (stderr of every launch in this test).
    pub fn log(&self) -> Result<String> {
        Ok(std::fs::read_to_string(log_path(&self.name)?)?)
    }

    /// Starts recording everything the web UI receives from Rust (see [`AppSession::received`]).
    pub fn record_ipc(&self) -> Result<()> {
        recorder::install(&self.driver)
    }

    /// What the web UI received since [`AppSession::record_ipc`], one entry per message.
    pub fn received(&self) -> Result<Vec<String>> {
        recorder::received(&self.driver)
    }

    /// The accounts this test's app has in the real keychain (`<profile>/<kind>`), read with
    /// `secret-tool` as an administrator would.
    pub fn keychain_accounts(&self) -> Result<Vec<String>> {
        keychain::accounts(&self.world.keychain_service)
    }
}

impl Drop for AppSession {
    fn drop(&mut self) {
        self.driver.quit();
        self.tauri_driver.stop();
        if let Err(error) = process::wait_for_single_instance_free(Duration::from_secs(15)) {
            eprintln!("{error:#}");
        }
        let _ = std::fs::remove_dir_all(&self.world.scratch);
    }
}

fn log_path(name: &str) -> Result<std::path::PathBuf> {
    Ok(artifacts_dir()?.join(format!("{name}-app.log")))
}

/// Starts tauri-driver and the app window, once no other Brickdesk holds the single instance.
fn launch(
    name: &str,
    world: &AppWorld,
    args: &[String],
) -> Result<(process::TauriDriver, WebDriver)> {
    process::wait_for_single_instance_free(Duration::from_secs(15))?;
    let tauri_driver = process::TauriDriver::start(&world.env()?, &log_path(name)?)?;
    let driver = WebDriver::new_session(&tauri_driver.url, &world.app, args)
        .context("opening the Brickdesk window over WebDriver")?;
    driver.wait_for("[data-testid=app-shell]", Duration::from_secs(30))?;
    Ok((tauri_driver, driver))
}

/// Polls `check` until it returns `Some`, or fails with `what` after `timeout`.
pub fn wait_until<T>(
    what: &str,
    timeout: Duration,
    mut check: impl FnMut() -> Result<Option<T>>,
) -> Result<T> {
    let start = Instant::now();
    let mut last_error = None;
    loop {
        match check() {
            Ok(Some(value)) => return Ok(value),
            Ok(None) => {}
            Err(error) => last_error = Some(error),
        }
        if start.elapsed() > timeout {
            match last_error {
                Some(error) => bail!("timed out after {timeout:?} waiting for {what}: {error:#}"),
                None => bail!("timed out after {timeout:?} waiting for {what}"),
            }
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn require_desktop_session() -> Result<()> {
    let missing: Vec<&str> = ["DISPLAY", "DBUS_SESSION_BUS_ADDRESS"]
        .into_iter()
        .filter(|name| std::env::var_os(name).is_none())
        .collect();
    if !missing.is_empty() {
        bail!(
            "end-to-end tests need a display, a D-Bus session and a keyring ({} not set). Run \
             them through `scripts/test.sh`, or one file with `scripts/lib/desktop-session.sh \
             cargo test -p brickdesk-e2e --test <name>`: both start Xvfb, dbus-run-session and \
             gnome-keyring.",
            missing.join(", ")
        );
    }
    Ok(())
}
