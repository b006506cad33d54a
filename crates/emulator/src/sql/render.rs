//! Result rendering: the manifest's column types, and chunk bodies in each format.
//!
//! JSON_ARRAY cells are strings (numbers, dates, booleans all stringified) or `null`;
//! ARROW_STREAM chunks are Arrow IPC streams; CSV chunks are RFC 4180 with the header in
//! chunk 0 only, and SQL NULL written as `null`.

use datafusion::arrow::array::{Array, RecordBatch};
use datafusion::arrow::datatypes::{DataType, Schema};
use datafusion::arrow::ipc::writer::StreamWriter;
use datafusion::arrow::util::display::{ArrayFormatter, FormatOptions};
use serde_json::{Value, json};

/// `manifest.schema` for an Arrow schema, with Databricks type names.
pub fn manifest_schema(schema: &Schema) -> Value {
    let columns: Vec<Value> = schema
        .fields()
        .iter()
        .enumerate()
        .map(|(position, field)| {
            let (type_name, type_text) = databricks_type(field.data_type());
            let mut column = json!({
                "name": field.name(),
                "position": position,
                "type_name": type_name,
                "type_text": type_text,
            });
            if let DataType::Decimal128(precision, scale) = field.data_type() {
                column["type_precision"] = json!(precision);
                column["type_scale"] = json!(scale);
            }
            column
        })
        .collect();
    json!({ "column_count": columns.len(), "columns": columns })
}

/// (`type_name`, `type_text`) as Databricks reports them.
pub fn databricks_type(data_type: &DataType) -> (&'static str, String) {
    let simple = |name: &'static str| (name, name.to_owned());
    match data_type {
        DataType::Boolean => simple("BOOLEAN"),
        DataType::Int8 | DataType::UInt8 => ("BYTE", "TINYINT".into()),
        DataType::Int16 | DataType::UInt16 => ("SHORT", "SMALLINT".into()),
        DataType::Int32 | DataType::UInt32 => ("INT", "INT".into()),
        DataType::Int64 | DataType::UInt64 => ("LONG", "BIGINT".into()),
        DataType::Float16 | DataType::Float32 => simple("FLOAT"),
        DataType::Float64 => simple("DOUBLE"),
        DataType::Decimal128(p, s) | DataType::Decimal256(p, s) => {
            ("DECIMAL", format!("DECIMAL({p},{s})"))
        }
        DataType::Date32 | DataType::Date64 => simple("DATE"),
        DataType::Timestamp(..) => simple("TIMESTAMP"),
        DataType::Binary | DataType::LargeBinary | DataType::BinaryView => simple("BINARY"),
        DataType::Null => ("NULL", "VOID".into()),
        DataType::List(_) | DataType::LargeList(_) | DataType::FixedSizeList(..) => {
            ("ARRAY", "ARRAY<STRING>".into())
        }
        DataType::Struct(_) => ("STRUCT", "STRUCT<>".into()),
        DataType::Map(..) => ("MAP", "MAP<STRING,STRING>".into()),
        DataType::Interval(_) | DataType::Duration(_) => simple("INTERVAL"),
        _ => simple("STRING"),
    }
}

/// Timestamps as ISO 8601 text: a TIMESTAMP as wall-clock time in its (session) zone with the
/// zone's offset, `Z` for UTC (`2016-01-05T14:07:00.000Z`, the shape seen in recorded INLINE
/// results; the offset form for other zones is unconfirmed, so the client reads both and
/// plain `YYYY-MM-DD HH:MM:SS`); a TIMESTAMP_NTZ without an offset.
fn format_options() -> FormatOptions<'static> {
    FormatOptions::default()
        .with_null("")
        .with_timestamp_format(Some("%Y-%m-%dT%H:%M:%S%.3f"))
        .with_timestamp_tz_format(Some("%Y-%m-%dT%H:%M:%S%.3f%:z"))
}

/// UTC's offset written as `Z`.
fn zulu(mut text: String) -> String {
    if text.ends_with("+00:00") {
        text.truncate(text.len() - "+00:00".len());
        text.push('Z');
    }
    text
}

/// The rows of `batches` as JSON_ARRAY cells: strings, or `null`.
pub fn json_rows(batches: &[RecordBatch]) -> Vec<Vec<Value>> {
    let options = format_options();
    let mut rows = Vec::new();
    for batch in batches {
        let formatters: Vec<Option<ArrayFormatter<'_>>> = batch
            .columns()
            .iter()
            .map(|column| ArrayFormatter::try_new(column.as_ref(), &options).ok())
            .collect();
        for row in 0..batch.num_rows() {
            let cells = batch
                .columns()
                .iter()
                .zip(&formatters)
                .map(|(column, formatter)| match formatter {
                    Some(formatter) if !column.is_null(row) => {
                        let text = formatter.value(row).to_string();
                        Value::String(match column.data_type() {
                            DataType::Timestamp(_, Some(_)) => zulu(text),
                            _ => text,
                        })
                    }
                    _ => Value::Null,
                })
                .collect();
            rows.push(cells);
        }
    }
    rows
}

