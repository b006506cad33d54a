//! Exporting a result (in its current sorted/filtered view) to CSV or Excel, streamed batch by
//! batch to a file, with progress and Cancel.
//!
//! The file is written next to its destination under a temporary name and renamed into
//! place at the end, so a cancelled or failed export never leaves half a file, nor replaces
//! the file the user chose until the new one is complete. CSV is UTF-8 with a byte-order mark
//! (Excel on Windows needs it to read accents) and RFC 4180 quoting. Excel cells keep their
//! types: numbers, booleans, dates and timestamps (formatted), text (typed as text, so a
//! formula-like string never runs; CSV cells get the `'` of [`super::formulas`]); a result longer than a
//! sheet continues on further sheets, each with a frozen header and filters. An answer's
//! workbook also has the About sheet and chart of [`super::workbook`].

use super::execute::Cancel;
use super::formulas::FormulaSafety;
use super::result_set::{ResultSet, cells, display_options, formatters};
use super::workbook::AnswerReport;
use crate::{ErrorCode, ErrorInfo};
use arrow_array::cast::AsArray as _;
use arrow_array::types::{
    Date32Type, Date64Type, Decimal128Type, Float16Type, Float32Type, Float64Type, Int8Type,
    Int16Type, Int32Type, Int64Type, TimestampMicrosecondType, TimestampMillisecondType,
    TimestampNanosecondType, TimestampSecondType, UInt8Type, UInt16Type, UInt32Type, UInt64Type,
};
use arrow_array::{Array, RecordBatch};
use arrow_schema::{DataType, TimeUnit};
use serde::{Deserialize, Serialize};
use std::io::Write as _;
use std::path::Path;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum ExportFormat {
    Csv,
    Xlsx,
}

impl ExportFormat {
    pub fn extension(self) -> &'static str {
        match self {
            Self::Csv => "csv",
            Self::Xlsx => "xlsx",
        }
    }
}

/// How far an export is.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ExportProgress {
    pub rows_written: u32,
    pub total_rows: u32,
}

/// A finished export.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ExportDone {
    pub path: String,
    pub rows: u32,
    /// Sheets in an Excel file (1 unless the result is longer than a sheet).
    pub sheets: u32,
}

/// Data rows per sheet: Excel's 1,048,576 rows less the header.
const ROWS_PER_SHEET: u64 = 1_048_575;
/// Progress is reported about this often (in rows).
const PROGRESS_EVERY: u64 = 10_000;
/// Excel keeps 15 significant digits; integers beyond 2^53 are written as text to stay exact.
const EXACT_IN_F64: i64 = 1 << 53;
/// Excel's day 0 for dates after 1900-03-01 is 1899-12-30; 1970-01-01 is day 25,569.
const UNIX_EPOCH_SERIAL: f64 = 25_569.0;
/// Excel's limit for one cell's text.
const MAX_CELL_CHARS: usize = 32_767;

/// [`io_error`], naming the program that holds the file where Windows says one does.
fn replace_error(path: &Path, error: &std::io::Error) -> ErrorInfo {
    // Windows' sharing and lock violations: the file is open in another program (Excel).
    if matches!(error.raw_os_error(), Some(32 | 33)) && cfg!(windows) {
        return ErrorInfo::new(
            ErrorCode::InvalidInput,
            format!(
                "{} is open in another program (Excel?). Close it there and export again, or \
                 choose another name.",
                path.display()
            ),
        );
    }
    io_error(path, error)
}

fn io_error(path: &Path, error: &dyn std::fmt::Display) -> ErrorInfo {
    ErrorInfo::new(
        ErrorCode::InvalidInput,
        format!(
            "Brickdesk could not write {} ({error}). Choose another folder, or check that the \
             file is not open in another program.",
            path.display()
        ),
    )
}

fn cancelled() -> ErrorInfo {
    ErrorInfo::new(
        ErrorCode::Cancelled,
        "You cancelled the export; no file was written.",
    )
}

/// The export is written to a temporary file beside `path` ([`crate::files::temp_beside`]:
/// a random name, created exclusively) and renamed over it when complete; dropped, it is
/// removed.
fn partial_next_to(path: &Path) -> Result<tempfile::NamedTempFile, ErrorInfo> {
    crate::files::temp_beside(path).map_err(|e| io_error(path, &e))
}

/// What to export and how.
#[derive(Debug, Clone, Copy)]
pub struct ExportRequest<'a> {
    pub format: ExportFormat,
    pub safety: FormulaSafety,
    /// For an Excel file: the About sheet and chart of an answer.
    pub report: Option<&'a AnswerReport>,
}

