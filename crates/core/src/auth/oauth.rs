//! Token-endpoint requests through the `oauth2` crate, sent with Brickdesk's own HTTP client
//! (so the OS certificate store, the proxy settings and the TLS rules apply): the
//! authorization-code exchange with PKCE, refresh, and client credentials (M2M).

use super::discovery::Endpoints;
use crate::net::transport_error;
use crate::{ErrorCode, ErrorInfo, Sensitive};
use oauth2::basic::{BasicClient, BasicErrorResponseType};
use oauth2::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, PkceCodeChallenge, PkceCodeVerifier,
    RedirectUrl, RefreshToken, RequestTokenError, Scope, TokenResponse,
};
use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, SystemTime};

/// Tokens from the token endpoint. Only the refresh token is ever persisted (in the vault).
#[derive(Debug)]
pub struct TokenSet {
    pub access: Sensitive<String>,
    pub refresh: Option<Sensitive<String>>,
    pub expires_at: SystemTime,
}

/// Who is asking the token endpoint.
#[derive(Debug, Clone)]
pub struct OAuthClient {
    pub http: reqwest::Client,
    pub endpoints: Endpoints,
    pub client_id: String,
    pub secret: Option<Sensitive<String>>,
    /// The workspace, for messages.
    pub host_name: String,
}

/// Why a token request got no usable HTTP response.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    #[error("{0}")]
    Transport(#[source] reqwest::Error),
    #[error("the response could not be read")]
    Malformed,
}

async fn send(
    http: &reqwest::Client,
    request: oauth2::HttpRequest,
) -> Result<oauth2::HttpResponse, SendError> {
    let request = reqwest::Request::try_from(request).map_err(SendError::Transport)?;
    let response = http.execute(request).await.map_err(SendError::Transport)?;
    let mut builder = http::Response::builder().status(response.status());
    for (name, value) in response.headers() {
        builder = builder.header(name, value);
    }
    let body = crate::http_body::read(response, crate::http_body::SIGN_IN)
        .await
        .map_err(|e| match e {
            crate::http_body::BodyError::Transport(e) => SendError::Transport(e),
            crate::http_body::BodyError::TooLarge { .. } => SendError::Malformed,
        })?;
    builder
        .body(body.to_vec())
        .map_err(|_| SendError::Malformed)
}

/// Our client as the `oauth2` crate's HTTP client. A named type with a boxed `Send` future
/// (rather than a closure) keeps sign-in futures `Send`, so they can run on spawned tasks.
struct Http<'a>(&'a reqwest::Client);

impl<'c> oauth2::AsyncHttpClient<'c> for Http<'_> {
    type Error = SendError;
    type Future =
        Pin<Box<dyn Future<Output = Result<oauth2::HttpResponse, SendError>> + Send + 'c>>;

    fn call(&'c self, request: oauth2::HttpRequest) -> Self::Future {
        Box::pin(send(self.0, request))
    }
}

type ErrorResponse = oauth2::StandardErrorResponse<BasicErrorResponseType>;
type TokenError = RequestTokenError<SendError, ErrorResponse>;

/// The description real workspaces give a refresh token that no longer works (expired,
/// revoked, or spent by rotation), whatever `error` code comes with it: `invalid_request` in
/// databricks/cli#1434 and #667, `invalid_grant` in databricks/cli#6224. The Go SDK decides on
/// this description alone (`credentials/u2m/persistent_auth.go`).
const DEAD_REFRESH_TOKEN: &str = "refresh token is invalid";

