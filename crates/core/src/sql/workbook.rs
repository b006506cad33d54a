//! What an exported answer's workbook holds besides its rows: an "About" sheet first (the
//! question, Genie's answer, the SQL, where the figures came from, the time zone of its
//! times, whether rows are missing) with a native Excel chart of the data beside it, which
//! the reader can restyle or retarget in Excel like any chart they made.
//!
//! Every text goes in as a string cell, so nothing from an answer or its data can become a
//! formula. The chart reads the data sheet's cells, so it is the data's, not a picture.

use super::export::cell_text as text;
use super::wire::Column;
use rust_xlsxwriter::{Chart, ChartType, Format, Workbook, XlsxError};
use serde::Deserialize;

/// Charts of more rows than this are not drawn: Excel slows down and nobody can read them.
pub const MAX_CHART_ROWS: u64 = 10_000;

/// One line of the About sheet.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct AboutLine {
    pub label: String,
    pub value: String,
}

/// How the chart shows the data: a line over time, or bars by category.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum ChartKind {
    Line,
    Bar,
}

/// The chart the UI shows, by column names of the result.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ChartChoice {
    pub kind: ChartKind,
    /// The column along the axis (time or category).
    pub x: String,
    /// The measured column.
    pub y: String,
}

/// What an answer's workbook says about it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct AnswerReport {
    pub title: String,
    /// In reading order: the question, the answer, the SQL, the provenance.
    pub about: Vec<AboutLine>,
    pub chart: Option<ChartChoice>,
}

/// The time zones the result's times are shown in, for the About sheet.
fn time_zones(columns: &[Column]) -> Option<String> {
    let zoned: Vec<String> = columns
        .iter()
        .filter_map(|c| c.time_zone.as_ref().map(|z| format!("{}: {z}", c.name)))
        .collect();
    let plain = columns
        .iter()
        .any(|c| c.type_name == "TIMESTAMP_NTZ" || c.type_name == "DATE");
    match (zoned.is_empty(), plain) {
        (false, _) => Some(format!(
            "{} (times are written as wall-clock time in that zone)",
            zoned.join("; ")
        )),
        (true, true) => Some("Dates and times without a time zone, as stored".into()),
        (true, false) => None,
    }
}

