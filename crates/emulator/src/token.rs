//! `/oidc/v1/token` (and its account-level twin): the three grants.
//!
//! `authorization_code` (single-use codes, exact redirect URI, PKCE S256 verification),
//! `refresh_token` (with optional single-use rotation) and `client_credentials` for service
//! principals. Client secrets are accepted by HTTP Basic or in the form; errors use the
//! RFC 6749 shape.

use crate::errors::{OAuthError, no_store};
use crate::faults::{Fault, RefreshError};
use crate::server::Shared;
use crate::store::{RefreshGrant, Refusal, Subject, s256};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Uri, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use std::time::{Duration, SystemTime};

/// `POST /oidc/v1/token`
pub async fn token(
    State(shared): State<Shared>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    handle_token(&shared, uri.path(), &headers, &body)
}

/// `POST /oidc/accounts/{account_id}/v1/token`
pub async fn account_token(
    State(shared): State<Shared>,
    Path(account_id): Path<String>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if account_id != shared.config.account_id {
        return OAuthError::new("invalid_request", "Unknown account.").into_response();
    }
    handle_token(&shared, uri.path(), &headers, &body)
}

struct Form(Vec<(String, String)>);

impl Form {
    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

fn handle_token(shared: &Shared, path: &str, headers: &HeaderMap, body: &[u8]) -> Response {
    let is_form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return OAuthError::new(
            "invalid_request",
            "The token request must be application/x-www-form-urlencoded.",
        )
        .into_response();
    }
    let Ok(pairs) = serde_urlencoded::from_bytes::<Vec<(String, String)>>(body) else {
        return OAuthError::new("invalid_request", "The token request body is malformed.")
            .into_response();
    };
    for (i, (name, _)) in pairs.iter().enumerate() {
        if pairs[..i].iter().any(|(earlier, _)| earlier == name) {
            return OAuthError::new("invalid_request", format!("Parameter {name} is repeated."))
                .into_response();
        }
    }
    let form = Form(pairs);
    let credentials = match client_credentials(headers, &form) {
        Ok(credentials) => credentials,
        Err(error) => return error.into_response(),
    };
    let result = match form.get("grant_type") {
        Some("authorization_code") => authorization_code_grant(shared, &form, &credentials),
        Some("refresh_token") => refresh_token_grant(shared, path, &form, &credentials),
        Some("client_credentials") => client_credentials_grant(shared, &form, &credentials),
        Some(other) => Err(OAuthError::new(
            "unsupported_grant_type",
            format!("Grant type {other} is not supported."),
        )),
        None => Err(OAuthError::new(
            "invalid_request",
            "grant_type is required.",
        )),
    };
    result.unwrap_or_else(IntoResponse::into_response)
}

/// The client id and secret, from HTTP Basic (`client_secret_basic`) or the form
/// (`client_secret_post`, or a public client's bare `client_id`).
struct ClientCredentials {
    client_id: String,
    secret: Option<String>,
}

fn client_credentials(headers: &HeaderMap, form: &Form) -> Result<ClientCredentials, OAuthError> {
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "));
    if let Some(encoded) = basic {
        use base64::Engine;
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(encoded.trim())
            .ok()
            .and_then(|bytes| String::from_utf8(bytes).ok());
        let Some((id, secret)) = decoded.as_deref().and_then(|text| text.split_once(':')) else {
            return Err(OAuthError::new(
                "invalid_client",
                "Malformed HTTP Basic client credentials.",
            ));
        };
        if form.get("client_secret").is_some() {
            return Err(OAuthError::new(
                "invalid_request",
                "Use one client authentication method, not two.",
            ));
        }
        let decode = |s: &str| {
            url::form_urlencoded::parse(format!("x={s}").as_bytes())
                .next()
                .map(|(_, v)| v.into_owned())
        };
        return Ok(ClientCredentials {
            client_id: decode(id).unwrap_or_default(),
            secret: decode(secret),
        });
    }
    match form.get("client_id") {
        Some(id) => Ok(ClientCredentials {
            client_id: id.to_owned(),
            secret: form.get("client_secret").map(str::to_owned),
        }),
        None => Err(OAuthError::new("invalid_request", "client_id is required.")),
    }
}

/// Checks a registered app connection's credentials.
fn authenticate_client<'a>(
    shared: &'a Shared,
    credentials: &ClientCredentials,
) -> Result<&'a crate::config::OAuthClient, OAuthError> {
    let Some(client) = shared.config.client(&credentials.client_id) else {
        return Err(OAuthError::new("invalid_client", "Unknown client."));
    };
    match (&client.secret, &credentials.secret) {
        (Some(expected), Some(given)) if expected == given => Ok(client),
        (Some(_), _) => Err(OAuthError::new(
            "invalid_client",
            "Client authentication failed.",
        )),
        (None, _) => Ok(client),
    }
}

