//! A corporate proxy on loopback, for the proxy tests and `--test-proxy`: CONNECT tunnels,
//! optionally behind a `407` that wants `Basic`, `NTLM` or `Negotiate` (answered with NTLM
//! tokens, as Windows does without Kerberos), and a proxy auto-config script served over HTTP
//! at `/proxy.pac` on the same port.
//!
//! Behaviour follows RFC 9110 §11.7 (`407`, `Proxy-Authenticate`, `Proxy-Authorization`),
//! RFC 9110 §9.3.6 (CONNECT), RFC 4559 (`Negotiate` over HTTP) and MS-NLMP (the NTLM
//! messages, checked in [`ntlm`]). It records every target it tunnels to and every
//! `Proxy-Authorization` value it was sent, so tests can look for them in logs.

pub mod ntlm;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};

/// What the proxy asks of its clients.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProxyAuth {
    /// Tunnels for anyone.
    Open,
    /// Refuses every tunnel (`403`), as a proxy that does not allow the host.
    Refuse,
    Basic {
        user: String,
        password: String,
    },
    /// `Negotiate` that takes Kerberos only (any NTLM token is refused; there is no KDC
    /// here), and `Basic` for `user`, as a Squid with Kerberos and an LDAP fallback.
    KerberosOrBasic {
        user: String,
        password: String,
    },
    /// NTLMv2 for `user` in `domain`; offered as `NTLM`, or as `Negotiate` when `negotiate`.
    Ntlm {
        user: String,
        domain: String,
        password: String,
        negotiate: bool,
    },
}

impl ProxyAuth {
    /// `open`, `refuse`, `basic:USER:PASSWORD`, `kerberos-or-basic:USER:PASSWORD`,
    /// `ntlm:DOMAIN\USER:PASSWORD` or `negotiate:DOMAIN\USER:PASSWORD` (the command line's
    /// form).
    pub fn parse(text: &str) -> Result<Self, String> {
        let (kind, rest) = text.split_once(':').unwrap_or((text, ""));
        let (user, password) = rest.split_once(':').unwrap_or((rest, ""));
        let ntlm = |negotiate| {
            let (domain, user) = user.split_once('\\').ok_or("NTLM users are DOMAIN\\USER")?;
            Ok(Self::Ntlm {
                user: user.to_owned(),
                domain: domain.to_owned(),
                password: password.to_owned(),
                negotiate,
            })
        };
        match kind {
            "open" => Ok(Self::Open),
            "refuse" => Ok(Self::Refuse),
            "basic" => Ok(Self::Basic {
                user: user.to_owned(),
                password: password.to_owned(),
            }),
            "kerberos-or-basic" => Ok(Self::KerberosOrBasic {
                user: user.to_owned(),
                password: password.to_owned(),
            }),
            "ntlm" => ntlm(false),
            "negotiate" => ntlm(true),
            other => Err(format!("unknown proxy authentication {other:?}")),
        }
    }
}

/// One CONNECT the proxy answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    pub target: String,
    /// Whether the tunnel was opened.
    pub tunnelled: bool,
}

#[derive(Debug, Default)]
struct Record {
    seen: Vec<Seen>,
    /// Every `Proxy-Authorization` value received, raw.
    authorizations: Vec<String>,
}

