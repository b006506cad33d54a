//! Statement Execution over real HTTP: states, dispositions and formats, typed parameters,
//! limits, chunk links, external-link rules, warehouse auto-start, and faults.

use crate::common;

use brickdesk_emulator::Config;
use brickdesk_emulator::config::Timings;
use common::*;
use datafusion::arrow::array::{Array, Int64Array};
use datafusion::arrow::ipc::reader::StreamReader;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

const STARTER: &str = "a1b2c3d4e5f60718";
const REPORTING: &str = "5f6e7d8c9b0a1234";

struct Sql {
    server: Server,
    token: String,
}

fn sql_with(timings: Timings) -> Sql {
    let server = start(Config {
        timings,
        ..auto_approve("alice@example.com")
    });
    let token = token_for(&server);
    Sql { server, token }
}

fn sql() -> Sql {
    sql_with(Timings {
        warehouse_start_ms: 200,
        ..Timings::default()
    })
}

impl Sql {
    fn execute(&self, body: Value) -> (u16, Value) {
        let mut body = body;
        if body.get("warehouse_id").is_none() {
            body["warehouse_id"] = json!(STARTER);
        }
        post_json(
            &self.server,
            "/api/2.0/sql/statements",
            body,
            Some(&self.token),
        )
    }

    fn get(&self, path: &str) -> (u16, Value) {
        get_json(&self.server, path, Some(&self.token))
    }

