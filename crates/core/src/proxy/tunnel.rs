//! A CONNECT tunnel through one HTTP proxy, answering its `407` challenges on the same
//! connection (NTLM and Negotiate bind the sign-in to it), and what the proxy asked for.
//!
//! Boundary: one proxy, one target. Choosing the proxy is the resolver's; trying the next hop
//! when one fails is the relay's.

use super::challenge::{self, Allowed, Challenge, Responder};
use super::{ProxyAddress, ProxyCredentials};
use std::time::Duration;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const ANSWER_TIMEOUT: Duration = Duration::from_secs(15);
const HEAD_LIMIT: usize = 64 << 10;
const BODY_LIMIT: usize = 1 << 20;
/// A handshake that has not ended after this many answers never will.
const ROUNDS: usize = 5;

/// Whether a proxy asked for authentication, and how that went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthReport {
    /// The schemes it offered (`Negotiate`, `NTLM`, `Basic`…).
    pub offered: Vec<String>,
    /// The one Brickdesk answered with, if any.
    pub used: Option<&'static str>,
    pub accepted: bool,
}

/// Why a tunnel could not be opened: sentences for Test connection and errors, with no
/// credential or token in them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TunnelError {
    #[error("the proxy {proxy} cannot be reached ({reason})")]
    Unreachable { proxy: String, reason: String },
    #[error("the proxy {proxy} refused the connection to {target} (HTTP {status})")]
    Refused {
        proxy: String,
        target: String,
        status: u16,
    },
    #[error("the proxy {proxy} asks for a sign-in ({offered}) that Brickdesk cannot give{hint}")]
    CannotSignIn {
        proxy: String,
        offered: String,
        hint: &'static str,
    },
    #[error("the proxy {proxy} did not accept Brickdesk's {scheme} sign-in")]
    Rejected { proxy: String, scheme: &'static str },
    #[error("the proxy {proxy} answered in a way Brickdesk does not understand ({reason})")]
    Protocol { proxy: String, reason: String },
}

impl TunnelError {
    /// What the proxy asked, when it got that far.
    fn protocol(proxy: &ProxyAddress, reason: impl Into<String>) -> Self {
        Self::Protocol {
            proxy: proxy.to_string(),
            reason: reason.into(),
        }
    }
}

/// An open tunnel: the stream now speaks to the target.
#[derive(Debug)]
pub struct Tunnel {
    pub stream: TcpStream,
    pub auth: Option<AuthReport>,
}

/// A proxy's answer to one CONNECT.
struct Answer {
    status: u16,
    challenges: Vec<Challenge>,
    closes: bool,
}

