//! Answers to a proxy's `407 Proxy Authentication Required`: which of its offered schemes
//! Brickdesk answers, and the tokens of each.
//!
//! - `Negotiate` and `NTLM` on Windows, without credentials: the signed-in user, through
//!   the OS's SSPI ([`windows_sspi`]), Kerberos first where the proxy and domain allow it.
//! - `NTLM` (and `Negotiate`, answered with NTLM tokens, as Windows does when Kerberos is not
//!   available) with a user name and password from policy: the pure-Rust NTLMv2 of the
//!   `sspi` crate, on every OS.
//! - `Basic` with a user name and password from policy, and only to a proxy that asks.
//!
//! Every token and header value here is secret (an NTLM response can be cracked offline, and
//! a Basic one is the password): they stay in [`Sensitive`] and are never logged.

#[cfg(any(windows, brickdesk_check_windows))]
mod windows_sspi;

use super::ProxyCredentials;
use crate::sensitive::Sensitive;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;

/// One challenge of a `Proxy-Authenticate` header: `NTLM`, `Negotiate TlRM…`, `Basic realm=…`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    /// As the proxy spelled it.
    pub scheme: String,
    /// The base64 token after the scheme, for connection-based schemes mid-handshake.
    pub token: Option<String>,
}

/// Every challenge in the response's `Proxy-Authenticate` headers. A proxy may send one
/// header per scheme or list them in one; `Basic realm="a, b"` has a comma of its own.
pub fn parse(headers: &[String]) -> Vec<Challenge> {
    let mut challenges = Vec::new();
    for header in headers {
        let mut in_quotes = false;
        let mut parts = Vec::new();
        let mut current = String::new();
        for c in header.chars() {
            match c {
                '"' => {
                    in_quotes = !in_quotes;
                    current.push(c);
                }
                ',' if !in_quotes => parts.push(std::mem::take(&mut current)),
                _ => current.push(c),
            }
        }
        parts.push(current);
        for part in parts {
            let part = part.trim();
            let (first, rest) = part.split_once(' ').unwrap_or((part, ""));
            let rest = rest.trim();
            if first.is_empty() {
                continue;
            }
            if first.contains('=') {
                // `charset="UTF-8"` continuing the previous challenge's parameters.
                continue;
            }
            let token = (!rest.is_empty() && !rest.contains('=')
                || rest.ends_with('=') && !rest.contains(' ') && !rest.contains('"'))
            .then(|| rest.to_owned())
            .filter(|t| BASE64.decode(t).is_ok());
            challenges.push(Challenge {
                scheme: first.to_owned(),
                token,
            });
        }
    }
    challenges
}

/// A scheme Brickdesk can answer, as it goes into `Proxy-Authorization`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    Negotiate,
    Ntlm,
    Basic,
}

impl Scheme {
    pub fn name(self) -> &'static str {
        match self {
            Self::Negotiate => "Negotiate",
            Self::Ntlm => "NTLM",
            Self::Basic => "Basic",
        }
    }

    fn offered(self, challenges: &[Challenge]) -> bool {
        challenges
            .iter()
            .any(|c| c.scheme.eq_ignore_ascii_case(self.name()))
    }
}

/// One authentication in progress with one proxy, over one connection.
pub trait Responder: Send + std::fmt::Debug {
    fn scheme(&self) -> Scheme;
    /// Whether the handshake is bound to the connection (NTLM, Negotiate): the proxy must
    /// keep it open between the messages.
    fn connection_bound(&self) -> bool {
        self.scheme() != Scheme::Basic
    }
    /// The next `Proxy-Authorization` value, given the proxy's token (`None` at the start).
    /// `Ok(None)`: nothing more to send (the proxy rejected the last answer).
    fn respond(&mut self, token: Option<&[u8]>) -> Result<Option<Sensitive<String>>, String>;
}

/// What may answer one proxy, from how it was found and what it accepted before (the
/// resolver decides; see `docs/security.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Allowed {
    /// `Basic`: the password in clear text, readable by whoever answers for the proxy.
    pub basic: bool,
    /// `Basic` next, after the proxy refused an NTLM or Negotiate answer (a downgrade an
    /// attacker in the middle can force).
    pub basic_fallback: bool,
    /// The signed-in Windows user by NTLM as well as Kerberos. A proxy that a WPAD answer
    /// chose gets Kerberos only: Kerberos names the proxy's service and cannot be relayed to
    /// another, while an NTLM answer can be cracked or relayed by whoever gets it.
    pub windows_ntlm: bool,
}

impl Allowed {
    /// Everything: the proxy's own setting carries its password (tests, and credentials
    /// written into a proxy URL).
    pub const ALL: Self = Self {
        basic: true,
        basic_fallback: true,
        windows_ntlm: true,
    };
}

