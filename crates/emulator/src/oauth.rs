//! `/oidc/v1/authorize` and `/oidc/v1/token` (and their account-level twins).
//!
//! Authorization code + PKCE (S256 only), refresh tokens with optional single-use rotation,
//! and client credentials for service principals. Redirect URIs are compared byte for byte;
//! codes are single-use and expire; client secrets are accepted by HTTP Basic or in the form.

use crate::errors::{OAuthError, no_store};
use crate::pages::{error_page, escape, hidden_fields, page};
use crate::server::Shared;
use crate::store::{CodeGrant, RefreshGrant, Refusal, Subject, s256};
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;
use std::time::{Duration, SystemTime};

/// The authorization request, plus the sign-in form's own fields.
#[derive(Debug, Default, Deserialize)]
pub struct AuthorizeParams {
    response_type: Option<String>,
    client_id: Option<String>,
    redirect_uri: Option<String>,
    scope: Option<String>,
    state: Option<String>,
    code_challenge: Option<String>,
    code_challenge_method: Option<String>,
    /// Set by the sign-in page: which user signs in.
    user: Option<String>,
    /// Set by the consent page: `allow` or `deny`.
    decision: Option<String>,
}

/// `GET /oidc/v1/authorize`: validate, then sign in (page or `--auto-approve`).
pub async fn authorize(
    State(shared): State<Shared>,
    Query(params): Query<AuthorizeParams>,
) -> Response {
    handle_authorize(&shared, params)
}

/// `POST /oidc/v1/authorize`: the sign-in and consent forms post back here.
pub async fn authorize_form(State(shared): State<Shared>, body: Bytes) -> Response {
    match serde_urlencoded::from_bytes::<AuthorizeParams>(&body) {
        Ok(params) => handle_authorize(&shared, params),
        Err(_) => error_page(StatusCode::BAD_REQUEST, "The sign-in form was malformed."),
    }
}

/// Account-level variant: `/oidc/accounts/{account_id}/v1/authorize`.
pub async fn account_authorize(
    State(shared): State<Shared>,
    Path(account_id): Path<String>,
    Query(params): Query<AuthorizeParams>,
) -> Response {
    if account_id != shared.config.account_id {
        return error_page(StatusCode::NOT_FOUND, "Unknown account.");
    }
    handle_authorize(&shared, params)
}

fn handle_authorize(shared: &Shared, params: AuthorizeParams) -> Response {
    // Until the client and its redirect URI are known to match, errors are shown here and
    // never redirected: redirecting to an unregistered URI would make this an open redirector.
    let Some(client) = params
        .client_id
        .as_deref()
        .and_then(|id| shared.config.client(id))
    else {
        return error_page(
            StatusCode::BAD_REQUEST,
            "Unknown client_id: this app is not registered with the workspace.",
        );
    };
    let Some(redirect_uri) = params.redirect_uri.clone() else {
        return error_page(StatusCode::BAD_REQUEST, "The request has no redirect_uri.");
    };
    if !client
        .redirect_uris
        .iter()
        .any(|registered| registered == &redirect_uri)
    {
        return error_page(
            StatusCode::BAD_REQUEST,
            &format!(
                "redirect_uri '{redirect_uri}' is not registered for client '{}'.",
                client.client_id
            ),
        );
    }
    let state = params.state.clone();
    let fail = |error: &str, description: &str| {
        redirect_with(
            &redirect_uri,
            &[("error", error), ("error_description", description)],
            state.as_deref(),
        )
    };
    if params.response_type.as_deref() != Some("code") {
        return fail("unsupported_response_type", "response_type must be code");
    }
    let Some(challenge) = params.code_challenge.clone().filter(|c| !c.is_empty()) else {
        return fail("invalid_request", "code_challenge is required (PKCE)");
    };
    if params.code_challenge_method.as_deref() != Some("S256") {
        return fail("invalid_request", "code_challenge_method must be S256");
    }
    let scope = params
        .scope
        .clone()
        .unwrap_or_else(|| "all-apis".to_owned());

    // Sign-in page, then consent page, then the decision; `--auto-approve` skips both pages.
    let email = match (
        &shared.config.auto_approve,
        &params.user,
        params.decision.as_deref(),
    ) {
        (Some(email), _, _) => email.clone(),
        (None, None, _) => return sign_in_page(shared, &params),
        (None, Some(user), None) => {
            return consent_page(shared, &params, client.name.as_str(), user, &scope);
        }
        (None, Some(_), Some("deny")) => {
            return fail("access_denied", "The user declined the request.");
        }
        (None, Some(user), Some(_)) => user.clone(),
    };
    if shared.config.user_by_email(&email).is_none() {
        return fail(
            "access_denied",
            "The user is not a member of this workspace.",
        );
    }
    let code = shared.store.issue_code(CodeGrant {
        client_id: client.client_id.clone(),
        redirect_uri: redirect_uri.clone(),
        code_challenge: challenge,
        scope,
        subject: Subject::User(email),
        expires_at: SystemTime::now()
            + Duration::from_secs(shared.config.tokens.authorization_code_secs),
    });
    redirect_with(&redirect_uri, &[("code", &code)], state.as_deref())
}