/// A refusal because the app connection (or a scoped secret) does not allow the scopes asked
/// for, in plain words; `None` for other refusals. Real workspaces say
/// `access_denied` "Scopes 'all-apis' are not assigned to the client …"
/// (databricks/databricks-sql-go#476); RFC 6749 names it `invalid_scope`.
pub fn scopes_not_allowed(
    client_id: &str,
    error: &str,
    description: Option<&str>,
) -> Option<String> {
    let description = description.unwrap_or_default();
    let lower = description.to_lowercase();
    if error != "invalid_scope" && !(lower.contains("scope") && lower.contains("not assigned")) {
        return None;
    }
    let named = description
        .split_once('\'')
        .and_then(|(_, rest)| rest.split_once('\''))
        .map(|(scopes, _)| scopes.to_owned())
        .filter(|s| !s.is_empty());
    let asked = named
        .as_ref()
        .map(|s| format!(" (\u{201c}{s}\u{201d})"))
        .unwrap_or_default();
    let refused = |scope: &str| {
        named
            .as_deref()
            .is_some_and(|n| n.split([',', ' ']).any(|s| s.trim() == scope))
    };
    // Advice on the scope the refusal names: `offline_access` is assigned per app connection
    // too (databricks-sdk-py `CustomAppIntegrationAPI.create` takes it in `scopes`), and
    // "SQL only" would not bring it back.
    let advice = if refused("offline_access") && !refused("all-apis") {
        "Ask your Databricks admin to add \u{201c}offline_access\u{201d} to the app \
         connection: without it Brickdesk cannot stay signed in."
            .to_owned()
    } else if named.is_none() || refused("all-apis") || refused("genie") {
        "In Workspace settings, choose \u{201c}SQL only\u{201d} if it is meant for SQL (Genie \
         then stays off), or ask your Databricks admin to add \u{201c}all-apis\u{201d} to the \
         app connection."
            .to_owned()
    } else {
        format!(
            "Ask your Databricks admin to add {} to the app connection.",
            asked
                .trim_start()
                .trim_start_matches('(')
                .trim_end_matches(')')
        )
    };
    Some(format!(
        "The app connection \u{201c}{client_id}\u{201d} does not allow the access Brickdesk asked \
         for{asked}. {advice}"
    ))
}

/// The grant is gone for good: only a new sign-in helps.
fn is_dead_grant(response: &ErrorResponse) -> bool {
    *response.error() == BasicErrorResponseType::InvalidGrant
        || response
            .error_description()
            .is_some_and(|d| d.to_lowercase().contains(DEAD_REFRESH_TOKEN))
}

impl OAuthClient {
    fn map_error(&self, error: TokenError) -> ErrorInfo {
        let host = &self.host_name;
        match error {
            RequestTokenError::ServerResponse(response) if is_dead_grant(&response) => {
                ErrorInfo::new(
                    ErrorCode::NotSignedIn,
                    format!("Your sign-in to {host} has expired or was revoked. Sign in again."),
                )
            }
            RequestTokenError::ServerResponse(response)
                if scopes_not_allowed(
                    &self.client_id,
                    response.error().as_ref(),
                    response.error_description().map(String::as_str),
                )
                .is_some() =>
            {
                ErrorInfo::new(
                    ErrorCode::PermissionDenied,
                    scopes_not_allowed(
                        &self.client_id,
                        response.error().as_ref(),
                        response.error_description().map(String::as_str),
                    )
                    .unwrap_or_default(),
                )
            }
            RequestTokenError::ServerResponse(response) => match response.error() {
                BasicErrorResponseType::InvalidClient
                | BasicErrorResponseType::UnauthorizedClient => ErrorInfo::new(
                    ErrorCode::Config,
                    format!(
                        "{host} did not accept the OAuth client \u{201c}{}\u{201d}. Check the client \
                         id and secret of this workspace, or ask your Databricks admin whether the \
                         app connection still exists.",
                        self.client_id
                    ),
                ),
                other => ErrorInfo::new(
                    ErrorCode::Server,
                    format!(
                        "{host} refused the sign-in ({}{}).",
                        other.as_ref(),
                        response
                            .error_description()
                            .map(|d| format!(": {}", crate::http_body::cut(d)))
                            .unwrap_or_default()
                    ),
                ),
            },
            RequestTokenError::Request(SendError::Transport(error)) => {
                transport_error(&error, host)
            }
            RequestTokenError::Request(SendError::Malformed)
            | RequestTokenError::Parse(..)
            | RequestTokenError::Other(_) => ErrorInfo::new(
                ErrorCode::Server,
                format!("{host} answered the sign-in with something Brickdesk cannot read."),
            ),
        }
    }

    fn tokens(response: &oauth2::basic::BasicTokenResponse) -> TokenSet {
        // Databricks always sends expires_in; without it, assume the usual hour.
        let lifetime = response.expires_in().unwrap_or(Duration::from_secs(3600));
        TokenSet {
            access: Sensitive::new(response.access_token().secret().clone()),
            refresh: response
                .refresh_token()
                .map(|r| Sensitive::new(r.secret().clone())),
            expires_at: SystemTime::now() + lifetime,
        }
    }

