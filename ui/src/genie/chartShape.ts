// Which chart fits a result: one number → a counter; a date or time column and a measure →
// a line; a category and a measure → bars (the largest first). Anything else (a listing of
// rows with many columns, say) has no chart.
import type { Column } from "../platform";

export type ChartSpec =
  | { kind: "counter"; label: string; value: number }
  | { kind: "line" | "bar"; x: string; y: string; points: Array<{ label: string; value: number }> };

const NUMERIC = new Set(["BYTE", "SHORT", "INT", "LONG", "FLOAT", "DOUBLE", "DECIMAL"]);
const TEMPORAL = new Set(["DATE", "TIMESTAMP", "TIMESTAMP_NTZ"]);
/** Bars beyond this are summed into "Other". */
const MAX_BARS = 15;

const family = (column: Column) => column.typeName.toUpperCase();

export function chartFor(columns: Column[], rows: Array<Array<string | null>>): ChartSpec | null {
  // The measure is the last numeric column (a leading "month" or "year" is the axis).
  let measure = -1;
  columns.forEach((c, i) => {
    if (NUMERIC.has(family(c))) measure = i;
  });
  // An axis, a measure and at most one more column: more is a listing, not a figure.
  if (measure < 0 || rows.length === 0 || columns.length > 3) return null;
  const number = (row: Array<string | null>) => Number(row[measure]);
  if (columns.length === 1 && rows.length === 1) {
    const value = number(rows[0]);
    return Number.isFinite(value) ? { kind: "counter", label: columns[0].name, value } : null;
  }
  const time = columns.findIndex((c) => TEMPORAL.has(family(c)));
  const category = columns.findIndex((c, i) => i !== measure && !NUMERIC.has(family(c)) && !TEMPORAL.has(family(c)));
  const x = time >= 0 ? time : category >= 0 ? category : columns.findIndex((c, i) => i !== measure && NUMERIC.has(family(c)) && /year|month|day|hour|week|quarter/i.test(c.name));
  if (x < 0) return null;
  const points = rows
    .filter((row) => row[x] !== null && Number.isFinite(number(row)))
    .map((row) => ({ label: String(row[x]), value: number(row) }));
  if (points.length < 2) return null;
  const timeLike = time >= 0 || NUMERIC.has(family(columns[x]));
  if (timeLike) {
    points.sort((a, b) => (a.label < b.label ? -1 : a.label > b.label ? 1 : 0));
    return { kind: "line", x: columns[x].name, y: columns[measure].name, points };
  }
  points.sort((a, b) => b.value - a.value);
  if (points.length > MAX_BARS) {
    const rest = points.splice(MAX_BARS - 1);
    points.push({ label: "Other", value: rest.reduce((sum, p) => sum + p.value, 0) });
  }
  return { kind: "bar", x: columns[x].name, y: columns[measure].name, points };
}