fn carried_fields(params: &AuthorizeParams) -> Vec<(&'static str, String)> {
    [
        ("response_type", &params.response_type),
        ("client_id", &params.client_id),
        ("redirect_uri", &params.redirect_uri),
        ("scope", &params.scope),
        ("state", &params.state),
        ("code_challenge", &params.code_challenge),
        ("code_challenge_method", &params.code_challenge_method),
    ]
    .into_iter()
    .filter_map(|(name, value)| value.clone().map(|v| (name, v)))
    .collect()
}

fn sign_in_page(shared: &Shared, params: &AuthorizeParams) -> Response {
    let fields = carried_fields(params);
    let hidden = hidden_fields(
        &fields
            .iter()
            .map(|(n, v)| (*n, v.as_str()))
            .collect::<Vec<_>>(),
    );
    let users: String = shared
        .config
        .users
        .iter()
        .enumerate()
        .map(|(i, user)| {
            format!(
                r#"<label><input type="radio" name="user" value="{email}"{checked}> <span><strong>{name}</strong><br>{email}</span></label>"#,
                email = escape(&user.email),
                name = escape(&user.display_name),
                checked = if i == 0 { " checked" } else { "" },
            )
        })
        .collect();
    let body = format!(
        r#"<h1>Sign in to Databricks</h1><p>Workspace {workspace} (emulator). Choose an account.</p>
<form method="post" action="">{hidden}{users}<div class="actions"><button type="submit">Continue</button></div></form>"#,
        workspace = escape(&shared.config.workspace_id),
    );
    Html(page("Sign in", &body)).into_response()
}

fn consent_page(
    shared: &Shared,
    params: &AuthorizeParams,
    app_name: &str,
    user: &str,
    scope: &str,
) -> Response {
    if shared.config.user_by_email(user).is_none() {
        return error_page(
            StatusCode::BAD_REQUEST,
            "Choose one of the listed accounts.",
        );
    }
    let mut fields = carried_fields(params);
    fields.push(("user", user.to_owned()));
    let hidden = hidden_fields(
        &fields
            .iter()
            .map(|(n, v)| (*n, v.as_str()))
            .collect::<Vec<_>>(),
    );
    let scopes: String = scope
        .split_whitespace()
        .map(|s| format!("<li>{}</li>", escape(s)))
        .collect();
    let body = format!(
        r#"<h1>Allow {app}?</h1><p><strong>{app}</strong> wants to access Databricks as <strong>{user}</strong>.</p>
<ul>{scopes}</ul><form method="post" action="">{hidden}<div class="actions">
<button class="secondary" type="submit" name="decision" value="deny">Deny</button>
<button type="submit" name="decision" value="allow">Allow</button></div></form>"#,
        app = escape(app_name),
        user = escape(user),
    );
    Html(page("Allow access", &body)).into_response()
}

/// A `302 Found` to `redirect_uri` with `params` (and `state`) added to its query.
fn redirect_with(redirect_uri: &str, params: &[(&str, &str)], state: Option<&str>) -> Response {
    let Ok(mut url) = url::Url::parse(redirect_uri) else {
        return error_page(
            StatusCode::BAD_REQUEST,
            "The registered redirect_uri is not a URL.",
        );
    };
    {
        let mut query = url.query_pairs_mut();
        for (name, value) in params {
            query.append_pair(name, value);
        }
        if let Some(state) = state {
            query.append_pair("state", state);
        }
    }
    let Ok(location) = HeaderValue::from_str(url.as_str()) else {
        return error_page(StatusCode::BAD_REQUEST, "The redirect could not be built.");
    };
    let mut response = StatusCode::FOUND.into_response();
    response.headers_mut().insert(header::LOCATION, location);
    response
}

/// `POST /oidc/v1/token`
pub async fn token(State(shared): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    handle_token(&shared, &headers, &body)
}

/// `POST /oidc/accounts/{account_id}/v1/token`
pub async fn account_token(
    State(shared): State<Shared>,
    Path(account_id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if account_id != shared.config.account_id {
        return OAuthError::new("invalid_request", "Unknown account.").into_response();
    }
    handle_token(&shared, &headers, &body)
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

fn handle_token(shared: &Shared, headers: &HeaderMap, body: &[u8]) -> Response {
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
        Some("refresh_token") => refresh_token_grant(shared, &form, &credentials),
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
    let invalid = |_| OAuthError::new("invalid_grant", "Refresh token is invalid");
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
