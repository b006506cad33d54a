//! Sorting and filtering the rows already downloaded, in Rust: the result becomes a list of
//! row numbers in display order ([`ResultSet::set_order`]); the grid, Copy and export all read
//! through it. Sorting compares typed values (numbers as numbers, dates as dates); NULLs go
//! last either way, as in a spreadsheet; rows that tie keep their order. The filter keeps rows
//! where any cell, as displayed, contains the text (ignoring case). Both read the result a
//! batch at a time and sort through [`super::external_sort`], so a result spilled to disk is
//! sorted without loading it, with progress, and Cancel.

use super::execute::Cancel;
use super::external_sort::{ExternalSort, RUN_BUDGET};
use super::result_set::{ResultSet, cells, display_options, formatters};
use crate::{ErrorCode, ErrorInfo};
use arrow_array::ArrayRef;
use arrow_row::{RowConverter, Rows, SortField};
use arrow_schema::{DataType, SortOptions};
use serde::Deserialize;

/// How the user wants the rows shown.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ViewSpec {
    /// Column index to sort by.
    #[serde(default)]
    pub sort_column: Option<u32>,
    #[serde(default)]
    pub descending: bool,
    /// Text a row must contain somewhere; empty keeps every row.
    #[serde(default)]
    pub filter: String,
}

/// How far a sort or filter of many rows is: rows read, then (for a sort that did not fit in
/// memory) rows merged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ViewProgress {
    pub rows_done: u32,
    pub total_rows: u32,
    /// Putting sorted parts together (after every row was read).
    pub merging: bool,
}

fn internal(error: &dyn std::fmt::Display) -> ErrorInfo {
    ErrorInfo::new(
        ErrorCode::Internal,
        format!("Brickdesk could not sort these rows ({error})."),
    )
}

/// The display order for `spec` (`None`: the rows as they came), reading the result a batch at
/// a time, so a result on disk is never loaded whole. Cancel stops it between batches.
pub fn order(
    set: &ResultSet,
    spec: &ViewSpec,
    cancel: &Cancel,
    progress: &mut dyn FnMut(ViewProgress),
) -> Result<Option<Vec<u32>>, ErrorInfo> {
    order_within(set, spec, (cancel, progress), RUN_BUDGET)
}

/// [`order`] with sort runs of `budget` bytes.
fn order_within(
    set: &ResultSet,
    spec: &ViewSpec,
    (cancel, progress): (&Cancel, &mut dyn FnMut(ViewProgress)),
    budget: usize,
) -> Result<Option<Vec<u32>>, ErrorInfo> {
    if !set.is_complete() {
        return Err(ErrorInfo::new(
            ErrorCode::InvalidInput,
            "Sorting and filtering start once every row has arrived.",
        ));
    }
    let needle = spec.filter.trim().to_lowercase();
    if spec.sort_column.is_none() && needle.is_empty() {
        return Ok(None);
    }
    let total = u32::try_from(set.loaded_rows()).unwrap_or(u32::MAX);
    let mut sort = match spec.sort_column {
        Some(column) if column as usize >= set.columns().len() => {
            return Err(ErrorInfo::new(
                ErrorCode::InvalidInput,
                "That column is not in the result.",
            ));
        }
        Some(column) => Some((
            column as usize,
            ExternalSort::new(set.spill_store(), budget),
            None::<Keys>,
        )),
        None => None,
    };
    let mut kept = Vec::new();
    let options = display_options();
    for index in 0..set.batch_count() {
        if cancel.is_cancelled() {
            return Err(super::external_sort::stopped());
        }
        let batch = set.batch(index)?;
        let first = set.batch_start(index);
        let rows = batch.num_rows();
        let keep: Vec<bool> = if needle.is_empty() {
            vec![true; rows]
        } else {
            let formatters = formatters(&batch, &options);
            (0..rows)
                .map(|row| {
                    cells(&batch, &formatters, row)
                        .iter()
                        .flatten()
                        .any(|cell| cell.to_lowercase().contains(&needle))
                })
                .collect()
        };
        let row_number = |row: usize| u32::try_from(first + row as u64).unwrap_or(u32::MAX);
        match &mut sort {
            Some((column, sorter, keys)) => {
                let array = batch.column(*column);
                if keys.is_none() {
                    *keys = Some(Keys::new(array.data_type(), spec.descending)?);
                }
                let Some(keys) = keys.as_ref() else {
                    return Err(internal(&"no sort keys"));
                };
                let encoded = keys.encode(array)?;
                for row in (0..rows).filter(|r| keep[*r]) {
                    sorter.push(encoded.row(row).as_ref(), row_number(row))?;
                }
            }
            None => kept.extend((0..rows).filter(|r| keep[*r]).map(row_number)),
        }
        progress(ViewProgress {
            rows_done: u32::try_from(first + rows as u64).unwrap_or(u32::MAX),
            total_rows: total,
            merging: false,
        });
    }
    Ok(Some(match sort {
        Some((_, sorter, _)) => sorter.finish(cancel, &mut |done, of| {
            progress(ViewProgress {
                rows_done: u32::try_from(done).unwrap_or(u32::MAX),
                total_rows: u32::try_from(of).unwrap_or(u32::MAX),
                merging: true,
            });
        })?,
        None => kept,
    }))
}

