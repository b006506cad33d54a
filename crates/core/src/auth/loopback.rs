//! The loopback redirect (RFC 8252 §7.3): an HTTP listener on 127.0.0.1 (and `::1` for a
//! `localhost` redirect) that receives the browser's redirect, shows a friendly page, and
//! closes.
//!
//! Any web page can aim a request at `http://127.0.0.1:<port>/…`, so the listener trusts only
//! what proves itself: it ends only for a callback that carries the `state` of the sign-in it
//! was opened for; anything else (another path, a malformed or foreign callback) is answered
//! and ignored, and listening goes on until the real one or the sign-in's timeout.
//! Connections are served concurrently (a bounded number at a time), each with a short read
//! timeout, so an idle or slow socket cannot stall the sign-in. Requests a browser marks as
//! cross-site sub-resources (`Sec-Fetch-Site: cross-site` without `Sec-Fetch-Mode: navigate`:
//! a `fetch`, an image) are refused outright. A cross-site *navigation* cannot be refused:
//! the identity provider's own redirect is one; the state check decides those.

use crate::deep_link::{self, DeepLink, OAuthCallback, Rejection};
use crate::{ErrorCode, ErrorInfo};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, mpsc};

/// How long one connection may take to send its request.
const READ_TIMEOUT: Duration = Duration::from_secs(5);
/// Connections served at once; more wait to be accepted.
const CONCURRENT: usize = 16;

/// A bound loopback listener, waiting for the redirect of one sign-in.
#[derive(Debug)]
pub struct Loopback {
    listeners: Vec<TcpListener>,
    expected: Arc<Expected>,
}

/// What the one callback that ends the listener looks like.
#[derive(Debug)]
struct Expected {
    path: String,
    state: String,
}

const PAGE_OK: &str = "<!doctype html><meta charset=utf-8><title>Brickdesk</title>\
<body style=\"font-family:system-ui,sans-serif;margin:4rem auto;max-width:32rem;color:#1b1f24\">\
<h1 style=\"font-size:1.4rem\">You can return to Brickdesk</h1>\
<p>Brickdesk received your sign-in. You can close this tab.</p></body>";
const PAGE_BAD: &str = "<!doctype html><meta charset=utf-8><title>Brickdesk</title>\
<body style=\"font-family:system-ui,sans-serif;margin:4rem auto;max-width:32rem;color:#1b1f24\">\
<h1 style=\"font-size:1.4rem\">This sign-in response is not valid</h1>\
<p>It does not belong to the sign-in Brickdesk is waiting for. Return to Brickdesk and sign \
in again if you need to.</p></body>";

fn bind_error(port: u16, e: &std::io::Error) -> ErrorInfo {
    let message = if e.kind() == std::io::ErrorKind::AddrInUse {
        format!(
            "Another program is using port {port} on this computer, which this workspace needs \
             to receive the sign-in. Close the other program (another Brickdesk or a \
             Databricks CLI sign-in), or switch the workspace to the app link (deep-link) \
             sign-in."
        )
    } else {
        format!("Brickdesk could not listen on port {port} for the sign-in: {e}.")
    };
    ErrorInfo::new(ErrorCode::Network, message)
}

/// Binds 127.0.0.1:`port` for the redirect of the sign-in with `state` to `path`
/// (`/oauth/callback`, or `/` for the `databricks-cli` client's `http://localhost:8020`).
/// With `localhost` (which a browser may resolve to `::1` first) `[::1]:port` is bound too,
/// when the system has IPv6.
pub async fn bind(
    port: u16,
    path: &str,
    state: &str,
    localhost: bool,
) -> Result<Loopback, ErrorInfo> {
    let v4 = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, port)))
        .await
        .map_err(|e| bind_error(port, &e))?;
    let mut listeners = vec![v4];
    if localhost {
        let port = listeners[0].local_addr().map(|a| a.port()).unwrap_or(port);
        match TcpListener::bind(SocketAddr::from((Ipv6Addr::LOCALHOST, port))).await {
            Ok(v6) => listeners.push(v6),
            // Someone else holds `[::1]:port`: a browser that tries `::1` first would hand
            // them the code. The same refusal as a taken IPv4 port.
            Err(error) if error.kind() == std::io::ErrorKind::AddrInUse => {
                return Err(bind_error(port, &error));
            }
            Err(error) => tracing::debug!(%error, "no IPv6 loopback for the sign-in"),
        }
    }
    Ok(Loopback {
        listeners,
        expected: Arc::new(Expected {
            path: path.to_owned(),
            state: state.to_owned(),
        }),
    })
}

/// What one connection turned out to be.
enum Served {
    /// The callback of this sign-in.
    Callback(OAuthCallback),
    /// Anything else; answered, and listening goes on.
    Ignored,
}

impl Loopback {
    pub fn port(&self) -> u16 {
        self.listeners[0]
            .local_addr()
            .map(|a| a.port())
            .unwrap_or(0)
    }

