//! Results in the Arrow types Databricks sends. Databricks SQL serialises results the way Spark
//! does (`ArrowUtils.toArrowType` in apache/spark): a STRING column is Arrow `Utf8` and BINARY
//! is `Binary`, never the view or large variants that DataFusion produces for string functions
//! (`concat`, `upper`, …); a TIMESTAMP is `Timestamp(µs, <session time zone>)`, the zone
//! spelled as the session names it (`Etc/UTC` by default, as databricks-sql-python's
//! `test_timestamps_arrow` expects). Clients are built and measured against what the real
//! service sends, so the emulator converts.
//!
//! The emulator keeps every timestamp as a UTC instant without a zone (its data and DataFusion's
//! functions work in UTC), so tagging a column with the session zone changes no value: Arrow
//! stores zoned timestamps as UTC instants too. TIMESTAMP_NTZ (`Timestamp(µs, None)`) is not
//! produced: the sample data has none.
//!
//! INTERVALs: DataFusion computes them as `Interval(MonthDayNano)`; Databricks sends a
//! day-time interval as `Duration(µs)` and a year-month one as `Interval(YearMonth)`
//! (databricks-jdbc's recorded `testintervaltypes` bodies). The wire type must be known before
//! the first row (the schema goes out first) and DataFusion's type does not tell the two
//! apart, so every interval goes out as a day-time one, a month counted as 30 days: the
//! business SQL the emulator serves (date differences, `INTERVAL n DAY/HOUR`) is day-time.

use datafusion::arrow::array::{Array, ArrayRef, RecordBatch, TimestampMicrosecondArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Field, IntervalUnit, Schema, SchemaRef, TimeUnit};
use datafusion::arrow::error::ArrowError;
use std::sync::Arc;

fn wire_type(data_type: &DataType, time_zone: &str) -> Option<DataType> {
    match data_type {
        DataType::Utf8View | DataType::LargeUtf8 => Some(DataType::Utf8),
        DataType::BinaryView | DataType::LargeBinary => Some(DataType::Binary),
        DataType::Interval(IntervalUnit::MonthDayNano) => {
            Some(DataType::Duration(TimeUnit::Microsecond))
        }
        DataType::Timestamp(TimeUnit::Microsecond, Some(zone)) if zone.as_ref() == time_zone => {
            None
        }
        DataType::Timestamp(..) => Some(DataType::Timestamp(
            TimeUnit::Microsecond,
            Some(time_zone.into()),
        )),
        _ => None,
    }
}

/// `column` as `wire`: a cast, except that a timestamp keeps its instants and only gains the
/// session zone (Arrow's cast would read zone-less values as wall-clock time in that zone).
fn convert(column: &ArrayRef, wire: &DataType) -> Result<ArrayRef, ArrowError> {
    match wire {
        DataType::Timestamp(TimeUnit::Microsecond, Some(zone)) => {
            let micros = cast(column, &DataType::Timestamp(TimeUnit::Microsecond, None))?;
            let micros = micros
                .as_any()
                .downcast_ref::<TimestampMicrosecondArray>()
                .ok_or_else(|| ArrowError::CastError("not a timestamp column".into()))?;
            Ok(Arc::new(micros.clone().with_timezone(zone.as_ref())))
        }
        _ => cast(column, wire),
    }
}

/// A `MonthDayNano` column as `Duration(µs)`; a month counts as 30 days (see the module doc).
fn convert_interval(column: &ArrayRef) -> Result<ArrayRef, ArrowError> {
    use datafusion::arrow::array::{DurationMicrosecondArray, IntervalMonthDayNanoArray};
    let Some(values) = column.as_any().downcast_ref::<IntervalMonthDayNanoArray>() else {
        return cast(column, &DataType::Duration(TimeUnit::Microsecond));
    };
    Ok(Arc::new(
        values
            .iter()
            .map(|v| {
                v.map(|v| {
                    (i64::from(v.months) * 30 + i64::from(v.days)) * 86_400_000_000
                        + v.nanoseconds / 1_000
                })
            })
            .collect::<DurationMicrosecondArray>(),
    ))
}

