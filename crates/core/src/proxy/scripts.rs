//! Fetching proxy auto-config scripts, and keeping them for a while.
//!
//! A script is fetched directly (never through a proxy, as every OS does), only over HTTPS,
//! from a `file:` path or from loopback: a script fetched over plain HTTP could be swapped on
//! the way and send Brickdesk, and the proxy credentials it answers with, to a proxy of
//! someone else's. A script is kept for 30 minutes; one that cannot be fetched is retried
//! after a minute. Scripts larger than 1 MiB are refused while they arrive.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

const SCRIPT_KEPT: Duration = Duration::from_secs(30 * 60);
const SCRIPT_RETRY: Duration = Duration::from_secs(60);
const SCRIPT_LIMIT: usize = 1 << 20;
const FETCH_TIMEOUT: Duration = Duration::from_secs(15);

/// A script's text, or why there is none, and until when that holds.
#[derive(Debug, Clone)]
struct Loaded {
    until: Instant,
    script: Result<Arc<String>, String>,
}

/// The scripts fetched so far, by address.
#[derive(Debug)]
pub struct Scripts {
    /// A client with no proxy.
    fetch: reqwest::Client,
    loaded: tokio::sync::Mutex<HashMap<String, Loaded>>,
}

impl Scripts {
    pub fn new(fetch: reqwest::Client) -> Self {
        Self {
            fetch,
            loaded: tokio::sync::Mutex::new(HashMap::new()),
        }
    }

    /// The script at `script_url`, from the cache while it holds. The error is a sentence.
    pub async fn get(&self, script_url: &str) -> Result<Arc<String>, String> {
        let mut loaded = self.loaded.lock().await;
        if let Some(found) = loaded.get(script_url)
            && Instant::now() < found.until
        {
            return found.script.clone();
        }
        let script = self.fetch_script(script_url).await.map(Arc::new);
        let until = Instant::now()
            + if script.is_ok() {
                SCRIPT_KEPT
            } else {
                SCRIPT_RETRY
            };
        loaded.insert(
            script_url.to_owned(),
            Loaded {
                until,
                script: script.clone(),
            },
        );
        script
    }

    async fn fetch_script(&self, script_url: &str) -> Result<String, String> {
        let shown = shown(script_url);
        let url = url::Url::parse(script_url)
            .map_err(|_| format!("the auto-config address {shown} is not a URL"))?;
        let loopback = url.host().is_some_and(|h| match h {
            url::Host::Domain(d) => d.eq_ignore_ascii_case("localhost"),
            url::Host::Ipv4(ip) => ip.is_loopback(),
            url::Host::Ipv6(ip) => ip.is_loopback(),
        });
        let too_large = || format!("the auto-config script {shown} is larger than 1 MiB");
        let bytes = match url.scheme() {
            "file" => {
                let path = url
                    .to_file_path()
                    .map_err(|()| format!("the auto-config address {shown} is not a file path"))?;
                let cannot = |e: std::io::Error| {
                    format!("the auto-config script {shown} cannot be read ({e})")
                };
                let size = tokio::fs::metadata(&path).await.map_err(cannot)?.len();
                if size > SCRIPT_LIMIT as u64 {
                    return Err(too_large());
                }
                tokio::fs::read(&path).await.map_err(cannot)?
            }
            "https" => self.download(&url, &shown).await?,
            "http" if loopback => self.download(&url, &shown).await?,
            "http" => {
                return Err(format!(
                    "the auto-config script {shown} is served over plain HTTP, which Brickdesk \
                     does not trust (it could be changed on the way); IT can publish it over \
                     HTTPS"
                ));
            }
            other => return Err(format!("the auto-config address {shown} uses {other}:")),
        };
        if bytes.len() > SCRIPT_LIMIT {
            return Err(too_large());
        }
        String::from_utf8(bytes).map_err(|_| format!("the auto-config script {shown} is not text"))
    }

    async fn download(&self, url: &url::Url, shown: &str) -> Result<Vec<u8>, String> {
        let response = self
            .fetch
            .get(url.clone())
            .timeout(FETCH_TIMEOUT)
            .send()
            .await
            .map_err(|e| {
                let why = if e.is_timeout() {
                    "it did not answer in time".to_owned()
                } else if crate::net::is_untrusted_certificate(&e) {
                    "its certificate is not trusted".to_owned()
                } else {
                    "it cannot be reached".to_owned()
                };
                format!("the auto-config script {shown} could not be fetched ({why})")
            })?;
        if !response.status().is_success() {
            return Err(format!(
                "the auto-config script {shown} could not be fetched (HTTP {})",
                response.status().as_u16()
            ));
        }
        // Read with a running cap: a script that never ends must not fill the memory.
        match crate::http_body::read(response, SCRIPT_LIMIT).await {
            Ok(body) => Ok(body.to_vec()),
            Err(crate::http_body::BodyError::TooLarge { .. }) => Err(format!(
                "the auto-config script {shown} is larger than 1 MiB"
            )),
            Err(crate::http_body::BodyError::Transport(_)) => Err(format!(
                "the auto-config script {shown} could not be fetched (the download broke off)"
            )),
        }
    }
}

/// A script address fit to show: no user name, password or query.
pub fn shown(raw: &str) -> String {
    match url::Url::parse(raw) {
        Ok(mut url) => {
            let _ = url.set_username("");
            let _ = url.set_password(None);
            url.set_query(None);
            url.to_string()
        }
        Err(_) => "(not a URL)".to_owned(),
    }
}
