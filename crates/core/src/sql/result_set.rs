//! A statement's rows, kept in Rust as Arrow record batches while they arrive, and read by the
//! UI one window at a time (the grid asks for the rows it shows), so the webview never holds
//! the whole result. Values are formatted for display here; types stay in the batches for
//! export.

use super::wire::Column;
use arrow_array::{Array, RecordBatch};
use arrow_cast::display::{ArrayFormatter, FormatOptions};
use serde::Serialize;
use std::sync::{Arc, RwLock};

/// What the grid shows around the rows: columns, counts, and whether more is coming.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ResultSummary {
    pub columns: Vec<Column>,
    /// Rows in the result, as the manifest announced.
    pub total_rows: u32,
    /// Rows downloaded so far.
    pub loaded_rows: u32,
    /// `row_limit` or the server's size cap cut the result.
    pub truncated: bool,
    /// Every chunk is here.
    pub complete: bool,
}

/// Rows `offset..offset + rows.len()`, each cell formatted, `None` for SQL NULL.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct RowWindow {
    pub offset: u32,
    pub rows: Vec<Vec<Option<String>>>,
}

#[derive(Debug)]
pub struct ResultSet {
    columns: Vec<Column>,
    total_rows: u64,
    truncated: bool,
    batches: Vec<RecordBatch>,
    /// First row of each batch.
    starts: Vec<u64>,
    loaded: u64,
    bytes: usize,
    complete: bool,
}

pub type SharedResult = Arc<RwLock<ResultSet>>;

/// `%.f` adds the fraction of a second only when there is one.
const TIMESTAMP_FORMAT: &str = "%Y-%m-%d %H:%M:%S%.f";

fn clamp(n: u64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl ResultSet {
    pub fn new(columns: Vec<Column>, total_rows: u64, truncated: bool) -> Self {
        Self {
            columns,
            total_rows,
            truncated,
            batches: Vec::new(),
            starts: Vec::new(),
            loaded: 0,
            bytes: 0,
            complete: false,
        }
    }

    pub fn shared(self) -> SharedResult {
        Arc::new(RwLock::new(self))
    }

    /// Appends the next rows (batches arrive in row order).
    pub fn push(&mut self, batch: RecordBatch) {
        if batch.num_rows() == 0 {
            return;
        }
        self.starts.push(self.loaded);
        self.loaded += batch.num_rows() as u64;
        self.bytes += batch.get_array_memory_size();
        self.batches.push(batch);
    }

    pub fn finish(&mut self) {
        self.complete = true;
        // The manifest's count is what the server meant to send; what arrived is what we have.
        self.total_rows = self.loaded;
    }

    pub fn summary(&self) -> ResultSummary {
        ResultSummary {
            columns: self.columns.clone(),
            total_rows: clamp(self.total_rows.max(self.loaded)),
            loaded_rows: clamp(self.loaded),
            truncated: self.truncated,
            complete: self.complete,
        }
    }

    pub fn columns(&self) -> &[Column] {
        &self.columns
    }

    pub fn batches(&self) -> &[RecordBatch] {
        &self.batches
    }

    pub fn loaded_rows(&self) -> u64 {
        self.loaded
    }

    /// Memory the rows take, in bytes (Arrow buffers).
    pub fn memory_bytes(&self) -> usize {
        self.bytes
    }

    /// Up to `limit` rows from `offset` (fewer at the end, or while they are still arriving).
    pub fn window(&self, offset: u32, limit: u32) -> RowWindow {
        // Dates and times as people read them ("2016-01-05 14:07:00"), not RFC 3339.
        let options = FormatOptions::default()
            .with_timestamp_format(Some(TIMESTAMP_FORMAT))
            .with_timestamp_tz_format(Some(TIMESTAMP_FORMAT));
        let mut rows = Vec::new();
        let end = (u64::from(offset) + u64::from(limit)).min(self.loaded);
        let mut row = u64::from(offset);
        while row < end {
            let index = self.starts.partition_point(|start| *start <= row) - 1;
            let batch = &self.batches[index];
            let within = usize::try_from(row - self.starts[index]).unwrap_or(usize::MAX);
            let take = (batch.num_rows() - within).min(usize::try_from(end - row).unwrap_or(0));
            let formatters: Vec<Option<ArrayFormatter<'_>>> = batch
                .columns()
                .iter()
                .map(|array| ArrayFormatter::try_new(array.as_ref(), &options).ok())
                .collect();
            for r in within..within + take {
                rows.push(
                    batch
                        .columns()
                        .iter()
                        .zip(&formatters)
                        .map(|(array, formatter)| {
                            if array.is_null(r) {
                                None
                            } else {
                                formatter.as_ref().map(|f| f.value(r).to_string())
                            }
                        })
                        .collect(),
                );
            }
            row += take as u64;
        }
        RowWindow { offset, rows }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::{Int64Array, StringArray};
    use arrow_schema::{DataType, Field, Schema};

    fn batch(ids: std::ops::Range<i64>) -> RecordBatch {
        let schema = Arc::new(Schema::new(vec![
            Field::new("id", DataType::Int64, false),
            Field::new("label", DataType::Utf8, true),
        ]));
        let labels: Vec<Option<String>> = ids
            .clone()
            .map(|i| (i % 3 != 0).then(|| format!("row {i}")))
            .collect();
        RecordBatch::try_new(
            schema,
            vec![
                Arc::new(Int64Array::from_iter_values(ids)),
                Arc::new(StringArray::from(labels)),
            ],
        )
        .expect("batch")
    }

    #[test]
    fn windows_cross_batch_boundaries_and_stop_at_the_end() {
        let mut set = ResultSet::new(vec![], 10, false);
        set.push(batch(0..4));
        set.push(batch(4..7));
        set.push(batch(7..10));
        let window = set.window(3, 5);
        let ids: Vec<Option<String>> = window.rows.iter().map(|r| r[0].clone()).collect();
        assert_eq!(ids, ["3", "4", "5", "6", "7"].map(|s| Some(s.to_owned())));
        assert_eq!(window.rows[0][1], None, "NULL stays None");
        assert_eq!(window.rows[1][1].as_deref(), Some("row 4"));
        assert_eq!(set.window(8, 100).rows.len(), 2);
        assert!(set.window(10, 5).rows.is_empty());
        assert!(!set.summary().complete);
        set.finish();
        assert_eq!(set.summary().loaded_rows, 10);
        assert!(set.summary().complete);
    }
}