/// A running test proxy. Stops when dropped.
#[derive(Debug)]
pub struct TestProxy {
    pub address: SocketAddr,
    /// `http://127.0.0.1:<port>`.
    pub url: String,
    /// `http://127.0.0.1:<port>/proxy.pac`.
    pub pac_url: String,
    record: Arc<Mutex<Record>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for TestProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl TestProxy {
    /// Starts on a free loopback port. `pac` is the script served at `/proxy.pac`, with
    /// `{proxy}` replaced by this proxy's `127.0.0.1:<port>`.
    pub async fn start(auth: ProxyAuth, pac: Option<String>) -> std::io::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let address = listener.local_addr()?;
        let pac = pac.map(|p| p.replace("{proxy}", &address.to_string()));
        let record = Arc::new(Mutex::new(Record::default()));
        let state = Arc::new((auth, pac, record.clone()));
        let task = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let state = state.clone();
                tokio::spawn(async move {
                    let (auth, pac, record) = &*state;
                    let _ = serve(client, auth, pac.as_deref(), record).await;
                });
            }
        });
        Ok(Self {
            address,
            url: format!("http://{address}"),
            pac_url: format!("http://{address}/proxy.pac"),
            record,
            task,
        })
    }

    /// Every CONNECT so far.
    pub fn seen(&self) -> Vec<Seen> {
        self.record.lock().expect("record").seen.clone()
    }

    /// The targets tunnelled to so far.
    pub fn tunnelled(&self) -> Vec<String> {
        self.seen()
            .into_iter()
            .filter(|s| s.tunnelled)
            .map(|s| s.target)
            .collect()
    }

    /// Every `Proxy-Authorization` value sent (tokens and Basic credentials), for leak scans.
    pub fn authorizations(&self) -> Vec<String> {
        self.record.lock().expect("record").authorizations.clone()
    }
}

/// The PAC script of `--test-proxy`: result storage (`localhost`) direct, everything else
/// through this proxy.
pub const DEMO_PAC: &str = "function FindProxyForURL(url, host) {\n  \
    if (dnsDomainIs(host, \"localhost\")) return \"DIRECT\";\n  \
    return \"PROXY {proxy}\";\n}\n";

struct Request {
    method: String,
    target: String,
    authorization: Option<String>,
}

async fn read_request(client: &mut TcpStream) -> Option<Request> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if head.len() > 32 << 10 {
            return None;
        }
        match client.read(&mut byte).await {
            Ok(1) => head.push(byte[0]),
            _ => return None,
        }
    }
    let head = String::from_utf8_lossy(&head).into_owned();
    let mut lines = head.split("\r\n");
    let mut words = lines.next()?.split_whitespace();
    let method = words.next()?.to_owned();
    let target = words.next()?.to_owned();
    let authorization = lines.find_map(|line| {
        let (name, value) = line.split_once(':')?;
        name.trim()
            .eq_ignore_ascii_case("proxy-authorization")
            .then(|| value.trim().to_owned())
    });
    Some(Request {
        method,
        target,
        authorization,
    })
}

async fn reply(client: &mut TcpStream, status: &str, headers: &[String]) -> std::io::Result<()> {
    let mut response = format!("HTTP/1.1 {status}\r\n");
    for header in headers {
        response.push_str(header);
        response.push_str("\r\n");
    }
    response.push_str("Content-Length: 0\r\n\r\n");
    client.write_all(response.as_bytes()).await
}

