//! Results past the memory limit, through `Runs` against the in-process emulator: a spilled
//! result sorts and filters as DataFusion's own ORDER BY and WHERE say it should (and as the
//! same result held in memory); a disk that fills up stops the download with a clear reason
//! and keeps the rows already here readable; spill files are gone after the result is closed,
//! after the app quits and after it crashes (a child process killed mid-result).

use crate::common;

use brickdesk_core::ErrorCode;
use brickdesk_core::api::Api;
use brickdesk_core::sql::execute::{Disposition, StatementRequest};
use brickdesk_core::sql::result_set::ResultSummary;
use brickdesk_core::sql::runs::{RunEvent, Runs};
use brickdesk_core::sql::spill::{KEEP_FREE, SmallDisk, SpillFolder};
use brickdesk_core::sql::view::{ViewProgress, ViewSpec};
use brickdesk_core::workspace::DEMO_ID;
use common::*;
use std::sync::Mutex;

const WAREHOUSE: &str = "a1b2c3d4e5f60718";

fn request(sql: &str) -> StatementRequest {
    StatementRequest {
        warehouse_id: WAREHOUSE.into(),
        statement: sql.into(),
        catalog: None,
        schema: None,
        parameters: vec![],
        row_limit: None,
        disposition: Disposition::ExternalArrow,
    }
}

/// Runs `sql` into `runs`; its run id and summary.
async fn run(runs: &Runs, api: &Api, sql: &str) -> (u32, ResultSummary) {
    let id = Mutex::new(None);
    let summary = runs
        .run(api.clone(), DEMO_ID, request(sql), |event| {
            if let RunEvent::Started { run_id } = event {
                *id.lock().expect("id") = Some(run_id);
            }
        })
        .await
        .expect("the statement answers");
    let id = id.into_inner().expect("id").expect("started");
    (id, summary)
}

fn all_rows(runs: &Runs, id: u32) -> Vec<Vec<Option<String>>> {
    let shown = runs.summary(id).expect("summary").shown_rows;
    let mut rows = Vec::new();
    while (rows.len() as u32) < shown {
        let window = runs.window(id, rows.len() as u32, 5_000).expect("a window");
        assert!(!window.rows.is_empty(), "rows stop at {}", rows.len());
        rows.extend(window.rows);
    }
    rows
}

