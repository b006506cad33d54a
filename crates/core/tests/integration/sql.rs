//! SQL through `brickdesk-core` against the in-process emulator: every statement state,
//! typed parameters, a stopped warehouse started on demand, throttling, and chunk downloads
//! that survive expired links and dropped connections without losing or repeating a row.

use crate::common;

use brickdesk_core::ErrorCode;
use brickdesk_core::api::Api;
use brickdesk_core::sql::execute::{self, Cancel, Disposition, StatementRequest};
use brickdesk_core::sql::fetch;
use brickdesk_core::sql::params::{ParamType, Parameter};
use brickdesk_core::sql::result_set::{ResultSet, SharedResult};
use brickdesk_core::sql::warehouses;
use brickdesk_core::sql::{Progress, StatementState};
use brickdesk_core::workspace::DEMO_ID;
use brickdesk_emulator::Config;
use brickdesk_emulator::config::Timings;
use common::*;
use serde_json::json;
use std::sync::Mutex;
use std::time::Duration;

const STARTER: &str = "a1b2c3d4e5f60718";
const STOPPED: &str = "5f6e7d8c9b0a1234";

async fn signed_in(name: &str, timings: Timings) -> (Fixture, Api) {
    signed_in_demo(name, Config { timings, ..alice() }).await
}

fn quick() -> Timings {
    Timings {
        warehouse_start_ms: 300,
        ..Timings::default()
    }
}

fn request(sql: &str, disposition: Disposition) -> StatementRequest {
    StatementRequest {
        warehouse_id: STARTER.into(),
        statement: sql.into(),
        catalog: None,
        schema: None,
        parameters: vec![],
        row_limit: None,
        disposition,
    }
}

/// Runs and downloads; the states seen, and the result.
async fn run(
    api: &Api,
    request: &StatementRequest,
    cancel: &Cancel,
) -> (
    Vec<StatementState>,
    Result<SharedResult, brickdesk_core::ErrorInfo>,
) {
    let seen = Mutex::new(Vec::new());
    let outcome = execute::run(api, request, cancel, |p: Progress| {
        let mut seen = seen.lock().expect("seen");
        if seen.last() != Some(&p.state) {
            seen.push(p.state);
        }
    })
    .await;
    let states = seen.into_inner().expect("seen");
    let done = match outcome {
        Ok(done) => done,
        Err(error) => return (states, Err(error)),
    };
    let set = ResultSet::new(
        done.manifest.schema.columns.clone(),
        done.manifest.total_row_count,
        done.manifest.truncated,
    )
    .shared();
    let fetched = fetch::fetch(api, done, &set, cancel, |_| {}).await;
    (states, fetched.map(|()| set))
}

fn column(set: &SharedResult, index: usize) -> Vec<Option<String>> {
    let set = set.read().expect("set");
    set.window(0, u32::MAX)
        .expect("window")
        .rows
        .into_iter()
        .map(|mut r| r.swap_remove(index))
        .collect()
}

