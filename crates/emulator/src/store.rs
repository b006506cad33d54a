//! The emulator's OAuth state: authorization codes, access tokens and refresh tokens.
//!
//! Ids are derived from the seed and a counter (SHA-256), so a run with the same seed and the
//! same requests hands out the same values. Times come from the system clock; lifetimes come
//! from the config.

use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

/// Who a token stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    /// A user, by email.
    User(String),
    /// A service principal, by client (application) id.
    ServicePrincipal(String),
}

impl Subject {
    /// The user's email or the service principal's application id.
    pub fn name(&self) -> &str {
        match self {
            Self::User(email) => email,
            Self::ServicePrincipal(client_id) => client_id,
        }
    }
}

#[derive(Debug, Clone)]
pub struct CodeGrant {
    pub client_id: String,
    pub redirect_uri: String,
    pub code_challenge: String,
    pub scope: String,
    pub subject: Subject,
    pub expires_at: SystemTime,
}

#[derive(Debug, Clone)]
pub struct AccessGrant {
    pub subject: Subject,
    pub scope: String,
    pub expires_at: SystemTime,
}

#[derive(Debug, Clone)]
pub struct RefreshGrant {
    pub client_id: String,
    pub subject: Subject,
    pub scope: String,
    pub expires_at: SystemTime,
}

/// Why a token or code was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    Unknown,
    Expired,
}

#[derive(Debug, Default)]
struct Inner {
    counter: u64,
    codes: HashMap<String, CodeGrant>,
    access: HashMap<String, AccessGrant>,
    refresh: HashMap<String, RefreshGrant>,
    /// Every code and token ever issued, for leak tests (`GET /__emulator/secrets/issued`).
    issued: Vec<String>,
}

#[derive(Debug)]
pub struct Store {
    seed: u64,
    inner: Mutex<Inner>,
}

