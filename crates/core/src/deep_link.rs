//! Validation of URLs that reach Brickdesk through the OS deep-link handler.
//!
//! Any local program can start Brickdesk with any URL, so every incoming URL is untrusted. This
//! module is the single gate: it accepts only the private-use scheme `dev.brickdesk.app` in its
//! RFC 8252 §7.1 form (`dev.brickdesk.app:/path`, no authority), only allow-listed paths, no
//! fragment, and at most [`MAX_URL_BYTES`]. The result is a typed [`DeepLink`]; a rejection is a
//! [`Rejection`] whose text never repeats the URL (it may carry an authorization code).
//!
//! Whether an OAuth callback belongs to a sign-in in progress (its `state`) is decided by the
//! sign-in flow, not here.

use crate::Sensitive;
use serde::{Deserialize, Serialize};
use std::fmt;
use url::Url;

/// Our private-use URI scheme: the reversed domain name of the app identifier.
pub const SCHEME: &str = "dev.brickdesk.app";
/// Where the identity provider sends the browser after sign-in.
pub const OAUTH_CALLBACK_URL: &str = "dev.brickdesk.app:/oauth/callback";
/// Longest URL we look at. A real callback is a few hundred bytes.
pub const MAX_URL_BYTES: usize = 4096;
const MAX_STATE_CHARS: usize = 512;
const MAX_CODE_CHARS: usize = 2048;
const MAX_ERROR_TEXT_CHARS: usize = 1024;

/// A validated deep link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeepLink {
    /// `dev.brickdesk.app:/oauth/callback?…`: the browser returning from sign-in.
    OAuthCallback(OAuthCallback),
    /// `dev.brickdesk.app:/open[?workspace=<id>]`: bring Brickdesk to the front.
    Open { workspace: Option<String> },
}

/// The parameters of an OAuth redirect (RFC 6749 §4.1.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthCallback {
    pub state: String,
    pub outcome: CallbackOutcome,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallbackOutcome {
    /// The authorization code; secret until exchanged.
    Code(Sensitive<String>),
    /// The provider refused: `error` and the optional `error_description`.
    Denied {
        error: String,
        description: Option<String>,
    },
}

/// Why a URL was refused. Serialised as a snake_case code for logs and the UI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum Rejection {
    TooLong,
    NotAUrl,
    WrongScheme,
    HasAuthority,
    HasFragment,
    UnknownPath,
    MissingState,
    MissingCode,
    DuplicateParameter,
    InvalidParameter,
    /// A well-formed sign-in response that no sign-in in progress is waiting for: stale,
    /// or started by someone else.
    UnknownState,
    /// A sign-in response that was already used.
    ReplayedState,
    /// A sign-in response that came after the sign-in timed out.
    ExpiredState,
}

impl Rejection {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::TooLong => "too_long",
            Self::NotAUrl => "not_a_url",
            Self::WrongScheme => "wrong_scheme",
            Self::HasAuthority => "has_authority",
            Self::HasFragment => "has_fragment",
            Self::UnknownPath => "unknown_path",
            Self::MissingState => "missing_state",
            Self::MissingCode => "missing_code",
            Self::DuplicateParameter => "duplicate_parameter",
            Self::InvalidParameter => "invalid_parameter",
            Self::UnknownState => "unknown_state",
            Self::ReplayedState => "replayed_state",
            Self::ExpiredState => "expired_state",
        }
    }
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::TooLong => "the link is too long",
            Self::NotAUrl => "the link is not a valid URL",
            Self::WrongScheme => "the link is not a Brickdesk link",
            Self::HasAuthority => {
                "the link names a host, user or port, which Brickdesk links never do"
            }
            Self::HasFragment => "the link has a #fragment, which Brickdesk links never do",
            Self::UnknownPath => "Brickdesk does not know this link's path",
            Self::MissingState => "the sign-in response has no state",
            Self::MissingCode => "the sign-in response has neither a code nor an error",
            Self::DuplicateParameter => "the link repeats a parameter",
            Self::InvalidParameter => "a parameter of the link is malformed",
            Self::UnknownState => "no sign-in in progress is waiting for this response",
            Self::ReplayedState => "this sign-in response was already used",
            Self::ExpiredState => {
                "the sign-in took longer than 5 minutes and was stopped; sign in again"
            }
        })
    }
}

impl std::error::Error for Rejection {}

/// Parses and validates one incoming URL.
pub fn parse(raw: &str) -> Result<DeepLink, Rejection> {
    if raw.len() > MAX_URL_BYTES {
        return Err(Rejection::TooLong);
    }
    let url = Url::parse(raw).map_err(|_| Rejection::NotAUrl)?;
    // `Url` lower-cases the scheme, so `DEV.Brickdesk.App:` is accepted as the OS would.
    if url.scheme() != SCHEME {
        return Err(Rejection::WrongScheme);
    }
    // The §7.1 form has no authority at all: `dev.brickdesk.app:/…`. `dev.brickdesk.app://x/…`
    // would let a crafted link smuggle a host, credentials or a port past a path check.
    if url.has_authority() || url.host().is_some() || url.port().is_some() {
        return Err(Rejection::HasAuthority);
    }
    if url.fragment().is_some() {
        return Err(Rejection::HasFragment);
    }
    let params = Params::from_url(&url)?;
    match url.path() {
        "/oauth/callback" => parse_callback(&params).map(DeepLink::OAuthCallback),
        "/open" => {
            let workspace = params.single("workspace")?;
            if let Some(id) = &workspace {
                let valid = !id.is_empty()
                    && id.len() <= 64
                    && id
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
                if !valid {
                    return Err(Rejection::InvalidParameter);
                }
            }
            Ok(DeepLink::Open { workspace })
        }
        _ => Err(Rejection::UnknownPath),
    }
}

