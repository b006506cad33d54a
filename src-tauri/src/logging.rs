//! Log setup: human-readable lines on stderr, filtered by `BRICKDESK_LOG` (default `info`).
//!
//! Nothing logged anywhere in Brickdesk may contain a token, secret, authorization code or
//! callback URL; secrets are `Sensitive<T>`, whose `Debug` is redacted.

use tracing_subscriber::EnvFilter;

pub fn init() {
    let filter =
        EnvFilter::try_from_env("BRICKDESK_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}