fn authorization_code_grant(
    shared: &Shared,
    form: &Form,
    credentials: &ClientCredentials,
) -> Result<Response, OAuthError> {
    let client = authenticate_client(shared, credentials)?;
    let (Some(code), Some(redirect_uri), Some(verifier)) = (
        form.get("code"),
        form.get("redirect_uri"),
        form.get("code_verifier"),
    ) else {
        return Err(OAuthError::new(
            "invalid_request",
            "code, redirect_uri and code_verifier are required.",
        ));
    };
    let grant = shared
        .store
        .take_code(code)
        .map_err(|refusal| match refusal {
            Refusal::Unknown => OAuthError::new(
                "invalid_grant",
                "Authorization code is invalid or was already used.",
            ),
            Refusal::Expired => OAuthError::new("invalid_grant", "Authorization code has expired."),
        })?;
    if grant.client_id != client.client_id {
        return Err(OAuthError::new(
            "invalid_grant",
            "Authorization code was issued to another client.",
        ));
    }
    if grant.redirect_uri != redirect_uri {
        return Err(OAuthError::new(
            "invalid_grant",
            "redirect_uri does not match the authorization request.",
        ));
    }
    let verifier_ok = (43..=128).contains(&verifier.len())
        && verifier
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '~'));
    if !verifier_ok || s256(verifier) != grant.code_challenge {
        return Err(OAuthError::new(
            "invalid_grant",
            "PKCE verification failed.",
        ));
    }
    Ok(token_response(
        shared,
        &client.client_id,
        grant.subject,
        &grant.scope,
        None,
    ))
}

fn refresh_token_grant(
    shared: &Shared,
    path: &str,
    form: &Form,
    credentials: &ClientCredentials,
) -> Result<Response, OAuthError> {
    let client = authenticate_client(shared, credentials)?;
    let Some(refresh_token) = form.get("refresh_token") else {
        return Err(OAuthError::new(
            "invalid_request",
            "refresh_token is required.",
        ));
    };
    let invalid = |_| dead_refresh_token(RefreshError::InvalidRequest, None);
    let grant = shared
        .store
        .refresh(refresh_token, false)
        .map_err(invalid)?;
    if grant.client_id != client.client_id {
        return Err(OAuthError::new(
            "invalid_grant",
            "Refresh token was issued to another client.",
        ));
    }
    // An injected revocation (as when an admin revokes the app's tokens) spends the token.
    if let Some(Fault::RevokedRefreshToken { error, status }) =
        shared.faults.take("POST", path, |f| {
            matches!(f, Fault::RevokedRefreshToken { .. })
        })
    {
        let _ = shared.store.refresh(refresh_token, true);
        return Err(dead_refresh_token(
            error.unwrap_or(RefreshError::InvalidRequest),
            status,
        ));
    }
    let reused = if client.single_use_refresh_tokens {
        shared.store.refresh(refresh_token, true).map_err(invalid)?;
        None
    } else {
        Some(refresh_token.to_owned())
    };
    Ok(token_response(
        shared,
        &client.client_id,
        grant.subject,
        &grant.scope,
        reused,
    ))
}

/// How a workspace refuses a refresh token that no longer works (expired, revoked or spent):
/// HTTP 400 `{"error":"invalid_request","error_description":"Refresh token is invalid"}`, the
/// body quoted from a real workspace in databricks/cli#1434 (and #667, #709).
fn dead_refresh_token(error: RefreshError, status: Option<u16>) -> OAuthError {
    let refusal = OAuthError::new(error.code(), "Refresh token is invalid");
    match status.and_then(|s| axum::http::StatusCode::from_u16(s).ok()) {
        Some(status) => refusal.with_status(status),
        None => refusal,
    }
}

fn client_credentials_grant(
    shared: &Shared,
    form: &Form,
    credentials: &ClientCredentials,
) -> Result<Response, OAuthError> {
    let Some(principal) = shared.config.service_principal(&credentials.client_id) else {
        return Err(OAuthError::new(
            "invalid_client",
            "Unknown service principal.",
        ));
    };
    if credentials.secret.as_deref() != Some(principal.secret.as_str()) {
        return Err(OAuthError::new(
            "invalid_client",
            "Client authentication failed.",
        ));
    }
    let scope = form.get("scope").unwrap_or("all-apis");
    // A scoped secret refuses what it does not cover (databricks/databricks-sql-go#476).
    let unassigned = crate::config::unassigned_scopes(scope, &principal.scopes);
    if !unassigned.is_empty() {
        return Err(OAuthError::new(
            "access_denied",
            format!(
                "Scopes '{}' are not assigned to the client {}.",
                unassigned.join(" "),
                principal.client_id
            ),
        ));
    }
    let ttl = Duration::from_secs(shared.config.tokens.access_token_secs);
    let subject = Subject::ServicePrincipal(principal.client_id.clone());
    let access_token = shared
        .store
        .issue_access(subject, scope, ttl, &shared.base_url);
    let mut response = crate::errors::json_ok(json!({
        "access_token": access_token, "token_type": "Bearer", "expires_in": ttl.as_secs(), "scope": scope,
    }));
    no_store(&mut response);
    Ok(response)
}

/// Issues an access token, and a refresh token when `offline_access` was granted: the one
/// passed in (no rotation) or a new one.
fn token_response(
    shared: &Shared,
    client_id: &str,
    subject: Subject,
    scope: &str,
    reuse_refresh: Option<String>,
) -> Response {
    let policy = &shared.config.tokens;
    let ttl = Duration::from_secs(policy.access_token_secs);
    let access_token = shared
        .store
        .issue_access(subject.clone(), scope, ttl, &shared.base_url);
    let mut body = json!({ "access_token": access_token, "token_type": "Bearer", "expires_in": ttl.as_secs(), "scope": scope });
    if scope.split_whitespace().any(|s| s == "offline_access") {
        let refresh_token = reuse_refresh.unwrap_or_else(|| {
            shared.store.issue_refresh(RefreshGrant {
                client_id: client_id.to_owned(),
                subject,
                scope: scope.to_owned(),
                expires_at: SystemTime::now() + Duration::from_secs(policy.refresh_token_secs),
            })
        });
        body["refresh_token"] = json!(refresh_token);
    }
    let mut response = crate::errors::json_ok(body);
    no_store(&mut response);
    response
}