/// Opens a tunnel to `target` (`host:port`) through the plain-HTTP `proxy`, answering its
/// challenges with `credentials` within `allowed`.
pub async fn open(
    proxy: &ProxyAddress,
    target: &str,
    credentials: Option<&ProxyCredentials>,
    allowed: Allowed,
) -> Result<Tunnel, (TunnelError, Option<AuthReport>)> {
    let mut report: Option<AuthReport> = None;
    let mut responder: Option<Box<dyn Responder>> = None;
    let mut authorization = None;
    let mut stream = connect(proxy).await.map_err(|e| (e, None))?;
    for _ in 0..ROUNDS {
        let request = zeroize::Zeroizing::new(match &authorization {
            Some(value) => format!(
                "CONNECT {target} HTTP/1.1\r\nHost: {target}\r\nProxy-Connection: keep-alive\r\n\
                 Proxy-Authorization: {}\r\n\r\n",
                crate::sensitive::Sensitive::expose(value)
            ),
            None => format!(
                "CONNECT {target} HTTP/1.1\r\nHost: {target}\r\nProxy-Connection: keep-alive\r\n\r\n"
            ),
        });
        let mut answer = exchange(&mut stream, request.as_bytes()).await;
        // A kept-alive connection the proxy closed after its 407: once more on a fresh one,
        // unless the sign-in is bound to the connection that went.
        let mid_handshake = responder.as_ref().is_some_and(|r| r.connection_bound());
        if matches!(&answer, Err(Closed::Early)) && report.is_some() && !mid_handshake {
            stream = connect(proxy).await.map_err(|e| (e, report.clone()))?;
            answer = exchange(&mut stream, request.as_bytes()).await;
        }
        let answer = match answer {
            Ok(answer) => answer,
            Err(reason) => {
                return Err((TunnelError::protocol(proxy, reason.to_string()), report));
            }
        };
        match answer.status {
            200..=299 => {
                if let Some(report) = &mut report {
                    report.accepted = true;
                }
                return Ok(Tunnel {
                    stream,
                    auth: report,
                });
            }
            407 => {}
            status => {
                return Err((
                    TunnelError::Refused {
                        proxy: proxy.to_string(),
                        target: target.to_owned(),
                        status,
                    },
                    report,
                ));
            }
        }
        let report = report.get_or_insert_with(|| AuthReport {
            offered: answer.challenges.iter().map(|c| c.scheme.clone()).collect(),
            used: None,
            accepted: false,
        });
        if responder.is_none() {
            responder = challenge::choose(&answer.challenges, credentials, &proxy.host, allowed);
            let Some(chosen) = &responder else {
                let basic_only = report
                    .offered
                    .iter()
                    .all(|s| s.eq_ignore_ascii_case("basic"));
                let hint = if credentials.is_some() && basic_only && !allowed.basic {
                    ", because it would send the password in clear text; IT can allow that \
                     with the proxyAllowBasic policy key"
                } else if credentials.is_none() {
                    "; IT can set proxyUsername and proxyPassword in Brickdesk's policy"
                } else {
                    ""
                };
                return Err((
                    TunnelError::CannotSignIn {
                        proxy: proxy.to_string(),
                        offered: report.offered.join(", "),
                        hint,
                    },
                    Some(report.clone()),
                ));
            };
            report.used = Some(chosen.scheme().name());
        }
        let Some(chosen) = responder.as_mut() else {
            break;
        };
        let scheme = chosen.scheme();
        let token = answer
            .challenges
            .iter()
            .find(|c| c.scheme.eq_ignore_ascii_case(scheme.name()))
            .and_then(|c| c.token.as_deref())
            .and_then(|t| {
                use base64::Engine as _;
                base64::engine::general_purpose::STANDARD.decode(t).ok()
            });
        let rejected = || {
            (
                TunnelError::Rejected {
                    proxy: proxy.to_string(),
                    scheme: scheme.name(),
                },
                Some(report.clone()),
            )
        };
        if chosen.connection_bound() && token.is_some() && answer.closes {
            return Err((
                TunnelError::protocol(proxy, "it closed the connection in the middle of a sign-in"),
                Some(report.clone()),
            ));
        }
        match chosen.respond(token.as_deref()) {
            Ok(Some(value)) => authorization = Some(value),
            Ok(None) => {
                // Refused. A proxy that offers Basic beside a connection-bound scheme (Squid
                // with a Kerberos-only Negotiate, say) gets Basic next, once, on a fresh
                // connection (the refused handshake's state went with the old one), where IT
                // allows that downgrade.
                let basic_offered = answer
                    .challenges
                    .iter()
                    .any(|c| c.scheme.eq_ignore_ascii_case("basic"));
                let Some(credentials) = credentials.filter(|_| {
                    chosen.connection_bound() && basic_offered && allowed.basic_fallback
                }) else {
                    return Err(rejected());
                };
                let mut basic = challenge::basic(credentials);
                authorization = basic.respond(None).ok().flatten();
                report.used = Some(basic.scheme().name());
                responder = Some(basic);
                stream = connect(proxy)
                    .await
                    .map_err(|e| (e, Some(report.clone())))?;
                continue;
            }
            Err(reason) => {
                return Err((TunnelError::protocol(proxy, reason), Some(report.clone())));
            }
        }
        if answer.closes {
            stream = connect(proxy)
                .await
                .map_err(|e| (e, Some(report.clone())))?;
        }
    }
    Err((
        TunnelError::protocol(proxy, "its sign-in did not end"),
        report,
    ))
}

