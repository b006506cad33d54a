//! Log setup: human-readable lines on stderr, filtered by `BRICKDESK_LOG` (default `info`).
//!
//! A bare level (`BRICKDESK_LOG=debug`) applies to Brickdesk's own crates only; libraries stay
//! at `warn`, so a support log is about Brickdesk and not connection pooling or keychain
//! plumbing. A full filter (`BRICKDESK_LOG=warn,hyper_util=debug`) is used as written.
//!
//! Nothing logged anywhere in Brickdesk may contain a token, secret, authorization code or
//! callback URL; secrets are `Sensitive<T>`, whose `Debug` is redacted.

use tracing_subscriber::EnvFilter;

const OWN_CRATES: [&str; 2] = ["brickdesk_app", "brickdesk_core"];
const LEVELS: [&str; 6] = ["off", "error", "warn", "info", "debug", "trace"];

/// The filter directives for a `BRICKDESK_LOG` value (`None`: not set).
fn directives(value: Option<&str>) -> String {
    let value = value
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .unwrap_or("info");
    if LEVELS.contains(&value.to_ascii_lowercase().as_str()) {
        let own: Vec<String> = OWN_CRATES
            .iter()
            .map(|krate| format!("{krate}={value}"))
            .collect();
        format!("warn,{}", own.join(","))
    } else {
        value.to_owned()
    }
}

pub fn init() {
    let wanted = directives(std::env::var("BRICKDESK_LOG").ok().as_deref());
    let filter = EnvFilter::try_new(&wanted).unwrap_or_else(|error| {
        eprintln!("BRICKDESK_LOG is not a valid log filter ({error}); using info.");
        EnvFilter::new(directives(None))
    });
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

#[cfg(test)]
mod tests {
    use super::directives;

    #[test]
    fn a_bare_level_is_for_brickdesk_and_a_filter_is_used_as_written() {
        assert_eq!(
            directives(None),
            "warn,brickdesk_app=info,brickdesk_core=info"
        );
        assert_eq!(
            directives(Some("debug")),
            "warn,brickdesk_app=debug,brickdesk_core=debug"
        );
        assert_eq!(
            directives(Some("warn,hyper_util=debug")),
            "warn,hyper_util=debug"
        );
    }
}
