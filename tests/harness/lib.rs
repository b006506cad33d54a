//! End-to-end harness: the real `brickdesk` binary, driven over WebDriver (tauri-driver +
//! WebKitWebDriver), against a real `brickdesk-emulator` process.
//!
//! Boundary: this crate starts and stops processes and speaks WebDriver; it knows the UI only
//! through `data-testid` attributes and accessible text. The display (Xvfb), the D-Bus session
//! and the unlocked gnome-keyring are provided by `scripts/test.sh`, which runs these tests
//! inside them; a test started without them fails at once with instructions.

mod paths;
mod process;
mod webdriver;

pub use paths::{artifacts_dir, target_bin};
pub use process::{Emulator, second_launch};
pub use webdriver::{Element, WebDriver};

use anyhow::{Context, Result, bail};
use std::time::{Duration, Instant};

/// Runs one end-to-end test against a fresh app, and saves a screenshot of the window at the
/// end to `artifacts/e2e/<name>-passed.png` or `<name>-FAILED.png`.
pub fn run(name: &str, test: impl FnOnce(&AppSession) -> Result<()>) -> Result<()> {
    let session = AppSession::start(name)?;
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| test(&session)));
    let label = if matches!(outcome, Ok(Ok(()))) {
        "passed"
    } else {
        "FAILED"
    };
    if let Err(error) = session.screenshot(label) {
        eprintln!("could not save the screenshot of {name}: {error:#}");
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
    pub driver: WebDriver,
    tauri_driver: process::TauriDriver,
}

impl AppSession {
    /// Starts everything with the emulator listed as the "Demo workspace".
    pub fn start(name: &str) -> Result<Self> {
        require_desktop_session()?;
        process::wait_for_single_instance_free(Duration::from_secs(15))?;
        let emulator = Emulator::start()?;
        let tauri_driver = process::TauriDriver::start(&emulator.base_url)?;
        let driver = WebDriver::new_session(&tauri_driver.url, &target_bin("brickdesk")?)
            .context("opening the Brickdesk window over WebDriver")?;
        let session = Self {
            name: name.to_owned(),
            emulator,
            driver,
            tauri_driver,
        };
        session
            .driver
            .wait_for("[data-testid=app-shell]", Duration::from_secs(30))?;
        Ok(session)
    }

    /// Saves a screenshot now under `artifacts/e2e/<name>-<label>.png`.
    pub fn screenshot(&self, label: &str) -> Result<()> {
        self.driver
            .save_screenshot(&artifacts_dir()?.join(format!("{}-{label}.png", self.name)))
    }

    /// Environment for a second `brickdesk` launch: the same as the running app's.
    pub fn app_env(&self) -> Vec<(String, String)> {
        process::app_env(&self.emulator.base_url)
    }
}

impl Drop for AppSession {
    fn drop(&mut self) {
        self.driver.quit();
        self.tauri_driver.stop();
        if let Err(error) = process::wait_for_single_instance_free(Duration::from_secs(15)) {
            eprintln!("{error:#}");
        }
    }
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
             them through `scripts/test.sh` (or `scripts/test.sh e2e`), which starts Xvfb, \
             dbus-run-session and gnome-keyring.",
            missing.join(", ")
        );
    }
    Ok(())
}
