//! SQL results in the shapes real workspaces may send, beyond the everyday ones: several
//! external links in one response (the API's `external_links` is a list), and TIMESTAMP
//! columns zoned in a session time zone other than UTC, in every disposition.

use crate::common;

use brickdesk_core::api::Api;
use brickdesk_core::sql::execute::{self, Cancel, Disposition, StatementRequest};
use brickdesk_core::sql::fetch;
use brickdesk_core::sql::result_set::{ResultSet, SharedResult};
use brickdesk_emulator::Config;
use brickdesk_emulator::config::Timings;
use common::*;

fn request(sql: &str, disposition: Disposition) -> StatementRequest {
    StatementRequest {
        warehouse_id: "a1b2c3d4e5f60718".into(),
        statement: sql.into(),
        catalog: None,
        schema: None,
        parameters: vec![],
        row_limit: None,
        disposition,
    }
}

async fn fetched(api: &Api, request: &StatementRequest) -> SharedResult {
    let done = execute::run(api, request, &Cancel::default(), |_| {})
        .await
        .expect("succeeded");
    let set = ResultSet::new(
        done.manifest.schema.columns.clone(),
        done.manifest.total_row_count,
        done.manifest.truncated,
    )
    .shared();
    fetch::fetch(api, done, &set, &Cancel::default(), |_| {})
        .await
        .expect("every chunk");
    set
}

fn rows(set: &SharedResult) -> Vec<Vec<Option<String>>> {
    let set = set.read().expect("set");
    set.window(0, set.shown_rows()).expect("window").rows
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn several_links_in_one_response_each_go_to_their_own_chunk() {
    let timings = Timings {
        chunk_rows: 1_000,
        external_links_per_response: 3,
        warehouse_start_ms: 300,
        ..Timings::default()
    };
    let (f, api) = signed_in_demo("links-several", Config { timings, ..alice() }).await;
    let set = fetched(
        &api,
        &request("SELECT id FROM range(10000)", Disposition::ExternalArrow),
    )
    .await;
    let ids: Vec<String> = rows(&set)
        .into_iter()
        .map(|r| r[0].clone().expect("id"))
        .collect();
    assert_eq!(ids.len(), 10_000);
    assert!(
        ids.iter().enumerate().all(|(i, id)| *id == i.to_string()),
        "every row once, in order"
    );
    // Links the first response brought are used, not asked for again.
    let chunk_calls = logged_requests(&f, "/api/2.0/sql/statements/")
        .await
        .into_iter()
        .filter(|(_, path, _)| path.contains("/result/chunks/"))
        .count();
    assert!(
        chunk_calls <= 9,
        "{chunk_calls} chunk requests for 10 chunks"
    );
}

/// A workspace whose session zone is New York: every disposition shows New York's wall-clock
/// time (2016-01-01 05:00 UTC is midnight there), as the Databricks web UI does.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn timestamps_show_the_session_zone_wall_clock_in_every_disposition() {
    let config = Config {
        session_time_zone: "America/New_York".into(),
        ..alice()
    };
    let (_f, api) = signed_in_demo("timestamps-new-york", config).await;
    let sql = "SELECT to_timestamp('2016-01-01T05:00:00Z') AS at";
    for disposition in [
        Disposition::ExternalArrow,
        Disposition::ExternalJson,
        Disposition::InlineJson,
    ] {
        let set = fetched(&api, &request(sql, disposition)).await;
        assert_eq!(
            rows(&set),
            [[Some("2016-01-01 00:00:00".to_owned())]],
            "{disposition:?}"
        );
        let zone = set.read().expect("set").columns()[0].time_zone.clone();
        let expected = match disposition {
            Disposition::ExternalArrow => "America/New_York",
            _ => "UTC-05:00",
        };
        assert_eq!(zone.as_deref(), Some(expected), "{disposition:?}");
    }
}

/// Unity Catalog lists in their paginated form (`max_results=0`), one item a page, with
/// unpaginated calls refused as Databricks says they soon will be.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn catalog_lists_are_read_page_by_page() {
    use brickdesk_core::sql::catalogs;
    let mut config = alice();
    config.unity_catalog.page_size = 1;
    config.unity_catalog.unpaginated_allowed = false;
    let (_f, api) = signed_in_demo("catalog-pages", config).await;
    assert_eq!(
        catalogs::catalogs(&api, None).await.expect("catalogs"),
        ["samples"]
    );
    let schemas = catalogs::schemas(&api, "samples", None)
        .await
        .expect("schemas");
    assert_eq!(schemas, ["default", "nyctaxi", "tpch"], "every page");
}
