import { describe, expect, it } from "vitest";
import { buildChart, chartFor, defaultChoice } from "./shape";

const col = (name: string, typeName: string) => ({ name, typeName, typeText: typeName, timeZone: null });

describe("chartFor", () => {
  it("shows one number as a counter", () => {
    expect(chartFor([col("trips", "LONG")], [["21932"]])).toEqual({ kind: "counter", label: "trips", value: 21932 });
  });

  it("draws a time column and a measure as a line, in time order", () => {
    const spec = chartFor([col("day", "DATE"), col("fare", "DOUBLE")], [["2016-01-02", "12.5"], ["2016-01-01", "10"]]);
    expect(spec).toMatchObject({ kind: "line", x: "day", y: "fare" });
    expect(spec && "points" in spec && spec.points.map((p) => p.label)).toEqual(["2016-01-01", "2016-01-02"]);
  });

  it("draws a category and a measure as bars, largest first, with the tail as Other", () => {
    const rows = Array.from({ length: 20 }, (_, i) => [`zip ${i}`, String(i + 1)]);
    const spec = chartFor([col("zip", "STRING"), col("trips", "LONG")], rows);
    expect(spec).toMatchObject({ kind: "bar" });
    const points = spec && "points" in spec ? spec.points : [];
    expect(points).toHaveLength(15);
    expect(points[0]).toEqual({ label: "zip 19", value: 20 });
    expect(points[14].label).toBe("Other");
    expect(points.reduce((s, p) => s + p.value, 0)).toBe(210);
  });

  it("treats a month number with a measure as a line", () => {
    const spec = chartFor([col("month", "INT"), col("trips", "LONG")], [["2", "5"], ["1", "7"]]);
    expect(spec).toMatchObject({ kind: "line", x: "month" });
  });

  it("has no chart for text only or a single row of several columns", () => {
    expect(chartFor([col("a", "STRING")], [["x"], ["y"]])).toBeNull();
    expect(chartFor([col("a", "STRING"), col("n", "LONG")], [["x", "1"]])).toBeNull();
    expect(chartFor([col("n", "LONG")], [])).toBeNull();
  });

  it("has no chart for a listing of rows", () => {
    const columns = [col("order", "LONG"), col("line", "INT"), col("ship", "DATE"), col("discount", "DECIMAL")];
    expect(chartFor(columns, [["4", "1", "1992-01-02", "0.04"], ["4", "2", "1992-01-05", "0.02"]])).toBeNull();
  });
});

describe("buildChart", () => {
  const columns = [col("region", "STRING"), col("segment", "STRING"), col("revenue", "DECIMAL")];
  const rows = [
    ["EUROPE", "BUILDING", "10"],
    ["EUROPE", "MACHINERY", "5"],
    ["ASIA", "BUILDING", "7"],
  ];

  it("stacks two dimensions by default, and the user may group them or drop the second", () => {
    expect(defaultChoice(columns, rows)).toEqual({ kind: "stacked", x: 0, y: 2, series: 1 });
    const grouped = buildChart(columns, rows, { kind: "grouped", x: 0, y: 2, series: 1 });
    expect(grouped).toMatchObject({ kind: "grouped", series: "segment" });
    const bars = buildChart(columns, rows, { kind: "bar", x: 0, y: 2, series: 1 });
    expect(bars).toMatchObject({ kind: "bar", series: null });
  });

  it("lets the user put another column on the axis", () => {
    const bySegment = buildChart(columns, rows, { kind: "bar", x: 1, y: 2, series: null });
    expect(bySegment && "points" in bySegment && bySegment.points.map((p) => p.label)).toEqual(["BUILDING", "BUILDING", "MACHINERY"]);
  });
});