    /// The browser URL that starts a U2M sign-in, with PKCE S256 and `state`; also returns the
    /// PKCE verifier to keep until the callback.
    pub fn authorize_url(
        &self,
        redirect_uri: &str,
        scopes: &str,
        state: &str,
    ) -> Result<(url::Url, Sensitive<String>), ErrorInfo> {
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let redirect = RedirectUrl::new(redirect_uri.to_owned()).map_err(|_| {
            ErrorInfo::new(
                ErrorCode::InvalidInput,
                "The redirect URL of this workspace is not valid.",
            )
        })?;
        let client = BasicClient::new(ClientId::new(self.client_id.clone()))
            .set_auth_uri(oauth2::AuthUrl::from_url(
                self.endpoints.authorization.clone(),
            ))
            .set_redirect_uri(redirect);
        let state = state.to_owned();
        let (url, _) = client
            .authorize_url(|| CsrfToken::new(state))
            .add_scopes(scopes.split_whitespace().map(|s| Scope::new(s.to_owned())))
            .set_pkce_challenge(challenge)
            .url();
        Ok((url, Sensitive::new(verifier.secret().clone())))
    }

    fn client(
        &self,
    ) -> BasicClient<
        oauth2::EndpointNotSet,
        oauth2::EndpointNotSet,
        oauth2::EndpointNotSet,
        oauth2::EndpointNotSet,
        oauth2::EndpointSet,
    > {
        let mut client = BasicClient::new(ClientId::new(self.client_id.clone()))
            .set_token_uri(oauth2::TokenUrl::from_url(self.endpoints.token.clone()));
        if let Some(secret) = &self.secret {
            client = client.set_client_secret(ClientSecret::new(secret.expose().clone()));
        }
        client
    }

    /// Exchanges an authorization code (with its PKCE verifier) for tokens.
    pub async fn exchange_code(
        &self,
        code: &Sensitive<String>,
        verifier: &Sensitive<String>,
        redirect_uri: &str,
    ) -> Result<TokenSet, ErrorInfo> {
        let redirect = RedirectUrl::new(redirect_uri.to_owned()).map_err(|_| {
            ErrorInfo::new(
                ErrorCode::InvalidInput,
                "The redirect URL of this workspace is not valid.",
            )
        })?;
        let http = Http(&self.http);
        let response = self
            .client()
            .set_redirect_uri(redirect)
            .exchange_code(AuthorizationCode::new(code.expose().clone()))
            .set_pkce_verifier(PkceCodeVerifier::new(verifier.expose().clone()))
            .request_async(&http)
            .await
            .map_err(|e| self.map_error(e))?;
        Ok(Self::tokens(&response))
    }

    /// Uses a refresh token; the response may rotate it.
    pub async fn refresh(&self, refresh: &Sensitive<String>) -> Result<TokenSet, ErrorInfo> {
        let http = Http(&self.http);
        let token = RefreshToken::new(refresh.expose().clone());
        let response = self
            .client()
            .exchange_refresh_token(&token)
            .request_async(&http)
            .await
            .map_err(|e| self.map_error(e))?;
        Ok(Self::tokens(&response))
    }

    /// The client-credentials grant for a service principal.
    pub async fn client_credentials(&self, scopes: &str) -> Result<TokenSet, ErrorInfo> {
        let http = Http(&self.http);
        let response = self
            .client()
            .exchange_client_credentials()
            .add_scopes(scopes.split_whitespace().map(|s| Scope::new(s.to_owned())))
            .request_async(&http)
            .await
            .map_err(|e| self.map_error(e))?;
        Ok(Self::tokens(&response))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scope_refusal_says_what_to_change() {
        let message = scopes_not_allowed(
            "brickdesk-sql",
            "access_denied",
            Some("Scopes 'all-apis' are not assigned to the client brickdesk-sql."),
        )
        .expect("a scope refusal");
        assert!(message.contains("\u{201c}all-apis\u{201d}"), "{message}");
        assert!(message.contains("SQL only"), "{message}");
        assert!(scopes_not_allowed("c", "invalid_scope", None).is_some());
        let offline = scopes_not_allowed(
            "brickdesk",
            "access_denied",
            Some("Scopes 'offline_access' are not assigned to the client brickdesk."),
        )
        .expect("a scope refusal");
        assert!(
            offline.contains("add \u{201c}offline_access\u{201d}") && !offline.contains("SQL only"),
            "{offline}"
        );
        let sql = scopes_not_allowed(
            "bi",
            "access_denied",
            Some("Scopes 'sql' are not assigned to the client bi."),
        )
        .expect("a scope refusal");
        assert!(sql.contains("add \u{201c}sql\u{201d}"), "{sql}");
        assert!(scopes_not_allowed("c", "access_denied", Some("The user declined.")).is_none());
    }
}
