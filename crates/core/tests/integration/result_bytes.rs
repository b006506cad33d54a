//! Result bytes as the official drivers get them: linked Arrow chunks asked for as LZ4 frames
//! and decompressed (or plain, when the warehouse ignores the request, refuses the field, or
//! the workspace turns it off), with the same rows every way; INTERVAL and VOID values shown
//! as Databricks' clients show them.

use crate::common;

use brickdesk_core::api::Api;
use brickdesk_core::sql::execute::{self, Cancel, Disposition, StatementRequest};
use brickdesk_core::sql::fetch;
use brickdesk_core::sql::result_set::{ResultSet, SharedResult};
use brickdesk_emulator::Config;
use brickdesk_emulator::config::ResultCompression;
use common::*;

const STARTER: &str = "a1b2c3d4e5f60718";

fn request(sql: &str) -> StatementRequest {
    StatementRequest {
        warehouse_id: STARTER.into(),
        statement: sql.into(),
        catalog: None,
        schema: None,
        parameters: vec![],
        row_limit: None,
        disposition: Disposition::ExternalArrow,
    }
}

/// Runs `sql` and downloads it: whether the manifest said LZ4, and the rows.
async fn run(api: &Api, sql: &str) -> (bool, SharedResult) {
    let cancel = Cancel::new();
    let done = execute::run(api, &request(sql), &cancel, |_| {})
        .await
        .expect("ran");
    let lz4 = done.manifest.is_lz4();
    let set = ResultSet::new(
        done.manifest.schema.columns.clone(),
        done.manifest.total_row_count,
        done.manifest.truncated,
    )
    .shared();
    fetch::fetch(api, done, &set, &cancel, |_| {})
        .await
        .expect("fetched");
    (lz4, set)
}

fn rows(set: &SharedResult) -> Vec<Vec<Option<String>>> {
    let set = set.read().expect("result");
    let total = u32::try_from(set.loaded_rows()).expect("rows");
    set.window(0, total).expect("window").rows
}

const QUERY: &str = "SELECT id, id * 2 AS twice, concat('row ', id) AS label FROM range(250000)";

/// The statement POSTs' statuses, in order.
async fn statement_posts(f: &Fixture) -> Vec<u64> {
    logged_requests(f, "/api/2.0/sql/statements")
        .await
        .into_iter()
        .filter(|(method, path, _)| method == "POST" && path == "/api/2.0/sql/statements")
        .map(|(_, _, status)| status)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compressed_and_plain_results_read_to_the_same_rows() {
    let (_f, api) = signed_in_demo("lz4-same-rows", alice()).await;
    let (lz4, compressed) = run(&api, QUERY).await;
    assert!(lz4, "the warehouse honoured LZ4_FRAME");
    let plain_api = api.clone().with_compressed_results(false);
    let (lz4, plain) = run(&plain_api, QUERY).await;
    assert!(!lz4, "a workspace can turn it off");
    let (compressed, plain) = (rows(&compressed), rows(&plain));
    assert_eq!(compressed.len(), 250_000);
    assert_eq!(compressed, plain);
    assert_eq!(
        compressed[123_456],
        [
            Some("123456".into()),
            Some("246912".into()),
            Some("row 123456".into())
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_warehouse_that_ignores_or_refuses_compression_still_gives_every_row() {
    for mode in [ResultCompression::Ignored, ResultCompression::Refused] {
        let config = Config {
            result_compression: mode,
            ..alice()
        };
        let (f, api) = signed_in_demo("lz4-ignored", config).await;
        let (lz4, set) = run(&api, "SELECT id FROM range(1000)").await;
        assert!(!lz4, "{mode:?}: the answer decides, not the request");
        assert_eq!(rows(&set).len(), 1000, "{mode:?}");
        let expected: &[u64] = match mode {
            ResultCompression::Refused => &[400, 200],
            _ => &[200],
        };
        assert_eq!(
            statement_posts(&f).await,
            expected,
            "{mode:?}: asked once more at most"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn intervals_and_void_show_as_databricks_shows_them() {
    let (_f, api) = signed_in_demo("interval-values", alice()).await;
    let sql = "SELECT INTERVAL '3' DAY AS iv_day, \
               INTERVAL '27' HOUR AS iv_hour, \
               NULL AS nothing";
    let (_, set) = run(&api, sql).await;
    assert_eq!(
        rows(&set)[0],
        [
            Some("3 00:00:00.000000000".into()),
            Some("1 03:00:00.000000000".into()),
            None,
        ]
    );
}