/// The best answer to `challenges` this computer can give with `credentials`, within
/// `allowed`, or `None`.
pub fn choose(
    challenges: &[Challenge],
    credentials: Option<&ProxyCredentials>,
    proxy_host: &str,
    allowed: Allowed,
) -> Option<Box<dyn Responder>> {
    let negotiate = Scheme::Negotiate.offered(challenges);
    let ntlm = Scheme::Ntlm.offered(challenges);
    if let Some(credentials) = credentials {
        // Credentials IT gave for the proxy are what it wants used, on every OS.
        if ntlm || negotiate {
            let label = if ntlm {
                Scheme::Ntlm
            } else {
                Scheme::Negotiate
            };
            if let Ok(responder) = NtlmResponder::new(label, credentials) {
                return Some(Box::new(responder));
            }
        }
        if Scheme::Basic.offered(challenges) && allowed.basic {
            return Some(Box::new(BasicResponder {
                value: Some(basic_value(credentials)),
            }));
        }
    }
    #[cfg(any(windows, brickdesk_check_windows))]
    if negotiate || ntlm {
        let scheme = if negotiate {
            Scheme::Negotiate
        } else {
            Scheme::Ntlm
        };
        let kerberos_only = !allowed.windows_ntlm;
        if (negotiate || !kerberos_only)
            && let Ok(responder) =
                windows_sspi::CurrentUser::for_proxy(scheme, proxy_host, kerberos_only)
        {
            return Some(Box::new(responder));
        }
    }
    let _ = (proxy_host, allowed);
    None
}

/// `Basic` with `credentials`: for a proxy that refused a connection-bound answer and offers
/// Basic too.
pub fn basic(credentials: &ProxyCredentials) -> Box<dyn Responder> {
    Box::new(BasicResponder {
        value: Some(basic_value(credentials)),
    })
}

/// `Basic dXNlcjpwYXNz`.
fn basic_value(credentials: &ProxyCredentials) -> Sensitive<String> {
    let pair = zeroize::Zeroizing::new(format!(
        "{}:{}",
        credentials.username,
        credentials.password.expose()
    ));
    Sensitive::new(format!("Basic {}", BASE64.encode(pair.as_bytes())))
}

#[derive(Debug)]
struct BasicResponder {
    value: Option<Sensitive<String>>,
}

impl Responder for BasicResponder {
    fn scheme(&self) -> Scheme {
        Scheme::Basic
    }
    fn respond(&mut self, _token: Option<&[u8]>) -> Result<Option<Sensitive<String>>, String> {
        // Once: a second 407 means the password was wrong, and it is not sent again.
        Ok(self.value.take())
    }
}

/// NTLMv2 with explicit credentials, through the `sspi` crate.
struct NtlmResponder {
    label: Scheme,
    ntlm: sspi::Ntlm,
    handle: <sspi::Ntlm as sspi::SspiImpl>::CredentialsHandle,
    sent: u8,
}

impl std::fmt::Debug for NtlmResponder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NtlmResponder")
            .field("label", &self.label)
            .field("sent", &self.sent)
            .finish_non_exhaustive()
    }
}

impl NtlmResponder {
    fn new(label: Scheme, credentials: &ProxyCredentials) -> Result<Self, String> {
        use sspi::{CredentialUse, Sspi as _};
        let username = sspi::Username::parse(&credentials.username)
            .map_err(|_| "the proxy user name is not DOMAIN\\user or user@domain".to_owned())?;
        let identity = sspi::AuthIdentity {
            username,
            password: credentials.password.expose().clone().into(),
        };
        let mut ntlm = sspi::Ntlm::new();
        let acquired = ntlm
            .acquire_credentials_handle()
            .with_credential_use(CredentialUse::Outbound)
            .with_auth_data(&identity)
            .execute(&mut ntlm)
            .map_err(|e| format!("NTLM could not start ({:?})", e.error_type))?;
        Ok(Self {
            label,
            ntlm,
            handle: acquired.credentials_handle,
            sent: 0,
        })
    }
}

impl Responder for NtlmResponder {
    fn scheme(&self) -> Scheme {
        self.label
    }

