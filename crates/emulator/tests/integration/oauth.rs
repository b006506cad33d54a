//! OAuth/OIDC routes: authorize (pages and auto-approve), the three grants, client
//! authentication, and the bearer gate, over real HTTP.

use crate::common;

use brickdesk_emulator::Config;
use brickdesk_emulator::config::TokenPolicy;
use common::*;

#[test]
fn auto_approved_sign_in_redirects_to_the_private_scheme_with_code_and_state() {
    let server = start(auto_approve("alice@example.com"));
    let (status, location) = authorize(&server, APP, CALLBACK);
    assert_eq!(status, 302);
    assert!(
        location.starts_with("dev.brickdesk.app:/oauth/callback?code="),
        "{location}"
    );
    assert_eq!(query_param(&location, "state").as_deref(), Some("st4te"));

    let code = query_param(&location, "code").expect("code");
    let (status, tokens) = exchange(&server, APP, &code, CALLBACK, VERIFIER);
    assert_eq!(status, 200, "{tokens}");
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["expires_in"], 3600);
    assert_eq!(tokens["scope"], "all-apis offline_access");
    let access = tokens["access_token"].as_str().expect("access token");
    assert_eq!(access.split('.').count(), 3, "JWT-shaped");
    assert!(
        tokens["refresh_token"]
            .as_str()
            .is_some_and(|t| !t.is_empty())
    );

    let (status, me) = get_json(&server, "/api/2.0/preview/scim/v2/Me", Some(access));
    assert_eq!(status, 200);
    assert_eq!(me["userName"], "alice@example.com");
    assert_eq!(me["displayName"], "Alice Analyst");

    let (status, again) = exchange(&server, APP, &code, CALLBACK, VERIFIER);
    assert_eq!(
        (status, again["error"].as_str()),
        (400, Some("invalid_grant")),
        "codes are single-use"
    );
}

#[test]
fn loopback_redirect_and_the_cli_client_work_too() {
    let server = start(auto_approve("bob@example.com"));
    for (client, redirect) in [
        ("brickdesk", "http://127.0.0.1:8765/oauth/callback"),
        ("databricks-cli", "http://localhost:8020"),
    ] {
        let (status, location) = authorize(&server, client, redirect);
        assert_eq!(status, 302, "{client}");
        assert!(
            location.starts_with(&format!("{redirect}?code="))
                || location.starts_with(&format!("{redirect}/?code=")),
            "{location}"
        );
        let code = query_param(&location, "code").expect("code");
        let (status, tokens) = exchange(&server, client, &code, redirect, VERIFIER);
        assert_eq!(status, 200, "{client}: {tokens}");
    }
}

#[test]
fn pkce_redirect_and_client_mismatches_are_refused() {
    let server = start(auto_approve("alice@example.com"));
    let code =
        |server: &Server| query_param(&authorize(server, APP, CALLBACK).1, "code").expect("code");

    let (status, body) = exchange(
        &server,
        APP,
        &code(&server),
        CALLBACK,
        &VERIFIER.replace('d', "e"),
    );
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );
    assert!(
        body["error_description"]
            .as_str()
            .is_some_and(|d| d.contains("PKCE")),
        "{body}"
    );

    let (status, body) = exchange(
        &server,
        APP,
        &code(&server),
        "http://127.0.0.1:8765/oauth/callback",
        VERIFIER,
    );
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant")),
        "redirect_uri must match"
    );

    let (status, body) = exchange(
        &server,
        "databricks-cli",
        &code(&server),
        CALLBACK,
        VERIFIER,
    );
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant")),
        "code bound to its client"
    );

    // An unregistered redirect is never redirected to; the refusal is the JSON real
    // workspaces show (databricks/dbt-databricks#582), as is an unknown client's (#1067).
    let (status, location, page) = authorize_raw(
        &server,
        "/oidc/v1/authorize",
        &authorize_params(APP, "dev.brickdesk.app:/evil"),
    );
    assert_eq!((status, location.as_str()), (400, ""));
    let body: serde_json::Value = serde_json::from_str(&page).expect("JSON");
    assert_eq!(body["error"], "invalid_request");
    assert_eq!(
        body["error_description"],
        "redirect_uri 'dev.brickdesk.app:/evil' not registered for OAuth application 'brickdesk'"
    );
    let (status, _, page) = authorize_raw(
        &server,
        "/oidc/v1/authorize",
        &authorize_params("nobody", CALLBACK),
    );
    assert_eq!(status, 400);
    let body: serde_json::Value = serde_json::from_str(&page).expect("JSON");
    assert!(
        body["error_description"].as_str().is_some_and(
            |d| d.starts_with("OAuth application with client_id: 'nobody' not available")
        ),
        "{body}"
    );

    // Errors after the redirect is trusted go back to the app, with the state.
    let mut plain = authorize_params(APP, CALLBACK);
    plain.retain(|(k, _)| *k != "code_challenge_method");
    plain.push(("code_challenge_method", "plain"));
    let (status, location, _) = authorize_raw(&server, "/oidc/v1/authorize", &plain);
    assert_eq!(status, 302);
    assert_eq!(
        query_param(&location, "error").as_deref(),
        Some("invalid_request")
    );
    assert_eq!(query_param(&location, "state").as_deref(), Some("st4te"));
}