async fn serve(
    mut client: TcpStream,
    auth: &ProxyAuth,
    pac: Option<&str>,
    record: &Mutex<Record>,
) -> std::io::Result<()> {
    // The NTLM challenge sent on this connection (the handshake is bound to it).
    let mut challenge: Option<[u8; 8]> = None;
    loop {
        let Some(request) = read_request(&mut client).await else {
            return Ok(());
        };
        if request.method == "GET" && request.target == "/proxy.pac" {
            let Some(script) = pac else {
                return reply(&mut client, "404 Not Found", &[]).await;
            };
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/x-ns-proxy-autoconfig\r\n\
                 Content-Length: {}\r\nConnection: close\r\n\r\n",
                script.len()
            );
            client.write_all(head.as_bytes()).await?;
            return client.write_all(script.as_bytes()).await;
        }
        if request.method != "CONNECT" {
            return reply(&mut client, "405 Method Not Allowed", &[]).await;
        }
        if let Some(value) = &request.authorization {
            record
                .lock()
                .expect("record")
                .authorizations
                .push(value.clone());
        }
        let allowed = match auth {
            ProxyAuth::Open => true,
            ProxyAuth::Refuse => false,
            ProxyAuth::Basic { user, password } | ProxyAuth::KerberosOrBasic { user, password } => {
                let expected = format!("Basic {}", BASE64.encode(format!("{user}:{password}")));
                if request.authorization.as_deref() != Some(expected.as_str()) {
                    record.lock().expect("record").seen.push(Seen {
                        target: request.target.clone(),
                        tunnelled: false,
                    });
                    // The Kerberos-only proxy offers Negotiate first and refuses any token for
                    // it (there is no KDC here): only Basic gets through.
                    let mut challenges = Vec::new();
                    if matches!(auth, ProxyAuth::KerberosOrBasic { .. }) {
                        challenges.push("Proxy-Authenticate: Negotiate".to_owned());
                    }
                    challenges.push(
                        "Proxy-Authenticate: Basic realm=\"Brickdesk test proxy\"".to_owned(),
                    );
                    reply(
                        &mut client,
                        "407 Proxy Authentication Required",
                        &challenges,
                    )
                    .await?;
                    continue;
                }
                true
            }
            ProxyAuth::Ntlm {
                user,
                domain,
                password,
                negotiate,
            } => {
                let scheme = if *negotiate { "Negotiate" } else { "NTLM" };
                let token = request.authorization.as_deref().and_then(|value| {
                    let (given, token) = value.split_once(' ')?;
                    given
                        .eq_ignore_ascii_case(scheme)
                        .then(|| BASE64.decode(token.trim()).ok())
                        .flatten()
                });
                match token.as_deref().and_then(ntlm::message_type) {
                    Some(1) => {
                        let server_challenge = fresh_challenge();
                        challenge = Some(server_challenge);
                        let info = ntlm::target_info(domain, "PROXY", Some(filetime_now()));
                        let message = ntlm::challenge_message(server_challenge, domain, &info);
                        reply(
                            &mut client,
                            "407 Proxy Authentication Required",
                            &[format!(
                                "Proxy-Authenticate: {scheme} {}",
                                BASE64.encode(message)
                            )],
                        )
                        .await?;
                        continue;
                    }
                    Some(3) => {
                        let ok = challenge.take().is_some_and(|server_challenge| {
                            ntlm::parse_authenticate(token.as_deref().unwrap_or_default())
                                .is_some_and(|answer| {
                                    answer.user.eq_ignore_ascii_case(user)
                                        && answer.domain.eq_ignore_ascii_case(domain)
                                        && ntlm::verify(&answer, password, server_challenge)
                                })
                        });
                        if !ok {
                            record.lock().expect("record").seen.push(Seen {
                                target: request.target.clone(),
                                tunnelled: false,
                            });
                            return reply(
                                &mut client,
                                "407 Proxy Authentication Required",
                                &[
                                    format!("Proxy-Authenticate: {scheme}"),
                                    "Connection: close".into(),
                                ],
                            )
                            .await;
                        }
                        true
                    }
                    _ => {
                        reply(
                            &mut client,
                            "407 Proxy Authentication Required",
                            &[
                                format!("Proxy-Authenticate: {scheme}"),
                                "Proxy-Authenticate: Basic realm=\"Brickdesk test proxy\"".into(),
                            ],
                        )
                        .await?;
                        continue;
                    }
                }
            }
        };
        record.lock().expect("record").seen.push(Seen {
            target: request.target.clone(),
            tunnelled: allowed,
        });
        if !allowed {
            return reply(&mut client, "403 Forbidden", &["Connection: close".into()]).await;
        }
        let Ok(mut upstream) = TcpStream::connect(request.target.as_str()).await else {
            return reply(
                &mut client,
                "502 Bad Gateway",
                &["Connection: close".into()],
            )
            .await;
        };
        client
            .write_all(b"HTTP/1.1 200 Connection Established\r\n\r\n")
            .await?;
        tokio::io::copy_bidirectional(&mut client, &mut upstream).await?;
        return Ok(());
    }
}

/// Eight bytes no earlier challenge had (a replayed answer must fail).
fn fresh_challenge() -> [u8; 8] {
    use sha2::Digest as _;
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let digest = sha2::Sha256::digest(format!("{:?} {n}", std::time::SystemTime::now()));
    digest[..8].try_into().expect("8 bytes")
}

/// Now as a Windows FILETIME (100 ns since 1601), for the challenge's timestamp.
fn filetime_now() -> u64 {
    let unix = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    (unix.as_secs() + 11_644_473_600) * 10_000_000 + u64::from(unix.subsec_nanos() / 100)
}
