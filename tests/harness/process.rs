//! Child processes: the emulator, tauri-driver, and second `brickdesk` launches.

use crate::paths::target_bin;
use crate::wait_until;
use anyhow::{Context, Result, bail};
use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// D-Bus name that tauri-plugin-single-instance owns while Brickdesk runs (Linux).
const SINGLE_INSTANCE_NAME: &str = "dev.brickdesk.desktop.SingleInstance";

/// A `brickdesk-emulator --port 0` process.
#[derive(Debug)]
pub struct Emulator {
    pub base_url: String,
    /// With `--tls`: the test CA's certificate (PEM), for clients to trust.
    pub ca_file: Option<PathBuf>,
    /// With `--test-proxy`: the proxy (`http://127.0.0.1:<port>`) and its auto-config script.
    pub proxy: Option<(String, String)>,
    child: Child,
}

impl Emulator {
    /// An emulator that signs everyone in as `user` at once (no sign-in page).
    pub fn start_as(user: &str) -> Result<Self> {
        Self::start_with(user, None, &[])
    }

    /// [`Emulator::start_as`], with the config file `config` (`--config`) when given, and more
    /// command-line arguments (`--tls --ca-out FILE`, `--test-proxy AUTH`…).
    pub fn start_with(user: &str, config: Option<&Path>, args: &[String]) -> Result<Self> {
        let mut command = Command::new(target_bin("brickdesk-emulator")?);
        command.args(["--port", "0", "--auto-approve", user]);
        if let Some(config) = config {
            command.arg("--config").arg(config);
        }
        command.args(args);
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .context("starting brickdesk-emulator")?;
        let stdout = child.stdout.take().context("emulator stdout")?;
        let mut stdout = BufReader::new(stdout);
        let mut first_line = String::new();
        stdout
            .read_line(&mut first_line)
            .context("reading the emulator's first line")?;
        let Some(start) = first_line.find("://127.0.0.1:") else {
            let _ = child.kill();
            bail!("the emulator did not print its URL; it printed {first_line:?}");
        };
        let scheme_start = first_line[..start].rfind(' ').map_or(0, |i| i + 1);
        let base_url = first_line[scheme_start..].trim().to_owned();
        let proxy = if args.iter().any(|a| a == "--test-proxy") {
            let mut line = String::new();
            stdout
                .read_line(&mut line)
                .context("reading the test proxy's line")?;
            let parsed = line
                .trim()
                .strip_prefix("Test proxy listening on ")
                .and_then(|rest| rest.split_once(", auto-config script at "))
                .map(|(proxy, pac)| (proxy.to_owned(), pac.to_owned()));
            let Some(parsed) = parsed else {
                let _ = child.kill();
                bail!("the emulator did not print its test proxy; it printed {line:?}");
            };
            Some(parsed)
        } else {
            None
        };
        let ca_file = args
            .iter()
            .position(|a| a == "--ca-out")
            .and_then(|i| args.get(i + 1))
            .map(PathBuf::from);
        Ok(Self {
            base_url,
            ca_file,
            proxy,
            child,
        })
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Where one test's app keeps its settings and secrets, apart from every other test's.
#[derive(Debug, Clone)]
pub struct AppWorld {
    /// The `brickdesk` binary that runs.
    pub app: PathBuf,
    /// Its own XDG config and data folders live here.
    pub scratch: PathBuf,
    /// Its own keychain namespace.
    pub keychain_service: String,
    /// The emulator listed as the "Demo workspace", if any.
    pub demo_host: Option<String>,
    /// A policy file (`BRICKDESK_POLICY_FILE`), if any.
    pub policy_file: Option<PathBuf>,
    /// When set, the stand-in browser saves the redirect it got here instead of following
    /// it, as if the user had not finished in the browser yet.
    pub browser_saves_to: Option<PathBuf>,
    /// More environment, set last.
    pub extra_env: Vec<(String, String)>,
}

impl AppWorld {
    /// Where the app saves exports during tests.
    pub fn exports_dir(&self) -> PathBuf {
        self.scratch.join("exports")
    }

    /// The environment the app runs with (also for second launches, which must find the same
    /// single instance and settings).
    pub fn env(&self) -> Result<Vec<(String, String)>> {
        let path = |p: &Path| p.to_string_lossy().into_owned();
        let browser = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("e2e/fake-browser.sh");
        let mut env = vec![
            ("BRICKDESK_LOG".into(), "debug".into()),
            ("XDG_CONFIG_HOME".into(), path(&self.scratch.join("config"))),
            ("XDG_DATA_HOME".into(), path(&self.scratch.join("data"))),
            // The web view's caches land here too, where the leak test searches them.
            ("XDG_CACHE_HOME".into(), path(&self.scratch.join("cache"))),
            // Exports land here instead of in a native save dialog WebDriver cannot drive.
            ("BRICKDESK_TEST_SAVE_DIR".into(), path(&self.exports_dir())),
            (
                "BRICKDESK_KEYCHAIN_SERVICE".into(),
                self.keychain_service.clone(),
            ),
            ("BROWSER".into(), path(&browser)),
            ("BRICKDESK_E2E_APP".into(), path(&self.app)),
            (
                "BRICKDESK_E2E_BROWSER_LOG".into(),
                path(&self.scratch.join("browser.log")),
            ),
            // No system policy from the machine running the tests.
            (
                "BRICKDESK_POLICY_FILE".into(),
                path(
                    self.policy_file
                        .as_deref()
                        .unwrap_or(&self.scratch.join("no-policy.json")),
                ),
            ),
        ];
        if let Some(host) = &self.demo_host {
            env.push(("BRICKDESK_DEMO_HOST".into(), host.clone()));
        }
        if let Some(file) = &self.browser_saves_to {
            env.push(("BRICKDESK_E2E_BROWSER_SAVE".into(), path(file)));
        }
        env.extend(self.extra_env.iter().cloned());
        Ok(env)
    }
}

/// A `tauri-driver` on free ports, proxying to WebKitWebDriver.
#[derive(Debug)]
pub struct TauriDriver {
    pub url: String,
    child: Option<Child>,
}

impl TauriDriver {
    /// Starts tauri-driver; the app it launches gets `env`, and its log goes to `log`.
    pub fn start(env: &[(String, String)], log: &Path) -> Result<Self> {
        let (port, native_port) = (free_port()?, free_port()?);
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
            .with_context(|| format!("opening {}", log.display()))?;
        let child = Command::new(tauri_driver_path())
            .args(["--port", &port.to_string(), "--native-port", &native_port.to_string()])
            .envs(env.iter().cloned())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .context("starting tauri-driver (install it with: cargo install tauri-driver --locked --version 2.1.0)")?;
        let driver = Self {
            url: format!("http://127.0.0.1:{port}"),
            child: Some(child),
        };
        let agent = crate::webdriver::agent();
        wait_until(
            "tauri-driver to answer /status",
            Duration::from_secs(20),
            || {
                Ok(agent
                    .get(&format!("{}/status", driver.url))
                    .call()
                    .ok()
                    .map(|_| ()))
            },
        )?;
        Ok(driver)
    }

    /// SIGTERM, so that tauri-driver also stops WebKitWebDriver; SIGKILL after 5 s.
    pub fn stop(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        let _ = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = child.kill();
        let _ = child.wait();
    }
}

fn tauri_driver_path() -> std::path::PathBuf {
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(std::path::PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME").map(|home| std::path::PathBuf::from(home).join(".cargo"))
        });
    cargo_home
        .map(|home| home.join("bin").join("tauri-driver"))
        .filter(|path| path.is_file())
        .unwrap_or_else(|| "tauri-driver".into())
}

fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// Runs `brickdesk <url>` as the OS does for a clicked link, and waits for it to exit.
pub fn second_launch(url: &str, env: &[(String, String)]) -> Result<ExitStatus> {
    let mut child = Command::new(target_bin("brickdesk")?)
        .arg(url)
        .envs(env.iter().cloned())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .context("starting the second brickdesk")?;
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok(status);
        }
        if started.elapsed() > Duration::from_secs(20) {
            let _ = child.kill();
            bail!("the second launch did not exit within 20 s: it did not reach the running app");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Waits until no Brickdesk owns the single-instance name on this D-Bus session, so that a new
/// app starts as the primary instance instead of forwarding to a leftover one. An app that
/// outlives its WebDriver session for more than a few seconds is terminated: it is found by
/// asking D-Bus which process owns the name, so nothing else on the machine is touched.
pub fn wait_for_single_instance_free(timeout: Duration) -> Result<()> {
    let grace = Duration::from_secs(3);
    if wait_until("the previous Brickdesk to exit", grace, name_is_free).is_ok() {
        return Ok(());
    }
    if let Some(pid) = name_owner_pid()? {
        let _ = Command::new("kill")
            .args(["-TERM", &pid.to_string()])
            .status();
    }
    wait_until("the previous Brickdesk to exit", timeout, name_is_free)
}

fn dbus_call(method: &str) -> Result<String> {
    let output = Command::new("dbus-send")
        .args([
            "--session",
            "--print-reply",
            "--dest=org.freedesktop.DBus",
            "/org/freedesktop/DBus",
            &format!("org.freedesktop.DBus.{method}"),
            &format!("string:{SINGLE_INSTANCE_NAME}"),
        ])
        .output()
        .context("dbus-send (package dbus-bin)")?;
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

fn name_is_free() -> Result<Option<()>> {
    Ok(dbus_call("NameHasOwner")?
        .contains("boolean false")
        .then_some(()))
}

/// The process id of the running Brickdesk (the owner of its single-instance D-Bus name).
pub fn running_app_pid() -> Result<Option<u32>> {
    name_owner_pid()
}

fn name_owner_pid() -> Result<Option<u32>> {
    let reply = dbus_call("GetConnectionUnixProcessID")?;
    Ok(reply
        .split_whitespace()
        .skip_while(|word| *word != "uint32")
        .nth(1)
        .and_then(|pid| pid.parse().ok()))
}

/// Resident memory (KiB) of the running app's web content process (WebKitGTK renders each web
/// view in a `WebKitWebProcess` child), found from the app's single-instance D-Bus name.
pub fn webview_rss_kib() -> Result<u64> {
    let app = name_owner_pid()?.context("no Brickdesk is running")?;
    let mut total = 0;
    for entry in std::fs::read_dir("/proc")? {
        let Ok(pid) = entry?.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(status) = std::fs::read_to_string(format!("/proc/{pid}/status")) else {
            continue;
        };
        let field = |name: &str| {
            status
                .lines()
                .find(|l| l.starts_with(name))
                .and_then(|l| l.split_whitespace().nth(1))
                .map(str::to_owned)
        };
        let is_web = field("Name:").is_some_and(|n| n.starts_with("WebKitWebProces"));
        let child = field("PPid:").and_then(|p| p.parse::<u32>().ok()) == Some(app);
        if is_web && child {
            total += field("VmRSS:")
                .and_then(|v| v.parse::<u64>().ok())
                .unwrap_or(0);
        }
    }
    if total == 0 {
        bail!("found no web content process of Brickdesk (pid {app})");
    }
    Ok(total)
}