/// Sort keys for one column in Arrow's row format. Types the row format cannot order (maps)
/// sort by their displayed text.
struct Keys {
    converter: RowConverter,
    as_text: bool,
}

impl Keys {
    fn new(data_type: &DataType, descending: bool) -> Result<Self, ErrorInfo> {
        let options = SortOptions {
            descending,
            nulls_first: false,
        };
        let field = SortField::new_with_options(data_type.clone(), options);
        let as_text = !RowConverter::supports_fields(std::slice::from_ref(&field));
        let field = if as_text {
            SortField::new_with_options(DataType::Utf8, options)
        } else {
            field
        };
        Ok(Self {
            converter: RowConverter::new(vec![field]).map_err(|e| internal(&e))?,
            as_text,
        })
    }

    fn encode(&self, array: &ArrayRef) -> Result<Rows, ErrorInfo> {
        let array = if self.as_text {
            arrow_cast::cast(array, &DataType::Utf8).map_err(|e| internal(&e))?
        } else {
            array.clone()
        };
        self.converter
            .convert_columns(&[array])
            .map_err(|e| internal(&e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::wire::Column;
    use arrow_array::{RecordBatch, TimestampMicrosecondArray};
    use arrow_schema::{DataType, Field, Schema, TimeUnit};
    use std::sync::Arc;

    /// Zoned timestamps sort by instant and filter by the wall-clock text the grid shows.
    #[test]
    fn zoned_timestamps_sort_by_instant_and_filter_by_what_is_shown() {
        let zone = "America/New_York";
        let schema = Arc::new(Schema::new(vec![Field::new(
            "at",
            DataType::Timestamp(TimeUnit::Microsecond, Some(zone.into())),
            true,
        )]));
        // 13:15 UTC (08:15 in New York), 03:00 UTC (22:00 the day before), NULL.
        let batch = RecordBatch::try_new(
            schema,
            vec![Arc::new(
                TimestampMicrosecondArray::from(vec![
                    Some(1_451_999_700_000_000),
                    Some(1_451_962_800_000_000),
                    None,
                ])
                .with_timezone(zone),
            )],
        )
        .expect("batch");
        let column = Column {
            name: "at".into(),
            type_text: "TIMESTAMP".into(),
            type_name: "TIMESTAMP".into(),
            time_zone: None,
        };
        let mut set = ResultSet::new(vec![column], 3, false);
        set.push(batch).expect("rows kept");
        set.finish();
        let sort = ViewSpec {
            sort_column: Some(0),
            ..ViewSpec::default()
        };
        assert_eq!(
            order(&set, &sort, &Cancel::new(), &mut |_| {}).expect("sorted"),
            Some(vec![1, 0, 2])
        );
        let window = set.window(0, 3).expect("window");
        assert_eq!(
            window.rows[0][0].as_deref(),
            Some("2016-01-05 08:15:00"),
            "shown in the session zone"
        );
        assert_eq!(window.rows[1][0].as_deref(), Some("2016-01-04 22:00:00"));
        let filter = ViewSpec {
            filter: "01-04 22:".into(),
            ..ViewSpec::default()
        };
        assert_eq!(
            order(&set, &filter, &Cancel::new(), &mut |_| {}).expect("filtered"),
            Some(vec![1])
        );
    }
}
