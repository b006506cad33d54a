//! HTTPS mode: a test CA generated per run, a certificate for `127.0.0.1` and `localhost`
//! signed by it, and a listener that completes TLS handshakes off the accept loop.
//!
//! Boundary: this is for proxy and CA-bundle tests, which need a server no system trusts.
//! Keys are random per run even with `--seed` (a fixed key would be a published private key
//! for a certificate someone might trust).

use anyhow::Context as _;
use axum::serve::Listener;
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;

/// How long a client gets to finish its handshake; a stalled one must not hold a slot.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// A CA and the server configuration whose certificate it signed.
#[derive(Debug, Clone)]
pub struct TestCa {
    /// The CA certificate, PEM: what a client must trust to reach the emulator.
    pub ca_pem: String,
    server: Arc<rustls::ServerConfig>,
}

impl TestCa {
    /// Generates a fresh CA and a loopback server certificate valid for 30 days from today.
    pub fn generate() -> anyhow::Result<Self> {
        let ca_key = KeyPair::generate().context("generating the test CA key")?;
        let mut ca = CertificateParams::default();
        ca.distinguished_name
            .push(DnType::CommonName, "Brickdesk emulator test CA");
        ca.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
        ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        set_validity(&mut ca, 30);
        let ca_cert = ca.self_signed(&ca_key).context("signing the test CA")?;
        let issuer = Issuer::new(ca, ca_key);

        let leaf_key = KeyPair::generate().context("generating the server key")?;
        let mut leaf = CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()])
            .context("server certificate names")?;
        leaf.distinguished_name
            .push(DnType::CommonName, "Brickdesk emulator");
        leaf.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        leaf.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        set_validity(&mut leaf, 30);
        let leaf_cert = leaf
            .signed_by(&leaf_key, &issuer)
            .context("signing the server certificate")?;

        let chain = vec![leaf_cert.der().clone(), ca_cert.der().clone()];
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der()));
        let mut server = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .context("TLS protocol versions")?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .context("TLS server certificate")?;
        // The router speaks HTTP/1.1 only.
        server.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Self {
            ca_pem: ca_cert.pem(),
            server: Arc::new(server),
        })
    }

    /// The CA certificate in DER form, for clients that take a root directly.
    pub fn ca_der(&self) -> anyhow::Result<CertificateDer<'static>> {
        use rustls::pki_types::pem::PemObject as _;
        CertificateDer::from_pem_slice(self.ca_pem.as_bytes()).context("parsing the CA PEM")
    }
}

/// Valid from yesterday (clock skew between processes must not make it "not yet valid") to
/// `days` from today.
fn set_validity(params: &mut CertificateParams, days: u64) {
    use chrono::Datelike as _;
    let at = |date: chrono::NaiveDate| {
        let month = u8::try_from(date.month()).unwrap_or(1);
        let day = u8::try_from(date.day()).unwrap_or(1);
        rcgen::date_time_ymd(date.year(), month, day)
    };
    let today = chrono::Utc::now().date_naive();
    params.not_before = at(today - chrono::Days::new(1));
    params.not_after = at(today + chrono::Days::new(days));
}

/// A listener that hands axum connections whose TLS handshake already succeeded.
#[derive(Debug)]
pub struct TlsListener {
    ready: mpsc::Receiver<(TlsStream<TcpStream>, SocketAddr)>,
    local: SocketAddr,
}

impl TlsListener {
    /// Accepts on `tcp` and shakes hands concurrently; failed handshakes (a plain-HTTP client,
    /// a client that does not trust the CA) are logged and dropped.
    pub fn new(tcp: TcpListener, ca: &TestCa) -> std::io::Result<Self> {
        let local = tcp.local_addr()?;
        let acceptor = TlsAcceptor::from(ca.server.clone());
        let (sender, ready) = mpsc::channel(64);
        tokio::spawn(async move {
            loop {
                // Stops (and frees the port) as soon as the server drops the listener.
                let accepted = tokio::select! {
                    accepted = tcp.accept() => accepted,
                    () = sender.closed() => break,
                };
                let (stream, peer) = match accepted {
                    Ok(accepted) => accepted,
                    Err(error) => {
                        tracing::warn!(%error, "accept failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let acceptor = acceptor.clone();
                let handoff = sender.clone();
                tokio::spawn(async move {
                    match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
                        Ok(Ok(tls)) => {
                            let _ = handoff.send((tls, peer)).await;
                        }
                        Ok(Err(error)) => tracing::info!(%error, %peer, "TLS handshake failed"),
                        Err(_) => tracing::info!(%peer, "TLS handshake timed out"),
                    }
                });
            }
        });
        Ok(Self { ready, local })
    }
}

impl Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.ready.recv().await {
            Some(connection) => connection,
            // The accept task only ends when this listener is dropped, so this is unreachable
            // while serving; waiting forever is what a closed listener means to axum.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        Ok(self.local)
    }
}
