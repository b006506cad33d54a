//! Scopes: an app connection (or a scoped service principal secret) that allows only `sql`.
//! Brickdesk asks for what the workspace is set to allow, works with `sql` wherever Databricks
//! allows it (SQL, warehouses, catalog lists through SQL), and explains every refusal for
//! scope in plain words: at sign-in, and per feature (Genie).

use crate::common;

use brickdesk_core::ErrorCode;
use brickdesk_core::genie::Genie;
use brickdesk_core::local::LocalDb;
use brickdesk_core::local::genie::GenieStore;
use brickdesk_core::profiles::{Access, AuthKind, RedirectMode};
use brickdesk_core::service::NewWorkspace;
use brickdesk_core::sql::runs::Runs;
use brickdesk_core::sql::{catalogs, warehouses};
use brickdesk_core::workspace::SignInState;
use brickdesk_emulator::Config;
use common::*;
use std::sync::Arc;

const STARTER: &str = "a1b2c3d4e5f60718";

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port()
}

/// The emulator's SQL-only app connection, with `port` registered as its loopback redirect.
fn sql_only_connection(port: u16) -> Config {
    let mut config = alice();
    for client in config
        .clients
        .iter_mut()
        .filter(|c| c.client_id == "brickdesk-sql")
    {
        client.redirect_uris = vec![format!("http://127.0.0.1:{port}/oauth/callback")];
    }
    config
}

fn workspace(host: &str, port: u16, access: Access) -> NewWorkspace {
    NewWorkspace {
        name: "BI".into(),
        host: host.into(),
        auth: AuthKind::AppConnection {
            client_id: "brickdesk-sql".into(),
            confidential: false,
        },
        redirect: Some(RedirectMode::Loopback { port }),
        access: Some(access),
        secret: None,
    }
}

