//! The sign-in preflight: before a browser opens, the authorize endpoint is asked (no user, no
//! redirect followed) whether the app connection has Brickdesk's redirect URL registered.
//!
//! Real workspaces refuse an unregistered redirect before any login page, with HTTP 400 JSON
//! `{"error":"invalid_request","error_description":"redirect_uri '…' not registered for OAuth
//! application '…'"}` (databricks/dbt-databricks#582; matching is exact, port included,
//! databricks/cli#3416). Anything else that is not an error (a redirect to the login page, a
//! sign-in page) means the redirect passed that check. An answer that is neither (no
//! connection, a 5xx, an unknown error) is inconclusive and changes nothing: sign-in goes on
//! as without a preflight.
//!
//! The probe carries a fresh PKCE challenge whose verifier is thrown away, so even a server
//! that answered with a code at once would have issued nothing usable; the code is never read.

use super::discovery::Endpoints;
use crate::profiles::{AuthKind, DEEP_LINK_REDIRECT, DEFAULT_LOOPBACK_PORT, Profile, RedirectMode};
use serde::Serialize;

/// What the authorize endpoint said about one redirect URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// It passed the endpoint's redirect check.
    Registered,
    /// The endpoint said it is not registered for the client.
    NotRegistered,
    /// The client itself is unknown to the workspace.
    UnknownClient,
    /// Registered, but the scopes asked for are not allowed (the plain-words message).
    ScopesRefused(String),
    /// No telling (network, server error, an answer of another shape).
    Inconclusive,
}

/// What the user is told before a browser opens, when the preflight found a problem.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct RedirectAdvice {
    /// One or two sentences: what is wrong and what to do.
    pub message: String,
    /// The redirect that is registered, to sign in through instead (one click).
    pub offer: Option<RedirectMode>,
}

/// The redirect URL of `mode` for an app connection.
fn uri_of(mode: RedirectMode) -> String {
    match mode {
        RedirectMode::DeepLink => DEEP_LINK_REDIRECT.into(),
        RedirectMode::Loopback { port } => format!("http://127.0.0.1:{port}/oauth/callback"),
    }
}

/// A sign-in address in words a user can match with what IT registered.
fn describe(uri: &str) -> String {
    if uri.starts_with("http://") {
        format!("the local address {uri}")
    } else {
        format!("the Brickdesk link {uri}")
    }
}

/// Asks `endpoints`' authorize endpoint about `redirect_uri`.
pub async fn probe(
    http: &reqwest::Client,
    endpoints: &Endpoints,
    client_id: &str,
    redirect_uri: &str,
    scopes: &str,
) -> Verdict {
    let (challenge, _discarded) = oauth2::PkceCodeChallenge::new_random_sha256();
    let mut url = endpoints.authorization.clone();
    url.query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", client_id)
        .append_pair("redirect_uri", redirect_uri)
        .append_pair("scope", scopes)
        .append_pair("state", &super::login::new_state())
        .append_pair("code_challenge", challenge.as_str())
        .append_pair("code_challenge_method", "S256");
    let Ok(response) = http.get(url).send().await else {
        return Verdict::Inconclusive;
    };
    let status = response.status();
    if status.is_redirection() {
        let location = response
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        return redirected(client_id, redirect_uri, location);
    }
    if status.is_success() {
        // A sign-in page: the request passed the client and redirect checks.
        return Verdict::Registered;
    }
    if !status.is_client_error() {
        return Verdict::Inconclusive;
    }
    let body = crate::http_body::read_prefix(response, crate::http_body::SIGN_IN).await;
    let body = String::from_utf8_lossy(&body);
    refused(&body)
}

/// A redirect: to the client's redirect URL (with an error, or a code that is never read) or
/// to a login page. Either way the redirect URL was accepted.
fn redirected(client_id: &str, redirect_uri: &str, location: &str) -> Verdict {
    let Some(query) = location
        .strip_prefix(redirect_uri)
        .and_then(|rest| rest.strip_prefix('?'))
    else {
        return Verdict::Registered;
    };
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    let get = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    match get("error") {
        Some(error) => {
            match super::oauth::scopes_not_allowed(client_id, error, get("error_description")) {
                Some(message) => Verdict::ScopesRefused(message),
                None => Verdict::Registered,
            }
        }
        None => Verdict::Registered,
    }
}

/// A 4xx before any redirect: the redirect (or the client) was refused, or something else.
fn refused(body: &str) -> Verdict {
    let description = serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v["error_description"].as_str().map(str::to_lowercase))
        .unwrap_or_else(|| body.to_lowercase());
    if description.contains("redirect_uri") && description.contains("not registered") {
        Verdict::NotRegistered
    } else if description.contains("not available") && description.contains("client") {
        Verdict::UnknownClient
    } else {
        Verdict::Inconclusive
    }
}

