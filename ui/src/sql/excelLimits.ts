// What an Excel export of many rows will be, said before it starts: Excel sheets hold
// 1,048,576 rows (the header takes one), so a longer result continues on further sheets
// (crates/core/src/sql/export.rs writes them), and past a size a workbook is too slow to open
// to be of use, where CSV is the better choice.

/** Data rows per sheet: Excel's 1,048,576 rows less the header (as the exporter writes). */
export const ROWS_PER_SHEET = 1_048_575;

/** Past this many rows (two full sheets), suggest CSV. Measured (docs/benchmarks.md, "Excel
 *  limits"): LibreOffice Calc needed 15.8 s and 0.8 GB to open one full sheet of the
 *  benchmark's six columns, and 127 s and 7.0 GB for ten; past two sheets a workbook takes more
 *  than half a minute and over 1.5 GB to open, more than many laptops can spare. */
export const EXCEL_USABLE_ROWS = 2 * ROWS_PER_SHEET;

/** Seconds and gigabytes to open one full sheet, as measured above. */
const OPEN_SECONDS_PER_SHEET = 13;
const OPEN_GB_PER_SHEET = 0.75;

export interface ExcelPlan {
  rows: number;
  rowsPerSheet: number;
  sheets: number;
  /** Why CSV is the better choice, when the workbook would be too large to use. */
  tooLarge: string | null;
}

const duration = (seconds: number): string =>
  seconds < 90 ? `${Math.round(seconds / 5) * 5} seconds` : `${Math.round(seconds / 60)} minutes`;

/** `null` when the rows fit on one sheet; otherwise how many sheets, and whether to suggest CSV. */
export function excelPlan(rows: number): ExcelPlan | null {
  if (rows <= ROWS_PER_SHEET) return null;
  const sheets = Math.ceil(rows / ROWS_PER_SHEET);
  const full = rows / ROWS_PER_SHEET;
  const tooLarge =
    rows > EXCEL_USABLE_ROWS
      ? `A spreadsheet app needs about ${duration(full * OPEN_SECONDS_PER_SHEET)} and ${Math.round(full * OPEN_GB_PER_SHEET)} GB of memory to open a workbook this large, if it opens at all; CSV is the better choice (Excel can load it through Data > From Text/CSV).`
      : null;
  return { rows, rowsPerSheet: ROWS_PER_SHEET, sheets, tooLarge };
}
