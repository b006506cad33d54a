//! Sorting and filtering the rows already downloaded, in Rust: the result becomes a list of
//! row numbers in display order ([`ResultSet::set_order`]); the grid, Copy and export all read
//! through it. Sorting uses Arrow's typed comparison (numbers as numbers, dates as dates);
//! NULLs go last either way, as in a spreadsheet. The filter keeps rows where any cell, as
//! displayed, contains the text (ignoring case).

use super::result_set::{ResultSet, cells, display_options, formatters};
use crate::{ErrorCode, ErrorInfo};
use arrow_array::Array as _;
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

fn internal(error: &dyn std::fmt::Display) -> ErrorInfo {
    ErrorInfo::new(
        ErrorCode::Internal,
        format!("Brickdesk could not sort these rows ({error})."),
    )
}

/// The display order for `spec` (`None`: the rows as they came).
pub fn order(set: &ResultSet, spec: &ViewSpec) -> Result<Option<Vec<u32>>, ErrorInfo> {
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
    let rows = usize::try_from(set.loaded_rows()).unwrap_or(usize::MAX);
    let keep = if needle.is_empty() {
        None
    } else {
        Some(matching(set, &needle)?)
    };
    let order: Vec<u32> = match spec.sort_column {
        Some(column) => sorted(set, column as usize, spec.descending)?,
        None => (0..u32::try_from(rows).unwrap_or(u32::MAX)).collect(),
    };
    Ok(Some(match keep {
        Some(keep) => order
            .into_iter()
            .filter(|r| keep.get(*r as usize).copied().unwrap_or(false))
            .collect(),
        None => order,
    }))
}

/// For each row, whether any cell contains `needle` (lowercase).
fn matching(set: &ResultSet, needle: &str) -> Result<Vec<bool>, ErrorInfo> {
    let options = display_options();
    let mut keep = Vec::with_capacity(usize::try_from(set.loaded_rows()).unwrap_or(0));
    for index in 0..set.batch_count() {
        let batch = set.batch(index)?;
        let formatters = formatters(&batch, &options);
        for row in 0..batch.num_rows() {
            let hit = cells(&batch, &formatters, row)
                .iter()
                .flatten()
                .any(|cell| cell.to_lowercase().contains(needle));
            keep.push(hit);
        }
    }
    Ok(keep)
}

/// Row numbers sorted by `column`.
fn sorted(set: &ResultSet, column: usize, descending: bool) -> Result<Vec<u32>, ErrorInfo> {
    if column >= set.columns().len() {
        return Err(ErrorInfo::new(
            ErrorCode::InvalidInput,
            "That column is not in the result.",
        ));
    }
    let mut arrays = Vec::with_capacity(set.batch_count());
    for index in 0..set.batch_count() {
        arrays.push(set.batch(index)?.column(column).clone());
    }
    if arrays.is_empty() {
        return Ok(Vec::new());
    }
    let refs: Vec<&dyn arrow_array::Array> = arrays.iter().map(AsRef::as_ref).collect();
    let all = arrow_select::concat::concat(&refs).map_err(|e| internal(&e))?;
    let options = arrow_schema::SortOptions {
        descending,
        nulls_first: false,
    };
    // Types Arrow cannot compare (lists, maps) sort by their displayed text.
    let indices = match arrow_ord::sort::sort_to_indices(&all, Some(options), None) {
        Ok(indices) => indices,
        Err(_) => {
            let text =
                arrow_cast::cast(&all, &arrow_schema::DataType::Utf8).map_err(|e| internal(&e))?;
            arrow_ord::sort::sort_to_indices(&text, Some(options), None)
                .map_err(|e| internal(&e))?
        }
    };
    debug_assert_eq!(indices.null_count(), 0);
    Ok(indices.values().to_vec())
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
        assert_eq!(order(&set, &sort).expect("sorted"), Some(vec![1, 0, 2]));
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
        assert_eq!(order(&set, &filter).expect("filtered"), Some(vec![1]));
    }
}