/// Signs in through the loopback listener as the browser would; the state it ends in.
async fn sign_in(f: &Fixture, id: &str) -> SignInState {
    let location = browse(&sign_in_url(&f.service, id).await).await;
    let _ = reqwest::get(&location).await;
    settled(&f.service, id).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sql_only_connection_runs_sql_and_says_what_genie_needs() {
    let port = free_port();
    let f = fixture("scopes-sql-only", sql_only_connection(port), false).await;
    let list = f
        .service
        .add(
            workspace(&f.emulator.base_url, port, Access::SqlOnly),
            |_| {},
        )
        .await
        .expect("added");
    let id = list.active_id.expect("active");
    assert_eq!(
        f.service.list().workspaces[0].access,
        Access::SqlOnly,
        "the list says what the workspace may use"
    );
    assert!(
        f.service
            .sign_in_preflight(&id)
            .await
            .expect("preflight")
            .is_none(),
        "nothing to say: the address and the scopes are allowed"
    );
    let state = sign_in(&f, &id).await;
    assert!(
        matches!(state, SignInState::SignedIn { user: Some(ref u), .. } if u == "alice@example.com"),
        "{state:?}"
    );
    let api = f.service.api(&id).await.expect("api");
    let listed = warehouses::list(&api).await.expect("warehouses with sql");
    assert!(listed.iter().any(|w| w.id == STARTER));
    // Catalogs: Unity Catalog's API refuses a sql token; the same names come through SQL.
    assert_eq!(
        catalogs::catalogs(&api, Some(STARTER))
            .await
            .expect("through SQL"),
        ["samples"]
    );
    let schemas = catalogs::schemas(&api, "samples", Some(STARTER))
        .await
        .expect("through SQL");
    assert!(schemas.contains(&"nyctaxi".to_owned()), "{schemas:?}");
    let tables = catalogs::tables(&api, "samples", "nyctaxi", Some(STARTER))
        .await
        .expect("SHOW TABLES");
    assert_eq!(
        tables.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(),
        ["trips"]
    );
    let columns = catalogs::columns(&api, "samples", "nyctaxi", "trips", Some(STARTER))
        .await
        .expect("DESCRIBE TABLE");
    let fare = columns
        .iter()
        .find(|c| c.name == "fare_amount")
        .expect("fare");
    assert_eq!(fare.type_text, "double");
    assert!(fare.comment.as_deref().is_some_and(|c| c.contains("fare")));
    let refused = catalogs::catalogs(&api, None)
        .await
        .expect_err("no warehouse to ask");
    assert_eq!(refused.code, ErrorCode::PermissionDenied);
    // Genie: refused for scope, in plain words.
    let genie = Genie::new(
        GenieStore::new(Arc::new(LocalDb::in_memory())),
        Arc::new(Runs::default()),
        5,
    );
    let error = genie.spaces(&api).await.expect_err("genie needs more");
    assert_eq!(error.code, ErrorCode::PermissionDenied);
    assert!(
        error.message.starts_with("Genie needs") && error.message.contains("all-apis"),
        "{}",
        error.message
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn asking_more_than_the_connection_allows_is_explained_before_and_after_the_browser() {
    let port = free_port();
    let f = fixture("scopes-too-much", sql_only_connection(port), false).await;
    let list = f
        .service
        .add(
            workspace(&f.emulator.base_url, port, Access::Everything),
            |_| {},
        )
        .await
        .expect("added");
    let id = list.active_id.expect("active");
    let advice = f
        .service
        .sign_in_preflight(&id)
        .await
        .expect("preflight")
        .expect("advice before any browser opens");
    assert!(
        advice.message.contains("all-apis") && advice.message.contains("SQL only"),
        "{}",
        advice.message
    );
    assert_eq!(advice.offer, None);
    // Signing in anyway: the browser comes back refused, and the reason says the same.
    match sign_in(&f, &id).await {
        SignInState::SignedOut {
            reason: Some(reason),
        } => assert!(reason.contains("SQL only"), "{reason}"),
        other => panic!("{other:?}"),
    }
    // Switching to SQL only fixes it.
    f.service
        .set_access(&id, Access::SqlOnly)
        .await
        .expect("set");
    assert!(matches!(
        sign_in(&f, &id).await,
        SignInState::SignedIn { .. }
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_service_principal_with_a_sql_scoped_secret() {
    let mut config = Config::default();
    config.service_principals[0].scopes = vec!["sql".into()];
    let f = fixture("scopes-m2m", config, false).await;
    let mut bot = kpi_bot("KPI screen", f.emulator.base_url.clone());
    let list = f.service.add(bot, |_| {}).await.expect("added");
    let id = list.active_id.expect("active");
    let error = f
        .service
        .begin_sign_in(&id)
        .await
        .expect_err("all-apis refused");
    assert!(
        error.message.contains("does not allow") && error.message.contains("all-apis"),
        "{}",
        error.message
    );
    f.service
        .set_access(&id, Access::SqlOnly)
        .await
        .expect("set");
    assert_eq!(f.service.begin_sign_in(&id).await.expect("sql"), None);
    assert!(matches!(
        status(&f.service, &id),
        SignInState::SignedIn { .. }
    ));
    // Added as SQL only from the start, it signs in at once.
    f.service.remove(&id).await.expect("removed");
    bot = kpi_bot("again", f.emulator.base_url.clone());
    bot.access = Some(Access::SqlOnly);
    let again = f.service.add(bot, |_| {}).await.expect("added");
    let again_id = again.active_id.expect("active");
    assert_eq!(f.service.begin_sign_in(&again_id).await.expect("sql"), None);
}

/// The first open of the day on a SQL-only sign-in: the warehouse is stopped and takes longer
/// to start than one 30-second wait. The catalog list waits for it (submitted and polled, as
/// the SQL runner does) instead of being cancelled at the 30th second.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_catalog_list_waits_for_a_warehouse_that_is_starting() {
    const STOPPED: &str = "5f6e7d8c9b0a1234";
    let port = free_port();
    let mut config = sql_only_connection(port);
    config.timings.warehouse_start_ms = 32_000;
    let f = fixture("scopes-waking", config, false).await;
    let id = f
        .service
        .add(
            workspace(&f.emulator.base_url, port, Access::SqlOnly),
            |_| {},
        )
        .await
        .expect("added")
        .active_id
        .expect("active");
    sign_in(&f, &id).await;
    let api = f.service.api(&id).await.expect("api");
    assert_eq!(
        catalogs::catalogs(&api, Some(STOPPED))
            .await
            .expect("waited for the warehouse"),
        ["samples"]
    );
}
