//! The shapes the emulator serves beyond the everyday ones, each as a public source describes
//! it (docs/api-fidelity.md): TIMESTAMP in the session time zone (Arrow and JSON), several
//! external links in one response, Unity Catalog paging, `SHOW CATALOGS`/`SHOW SCHEMAS`, and
//! every answer of `/.well-known/databricks-config` the SDKs fall back from.

use crate::common;

use brickdesk_emulator::Config;
use brickdesk_emulator::config::{HostMetadataMode, Timings};
use common::*;
use datafusion::arrow::datatypes::{DataType, TimeUnit};
use datafusion::arrow::ipc::reader::StreamReader;
use serde_json::{Value, json};

const STARTER: &str = "a1b2c3d4e5f60718";

fn run(server: &Server, token: &str, body: Value) -> Value {
    let mut body = body;
    body["warehouse_id"] = json!(STARTER);
    body["wait_timeout"] = json!("30s");
    let (status, response) = post_json(server, "/api/2.0/sql/statements", body, Some(token));
    assert_eq!(status, 200, "{response}");
    assert_eq!(response["status"]["state"], "SUCCEEDED", "{response}");
    response
}

#[test]
fn timestamps_carry_the_session_time_zone_in_arrow_and_json() {
    let server = start(Config {
        session_time_zone: "America/New_York".into(),
        ..auto_approve("alice@example.com")
    });
    let token = token_for(&server);
    let sql = "SELECT to_timestamp('2016-01-05T14:07:00Z') AS at";
    let inline = run(&server, &token, json!({ "statement": sql }));
    assert_eq!(
        inline["result"]["data_array"],
        json!([["2016-01-05T09:07:00.000-05:00"]])
    );
    assert_eq!(
        inline["manifest"]["schema"]["columns"][0]["type_name"],
        "TIMESTAMP"
    );
    let arrow = run(
        &server,
        &token,
        json!({ "statement": sql, "disposition": "EXTERNAL_LINKS", "format": "ARROW_STREAM" }),
    );
    let link = &arrow["result"]["external_links"][0];
    let url = link["external_link"].as_str().expect("link");
    let mut request = agent().get(url);
    for (name, value) in link["http_headers"].as_object().expect("headers") {
        request = request.header(name.as_str(), value.as_str().expect("value"));
    }
    let bytes = request
        .call()
        .expect("download")
        .body_mut()
        .read_to_vec()
        .expect("bytes");
    let reader = StreamReader::try_new(std::io::Cursor::new(bytes), None).expect("arrow");
    assert_eq!(
        reader.schema().field(0).data_type(),
        &DataType::Timestamp(TimeUnit::Microsecond, Some("America/New_York".into())),
        "Spark's ArrowUtils: TimestampType is zoned in the session time zone"
    );
}

#[test]
fn the_default_session_zone_is_utc_spelled_as_spark_spells_it() {
    let server = start(auto_approve("alice@example.com"));
    let token = token_for(&server);
    let inline = run(
        &server,
        &token,
        json!({ "statement": "SELECT to_timestamp('2016-01-05T14:07:00Z') AS at" }),
    );
    assert_eq!(
        inline["result"]["data_array"],
        json!([["2016-01-05T14:07:00.000Z"]])
    );
    assert!(Config::default().session_time_zone == "Etc/UTC");
}

