//! The loopback relay between reqwest and the network: reqwest sends every HTTPS request it
//! would proxy here as a CONNECT, and the relay opens the tunnel the route asks for (direct,
//! or through a proxy with its sign-in handshake), trying the route's hops in order as a PAC
//! script's `PROXY a; PROXY b; DIRECT` means.
//!
//! Only this process may use it: it listens on 127.0.0.1 only, and every CONNECT must carry a
//! random secret made at start (reqwest sends it as the proxy's Basic credentials). Without
//! it, any other program, or another user on a shared computer, could tunnel through the
//! company proxy signed in as this user. The relay only moves bytes: TLS to the workspace is
//! end to end, so it sees no request and no token.

use super::resolver::Resolver;
use super::tunnel::{self, AuthReport, TunnelError};
use super::{Hop, Route};
use crate::sensitive::Sensitive;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// Per hop, so that `PROXY a; DIRECT` still goes direct within reqwest's limit when `a` does
/// not answer.
const DIRECT_TIMEOUT: Duration = Duration::from_secs(10);

/// How one host was reached (or not): the route, the hop that worked, and what each proxy
/// tried asked for.
#[derive(Debug, Clone)]
pub struct Reached {
    pub route: Route,
    /// The hop the connection went through; `None` when none worked.
    pub used: Option<Hop>,
    /// The sign-in the used (or last tried) proxy asked for.
    pub auth: Option<AuthReport>,
    /// Why each hop before (or instead of) the used one failed.
    pub failures: Vec<String>,
}

/// Opens a connection to `host:port` along its route. The stream speaks to the target.
pub async fn reach(resolver: &Resolver, host: &str, port: u16) -> (Option<TcpStream>, Reached) {
    let target = super::authority(host, port);
    let url = url::Url::parse(&format!("https://{target}/"))
        .unwrap_or_else(|_| url::Url::parse("https://invalid/").expect("a URL"));
    let route = resolver.route(&url).await;
    let mut reached = Reached {
        route: route.clone(),
        used: None,
        auth: None,
        failures: Vec::new(),
    };
    if route.hops.is_empty() {
        // Nowhere to go (IT requires a proxy that cannot be used): the route says why.
        reached.failures.extend(route.problem.clone());
    }
    for hop in &route.hops {
        match hop {
            Hop::Direct => match tokio::time::timeout(
                DIRECT_TIMEOUT,
                TcpStream::connect((host.trim_matches(['[', ']']), port)),
            )
            .await
            {
                Ok(Ok(stream)) => {
                    reached.used = Some(Hop::Direct);
                    return (Some(stream), reached);
                }
                Ok(Err(e)) => reached
                    .failures
                    .push(format!("{host} cannot be reached directly ({})", e.kind())),
                Err(_) => reached.failures.push(format!(
                    "{host} did not answer directly within {} seconds",
                    DIRECT_TIMEOUT.as_secs()
                )),
            },
            Hop::Proxy(proxy) if proxy.scheme != "http" => reached.failures.push(format!(
                "the proxy {proxy} is spoken to over TLS, which Brickdesk supports only as \
                 the policy's proxy"
            )),
            Hop::Proxy(proxy) => {
                let sign_in = resolver.sign_in_for(proxy, &route).await;
                match tunnel::open(
                    proxy,
                    &target,
                    sign_in.credentials.as_ref(),
                    sign_in.allowed,
                )
                .await
                {
                    Ok(tunnel) => {
                        if let Some(scheme) = tunnel.auth.as_ref().and_then(|a| a.used) {
                            resolver.accepted(proxy, scheme);
                        }
                        reached.used = Some(hop.clone());
                        reached.auth = tunnel.auth;
                        return (Some(tunnel.stream), reached);
                    }
                    Err((error, auth)) => {
                        let offered = auth.as_ref().map(|a| a.offered.clone()).unwrap_or_default();
                        // Only when a user name and password could help (not for Digest
                        // alone, say).
                        let answerable = offered.iter().any(|s| {
                            ["basic", "ntlm", "negotiate"]
                                .iter()
                                .any(|k| s.eq_ignore_ascii_case(k))
                        });
                        if answerable
                            && matches!(
                                error,
                                TunnelError::CannotSignIn { .. } | TunnelError::Rejected { .. }
                            )
                        {
                            resolver.sign_in_needed(
                                proxy,
                                &route,
                                offered,
                                matches!(error, TunnelError::Rejected { .. }),
                            );
                        }
                        reached.auth = auth;
                        reached.failures.push(error.to_string());
                    }
                }
            }
        }
    }
    (None, reached)
}

/// Why each host could not be reached through the relay the last time, for the message the
/// failed request gets (reqwest only says that the tunnel failed). Process-wide: the app's
/// client and the self-test's each have a relay, and both serve the same user.
fn failures() -> std::sync::MutexGuard<'static, HashMap<String, String>> {
    static FAILURES: std::sync::OnceLock<Mutex<HashMap<String, String>>> =
        std::sync::OnceLock::new();
    FAILURES
        .get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Why `host` could not be reached the last time a relay tried, if it could not. Sentences
/// naming proxies without credentials, never a token.
/// `host` may be an origin (`https://h:8443`) or a bare name (then port 443), as error
/// messages name hosts. Kept by host and port: two workspaces on one host are two entries.
pub fn last_failure(host: &str) -> Option<String> {
    let key = match url::Url::parse(host) {
        Ok(url) if url.host_str().is_some() => failure_key(
            url.host_str().unwrap_or_default(),
            url.port_or_known_default().unwrap_or(443),
        ),
        _ => failure_key(host, 443),
    };
    failures().get(&key).cloned()
}