/// Adds the About sheet (first) to `workbook`, with the chart over `data_sheet`'s rows
/// `1..=rows` when the report asks for one the columns allow. Returns whether a chart went in.
pub fn add_about(
    workbook: &mut Workbook,
    report: &AnswerReport,
    columns: &[Column],
    data_sheet: &str,
    rows: u64,
    truncated: bool,
) -> Result<bool, XlsxError> {
    let bold = Format::new().set_bold();
    let wrap = Format::new()
        .set_text_wrap()
        .set_align(rust_xlsxwriter::FormatAlign::Top);
    let title = Format::new().set_bold().set_font_size(16);
    let sheet = workbook.add_worksheet();
    sheet.set_name("About")?;
    sheet.set_column_width(0, 18)?;
    sheet.set_column_width(1, 70)?;
    sheet.write_string_with_format(0, 0, text(&report.title), &title)?;
    let mut lines: Vec<(String, String)> = report
        .about
        .iter()
        .map(|l| (l.label.clone(), l.value.clone()))
        .collect();
    if let Some(zones) = time_zones(columns) {
        lines.push(("Time zone".into(), zones));
    }
    if truncated {
        lines.push((
            "Missing rows".into(),
            "The result was cut before export: not every row is in this file.".into(),
        ));
    }
    let mut row = 2u32;
    for (label, value) in &lines {
        sheet.write_string_with_format(row, 0, text(label), &bold)?;
        sheet.write_string_with_format(row, 1, text(value), &wrap)?;
        row += 1;
    }
    // A number, so Excel shows it in the reader's own format.
    let count = Format::new()
        .set_num_format("#,##0")
        .set_align(rust_xlsxwriter::FormatAlign::Left);
    sheet.write_string_with_format(row, 0, "Rows in this file", &bold)?;
    sheet.write_number_with_format(row, 1, rows as f64, &count)?;
    row += 1;
    let Some(choice) = &report.chart else {
        return Ok(false);
    };
    let index = |name: &str| columns.iter().position(|c| c.name == name);
    let (Some(x), Some(y)) = (index(&choice.x), index(&choice.y)) else {
        return Ok(false);
    };
    if !(2..=MAX_CHART_ROWS).contains(&rows) {
        return Ok(false);
    }
    let (x, y) = (
        u16::try_from(x).unwrap_or(u16::MAX),
        u16::try_from(y).unwrap_or(u16::MAX),
    );
    let last = u32::try_from(rows).unwrap_or(u32::MAX);
    let mut chart = Chart::new(match choice.kind {
        ChartKind::Line => ChartType::Line,
        ChartKind::Bar => ChartType::Column,
    });
    // Every name points at a cell that holds it as a string (the title on this sheet, the
    // headings on the data sheet): a chart name given as text is read as a formula when it
    // starts with `=` and as a reference when it looks like `Sheet!A1`, and Genie's titles
    // and SQL aliases are not ours to trust.
    chart
        .add_series()
        .set_name((data_sheet, 0, y))
        .set_categories((data_sheet, 1, x, last, x))
        .set_values((data_sheet, 1, y, last, y));
    chart.title().set_name(("About", 0, 0));
    chart.x_axis().set_name((data_sheet, 0, x));
    chart.y_axis().set_name((data_sheet, 0, y));
    chart.legend().set_hidden();
    sheet.insert_chart(row + 1, 0, &chart)?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::execute::Cancel;
    use crate::sql::export::{ExportFormat, ExportRequest, export};
    use crate::sql::formulas::FormulaSafety;
    use crate::sql::result_set::ResultSet;
    use arrow_array::{Int64Array, RecordBatch, StringArray};
    use arrow_schema::{DataType, Field, Schema};
    use calamine::{Data, Reader as _};
    use std::sync::Arc;

    /// Revenue by region, as Genie answers it.
    fn by_region() -> ResultSet {
        let schema = Arc::new(Schema::new(vec![
            Field::new("region", DataType::Utf8, false),
            Field::new("revenue", DataType::Int64, false),
        ]));
        let batch = RecordBatch::try_new(
            schema,
            vec![
                Arc::new(StringArray::from(vec![
                    "EUROPE",
                    "ASIA",
                    "=HYPERLINK(\"x\")",
                ])),
                Arc::new(Int64Array::from(vec![300, 200, 100])),
            ],
        )
        .expect("batch");
        let mut set = ResultSet::new(
            vec![
                column("region", "STRING", None),
                column("revenue", "LONG", None),
            ],
            3,
            false,
        );
        set.push(batch).expect("rows");
        set.finish();
        set
    }

    /// Exports the revenue by region with `report` to `path`.
    fn write(report: &AnswerReport, path: &std::path::Path) {
        let request = ExportRequest {
            format: ExportFormat::Xlsx,
            safety: FormulaSafety::default(),
            report: Some(report),
        };
        export(&by_region(), request, path, &Cancel::default(), |_| {}).expect("export");
    }

    #[test]
    fn an_answer_workbook_has_its_about_sheet_data_and_a_native_chart() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("answer.xlsx");
        let report = AnswerReport {
            title: "Revenue by region".into(),
            about: vec![
                AboutLine {
                    label: "Question".into(),
                    value: "What is the revenue by region?".into(),
                },
                AboutLine {
                    label: "SQL".into(),
                    value: "=cmd|' /C calc'!A0".into(),
                },
            ],
            chart: Some(ChartChoice {
                kind: ChartKind::Bar,
                x: "region".into(),
                y: "revenue".into(),
            }),
        };
        write(&report, &path);
        let mut book: calamine::Xlsx<_> = calamine::open_workbook(&path).expect("open");
        assert_eq!(book.sheet_names(), ["About", "Data"]);
        let about = book.worksheet_range("About").expect("about");
        let cells: Vec<String> = about.cells().map(|(_, _, c)| c.to_string()).collect();
        assert!(
            cells.contains(&"What is the revenue by region?".to_owned()),
            "{cells:?}"
        );
        assert!(!cells.iter().any(|c| c == "Missing rows"), "{cells:?}");
        assert!(
            book.worksheet_formula("About")
                .expect("formulas")
                .cells()
                .next()
                .is_none(),
            "text from an answer never becomes a formula"
        );
        let data = book.worksheet_range("Data").expect("data");
        assert_eq!(data.get((1, 1)), Some(&Data::Float(300.0)), "typed numbers");
        // A zip stores its member names uncompressed: the chart part is there.
        let bytes = std::fs::read(&path).expect("bytes");
        let has = |name: &str| bytes.windows(name.len()).any(|w| w == name.as_bytes());
        assert!(has("xl/charts/chart1.xml"), "a native chart");
        assert!(!has("xl/charts/chart2.xml"), "one chart");
    }

    #[test]
    fn chart_names_from_an_answer_stay_text() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("answer.xlsx");
        let report = AnswerReport {
            title: "=HYPERLINK(\"http://evil.example\",\"x\")".into(),
            about: Vec::new(),
            chart: Some(ChartChoice {
                kind: ChartKind::Bar,
                x: "region".into(),
                y: "revenue".into(),
            }),
        };
        write(&report, &path);
        let file = std::fs::File::open(&path).expect("open");
        let mut zip = zip::ZipArchive::new(file).expect("a zip");
        let mut xml = String::new();
        std::io::Read::read_to_string(
            &mut zip.by_name("xl/charts/chart1.xml").expect("the chart"),
            &mut xml,
        )
        .expect("read");
        let formulas: Vec<&str> = xml
            .split("<c:f>")
            .skip(1)
            .filter_map(|f| f.split("</c:f>").next())
            .collect();
        assert!(!formulas.is_empty(), "{xml}");
        for formula in &formulas {
            let cell = formula.split('!').next_back().unwrap_or_default();
            assert!(
                (formula.starts_with("About!") || formula.starts_with("Data!"))
                    && cell
                        .chars()
                        .all(|c| c == '$' || c == ':' || c.is_ascii_alphanumeric()),
                "only references to this workbook's own cells: {formula}"
            );
        }
        assert!(
            formulas.contains(&"About!$A$1"),
            "the title is its cell: {formulas:?}"
        );
    }

    #[test]
    fn no_chart_when_its_columns_are_not_in_the_result() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("answer.xlsx");
        let report = AnswerReport {
            title: "t".into(),
            about: Vec::new(),
            chart: Some(ChartChoice {
                kind: ChartKind::Line,
                x: "month".into(),
                y: "revenue".into(),
            }),
        };
        write(&report, &path);
        let bytes = std::fs::read(&path).expect("bytes");
        let name = b"xl/charts/chart1.xml";
        assert!(!bytes.windows(name.len()).any(|w| w == name));
    }

    fn column(name: &str, ty: &str, zone: Option<&str>) -> Column {
        Column {
            name: name.into(),
            type_text: ty.into(),
            type_name: ty.into(),
            time_zone: zone.map(str::to_owned),
        }
    }

    #[test]
    fn the_about_sheet_names_the_time_zone_of_times() {
        let zoned = [column("pickup", "TIMESTAMP", Some("America/New_York"))];
        assert!(
            time_zones(&zoned)
                .expect("zone")
                .starts_with("pickup: America/New_York")
        );
        assert!(time_zones(&[column("day", "DATE", None)]).is_some());
        assert_eq!(time_zones(&[column("n", "LONG", None)]), None);
    }
}
