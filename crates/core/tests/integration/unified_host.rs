//! Workspaces of a unified host (an account's custom URL serving several workspaces): added by
//! pasting the address with `?o=<workspace id>`, signed in through the account's OIDC, every
//! workspace call routed by `X-Databricks-Workspace-Id`, two workspaces of one host kept apart,
//! and a call that names no workspace explained instead of read as a broken answer or a dead
//! sign-in.

use crate::common;

use brickdesk_core::ErrorCode;
use brickdesk_core::api::Api;
use brickdesk_core::genie::Genie;
use brickdesk_core::local::LocalDb;
use brickdesk_core::local::genie::GenieStore;
use brickdesk_core::profiles::AuthKind;
use brickdesk_core::service::NewWorkspace;
use brickdesk_core::sql::execute::{self, Cancel, Disposition, StatementRequest};
use brickdesk_core::sql::fetch;
use brickdesk_core::sql::result_set::ResultSet;
use brickdesk_core::sql::runs::Runs;
use brickdesk_core::sql::warehouses;
use brickdesk_core::workspace::SignInState;
use brickdesk_emulator::Config;
use brickdesk_emulator::config::{Timings, UnifiedHost, UnifiedWorkspace, Unrouted};
use common::*;
use std::sync::Arc;

const SALES: &str = "1111111111111111";
const FINANCE: &str = "2222222222222222";
const TAXI: &str = "01f0c0ffee0000000000000000000001";

/// A unified host with two workspaces; Finance has only the second warehouse, renamed, so a
/// list shows which workspace answered.
fn unified(unrouted: Unrouted) -> Config {
    let base = alice();
    let mut finance_warehouses = base.warehouses.clone();
    finance_warehouses.truncate(1);
    finance_warehouses[0].name = "Finance warehouse".into();
    Config {
        unified_host: Some(UnifiedHost {
            workspaces: vec![
                UnifiedWorkspace {
                    workspace_id: SALES.into(),
                    warehouses: None,
                    spaces: None,
                },
                UnifiedWorkspace {
                    workspace_id: FINANCE.into(),
                    warehouses: Some(finance_warehouses),
                    spaces: None,
                },
            ],
            unrouted,
        }),
        timings: Timings {
            genie_step_ms: 40,
            ..Timings::default()
        },
        ..base
    }
}

fn browser_sign_in(name: &str, address: String) -> NewWorkspace {
    NewWorkspace {
        name: name.into(),
        host: address,
        auth: AuthKind::AppConnection {
            client_id: "brickdesk".into(),
            confidential: false,
        },
        redirect: None,
        access: None,
        secret: None,
    }
}

/// Adds the workspace at `address` and signs in through the browser; its id.
async fn add_and_sign_in(f: &Fixture, name: &str, address: String) -> String {
    let id = f
        .service
        .add(browser_sign_in(name, address), |_| {})
        .await
        .expect("added")
        .active_id
        .expect("active");
    let url = sign_in_url(&f.service, &id).await;
    assert!(
        url.contains("/oidc/accounts/"),
        "a unified host signs in through the account's OIDC: {url}"
    );
    f.service
        .complete_sign_in(callback(&browse(&url).await))
        .await
        .expect("signed in");
    id
}

async fn warehouse_names(api: &Api) -> Vec<String> {
    warehouses::list(api)
        .await
        .expect("warehouses")
        .into_iter()
        .map(|w| w.name)
        .collect()
}