fn failure_key(host: &str, port: u16) -> String {
    format!(
        "{}:{port}",
        host.trim_matches(['[', ']']).to_ascii_lowercase()
    )
}

struct Shared {
    resolver: Arc<Resolver>,
    /// `Basic base64(brickdesk:<secret>)`, what reqwest must send.
    expected: Sensitive<String>,
}

/// The relay. Listening from creation; accepting from the first request (which runs on the
/// async runtime the relay then uses). Stops when dropped.
pub struct Relay {
    shared: Arc<Shared>,
    address: SocketAddr,
    /// `http://brickdesk:<secret>@127.0.0.1:<port>`, for reqwest.
    url: Sensitive<String>,
    listener: Mutex<Option<std::net::TcpListener>>,
    task: Mutex<Option<tokio::task::AbortHandle>>,
}

impl std::fmt::Debug for Relay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Relay")
            .field("address", &self.address)
            .finish_non_exhaustive()
    }
}

impl Relay {
    pub fn new(resolver: Arc<Resolver>) -> std::io::Result<Self> {
        let listener = std::net::TcpListener::bind(("127.0.0.1", 0))?;
        listener.set_nonblocking(true)?;
        let address = listener.local_addr()?;
        let mut bytes = [0u8; 24];
        getrandom::fill(&mut bytes).map_err(|e| std::io::Error::other(e.to_string()))?;
        let secret =
            zeroize::Zeroizing::new(bytes.iter().map(|b| format!("{b:02x}")).collect::<String>());
        let expected = Sensitive::new(format!(
            "Basic {}",
            BASE64.encode(format!("brickdesk:{}", secret.as_str()))
        ));
        Ok(Self {
            shared: Arc::new(Shared { resolver, expected }),
            address,
            url: Sensitive::new(format!("http://brickdesk:{}@{address}", secret.as_str())),
            listener: Mutex::new(Some(listener)),
            task: Mutex::new(None),
        })
    }

    /// Where reqwest should send a request for `url`: the relay, when a proxy may be on the
    /// way; `None` (direct) when no rule can choose one.
    pub fn proxy_for(&self, url: &url::Url) -> Option<url::Url> {
        let host = url.host_str().unwrap_or_default();
        if !self.shared.resolver.may_use_proxy(host) {
            return None;
        }
        self.start();
        url::Url::parse(self.url.expose()).ok()
    }

    fn start(&self) {
        let Some(listener) = self.listener.lock().expect("listener").take() else {
            return;
        };
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            *self.listener.lock().expect("listener") = Some(listener);
            return;
        };
        let _guard = runtime.enter();
        let Ok(listener) = tokio::net::TcpListener::from_std(listener) else {
            return;
        };
        let shared = self.shared.clone();
        let task = runtime.spawn(async move {
            loop {
                let Ok((client, _)) = listener.accept().await else {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                };
                let shared = shared.clone();
                tokio::spawn(async move {
                    let _ = serve(client, &shared).await;
                });
            }
        });
        *self.task.lock().expect("task") = Some(task.abort_handle());
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        if let Some(task) = self.task.lock().expect("task").take() {
            task.abort();
        }
    }
}

async fn serve(mut client: TcpStream, shared: &Shared) -> std::io::Result<()> {
    let _ = client.set_nodelay(true);
    let Ok(Ok(head)) = tokio::time::timeout(REQUEST_TIMEOUT, read_head(&mut client)).await else {
        return Ok(());
    };
    let mut headers = [httparse::EMPTY_HEADER; 32];
    let mut request = httparse::Request::new(&mut headers);
    if !matches!(request.parse(&head), Ok(httparse::Status::Complete(_))) {
        return client.write_all(b"HTTP/1.1 400 Bad Request\r\n\r\n").await;
    }
    let authorized = request.headers.iter().any(|h| {
        h.name.eq_ignore_ascii_case("proxy-authorization")
            && constant_time_eq(h.value, shared.expected.expose().as_bytes())
    });
    if !authorized {
        return client
            .write_all(b"HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n")
            .await;
    }
    let (Some("CONNECT"), Some(target)) = (request.method, request.path) else {
        return client
            .write_all(b"HTTP/1.1 405 Method Not Allowed\r\nConnection: close\r\n\r\n")
            .await;
    };
    let Some((host, port)) = target.rsplit_once(':').and_then(|(h, p)| {
        Some((
            h.trim_matches(['[', ']']).to_owned(),
            p.parse::<u16>().ok()?,
        ))
    }) else {
        return client.write_all(b"HTTP/1.1 400 Bad Request\r\n\r\n").await;
    };
    let (stream, reached) = reach(&shared.resolver, &host, port).await;
    let Some(mut upstream) = stream else {
        let why = reached.failures.join("; ");
        tracing::warn!(%host, "no route worked: {why}");
        failures().insert(failure_key(&host, port), why);
        return client
            .write_all(b"HTTP/1.1 502 Bad Gateway\r\nConnection: close\r\n\r\n")
            .await;
    };
    failures().remove(&failure_key(&host, port));
    client
        .write_all(b"HTTP/1.1 200 Connection Established\r\n\r\n")
        .await?;
    tokio::io::copy_bidirectional(&mut client, &mut upstream).await?;
    Ok(())
}

async fn read_head(stream: &mut TcpStream) -> std::io::Result<Vec<u8>> {
    let mut head = Vec::with_capacity(512);
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if head.len() > 16 << 10 || stream.read(&mut byte).await? == 0 {
            return Err(std::io::ErrorKind::InvalidData.into());
        }
        head.push(byte[0]);
    }
    Ok(head)
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