    /// The addresses listened on.
    pub fn addresses(&self) -> Vec<IpAddr> {
        self.listeners
            .iter()
            .filter_map(|l| l.local_addr().ok().map(|a| a.ip()))
            .collect()
    }

    /// Waits for this sign-in's callback (until the caller's timeout drops the future).
    pub async fn receive(self) -> Result<OAuthCallback, Rejection> {
        let (found, mut callbacks) = mpsc::channel::<OAuthCallback>(1);
        let permits = Arc::new(Semaphore::new(CONCURRENT));
        let mut tasks = tokio::task::JoinSet::new();
        for listener in self.listeners {
            let (found, permits, expected) =
                (found.clone(), permits.clone(), self.expected.clone());
            tasks.spawn(async move {
                let mut connections = tokio::task::JoinSet::new();
                loop {
                    let Ok(permit) = permits.clone().acquire_owned().await else {
                        return;
                    };
                    let Ok((stream, _)) = listener.accept().await else {
                        continue;
                    };
                    let (found, expected) = (found.clone(), expected.clone());
                    connections.spawn(async move {
                        let _permit = permit;
                        if let Served::Callback(callback) = serve(stream, &expected).await {
                            let _ = found.send(callback).await;
                        }
                    });
                    // Finished connections are reaped as new ones come.
                    while connections.try_join_next().is_some() {}
                }
            });
        }
        drop(found);
        let callback = callbacks.recv().await;
        tasks.abort_all();
        callback.ok_or(Rejection::UnknownState)
    }
}

/// The request line and headers, read within [`READ_TIMEOUT`]; `None` if they do not come.
async fn read_head(stream: &mut TcpStream) -> Option<String> {
    let mut buffer = vec![0u8; 8192];
    let mut read = 0;
    let reading = async {
        while !buffer[..read].windows(4).any(|w| w == b"\r\n\r\n") && read < buffer.len() {
            match stream.read(&mut buffer[read..]).await {
                Ok(0) | Err(_) => break,
                Ok(n) => read += n,
            }
        }
    };
    tokio::time::timeout(READ_TIMEOUT, reading).await.ok()?;
    Some(String::from_utf8_lossy(&buffer[..read]).into_owned())
}

/// Whether a browser marked the request as a cross-site sub-resource (not a navigation).
fn cross_site_subresource(head: &str) -> bool {
    let header = |name: &str| {
        head.lines().skip(1).find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.trim()
                .eq_ignore_ascii_case(name)
                .then(|| value.trim().to_ascii_lowercase())
        })
    };
    header("sec-fetch-site").as_deref() == Some("cross-site")
        && header("sec-fetch-mode").is_some_and(|mode| mode != "navigate")
}

/// One connection: answers it, and says whether it was this sign-in's callback.
async fn serve(mut stream: TcpStream, expected: &Expected) -> Served {
    let Some(head) = read_head(&mut stream).await else {
        return Served::Ignored;
    };
    let target = head
        .lines()
        .next()
        .and_then(|line| line.strip_prefix("GET "))
        .and_then(|rest| rest.split(' ').next())
        .unwrap_or_default()
        .to_owned();
    let (path, query) = target.split_once('?').unwrap_or((target.as_str(), ""));
    if path != expected.path {
        let _ = respond(&mut stream, "404 Not Found", "").await;
        return Served::Ignored;
    }
    if cross_site_subresource(&head) {
        let _ = respond(&mut stream, "403 Forbidden", "").await;
        return Served::Ignored;
    }
    let parsed = match deep_link::parse(&format!("dev.brickdesk.app:/oauth/callback?{query}")) {
        Ok(DeepLink::OAuthCallback(callback)) => Some(callback),
        Ok(DeepLink::Open { .. }) | Err(_) => None,
    };
    match parsed {
        Some(callback) if callback.state == expected.state => {
            let _ = respond(&mut stream, "200 OK", PAGE_OK).await;
            Served::Callback(callback)
        }
        _ => {
            tracing::info!("the sign-in listener ignored a request that is not its callback");
            let _ = respond(&mut stream, "400 Bad Request", PAGE_BAD).await;
            Served::Ignored
        }
    }
}