/// Writes the rows of `set`'s current view to `path`.
pub fn export(
    set: &ResultSet,
    request: ExportRequest<'_>,
    path: &Path,
    cancel: &Cancel,
    mut progress: impl FnMut(ExportProgress),
) -> Result<ExportDone, ErrorInfo> {
    let ExportRequest {
        format,
        safety,
        report,
    } = request;
    if !set.is_complete() {
        return Err(ErrorInfo::new(
            ErrorCode::InvalidInput,
            "Export starts once every row has arrived.",
        ));
    }
    let total = u64::from(set.shown_rows());
    crate::files::check_replaceable(path).map_err(|e| replace_error(path, &e))?;
    let partial = partial_next_to(path)?;
    let about = report;
    let mut report = |written: u64| {
        progress(ExportProgress {
            rows_written: u32::try_from(written).unwrap_or(u32::MAX),
            total_rows: u32::try_from(total).unwrap_or(u32::MAX),
        });
    };
    report(0);
    let sheets = match format {
        ExportFormat::Csv => {
            write_csv(
                set,
                partial.as_file(),
                path,
                total,
                safety,
                cancel,
                &mut report,
            )?;
            1
        }
        ExportFormat::Xlsx => write_xlsx(
            set,
            partial.as_file(),
            path,
            (total, about),
            cancel,
            &mut report,
        )?,
    };
    if cancel.is_cancelled() {
        return Err(cancelled());
    }
    partial
        .as_file()
        .sync_all()
        .map_err(|e| io_error(path, &e))?;
    crate::files::replace(partial, path).map_err(|e| replace_error(path, &e))?;
    report(total);
    Ok(ExportDone {
        path: path.display().to_string(),
        rows: u32::try_from(total).unwrap_or(u32::MAX),
        sheets,
    })
}

/// Calls `write(batch, rows)` over view positions `range` in blocks of rows, checking Cancel
/// and reporting the position reached between blocks.
fn each_block(
    set: &ResultSet,
    range: std::ops::Range<u64>,
    cancel: &Cancel,
    report: &mut dyn FnMut(u64),
    mut write: impl FnMut(&RecordBatch, &[usize]) -> Result<(), ErrorInfo>,
) -> Result<(), ErrorInfo> {
    let mut from = range.start;
    while from < range.end {
        if cancel.is_cancelled() {
            return Err(cancelled());
        }
        let to = (from + PROGRESS_EVERY).min(range.end);
        let mut failed = None;
        set.visit(from, to, |batch, rows| {
            if failed.is_none() {
                failed = write(batch, rows).err();
            }
        })?;
        if let Some(error) = failed {
            return Err(error);
        }
        from = to;
        report(from);
    }
    Ok(())
}

/// A column's heading in a file. Neither CSV nor Excel has time zones, so a TIMESTAMP
/// column's heading says which zone its wall-clock times are in: `pickup (America/New_York)`.
fn heading(column: &super::wire::Column) -> String {
    match &column.time_zone {
        Some(zone) => format!("{} ({zone})", column.name),
        None => column.name.clone(),
    }
}

/// µs since 1970 as wall-clock time in `zone` (UTC when there is none, or it is unknown).
fn wall_clock(micros: i64, zone: Option<&str>) -> Option<chrono::NaiveDateTime> {
    let instant = chrono::DateTime::from_timestamp_micros(micros)?;
    Some(
        match zone.and_then(|z| z.parse::<arrow_array::timezone::Tz>().ok()) {
            Some(tz) => instant.with_timezone(&tz).naive_local(),
            None => instant.naive_utc(),
        },
    )
}

/// A text field, always quoted: where a spreadsheet's list separator is `;` (much of Europe),
/// an unquoted `x;=HYPERLINK(…)` would split into a second cell that starts a formula, past
/// the check on the field's first character.
fn csv_text(out: &mut Vec<u8>, text: &str) {
    out.push(b'"');
    out.extend_from_slice(text.replace('"', "\"\"").as_bytes());
    out.push(b'"');
}

/// A number as it is written (quoted only if its text needs it, which a number's never does).
fn csv_field(out: &mut Vec<u8>, text: &str) {
    if text.contains([',', '"', '\n', '\r', '\t']) {
        out.push(b'"');
        out.extend_from_slice(text.replace('"', "\"\"").as_bytes());
        out.push(b'"');
    } else {
        out.extend_from_slice(text.as_bytes());
    }
}