/// 40,000 rows with ties, NULLs and text.
const ROWS: &str = "SELECT id, id % 7 AS bucket, \
    CASE WHEN id % 5 = 0 THEN NULL ELSE concat('row ', CAST(id % 13 AS STRING)) END AS label \
    FROM range(40000)";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_spilled_result_sorts_and_filters_as_order_by_and_where_do() {
    let (_f, api) = signed_in_demo("large-sort", alice()).await;
    let in_memory = Runs::new(None);
    let spilled = Runs::new(None);
    spilled.set_memory_limit(64 << 10);
    let (kept, kept_summary) = run(&in_memory, &api, ROWS).await;
    let (disk, disk_summary) = run(&spilled, &api, ROWS).await;
    assert!(!kept_summary.spilled);
    assert!(disk_summary.spilled, "the small limit sent rows to disk");
    assert_eq!(disk_summary.loaded_rows, 40_000);

    // (view, the same rows as the warehouse orders and filters them)
    let cases = [
        (
            ViewSpec {
                sort_column: Some(1),
                ..ViewSpec::default()
            },
            "ORDER BY bucket, id",
        ),
        (
            ViewSpec {
                sort_column: Some(1),
                descending: true,
                ..ViewSpec::default()
            },
            "ORDER BY bucket DESC, id",
        ),
        (
            ViewSpec {
                sort_column: Some(2),
                ..ViewSpec::default()
            },
            "ORDER BY label NULLS LAST, id",
        ),
        (
            ViewSpec {
                filter: "ROW 1".into(),
                ..ViewSpec::default()
            },
            "WHERE lower(label) LIKE '%row 1%' ORDER BY id",
        ),
        (
            ViewSpec {
                sort_column: Some(2),
                descending: true,
                filter: "row 1".into(),
            },
            "WHERE lower(label) LIKE '%row 1%' ORDER BY label DESC NULLS LAST, id",
        ),
    ];
    for (spec, clause) in cases {
        let (oracle, _) = run(
            &in_memory,
            &api,
            &format!("SELECT * FROM ({ROWS}) {clause}"),
        )
        .await;
        let expected = all_rows(&in_memory, oracle);
        let heard = std::sync::Arc::new(Mutex::new(Vec::<ViewProgress>::new()));
        let sink = heard.clone();
        let shown = spilled
            .set_view(disk, spec.clone(), move |p| {
                sink.lock().expect("heard").push(p)
            })
            .await
            .expect("sorted on disk");
        in_memory
            .set_view(kept, spec.clone(), |_| {})
            .await
            .expect("sorted in memory");
        assert_eq!(shown.shown_rows as usize, expected.len(), "{clause}");
        assert_eq!(all_rows(&spilled, disk), expected, "spilled: {clause}");
        assert_eq!(all_rows(&in_memory, kept), expected, "in memory: {clause}");
        let heard = heard.lock().expect("heard");
        assert!(
            heard.last().is_some_and(|p| p.rows_done == 40_000),
            "progress as the batches are read: {heard:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_newer_view_stops_the_one_being_computed() {
    let (_f, api) = signed_in_demo("large-supersede", alice()).await;
    let runs = std::sync::Arc::new(Runs::new(None));
    runs.set_memory_limit(64 << 10);
    let (id, _) = run(&runs, &api, ROWS).await;
    // The first view is held at its first progress until the newer one has begun.
    let (release, held) = std::sync::mpsc::channel::<()>();
    let gate = Mutex::new(Some(held));
    let first = tokio::spawn({
        let runs = runs.clone();
        let slow = ViewSpec {
            sort_column: Some(2),
            descending: false,
            filter: "row".into(),
        };
        async move {
            runs.set_view(id, slow, move |_| {
                if let Some(held) = gate.lock().expect("gate").take() {
                    let _released = held.recv_timeout(std::time::Duration::from_secs(10));
                }
            })
            .await
        }
    });
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let newer = tokio::spawn({
        let runs = runs.clone();
        let spec = ViewSpec {
            filter: "row 12".into(),
            ..ViewSpec::default()
        };
        async move { runs.set_view(id, spec, |_| {}).await }
    });
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    drop(release);
    let stopped = first.await.expect("task").expect_err("replaced");
    assert_eq!(stopped.code, ErrorCode::Cancelled, "{}", stopped.message);
    let shown = newer.await.expect("task").expect("the newer view");
    assert!(shown.shown_rows > 0 && shown.shown_rows < 40_000);
    let rows = all_rows(&runs, id);
    assert!(
        rows.iter()
            .all(|r| r[2].as_deref().is_some_and(|l| l.contains("row 12"))),
        "the newer view is the one shown"
    );
}

/// The ids in column 0 of rows `at` (each must be its row number: `range` in order).
fn assert_ids_in_order(runs: &Runs, id: u32, at: &[u32]) {
    for &row in at {
        let window = runs.window(id, row, 1).expect("readable");
        assert_eq!(
            window.rows[0][0].as_deref(),
            Some(row.to_string().as_str()),
            "row {row}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_disk_that_fills_up_stops_the_download_and_keeps_the_rows_already_here() {
    let (_f, api) = signed_in_demo("large-full-disk", alice()).await;
    // The disk says nothing of its free space, then refuses a write: another program filled it.
    // Chunks are 100,000 rows (800 KB): the first stays in memory, about two fit on the disk.
    let runs = Runs::new(None);
    runs.set_memory_limit(1 << 20);
    runs.set_spill_store(SmallDisk::new(2 << 20, false).shared());
    let (id, summary) = run(&runs, &api, "SELECT * FROM range(500000)").await;
    let reason = summary.stopped.clone().expect("it says why it stopped");
    assert!(reason.starts_with("The disk is full"), "{reason}");
    assert!(summary.truncated && summary.complete && summary.spilled);
    let kept = summary.loaded_rows;
    // Batches are written whole: the first chunk, then as many batches as the disk took.
    assert!(
        kept > 200_000 && kept < 400_000,
        "the rows in memory and on disk are kept: {kept}"
    );
    // Rows from memory and from the spill file are readable, sortable and exportable.
    assert_ids_in_order(&runs, id, &[0, kept / 2, kept - 1]);
    let sorted = runs
        .set_view(
            id,
            ViewSpec {
                sort_column: Some(0),
                descending: true,
                ..ViewSpec::default()
            },
            |_| {},
        )
        .await
        .expect("the rows here still sort");
    assert_eq!(sorted.shown_rows, kept);
    let top = runs.window(id, 0, 1).expect("window");
    assert_eq!(top.rows[0][0], Some((kept - 1).to_string()));

    // A disk that says how little room it has is never filled: the result stops before.
    // The first 100,000-row chunk stays in memory; the rest would need more room than it has.
    let careful = Runs::new(None);
    careful.set_memory_limit(1 << 20);
    careful.set_spill_store(SmallDisk::new(KEEP_FREE + (400 << 10), true).shared());
    let (id, summary) = run(&careful, &api, "SELECT * FROM range(300000)").await;
    let reason = summary.stopped.expect("it says why");
    assert!(
        reason.contains("needs about") && reason.contains(" free"),
        "the sizes are given: {reason}"
    );
    assert_eq!(summary.loaded_rows, 100_000, "the rows in memory are kept");
    assert!(!summary.spilled, "nothing was written");
    assert_ids_in_order(&careful, id, &[0, 99_999]);
}

/// Open descriptors of this process (or `pid`'s) on files in `dir`.
#[cfg(target_os = "linux")]
fn open_in(pid: &str, dir: &std::path::Path) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd"))
        .expect("fds")
        .flatten()
        .filter_map(|fd| std::fs::read_link(fd.path()).ok())
        .filter(|target| target.starts_with(dir))
        .count()
}

#[cfg(target_os = "linux")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_closed_result_leaves_no_spill_file() {
    let (_f, api) = signed_in_demo("large-close", alice()).await;
    let parent = tempfile::tempdir().expect("dir");
    let (folder, _) = SpillFolder::private(parent.path().join("results")).expect("folder");
    let runs = Runs::new(None);
    runs.set_memory_limit(64 << 10);
    runs.set_spill_store(folder.shared());
    let (id, summary) = run(&runs, &api, "SELECT * FROM range(100000)").await;
    assert!(summary.spilled);
    let dir = parent.path().join("results");
    assert_eq!(open_in("self", &dir), 1, "one spill file while it is open");
    assert_eq!(
        std::fs::read_dir(&dir).expect("dir").count(),
        0,
        "with no name"
    );
    runs.close(id);
    assert_eq!(open_in("self", &dir), 0, "closed with the result");
}

/// Run by [`spill_files_are_gone_after_a_quit_and_a_crash`] in a child process: spills a
/// result into `BRICKDESK_SPILL_CHILD`'s folder, says so, then quits or aborts as told.
#[test]
#[ignore = "a child process of the quit-and-crash test"]
fn spill_child() {
    use brickdesk_core::sql::result_set::ResultSet;
    use std::io::BufRead as _;
    let Ok(dir) = std::env::var("BRICKDESK_SPILL_CHILD") else {
        return;
    };
    let (folder, _) = SpillFolder::private(dir.into()).expect("folder");
    let mut set = ResultSet::new(vec![], 100_000, false)
        .with_memory_limit(1)
        .with_spill_store(folder.shared());
    let schema = std::sync::Arc::new(arrow_schema::Schema::new(vec![arrow_schema::Field::new(
        "id",
        arrow_schema::DataType::Int64,
        false,
    )]));
    for start in (0..100_000).step_by(10_000) {
        let ids = arrow_array::Int64Array::from_iter_values(start..start + 10_000);
        let batch =
            arrow_array::RecordBatch::try_new(schema.clone(), vec![std::sync::Arc::new(ids)])
                .expect("batch");
        set.push(batch).expect("spilled");
    }
    assert!(set.summary().spilled);
    // The parent reads this line from the child's stdout.
    #[allow(clippy::print_stdout)]
    {
        println!("spilled");
    }
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).expect("told");
    if line.trim() == "crash" {
        std::process::abort();
    }
}

#[cfg(target_os = "linux")]
#[test]
fn spill_files_are_gone_after_a_quit_and_a_crash() {
    use std::io::{BufRead as _, Write as _};
    for ending in ["quit", "crash"] {
        let parent = tempfile::tempdir().expect("dir");
        let dir = parent.path().join("results");
        let mut child = std::process::Command::new(std::env::current_exe().expect("exe"))
            .args([
                "--exact",
                "large_results::spill_child",
                "--ignored",
                "--nocapture",
            ])
            .env("BRICKDESK_SPILL_CHILD", &dir)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("child");
        let mut out = std::io::BufReader::new(child.stdout.take().expect("stdout"));
        let mut line = String::new();
        while !line.contains("spilled") {
            line.clear();
            assert!(
                out.read_line(&mut line).expect("read") > 0,
                "the child ended early"
            );
        }
        let pid = child.id().to_string();
        assert_eq!(
            open_in(&pid, &dir),
            1,
            "{ending}: the child holds its spill file"
        );
        let mut stdin = child.stdin.take().expect("stdin");
        writeln!(stdin, "{ending}").expect("told");
        let status = child.wait().expect("ended");
        assert_eq!(status.success(), ending == "quit", "{ending}: {status}");
        assert_eq!(
            std::fs::read_dir(&dir).expect("dir").count(),
            0,
            "{ending}: nothing left in the folder"
        );
        let (_, swept) = SpillFolder::private(dir).expect("next start");
        assert_eq!(swept, 0, "{ending}: nothing for the next start to clean");
    }
}
