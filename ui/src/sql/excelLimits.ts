// What an Excel export of many rows will be, said before it starts: Excel sheets hold
// 1,048,576 rows (the header takes one), so a longer result continues on further sheets
// (crates/core/src/sql/export.rs writes them), and past a size a workbook is too slow to open
// to be of use, where CSV is the better choice.

/** Data rows per sheet: Excel's 1,048,576 rows less the header (as the exporter writes). */
export const ROWS_PER_SHEET = 1_048_575;

/** Past this many rows, suggest CSV: measured in docs/benchmarks.md ("Excel limits"). */
export const EXCEL_USABLE_ROWS = 2 * ROWS_PER_SHEET;

export interface ExcelPlan {
  rows: number;
  rowsPerSheet: number;
  sheets: number;
  /** Why CSV is the better choice, when the workbook would be too large to use. */
  tooLarge: string | null;
}

/** `null` when the rows fit on one sheet; otherwise how many sheets, and whether to suggest CSV. */
export function excelPlan(rows: number): ExcelPlan | null {
  if (rows <= ROWS_PER_SHEET) return null;
  const sheets = Math.ceil(rows / ROWS_PER_SHEET);
  const tooLarge =
    rows > EXCEL_USABLE_ROWS
      ? "A workbook this large takes minutes to open and may not open at all on a laptop; CSV opens in any tool, including Excel's Get Data, and Power BI."
      : null;
  return { rows, rowsPerSheet: ROWS_PER_SHEET, sheets, tooLarge };
}