impl Store {
    pub fn new(seed: u64) -> Self {
        Self {
            seed,
            inner: Mutex::new(Inner::default()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// A deterministic 64-hex-digit value, unique per call.
    pub fn next_hex(&self, kind: &str) -> String {
        let mut inner = self.lock();
        inner.counter += 1;
        hex(&Sha256::digest(format!(
            "{}:{kind}:{}",
            self.seed, inner.counter
        )))
    }

    pub fn issue_code(&self, grant: CodeGrant) -> String {
        let code = format!("dcode{}", &self.next_hex("code")[..40]);
        let mut inner = self.lock();
        inner.codes.insert(code.clone(), grant);
        inner.issued.push(code.clone());
        code
    }

    /// Takes a code out: a code works once, even when the exchange then fails.
    pub fn take_code(&self, code: &str) -> Result<CodeGrant, Refusal> {
        let grant = self.lock().codes.remove(code).ok_or(Refusal::Unknown)?;
        if grant.expires_at <= SystemTime::now() {
            return Err(Refusal::Expired);
        }
        Ok(grant)
    }

    pub fn issue_access(
        &self,
        subject: Subject,
        scope: &str,
        ttl: Duration,
        audience: &str,
    ) -> String {
        let expires_at = SystemTime::now() + ttl;
        let token = fake_jwt(
            &subject,
            scope,
            expires_at,
            audience,
            &self.next_hex("access"),
        );
        let mut inner = self.lock();
        inner.access.insert(
            token.clone(),
            AccessGrant {
                subject,
                scope: scope.into(),
                expires_at,
            },
        );
        inner.issued.push(token.clone());
        token
    }

    pub fn access(&self, token: &str) -> Result<AccessGrant, Refusal> {
        let grant = self
            .lock()
            .access
            .get(token)
            .cloned()
            .ok_or(Refusal::Unknown)?;
        if grant.expires_at <= SystemTime::now() {
            return Err(Refusal::Expired);
        }
        Ok(grant)
    }

    pub fn issue_refresh(&self, grant: RefreshGrant) -> String {
        let token = format!("doau{}", self.next_hex("refresh"));
        let mut inner = self.lock();
        inner.refresh.insert(token.clone(), grant);
        inner.issued.push(token.clone());
        token
    }

    /// Looks up a refresh token; with `consume`, it is invalidated (single-use rotation).
    pub fn refresh(&self, token: &str, consume: bool) -> Result<RefreshGrant, Refusal> {
        let mut inner = self.lock();
        let grant = if consume {
            inner.refresh.remove(token)
        } else {
            inner.refresh.get(token).cloned()
        };
        let grant = grant.ok_or(Refusal::Unknown)?;
        if grant.expires_at <= SystemTime::now() {
            inner.refresh.remove(token);
            return Err(Refusal::Expired);
        }
        Ok(grant)
    }

    /// Every authorization code, access token and refresh token issued so far.
    pub fn issued(&self) -> Vec<String> {
        self.lock().issued.clone()
    }

    /// Expires every access token now (fault injection and tests).
    pub fn expire_all_access(&self) -> usize {
        let mut inner = self.lock();
        let past = SystemTime::now() - Duration::from_secs(1);
        inner
            .access
            .values_mut()
            .for_each(|grant| grant.expires_at = past);
        inner.access.len()
    }

    /// Revokes every refresh token (as removing an app connection does).
    pub fn revoke_all_refresh(&self) -> usize {
        let mut inner = self.lock();
        let count = inner.refresh.len();
        inner.refresh.clear();
        count
    }
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// An unsigned, JWT-shaped access token. Clients must treat it as opaque; its claims are
/// there so that tools that peek at tokens for diagnostics see realistic values.
fn fake_jwt(
    subject: &Subject,
    scope: &str,
    expires_at: SystemTime,
    audience: &str,
    nonce: &str,
) -> String {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let sub = match subject {
        Subject::User(email) => email.clone(),
        Subject::ServicePrincipal(client_id) => client_id.clone(),
    };
    let exp = expires_at
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let header = serde_json::json!({"alg": "none", "typ": "JWT", "kid": "emulator"});
    let claims =
        serde_json::json!({"sub": sub, "scope": scope, "exp": exp, "aud": audience, "jti": nonce});
    format!(
        "{}.{}.{}",
        b64.encode(header.to_string()),
        b64.encode(claims.to_string()),
        &nonce[..43]
    )
}

/// `BASE64URL(SHA256(verifier))` without padding: the S256 code challenge.
pub fn s256(verifier: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_values() {
        let (a, b) = (Store::new(7), Store::new(7));
        assert_eq!(a.next_hex("x"), b.next_hex("x"));
        assert_ne!(a.next_hex("x"), Store::new(8).next_hex("x"));
    }

    #[test]
    fn rfc7636_appendix_b_challenge() {
        assert_eq!(
            s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn codes_are_single_use_and_refresh_rotation_consumes() {
        let store = Store::new(1);
        let grant = CodeGrant {
            client_id: "c".into(),
            redirect_uri: "r".into(),
            code_challenge: "x".into(),
            scope: "all-apis".into(),
            subject: Subject::User("alice@example.com".into()),
            expires_at: SystemTime::now() + Duration::from_secs(60),
        };
        let code = store.issue_code(grant.clone());
        assert!(store.take_code(&code).is_ok());
        assert_eq!(store.take_code(&code).map(|_| ()), Err(Refusal::Unknown));
        let expired = store.issue_code(CodeGrant {
            expires_at: SystemTime::now() - Duration::from_secs(1),
            ..grant
        });
        assert_eq!(store.take_code(&expired).map(|_| ()), Err(Refusal::Expired));

        let refresh = store.issue_refresh(RefreshGrant {
            client_id: "c".into(),
            subject: Subject::User("alice@example.com".into()),
            scope: "all-apis offline_access".into(),
            expires_at: SystemTime::now() + Duration::from_secs(60),
        });
        assert!(store.refresh(&refresh, false).is_ok());
        assert!(store.refresh(&refresh, true).is_ok());
        assert_eq!(
            store.refresh(&refresh, true).map(|_| ()),
            Err(Refusal::Unknown)
        );
    }
}