    fn respond(&mut self, token: Option<&[u8]>) -> Result<Option<Sensitive<String>>, String> {
        use sspi::{
            BufferType, ClientRequestFlags, DataRepresentation, SecurityBuffer, Sspi as _,
            SspiImpl as _,
        };
        // Type 1 with no token; Type 3 for the proxy's Type 2; anything after that is a
        // rejection.
        match (self.sent, token) {
            (0, _) | (1, Some(_)) => {}
            _ => return Ok(None),
        }
        let mut input = vec![SecurityBuffer::new(
            token.map(<[u8]>::to_vec).unwrap_or_default(),
            BufferType::Token,
        )];
        let mut output = vec![SecurityBuffer::new(Vec::new(), BufferType::Token)];
        let mut builder = self
            .ntlm
            .initialize_security_context()
            .with_credentials_handle(&mut self.handle)
            .with_context_requirements(ClientRequestFlags::ALLOCATE_MEMORY)
            .with_target_data_representation(DataRepresentation::Native)
            .with_output(&mut output);
        if token.is_some() {
            builder = builder.with_input(&mut input);
        }
        self.ntlm
            .initialize_security_context_impl(&mut builder)
            .and_then(|mut generator| generator.resolve_to_result())
            .map_err(|e| {
                format!(
                    "the proxy's NTLM challenge could not be answered ({:?})",
                    e.error_type
                )
            })?;
        self.sent += 1;
        let bytes = zeroize::Zeroizing::new(std::mem::take(&mut output[0].buffer));
        Ok(Some(Sensitive::new(format!(
            "{} {}",
            self.label.name(),
            BASE64.encode(bytes.as_slice())
        ))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn credentials() -> ProxyCredentials {
        ProxyCredentials {
            username: "CORP\\alice".into(),
            password: Sensitive::new("Secr3t!".into()),
        }
    }

    #[test]
    fn challenges_are_read_however_proxies_list_them() {
        let parsed = parse(&[
            "Negotiate".into(),
            "NTLM".into(),
            "Basic realm=\"Corp, Inc. proxy\", charset=\"UTF-8\"".into(),
        ]);
        let schemes: Vec<&str> = parsed.iter().map(|c| c.scheme.as_str()).collect();
        assert_eq!(schemes, ["Negotiate", "NTLM", "Basic"]);
        let one_header = parse(&["NTLM, Basic realm=\"x\"".into()]);
        assert_eq!(one_header.len(), 2);
        let token = parse(&["NTLM TlRMTVNTUAACAAAA".into()]);
        assert_eq!(token[0].token.as_deref(), Some("TlRMTVNTUAACAAAA"));
        assert_eq!(parse(&["Basic realm=\"x\"".into()])[0].token, None);
    }

    #[test]
    fn ntlm_is_chosen_over_basic_and_sends_each_message_once() {
        let offered = parse(&["Basic realm=\"x\"".into(), "NTLM".into()]);
        let mut responder = choose(&offered, Some(&credentials()), "proxy.corp", Allowed::ALL)
            .expect("a responder");
        assert_eq!(responder.scheme(), Scheme::Ntlm);
        let first = responder.respond(None).expect("type 1").expect("sent");
        let first = first.expose();
        assert!(
            first.starts_with("NTLM TlRMTVNTUAAB"),
            "a Type 1 message: {first}"
        );
        // A 407 without a Type 2 token after the Type 1: rejected, nothing more is sent.
        assert!(responder.respond(None).expect("no token").is_none());
    }

    /// SSPI as the signed-in user (runs in the GitHub workflow's Windows job): a runner
    /// outside a domain has no Kerberos, and Negotiate answers with NTLM inside it.
    #[cfg(windows)]
    #[test]
    fn windows_signs_in_to_a_proxy_as_the_current_user() {
        let offered = parse(&["Negotiate".into(), "NTLM".into()]);
        let mut responder = choose(&offered, None, "proxy.example", Allowed::ALL).expect("SSPI");
        assert_eq!(responder.scheme(), Scheme::Negotiate);
        let first = responder
            .respond(None)
            .expect("a first token")
            .expect("sent");
        let token = first
            .expose()
            .strip_prefix("Negotiate ")
            .expect("the Negotiate label");
        assert!(!BASE64.decode(token).expect("base64").is_empty());
    }

    #[test]
    fn basic_is_sent_once_and_only_when_offered() {
        let offered = parse(&["Basic realm=\"x\"".into()]);
        let mut responder =
            choose(&offered, Some(&credentials()), "proxy.corp", Allowed::ALL).expect("basic");
        let value = responder.respond(None).expect("ok").expect("sent");
        assert_eq!(
            value.expose(),
            &format!("Basic {}", BASE64.encode("CORP\\alice:Secr3t!"))
        );
        assert!(responder.respond(None).expect("ok").is_none());
        assert!(
            choose(
                &parse(&["Digest realm=\"x\"".into()]),
                Some(&credentials()),
                "proxy.corp",
                Allowed::ALL
            )
            .is_none()
        );
        #[cfg(not(windows))]
        assert!(choose(&parse(&["NTLM".into()]), None, "proxy.corp", Allowed::ALL).is_none());
        let no_basic = Allowed {
            basic: false,
            ..Allowed::ALL
        };
        assert!(
            choose(&offered, Some(&credentials()), "proxy.corp", no_basic).is_none(),
            "Basic only where allowed"
        );
        let wpad = Allowed {
            windows_ntlm: false,
            ..Allowed::ALL
        };
        assert!(
            choose(&parse(&["NTLM".into()]), None, "proxy.lan", wpad).is_none(),
            "no NTLM answer as the Windows user to a proxy a WPAD answer chose"
        );
        assert!(!format!("{responder:?}").contains("Secr3t"));
    }
}