async fn request_log(f: &Fixture, prefix: &str) -> Vec<(String, u64)> {
    logged_requests(f, prefix)
        .await
        .into_iter()
        .map(|(method, _, status)| (method, status))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_statement_goes_from_pending_through_running_to_succeeded() {
    let (_f, api) = signed_in(
        "sql-states",
        Timings {
            statement_ms: 400,
            ..quick()
        },
    )
    .await;
    let sql = "SELECT count(*) AS trips FROM samples.nyctaxi.trips";
    for disposition in [
        Disposition::ExternalArrow,
        Disposition::ExternalJson,
        Disposition::InlineJson,
    ] {
        let (states, set) = run(&api, &request(sql, disposition), &Cancel::default()).await;
        assert_eq!(
            states,
            [
                StatementState::Pending,
                StatementState::Running,
                StatementState::Succeeded
            ],
            "{disposition:?}"
        );
        let set = set.expect("rows");
        assert_eq!(column(&set, 0), [Some("21932".to_owned())]);
        let summary = set.read().expect("set").summary();
        assert_eq!(summary.columns[0].name, "trips");
        assert_eq!(summary.columns[0].type_name, "LONG");
        assert!(summary.complete && !summary.truncated);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopped_warehouse_is_started_by_its_first_statement() {
    let (_f, api) = signed_in("sql-autostart", quick()).await;
    let before = warehouses::get(&api, STOPPED).await.expect("get");
    assert_eq!(before.state, "STOPPED");
    let mut on_stopped = request("SELECT 1 AS one", Disposition::InlineJson);
    on_stopped.warehouse_id = STOPPED.into();
    let (states, set) = run(&api, &on_stopped, &Cancel::default()).await;
    assert_eq!(states.first(), Some(&StatementState::Pending), "{states:?}");
    assert_eq!(states.last(), Some(&StatementState::Succeeded));
    assert_eq!(column(&set.expect("rows"), 0), [Some("1".to_owned())]);
    assert_eq!(
        warehouses::get(&api, STOPPED).await.expect("get").state,
        "RUNNING"
    );
    let listed = warehouses::list(&api).await.expect("list");
    assert!(listed.iter().any(|w| w.id == STARTER && w.size.is_some()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_canceled_and_closed_statements_are_errors_with_what_happened() {
    let (f, api) = signed_in(
        "sql-failures",
        Timings {
            statement_ms: 3_000,
            result_ttl_secs: 1,
            ..quick()
        },
    )
    .await;
    let (states, failed) = run(
        &api,
        &request(
            "SELECT * FROM samples.nyctaxi.nope",
            Disposition::InlineJson,
        ),
        &Cancel::default(),
    )
    .await;
    assert_eq!(states.last(), Some(&StatementState::Failed));
    let failed = failed.expect_err("failed");
    assert_eq!(failed.code, ErrorCode::Server);
    assert!(
        failed.message.contains("TABLE_OR_VIEW_NOT_FOUND"),
        "{}",
        failed.message
    );

    let cancel = Cancel::new();
    let trigger = cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(300)).await;
        trigger.cancel();
    });
    let started = std::time::Instant::now();
    let (states, canceled) =
        run(&api, &request("SELECT 1", Disposition::InlineJson), &cancel).await;
    assert_eq!(canceled.expect_err("cancelled").code, ErrorCode::Cancelled);
    assert_eq!(states.last(), Some(&StatementState::Canceled), "{states:?}");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "did not wait for the 3 s statement"
    );
    assert!(
        request_log(&f, "/api/2.0/sql/statements/")
            .await
            .iter()
            .any(|(method, status)| method == "POST" && *status == 200),
        "the cancel reached the workspace"
    );

    // A result older than its lifetime is CLOSED.
    let fast = request("SELECT 1", Disposition::InlineJson);
    let done = execute::run(
        &api,
        &StatementRequest {
            warehouse_id: STARTER.into(),
            ..fast
        },
        &Cancel::default(),
        |_| {},
    )
    .await;
    // (3 s minimum run time, 1 s result lifetime: it is still fetchable right after success.)
    let done = done.expect("succeeded");
    let id = done.statement_id.clone();
    tokio::time::sleep(Duration::from_millis(1_300)).await;
    let closed = execute::poll_once(&api, &id).await.expect("get");
    assert_eq!(closed.status.state, StatementState::Closed);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_parameter_type_reaches_the_warehouse_typed() {
    let (_f, api) = signed_in("sql-params", quick()).await;
    let param = |name: &str, ty: ParamType, value: Option<&str>| Parameter {
        name: name.into(),
        ty,
        value: value.map(str::to_owned),
    };
    let mut typed = request(
        "SELECT :s AS s, :i + 1 AS i, :big AS big, :dbl * 2 AS dbl, :dec AS dec, \
         date_add(:d, 1) AS d, :ts AS ts, NOT :b AS b, :n AS n",
        Disposition::InlineJson,
    );
    typed.parameters = vec![
        param("s", ParamType::String, Some("it's; DROP TABLE x")),
        param("i", ParamType::Int, Some("41")),
        param("big", ParamType::BigInt, Some("9000000000")),
        param("dbl", ParamType::Double, Some("1.25")),
        param(
            "dec",
            ParamType::Decimal {
                precision: 10,
                scale: 2,
            },
            Some("12.50"),
        ),
        param("d", ParamType::Date, Some("2016-02-28")),
        param("ts", ParamType::Timestamp, Some("2016-01-05T14:07")),
        param("b", ParamType::Boolean, Some("TRUE")),
        param("n", ParamType::Int, None),
    ];
    let (_, set) = run(&api, &typed, &Cancel::default()).await;
    let set = set.expect("rows");
    let row = set
        .read()
        .expect("set")
        .window(0, 1)
        .expect("window")
        .rows
        .remove(0);
    let text: Vec<Option<&str>> = row.iter().map(Option::as_deref).collect();
    assert_eq!(
        text,
        [
            Some("it's; DROP TABLE x"),
            Some("42"),
            Some("9000000000"),
            Some("2.5"),
            Some("12.50"),
            Some("2016-02-29"),
            Some("2016-01-05 14:07:00"),
            Some("false"),
            None,
        ]
    );
    let bad = Parameter {
        name: "d".into(),
        ty: ParamType::Date,
        value: Some("29/02/2016".into()),
    };
    typed.parameters = vec![bad];
    let error = execute::run(&api, &typed, &Cancel::default(), |_| {})
        .await
        .expect_err("refused before sending");
    assert_eq!(error.code, ErrorCode::InvalidInput);
    assert!(error.message.contains(":d"), "{}", error.message);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn throttling_is_waited_out_without_submitting_twice() {
    let (f, api) = signed_in("sql-throttle", quick()).await;
    add_faults(
        &f,
        json!({"path": "/api/2.0/sql/statements", "method": "POST",
               "fault": {"kind": "status", "status": 429, "retry_after_secs": 1}, "count": 1}),
    )
    .await;
    let started = std::time::Instant::now();
    let (_, set) = run(
        &api,
        &request("SELECT 7", Disposition::InlineJson),
        &Cancel::default(),
    )
    .await;
    assert_eq!(column(&set.expect("rows"), 0), [Some("7".to_owned())]);
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "Retry-After was honoured"
    );
    let submits: Vec<u64> = request_log(&f, "/api/2.0/sql/statements")
        .await
        .into_iter()
        .filter(|(method, _)| method == "POST")
        .map(|(_, status)| status)
        .collect();
    assert_eq!(
        submits,
        [429, 200],
        "one refused submit, one accepted: never two statements"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_links_and_dropped_connections_lose_and_repeat_no_row() {
    let (f, api) = signed_in(
        "sql-chunks",
        Timings {
            chunk_rows: 10_000,
            ..quick()
        },
    )
    .await;
    add_faults(
        &f,
        json!([
            {"path": "/__files/*", "fault": {"kind": "expired_link"}, "count": 2},
            // The first two downloads meet both faults (the drop cuts the 403); the next two are
            // real 200s cut after 5,000 bytes.
            {"path": "/__files/*", "fault": {"kind": "drop_connection", "after_bytes": 5000}, "count": 4},
        ]),
    )
    .await;
    let (_, set) = run(
        &api,
        &request("SELECT id FROM range(100000)", Disposition::ExternalArrow),
        &Cancel::default(),
    )
    .await;
    let set = set.expect("every chunk despite the faults");
    let ids: Vec<u64> = column(&set, 0)
        .into_iter()
        .map(|v| v.expect("id").parse().expect("number"))
        .collect();
    assert_eq!(ids.len(), 100_000);
    assert!(
        ids.iter().enumerate().all(|(i, id)| *id == i as u64),
        "in order, each once"
    );
    let downloads = request_log(&f, "/__files/").await;
    let refused = downloads.iter().filter(|(_, s)| *s == 403).count();
    assert_eq!(refused, 2, "both expired links were met: {downloads:?}");
    assert_eq!(
        downloads.len(),
        10 + 2 + 2,
        "ten chunks, two refused, two cut: {downloads:?}"
    );
}

#[tokio::test]
async fn unreachable_storage_falls_back_to_inline_results_for_queries_only() {
    use brickdesk_core::local::LocalDb;
    use brickdesk_core::local::history::{History, RunStatus};
    use brickdesk_core::sql::runs::{RunEvent, Runs};
    let (f, api) = signed_in("sql-inline-fallback", quick()).await;
    // Every download from storage is cut: as if a firewall let the workspace through but not
    // the storage account.
    add_faults(
        &f,
        json!([{"path": "/__files/*", "fault": {"kind": "drop_connection", "after_bytes": 0}, "count": 1000}]),
    )
    .await;
    let history = History::new(std::sync::Arc::new(LocalDb::in_memory()));
    let runs = Runs::new(Some(history.clone()));
    let events = Mutex::new(Vec::new());
    let summary = runs
        .run(
            api.clone(),
            DEMO_ID,
            request("SELECT * FROM range(5000)", Disposition::ExternalArrow),
            |e| events.lock().expect("events").push(e),
        )
        .await
        .expect("the query still answers");
    assert_eq!(summary.loaded_rows, 5000);
    let events = events.into_inner().expect("events");
    assert!(
        events
            .iter()
            .any(|e| matches!(e, RunEvent::InlineFallback { .. })),
        "the user is told why"
    );
    let inline_posts = request_log(&f, "/api/2.0/sql/statements")
        .await
        .into_iter()
        .filter(|(method, _)| method == "POST")
        .count();
    assert_eq!(inline_posts, 2, "submitted once with links, once inline");

    // The next statement goes INLINE at once: one submission, no download attempt.
    let before = request_log(&f, "/__files/").await.len();
    runs.run(
        api.clone(),
        DEMO_ID,
        request("SELECT 1 AS one", Disposition::ExternalArrow),
        |_| {},
    )
    .await
    .expect("inline");
    assert_eq!(request_log(&f, "/__files/").await.len(), before);

    // History has both, newest first, with their row counts.
    let entries = history.search(DEMO_ID, "", 10).expect("history");
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0].statement, "SELECT 1 AS one");
    assert_eq!(entries[1].row_count, Some(5000));
    assert!(entries.iter().all(|e| e.status == RunStatus::Succeeded));
}

#[tokio::test]
async fn a_write_is_never_run_twice_when_storage_is_unreachable() {
    use brickdesk_core::sql::runs::Runs;
    let (f, api) = signed_in("sql-no-fallback-for-writes", quick()).await;
    add_faults(
        &f,
        json!([{"path": "/__files/*", "fault": {"kind": "drop_connection", "after_bytes": 0}, "count": 1000}]),
    )
    .await;
    // The emulator cannot run a write; what matters is that Brickdesk does not resubmit a
    // statement it cannot prove read-only. One that names a data-changing word outside
    // literals and comments (here `set`, as a column alias) is treated as a possible write.
    let runs = Runs::default();
    let write = request(
        "WITH t AS (SELECT * FROM range(5000)) SELECT id AS set FROM t",
        Disposition::ExternalArrow,
    );
    let error = runs
        .run(api.clone(), DEMO_ID, write, |_| {})
        .await
        .expect_err("no fallback for a statement that may write");
    assert_eq!(error.code, ErrorCode::Network, "{}", error.message);
    let posts = request_log(&f, "/api/2.0/sql/statements")
        .await
        .into_iter()
        .filter(|(method, _)| method == "POST")
        .count();
    assert_eq!(posts, 1);
}

#[tokio::test]
async fn catalogs_and_schemas_are_listed_for_the_pickers() {
    use brickdesk_core::sql::catalogs;
    let (_f, api) = signed_in("sql-catalogs", quick()).await;
    assert_eq!(
        catalogs::catalogs(&api, None).await.expect("catalogs"),
        ["samples"]
    );
    let schemas = catalogs::schemas(&api, "samples", None)
        .await
        .expect("schemas");
    assert!(schemas.contains(&"nyctaxi".to_owned()), "{schemas:?}");
    let error = catalogs::schemas(&api, "nope", None)
        .await
        .expect_err("missing");
    assert_eq!(error.code, ErrorCode::NotFound, "{}", error.message);
    // The schema browser: tables (no columns asked for), then one table's columns in order.
    let tables = catalogs::tables(&api, "samples", "tpch", None)
        .await
        .expect("tables");
    assert!(
        tables.iter().any(|t| t.name == "orders" && !t.is_view),
        "{tables:?}"
    );
    let trips = catalogs::columns(&api, "samples", "nyctaxi", "trips", None)
        .await
        .expect("columns");
    assert_eq!(trips[0].name, "tpep_pickup_datetime");
    assert_eq!(trips[0].type_text, "timestamp");
    assert!(trips[0].comment.is_some());
    let error = catalogs::columns(&api, "samples", "nyctaxi", "nope", None)
        .await
        .expect_err("missing");
    assert_eq!(error.code, ErrorCode::NotFound, "{}", error.message);
    // A statement with catalog and schema set reads unqualified names there.
    let mut scoped = request("SELECT count(*) AS n FROM trips", Disposition::InlineJson);
    scoped.catalog = Some("samples".into());
    scoped.schema = Some("nyctaxi".into());
    let (_, set) = run(&api, &scoped, &Cancel::default()).await;
    assert_eq!(column(&set.expect("rows"), 0), [Some("21932".to_owned())]);
}