/// `schema` and `batches` with view and large string/binary columns as `Utf8`/`Binary`,
/// timestamps in the session zone `time_zone`, and intervals as Databricks sends them.
pub fn to_wire_types(
    schema: SchemaRef,
    batches: Vec<RecordBatch>,
    time_zone: &str,
) -> Result<(SchemaRef, Vec<RecordBatch>), ArrowError> {
    if !schema
        .fields()
        .iter()
        .any(|f| wire_type(f.data_type(), time_zone).is_some())
    {
        return Ok((schema, batches));
    }
    let fields: Vec<Field> = schema
        .fields()
        .iter()
        .map(|f| match wire_type(f.data_type(), time_zone) {
            Some(wire) => f.as_ref().clone().with_data_type(wire),
            None => f.as_ref().clone(),
        })
        .collect();
    let wire_schema = Arc::new(Schema::new_with_metadata(fields, schema.metadata().clone()));
    let batches = batches
        .into_iter()
        .map(|batch| {
            let columns = batch
                .columns()
                .iter()
                .zip(wire_schema.fields())
                .map(|(column, field)| {
                    if column.data_type() == field.data_type() {
                        Ok(column.clone())
                    } else if matches!(field.data_type(), DataType::Duration(_)) {
                        convert_interval(column)
                    } else {
                        convert(column, field.data_type())
                    }
                })
                .collect::<Result<Vec<_>, _>>()?;
            RecordBatch::try_new(wire_schema.clone(), columns)
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok((wire_schema, batches))
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::{Array, Int64Array, StringArray, StringViewArray};

    #[test]
    fn string_views_become_utf8_and_other_columns_stay() {
        let schema = Arc::new(Schema::new(vec![
            Field::new("id", DataType::Int64, false),
            Field::new("label", DataType::Utf8View, true),
        ]));
        let batch = RecordBatch::try_new(
            schema.clone(),
            vec![
                Arc::new(Int64Array::from(vec![1, 2])),
                Arc::new(StringViewArray::from(vec![Some("customer-1"), None])),
            ],
        )
        .expect("batch");
        let (wire, batches) = to_wire_types(schema, vec![batch], "Etc/UTC").expect("cast");
        assert_eq!(wire.field(0).data_type(), &DataType::Int64);
        assert_eq!(wire.field(1).data_type(), &DataType::Utf8);
        let labels = batches[0]
            .column(1)
            .as_any()
            .downcast_ref::<StringArray>()
            .expect("a Utf8 column");
        assert_eq!(labels.value(0), "customer-1");
        assert!(labels.is_null(1));
    }

    #[test]
    fn timestamps_keep_their_instants_and_gain_the_session_zone() {
        let schema = Arc::new(Schema::new(vec![Field::new(
            "at",
            DataType::Timestamp(TimeUnit::Microsecond, None),
            true,
        )]));
        // 2016-01-05 14:07:00 UTC.
        let instant = 1_452_002_820_000_000;
        let batch = RecordBatch::try_new(
            schema.clone(),
            vec![Arc::new(TimestampMicrosecondArray::from(vec![
                Some(instant),
                None,
            ]))],
        )
        .expect("batch");
        let (wire, batches) =
            to_wire_types(schema, vec![batch], "America/New_York").expect("tagged");
        assert_eq!(
            wire.field(0).data_type(),
            &DataType::Timestamp(TimeUnit::Microsecond, Some("America/New_York".into()))
        );
        let at = batches[0]
            .column(0)
            .as_any()
            .downcast_ref::<TimestampMicrosecondArray>()
            .expect("timestamps");
        assert_eq!(at.value(0), instant, "the instant is unchanged");
        assert!(at.is_null(1));
    }
}
