// A result as a chart: a KPI tile for one number; otherwise a line, bars, stacked or grouped
// bars drawn by Observable Plot (loaded when the first chart shows, so start-up does not pay
// for it), with the type and the columns the user may switch, numbers and dates in the OS's
// regional format, and "Copy image" / "Save PNG" / "Save SVG" for decks and chats.
import { useEffect, useRef, useState } from "preact/hooks";
import { copyChartImage, resultWindow, saveChartImage, toAppError, type Column, type ResultSummary } from "../platform";
import { currentLocale, formatNumber, formatTick } from "../app/locale";
import { buildChart, chartFor, defaultChoice, roles, type ChartChoice, type ChartKind, type ChartSpec } from "./shape";
import { pngOf, standaloneSvg } from "./image";

/** Rows a chart reads (one window: more would not be readable anyway). */
const ROWS = 2_000;
const HEIGHT = 300;

export interface ChartState {
  /** The rows are still on their way. */
  loading: boolean;
  columns: Column[];
  choice: ChartChoice | null;
  spec: ChartSpec | null;
  setChoice: (choice: ChartChoice) => void;
}

/** The rows of a result as the chart the user chose (the fitting one until they choose). */
export function useChart(runId: number | null, summary: ResultSummary | null): ChartState {
  const [rows, setRows] = useState<Array<Array<string | null>> | null>(null);
  // What the user picked; until then, the chart that fits.
  const [picked, setPicked] = useState<ChartChoice | null>(null);
  useEffect(() => {
    setRows(null);
    setPicked(null);
    if (runId === null || !summary) return;
    let live = true;
    resultWindow(runId, 0, ROWS).then(
      (window) => live && setRows(window.rows),
      () => live && setRows(null),
    );
    return () => {
      live = false;
    };
  }, [runId, summary]);
  const columns = summary?.columns ?? [];
  const fits = rows ? defaultChoice(columns, rows) : null;
  const choice = picked ?? (fits === "counter" ? null : fits);
  const spec = !rows ? null : picked ? buildChart(columns, rows, picked) : chartFor(columns, rows);
  return { loading: runId !== null && summary !== null && rows === null, columns, choice, spec, setChoice: setPicked };
}

const KINDS: Array<[ChartKind, string]> = [
  ["line", "Line"],
  ["bar", "Bars"],
  ["stacked", "Stacked"],
  ["grouped", "Grouped"],
];