#[test]
fn expired_codes_are_refused() {
    let config = Config {
        tokens: TokenPolicy {
            authorization_code_secs: 0,
            ..TokenPolicy::default()
        },
        ..auto_approve("alice@example.com")
    };
    let server = start(config);
    let code = query_param(&authorize(&server, APP, CALLBACK).1, "code").expect("code");
    let (status, body) = exchange(&server, APP, &code, CALLBACK, VERIFIER);
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );
    assert!(
        body["error_description"]
            .as_str()
            .is_some_and(|d| d.contains("expired")),
        "{body}"
    );
}

#[test]
fn sign_in_page_then_consent_then_code_or_denial() {
    let server = start(Config::default());
    let (status, location, page) = authorize_raw(
        &server,
        "/oidc/v1/authorize",
        &authorize_params(APP, CALLBACK),
    );
    assert_eq!((status, location.as_str()), (200, ""));
    assert!(
        page.contains("alice@example.com") && page.contains("bob@example.com"),
        "{page}"
    );
    assert!(
        page.contains(
            r#"name="code_challenge" value="E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM""#
        )
    );

    let mut form = authorize_params(APP, CALLBACK);
    form.push(("user", "bob@example.com"));
    let post = |form: &[(&str, &str)]| {
        let response = agent()
            .post(&format!("{}/oidc/v1/authorize", server.base))
            .send_form(form.iter().copied())
            .expect("post");
        let status = response.status().as_u16();
        let location = response
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        (
            status,
            location,
            response.into_body().read_to_string().unwrap_or_default(),
        )
    };
    let (status, _, consent) = post(&form);
    assert_eq!(status, 200);
    assert!(
        consent.contains("Allow Brickdesk?") && consent.contains("bob@example.com"),
        "{consent}"
    );

    let mut allow = form.clone();
    allow.push(("decision", "allow"));
    let (status, location, _) = post(&allow);
    assert_eq!(status, 302);
    let code = query_param(&location, "code").expect("code");
    let (_, tokens) = exchange(&server, APP, &code, CALLBACK, VERIFIER);
    let (_, me) = get_json(
        &server,
        "/api/2.0/preview/scim/v2/Me",
        tokens["access_token"].as_str(),
    );
    assert_eq!(me["userName"], "bob@example.com");

    let mut deny = form;
    deny.push(("decision", "deny"));
    let (status, location, _) = post(&deny);
    assert_eq!(status, 302);
    assert_eq!(
        query_param(&location, "error").as_deref(),
        Some("access_denied")
    );
    assert!(query_param(&location, "code").is_none());
}

