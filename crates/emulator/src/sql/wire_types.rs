//! Results in the Arrow types Databricks sends. Databricks SQL serialises results the way Spark
//! does: a STRING column is Arrow `Utf8` and BINARY is `Binary`, never the view or large
//! variants that DataFusion produces for string functions (`concat`, `upper`, …). Clients are
//! built and measured against what the real service sends, so the emulator converts.

use datafusion::arrow::array::RecordBatch;
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use datafusion::arrow::error::ArrowError;
use std::sync::Arc;

fn wire_type(data_type: &DataType) -> Option<DataType> {
    match data_type {
        DataType::Utf8View | DataType::LargeUtf8 => Some(DataType::Utf8),
        DataType::BinaryView | DataType::LargeBinary => Some(DataType::Binary),
        _ => None,
    }
}

/// `schema` and `batches` with view and large string/binary columns as `Utf8`/`Binary`.
pub fn to_wire_types(
    schema: SchemaRef,
    batches: Vec<RecordBatch>,
) -> Result<(SchemaRef, Vec<RecordBatch>), ArrowError> {
    if !schema
        .fields()
        .iter()
        .any(|f| wire_type(f.data_type()).is_some())
    {
        return Ok((schema, batches));
    }
    let fields: Vec<Field> = schema
        .fields()
        .iter()
        .map(|f| match wire_type(f.data_type()) {
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
                .map(|(column, field)| cast(column, field.data_type()))
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
        let (wire, batches) = to_wire_types(schema, vec![batch]).expect("cast");
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
}