/// The workspace ids the emulator saw on `/api/` calls, one per call (`None`: no header).
async fn routed(f: &Fixture) -> Vec<Option<String>> {
    request_log(f, "/api/")
        .await
        .iter()
        .map(|r| r["workspace"].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_workspaces_of_one_host_sign_in_run_sql_and_ask_genie_apart() {
    let f = fixture("unified-two", unified(Unrouted::LoginPage), false).await;
    let base = &f.emulator.base_url;
    let sales = add_and_sign_in(&f, "Sales", format!("{base}/?o={SALES}")).await;
    let finance = add_and_sign_in(&f, "Finance", format!("{base}/sql/editor?o={FINANCE}#x")).await;
    assert_ne!(sales, finance);

    let list = f.service.list();
    let listed = |id: &str| {
        list.workspaces
            .iter()
            .find(|w| w.id == id)
            .expect("listed")
            .clone()
    };
    assert_eq!(listed(&sales).workspace_id.as_deref(), Some(SALES));
    assert_eq!(listed(&finance).host, *base, "the host is the origin alone");
    assert!(
        listed(&finance)
            .location
            .ends_with(&format!("workspace {FINANCE}")),
        "{}",
        listed(&finance).location
    );
    assert!(matches!(
        listed(&sales).status,
        SignInState::SignedIn { .. }
    ));

    // Each workspace answers with its own warehouses.
    let sales_api = f.service.api(&sales).await.expect("api");
    let finance_api = f.service.api(&finance).await.expect("api");
    let sales_names = warehouse_names(&sales_api).await;
    assert!(sales_names.len() > 1, "{sales_names:?}");
    assert_eq!(warehouse_names(&finance_api).await, ["Finance warehouse"]);

    // SQL runs on a Sales warehouse, with its chunks fetched through the same routing.
    let warehouse = warehouses::list(&sales_api).await.expect("list")[0]
        .id
        .clone();
    let request = StatementRequest {
        warehouse_id: warehouse,
        statement: "SELECT 40 + 2 AS answer".into(),
        catalog: None,
        schema: None,
        parameters: vec![],
        row_limit: None,
        disposition: Disposition::ExternalArrow,
    };
    let cancel = Cancel::new();
    let done = execute::run(&sales_api, &request, &cancel, |_| {})
        .await
        .expect("ran");
    let result = ResultSet::new(
        done.manifest.schema.columns.clone(),
        done.manifest.total_row_count,
        done.manifest.truncated,
    )
    .shared();
    fetch::fetch(&sales_api, done, &result, &cancel, |_| {})
        .await
        .expect("fetched");
    let window = result.read().expect("result").window(0, 1).expect("window");
    assert_eq!(window.rows[0][0].as_deref(), Some("42"));

    // Genie answers in Finance.
    let genie = Genie::new(
        GenieStore::new(Arc::new(LocalDb::in_memory())),
        Arc::new(Runs::default()),
        100,
    );
    let answer = genie
        .ask(
            &finance_api,
            &finance,
            TAXI,
            None,
            "How many trips were there?",
            &|_| {},
        )
        .await
        .expect("an answer");
    assert!(answer.texts[0].html.contains("21,932"));

    // Every workspace call named its workspace; nothing went unrouted.
    let seen = routed(&f).await;
    assert!(seen.len() > 8, "{seen:?}");
    assert!(seen.iter().all(Option::is_some), "{seen:?}");
    assert!(seen.contains(&Some(SALES.into())) && seen.contains(&Some(FINANCE.into())));

    // Two keychain entries sets, one per workspace: a token of one is never the other's.
    assert_ne!(
        f.service.profile(&sales).expect("p").0.binding(),
        f.service.profile(&finance).expect("p").0.binding()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_host_alone_asks_for_the_workspace_and_the_same_workspace_is_not_added_twice() {
    let f = fixture("unified-bare", unified(Unrouted::LoginPage), false).await;
    let base = f.emulator.base_url.clone();
    let error = f
        .service
        .add(browser_sign_in("Bare", base.clone()), |_| {})
        .await
        .expect_err("which workspace?");
    assert_eq!(error.code, ErrorCode::InvalidInput);
    assert!(
        error.message.contains("serves several workspaces"),
        "{}",
        error.message
    );
    assert!(f.service.list().workspaces.is_empty(), "nothing half-added");

    f.service
        .add(
            browser_sign_in("Sales", format!("{base}/?o={SALES}")),
            |_| {},
        )
        .await
        .expect("added");
    let again = f
        .service
        .add(
            browser_sign_in("Sales again", format!("{base}?o={SALES}")),
            |_| {},
        )
        .await
        .expect_err("a duplicate");
    assert!(
        again.message.contains("already in your list"),
        "{}",
        again.message
    );
    f.service
        .add(
            browser_sign_in("Finance", format!("{base}/?workspace_id={FINANCE}")),
            |_| {},
        )
        .await
        .expect("another workspace of the same host");
}

/// A call without the header, both ways the sources describe a unified host answering it:
/// explained in words that say what to do, and the sign-in stays.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_that_names_no_workspace_is_explained_and_the_sign_in_stays() {
    for unrouted in [Unrouted::LoginPage, Unrouted::CredentialNotSent] {
        let f = fixture("unified-unrouted", unified(unrouted), false).await;
        let base = f.emulator.base_url.clone();
        let id = add_and_sign_in(&f, "Sales", format!("{base}/?o={SALES}")).await;
        let routed_api = f.service.api(&id).await.expect("api");
        let unrouted_api = Api::new(
            f.service.http().clone(),
            routed_api.host().clone(),
            routed_api.session().clone(),
        );
        let error = warehouses::list(&unrouted_api)
            .await
            .expect_err("the host cannot route it");
        assert!(
            error.message.contains("?o="),
            "{unrouted:?}: says how to name the workspace: {}",
            error.message
        );
        assert_ne!(error.code, ErrorCode::NotSignedIn, "{unrouted:?}");
        assert!(
            !warehouse_names(&routed_api).await.is_empty(),
            "{unrouted:?}: the token was not dropped"
        );
    }
}