fn parse_callback(params: &Params) -> Result<OAuthCallback, Rejection> {
    let state = params.single("state")?.ok_or(Rejection::MissingState)?;
    if state.is_empty() || state.len() > MAX_STATE_CHARS || !is_url_safe_token(&state) {
        return Err(Rejection::InvalidParameter);
    }
    let code = params.single("code")?;
    let error = params.single("error")?;
    let outcome = match (code, error) {
        (_, Some(error)) => {
            if error.is_empty() || error.len() > 128 || !is_url_safe_token(&error) {
                return Err(Rejection::InvalidParameter);
            }
            let description = params.single("error_description")?.map(|text| {
                text.chars()
                    .filter(|c| !c.is_control())
                    .take(MAX_ERROR_TEXT_CHARS)
                    .collect()
            });
            CallbackOutcome::Denied { error, description }
        }
        (Some(code), None) => {
            if code.is_empty()
                || code.len() > MAX_CODE_CHARS
                || code.chars().any(|c| c.is_control() || c == ' ')
            {
                return Err(Rejection::InvalidParameter);
            }
            CallbackOutcome::Code(Sensitive::new(code))
        }
        (None, None) => return Err(Rejection::MissingCode),
    };
    Ok(OAuthCallback { state, outcome })
}

/// OAuth `state` values and error codes are URL-safe ASCII tokens.
fn is_url_safe_token(value: &str) -> bool {
    value
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '~'))
}

/// Decoded query parameters, refusing repeated names (parameter pollution).
struct Params(Vec<(String, String)>);

impl Params {
    fn from_url(url: &Url) -> Result<Self, Rejection> {
        let pairs: Vec<(String, String)> = url
            .query_pairs()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        for (i, (name, _)) in pairs.iter().enumerate() {
            if pairs[..i].iter().any(|(earlier, _)| earlier == name) {
                return Err(Rejection::DuplicateParameter);
            }
        }
        Ok(Self(pairs))
    }

