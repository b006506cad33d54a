//! What the benchmarks share: the emulator as a separate process, a signed-in API, and (in
//! [`measure`]) peak memory and the raw-download baseline.

pub mod measure;

use anyhow::{Context, Result};
use brickdesk_core::api::Api;
use brickdesk_core::host::WorkspaceHost;
use brickdesk_core::policy::Policy;
use brickdesk_core::profiles::AuthKind;
use brickdesk_core::service::{Config, NewWorkspace, Workspaces};
use brickdesk_core::vault::{MemoryStore, Vault};
use std::io::{BufRead as _, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;

/// The emulator the benchmark talks to; stopped when dropped (if this process started it).
#[derive(Debug)]
pub struct Emulator {
    pub url: String,
    child: Option<Child>,
}

impl Drop for Emulator {
    fn drop(&mut self) {
        if let Some(child) = &mut self.child {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// `--emulator URL` on the command line, else `target/{release,debug}/brickdesk-emulator`
/// started on a free port with `extra_args`.
pub fn emulator(extra_args: &[&str]) -> Result<Emulator> {
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--emulator" {
            let url = args.next().context("--emulator needs a URL")?;
            return Ok(Emulator { url, child: None });
        }
    }
    let exe = std::env::current_exe()?;
    let target = exe
        .parent()
        .and_then(|p| p.parent())
        .context("no target folder")?;
    let binary = ["release", "debug"]
        .iter()
        .map(|profile| target.join(profile).join("brickdesk-emulator"))
        .find(|p| p.is_file())
        .context("build the emulator first: cargo build -p brickdesk-emulator")?;
    let mut child = Command::new(&binary)
        .args(["--port", "0", "--seed", "1"])
        .args(extra_args)
        .env("EMULATOR_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .with_context(|| format!("starting {}", binary.display()))?;
    let mut line = String::new();
    BufReader::new(child.stdout.take().context("stdout")?).read_line(&mut line)?;
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .context("the emulator printed no URL")?
        .to_owned();
    Ok(Emulator {
        url,
        child: Some(child),
    })
}

/// A signed-in API as the `kpi-bot` service principal (documented demo credentials).
pub async fn api(url: &str) -> Result<Api> {
    let dir = std::env::temp_dir().join(format!("brickdesk-bench-{}", std::process::id()));
    let (service, _) = Workspaces::open(Config {
        profiles_file: dir.join("profiles.json"),
        policy: Policy::default(),
        vault: Vault::new(Arc::new(MemoryStore::default())),
        demo_host: None,
    })
    .map_err(|e| anyhow::anyhow!(e.message))?;
    let list = service
        .add(
            NewWorkspace {
                name: "Bench".into(),
                host: WorkspaceHost::parse(url)
                    .map_err(|e| anyhow::anyhow!(e.message))?
                    .to_string(),
                auth: AuthKind::ServicePrincipal {
                    client_id: "kpi-bot".into(),
                },
                redirect: None,
                access: None,
                secret: Some("kpi-bot-secret".into()),
            },
            |_| {},
        )
        .await
        .map_err(|e| anyhow::anyhow!(e.message))?;
    let id = list.active_id.context("no workspace")?;
    let _ = std::fs::remove_dir_all(&dir);
    service
        .api(&id)
        .await
        .map_err(|e| anyhow::anyhow!(e.message))
}