#[test]
fn refresh_tokens_rotate_and_a_dead_one_is_refused_as_real_workspaces_do() {
    let server = start(auto_approve("alice@example.com"));
    let first = sign_in(&server);
    let refresh = first["refresh_token"].as_str().expect("refresh").to_owned();
    let (status, second) = post_form(
        &server,
        "/oidc/v1/token",
        &[
            ("grant_type", "refresh_token"),
            ("client_id", APP),
            ("refresh_token", &refresh),
        ],
        None,
    );
    assert_eq!(status, 200, "{second}");
    let rotated = second["refresh_token"].as_str().expect("rotated");
    assert_ne!(rotated, refresh, "brickdesk uses single-use refresh tokens");
    assert_ne!(second["access_token"], first["access_token"]);

    let (status, reuse) = post_form(
        &server,
        "/oidc/v1/token",
        &[
            ("grant_type", "refresh_token"),
            ("client_id", APP),
            ("refresh_token", &refresh),
        ],
        None,
    );
    // The body a real workspace sends (databricks/cli#1434).
    assert_eq!(
        (status, reuse["error"].as_str()),
        (400, Some("invalid_request")),
        "the old one is spent"
    );
    assert_eq!(reuse["error_description"], "Refresh token is invalid");

    let (status, _) = post_form(&server, "/__emulator/tokens/revoke-refresh", &[], None);
    assert_eq!(status, 200);
    let (status, revoked) = post_form(
        &server,
        "/oidc/v1/token",
        &[
            ("grant_type", "refresh_token"),
            ("client_id", APP),
            ("refresh_token", rotated),
        ],
        None,
    );
    assert_eq!(
        (status, revoked["error"].as_str()),
        (400, Some("invalid_request"))
    );
    assert_eq!(revoked["error_description"], "Refresh token is invalid");
}

#[test]
fn an_injected_revocation_fails_one_refresh_and_spends_the_token() {
    let server = start(auto_approve("alice@example.com"));
    let tokens = sign_in(&server);
    let refresh = tokens["refresh_token"].as_str().expect("refresh");
    let rule = serde_json::json!({"path": "/oidc/v1/token", "fault": {"kind": "revoked_refresh_token"}, "count": 1});
    let (status, _) = post_json(&server, "/__emulator/faults", rule, None);
    assert_eq!(status, 200);
    let refresh_with = |token: &str| {
        post_form(
            &server,
            "/oidc/v1/token",
            &[
                ("grant_type", "refresh_token"),
                ("client_id", APP),
                ("refresh_token", token),
            ],
            None,
        )
    };
    let (status, body) = refresh_with(refresh);
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_request"))
    );
    let (status, body) = refresh_with(refresh);
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_request")),
        "the token stays revoked after the rule is used up"
    );
    // A fresh sign-in is unaffected.
    let fresh = sign_in(&server);
    let (status, _) = refresh_with(fresh["refresh_token"].as_str().expect("refresh"));
    assert_eq!(status, 200);
}

#[test]
fn an_injected_revocation_can_answer_invalid_grant_or_401() {
    let server = start(auto_approve("alice@example.com"));
    for (fault, expected) in [
        (
            serde_json::json!({"kind": "revoked_refresh_token", "error": "invalid_grant"}),
            (400, "invalid_grant"),
        ),
        (
            serde_json::json!({"kind": "revoked_refresh_token", "status": 401}),
            (401, "invalid_request"),
        ),
    ] {
        let tokens = sign_in(&server);
        let rule = serde_json::json!({"path": "/oidc/v1/token", "fault": fault, "count": 1});
        assert_eq!(post_json(&server, "/__emulator/faults", rule, None).0, 200);
        let (status, body) = post_form(
            &server,
            "/oidc/v1/token",
            &[
                ("grant_type", "refresh_token"),
                ("client_id", APP),
                (
                    "refresh_token",
                    tokens["refresh_token"].as_str().expect("refresh"),
                ),
            ],
            None,
        );
        assert_eq!(
            (status, body["error"].as_str()),
            (expected.0, Some(expected.1))
        );
        assert_eq!(body["error_description"], "Refresh token is invalid");
    }
}

#[test]
fn confidential_clients_authenticate_by_basic_or_post() {
    let server = start(auto_approve("alice@example.com"));
    let client = "brickdesk-confidential";
    let secret = "brickdesk-demo-secret";
    let token = |extra: &[(&str, &str)], basic: Option<(&str, &str)>| {
        let code = query_param(&authorize(&server, client, CALLBACK).1, "code").expect("code");
        let mut form = vec![
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", CALLBACK),
            ("code_verifier", VERIFIER),
        ];
        form.extend_from_slice(extra);
        post_form(&server, "/oidc/v1/token", &form, basic)
    };
    let (status, body) = token(&[("client_id", client), ("client_secret", secret)], None);
    assert_eq!(status, 200, "client_secret_post: {body}");
    let (status, body) = token(&[], Some((client, secret)));
    assert_eq!(status, 200, "client_secret_basic: {body}");
    let (status, body) = token(&[("client_id", client)], None);
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("invalid_client")),
        "the secret is required"
    );
    let (status, body) = token(&[("client_secret", secret)], Some((client, secret)));
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_request")),
        "one method, not two"
    );
}

