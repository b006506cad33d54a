// A small chart drawn as SVG (no chart library): a counter, a line over time, or bars by
// category. Reads the answer's rows from Rust (at most one window: Genie caps answers at
// 5,000 rows, and a chart of more would not be readable anyway).
import { useEffect, useState } from "preact/hooks";
import { resultWindow, type ResultSummary } from "../platform";
import { chartFor, type ChartSpec } from "./chartShape";
import { formatNumber } from "../app/locale";

const WIDTH = 640;
const HEIGHT = 260;
const PAD = { left: 64, right: 16, top: 16, bottom: 56 };
const ROWS = 2_000;

const format = (n: number) => formatNumber(n);

export function useChart(runId: number | null, summary: ResultSummary | null): ChartSpec | null {
  const [spec, setSpec] = useState<ChartSpec | null>(null);
  useEffect(() => {
    setSpec(null);
    if (runId === null || !summary) return;
    let live = true;
    resultWindow(runId, 0, ROWS).then(
      (window) => live && setSpec(chartFor(summary.columns, window.rows)),
      () => live && setSpec(null),
    );
    return () => {
      live = false;
    };
  }, [runId, summary]);
  return spec;
}

export function Chart({ spec }: { spec: ChartSpec }) {
  if (spec.kind === "counter") {
    return (
      <figure class="chart counter" data-testid="genie-chart" data-kind="counter">
        <div class="counter-value">{format(spec.value)}</div>
        <figcaption class="muted">{spec.label}</figcaption>
      </figure>
    );
  }
  const values = spec.points.map((p) => p.value);
  const max = Math.max(0, ...values);
  const min = Math.min(0, ...values);
  const span = max - min || 1;
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const y = (v: number) => PAD.top + plotH - ((v - min) / span) * plotH;
  const step = plotW / spec.points.length;
  const x = (i: number) => PAD.left + step * i + step / 2;
  const labelEvery = Math.max(1, Math.ceil(spec.points.length / 10));
  const ticks = [min, min + span / 2, max];
  return (
    <figure class="chart" data-testid="genie-chart" data-kind={spec.kind}>
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={`${spec.y} by ${spec.x}`}>
        {ticks.map((t) => (
          <g key={t}>
            <line x1={PAD.left} x2={WIDTH - PAD.right} y1={y(t)} y2={y(t)} class="chart-grid" />
            <text x={PAD.left - 6} y={y(t) + 4} text-anchor="end" class="chart-label">
              {format(t)}
            </text>
          </g>
        ))}
        {spec.kind === "bar" ? (
          spec.points.map((p, i) => (
            <rect key={p.label} x={x(i) - step * 0.35} width={step * 0.7} y={y(Math.max(0, p.value))} height={Math.abs(y(p.value) - y(0))} class="chart-bar">
              <title>
                {p.label}: {format(p.value)}
              </title>
            </rect>
          ))
        ) : (
          <polyline class="chart-line" fill="none" points={spec.points.map((p, i) => `${x(i)},${y(p.value)}`).join(" ")} />
        )}
        {spec.points.map((p, i) =>
          i % labelEvery === 0 ? (
            <text key={`l-${p.label}`} x={x(i)} y={HEIGHT - PAD.bottom + 16} text-anchor="middle" class="chart-label">
              {p.label.length > 12 ? `${p.label.slice(0, 11)}…` : p.label}
            </text>
          ) : null,
        )}
      </svg>
      <figcaption class="muted">
        {spec.y} by {spec.x}
      </figcaption>
    </figure>
  );
}