#[test]
fn several_links_come_in_one_response_when_configured() {
    let server = start(Config {
        timings: Timings {
            chunk_rows: 10,
            external_links_per_response: 3,
            ..Timings::default()
        },
        ..auto_approve("alice@example.com")
    });
    let token = token_for(&server);
    let first = run(
        &server,
        &token,
        json!({ "statement": "SELECT id FROM range(45)", "disposition": "EXTERNAL_LINKS", "format": "ARROW_STREAM" }),
    );
    let indices: Vec<u64> = first["result"]["external_links"]
        .as_array()
        .expect("links")
        .iter()
        .map(|l| l["chunk_index"].as_u64().expect("index"))
        .collect();
    assert_eq!(indices, [0, 1, 2]);
    let id = first["statement_id"].as_str().expect("id");
    let (_, last) = get_json(
        &server,
        &format!("/api/2.0/sql/statements/{id}/result/chunks/3"),
        Some(&token),
    );
    let tail: Vec<u64> = last["external_links"]
        .as_array()
        .expect("links")
        .iter()
        .map(|l| l["chunk_index"].as_u64().expect("index"))
        .collect();
    assert_eq!(tail, [3, 4], "up to the last chunk");
    assert!(last["external_links"][1].get("next_chunk_index").is_none());
}

#[test]
fn unity_catalog_lists_page_and_can_refuse_unpaginated_calls() {
    let mut config = auto_approve("alice@example.com");
    config.unity_catalog.page_size = 2;
    config.unity_catalog.unpaginated_allowed = false;
    let server = start(config);
    let token = token_for(&server);
    let (status, refused) = get_json(
        &server,
        "/api/2.1/unity-catalog/schemas?catalog_name=samples",
        Some(&token),
    );
    assert_eq!(
        (status, refused["error_code"].as_str()),
        (400, Some("INVALID_PARAMETER_VALUE"))
    );
    let (_, first) = get_json(
        &server,
        "/api/2.1/unity-catalog/schemas?catalog_name=samples&max_results=0",
        Some(&token),
    );
    assert_eq!(first["schemas"].as_array().expect("page").len(), 2);
    let next = first["next_page_token"].as_str().expect("more");
    let (_, second) = get_json(
        &server,
        &format!(
            "/api/2.1/unity-catalog/schemas?catalog_name=samples&max_results=0&page_token={next}"
        ),
        Some(&token),
    );
    assert_eq!(second["schemas"].as_array().expect("page").len(), 1);
    assert!(second.get("next_page_token").is_none(), "the last page");
}

#[test]
fn show_catalogs_and_schemas_answer_in_sql() {
    let server = start(auto_approve("alice@example.com"));
    let token = token_for(&server);
    let catalogs = run(&server, &token, json!({ "statement": "SHOW CATALOGS" }));
    assert_eq!(
        catalogs["manifest"]["schema"]["columns"][0]["name"],
        "catalog"
    );
    assert_eq!(catalogs["result"]["data_array"], json!([["samples"]]));
    let schemas = run(
        &server,
        &token,
        json!({ "statement": "SHOW SCHEMAS IN `samples`;" }),
    );
    assert_eq!(
        schemas["manifest"]["schema"]["columns"][0]["name"],
        "databaseName"
    );
    assert!(
        schemas["result"]["data_array"]
            .as_array()
            .expect("rows")
            .contains(&json!(["nyctaxi"]))
    );
}

#[test]
fn host_metadata_answers_every_way_the_sdks_fall_back_from() {
    for (mode, status) in [
        (HostMetadataMode::Missing, 404),
        (HostMetadataMode::Redirect, 302),
        (HostMetadataMode::Unauthorized, 401),
        (HostMetadataMode::Forbidden, 403),
        (HostMetadataMode::ServerError, 500),
        (HostMetadataMode::Html, 200),
    ] {
        let server = start(Config {
            host_metadata: mode,
            ..Config::default()
        });
        let response = agent()
            .get(format!("{}/.well-known/databricks-config", server.base))
            .call()
            .expect("answer");
        assert_eq!(response.status().as_u16(), status, "{mode:?}");
    }
    let server = start(Config {
        host_metadata: HostMetadataMode::AccountPlaceholder,
        ..Config::default()
    });
    let (_, document) = get_json(&server, "/.well-known/databricks-config", None);
    assert_eq!(
        document["oidc_endpoint"],
        format!("{}/oidc/accounts/{{account_id}}", server.base)
    );
}