#[test]
fn client_credentials_for_the_kpi_bot_service_principal() {
    let server = start(Config::default());
    let (status, tokens) = post_form(
        &server,
        "/oidc/v1/token",
        &[("grant_type", "client_credentials"), ("scope", "all-apis")],
        Some(("kpi-bot", "kpi-bot-secret")),
    );
    assert_eq!(status, 200, "{tokens}");
    assert!(
        tokens.get("refresh_token").is_none(),
        "no refresh token for M2M"
    );
    let (status, me) = get_json(
        &server,
        "/api/2.0/preview/scim/v2/Me",
        tokens["access_token"].as_str(),
    );
    assert_eq!(status, 200);
    assert_eq!(me["userName"], "kpi-bot");
    assert_eq!(me["displayName"], "KPI bot");

    let (status, tokens) = post_form(
        &server,
        "/oidc/v1/token",
        &[
            ("grant_type", "client_credentials"),
            ("client_id", "kpi-bot"),
            ("client_secret", "kpi-bot-secret"),
            ("scope", "sql all-apis"),
        ],
        None,
    );
    assert_eq!(
        (status, tokens["scope"].as_str()),
        (200, Some("sql all-apis")),
        "client_secret_post works too"
    );

    let (status, body) = post_form(
        &server,
        "/oidc/v1/token",
        &[("grant_type", "client_credentials")],
        Some(("kpi-bot", "wrong")),
    );
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("invalid_client"))
    );
}

#[test]
fn malformed_token_requests_get_oauth_errors() {
    let server = start(Config::default());
    let (status, body) = post_form(&server, "/oidc/v1/token", &[("client_id", APP)], None);
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_request"))
    );
    let (status, body) = post_form(
        &server,
        "/oidc/v1/token",
        &[("grant_type", "password"), ("client_id", APP)],
        None,
    );
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("unsupported_grant_type"))
    );
    let response = agent()
        .post(&format!("{}/oidc/v1/token", server.base))
        .send_json(serde_json::json!({"grant_type": "client_credentials"}))
        .expect("post");
    let (status, body) = read(response);
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_request")),
        "JSON bodies are refused"
    );
}

#[test]
fn the_bearer_gate_has_both_invalid_token_variants() {
    let server = start(auto_approve("alice@example.com"));
    let (status, body) = get_json(&server, "/api/2.0/preview/scim/v2/Me", None);
    assert_eq!((status, body["error_code"].as_u64()), (401, Some(401)));
    let (status, body) = get_json(&server, "/api/2.0/preview/scim/v2/Me", Some("not-a-token"));
    assert_eq!(
        (status, body["message"].as_str()),
        (403, Some("Invalid access token."))
    );

    let access = sign_in(&server)["access_token"]
        .as_str()
        .expect("token")
        .to_owned();
    assert_eq!(
        get_json(&server, "/api/2.0/preview/scim/v2/Me", Some(&access)).0,
        200
    );
    assert_eq!(
        post_form(&server, "/__emulator/tokens/expire-access", &[], None).0,
        200
    );
    assert_eq!(
        get_json(&server, "/api/2.0/preview/scim/v2/Me", Some(&access)).0,
        403,
        "expired"
    );

    let server = start(Config {
        invalid_token_status: 401,
        ..auto_approve("alice@example.com")
    });
    let (status, body) = get_json(&server, "/api/2.0/preview/scim/v2/Me", Some("not-a-token"));
    assert_eq!(
        (status, body["error_code"].as_str()),
        (401, Some("UNAUTHENTICATED"))
    );
}

