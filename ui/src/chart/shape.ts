// Which chart fits a result, and the chart a user picked: one number → a KPI tile; a time
// column and a measure → a line; a category and a measure → bars (largest first, the tail as
// "Other"); two dimensions and a measure → stacked bars (or a line per series over time). The
// user may switch the type and the columns; anything that cannot be drawn has no chart.
import type { Column } from "../platform";

export type ChartKind = "line" | "bar" | "stacked" | "grouped";

/** What the user (or the default) chose, by column index. */
export interface ChartChoice {
  kind: ChartKind;
  x: number;
  y: number;
  /** The second dimension (colour), for stacked and grouped bars or several lines. */
  series: number | null;
}

export interface ChartPoint {
  label: string;
  value: number;
  series?: string;
}

export type ChartSpec =
  | { kind: "counter"; label: string; value: number }
  | { kind: ChartKind; x: string; y: string; series: string | null; temporal: boolean; points: ChartPoint[] };

type Rows = Array<Array<string | null>>;

const NUMERIC = new Set(["BYTE", "SHORT", "INT", "LONG", "FLOAT", "DOUBLE", "DECIMAL", "BIGINT", "TINYINT", "SMALLINT", "INTEGER"]);
const TEMPORAL = new Set(["DATE", "TIMESTAMP", "TIMESTAMP_NTZ"]);
/** Bars beyond this are summed into "Other". */
const MAX_BARS = 15;
/** Series beyond this are summed into "Other". */
const MAX_SERIES = 8;

const family = (column: Column) => column.typeName.toUpperCase();
export const isNumeric = (column: Column) => NUMERIC.has(family(column));
export const isTemporal = (column: Column) => TEMPORAL.has(family(column));
const timeLikeNumber = (column: Column) => isNumeric(column) && /year|month|day|hour|week|quarter/i.test(column.name);

/** The columns each role may take: measures are numeric, axes and series are anything else
 * (or a year/month number). */
export function roles(columns: Column[]) {
  const measures = columns.map((_, i) => i).filter((i) => isNumeric(columns[i]));
  const axes = columns.map((_, i) => i).filter((i) => !isNumeric(columns[i]) || timeLikeNumber(columns[i]));
  return { measures, axes };
}

/** The chart that fits, or `"counter"` for one number, or null. */
export function defaultChoice(columns: Column[], rows: Rows): ChartChoice | "counter" | null {
  const { measures, axes } = roles(columns);
  if (measures.length === 0 || rows.length === 0) return null;
  if (columns.length === 1 && rows.length === 1) return "counter";
  // An axis, a measure and at most one more column: more is a listing, not a figure.
  if (columns.length > 3) return null;
  const y = measures[measures.length - 1];
  const others = axes.filter((i) => i !== y);
  const time = others.find((i) => isTemporal(columns[i]));
  const x = time ?? others.find((i) => !isNumeric(columns[i])) ?? others[0];
  if (x === undefined) return null;
  const series = others.find((i) => i !== x) ?? null;
  const overTime = time !== undefined || timeLikeNumber(columns[x]);
  return { kind: overTime ? "line" : series !== null ? "stacked" : "bar", x, y, series };
}

const sortLabels = (a: ChartPoint, b: ChartPoint) => (a.label < b.label ? -1 : a.label > b.label ? 1 : 0);

/** The chart of `rows` as `choice` says. */
export function buildChart(columns: Column[], rows: Rows, choice: ChartChoice): ChartSpec | null {
  const { x, y, kind } = choice;
  const series = kind === "bar" ? null : choice.series;
  if (!columns[x] || !columns[y]) return null;
  let points: ChartPoint[] = rows
    .filter((row) => row[x] !== null && row[y] !== null && Number.isFinite(Number(row[y])))
    .map((row) => ({ label: String(row[x]), value: Number(row[y]), ...(series !== null ? { series: String(row[series] ?? "(none)") } : {}) }));
  if (points.length < 2 && series === null) return null;
  if (points.length === 0) return null;
  const temporal = isTemporal(columns[x]) || timeLikeNumber(columns[x]);
  if (series !== null) {
    // The largest series by total keep their name; the rest are "Other".
    const totals = new Map<string, number>();
    points.forEach((p) => totals.set(p.series ?? "", (totals.get(p.series ?? "") ?? 0) + p.value));
    const kept = new Set([...totals.entries()].sort((a, b) => b[1] - a[1]).slice(0, MAX_SERIES - 1).map(([name]) => name));
    if (totals.size > MAX_SERIES) points = points.map((p) => (kept.has(p.series ?? "") ? p : { ...p, series: "Other" }));
    points.sort(sortLabels);
  } else if (kind === "line" || temporal) {
    points.sort(sortLabels);
  } else {
    points.sort((a, b) => b.value - a.value);
    if (points.length > MAX_BARS) {
      const rest = points.splice(MAX_BARS - 1);
      points.push({ label: "Other", value: rest.reduce((sum, p) => sum + p.value, 0) });
    }
  }
  return { kind, x: columns[x].name, y: columns[y].name, series: series !== null ? columns[series].name : null, temporal, points };
}

/** The chart that fits a result, as the default shows it. */
export function chartFor(columns: Column[], rows: Rows): ChartSpec | null {
  const choice = defaultChoice(columns, rows);
  if (choice === "counter") {
    const value = Number(rows[0][0]);
    return Number.isFinite(value) ? { kind: "counter", label: columns[0].name, value } : null;
  }
  return choice ? buildChart(columns, rows, choice) : null;
}
