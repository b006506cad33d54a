import { describe, expect, it } from "vitest";
import { EXCEL_USABLE_ROWS, ROWS_PER_SHEET, excelPlan } from "./excelLimits";

describe("excelPlan", () => {
  it("says nothing when the rows fit on one sheet", () => {
    expect(excelPlan(0)).toBeNull();
    expect(excelPlan(ROWS_PER_SHEET)).toBeNull();
  });

  it("counts the sheets past one, as the exporter fills them", () => {
    expect(excelPlan(ROWS_PER_SHEET + 1)).toMatchObject({ sheets: 2, tooLarge: null });
    expect(excelPlan(10_000_000)?.sheets).toBe(10);
  });

  it("suggests CSV past the size a workbook is still usable", () => {
    expect(excelPlan(EXCEL_USABLE_ROWS)?.tooLarge).toBeNull();
    expect(excelPlan(EXCEL_USABLE_ROWS + 1)?.tooLarge).toMatch(/CSV/);
    expect(excelPlan(10_000_000)?.tooLarge).toContain("about 2 minutes and 7 GB");
  });
});