const dateFormat = (values: Date[]) => {
  const withTime = values.some((d) => d.getUTCHours() !== 0 || d.getUTCMinutes() !== 0);
  const format = new Intl.DateTimeFormat(currentLocale(), withTime ? { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" } : { dateStyle: "medium", timeZone: "UTC" });
  return (d: Date) => format.format(d);
};

/** A time column's text as a date (wall-clock time shown as UTC, so no zone shifts it). */
function asDate(label: string): Date | null {
  const m = /^(\d{4})-(\d{2})(?:-(\d{2}))?(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?/.exec(label);
  if (!m) return null;
  return new Date(Date.UTC(+m[1], +m[2] - 1, m[3] ? +m[3] : 1, m[4] ? +m[4] : 0, m[5] ? +m[5] : 0, m[6] ? +m[6] : 0));
}

async function draw(spec: Exclude<ChartSpec, { kind: "counter" }>, width: number): Promise<SVGSVGElement | HTMLElement> {
  const Plot = await import("@observablehq/plot");
  const dates = spec.temporal ? spec.points.map((p) => asDate(p.label)) : [];
  const temporal = spec.temporal && dates.every((d) => d !== null);
  const data = spec.points.map((p, i) => ({ x: temporal ? dates[i] : p.label, y: p.value, series: p.series ?? spec.y }));
  const y = { grid: true, label: spec.y, tickFormat: (n: number) => formatTick(n) };
  const color = spec.series ? { legend: true, label: spec.series } : undefined;
  const fill = spec.series ? "series" : "var(--primary)";
  const common = { width, height: HEIGHT, marginLeft: 56, marginBottom: 50, style: { background: "transparent", fontSize: "12px" }, y, color };
  if (spec.kind === "line") {
    return Plot.plot({
      ...common,
      x: temporal ? { label: spec.x, tickFormat: dateFormat(dates as Date[]) } : { label: spec.x, type: "point" },
      marks: [
        Plot.ruleY([0]),
        Plot.lineY(data, { x: "x", y: "y", stroke: spec.series ? "series" : "var(--primary)", strokeWidth: 2, marker: data.length <= 40 ? "circle" : null, tip: true }),
      ],
    });
  }
  const labels = [...new Set(data.map((d) => String(d.x)))];
  const byLabel = data.map((d) => ({ ...d, x: temporal ? dateFormat(dates as Date[])(d.x as Date) : String(d.x) }));
  const axis = { label: spec.x, domain: temporal ? [...new Set(byLabel.map((d) => d.x))] : labels, tickRotate: labels.length > 8 ? -30 : 0 };
  if (spec.kind === "grouped") {
    return Plot.plot({
      ...common,
      fx: { ...axis, label: spec.x },
      x: { axis: null },
      marks: [Plot.ruleY([0]), Plot.barY(byLabel, { fx: "x", x: "series", y: "y", fill, tip: true })],
    });
  }
  return Plot.plot({ ...common, x: axis, marks: [Plot.ruleY([0]), Plot.barY(byLabel, { x: "x", y: "y", fill, tip: true })] });
}

/** A column for one role of the chart, offered when there is more than one to choose from. */
function ColumnSelect(props: { label: string; testId: string; options: number[]; columns: Column[]; value: number | undefined; onPick: (index: number) => void }) {
  if (props.options.length < 2) return null;
  return (
    <label>
      {props.label}{" "}
      <select data-testid={props.testId} value={String(props.value ?? "")} onChange={(e) => props.onPick(Number(e.currentTarget.value))}>
        {props.options.map((i) => (
          <option key={i} value={String(i)}>
            {props.columns[i].name}
          </option>
        ))}
      </select>
    </label>
  );
}

interface Props {
  chart: ChartState;
  /** For a saved picture's file name. */
  title: string;
}

export function ChartView({ chart, title }: Props) {
  const { spec, choice, columns, setChoice } = chart;
  const host = useRef<HTMLDivElement>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [width, setWidth] = useState(640);

  useEffect(() => {
    const element = host.current;
    if (!element || typeof ResizeObserver === "undefined") return;
    const observer = new ResizeObserver(([entry]) => setWidth(Math.max(320, Math.floor(entry.contentRect.width))));
    observer.observe(element);
    return () => observer.disconnect();
  }, [spec?.kind === "counter"]);

  useEffect(() => {
    const element = host.current;
    if (!element || !spec || spec.kind === "counter") return;
    let live = true;
    draw(spec, width).then(
      (figure) => {
        if (!live) return;
        element.replaceChildren(figure);
      },
      (e) => live && setMessage(toAppError(e).message),
    );
    return () => {
      live = false;
    };
  }, [spec, width]);

  if (!spec) return null;
  if (spec.kind === "counter") {
    return (
      <figure class="chart counter" data-testid="genie-chart" data-kind="counter">
        <div class="counter-value">{formatNumber(spec.value)}</div>
        <figcaption class="muted">{spec.label}</figcaption>
      </figure>
    );
  }

  // The plot itself, not a legend swatch: Plot returns it alone, or in a figure with the legend.
  const svg = () => host.current?.querySelector<SVGSVGElement>(":scope > svg, :scope > figure > svg") ?? null;
  const act = async (what: "copy" | "png" | "svg") => {
    const figure = svg();
    if (!figure) return;
    setMessage(null);
    try {
      if (what === "copy") {
        await copyChartImage(await pngOf(figure));
        setMessage("Chart copied — paste it into a slide or a chat.");
      } else {
        const bytes = what === "png" ? await pngOf(figure) : new TextEncoder().encode(standaloneSvg(figure));
        const path = await saveChartImage(title, what, bytes);
        if (path) setMessage(`Saved the chart to ${path}.`);
      }
    } catch (e) {
      setMessage(toAppError(e).message);
    }
  };

  const { measures, axes } = roles(columns);
  const pick = (role: "x" | "y", index: number) => choice && setChoice({ ...choice, [role]: index });
  const kinds = KINDS.filter(([kind]) => (kind === "stacked" || kind === "grouped" ? axes.length >= 2 : true));

  return (
    <figure class="chart" data-testid="genie-chart" data-kind={spec.kind}>
      <div class="chart-toolbar">
        <div class="segmented" role="group" aria-label="Chart type">
          {kinds.map(([kind, label]) => (
            <button
              key={kind}
              type="button"
              aria-pressed={spec.kind === kind}
              data-testid={`chart-kind-${kind}`}
              onClick={() => choice && setChoice({ ...choice, kind, series: kind === "bar" ? choice.series : (choice.series ?? axes.find((i) => i !== choice.x) ?? null) })}
            >
              {label}
            </button>
          ))}
        </div>
        <ColumnSelect label="Along" testId="chart-x" options={axes} columns={columns} value={choice?.x} onPick={(i) => pick("x", i)} />
        <ColumnSelect label="Measure" testId="chart-y" options={measures} columns={columns} value={choice?.y} onPick={(i) => pick("y", i)} />
        <span class="spacer" />
        <button type="button" class="ghost" data-testid="copy-chart" onClick={() => void act("copy")}>
          Copy image
        </button>
        <button type="button" class="ghost" data-testid="save-chart-png" onClick={() => void act("png")}>
          Save PNG
        </button>
        <button type="button" class="ghost" data-testid="save-chart-svg" onClick={() => void act("svg")}>
          Save SVG
        </button>
      </div>
      <div ref={host} class="chart-canvas" data-testid="chart-canvas" role="img" aria-label={`${spec.y} by ${spec.x}${spec.series ? ` and ${spec.series}` : ""}`} />
      {message && (
        <p class="muted" role="status" data-testid="chart-message">
          {message}
        </p>
      )}
    </figure>
  );
}
