//! A statement's rows, kept in Rust as Arrow record batches while they arrive, and read by the
//! UI one window at a time (the grid asks for the rows it shows), so the webview never holds
//! the whole result. Past a memory limit, further batches go to a temp file ([`super::spill`]).
//! A sorted or filtered view is a list of row numbers over the same batches. Values are
//! formatted for display here; types stay in the batches for export.

use super::formulas::FormulaSafety;
use super::spill::{SharedSpillStore, SpillFile, SpillFolder, Spilled};
use super::wire::Column;
use crate::{ErrorCode, ErrorInfo};
use arrow_array::{Array, RecordBatch};
use arrow_cast::display::{ArrayFormatter, FormatOptions};
use serde::Serialize;
use std::sync::{Arc, RwLock};

/// What the grid shows around the rows: columns, counts, and whether more is coming.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize, specta::Type)]
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
    /// Rows in the current view (all loaded rows unless a filter hides some).
    pub shown_rows: u32,
    /// Some rows are kept on disk because the result passed the memory limit.
    pub spilled: bool,
    /// Why not every row is here, when the download stopped early but kept what it had (the
    /// disk filled up): shown above the rows.
    pub stopped: Option<String>,
}

/// Rows `offset..offset + rows.len()`, each cell formatted, `None` for SQL NULL.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct RowWindow {
    pub offset: u32,
    pub rows: Vec<Vec<Option<String>>>,
}

/// Where a batch is.
#[derive(Debug)]
enum Stored {
    Memory(RecordBatch),
    Disk(Spilled),
}

#[derive(Debug)]
pub struct ResultSet {
    columns: Vec<Column>,
    total_rows: u64,
    truncated: bool,
    batches: Vec<Stored>,
    /// First row of each batch.
    starts: Vec<u64>,
    loaded: u64,
    /// Bytes of the batches held in memory.
    bytes: usize,
    /// Past this many bytes in memory, batches are spilled.
    memory_limit: usize,
    /// At most this many bytes go to the spill file.
    disk_limit: u64,
    spill: Option<SpillFile>,
    /// Where spill files go.
    spill_store: Option<SharedSpillStore>,
    complete: bool,
    /// Why the download stopped before the last row ([`Self::stop_short`]).
    stopped: Option<String>,
    /// A sorted and/or filtered view: row numbers in display order.
    order: Option<Vec<u32>>,
}

pub type SharedResult = Arc<RwLock<ResultSet>>;

/// `%.f` adds the fraction of a second only when there is one.
pub const TIMESTAMP_FORMAT: &str = "%Y-%m-%d %H:%M:%S%.f";

/// Dates and times as people read them ("2016-01-05 14:07:00"), not RFC 3339.
pub fn display_options() -> FormatOptions<'static> {
    FormatOptions::default()
        .with_timestamp_format(Some(TIMESTAMP_FORMAT))
        .with_timestamp_tz_format(Some(TIMESTAMP_FORMAT))
}

/// A time zone as people read it: `UTC` for the names and offsets of UTC (`Etc/UTC`,
/// `+00:00`), `UTC-05:00` for other offsets, IANA names as they are.
pub fn zone_label(zone: &str) -> String {
    match zone {
        "UTC" | "Etc/UTC" | "Etc/GMT" | "GMT" | "Z" | "+00:00" | "-00:00" | "+0000" => "UTC".into(),
        offset if offset.starts_with(['+', '-']) => format!("UTC{offset}"),
        name => name.to_owned(),
    }
}

/// How one column's cells become text.
pub enum CellFormatter<'a> {
    /// Arrow's display, with [`display_options`].
    Arrow(ArrayFormatter<'a>),
    /// A day-time INTERVAL (`Duration`), as Databricks' clients show it
    /// ([`super::intervals`]): the values, and the unit's length in nanoseconds.
    DayTime(&'a [i64], i128),
    /// A year-month INTERVAL (`Interval(YearMonth)`) in months, as `Y-M`.
    YearMonth(&'a [i32]),
}

impl std::fmt::Debug for CellFormatter<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Arrow(_) => "Arrow",
            Self::DayTime(..) => "DayTime",
            Self::YearMonth(_) => "YearMonth",
        })
    }
}