async fn connect(proxy: &ProxyAddress) -> Result<TcpStream, TunnelError> {
    let unreachable = |reason: String| TunnelError::Unreachable {
        proxy: proxy.to_string(),
        reason,
    };
    match tokio::time::timeout(
        CONNECT_TIMEOUT,
        TcpStream::connect((proxy.host.as_str(), proxy.port)),
    )
    .await
    {
        Ok(Ok(stream)) => {
            let _ = stream.set_nodelay(true);
            Ok(stream)
        }
        Ok(Err(error)) => Err(unreachable(match error.kind() {
            std::io::ErrorKind::ConnectionRefused => "nothing listens on its port".into(),
            _ if error.to_string().contains("lookup") || error.to_string().contains("resolve") => {
                "its name is not known on this network".into()
            }
            kind => format!("{kind}"),
        })),
        Err(_) => Err(unreachable(format!(
            "it did not answer within {} seconds",
            CONNECT_TIMEOUT.as_secs()
        ))),
    }
}

/// Why an exchange failed: the proxy closed before answering (worth one retry on a fresh
/// connection), or anything else.
enum Closed {
    Early,
    Other(String),
}

impl std::fmt::Display for Closed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Early => f.write_str("it closed the connection without an answer"),
            Self::Other(reason) => f.write_str(reason),
        }
    }
}

impl From<String> for Closed {
    fn from(reason: String) -> Self {
        Self::Other(reason)
    }
}

impl From<&str> for Closed {
    fn from(reason: &str) -> Self {
        Self::Other(reason.to_owned())
    }
}

/// Sends `request` and reads the answer's head, and its body if it has one (so the next
/// request can use the connection).
async fn exchange(stream: &mut TcpStream, request: &[u8]) -> Result<Answer, Closed> {
    stream
        .write_all(request)
        .await
        .map_err(|e| format!("the connection broke ({})", e.kind()))?;
    let mut head = Vec::with_capacity(1024);
    // Byte by byte up to the blank line: after a 200 the next bytes are the target's, and
    // must not be read here.
    while !head.ends_with(b"\r\n\r\n") {
        if head.len() > HEAD_LIMIT {
            return Err("its answer's head is too long".into());
        }
        match next_byte(stream).await? {
            Some(byte) => head.push(byte),
            None if head.is_empty() => return Err(Closed::Early),
            None => return Err("it closed the connection in the middle of its answer".into()),
        }
    }
    let mut headers = [httparse::EMPTY_HEADER; 64];
    let mut response = httparse::Response::new(&mut headers);
    response
        .parse(&head)
        .map_err(|e| format!("its answer is not HTTP ({e})"))?;
    let status = response.code.ok_or("its answer has no status")?;
    let value = |name: &str| -> Vec<String> {
        response
            .headers
            .iter()
            .filter(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| String::from_utf8_lossy(h.value).into_owned())
            .collect()
    };
    let challenges = challenge::parse(&value("proxy-authenticate"));
    let closes = value("connection")
        .iter()
        .chain(&value("proxy-connection"))
        .flat_map(|v| {
            v.split(',')
                .map(|t| t.trim().to_ascii_lowercase())
                .collect::<Vec<_>>()
        })
        .any(|token| token == "close")
        || response.version == Some(0);
    let length = value("content-length")
        .first()
        .and_then(|v| v.trim().parse::<usize>().ok());
    let chunked = value("transfer-encoding")
        .iter()
        .any(|v| v.to_ascii_lowercase().contains("chunked"));
    if !(200..300).contains(&status) {
        if chunked {
            skip_chunked(stream).await?;
        } else if let Some(length) = length {
            if length > BODY_LIMIT {
                return Err("its answer's body is too large".into());
            }
            let mut body = vec![0u8; length];
            tokio::time::timeout(ANSWER_TIMEOUT, stream.read_exact(&mut body))
                .await
                .map_err(|_| {
                    format!(
                        "it did not finish its answer within {} seconds",
                        ANSWER_TIMEOUT.as_secs()
                    )
                })?
                .map_err(|e| format!("the connection broke ({})", e.kind()))?;
        }
    }
    Ok(Answer {
        status,
        challenges,
        // A body without a length ends when the connection does.
        closes: closes || (!(200..300).contains(&status) && length.is_none() && !chunked),
    })
}

