//! INLINE (JSON_ARRAY) rows into Arrow: every value arrives as a string, so each column is
//! parsed by its declared type (numbers, booleans, dates and timestamps become typed arrays,
//! as ARROW_STREAM results are), and kept as text when a value does not parse (DECIMAL stays
//! text so no digit is lost to floating point).
//!
//! How a TIMESTAMP is written in JSON is not documented. Recorded results show ISO 8601 with
//! `Z` (`2016-01-05T14:07:00.000Z`); Spark's own text form is `2016-01-05 14:07:00`. Both are
//! read, with or without an offset. Values are kept as the server wrote them: a column whose
//! values share one offset becomes a zoned timestamp in that offset (so it shows the same
//! wall-clock time, and sorts by instant); anything else keeps the wall-clock time as written,
//! without a zone.

use super::wire::Column;
use crate::{ErrorCode, ErrorInfo};
use arrow_array::{
    ArrayRef, BooleanArray, Date32Array, Float64Array, Int64Array, RecordBatch, StringArray,
    TimestampMicrosecondArray,
};
use arrow_schema::{Field, Schema};
use std::sync::Arc;

fn parsed<T>(values: &[Option<&str>], parse: impl Fn(&str) -> Option<T>) -> Option<Vec<Option<T>>> {
    values
        .iter()
        .map(|v| match v {
            None => Some(None),
            Some(text) => parse(text).map(Some),
        })
        .collect()
}

fn days(text: &str) -> Option<i32> {
    let date = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()?;
    let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1)?;
    i32::try_from((date - epoch).num_days()).ok()
}

/// One timestamp as written: its instant (µs since 1970) and UTC offset in seconds when it
/// has one, else its wall-clock time read as if UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    micros: i64,
    offset: Option<i32>,
}

impl Stamp {
    /// Wall-clock time as written, as µs (the instant plus the offset).
    fn wall_clock(self) -> i64 {
        self.micros + i64::from(self.offset.unwrap_or(0)) * 1_000_000
    }
}