fn write_csv(
    set: &ResultSet,
    file: &std::fs::File,
    path: &Path,
    total: u64,
    safety: FormulaSafety,
    cancel: &Cancel,
    report: &mut dyn FnMut(u64),
) -> Result<(), ErrorInfo> {
    let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
    let mut line = Vec::with_capacity(4096);
    line.extend_from_slice("\u{feff}".as_bytes());
    for (i, column) in set.columns().iter().enumerate() {
        if i > 0 {
            line.push(b',');
        }
        csv_text(&mut line, &safety.cell(&heading(column)));
    }
    line.extend_from_slice(b"\r\n");
    out.write_all(&line).map_err(|e| io_error(path, &e))?;
    let options = display_options();
    each_block(set, 0..total, cancel, report, |batch, rows| {
        let formatters = formatters(batch, &options);
        let numeric: Vec<bool> = batch
            .columns()
            .iter()
            .map(|c| super::formulas::is_numeric(c.data_type()))
            .collect();
        for row in rows {
            line.clear();
            for (i, cell) in cells(batch, &formatters, *row).iter().enumerate() {
                if i > 0 {
                    line.push(b',');
                }
                match cell {
                    Some(text) if numeric[i] => csv_field(&mut line, text),
                    Some(text) => csv_text(&mut line, &safety.cell(text)),
                    None => {}
                }
            }
            line.extend_from_slice(b"\r\n");
            out.write_all(&line).map_err(|e| io_error(path, &e))?;
        }
        Ok(())
    })?;
    out.flush().map_err(|e| io_error(path, &e))?;
    out.into_inner()
        .map_err(|e| io_error(path, &e.error().to_string()))?
        .sync_all()
        .map_err(|e| io_error(path, &e))
}

/// One cell as Excel should store it.
enum XlsxValue {
    Number(f64),
    Date(f64),
    DateTime(f64),
    Bool(bool),
    Text(String),
    Blank,
}

/// The typed value of `array[row]` (`text` is its displayed form, for other types).
fn xlsx_value(array: &dyn Array, row: usize, text: Option<&str>) -> XlsxValue {
    if array.is_null(row) || array.data_type() == &DataType::Null {
        return XlsxValue::Blank;
    }
    let int = |v: i64| {
        if (-EXACT_IN_F64..=EXACT_IN_F64).contains(&v) {
            XlsxValue::Number(v as f64)
        } else {
            XlsxValue::Text(v.to_string())
        }
    };
    match array.data_type() {
        DataType::Int8 => XlsxValue::Number(f64::from(array.as_primitive::<Int8Type>().value(row))),
        DataType::Int16 => {
            XlsxValue::Number(f64::from(array.as_primitive::<Int16Type>().value(row)))
        }
        DataType::Int32 => {
            XlsxValue::Number(f64::from(array.as_primitive::<Int32Type>().value(row)))
        }
        DataType::Int64 => int(array.as_primitive::<Int64Type>().value(row)),
        DataType::UInt8 => {
            XlsxValue::Number(f64::from(array.as_primitive::<UInt8Type>().value(row)))
        }
        DataType::UInt16 => {
            XlsxValue::Number(f64::from(array.as_primitive::<UInt16Type>().value(row)))
        }
        DataType::UInt32 => {
            XlsxValue::Number(f64::from(array.as_primitive::<UInt32Type>().value(row)))
        }
        DataType::UInt64 => match i64::try_from(array.as_primitive::<UInt64Type>().value(row)) {
            Ok(v) => int(v),
            Err(_) => XlsxValue::Text(text.unwrap_or_default().to_owned()),
        },
        DataType::Float16 => {
            XlsxValue::Number(f64::from(array.as_primitive::<Float16Type>().value(row)))
        }
        DataType::Float32 => {
            XlsxValue::Number(f64::from(array.as_primitive::<Float32Type>().value(row)))
        }
        DataType::Float64 => XlsxValue::Number(array.as_primitive::<Float64Type>().value(row)),
        DataType::Decimal128(_, scale) => {
            let raw = array.as_primitive::<Decimal128Type>().value(row);
            XlsxValue::Number(raw as f64 / 10f64.powi(i32::from(*scale)))
        }
        DataType::Boolean => XlsxValue::Bool(array.as_boolean().value(row)),
        DataType::Date32 => XlsxValue::Date(
            UNIX_EPOCH_SERIAL + f64::from(array.as_primitive::<Date32Type>().value(row)),
        ),
        DataType::Date64 => XlsxValue::Date(
            UNIX_EPOCH_SERIAL + (array.as_primitive::<Date64Type>().value(row) / 86_400_000) as f64,
        ),
        DataType::Timestamp(unit, zone) => {
            let micros = match unit {
                TimeUnit::Second => array
                    .as_primitive::<TimestampSecondType>()
                    .value(row)
                    .saturating_mul(1_000_000),
                TimeUnit::Millisecond => array
                    .as_primitive::<TimestampMillisecondType>()
                    .value(row)
                    .saturating_mul(1_000),
                TimeUnit::Microsecond => {
                    array.as_primitive::<TimestampMicrosecondType>().value(row)
                }
                TimeUnit::Nanosecond => {
                    array.as_primitive::<TimestampNanosecondType>().value(row) / 1_000
                }
            };
            // Excel has no zones: the cell holds the wall-clock time the grid shows.
            match wall_clock(micros, zone.as_deref()) {
                Some(local) => XlsxValue::DateTime(
                    UNIX_EPOCH_SERIAL + local.and_utc().timestamp_micros() as f64 / 1e6 / 86_400.0,
                ),
                None => XlsxValue::Text(text.unwrap_or_default().to_owned()),
            }
        }
        _ => XlsxValue::Text(text.unwrap_or_default().to_owned()),
    }
}