async fn respond(stream: &mut TcpStream, status: &str, body: &str) -> std::io::Result<()> {
    let response = format!(
        "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\n\
         Cache-Control: no-store\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(response.as_bytes()).await?;
    stream.shutdown().await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deep_link::CallbackOutcome;

    async fn send(port: u16, request: &str) -> String {
        let mut stream = TcpStream::connect(("127.0.0.1", port))
            .await
            .expect("connect");
        stream.write_all(request.as_bytes()).await.expect("write");
        let mut response = String::new();
        stream.read_to_string(&mut response).await.expect("read");
        response
    }

    async fn get(port: u16, target: &str) -> String {
        send(
            port,
            &format!("GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"),
        )
        .await
    }

    #[tokio::test]
    async fn serves_its_callback_after_ignoring_other_requests() {
        let loopback = bind(0, "/oauth/callback", "s1", false).await.expect("bind");
        let port = loopback.port();
        let waiting = tokio::spawn(loopback.receive());
        assert!(get(port, "/favicon.ico").await.starts_with("HTTP/1.1 404"));
        let page = get(port, "/oauth/callback?code=abc&state=s1").await;
        assert!(page.contains("You can return to Brickdesk"), "{page}");
        let callback = waiting.await.expect("task").expect("valid");
        assert_eq!(callback.state, "s1");
        assert!(matches!(callback.outcome, CallbackOutcome::Code(c) if c.expose() == "abc"));
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(
            TcpStream::connect(("127.0.0.1", port)).await.is_err(),
            "the listener closed after the callback"
        );
    }

    /// A web page that fires callbacks at the port (a wrong state, none at all, from `fetch`)
    /// does not end the sign-in; the real callback still does.
    #[tokio::test]
    async fn callbacks_from_anyone_else_are_ignored() {
        let loopback = bind(0, "/oauth/callback", "real-state", false)
            .await
            .expect("bind");
        let port = loopback.port();
        let waiting = tokio::spawn(loopback.receive());
        assert!(
            get(port, "/oauth/callback?state=x&code=y")
                .await
                .contains("not valid")
        );
        assert!(
            get(port, "/oauth/callback?code=abc")
                .await
                .contains("not valid")
        );
        let fetched = send(
            port,
            "GET /oauth/callback?state=real-state&code=stolen HTTP/1.1\r\nHost: 127.0.0.1\r\n\
             Sec-Fetch-Site: cross-site\r\nSec-Fetch-Mode: no-cors\r\n\r\n",
        )
        .await;
        assert!(fetched.starts_with("HTTP/1.1 403"), "{fetched}");
        assert!(
            !waiting.is_finished(),
            "still waiting for the real callback"
        );
        // The identity provider's redirect is a cross-site navigation: accepted.
        let real = send(
            port,
            "GET /oauth/callback?state=real-state&code=good HTTP/1.1\r\nHost: 127.0.0.1\r\n\
             Sec-Fetch-Site: cross-site\r\nSec-Fetch-Mode: navigate\r\n\r\n",
        )
        .await;
        assert!(real.contains("You can return"), "{real}");
        let callback = waiting.await.expect("task").expect("valid");
        assert!(matches!(callback.outcome, CallbackOutcome::Code(c) if c.expose() == "good"));
    }

    /// An idle socket that never sends a request does not stall the callback behind it.
    #[tokio::test]
    async fn an_idle_connection_does_not_block_the_callback() {
        let loopback = bind(0, "/", "s", false).await.expect("bind");
        let port = loopback.port();
        let waiting = tokio::spawn(loopback.receive());
        let _idle = TcpStream::connect(("127.0.0.1", port)).await.expect("idle");
        let page = tokio::time::timeout(Duration::from_secs(2), get(port, "/?code=c&state=s"))
            .await
            .expect("served while the idle socket waits");
        assert!(page.contains("You can return"), "{page}");
        assert!(waiting.await.expect("task").is_ok());
    }

    #[tokio::test]
    async fn localhost_is_heard_on_ipv6_too() {
        let loopback = bind(0, "/", "s", true).await.expect("bind");
        if loopback.addresses().len() < 2 {
            return; // no IPv6 on this machine
        }
        let port = loopback.port();
        let waiting = tokio::spawn(loopback.receive());
        let mut stream = TcpStream::connect(("::1", port)).await.expect("connect v6");
        stream
            .write_all(b"GET /?code=c&state=s HTTP/1.1\r\nHost: localhost\r\n\r\n")
            .await
            .expect("write");
        assert!(waiting.await.expect("task").is_ok());
    }

    #[tokio::test]
    async fn a_busy_port_says_what_to_do() {
        let first = bind(0, "/", "s", false).await.expect("bind");
        let error = bind(first.port(), "/", "s", false).await.expect_err("busy");
        assert_eq!(error.code, ErrorCode::Network);
        assert!(
            error.message.contains("Another program"),
            "{}",
            error.message
        );
    }

    #[tokio::test]
    async fn a_port_taken_on_ipv6_alone_is_refused_like_a_taken_ipv4_port() {
        // Another user's program listens on [::1]:port only.
        let Ok(other) = std::net::TcpListener::bind(("::1", 0)) else {
            return; // no IPv6 on this machine
        };
        let port = other.local_addr().expect("address").port();
        if std::net::TcpListener::bind(("127.0.0.1", port)).is_err() {
            return; // the IPv4 port is taken too: nothing to tell apart
        }
        let error = bind(port, "/", "s", true).await.expect_err("refused");
        assert!(
            error.message.contains("Another program"),
            "{}",
            error.message
        );
    }
}