async fn skip_chunked(stream: &mut TcpStream) -> Result<(), String> {
    let mut total = 0usize;
    loop {
        let line = read_line(stream).await?;
        let size = usize::from_str_radix(line.split(';').next().unwrap_or("").trim(), 16)
            .map_err(|_| "its answer's body is not well formed".to_owned())?;
        // Checked: a hostile size near usize::MAX must be refused, not overflow.
        total = match total.checked_add(size) {
            Some(total) if total <= BODY_LIMIT => total,
            _ => return Err("its answer's body is too large".into()),
        };
        if size == 0 {
            // Trailers, up to the blank line.
            while !read_line(stream).await?.is_empty() {}
            return Ok(());
        }
        let mut chunk = vec![0u8; size + 2];
        tokio::time::timeout(ANSWER_TIMEOUT, stream.read_exact(&mut chunk))
            .await
            .map_err(|_| "it did not finish its answer in time".to_owned())?
            .map_err(|e| format!("the connection broke ({})", e.kind()))?;
    }
}

/// One byte, within the answer time; `None` when the proxy closed the connection.
async fn next_byte(stream: &mut TcpStream) -> Result<Option<u8>, String> {
    let mut byte = [0u8; 1];
    let read = tokio::time::timeout(ANSWER_TIMEOUT, stream.read(&mut byte))
        .await
        .map_err(|_| {
            format!(
                "it did not answer within {} seconds",
                ANSWER_TIMEOUT.as_secs()
            )
        })?
        .map_err(|e| format!("the connection broke ({})", e.kind()))?;
    Ok((read == 1).then_some(byte[0]))
}

async fn read_line(stream: &mut TcpStream) -> Result<String, String> {
    let mut line = Vec::new();
    while !line.ends_with(b"\r\n") {
        if line.len() > 1024 {
            return Err("its answer's body is not well formed".into());
        }
        let Some(byte) = next_byte(stream).await? else {
            return Err("it closed the connection in the middle of its answer".into());
        };
        line.push(byte);
    }
    line.truncate(line.len() - 2);
    Ok(String::from_utf8_lossy(&line).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A proxy whose 407 carries a chunked body with a size meant to overflow the count.
    #[tokio::test]
    async fn a_chunk_size_meant_to_overflow_is_refused_not_a_panic() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let port = listener.local_addr().expect("address").port();
        tokio::spawn(async move {
            let (mut socket, _) = listener.accept().await.expect("accept");
            let mut request = [0u8; 1024];
            let _ = socket.read(&mut request).await;
            let _ = socket
                .write_all(
                    b"HTTP/1.1 407 Proxy Authentication Required\r\n\
                      Proxy-Authenticate: Basic realm=\"x\"\r\n\
                      Transfer-Encoding: chunked\r\n\r\n\
                      1\r\nx\r\nffffffffffffffff\r\n",
                )
                .await;
            tokio::time::sleep(Duration::from_secs(5)).await;
        });
        let proxy = ProxyAddress {
            scheme: "http".into(),
            host: "127.0.0.1".into(),
            port,
        };
        let Err((error, _)) = open(&proxy, "h.example:443", None, Allowed::ALL).await else {
            panic!("a tunnel through a broken proxy");
        };
        assert!(error.to_string().contains("too large"), "{error}");
    }
}
