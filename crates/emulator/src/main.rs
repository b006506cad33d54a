//! `brickdesk-emulator [--port N] [--config FILE] [--auto-approve EMAIL] [--seed N]
//! [--tls [--ca-out FILE]] [--storage-host HOST] [--test-proxy AUTH] [--link-mbit MBIT]`
//!
//! The first line on stdout is `Brickdesk emulator listening on http://127.0.0.1:<port>`
//! (`https://` with `--tls`); scripts and tests read the URL from it. With `--test-proxy`, the
//! second is `Test proxy listening on http://127.0.0.1:<port>, auto-config script at
//! http://127.0.0.1:<port>/proxy.pac`. Logs go to stderr.

use brickdesk_emulator::test_proxy::{DEMO_PAC, ProxyAuth, TestProxy};
use brickdesk_emulator::{Config, Emulator};
use clap::Parser;
use std::io::Write;
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    version,
    about = "A local Databricks-compatible workspace for Brickdesk's tests and demo."
)]
struct Args {
    /// Port on 127.0.0.1; 0 picks a free one.
    #[arg(long, default_value_t = 8787)]
    port: u16,
    /// JSON file replacing parts of the built-in demo configuration.
    #[arg(long)]
    config: Option<PathBuf>,
    /// Sign in as this user at once, without the sign-in page (for tests).
    #[arg(long, value_name = "EMAIL")]
    auto_approve: Option<String>,
    /// Seed for generated ids and data.
    #[arg(long)]
    seed: Option<u64>,
    /// Serve HTTPS with a certificate from a test CA generated for this run.
    #[arg(long)]
    tls: bool,
    /// Write the test CA's certificate (PEM) here, for clients to trust.
    #[arg(long, value_name = "FILE", requires = "tls")]
    ca_out: Option<PathBuf>,
    /// Result links name this host (`localhost`) instead of the workspace's `127.0.0.1`.
    #[arg(long, value_name = "HOST")]
    storage_host: Option<String>,
    /// Also run a test proxy on loopback: `open`, `refuse`, `basic:USER:PASSWORD`,
    /// `ntlm:DOMAIN\USER:PASSWORD` or `negotiate:DOMAIN\USER:PASSWORD`. Its auto-config script
    /// sends `localhost` direct and everything else through it.
    #[arg(long, value_name = "AUTH")]
    test_proxy: Option<String>,
    /// Result downloads share a line of this many megabits a second (`timings.storage_link_mbit`).
    #[arg(long, value_name = "MBIT")]
    link_mbit: Option<f64>,
}

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("EMULATOR_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    if let Err(error) = run(Args::parse()).await {
        eprintln!("brickdesk-emulator: {error:#}");
        std::process::exit(2);
    }
}

async fn run(args: Args) -> anyhow::Result<()> {
    let mut config = match &args.config {
        Some(path) => Config::from_file(path)?,
        None => Config::default(),
    };
    if args.auto_approve.is_some() {
        config.auto_approve = args.auto_approve;
    }
    if let Some(seed) = args.seed {
        config.seed = seed;
    }
    if args.link_mbit.is_some() {
        config.timings.storage_link_mbit = args.link_mbit;
    }
    if args.storage_host.is_some() {
        config.storage_host = args.storage_host.clone();
    }
    let proxy_auth = args
        .test_proxy
        .as_deref()
        .map(ProxyAuth::parse)
        .transpose()
        .map_err(|e| anyhow::anyhow!("--test-proxy: {e}"))?;
    let emulator = if args.tls {
        Emulator::start_tls(config, args.port).await?
    } else {
        Emulator::start(config, args.port).await?
    };
    if let (Some(path), Some(pem)) = (&args.ca_out, &emulator.ca_pem) {
        // Written before the URL is printed, so a reader of the first line can trust it.
        std::fs::write(path, pem)
            .map_err(|e| anyhow::anyhow!("cannot write the CA to {}: {e}", path.display()))?;
    }
    let proxy = match proxy_auth {
        Some(auth) => Some(TestProxy::start(auth, Some(DEMO_PAC.to_owned())).await?),
        None => None,
    };
    let mut stdout = std::io::stdout().lock();
    writeln!(
        stdout,
        "Brickdesk emulator listening on {}",
        emulator.base_url
    )?;
    if let Some(proxy) = &proxy {
        writeln!(
            stdout,
            "Test proxy listening on {}, auto-config script at {}",
            proxy.url, proxy.pac_url
        )?;
    }
    stdout.flush()?;
    drop(stdout);
    tokio::select! {
        result = emulator.wait() => result,
        _ = tokio::signal::ctrl_c() => Ok(()),
    }
}
