//! `/oidc/v1/authorize` (and its account-level twin): the browser side of sign-in.
//!
//! Validates the client and its exact redirect URI before anything else (errors before that
//! point are JSON shown in the browser, never redirected), requires PKCE S256 and scopes the
//! app connection allows, then shows the sign-in page and the consent page, or signs in at
//! once with `--auto-approve`, and redirects with a single-use, expiring code.

use crate::config::unassigned_scopes;
use crate::pages::{error_page, escape, hidden_fields, page};
use crate::server::Shared;
use crate::store::{CodeGrant, Subject};
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;
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
    // Both refusals are JSON, as real workspaces answer (quoted in databricks/dbt-databricks
    // issues #1067 and #582), shown in the browser as it is.
    let requested_client = params.client_id.clone().unwrap_or_default();
    let Some(client) = shared.config.client(&requested_client) else {
        return authorize_error(format!(
            "OAuth application with client_id: '{requested_client}' not available in Databricks \
             account '{}'.",
            shared.config.account_id
        ));
    };
    let Some(redirect_uri) = params.redirect_uri.clone() else {
        return authorize_error("redirect_uri is required.".into());
    };
    if !client
        .redirect_uris
        .iter()
        .any(|registered| registered == &redirect_uri)
    {
        return authorize_error(format!(
            "redirect_uri '{redirect_uri}' not registered for OAuth application '{}'",
            client.client_id
        ));
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
    // Scopes the app connection does not allow. The wording is the token endpoint's
    // (databricks/databricks-sql-go#476); where the authorize endpoint refuses them, and how,
    // is unconfirmed, so this answers as OAuth does for errors after the redirect is known.
    let unassigned = unassigned_scopes(&scope, &client.scopes);
    if !unassigned.is_empty() {
        return fail(
            "access_denied",
            &format!(
                "Scopes '{}' are not assigned to the client {}.",
                unassigned.join(" "),
                client.client_id
            ),
        );
    }

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

/// `400 {"error":"invalid_request","error_description":…}`, before any redirect.
fn authorize_error(description: String) -> Response {
    (
        StatusCode::BAD_REQUEST,
        axum::Json(serde_json::json!({
            "error_description": description,
            "error": "invalid_request",
        })),
    )
        .into_response()
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
