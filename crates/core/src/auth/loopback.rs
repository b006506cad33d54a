//! The loopback redirect (RFC 8252 §7.3): a one-shot HTTP listener on 127.0.0.1 that receives
//! the browser's redirect, shows a friendly page, and closes.
//!
//! Other requests the browser makes meanwhile (a favicon) get a 404 and do not end it. The
//! callback's query is validated by the same parser as the deep link.

use crate::deep_link::{self, DeepLink, OAuthCallback, Rejection};
use crate::{ErrorCode, ErrorInfo};
use std::net::{Ipv4Addr, SocketAddr};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// A bound loopback listener, waiting for one redirect to `path`.
#[derive(Debug)]
pub struct Loopback {
    listener: TcpListener,
    path: String,
}

const PAGE_OK: &str = "<!doctype html><meta charset=utf-8><title>Brickdesk</title>\
<body style=\"font-family:system-ui,sans-serif;margin:4rem auto;max-width:32rem;color:#1b1f24\">\
<h1 style=\"font-size:1.4rem\">You can return to Brickdesk</h1>\
<p>Brickdesk received your sign-in. You can close this tab.</p></body>";
const PAGE_BAD: &str = "<!doctype html><meta charset=utf-8><title>Brickdesk</title>\
<body style=\"font-family:system-ui,sans-serif;margin:4rem auto;max-width:32rem;color:#1b1f24\">\
<h1 style=\"font-size:1.4rem\">This sign-in response is not valid</h1>\
<p>Return to Brickdesk and sign in again.</p></body>";

/// Binds 127.0.0.1:`port` for a redirect to `path` (`/oauth/callback`, or `/` for the
/// `databricks-cli` client's `http://localhost:8020`).
pub async fn bind(port: u16, path: &str) -> Result<Loopback, ErrorInfo> {
    let listener = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, port)))
        .await
        .map_err(|e| {
            let message = if e.kind() == std::io::ErrorKind::AddrInUse {
                format!(
                    "Another program is using port {port} on this computer, which this workspace \
                     needs to receive the sign-in. Close the other program (another Brickdesk or \
                     a Databricks CLI sign-in), or switch the workspace to the app link \
                     (deep-link) sign-in."
                )
            } else {
                format!("Brickdesk could not listen on port {port} for the sign-in: {e}.")
            };
            ErrorInfo::new(ErrorCode::Network, message)
        })?;
    Ok(Loopback {
        listener,
        path: path.to_owned(),
    })
}

impl Loopback {
    pub fn port(&self) -> u16 {
        self.listener.local_addr().map(|a| a.port()).unwrap_or(0)
    }

    /// Waits for the redirect and returns its parameters.
    pub async fn receive(self) -> Result<OAuthCallback, Rejection> {
        loop {
            let Ok((stream, _)) = self.listener.accept().await else {
                continue;
            };
            if let Some(result) = self.serve(stream).await {
                return result;
            }
        }
    }

    /// One connection: `None` when it was not the callback (the listener keeps waiting).
    async fn serve(&self, mut stream: TcpStream) -> Option<Result<OAuthCallback, Rejection>> {
        let mut buffer = vec![0u8; 8192];
        let mut read = 0;
        // The request line is all we need; read until it is complete.
        while !buffer[..read].windows(2).any(|w| w == b"\r\n") && read < buffer.len() {
            match stream.read(&mut buffer[read..]).await {
                Ok(0) | Err(_) => return None,
                Ok(n) => read += n,
            }
        }
        let head = String::from_utf8_lossy(&buffer[..read]);
        let target = head
            .lines()
            .next()
            .and_then(|line| line.strip_prefix("GET "))
            .and_then(|rest| rest.split(' ').next())
            .unwrap_or_default()
            .to_owned();
        let (path, query) = target.split_once('?').unwrap_or((target.as_str(), ""));
        if path != self.path {
            let _ = respond(&mut stream, "404 Not Found", "").await;
            return None;
        }
        let parsed = match deep_link::parse(&format!("dev.brickdesk.app:/oauth/callback?{query}")) {
            Ok(DeepLink::OAuthCallback(callback)) => Ok(callback),
            Ok(DeepLink::Open { .. }) => Err(Rejection::UnknownPath),
            Err(rejection) => Err(rejection),
        };
        let page = if parsed.is_ok() { PAGE_OK } else { PAGE_BAD };
        let _ = respond(&mut stream, "200 OK", page).await;
        Some(parsed)
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

    async fn get(port: u16, target: &str) -> String {
        let mut stream = TcpStream::connect(("127.0.0.1", port))
            .await
            .expect("connect");
        stream
            .write_all(format!("GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").as_bytes())
            .await
            .expect("write");
        let mut response = String::new();
        stream.read_to_string(&mut response).await.expect("read");
        response
    }

    #[tokio::test]
    async fn serves_one_callback_after_ignoring_other_requests() {
        let loopback = bind(0, "/oauth/callback").await.expect("bind");
        let port = loopback.port();
        let waiting = tokio::spawn(loopback.receive());
        assert!(get(port, "/favicon.ico").await.starts_with("HTTP/1.1 404"));
        let page = get(port, "/oauth/callback?code=abc&state=s1").await;
        assert!(page.contains("You can return to Brickdesk"), "{page}");
        let callback = waiting.await.expect("task").expect("valid");
        assert_eq!(callback.state, "s1");
        assert!(matches!(callback.outcome, CallbackOutcome::Code(c) if c.expose() == "abc"));
        assert!(
            TcpStream::connect(("127.0.0.1", port)).await.is_err(),
            "the listener closed after the callback"
        );
    }

    #[tokio::test]
    async fn a_busy_port_says_what_to_do() {
        let first = bind(0, "/").await.expect("bind");
        let error = bind(first.port(), "/").await.expect_err("busy");
        assert_eq!(error.code, ErrorCode::Network);
        assert!(
            error.message.contains("Another program"),
            "{}",
            error.message
        );
    }

    #[tokio::test]
    async fn a_callback_without_state_is_rejected_with_a_page() {
        let loopback = bind(0, "/").await.expect("bind");
        let port = loopback.port();
        let waiting = tokio::spawn(loopback.receive());
        assert!(get(port, "/?code=abc").await.contains("not valid"));
        assert_eq!(
            waiting.await.expect("task").map(|_| ()),
            Err(Rejection::MissingState)
        );
    }
}