fn stamp(text: &str) -> Option<Stamp> {
    let text = text.trim();
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(text)
        .or_else(|_| chrono::DateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f%:z"))
    {
        return Some(Stamp {
            micros: t.timestamp_micros(),
            offset: Some(t.offset().local_minus_utc()),
        });
    }
    ["%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S%.f"]
        .iter()
        .find_map(|format| chrono::NaiveDateTime::parse_from_str(text, format).ok())
        .map(|t| Stamp {
            micros: t.and_utc().timestamp_micros(),
            offset: None,
        })
}

/// `+05:30`, `-05:00`, `+00:00` (Arrow reads offsets as zones).
fn offset_zone(seconds: i32) -> String {
    let sign = if seconds < 0 { '-' } else { '+' };
    let minutes = seconds.unsigned_abs() / 60;
    format!("{sign}{:02}:{:02}", minutes / 60, minutes % 60)
}

/// A TIMESTAMP column from its texts (see the module docs for the rule).
fn timestamps(values: &[Option<&str>]) -> Option<ArrayRef> {
    let stamps = parsed(values, stamp)?;
    let mut offsets = stamps.iter().flatten().map(|s| s.offset);
    let shared = match offsets.next() {
        Some(Some(first)) => offsets.all(|o| o == Some(first)).then_some(first),
        _ => None,
    };
    Some(match shared {
        Some(offset) => Arc::new(
            TimestampMicrosecondArray::from(
                stamps
                    .iter()
                    .map(|s| s.map(|s| s.micros))
                    .collect::<Vec<_>>(),
            )
            .with_timezone(offset_zone(offset)),
        ),
        None => Arc::new(TimestampMicrosecondArray::from(
            stamps
                .iter()
                .map(|s| s.map(Stamp::wall_clock))
                .collect::<Vec<_>>(),
        )),
    })
}

/// One column's values as the most specific array its type allows.
fn column(type_name: &str, values: &[Option<&str>]) -> ArrayRef {
    let typed: Option<ArrayRef> = match type_name {
        "BYTE" | "SHORT" | "INT" | "LONG" => parsed(values, |t| t.parse::<i64>().ok())
            .map(|v| Arc::new(Int64Array::from(v)) as ArrayRef),
        "FLOAT" | "DOUBLE" => parsed(values, |t| t.parse::<f64>().ok())
            .map(|v| Arc::new(Float64Array::from(v)) as ArrayRef),
        "BOOLEAN" => parsed(values, |t| t.parse::<bool>().ok())
            .map(|v| Arc::new(BooleanArray::from(v)) as ArrayRef),
        "DATE" => parsed(values, days).map(|v| Arc::new(Date32Array::from(v)) as ArrayRef),
        "TIMESTAMP" | "TIMESTAMP_NTZ" => timestamps(values),
        _ => None,
    };
    typed.unwrap_or_else(|| Arc::new(StringArray::from(values.to_vec())))
}

/// A batch from INLINE rows, one typed column per schema column.
pub fn batch(columns: &[Column], rows: &[Vec<Option<String>>]) -> Result<RecordBatch, ErrorInfo> {
    let arrays: Vec<ArrayRef> = columns
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let values: Vec<Option<&str>> = rows
                .iter()
                .map(|r| r.get(i).and_then(|v| v.as_deref()))
                .collect();
            column(&c.type_name, &values)
        })
        .collect();
    let fields: Vec<Field> = columns
        .iter()
        .zip(&arrays)
        .map(|(c, a)| Field::new(&c.name, a.data_type().clone(), true))
        .collect();
    RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays).map_err(|e| {
        ErrorInfo::new(
            ErrorCode::Server,
            format!("The result rows do not match their columns ({e})."),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_schema::DataType;

    fn col(name: &str, type_name: &str) -> Column {
        Column {
            name: name.into(),
            type_text: type_name.into(),
            type_name: type_name.into(),
            time_zone: None,
        }
    }

    #[test]
    fn inline_values_become_typed_columns() {
        let columns = [
            col("n", "LONG"),
            col("x", "DOUBLE"),
            col("ok", "BOOLEAN"),
            col("d", "DATE"),
            col("t", "TIMESTAMP"),
            col("amount", "DECIMAL"),
            col("odd", "INT"),
        ];
        let row = |values: [Option<&str>; 7]| values.map(|v| v.map(str::to_owned)).to_vec();
        let rows = vec![
            row([
                Some("1"),
                Some("2.5"),
                Some("true"),
                Some("2016-02-29"),
                Some("2016-01-05T14:07:00.000Z"),
                Some("12.50"),
                Some("3"),
            ]),
            row([None, None, None, None, None, None, Some("not a number")]),
        ];
        let batch = batch(&columns, &rows).expect("batch");
        let types: Vec<DataType> = batch
            .schema()
            .fields()
            .iter()
            .map(|f| f.data_type().clone())
            .collect();
        assert_eq!(types[0], DataType::Int64);
        assert_eq!(types[1], DataType::Float64);
        assert_eq!(types[2], DataType::Boolean);
        assert_eq!(types[3], DataType::Date32);
        assert!(matches!(types[4], DataType::Timestamp(_, Some(_))));
        assert_eq!(types[5], DataType::Utf8, "decimals keep every digit");
        assert_eq!(
            types[6],
            DataType::Utf8,
            "a value that does not parse keeps the column as text"
        );
        assert_eq!(batch.num_rows(), 2);
    }

    fn texts<'a>(values: &[&'a str]) -> Vec<Option<&'a str>> {
        values.iter().map(|v| Some(*v)).collect()
    }

    fn shown(array: &ArrayRef) -> Vec<String> {
        let options = crate::sql::result_set::display_options();
        let formatter =
            arrow_cast::display::ArrayFormatter::try_new(array.as_ref(), &options).expect("fmt");
        (0..array.len())
            .map(|i| formatter.value(i).to_string())
            .collect()
    }

    #[test]
    fn timestamps_show_the_wall_clock_time_the_server_wrote() {
        // UTC with Z, as recorded results show.
        let utc = timestamps(&texts(&[
            "2016-01-05T14:07:00.000Z",
            "2016-01-05T09:00:00Z",
        ]))
        .expect("parsed");
        assert_eq!(
            utc.data_type(),
            &DataType::Timestamp(arrow_schema::TimeUnit::Microsecond, Some("+00:00".into()))
        );
        assert_eq!(shown(&utc), ["2016-01-05 14:07:00", "2016-01-05 09:00:00"]);
        // A session zone west of UTC: one offset, kept, instants preserved.
        let new_york = timestamps(&texts(&["2016-01-05T09:07:00.000-05:00"])).expect("parsed");
        assert_eq!(shown(&new_york), ["2016-01-05 09:07:00"]);
        let at = new_york
            .as_any()
            .downcast_ref::<TimestampMicrosecondArray>()
            .expect("timestamps");
        assert_eq!(at.value(0), 1_452_002_820_000_000, "14:07 UTC");
        // Offsets that change (summer time): wall-clock time as written, no zone.
        let mixed = timestamps(&texts(&[
            "2016-01-05T09:07:00-05:00",
            "2016-07-05T09:07:00-04:00",
        ]))
        .expect("parsed");
        assert_eq!(
            mixed.data_type(),
            &DataType::Timestamp(arrow_schema::TimeUnit::Microsecond, None)
        );
        assert_eq!(
            shown(&mixed),
            ["2016-01-05 09:07:00", "2016-07-05 09:07:00"]
        );
        // Spark's text form and TIMESTAMP_NTZ: as written.
        let plain =
            timestamps(&texts(&["2016-01-05 09:07:00.5", "2016-01-05T10:00:00"])).expect("parsed");
        assert_eq!(
            shown(&plain),
            ["2016-01-05 09:07:00.500", "2016-01-05 10:00:00"]
        );
        assert!(timestamps(&texts(&["yesterday"])).is_none());
    }
}