/// The size of `rows` as compact JSON, without serializing them (escapes not counted): the
/// INLINE limit check runs on every chunk of a result.
pub fn json_size(rows: &[Vec<Value>]) -> usize {
    let cells: usize = rows
        .iter()
        .flatten()
        .map(|cell| match cell {
            Value::String(text) => text.len() + 2,
            _ => 4,
        })
        .sum();
    let separators: usize = rows.iter().map(|row| 2 + row.len().saturating_sub(1)).sum();
    2 + cells + separators + rows.len().saturating_sub(1)
}

/// A chunk as a compact JSON array of arrays.
pub fn json_chunk(batches: &[RecordBatch]) -> Vec<u8> {
    serde_json::to_vec(&json_rows(batches)).unwrap_or_default()
}

/// A chunk as CSV; `header` for chunk 0.
pub fn csv_chunk(schema: &Schema, batches: &[RecordBatch], header: bool) -> Vec<u8> {
    let mut out = String::new();
    let quote = |text: &str| {
        if text.contains([',', '"', '\n', '\r']) {
            format!("\"{}\"", text.replace('"', "\"\""))
        } else {
            text.to_owned()
        }
    };
    if header {
        let names: Vec<String> = schema.fields().iter().map(|f| quote(f.name())).collect();
        out.push_str(&names.join(","));
        out.push_str("\r\n");
    }
    for row in json_rows(batches) {
        let cells: Vec<String> = row
            .iter()
            .map(|cell| match cell {
                Value::String(text) => quote(text),
                _ => "null".to_owned(),
            })
            .collect();
        out.push_str(&cells.join(","));
        out.push_str("\r\n");
    }
    out.into_bytes()
}

/// A chunk as an Arrow IPC stream (schema message, record batches, end-of-stream).
pub fn arrow_chunk(schema: &Schema, batches: &[RecordBatch]) -> Vec<u8> {
    let mut out = Vec::new();
    if let Ok(mut writer) = StreamWriter::try_new(&mut out, schema) {
        for batch in batches {
            if writer.write(batch).is_err() {
                break;
            }
        }
        let _ = writer.finish();
    }
    out
}