#[test]
fn account_level_endpoints_mirror_the_workspace_ones() {
    let server = start(auto_approve("alice@example.com"));
    let account = Config::default().account_id;
    let (status, metadata) = get_json(
        &server,
        &format!("/oidc/accounts/{account}/.well-known/oauth-authorization-server"),
        None,
    );
    assert_eq!(status, 200);
    assert_eq!(
        metadata["token_endpoint"],
        format!("{}/oidc/accounts/{account}/v1/token", server.base)
    );
    let (status, location, _) = authorize_raw(
        &server,
        &format!("/oidc/accounts/{account}/v1/authorize"),
        &authorize_params(APP, CALLBACK),
    );
    assert_eq!(status, 302);
    let code = query_param(&location, "code").expect("code");
    let (status, _) = post_form(
        &server,
        &format!("/oidc/accounts/{account}/v1/token"),
        &[
            ("grant_type", "authorization_code"),
            ("client_id", APP),
            ("code", &code),
            ("redirect_uri", CALLBACK),
            ("code_verifier", VERIFIER),
        ],
        None,
    );
    assert_eq!(status, 200);
    assert_eq!(
        get_json(
            &server,
            "/oidc/accounts/nope/.well-known/oauth-authorization-server",
            None
        )
        .0,
        404
    );
}

#[test]
fn issued_secrets_are_listed_for_leak_tests() {
    let server = start(auto_approve("alice@example.com"));
    let (_, location) = authorize(&server, APP, CALLBACK);
    let code = query_param(&location, "code").expect("code");
    let (_, tokens) = exchange(&server, APP, &code, CALLBACK, VERIFIER);
    let (status, body) = get_json(&server, "/__emulator/secrets/issued", None);
    assert_eq!(status, 200);
    let secrets: Vec<&str> = body["secrets"]
        .as_array()
        .expect("secrets")
        .iter()
        .filter_map(serde_json::Value::as_str)
        .collect();
    for expected in [
        code.as_str(),
        tokens["access_token"].as_str().expect("access"),
        tokens["refresh_token"].as_str().expect("refresh"),
        "brickdesk-demo-secret",
        "kpi-bot-secret",
    ] {
        assert!(secrets.contains(&expected), "{expected} missing");
    }
}

#[test]
fn scopes_an_app_connection_does_not_allow_are_refused_at_sign_in_and_on_the_api() {
    let server = start(auto_approve("alice@example.com"));
    let loopback = "http://127.0.0.1:8765/oauth/callback";
    // The SQL-only connection refuses all-apis, back at the app with the state.
    let mut everything = authorize_params("brickdesk-sql", loopback);
    everything.retain(|(k, _)| *k != "scope");
    everything.push(("scope", "all-apis offline_access"));
    let (status, location, _) = authorize_raw(&server, "/oidc/v1/authorize", &everything);
    assert_eq!(status, 302);
    assert!(location.starts_with(loopback), "{location}");
    assert_eq!(
        query_param(&location, "error").as_deref(),
        Some("access_denied")
    );
    assert_eq!(
        query_param(&location, "error_description").as_deref(),
        Some("Scopes 'all-apis' are not assigned to the client brickdesk-sql.")
    );
    assert!(query_param(&location, "state").is_some());
    // sql (with the identity scopes every connection allows) signs in; the token is sql-only.
    let mut sql = authorize_params("brickdesk-sql", loopback);
    sql.retain(|(k, _)| *k != "scope");
    sql.push(("scope", "sql offline_access openid"));
    let (_, location, _) = authorize_raw(&server, "/oidc/v1/authorize", &sql);
    let code = query_param(&location, "code").expect("code");
    let (status, tokens) = exchange(&server, "brickdesk-sql", &code, loopback, VERIFIER);
    assert_eq!(status, 200, "{tokens}");
    let access = tokens["access_token"].as_str().expect("access");
    assert_eq!(
        get_json(&server, "/api/2.0/sql/warehouses", Some(access)).0,
        200
    );
    assert_eq!(
        get_json(&server, "/api/2.0/preview/scim/v2/Me", Some(access)).0,
        200,
        "SCIM Me takes any scoped token"
    );
    for (path, scope) in [
        ("/api/2.0/genie/spaces", "genie"),
        ("/api/2.1/unity-catalog/catalogs", "unity-catalog"),
    ] {
        let (status, body) = get_json(&server, path, Some(access));
        assert_eq!(status, 403, "{path}");
        assert_eq!(body["error_code"], 403);
        assert_eq!(
            body["message"],
            format!("Provided OAuth token does not have required scopes: {scope}")
        );
    }
}
