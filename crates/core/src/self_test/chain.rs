//! The certificate chain a workspace presents, seen during a real handshake (through the proxy,
//! with the OS trust store and the policy's CA bundle), so the self-test can name who issued
//! it — a corporate TLS-inspection root shows up here by name.
//!
//! Boundary: [`Recording`] only watches. It asks the real verifier and returns its verdict
//! unchanged, so a connection it is part of is exactly as trusted as the app's own.

use rustls::DigitallySignedStruct;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use std::sync::{Arc, Mutex};

/// The chain of the last handshake: the server's certificate first.
pub type Chain = Arc<Mutex<Vec<CertificateDer<'static>>>>;

/// A verifier that records the presented chain, then defers to `inner`.
#[derive(Debug)]
pub struct Recording {
    pub inner: Arc<dyn ServerCertVerifier>,
    pub seen: Chain,
}

impl ServerCertVerifier for Recording {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        *seen = std::iter::once(end_entity)
            .chain(intermediates)
            .map(|cert| cert.clone().into_owned())
            .collect();
        drop(seen);
        self.inner
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

/// Who a certificate is for and who issued it, as people read them (CN, else O).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Names {
    pub subject: String,
    pub issuer: String,
}

fn readable(name: &x509_parser::x509::X509Name<'_>) -> String {
    name.iter_common_name()
        .chain(name.iter_organization())
        .find_map(|attr| attr.as_str().ok().map(str::to_owned))
        .unwrap_or_else(|| name.to_string())
}

/// The names in one DER certificate; `None` if it cannot be read.
pub fn names(der: &[u8]) -> Option<Names> {
    let (_, cert) = x509_parser::parse_x509_certificate(der).ok()?;
    Some(Names {
        subject: readable(cert.subject()),
        issuer: readable(cert.issuer()),
    })
}

/// Whether `pem` (a CA bundle) holds a certificate whose subject is `name`.
pub fn bundle_has_subject(pem: &[u8], name: &str) -> bool {
    use rustls::pki_types::pem::PemObject as _;
    CertificateDer::pem_slice_iter(pem)
        .filter_map(Result::ok)
        .filter_map(|cert| names(&cert))
        .any(|n| n.subject == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_a_certificate_and_its_issuer() {
        let mut ca = rcgen::CertificateParams::new(Vec::<String>::new()).expect("test certificate");
        ca.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        ca.distinguished_name
            .push(rcgen::DnType::CommonName, "Contoso Inspection Root");
        let ca_key = rcgen::KeyPair::generate().expect("test certificate");
        let ca_cert = ca.self_signed(&ca_key).expect("test certificate");
        let issuer = rcgen::Issuer::new(ca, ca_key);
        let mut leaf = rcgen::CertificateParams::new(vec!["example.cloud.databricks.com".into()])
            .expect("test certificate");
        // No common name: the organisation is shown instead.
        leaf.distinguished_name = rcgen::DistinguishedName::new();
        leaf.distinguished_name
            .push(rcgen::DnType::OrganizationName, "Example Workspace");
        let leaf_cert = leaf
            .signed_by(
                &rcgen::KeyPair::generate().expect("test certificate"),
                &issuer,
            )
            .expect("test certificate");
        assert_eq!(
            names(leaf_cert.der()),
            Some(Names {
                subject: "Example Workspace".into(),
                issuer: "Contoso Inspection Root".into(),
            })
        );
        assert!(bundle_has_subject(
            ca_cert.pem().as_bytes(),
            "Contoso Inspection Root"
        ));
        assert!(!bundle_has_subject(ca_cert.pem().as_bytes(), "Other Root"));
        assert_eq!(names(b"not a certificate"), None);
    }
}