impl CellFormatter<'_> {
    fn text(&self, row: usize) -> String {
        match self {
            Self::Arrow(f) => f.value(row).to_string(),
            Self::DayTime(values, unit) => {
                super::intervals::day_time(i128::from(values[row]) * unit)
            }
            Self::YearMonth(months) => super::intervals::year_month(months[row]),
        }
    }
}

/// Formatters for each column of `batch` (`None` for a type Arrow cannot display).
pub fn formatters<'a>(
    batch: &'a RecordBatch,
    options: &'a FormatOptions<'a>,
) -> Vec<Option<CellFormatter<'a>>> {
    use arrow_array::cast::AsArray as _;
    use arrow_array::types::{
        DurationMicrosecondType, DurationMillisecondType, DurationNanosecondType,
        DurationSecondType, IntervalYearMonthType,
    };
    use arrow_schema::{DataType, IntervalUnit, TimeUnit};
    batch
        .columns()
        .iter()
        .map(|array| {
            let day_time = |values: &'a [i64], unit| {
                Some(CellFormatter::DayTime(
                    values,
                    super::intervals::nanos_per(unit),
                ))
            };
            match array.data_type() {
                DataType::Duration(TimeUnit::Second) => day_time(
                    array.as_primitive::<DurationSecondType>().values(),
                    TimeUnit::Second,
                ),
                DataType::Duration(TimeUnit::Millisecond) => day_time(
                    array.as_primitive::<DurationMillisecondType>().values(),
                    TimeUnit::Millisecond,
                ),
                DataType::Duration(TimeUnit::Microsecond) => day_time(
                    array.as_primitive::<DurationMicrosecondType>().values(),
                    TimeUnit::Microsecond,
                ),
                DataType::Duration(TimeUnit::Nanosecond) => day_time(
                    array.as_primitive::<DurationNanosecondType>().values(),
                    TimeUnit::Nanosecond,
                ),
                DataType::Interval(IntervalUnit::YearMonth) => Some(CellFormatter::YearMonth(
                    array.as_primitive::<IntervalYearMonthType>().values(),
                )),
                _ => ArrayFormatter::try_new(array.as_ref(), options)
                    .ok()
                    .map(CellFormatter::Arrow),
            }
        })
        .collect()
}

