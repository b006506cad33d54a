//! Recorded real traffic replayed through the core: databricks-jdbc's WireMock recordings of
//! the Statement Execution API and their cloud-storage Arrow bodies (repository
//! `databricks/databricks-jdbc`, `src/test/resources`, commit `e3d0d8d`; captured 2024-11 to
//! 2025-07 against real workspaces). Every recorded body must read (LZ4 frames or plain), and
//! the recorded interval table must read as the JDBC driver's own test expects it.
//!
//! The recordings are not committed (the team's rule for what the library brings: nothing
//! fetched is committed); a developer who has them points `BRICKDESK_RECORDINGS` at the
//! folder holding `src/test/resources` (docs/api-fidelity.md says where they come from).
//! Without them these tests say so and check nothing.

use brickdesk_core::sql::lz4;
use brickdesk_core::sql::result_set::{cells, display_options, formatters};
use std::path::{Path, PathBuf};

fn recordings() -> Option<PathBuf> {
    let root = PathBuf::from(std::env::var_os("BRICKDESK_RECORDINGS")?);
    let resources = root.join("src/test/resources");
    resources.is_dir().then_some(resources)
}

/// Every mapping file under `dir`.
fn mappings(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            mappings(&path, out);
        } else if path.extension().is_some_and(|e| e == "json")
            && path.parent().is_some_and(|p| p.ends_with("mappings"))
        {
            out.push(path);
        }
    }
}

/// A recorded response body: inline base64, or a file under `__files` (`None` when the copy
/// lacks it).
fn body(resources: &Path, mapping: &serde_json::Value) -> Option<Vec<u8>> {
    use base64::Engine as _;
    let response = &mapping["response"];
    if let Some(text) = response["base64Body"].as_str() {
        return base64::engine::general_purpose::STANDARD.decode(text).ok();
    }
    let name = response["bodyFileName"].as_str()?;
    std::fs::read(resources.join("__files").join(name)).ok()
}

/// An Arrow IPC stream's batches, after the LZ4 frames are undone.
fn read(bytes: &[u8]) -> Vec<arrow_array::RecordBatch> {
    try_read(bytes).expect("an Arrow stream")
}

fn try_read(bytes: &[u8]) -> Result<Vec<arrow_array::RecordBatch>, String> {
    let plain = if lz4::is_lz4(bytes) {
        lz4::decompress(bytes, 512 << 20).expect("the recorded frames decompress")
    } else {
        bytes.to_vec()
    };
    arrow_ipc::reader::StreamReader::try_new(std::io::Cursor::new(plain), None)
        .and_then(Iterator::collect)
        .map_err(|e| e.to_string())
}

#[test]
fn every_recorded_result_body_reads_compressed_or_plain() {
    let Some(resources) = recordings() else {
        eprintln!("BRICKDESK_RECORDINGS is not set: no recorded traffic to replay");
        return;
    };
    let mut files = Vec::new();
    mappings(&resources.join("cloudfetchapi"), &mut files);
    let (mut compressed, mut plain, mut rows) = (0, 0, 0usize);
    for file in &files {
        let mapping: serde_json::Value =
            serde_json::from_slice(&std::fs::read(file).expect("mapping")).expect("json");
        // Result chunks only (the folder also holds Unity Catalog volume files).
        let url = &mapping["request"];
        let url = url["url"]
            .as_str()
            .or_else(|| url["urlPath"].as_str())
            .unwrap_or_default();
        if !url.contains("results") {
            continue;
        }
        let Some(bytes) = body(&resources, &mapping) else {
            continue;
        };
        if lz4::is_lz4(&bytes) {
            compressed += 1;
        } else {
            plain += 1;
        }
        let batches = try_read(&bytes)
            .unwrap_or_else(|e| panic!("{}: {} bytes: {e}", file.display(), bytes.len()));
        rows += batches.iter().map(|b| b.num_rows()).sum::<usize>();
    }
    eprintln!("replayed {compressed} LZ4 and {plain} plain bodies, {rows} rows");
    assert!(
        compressed >= 80 && plain >= 1,
        "{compressed} LZ4, {plain} plain"
    );
}

#[test]
fn the_recorded_interval_table_reads_as_the_jdbc_driver_shows_it() {
    let Some(resources) = recordings() else {
        eprintln!("BRICKDESK_RECORDINGS is not set: no recorded traffic to replay");
        return;
    };
    let mut files = Vec::new();
    mappings(
        &resources.join("cloudfetchapi/datatypesintegrationtests/testintervaltypes"),
        &mut files,
    );
    let options = display_options();
    let mut shown = Vec::new();
    for file in &files {
        let mapping: serde_json::Value =
            serde_json::from_slice(&std::fs::read(file).expect("mapping")).expect("json");
        for batch in body(&resources, &mapping)
            .map(|b| read(&b))
            .unwrap_or_default()
        {
            let formatters = formatters(&batch, &options);
            for row in 0..batch.num_rows() {
                shown.extend(cells(&batch, &formatters, row).into_iter().flatten());
            }
        }
    }
    // databricks-jdbc's `DataTypesIntegrationTests.testIntervalTypes` expectations.
    for expected in [
        "100-0",
        "3 00:00:00.000000000",
        "3 04:30:20.123000000",
        "1 03:00:00.000000000",
        "0 01:30:30.500000000",
        "0 00:00:45.789000000",
    ] {
        assert!(
            shown.iter().any(|s| s == expected),
            "{expected} in {shown:?}"
        );
    }
}