/// A chunk as LZ4 frames of an Arrow IPC stream, one frame per IPC message (schema, each
/// batch, end-of-stream), as databricks-jdbc's recorded bodies carry 3 to 12 frames back to
/// back; content checksums on, as in the recordings from late March 2025. Also returns the
/// stream's size before compression.
pub fn arrow_chunk_lz4(schema: &Schema, batches: &[RecordBatch]) -> (Vec<u8>, u64) {
    use std::io::Write as _;
    /// The bytes the writer has produced since the last frame.
    #[derive(Default, Clone)]
    struct Pending(std::rc::Rc<std::cell::RefCell<Vec<u8>>>);
    impl std::io::Write for Pending {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.borrow_mut().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let pending = Pending::default();
    let (mut out, mut plain) = (Vec::new(), 0u64);
    let mut frame = |pending: &Pending| {
        let bytes = std::mem::take(&mut *pending.0.borrow_mut());
        if bytes.is_empty() {
            return;
        }
        plain += bytes.len() as u64;
        let info = lz4_flex::frame::FrameInfo::new().content_checksum(true);
        let mut encoder = lz4_flex::frame::FrameEncoder::with_frame_info(info, Vec::new());
        if encoder.write_all(&bytes).is_ok()
            && let Ok(compressed) = encoder.finish()
        {
            out.extend_from_slice(&compressed);
        }
    };
    if let Ok(mut writer) = StreamWriter::try_new(pending.clone(), schema) {
        frame(&pending);
        for batch in batches {
            if writer.write(batch).is_err() {
                break;
            }
            frame(&pending);
        }
        let _ = writer.finish();
        frame(&pending);
    }
    (out, plain)
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::{
        Decimal128Array, Int32Array, StringArray, TimestampMicrosecondArray,
    };
    use datafusion::arrow::datatypes::{Field, TimeUnit};
    use std::sync::Arc;

    fn sample() -> RecordBatch {
        let schema = Arc::new(Schema::new(vec![
            Field::new("n", DataType::Int32, true),
            Field::new("s", DataType::Utf8, true),
            Field::new("d", DataType::Decimal128(10, 2), true),
            Field::new(
                "t",
                DataType::Timestamp(TimeUnit::Microsecond, Some("Etc/UTC".into())),
                true,
            ),
        ]));
        RecordBatch::try_new(
            schema,
            vec![
                Arc::new(Int32Array::from(vec![Some(1), None])),
                Arc::new(StringArray::from(vec![Some("a,\"b\""), Some("")])),
                Arc::new(
                    Decimal128Array::from(vec![Some(1250), Some(-5)])
                        .with_precision_and_scale(10, 2)
                        .expect("decimal"),
                ),
                Arc::new(
                    TimestampMicrosecondArray::from(vec![Some(1_451_606_400_000_000), None])
                        .with_timezone("Etc/UTC"),
                ),
            ],
        )
        .expect("batch")
    }

    #[test]
    fn json_cells_are_strings_or_null() {
        let rows = json_rows(&[sample()]);
        assert_eq!(
            rows[0],
            vec![
                json!("1"),
                json!("a,\"b\""),
                json!("12.50"),
                json!("2016-01-01T00:00:00.000Z")
            ]
        );
        assert_eq!(
            rows[1],
            vec![Value::Null, json!(""), json!("-0.05"), Value::Null]
        );
    }

    #[test]
    fn json_timestamps_are_wall_clock_time_in_their_zone_with_its_offset() {
        let schema = Arc::new(Schema::new(vec![Field::new(
            "t",
            DataType::Timestamp(TimeUnit::Microsecond, Some("America/New_York".into())),
            true,
        )]));
        // 2016-01-01 00:00 UTC and 2016-07-01 12:00 UTC: winter and summer time in New York.
        let batch = RecordBatch::try_new(
            schema,
            vec![Arc::new(
                TimestampMicrosecondArray::from(vec![1_451_606_400_000_000, 1_467_374_400_000_000])
                    .with_timezone("America/New_York"),
            )],
        )
        .expect("batch");
        let rows = json_rows(&[batch]);
        assert_eq!(rows[0], vec![json!("2015-12-31T19:00:00.000-05:00")]);
        assert_eq!(rows[1], vec![json!("2016-07-01T08:00:00.000-04:00")]);
    }

    #[test]
    fn json_size_matches_compact_serialization() {
        let rows = json_rows(&[sample()]);
        let plain: Vec<Vec<Value>> = rows
            .iter()
            .map(|r| vec![r[0].clone(), r[2].clone()])
            .collect();
        assert_eq!(
            json_size(&plain),
            serde_json::to_vec(&plain).expect("json").len()
        );
        assert_eq!(json_size(&[]), 2);
    }

    #[test]
    fn csv_quotes_and_writes_null() {
        let batch = sample();
        let text = String::from_utf8(csv_chunk(
            &batch.schema(),
            std::slice::from_ref(&batch),
            true,
        ))
        .expect("utf8");
        assert_eq!(
            text,
            "n,s,d,t\r\n1,\"a,\"\"b\"\"\",12.50,2016-01-01T00:00:00.000Z\r\nnull,,-0.05,null\r\n"
        );
        let no_header =
            String::from_utf8(csv_chunk(&batch.schema(), &[batch], false)).expect("utf8");
        assert!(no_header.starts_with("1,"));
    }

    #[test]
    fn lz4_chunks_are_one_frame_per_message_and_decompress_to_the_plain_stream() {
        use std::io::Read as _;
        let batch = sample();
        let batches = [batch.clone(), batch.slice(0, 1)];
        let plain = arrow_chunk(&batch.schema(), &batches);
        let (frames, size) = arrow_chunk_lz4(&batch.schema(), &batches);
        assert_eq!(size, plain.len() as u64);
        let magic = [0x04, 0x22, 0x4D, 0x18];
        let count = frames.windows(4).filter(|w| *w == magic).count();
        assert!(count >= 4, "schema, two batches, end of stream: {count}");
        // Frame by frame, as databricks-sql-python's `_decompress_data` reads them.
        let mut rest: &[u8] = &frames;
        let mut back = Vec::new();
        while !rest.is_empty() {
            let mut decoder = lz4_flex::frame::FrameDecoder::new(&mut rest);
            decoder.read_to_end(&mut back).expect("frame");
        }
        assert_eq!(back, plain);
    }

    #[test]
    fn arrow_chunks_round_trip() {
        use datafusion::arrow::ipc::reader::StreamReader;
        let batch = sample();
        let bytes = arrow_chunk(&batch.schema(), std::slice::from_ref(&batch));
        let read: Vec<RecordBatch> = StreamReader::try_new(std::io::Cursor::new(bytes), None)
            .expect("reader")
            .map(|b| b.expect("batch"))
            .collect();
        assert_eq!(read, vec![batch]);
    }

    #[test]
    fn databricks_type_names() {
        assert_eq!(databricks_type(&DataType::Int64), ("LONG", "BIGINT".into()));
        assert_eq!(
            databricks_type(&DataType::Decimal128(18, 2)),
            ("DECIMAL", "DECIMAL(18,2)".into())
        );
        let schema = manifest_schema(&Schema::new(vec![Field::new(
            "x",
            DataType::Decimal128(5, 1),
            false,
        )]));
        assert_eq!(schema["columns"][0]["type_precision"], 5);
    }
}