/// The loopback redirect a profile would use: its own port, or Brickdesk's default.
fn loopback_of(profile: &Profile) -> RedirectMode {
    match profile.redirect {
        RedirectMode::Loopback { port } => RedirectMode::Loopback { port },
        RedirectMode::DeepLink => RedirectMode::Loopback {
            port: DEFAULT_LOOPBACK_PORT,
        },
    }
}

/// Checks the profile's redirect and, when it is not registered, the other one; `None` when
/// signing in can go ahead (registered, or no telling).
pub async fn check(
    http: &reqwest::Client,
    endpoints: &Endpoints,
    profile: &Profile,
) -> Option<RedirectAdvice> {
    let client_id = profile.client_id()?;
    let redirect_uri = profile.redirect_uri();
    let verdict = probe(http, endpoints, client_id, &redirect_uri, &profile.scopes).await;
    let other = match (&profile.auth, profile.redirect) {
        (AuthKind::AppConnection { .. }, RedirectMode::DeepLink) => Some(loopback_of(profile)),
        (AuthKind::AppConnection { .. }, RedirectMode::Loopback { .. }) => {
            Some(RedirectMode::DeepLink)
        }
        _ => None,
    };
    let ask_it = |registered: &[String]| {
        format!(
            "Ask your Databricks admin to add {} to the redirect URLs of the app connection \
             \u{201c}{client_id}\u{201d} (in the account console, App connections).",
            registered
                .iter()
                .map(|u| format!("\u{201c}{u}\u{201d}"))
                .collect::<Vec<_>>()
                .join(" or ")
        )
    };
    match verdict {
        Verdict::Registered | Verdict::Inconclusive => None,
        Verdict::ScopesRefused(message) => Some(RedirectAdvice {
            message,
            offer: None,
        }),
        Verdict::UnknownClient => Some(RedirectAdvice {
            message: format!(
                "{} does not know the app connection \u{201c}{client_id}\u{201d}. Check the \
                 client id in the workspace settings, or ask your Databricks admin whether the \
                 app connection exists for this workspace.",
                profile.host
            ),
            offer: None,
        }),
        Verdict::NotRegistered => {
            let Some(other) = other else {
                return Some(RedirectAdvice {
                    message: format!(
                        "The app connection \u{201c}{client_id}\u{201d} does not accept \
                         Brickdesk's sign-in address {redirect_uri}. {}",
                        ask_it(std::slice::from_ref(&redirect_uri))
                    ),
                    offer: None,
                });
            };
            let other_uri = uri_of(other);
            match probe(http, endpoints, client_id, &other_uri, &profile.scopes).await {
                Verdict::Registered => Some(RedirectAdvice {
                    message: format!(
                        "Your organisation's sign-in settings for Brickdesk (the app connection \
                         \u{201c}{client_id}\u{201d}) do not accept {}, but they accept {}. Sign \
                         in through that address instead?",
                        describe(&redirect_uri),
                        describe(&other_uri)
                    ),
                    offer: Some(other),
                }),
                Verdict::ScopesRefused(message) => Some(RedirectAdvice {
                    message,
                    offer: None,
                }),
                _ => Some(RedirectAdvice {
                    message: format!(
                        "The app connection \u{201c}{client_id}\u{201d} accepts neither of \
                         Brickdesk's sign-in addresses. {}",
                        ask_it(&[uri_of(RedirectMode::DeepLink), uri_of(loopback_of(profile))])
                    ),
                    offer: None,
                }),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_real_refusal_shapes_are_recognised() {
        assert_eq!(
            refused(
                r#"{"error_description":"redirect_uri 'http://localhost:8020' not registered for OAuth application 'dbt-databricks'","error":"invalid_request"}"#
            ),
            Verdict::NotRegistered
        );
        assert_eq!(
            refused(
                r#"{"error_description":"OAuth application with client_id: 'xxx123' not available in Databricks account 'abc456'.","error":"invalid_request"}"#
            ),
            Verdict::UnknownClient
        );
        assert_eq!(refused("<html>Bad request</html>"), Verdict::Inconclusive);
    }

    #[test]
    fn redirects_back_and_to_a_login_page_pass_the_redirect_check() {
        let uri = "http://127.0.0.1:8765/oauth/callback";
        assert_eq!(
            redirected("c", uri, "https://login.example/login.html?next=x"),
            Verdict::Registered
        );
        assert_eq!(
            redirected("c", uri, &format!("{uri}?code=abc&state=s")),
            Verdict::Registered
        );
        assert!(matches!(
            redirected(
                "brickdesk-sql",
                uri,
                &format!(
                    "{uri}?error=access_denied&error_description=Scopes+%27all-apis%27+are+not+assigned+to+the+client+brickdesk-sql.&state=s"
                )
            ),
            Verdict::ScopesRefused(m) if m.contains("all-apis")
        ));
    }
}