    fn wait_terminal(&self, id: &str) -> Value {
        let started = Instant::now();
        loop {
            let (_, body) = self.get(&format!("/api/2.0/sql/statements/{id}"));
            let state = body["status"]["state"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            if !matches!(state.as_str(), "PENDING" | "RUNNING")
                || started.elapsed() > Duration::from_secs(30)
            {
                return body;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Downloads an external link the way a client must: its headers, no Authorization.
    fn download(&self, link: &Value) -> (u16, Vec<u8>) {
        let mut request = agent().get(link["external_link"].as_str().expect("link"));
        for (name, value) in link["http_headers"].as_object().expect("headers") {
            request = request.header(name.as_str(), value.as_str().unwrap_or_default());
        }
        let mut response = request.call().expect("download");
        let status = response.status().as_u16();
        let mut bytes = Vec::new();
        use std::io::Read;
        let _ = response
            .body_mut()
            .with_config()
            .limit(1 << 30)
            .reader()
            .read_to_end(&mut bytes);
        (status, bytes)
    }
}

fn rows(body: &Value) -> Vec<Vec<Value>> {
    serde_json::from_value(body["result"]["data_array"].clone()).unwrap_or_default()
}

#[test]
fn the_nyctaxi_query_with_a_typed_date_parameter() {
    let s = sql();
    let (status, body) = s.execute(json!({
        "statement": "SELECT count(*) AS trips FROM samples.nyctaxi.trips WHERE tpep_pickup_datetime >= :date",
        "parameters": [{"name": "date", "value": "2016-02-01", "type": "DATE"}],
        "wait_timeout": "30s",
    }));
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"]["state"], "SUCCEEDED", "{body}");
    assert_eq!(body["manifest"]["schema"]["columns"][0]["name"], "trips");
    assert_eq!(
        body["manifest"]["schema"]["columns"][0]["type_name"],
        "LONG"
    );
    let with_parameter: u64 = rows(&body)[0][0]
        .as_str()
        .expect("string cell")
        .parse()
        .expect("count");
    assert!(
        (5_000..21_932).contains(&with_parameter),
        "{with_parameter}"
    );

    let (_, literal) = s.execute(json!({
        "statement": "SELECT count(*) FROM samples.nyctaxi.trips WHERE tpep_pickup_datetime >= TIMESTAMP '2016-02-01 00:00:00'",
        "wait_timeout": "30s",
    }));
    assert_eq!(
        rows(&literal)[0][0],
        json!(with_parameter.to_string()),
        "the parameter is a typed DATE, not text"
    );

    // A parameter value is never SQL: an injection attempt is just a string that fails to cast.
    let (_, injected) = s.execute(json!({
        "statement": "SELECT count(*) FROM samples.nyctaxi.trips WHERE pickup_zip = :zip",
        "parameters": [{"name": "zip", "value": "10001 OR 1=1", "type": "INT"}],
        "wait_timeout": "30s",
    }));
    assert_eq!(injected["status"]["state"], "FAILED", "{injected}");
    assert_eq!(injected["status"]["sql_state"], "22018");
}

#[test]
fn business_sql_three_part_names_backticks_and_defaults() {
    let s = sql();
    let (_, body) = s.execute(json!({
        "statement": "SELECT pickup_zip, count(*) AS n, round(avg(fare_amount), 2) AS avg_fare FROM `samples`.`nyctaxi`.`trips` GROUP BY pickup_zip ORDER BY n DESC LIMIT 5",
        "wait_timeout": "30s",
    }));
    assert_eq!(body["status"]["state"], "SUCCEEDED", "{body}");
    assert_eq!(rows(&body).len(), 5);
    let types: Vec<&str> = body["manifest"]["schema"]["columns"]
        .as_array()
        .expect("cols")
        .iter()
        .filter_map(|c| c["type_name"].as_str())
        .collect();
    assert_eq!(types, ["INT", "LONG", "DOUBLE"]);

    let (_, body) = s.execute(json!({"statement": "SELECT count(*) FROM nation", "catalog": "samples", "schema": "tpch", "wait_timeout": "30s"}));
    assert_eq!(rows(&body), [[json!("25")]], "{body}");

    let (_, body) = s.execute(json!({
        "statement": "SELECT date_trunc('month', tpep_pickup_datetime) AS month, count(*) AS trips FROM samples.nyctaxi.trips GROUP BY 1 ORDER BY 1",
        "wait_timeout": "30s",
    }));
    let months: Vec<Value> = rows(&body).iter().map(|r| r[0].clone()).collect();
    assert_eq!(
        months,
        [
            json!("2016-01-01T00:00:00.000Z"),
            json!("2016-02-01T00:00:00.000Z")
        ],
        "{body}"
    );
}

#[test]
fn databricks_date_functions() {
    let s = sql();
    let (_, body) = s.execute(json!({
        "statement": "SELECT year(tpep_pickup_datetime) AS y, month(tpep_pickup_datetime) AS m, quarter(tpep_pickup_datetime) AS q, count(*) AS trips FROM samples.nyctaxi.trips GROUP BY 1, 2, 3 ORDER BY 1, 2",
        "wait_timeout": "30s",
    }));
    assert_eq!(body["status"]["state"], "SUCCEEDED", "{body}");
    let periods: Vec<Vec<Value>> = rows(&body).into_iter().map(|r| r[..3].to_vec()).collect();
    assert_eq!(
        periods,
        [
            [json!("2016"), json!("1"), json!("1")],
            [json!("2016"), json!("2"), json!("1")]
        ]
    );
    let total: u64 = rows(&body)
        .iter()
        .map(|r| r[3].as_str().unwrap_or("0").parse::<u64>().unwrap_or(0))
        .sum();
    assert_eq!(total, 21_932);
    assert_eq!(body["manifest"]["schema"]["columns"][0]["type_name"], "INT");

    let (_, body) = s.execute(json!({
        "statement": "SELECT day(o_orderdate), dayofmonth(o_orderdate), weekofyear(o_orderdate) FROM samples.tpch.orders WHERE o_orderkey = 4",
        "wait_timeout": "30s",
    }));
    let row = &rows(&body)[0];
    assert_eq!(row[0], row[1], "{body}");
}

#[test]
fn databricks_date_arithmetic_and_formatting() {
    let s = sql();
    let (_, body) = s.execute(json!({
        "statement": "SELECT date_add(DATE'2016-02-27', 3) AS added, date_sub('2016-03-01', 1) AS subtracted, \
            datediff(DATE'2016-03-01', DATE'2016-01-01') AS days, dayofweek(DATE'2016-01-03') AS sunday, \
            dayofweek(TIMESTAMP'2016-01-09 10:00:00') AS saturday, last_day(DATE'2016-02-10') AS month_end, \
            date_format(TIMESTAMP'2016-01-05 14:07:09', 'EEE, d MMM yyyy HH:mm') AS formatted, \
            date_format(DATE'2016-02-01', 'MMMM yyyy') AS month_name, date_add(NULL, 1) AS nothing",
        "wait_timeout": "30s",
    }));
    assert_eq!(body["status"]["state"], "SUCCEEDED", "{body}");
    assert_eq!(
        rows(&body)[0],
        [
            json!("2016-03-01"),
            json!("2016-02-29"),
            json!("60"),
            json!("1"),
            json!("7"),
            json!("2016-02-29"),
            json!("Tue, 5 Jan 2016 14:07"),
            json!("February 2016"),
            Value::Null,
        ]
    );
    let types: Vec<&str> = body["manifest"]["schema"]["columns"]
        .as_array()
        .expect("columns")
        .iter()
        .filter_map(|c| c["type_name"].as_str())
        .collect();
    assert_eq!(&types[..4], ["DATE", "DATE", "INT", "INT"]);

    // A Genie-style monthly breakdown over the sample data.
    let (_, body) = s.execute(json!({
        "statement": "SELECT date_format(tpep_pickup_datetime, 'yyyy-MM') AS month, count(*) AS trips \
            FROM samples.nyctaxi.trips GROUP BY 1 ORDER BY 1",
        "wait_timeout": "30s",
    }));
    let months: Vec<Value> = rows(&body).into_iter().map(|r| r[0].clone()).collect();
    assert_eq!(months, [json!("2016-01"), json!("2016-02")], "{body}");

    let (_, body) = s.execute(json!({
        "statement": "SELECT date_format(DATE'2016-01-01', 'yyyy-QQ')",
        "wait_timeout": "30s",
    }));
    assert_eq!(body["status"]["state"], "FAILED", "{body}");
    let message = body["status"]["error"]["message"]
        .as_str()
        .unwrap_or_default();
    assert!(
        message.contains("Unsupported datetime pattern letter 'Q'"),
        "{message}"
    );
}

#[test]
fn sql_errors_are_failed_statements_with_real_messages() {
    let s = sql();
    let (status, body) = s
        .execute(json!({"statement": "SELECT * FROM samples.nyctaxi.nope", "wait_timeout": "30s"}));
    assert_eq!(status, 200, "FAILED still answers 200");
    assert_eq!(body["status"]["state"], "FAILED");
    assert_eq!(body["status"]["sql_state"], "42P01");
    assert!(
        body["status"]["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("TABLE_OR_VIEW_NOT_FOUND")),
        "{body}"
    );
    assert!(body.get("manifest").is_none() && body.get("result").is_none());

    let (_, body) = s.execute(json!({"statement": "SELECT * FROM samples.nyctaxi.trips WHERE x = :missing", "wait_timeout": "30s"}));
    assert!(
        body["status"]["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("UNBOUND_SQL_PARAMETER")),
        "{body}"
    );
}

#[test]
fn invalid_requests_are_rejected_before_running() {
    let s = sql();
    let cases = [
        (json!({"statement": "SELECT 1", "wait_timeout": "3s"}), 400),
        (json!({"statement": "SELECT 1", "wait_timeout": "51s"}), 400),
        (
            json!({"statement": "SELECT 1", "format": "ARROW_STREAM"}),
            400,
        ),
        (
            json!({"statement": "SELECT 1", "disposition": "SOMEWHERE"}),
            400,
        ),
        (
            json!({"statement": "SELECT 1", "on_wait_timeout": "PANIC"}),
            400,
        ),
        (json!({"statement": "  "}), 400),
        (json!({"statement": "SELECT 1", "warehouse_id": ""}), 400),
        (
            json!({"statement": "SELECT 1", "warehouse_id": "ffffffffffffffff"}),
            404,
        ),
        (json!({"statement": "SELECT 1", "row_limit": "many"}), 400),
    ];
    for (body, expected) in cases {
        let (status, answer) = s.execute(body.clone());
        assert_eq!(status, expected, "{body} → {answer}");
    }
    let server = start(auto_approve("bob@example.com"));
    let token = token_for(&server);
    let (status, body) = post_json(
        &server,
        "/api/2.0/sql/statements",
        json!({"statement": "SELECT 1", "warehouse_id": "b0b0b0b0b0b0b0b0"}),
        Some(&token),
    );
    assert_eq!(
        (status, body["error_code"].as_str()),
        (403, Some("PERMISSION_DENIED"))
    );
}

#[test]
fn asynchronous_execution_polling_and_cancel() {
    let s = sql_with(Timings {
        statement_ms: 400,
        ..Timings::default()
    });
    let (_, body) = s.execute(json!({"statement": "SELECT 1 AS one", "wait_timeout": "0s"}));
    let state = body["status"]["state"].as_str().expect("state");
    assert!(matches!(state, "PENDING" | "RUNNING"), "{body}");
    let id = body["statement_id"].as_str().expect("id").to_owned();
    let done = s.wait_terminal(&id);
    assert_eq!(done["status"]["state"], "SUCCEEDED");
    assert_eq!(rows(&done), [[json!("1")]]);

    let (_, body) = s.execute(json!({"statement": "SELECT 2", "wait_timeout": "0s"}));
    let id = body["statement_id"].as_str().expect("id").to_owned();
    let (status, receipt) = post_json(
        &s.server,
        &format!("/api/2.0/sql/statements/{id}/cancel"),
        json!({}),
        Some(&s.token),
    );
    assert_eq!((status, receipt), (200, json!({})));
    assert_eq!(s.wait_terminal(&id)["status"]["state"], "CANCELED");

    let (status, _) = s.get("/api/2.0/sql/statements/00000000-0000-0000-0000-000000000000");
    assert_eq!(status, 404);
}

#[test]
fn wait_timeout_with_cancel_gives_up_on_slow_statements() {
    let s = sql_with(Timings {
        statement_ms: 7_000,
        ..Timings::default()
    });
    let started = Instant::now();
    let (_, body) = s.execute(
        json!({"statement": "SELECT 1", "wait_timeout": "5s", "on_wait_timeout": "CANCEL"}),
    );
    assert_eq!(body["status"]["state"], "CANCELED", "{body}");
    assert!(started.elapsed() >= Duration::from_secs(5));
    let (_, body) = s.execute(json!({"statement": "SELECT 1", "wait_timeout": "5s"}));
    assert_eq!(
        body["status"]["state"], "RUNNING",
        "CONTINUE is the default: {body}"
    );
}

#[test]
fn a_statement_starts_a_stopped_warehouse() {
    let s = sql_with(Timings {
        warehouse_start_ms: 300,
        ..Timings::default()
    });
    let (_, body) = s
        .execute(json!({"statement": "SELECT 1", "warehouse_id": REPORTING, "wait_timeout": "0s"}));
    assert_eq!(
        body["status"]["state"], "PENDING",
        "waiting for the warehouse: {body}"
    );
    let (_, warehouse) = s.get(&format!("/api/2.0/sql/warehouses/{REPORTING}"));
    assert_eq!(warehouse["state"], "STARTING");
    let done = s.wait_terminal(body["statement_id"].as_str().expect("id"));
    assert_eq!(done["status"]["state"], "SUCCEEDED");
    let (_, warehouse) = s.get(&format!("/api/2.0/sql/warehouses/{REPORTING}"));
    assert_eq!(warehouse["state"], "RUNNING");

    let s = sql_with(Timings {
        warehouse_start_ms: 100,
        ..Timings::default()
    });
    post_json(
        &s.server,
        "/__emulator/faults",
        json!({"path": "*", "fault": {"kind": "warehouse_start_failure"}, "count": 1}),
        None,
    );
    let (_, body) = s
        .execute(json!({"statement": "SELECT 1", "warehouse_id": REPORTING, "wait_timeout": "0s"}));
    let done = s.wait_terminal(body["statement_id"].as_str().expect("id"));
    assert_eq!(done["status"]["state"], "FAILED", "{done}");
    assert!(
        done["status"]["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("failed to start"))
    );
}

#[test]
fn inline_chunks_link_to_each_other_and_row_limit_truncates() {
    let s = sql_with(Timings {
        chunk_rows: 1000,
        ..Timings::default()
    });
    let (_, body) =
        s.execute(json!({"statement": "SELECT * FROM range(2500)", "wait_timeout": "30s"}));
    let manifest = &body["manifest"];
    assert_eq!(manifest["total_chunk_count"], 3);
    assert_eq!(manifest["total_row_count"], 2500);
    assert_eq!(manifest["truncated"], false);
    assert_eq!(
        manifest["schema"]["columns"][0]["name"], "id",
        "range() yields id, as on Databricks"
    );
    let mut ids: Vec<String> = rows(&body)
        .into_iter()
        .map(|r| r[0].as_str().unwrap_or_default().to_owned())
        .collect();
    let mut next = body["result"]["next_chunk_internal_link"]
        .as_str()
        .map(str::to_owned);
    while let Some(link) = next {
        let (status, chunk) = s.get(&link);
        assert_eq!(status, 200);
        assert_eq!(chunk["row_offset"].as_u64(), Some(ids.len() as u64));
        let data: Vec<Vec<Value>> =
            serde_json::from_value(chunk["data_array"].clone()).expect("rows");
        ids.extend(
            data.into_iter()
                .map(|r| r[0].as_str().unwrap_or_default().to_owned()),
        );
        next = chunk["next_chunk_internal_link"]
            .as_str()
            .map(str::to_owned);
    }
    assert_eq!(ids.len(), 2500);
    assert!(
        ids.iter().enumerate().all(|(i, id)| *id == i.to_string()),
        "contiguous ids across chunks"
    );
    let id = body["statement_id"].as_str().expect("id");
    assert_eq!(
        s.get(&format!("/api/2.0/sql/statements/{id}/result/chunks/3"))
            .0,
        400
    );

    let (_, body) = s.execute(
        json!({"statement": "SELECT * FROM range(2500)", "row_limit": 1200, "wait_timeout": "30s"}),
    );
    assert_eq!(body["manifest"]["truncated"], true);
    assert_eq!(body["manifest"]["total_row_count"], 1200);
    let (_, body) = s.execute(json!({"statement": "SELECT * FROM range(2500)", "byte_limit": "4000", "wait_timeout": "30s"}));
    assert_eq!(body["manifest"]["truncated"], true, "{}", body["manifest"]);
}

#[test]
fn external_links_serve_arrow_chunks_only_without_authorization() {
    let s = sql_with(Timings {
        chunk_rows: 100_000,
        ..Timings::default()
    });
    let (_, body) = s.execute(json!({
        "statement": "SELECT id, id * 2 AS twice, concat('row-', cast(id AS STRING)) AS label FROM range(250000)",
        "disposition": "EXTERNAL_LINKS", "format": "ARROW_STREAM", "wait_timeout": "30s",
    }));
    assert_eq!(body["status"]["state"], "SUCCEEDED", "{body}");
    assert_eq!(body["manifest"]["total_chunk_count"], 3);
    assert!(
        body["manifest"]["total_byte_count"]
            .as_u64()
            .is_some_and(|b| b > 250_000 * 16)
    );
    let id = body["statement_id"].as_str().expect("id").to_owned();
    let mut ids = Vec::new();
    for index in 0..3 {
        let link = if index == 0 {
            body["result"]["external_links"][0].clone()
        } else {
            s.get(&format!(
                "/api/2.0/sql/statements/{id}/result/chunks/{index}"
            ))
            .1["external_links"][0]
                .clone()
        };
        assert_eq!(link["chunk_index"], index);
        assert!(
            link["expiration"]
                .as_str()
                .is_some_and(|e| e.ends_with('Z'))
        );
        let (status, bytes) = s.download(&link);
        assert_eq!(status, 200);
        for batch in StreamReader::try_new(std::io::Cursor::new(bytes), None).expect("arrow stream")
        {
            let batch = batch.expect("batch");
            // Strings come as Spark sends them: Utf8, not DataFusion's Utf8View.
            assert_eq!(
                batch.schema().field(2).data_type(),
                &datafusion::arrow::datatypes::DataType::Utf8
            );
            let column = batch
                .column(0)
                .as_any()
                .downcast_ref::<Int64Array>()
                .expect("id column");
            ids.extend(column.values().iter().copied());
        }
    }
    let first_wrong = ids.iter().enumerate().find(|(i, id)| **id != *i as i64);
    assert_eq!(
        (ids.len(), first_wrong),
        (250_000, None),
        "no row lost, duplicated or reordered"
    );

    let link = body["result"]["external_links"][0].clone();
    let url = link["external_link"].as_str().expect("url");
    let (status, _) = read(
        agent()
            .get(url)
            .header("Authorization", &format!("Bearer {}", s.token))
            .call()
            .expect("call"),
    );
    assert_eq!(
        status, 400,
        "an Authorization header is refused, like a presigned URL"
    );
    assert_eq!(
        agent().get(url).call().expect("call").status().as_u16(),
        403,
        "the advertised header is required"
    );
}

#[test]
fn expired_links_are_refreshed_through_the_chunk_endpoint() {
    let s = sql_with(Timings {
        external_link_secs: 1,
        ..Timings::default()
    });
    let (_, body) = s.execute(json!({"statement": "SELECT * FROM range(10)", "disposition": "EXTERNAL_LINKS", "format": "JSON_ARRAY", "wait_timeout": "30s"}));
    let link = body["result"]["external_links"][0].clone();
    std::thread::sleep(Duration::from_millis(1100));
    let (status, text) = s.download(&link);
    assert_eq!(status, 403);
    assert!(String::from_utf8_lossy(&text).contains("Request has expired"));
    let id = body["statement_id"].as_str().expect("id");
    let fresh = s
        .get(&format!("/api/2.0/sql/statements/{id}/result/chunks/0"))
        .1["external_links"][0]
        .clone();
    let (status, bytes) = s.download(&fresh);
    assert_eq!(status, 200);
    let parsed: Vec<Vec<String>> = serde_json::from_slice(&bytes).expect("json chunk");
    assert_eq!(parsed.len(), 10);

    // The expired_link fault does the same on demand.
    post_json(
        &s.server,
        "/__emulator/faults",
        json!({"path": "/__files/*", "fault": {"kind": "expired_link"}, "count": 1}),
        None,
    );
    let again = s
        .get(&format!("/api/2.0/sql/statements/{id}/result/chunks/0"))
        .1["external_links"][0]
        .clone();
    assert_eq!(s.download(&again).0, 403);
    assert_eq!(s.download(&again).0, 200);
}

#[test]
fn csv_has_the_header_in_the_first_chunk_only_and_a_drop_cuts_a_chunk() {
    let s = sql_with(Timings {
        chunk_rows: 3,
        ..Timings::default()
    });
    let (_, body) = s.execute(json!({"statement": "SELECT id, 'x,y' AS label FROM range(5)", "disposition": "EXTERNAL_LINKS", "format": "CSV", "wait_timeout": "30s"}));
    let id = body["statement_id"].as_str().expect("id");
    let first =
        String::from_utf8(s.download(&body["result"]["external_links"][0]).1).expect("utf8");
    assert_eq!(first, "id,label\r\n0,\"x,y\"\r\n1,\"x,y\"\r\n2,\"x,y\"\r\n");
    let second_link = s
        .get(&format!("/api/2.0/sql/statements/{id}/result/chunks/1"))
        .1["external_links"][0]
        .clone();
    post_json(
        &s.server,
        "/__emulator/faults",
        json!({"path": "/__files/*", "fault": {"kind": "drop_connection", "after_bytes": 5}, "count": 1}),
        None,
    );
    let mut request = agent().get(second_link["external_link"].as_str().expect("url"));
    for (name, value) in second_link["http_headers"].as_object().expect("headers") {
        request = request.header(name.as_str(), value.as_str().unwrap_or_default());
    }
    assert!(
        request
            .call()
            .expect("headers")
            .body_mut()
            .read_to_string()
            .is_err(),
        "cut mid-body"
    );
    let second = String::from_utf8(s.download(&second_link).1).expect("utf8");
    assert_eq!(
        second, "3,\"x,y\"\r\n4,\"x,y\"\r\n",
        "the retry gets the whole chunk"
    );
}

#[test]
fn inline_results_over_25_mib_fail_and_results_close_after_their_lifetime() {
    let s = sql();
    let (_, body) = s.execute(json!({"statement": "SELECT id, id AS b, id AS c FROM range(1500000)", "wait_timeout": "50s"}));
    assert_eq!(body["status"]["state"], "FAILED", "{}", body["status"]);
    assert!(
        body["status"]["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("25 MiB"))
    );

    let s = sql_with(Timings {
        result_ttl_secs: 0,
        ..Timings::default()
    });
    let (_, body) = s.execute(json!({"statement": "SELECT 1", "wait_timeout": "30s"}));
    let id = body["statement_id"].as_str().expect("id");
    let (_, later) = s.get(&format!("/api/2.0/sql/statements/{id}"));
    assert_eq!(later["status"]["state"], "CLOSED");
    assert!(later.get("result").is_none());
    assert_eq!(
        s.get(&format!("/api/2.0/sql/statements/{id}/result/chunks/0"))
            .0,
        400
    );
}

#[test]
fn another_user_cannot_read_my_statement() {
    let s = sql();
    let (_, body) = s.execute(json!({"statement": "SELECT 1", "wait_timeout": "30s"}));
    let id = body["statement_id"].as_str().expect("id");
    let (_, tokens) = post_form(
        &s.server,
        "/oidc/v1/token",
        &[("grant_type", "client_credentials")],
        Some(("kpi-bot", "kpi-bot-secret")),
    );
    let (status, _) = get_json(
        &s.server,
        &format!("/api/2.0/sql/statements/{id}"),
        tokens["access_token"].as_str(),
    );
    assert_eq!(status, 403);
}

/// Every chunk of a result as its external links serve it, and the manifest's byte counts.
fn downloaded_chunks(s: &Sql, body: &Value) -> (Vec<Vec<u8>>, Vec<u64>) {
    let id = body["statement_id"].as_str().expect("id").to_owned();
    let count = body["manifest"]["total_chunk_count"]
        .as_u64()
        .expect("count") as usize;
    let announced = body["manifest"]["chunks"]
        .as_array()
        .expect("chunks")
        .iter()
        .map(|c| c["byte_count"].as_u64().expect("byte_count"))
        .collect();
    let chunks = (0..count)
        .map(|index| {
            let (_, page) = s.get(&format!(
                "/api/2.0/sql/statements/{id}/result/chunks/{index}"
            ));
            let (status, bytes) = s.download(&page["external_links"][0]);
            assert_eq!(status, 200);
            bytes
        })
        .collect();
    (chunks, announced)
}

#[test]
fn chunks_past_the_memory_budget_are_served_from_disk_byte_for_byte() {
    let statement = json!({
        "statement": "SELECT id, concat('row-', cast(id AS STRING)) AS label FROM range(250000)",
        "disposition": "EXTERNAL_LINKS", "format": "ARROW_STREAM", "wait_timeout": "30s",
    });
    let timings = Timings {
        chunk_rows: 100_000,
        ..Timings::default()
    };
    let in_memory = sql_with(timings.clone());
    let (_, body) = in_memory.execute(statement.clone());
    let (expected, expected_counts) = downloaded_chunks(&in_memory, &body);

    let server = start(Config {
        timings,
        result_memory_mib: 0,
        ..auto_approve("alice@example.com")
    });
    let token = token_for(&server);
    let on_disk = Sql { server, token };
    let (_, body) = on_disk.execute(statement);
    assert_eq!(body["status"]["state"], "SUCCEEDED", "{body}");
    let (chunks, counts) = downloaded_chunks(&on_disk, &body);
    assert_eq!(chunks.len(), 3);
    assert_eq!(counts, expected_counts, "the same byte counts announced");
    assert!(chunks == expected, "the same bytes served");
    let sizes: Vec<u64> = chunks.iter().map(|c| c.len() as u64).collect();
    assert_eq!(sizes, counts);
}