/// `text` cut to what one Excel cell holds.
pub(super) fn cell_text(text: &str) -> String {
    text.chars().take(MAX_CELL_CHARS).collect()
}

fn xlsx_error(path: &Path, error: &rust_xlsxwriter::XlsxError) -> ErrorInfo {
    io_error(path, error)
}

/// One cell, typed (dates and timestamps as Excel serial numbers with a format).
fn write_cell(
    worksheet: &mut rust_xlsxwriter::Worksheet,
    row: u32,
    col: u16,
    value: XlsxValue,
    date: &rust_xlsxwriter::Format,
    datetime: &rust_xlsxwriter::Format,
) -> Result<(), rust_xlsxwriter::XlsxError> {
    match value {
        XlsxValue::Blank => return Ok(()),
        XlsxValue::Number(n) => worksheet.write_number(row, col, n),
        XlsxValue::Date(d) => worksheet.write_number_with_format(row, col, d, date),
        XlsxValue::DateTime(d) => worksheet.write_number_with_format(row, col, d, datetime),
        XlsxValue::Bool(b) => worksheet.write_boolean(row, col, b),
        XlsxValue::Text(t) => worksheet.write_string(row, col, cell_text(&t)),
    }
    .map(drop)
}

fn write_xlsx(
    set: &ResultSet,
    file: &std::fs::File,
    path: &Path,
    (total, about): (u64, Option<&AnswerReport>),
    cancel: &Cancel,
    report: &mut dyn FnMut(u64),
) -> Result<u32, ErrorInfo> {
    use rust_xlsxwriter::{Format, Workbook};
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let datetime = Format::new().set_num_format("yyyy-mm-dd hh:mm:ss");
    let header = Format::new().set_bold();
    let mut workbook = Workbook::new();
    let sheets = total.div_ceil(ROWS_PER_SHEET).max(1);
    let stem = if about.is_some() { "Data" } else { "Result" };
    let sheet_name = |sheet: u64| {
        if sheets == 1 {
            stem.to_owned()
        } else {
            format!("{stem} {}", sheet + 1)
        }
    };
    if let Some(about) = about {
        let chart_rows = total.min(ROWS_PER_SHEET);
        super::workbook::add_about(
            &mut workbook,
            about,
            set.columns(),
            &sheet_name(0),
            chart_rows,
            set.summary().truncated,
        )
        .map_err(|e| xlsx_error(path, &e))?;
    }
    let options = display_options();
    let last_column = u16::try_from(set.columns().len().saturating_sub(1)).unwrap_or(u16::MAX);
    for sheet in 0..sheets {
        let worksheet = workbook
            .add_worksheet_with_constant_memory()
            .map_err(|e| xlsx_error(path, &e))?;
        let name = sheet_name(sheet);
        worksheet
            .set_name(&name)
            .map_err(|e| xlsx_error(path, &e))?;
        for (c, column) in set.columns().iter().enumerate() {
            let c = u16::try_from(c).unwrap_or(u16::MAX);
            worksheet
                .write_string_with_format(0, c, heading(column), &header)
                .map_err(|e| xlsx_error(path, &e))?;
            worksheet
                .set_column_width(c, heading(column).len().clamp(10, 40) as f64)
                .map_err(|e| xlsx_error(path, &e))?;
        }
        worksheet
            .set_freeze_panes(1, 0)
            .map_err(|e| xlsx_error(path, &e))?;
        let first = sheet * ROWS_PER_SHEET;
        let last = (first + ROWS_PER_SHEET).min(total);
        if !set.columns().is_empty() {
            let last_row = u32::try_from((last - first).max(1)).unwrap_or(u32::MAX);
            worksheet
                .autofilter(0, 0, last_row, last_column)
                .map_err(|e| xlsx_error(path, &e))?;
        }
        let mut excel_row = 1u32;
        each_block(set, first..last, cancel, report, |batch, rows| {
            let formatters = formatters(batch, &options);
            for row in rows {
                let texts = cells(batch, &formatters, *row);
                for (c, array) in batch.columns().iter().enumerate() {
                    let col = u16::try_from(c).unwrap_or(u16::MAX);
                    let text = texts.get(c).and_then(Option::as_deref);
                    let value = xlsx_value(array.as_ref(), *row, text);
                    write_cell(worksheet, excel_row, col, value, &date, &datetime)
                        .map_err(|e| xlsx_error(path, &e))?;
                }
                excel_row += 1;
            }
            Ok(())
        })?;
    }
    workbook
        .save_to_writer(file)
        .map_err(|e| xlsx_error(path, &e))?;
    Ok(u32::try_from(sheets).unwrap_or(u32::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::view::{self, ViewSpec};
    use crate::sql::wire::Column;
    use arrow_array::{
        BooleanArray, Date32Array, Decimal128Array, Float64Array, Int64Array, StringArray,
        TimestampMicrosecondArray,
    };
    use arrow_schema::{Field, Schema};
    use calamine::{Data, Reader as _};
    use std::path::PathBuf;
    use std::sync::Arc;

    fn column(name: &str, ty: &str) -> Column {
        Column {
            name: name.into(),
            type_text: ty.into(),
            type_name: ty.into(),
            time_zone: None,
        }
    }

    /// Three rows of every exported type, with NULLs and text that needs quoting.
    fn typed() -> ResultSet {
        let schema = Arc::new(Schema::new(vec![
            Field::new("id", DataType::Int64, true),
            Field::new("fare", DataType::Float64, true),
            Field::new("amount", DataType::Decimal128(10, 2), true),
            Field::new("day", DataType::Date32, true),
            Field::new(
                "at",
                DataType::Timestamp(TimeUnit::Microsecond, Some("Etc/UTC".into())),
                true,
            ),
            Field::new("paid", DataType::Boolean, true),
            Field::new("note", DataType::Utf8, true),
        ]));
        let batch = RecordBatch::try_new(
            schema,
            vec![
                Arc::new(Int64Array::from(vec![
                    Some(3),
                    Some(1),
                    Some(9_007_199_254_740_993),
                ])),
                Arc::new(Float64Array::from(vec![Some(12.5), None, Some(0.1)])),
                Arc::new(
                    Decimal128Array::from(vec![Some(1050), Some(-25), None])
                        .with_precision_and_scale(10, 2)
                        .expect("decimal"),
                ),
                // 2016-01-05 is day 16,805 since 1970.
                Arc::new(Date32Array::from(vec![Some(16_805), None, Some(0)])),
                Arc::new(
                    TimestampMicrosecondArray::from(vec![
                        Some(1_451_999_700_000_000),
                        None,
                        Some(0),
                    ])
                    .with_timezone("Etc/UTC"),
                ),
                Arc::new(BooleanArray::from(vec![Some(true), Some(false), None])),
                Arc::new(StringArray::from(vec![
                    Some("plain"),
                    Some("comma, \"quote\"\nline"),
                    None,
                ])),
            ],
        )
        .expect("batch");
        let columns = [
            ("id", "BIGINT"),
            ("fare", "DOUBLE"),
            ("amount", "DECIMAL(10,2)"),
            ("day", "DATE"),
            ("at", "TIMESTAMP"),
            ("paid", "BOOLEAN"),
            ("note", "STRING"),
        ]
        .map(|(n, t)| column(n, t))
        .to_vec();
        let mut set = ResultSet::new(columns, 3, false);
        set.push(batch).expect("rows kept");
        set.finish();
        set
    }

    fn export_to(set: &ResultSet, format: ExportFormat, dir: &Path) -> (PathBuf, Vec<u32>) {
        let path = dir.join(format!("out.{}", format.extension()));
        let mut seen = Vec::new();
        let done = export(
            set,
            ExportRequest {
                format,
                safety: FormulaSafety::default(),
                report: None,
            },
            &path,
            &Cancel::default(),
            |p| {
                seen.push(p.rows_written);
            },
        )
        .expect("export");
        assert_eq!(done.rows, set.shown_rows());
        (path, seen)
    }

    #[test]
    fn csv_has_a_bom_a_header_and_rfc_4180_quoting() {
        let dir = tempfile::tempdir().expect("dir");
        let (path, progress) = export_to(&typed(), ExportFormat::Csv, dir.path());
        let text = std::fs::read_to_string(&path).expect("read");
        let text = text.strip_prefix('\u{feff}').expect("byte-order mark");
        let lines: Vec<&str> = text.split("\r\n").collect();
        assert_eq!(
            lines[0],
            "\"id\",\"fare\",\"amount\",\"day\",\"at (UTC)\",\"paid\",\"note\""
        );
        assert_eq!(
            lines[1], "3,12.5,10.50,\"2016-01-05\",\"2016-01-05 13:15:00\",\"true\",\"plain\"",
            "numbers bare, every text quoted"
        );
        assert_eq!(
            lines[2], "1,,-0.25,,,\"false\",\"comma, \"\"quote\"\"\nline\"",
            "NULL is empty; quotes doubled; newline kept inside quotes"
        );
        assert_eq!(
            lines[3],
            "9007199254740993,0.1,,\"1970-01-01\",\"1970-01-01 00:00:00\",,"
        );
        assert_eq!(progress.first(), Some(&0));
        assert_eq!(progress.last(), Some(&3));
        let leftovers: Vec<_> = std::fs::read_dir(dir.path()).expect("list").collect();
        assert_eq!(leftovers.len(), 1, "no partial file left behind");
    }

    #[test]
    fn excel_cells_keep_their_types() {
        let dir = tempfile::tempdir().expect("dir");
        let (path, _) = export_to(&typed(), ExportFormat::Xlsx, dir.path());
        let mut book: calamine::Xlsx<_> = calamine::open_workbook(&path).expect("open xlsx");
        let range = book.worksheet_range("Result").expect("sheet");
        assert_eq!(range.height(), 4, "header and three rows");
        let cell = |r: u32, c: u32| range.get_value((r, c)).cloned().unwrap_or(Data::Empty);
        assert_eq!(cell(0, 0), Data::String("id".into()));
        assert_eq!(
            cell(0, 4),
            Data::String("at (UTC)".into()),
            "the zone is named"
        );
        assert_eq!(cell(1, 0), Data::Float(3.0));
        assert_eq!(cell(1, 1), Data::Float(12.5));
        assert_eq!(cell(1, 2), Data::Float(10.5));
        assert_eq!(cell(2, 2), Data::Float(-0.25));
        match cell(1, 3) {
            Data::DateTime(d) => assert_eq!(d.as_f64(), 42_374.0, "2016-01-05"),
            other => panic!("a date, not {other:?}"),
        }
        match cell(1, 4) {
            Data::DateTime(d) => {
                let expected = 42_374.0 + (13.0 * 3600.0 + 15.0 * 60.0) / 86_400.0;
                assert!((d.as_f64() - expected).abs() < 1e-9, "{}", d.as_f64());
            }
            other => panic!("a timestamp, not {other:?}"),
        }
        assert_eq!(cell(1, 5), Data::Bool(true));
        assert_eq!(cell(2, 6), Data::String("comma, \"quote\"\nline".into()));
        assert_eq!(cell(2, 1), Data::Empty, "NULL is an empty cell");
        assert_eq!(
            cell(3, 0),
            Data::String("9007199254740993".into()),
            "an integer Excel cannot hold exactly stays exact as text"
        );
    }

    /// A TIMESTAMP of a workspace whose session zone is New York: the file holds the
    /// wall-clock times the grid shows, and its heading names the zone.
    #[test]
    fn zoned_timestamps_are_exported_as_wall_clock_time_in_their_zone() {
        let schema = Arc::new(Schema::new(vec![Field::new(
            "pickup",
            DataType::Timestamp(TimeUnit::Microsecond, Some("America/New_York".into())),
            true,
        )]));
        // 2016-01-05 13:15 UTC (08:15 in New York) and 2016-07-01 12:00 UTC (08:00, summer).
        let batch = RecordBatch::try_new(
            schema,
            vec![Arc::new(
                TimestampMicrosecondArray::from(vec![1_451_999_700_000_000, 1_467_374_400_000_000])
                    .with_timezone("America/New_York"),
            )],
        )
        .expect("batch");
        let mut set = ResultSet::new(vec![column("pickup", "TIMESTAMP")], 2, false);
        set.push(batch).expect("rows kept");
        set.finish();
        assert_eq!(
            set.columns()[0].time_zone.as_deref(),
            Some("America/New_York")
        );
        let dir = tempfile::tempdir().expect("dir");
        let (csv, _) = export_to(&set, ExportFormat::Csv, dir.path());
        let text = std::fs::read_to_string(&csv).expect("read");
        assert_eq!(
            text.trim_start_matches('\u{feff}'),
            "\"pickup (America/New_York)\"\r\n\"2016-01-05 08:15:00\"\r\n\"2016-07-01 08:00:00\"\r\n"
        );
        let (xlsx, _) = export_to(&set, ExportFormat::Xlsx, dir.path());
        let mut book: calamine::Xlsx<_> = calamine::open_workbook(&xlsx).expect("open xlsx");
        let range = book.worksheet_range("Result").expect("sheet");
        let cell = |r: u32| range.get_value((r, 0)).cloned().unwrap_or(Data::Empty);
        assert_eq!(cell(0), Data::String("pickup (America/New_York)".into()));
        for (row, serial) in [(1, 42_374.0 + 8.25 / 24.0), (2, 42_552.0 + 8.0 / 24.0)] {
            match cell(row) {
                Data::DateTime(d) => {
                    assert!(
                        (d.as_f64() - serial).abs() < 1e-9,
                        "row {row}: {}",
                        d.as_f64()
                    );
                }
                other => panic!("a timestamp, not {other:?}"),
            }
        }
    }

    /// Data that holds spreadsheet formulas: CSV and Copy make them inert (numbers stay
    /// numbers), XLSX keeps them as text cells, and turning protection off writes them as is.
    #[test]
    fn formulas_from_data_never_run_in_a_spreadsheet() {
        let schema = Arc::new(Schema::new(vec![
            Field::new("=cmd|'/C calc'!A0", DataType::Utf8, true),
            Field::new("delta", DataType::Int64, true),
        ]));
        let batch = RecordBatch::try_new(
            schema,
            vec![
                Arc::new(StringArray::from(vec![
                    Some("=HYPERLINK(\"http://evil.example\",\"click\")"),
                    Some("@SUM(A1)"),
                    Some("-12.5"),
                    Some("x;=HYPERLINK(\"http://evil.example\")"),
                ])),
                Arc::new(Int64Array::from(vec![Some(-3), Some(4), None, Some(1)])),
            ],
        )
        .expect("batch");
        let columns = vec![
            column("=cmd|'/C calc'!A0", "STRING"),
            column("delta", "BIGINT"),
        ];
        let mut set = ResultSet::new(columns, 4, false);
        set.push(batch).expect("rows kept");
        set.finish();
        let dir = tempfile::tempdir().expect("dir");
        let (csv, _) = export_to(&set, ExportFormat::Csv, dir.path());
        let text = std::fs::read_to_string(&csv).expect("read");
        let lines: Vec<&str> = text.trim_start_matches('\u{feff}').split("\r\n").collect();
        assert_eq!(lines[0], "\"'=cmd|'/C calc'!A0\",\"delta\"", "headings too");
        assert_eq!(
            lines[1], "\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"click\"\")\",-3",
            "a negative number stays a number"
        );
        assert_eq!(lines[2], "\"'@SUM(A1)\",4");
        assert_eq!(lines[3], "\"-12.5\",", "a number as text is left alone");
        assert_eq!(
            lines[4], "\"x;=HYPERLINK(\"\"http://evil.example\"\")\",1",
            "quoted, so a `;` list separator cannot split a formula off"
        );
        let copied = set.tsv(0, 3, FormulaSafety::default()).expect("tsv");
        assert!(
            copied.starts_with("'=cmd|'/C calc'!A0\tdelta\n'=HYPERLINK("),
            "{copied}"
        );
        let trusted = set
            .tsv(0, 1, FormulaSafety { protect: false })
            .expect("tsv");
        assert!(trusted.contains("\n=HYPERLINK("), "{trusted}");

        let (xlsx, _) = export_to(&set, ExportFormat::Xlsx, dir.path());
        let mut book: calamine::Xlsx<_> = calamine::open_workbook(&xlsx).expect("open xlsx");
        let range = book.worksheet_range("Result").expect("sheet");
        assert_eq!(
            range.get_value((1, 0)).cloned(),
            Some(Data::String(
                "=HYPERLINK(\"http://evil.example\",\"click\")".into()
            )),
            "a text cell, never a formula"
        );
        let formulas = book.worksheet_formula("Result").expect("formulas");
        assert!(
            formulas.used_cells().all(|(_, _, f)| f.is_empty()),
            "the workbook holds no formula"
        );
    }

    #[test]
    fn exports_follow_the_sorted_and_filtered_view() {
        let dir = tempfile::tempdir().expect("dir");
        let mut set = typed();
        let spec = ViewSpec {
            sort_column: Some(0),
            descending: true,
            filter: String::new(),
        };
        set.set_order(view::order(&set, &spec, &Cancel::new(), &mut |_| {}).expect("order"));
        let (path, _) = export_to(&set, ExportFormat::Csv, dir.path());
        let text = std::fs::read_to_string(&path).expect("read");
        let ids: Vec<&str> = text
            .split("\r\n")
            .skip(1)
            .filter_map(|l| l.split(',').next())
            .filter(|s| !s.is_empty())
            .collect();
        assert_eq!(ids, ["9007199254740993", "3", "1"]);
        let spec = ViewSpec {
            sort_column: Some(1),
            descending: false,
            filter: "PLAIN".into(),
        };
        set.set_order(view::order(&set, &spec, &Cancel::new(), &mut |_| {}).expect("order"));
        assert_eq!(set.shown_rows(), 1, "the filter ignores case");
        let spec = ViewSpec {
            sort_column: Some(1),
            descending: false,
            filter: String::new(),
        };
        set.set_order(view::order(&set, &spec, &Cancel::new(), &mut |_| {}).expect("order"));
        let first = set.window(0, 3).expect("window");
        let fares: Vec<Option<String>> = first.rows.iter().map(|r| r[1].clone()).collect();
        assert_eq!(
            fares,
            [Some("0.1".into()), Some("12.5".into()), None],
            "NULL last"
        );
    }

    #[test]
    fn a_cancelled_export_leaves_the_old_file_alone() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("keep.csv");
        std::fs::write(&path, "old").expect("write");
        let cancel = Cancel::default();
        cancel.cancel();
        let error = export(
            &typed(),
            ExportRequest {
                format: ExportFormat::Xlsx,
                safety: FormulaSafety::default(),
                report: None,
            },
            &path,
            &cancel,
            |_| {},
        )
        .expect_err("cancelled");
        assert_eq!(error.code, ErrorCode::Cancelled);
        assert_eq!(std::fs::read_to_string(&path).expect("read"), "old");
        assert_eq!(std::fs::read_dir(dir.path()).expect("list").count(), 1);
        let unfinished = ResultSet::new(vec![], 10, false);
        let error = export(
            &unfinished,
            ExportRequest {
                format: ExportFormat::Csv,
                safety: FormulaSafety::default(),
                report: None,
            },
            &path,
            &Cancel::default(),
            |_| {},
        )
        .expect_err("not complete");
        assert_eq!(error.code, ErrorCode::InvalidInput);
    }

    /// A target that cannot be replaced is refused before a row is written (on Windows, the
    /// workbook open in Excel; the GitHub workflow's Windows job runs this with the file held
    /// open without sharing, here a folder in its place).
    #[test]
    fn a_target_that_cannot_be_replaced_is_refused_before_any_row_is_written() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("open-elsewhere.xlsx");
        std::fs::create_dir(&path).expect("a folder in its place");
        #[cfg(windows)]
        let _held = {
            use std::os::windows::fs::OpenOptionsExt as _;
            let file = dir.path().join("held.xlsx");
            std::fs::write(&file, "old").expect("write");
            let held = std::fs::OpenOptions::new()
                .read(true)
                .share_mode(0)
                .open(&file)
                .expect("held");
            let error = crate::files::check_replaceable(&file).expect_err("held open");
            assert_eq!(error.raw_os_error(), Some(32), "{error}");
            held
        };
        let mut progress = Vec::new();
        let error = export(
            &typed(),
            ExportRequest {
                format: ExportFormat::Csv,
                safety: FormulaSafety::default(),
                report: None,
            },
            &path,
            &Cancel::default(),
            |p| progress.push(p.rows_written),
        )
        .expect_err("a folder");
        assert!(
            error.message.contains("it is a folder"),
            "{}",
            error.message
        );
        assert!(progress.is_empty(), "{progress:?}");
        assert_eq!(
            std::fs::read_dir(dir.path()).expect("list").count(),
            if cfg!(windows) { 2 } else { 1 }
        );
    }

    #[cfg(unix)]
    #[test]
    fn an_export_never_writes_through_a_planted_link() {
        let dir = tempfile::tempdir().expect("dir");
        let victim = dir.path().join("victim");
        std::fs::write(&victim, "keep me").expect("victim");
        // The fixed name exports were once written through, linked to another file.
        std::os::unix::fs::symlink(&victim, dir.path().join(".out.csv.brickdesk-partial"))
            .expect("plant");
        let (path, _) = export_to(&typed(), ExportFormat::Csv, dir.path());
        assert_eq!(std::fs::read_to_string(&victim).expect("read"), "keep me");
        assert!(
            std::fs::read_to_string(&path)
                .expect("read")
                .contains("plain")
        );
    }
}
