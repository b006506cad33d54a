//! INLINE (JSON_ARRAY) rows into Arrow: every value arrives as a string, so each column is
//! parsed by its declared type (numbers, booleans, dates and timestamps become typed arrays,
//! as ARROW_STREAM results are), and kept as text when a value does not parse (DECIMAL stays
//! text so no digit is lost to floating point).

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

fn micros(text: &str) -> Option<i64> {
    chrono::DateTime::parse_from_rfc3339(text)
        .map(|t| t.timestamp_micros())
        .ok()
        .or_else(|| {
            chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f")
                .ok()
                .map(|t| t.and_utc().timestamp_micros())
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
        "TIMESTAMP" => parsed(values, micros)
            .map(|v| Arc::new(TimestampMicrosecondArray::from(v).with_timezone("UTC")) as ArrayRef),
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
}