/// Cell `row` of every column, `None` for NULL (every cell of a `VOID` column: an Arrow
/// `Null` array has no validity buffer, so `is_null` alone would call its cells values).
pub fn cells(
    batch: &RecordBatch,
    formatters: &[Option<CellFormatter<'_>>],
    row: usize,
) -> Vec<Option<String>> {
    batch
        .columns()
        .iter()
        .zip(formatters)
        .map(|(array, formatter)| {
            if array.is_null(row) || array.data_type() == &arrow_schema::DataType::Null {
                None
            } else {
                formatter.as_ref().map(|f| f.text(row))
            }
        })
        .collect()
}

fn clamp(n: u64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The most rows "Copy" puts on the clipboard; more is an export.
pub const MAX_COPY_ROWS: u32 = 100_000;

/// The default memory limit for one result's rows.
pub const DEFAULT_MEMORY_LIMIT: usize = 1 << 30;

/// The most one result keeps in its spill file (Arrow IPC, about the size of the download).
pub const DEFAULT_DISK_LIMIT: u64 = 10 << 30;

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
            memory_limit: DEFAULT_MEMORY_LIMIT,
            disk_limit: DEFAULT_DISK_LIMIT,
            spill: None,
            spill_store: None,
            complete: false,
            stopped: None,
            order: None,
        }
    }

    /// Rows past `bytes` of memory go to a temp file.
    #[must_use]
    pub fn with_memory_limit(mut self, bytes: usize) -> Self {
        self.memory_limit = bytes;
        self
    }

    /// At most `bytes` go to the temp file; past them, [`Self::push_chunk`] fails.
    #[must_use]
    pub fn with_disk_limit(mut self, bytes: u64) -> Self {
        self.disk_limit = bytes;
        self
    }

    /// Spill files go to `store` (the OS temp folder otherwise).
    #[must_use]
    pub fn with_spill_store(mut self, store: SharedSpillStore) -> Self {
        self.spill_store = Some(store);
        self
    }

    pub fn shared(self) -> SharedResult {
        Arc::new(RwLock::new(self))
    }

    /// Appends the next rows (batches arrive in row order).
    pub fn push(&mut self, batch: RecordBatch) -> Result<(), ErrorInfo> {
        let size = batch.get_array_memory_size();
        self.push_chunk(vec![batch], size)
    }

    /// Appends one downloaded chunk's batches, which hold `held_bytes` of memory together.
    /// The limit is approximate: a chunk is kept or spilled whole, and buffers the decoder had
    /// to copy (misaligned ones) are not counted.
    ///
    /// Batches decoded zero-copy from one Arrow download share that download's buffer, and
    /// each of them reports the whole buffer as its own size: summing those would count a
    /// chunk many times over and spill results to disk long before the limit.
    ///
    /// Past the memory limit rows must reach the disk: when they cannot (the disk is full, or
    /// the result passes its disk limit) this fails, keeping the chunk's batches written before
    /// the failure, rather than holding the rest in memory the limit was there to protect.
    pub fn push_chunk(
        &mut self,
        batches: Vec<RecordBatch>,
        held_bytes: usize,
    ) -> Result<(), ErrorInfo> {
        self.push_stored(batches, held_bytes, None)
    }

    /// [`Self::push_chunk`] for batches decoded from the Arrow IPC stream `ipc` (a downloaded
    /// chunk): past the memory limit that stream goes to disk as it came, in one write, with
    /// no second encoding. Such a chunk is kept or refused whole.
    pub fn push_arrow_chunk(
        &mut self,
        batches: Vec<RecordBatch>,
        held_bytes: usize,
        ipc: &[u8],
    ) -> Result<(), ErrorInfo> {
        self.push_stored(batches, held_bytes, Some(ipc))
    }

    fn push_stored(
        &mut self,
        batches: Vec<RecordBatch>,
        held_bytes: usize,
        ipc: Option<&[u8]>,
    ) -> Result<(), ErrorInfo> {
        if self.loaded == 0
            && let Some(first) = batches.iter().find(|b| b.num_rows() > 0)
        {
            self.learn_time_zones(first);
        }
        let to_disk = self.bytes + held_bytes > self.memory_limit;
        if to_disk && let Some(ipc) = ipc {
            let Some(first) = batches.iter().find(|b| b.num_rows() > 0) else {
                return Ok(());
            };
            let limit = self.disk_limit;
            let stream = self.spill_file(first)?.write_stream(ipc, limit)?;
            // Each batch by its place in the stream, empty ones included.
            for (index, batch) in batches.iter().enumerate() {
                if batch.num_rows() > 0 {
                    self.append(batch.num_rows(), Stored::Disk(stream.batch(index)));
                }
            }
            return Ok(());
        }
        // Rows arrive in order, so a chunk that cannot be kept whole (the disk filled up
        // halfway) keeps the batches before the one that failed.
        for batch in batches.into_iter().filter(|b| b.num_rows() > 0) {
            let rows = batch.num_rows();
            let stored = if to_disk {
                let limit = self.disk_limit;
                Stored::Disk(self.spill_file(&batch)?.write(&batch, limit)?)
            } else {
                Stored::Memory(batch)
            };
            self.append(rows, stored);
        }
        if !to_disk {
            self.bytes += held_bytes;
        }
        Ok(())
    }

    /// Which zone each TIMESTAMP column's values are in, from the first rows' Arrow types.
    fn learn_time_zones(&mut self, batch: &RecordBatch) {
        for (column, field) in self.columns.iter_mut().zip(batch.schema().fields()) {
            if let arrow_schema::DataType::Timestamp(_, zone) = field.data_type() {
                column.time_zone = zone.as_deref().map(zone_label);
            }
        }
    }

    /// `rows` more rows, in `stored`.
    fn append(&mut self, rows: usize, stored: Stored) {
        self.starts.push(self.loaded);
        self.loaded += rows as u64;
        self.batches.push(stored);
    }

    /// The spill file, created (with its room checked) on the first spill; `sample` is a
    /// batch of the rows to come, for the estimate when none are in memory yet.
    fn spill_file(&mut self, sample: &RecordBatch) -> Result<&mut SpillFile, ErrorInfo> {
        if self.spill.is_none() {
            let store = self.spill_store();
            self.spill = Some(SpillFile::create(store, self.expected_spill(sample))?);
        }
        self.spill
            .as_mut()
            .ok_or_else(|| ErrorInfo::new(ErrorCode::Internal, "no spill file"))
    }

    /// About how many bytes the rows still to come take on disk, from the rows in memory so
    /// far (or from `batch`), capped at the disk limit: what the disk must have room for.
    fn expected_spill(&self, batch: &RecordBatch) -> u64 {
        let (bytes, rows) = if self.loaded > 0 {
            (self.bytes as u64, self.loaded)
        } else {
            (
                batch.get_array_memory_size() as u64,
                batch.num_rows() as u64,
            )
        };
        let to_come = self.total_rows.saturating_sub(self.loaded);
        (bytes / rows.max(1))
            .saturating_mul(to_come)
            .min(self.disk_limit)
    }

    /// The download stopped early for `reason` (the disk filled up): the rows already here
    /// stay usable as a complete, truncated result that says why.
    pub fn stop_short(&mut self, reason: String) {
        self.truncated = true;
        self.stopped = Some(reason);
        self.finish();
    }

    /// Not every row came (a source stopped early): the result says it is cut short.
    pub fn mark_truncated(&mut self) {
        self.truncated = true;
    }

    pub fn finish(&mut self) {
        self.complete = true;
        // The manifest's count is what the server meant to send; what arrived is what we have.
        self.total_rows = self.loaded;
    }

    pub fn is_complete(&self) -> bool {
        self.complete
    }

    pub fn summary(&self) -> ResultSummary {
        ResultSummary {
            columns: self.columns.clone(),
            total_rows: clamp(self.total_rows.max(self.loaded)),
            loaded_rows: clamp(self.loaded),
            truncated: self.truncated,
            complete: self.complete,
            shown_rows: self.shown_rows(),
            spilled: self.spill.as_ref().is_some_and(|s| s.written() > 0),
            stopped: self.stopped.clone(),
        }
    }

    pub fn columns(&self) -> &[Column] {
        &self.columns
    }

    pub fn batch_count(&self) -> usize {
        self.batches.len()
    }

    /// Batch `index`, from memory or read back from disk.
    pub fn batch(&self, index: usize) -> Result<RecordBatch, ErrorInfo> {
        match &self.batches[index] {
            Stored::Memory(batch) => Ok(batch.clone()),
            Stored::Disk(at) => match &self.spill {
                Some(file) => file.read(*at),
                None => Err(ErrorInfo::new(ErrorCode::Internal, "spill file missing")),
            },
        }
    }

    /// The result row that batch `index` starts at.
    pub fn batch_start(&self, index: usize) -> u64 {
        self.starts.get(index).copied().unwrap_or(self.loaded)
    }

    /// Where this result's spill files (and a sort's parts on disk) go.
    pub fn spill_store(&self) -> SharedSpillStore {
        self.spill_store
            .clone()
            .unwrap_or_else(|| SpillFolder::default().shared())
    }

    pub fn loaded_rows(&self) -> u64 {
        self.loaded
    }

    /// Memory the rows take, in bytes (Arrow buffers; spilled rows not counted).
    pub fn memory_bytes(&self) -> usize {
        self.bytes
    }

    /// Rows in the current view.
    pub fn shown_rows(&self) -> u32 {
        self.order
            .as_ref()
            .map_or_else(|| clamp(self.loaded), |o| clamp(o.len() as u64))
    }

    /// The view: row numbers in display order (`None`: all rows as they came).
    pub fn set_order(&mut self, order: Option<Vec<u32>>) {
        self.order = order;
    }

    /// The result row shown at `position` in the view.
    pub fn row_at(&self, position: u64) -> u64 {
        match &self.order {
            Some(order) => usize::try_from(position)
                .ok()
                .and_then(|p| order.get(p))
                .map_or(u64::MAX, |r| u64::from(*r)),
            None => position,
        }
    }

    /// Which batch holds `row`, and where in it.
    pub fn locate(&self, row: u64) -> (usize, usize) {
        let index = self
            .starts
            .partition_point(|start| *start <= row)
            .saturating_sub(1);
        let within = usize::try_from(row - self.starts[index]).unwrap_or(usize::MAX);
        (index, within)
    }

    /// Calls `visit(batch, rows_in_batch)` for view positions `from..to`, in order, one call
    /// per run of positions whose rows are in the same batch (each batch is loaded once per
    /// run).
    pub fn visit(
        &self,
        from: u64,
        to: u64,
        mut visit: impl FnMut(&RecordBatch, &[usize]),
    ) -> Result<(), ErrorInfo> {
        let to = to.min(u64::from(self.shown_rows()));
        let mut run: Vec<usize> = Vec::new();
        let mut run_batch: Option<usize> = None;
        let mut flush = |index: Option<usize>, run: &mut Vec<usize>| -> Result<(), ErrorInfo> {
            if let (Some(index), false) = (index, run.is_empty()) {
                visit(&self.batch(index)?, run);
            }
            run.clear();
            Ok(())
        };
        for position in from..to {
            let row = self.row_at(position);
            if row >= self.loaded {
                break;
            }
            let (index, within) = self.locate(row);
            if run_batch != Some(index) {
                flush(run_batch, &mut run)?;
                run_batch = Some(index);
            }
            run.push(within);
        }
        flush(run_batch, &mut run)
    }

    /// Up to `limit` rows from view position `offset` (fewer at the end, or while they are
    /// still arriving).
    pub fn window(&self, offset: u32, limit: u32) -> Result<RowWindow, ErrorInfo> {
        let options = display_options();
        let mut rows = Vec::new();
        let end = u64::from(offset) + u64::from(limit);
        self.visit(u64::from(offset), end, |batch, within| {
            let formatters = formatters(batch, &options);
            rows.extend(within.iter().map(|r| cells(batch, &formatters, *r)));
        })?;
        Ok(RowWindow { offset, rows })
    }

    /// View positions `from..to` as tab-separated text with a header line, for pasting into
    /// a spreadsheet; `safety` keeps formula-like text inert ([`super::formulas`]).
    pub fn tsv(&self, from: u32, to: u32, safety: FormulaSafety) -> Result<String, ErrorInfo> {
        if to.saturating_sub(from) > MAX_COPY_ROWS {
            return Err(ErrorInfo::new(
                ErrorCode::InvalidInput,
                format!(
                    "Copy takes up to {MAX_COPY_ROWS} rows. Export the result to CSV or Excel \
                     instead."
                ),
            ));
        }
        // A cell is made inert before its tabs and line breaks become spaces, so a value that
        // starts with a tab is caught too.
        let clean = |text: &str| safety.cell(text).replace(['\t', '\n', '\r'], " ");
        let mut out = self
            .columns
            .iter()
            .map(|c| clean(&c.name))
            .collect::<Vec<_>>()
            .join("\t");
        out.push('\n');
        let options = display_options();
        self.visit(u64::from(from), u64::from(to), |batch, within| {
            let formatters = formatters(batch, &options);
            let numeric: Vec<bool> = batch
                .columns()
                .iter()
                .map(|c| super::formulas::is_numeric(c.data_type()))
                .collect();
            for row in within {
                let line: Vec<String> = cells(batch, &formatters, *row)
                    .into_iter()
                    .zip(&numeric)
                    .map(|(cell, numeric)| match cell.as_deref() {
                        Some(text) if *numeric => text.to_owned(),
                        Some(text) => clean(text),
                        None => String::new(),
                    })
                    .collect();
                out.push_str(&line.join("\t"));
                out.push('\n');
            }
        })?;
        Ok(out)
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
        set.push(batch(0..4)).expect("rows kept");
        set.push(batch(4..7)).expect("rows kept");
        set.push(batch(7..10)).expect("rows kept");
        let window = set.window(3, 5).expect("window");
        let ids: Vec<Option<String>> = window.rows.iter().map(|r| r[0].clone()).collect();
        assert_eq!(ids, ["3", "4", "5", "6", "7"].map(|s| Some(s.to_owned())));
        assert_eq!(window.rows[0][1], None, "NULL stays None");
        assert_eq!(window.rows[1][1].as_deref(), Some("row 4"));
        assert_eq!(set.window(8, 100).expect("window").rows.len(), 2);
        assert!(set.window(10, 5).expect("window").rows.is_empty());
        assert!(!set.summary().complete);
        set.finish();
        assert_eq!(set.summary().loaded_rows, 10);
        assert!(set.summary().complete);
    }

    fn ids(set: &ResultSet, offset: u32, limit: u32) -> Vec<String> {
        set.window(offset, limit)
            .expect("window")
            .rows
            .into_iter()
            .map(|r| r[0].clone().unwrap_or_default())
            .collect()
    }

    #[test]
    fn past_its_disk_limit_a_result_stops_with_a_reason_and_holds_no_more_in_memory() {
        let one = batch(0..1000).get_array_memory_size();
        let mut set = ResultSet::new(vec![], 10_000, false)
            .with_memory_limit(one)
            .with_disk_limit(3 * one as u64);
        let mut refused = None;
        for start in (0..10_000).step_by(1000) {
            if let Err(error) = set.push(batch(start..start + 1000)) {
                refused = Some(error);
                break;
            }
        }
        let error = refused.expect("the disk limit was reached");
        assert_eq!(error.code, ErrorCode::InvalidInput);
        assert!(
            error
                .message
                .contains("larger than Brickdesk keeps on disk"),
            "{}",
            error.message
        );
        assert!(
            set.memory_bytes() <= one,
            "rows were held in memory instead"
        );
        let loaded = u32::try_from(set.loaded_rows()).expect("small");
        assert!(loaded > 1000 && loaded < 10_000, "{loaded}");
        assert_eq!(ids(&set, loaded - 1, 1), vec![(loaded - 1).to_string()]);
    }

    #[test]
    fn rows_past_the_memory_limit_are_spilled_and_read_back_the_same() {
        let one = batch(0..1000).get_array_memory_size();
        let mut spilled = ResultSet::new(vec![], 10_000, false).with_memory_limit(one * 2);
        let mut kept = ResultSet::new(vec![], 10_000, false);
        for start in (0..10_000).step_by(1000) {
            spilled.push(batch(start..start + 1000)).expect("rows kept");
            kept.push(batch(start..start + 1000)).expect("rows kept");
        }
        spilled.finish();
        kept.finish();
        assert!(
            spilled.memory_bytes() <= one * 2,
            "memory stays under the limit"
        );
        assert!(spilled.summary().spilled);
        assert!(!kept.summary().spilled);
        for (offset, limit) in [(0, 50), (1990, 30), (5500, 2000), (9990, 100)] {
            assert_eq!(
                spilled.window(offset, limit).expect("spilled"),
                kept.window(offset, limit).expect("kept"),
                "window {offset}+{limit}"
            );
        }
        assert_eq!(
            spilled
                .tsv(0, 10_000, FormulaSafety::default())
                .expect("tsv"),
            kept.tsv(0, 10_000, FormulaSafety::default()).expect("tsv")
        );
    }

    #[test]
    fn an_order_is_a_view_over_the_same_rows() {
        let mut set = ResultSet::new(vec![], 10, false);
        set.push(batch(0..5)).expect("rows kept");
        set.push(batch(5..10)).expect("rows kept");
        set.finish();
        set.set_order(Some(vec![9, 0, 5, 4]));
        assert_eq!(set.shown_rows(), 4);
        assert_eq!(ids(&set, 0, 10), ["9", "0", "5", "4"]);
        assert_eq!(ids(&set, 2, 1), ["5"]);
        set.set_order(None);
        assert_eq!(set.shown_rows(), 10);
    }

    #[test]
    fn copy_is_tab_separated_with_a_header_and_capped() {
        let columns = vec![
            Column {
                name: "id".into(),
                type_text: "BIGINT".into(),
                type_name: "LONG".into(),
                time_zone: None,
            },
            Column {
                name: "label".into(),
                type_text: "STRING".into(),
                type_name: "STRING".into(),
                time_zone: None,
            },
        ];
        let mut set = ResultSet::new(columns, 5, false);
        set.push(batch(0..5)).expect("rows kept");
        set.finish();
        assert_eq!(
            set.tsv(1, 3, FormulaSafety::default()).expect("tsv"),
            "id\tlabel\n1\trow 1\n2\trow 2\n"
        );
        assert_eq!(
            set.tsv(3, 5, FormulaSafety::default()).expect("tsv"),
            "id\tlabel\n3\t\n4\trow 4\n",
            "NULL is empty"
        );
        let error = set
            .tsv(0, MAX_COPY_ROWS + 1, FormulaSafety::default())
            .expect_err("too many");
        assert_eq!(error.code, ErrorCode::InvalidInput);
    }
}