    fn single(&self, name: &str) -> Result<Option<String>, Rejection> {
        Ok(self
            .0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code_of(link: &DeepLink) -> Option<&str> {
        match link {
            DeepLink::OAuthCallback(OAuthCallback {
                outcome: CallbackOutcome::Code(code),
                ..
            }) => Some(code.expose().as_str()),
            _ => None,
        }
    }

    #[test]
    fn accepts_a_sign_in_callback() {
        let link = parse("dev.brickdesk.app:/oauth/callback?code=abc.DEF-123&state=s_t-a.t~e")
            .expect("valid callback");
        assert_eq!(code_of(&link), Some("abc.DEF-123"));
        let DeepLink::OAuthCallback(callback) = link else {
            panic!("callback")
        };
        assert_eq!(callback.state, "s_t-a.t~e");
    }

    #[test]
    fn accepts_an_error_callback_with_description() {
        let link = parse(
            "dev.brickdesk.app:/oauth/callback?error=access_denied&error_description=User+said+no&state=abc",
        )
        .expect("valid error callback");
        assert_eq!(
            link,
            DeepLink::OAuthCallback(OAuthCallback {
                state: "abc".into(),
                outcome: CallbackOutcome::Denied {
                    error: "access_denied".into(),
                    description: Some("User said no".into())
                },
            })
        );
    }

    #[test]
    fn scheme_is_case_insensitive_and_unknown_parameters_are_ignored() {
        let link = parse("DEV.Brickdesk.APP:/oauth/callback?code=c&state=s&iss=https%3A%2F%2Fx")
            .expect("valid");
        assert_eq!(code_of(&link), Some("c"));
    }

    #[test]
    fn accepts_open_links() {
        assert_eq!(
            parse("dev.brickdesk.app:/open"),
            Ok(DeepLink::Open { workspace: None })
        );
        assert_eq!(
            parse("dev.brickdesk.app:/open?workspace=demo-1"),
            Ok(DeepLink::Open {
                workspace: Some("demo-1".into())
            })
        );
    }

    #[test]
    fn rejects_malformed_and_foreign_links() {
        let long = format!(
            "dev.brickdesk.app:/oauth/callback?state=s&code={}",
            "a".repeat(MAX_URL_BYTES)
        );
        let cases: &[(&str, Rejection)] = &[
            (&long, Rejection::TooLong),
            ("", Rejection::NotAUrl),
            ("not a url", Rejection::NotAUrl),
            (
                "https://evil.example/oauth/callback?code=c&state=s",
                Rejection::WrongScheme,
            ),
            (
                "dev.brickdesk.evil:/oauth/callback?code=c&state=s",
                Rejection::WrongScheme,
            ),
            (
                "brickdesk:/oauth/callback?code=c&state=s",
                Rejection::WrongScheme,
            ),
            (
                "dev.brickdesk.app://evil.example/oauth/callback?code=c&state=s",
                Rejection::HasAuthority,
            ),
            (
                "dev.brickdesk.app://user@/oauth/callback?code=c&state=s",
                Rejection::NotAUrl,
            ),
            (
                "dev.brickdesk.app://user@host/oauth/callback?code=c&state=s",
                Rejection::HasAuthority,
            ),
            (
                "dev.brickdesk.app://:8080/oauth/callback?code=c&state=s",
                Rejection::NotAUrl,
            ),
            (
                "dev.brickdesk.app://h:8080/oauth/callback?code=c&state=s",
                Rejection::HasAuthority,
            ),
            (
                "dev.brickdesk.app:///oauth/callback?code=c&state=s",
                Rejection::HasAuthority,
            ),
            (
                "dev.brickdesk.app:/oauth/callback?code=c&state=s#frag",
                Rejection::HasFragment,
            ),
            (
                "dev.brickdesk.app:/oauth/callback/?code=c&state=s",
                Rejection::UnknownPath,
            ),
            (
                "dev.brickdesk.app:/OAUTH/callback?code=c&state=s",
                Rejection::UnknownPath,
            ),
            (
                "dev.brickdesk.app:/oauth/../oauth/callbacks?code=c&state=s",
                Rejection::UnknownPath,
            ),
            ("dev.brickdesk.app:/settings", Rejection::UnknownPath),
            (
                "dev.brickdesk.app:oauth/callback?code=c&state=s",
                Rejection::UnknownPath,
            ),
            (
                "dev.brickdesk.app:/oauth/callback?code=c",
                Rejection::MissingState,
            ),
            (
                "dev.brickdesk.app:/oauth/callback?state=s",
                Rejection::MissingCode,
            ),
            (
                "dev.brickdesk.app:/oauth/callback?code=c&state=s&state=t",
                Rejection::DuplicateParameter,
            ),
            (
                "dev.brickdesk.app:/oauth/callback?code=c&code=d&state=s",
                Rejection::DuplicateParameter,
            ),
            (
                "dev.brickdesk.app:/oauth/callback?code=c&state=",
                Rejection::InvalidParameter,
            ),
            (
                "dev.brickdesk.app:/oauth/callback?code=c&state=a%20b",
                Rejection::InvalidParameter,
            ),
            (
                "dev.brickdesk.app:/oauth/callback?code=c&state=%3Cscript%3E",
                Rejection::InvalidParameter,
            ),
            (
                "dev.brickdesk.app:/oauth/callback?code=&state=s",
                Rejection::InvalidParameter,
            ),
            (
                "dev.brickdesk.app:/oauth/callback?code=a%0Ab&state=s",
                Rejection::InvalidParameter,
            ),
            (
                "dev.brickdesk.app:/oauth/callback?error=&state=s",
                Rejection::InvalidParameter,
            ),
            (
                "dev.brickdesk.app:/open?workspace=../../etc",
                Rejection::InvalidParameter,
            ),
            (
                "dev.brickdesk.app:/open?workspace=",
                Rejection::InvalidParameter,
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(parse(input).map(|_| ()), Err(*expected), "{input}");
        }
    }

    #[test]
    fn rejection_text_never_contains_the_url() {
        let secret = "SECRETCODE1234";
        let err = parse(&format!("dev.brickdesk.app:/oauth/callback?code={secret}"))
            .expect_err("no state");
        assert!(!err.to_string().contains(secret));
        assert!(!format!("{err:?}").contains(secret));
        let ok = parse(&format!(
            "dev.brickdesk.app:/oauth/callback?code={secret}&state=s"
        ))
        .expect("ok");
        assert!(
            !format!("{ok:?}").contains(secret),
            "Debug must redact the code"
        );
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]

        #[test]
        fn never_panics_on_arbitrary_input(input in ".{0,600}") {
            let _ = parse(&input);
        }

        #[test]
        fn never_panics_on_near_miss_links(path in "[/a-z.%#?&=:@]{0,40}", query in "[a-zA-Z0-9%&=+._~#-]{0,80}") {
            let _ = parse(&format!("dev.brickdesk.app:{path}?{query}"));
        }

        #[test]
        fn accepted_callbacks_round_trip_state(state in "[A-Za-z0-9_~.-]{1,64}", code in "[A-Za-z0-9_.-]{1,200}") {
            let link = parse(&format!("dev.brickdesk.app:/oauth/callback?state={state}&code={code}"));
            let Ok(DeepLink::OAuthCallback(cb)) = link else { return Err(proptest::test_runner::TestCaseError::fail("rejected")) };
            proptest::prop_assert_eq!(cb.state, state);
        }
    }
}
