// A result with what users do next: filter and sort the rows (in Rust), select rows and copy
// them for a spreadsheet, export everything shown to CSV or Excel with progress and Cancel,
// or see them as a chart.
import { useEffect, useState } from "preact/hooks";
import {
  cancelExport,
  cancelResultView,
  copyResultRows,
  exportResult,
  setResultView,
  toAppError,
  type AnswerReport,
  type AppError,
  type ExportDone,
  type ExportFormat,
  type ExportProgress,
  type ResultSummary,
  type ViewProgress,
} from "../platform";
import { excelPlan, type ExcelPlan } from "./excelLimits";
import { protectFormulas } from "../app/preferences";
import { formatCount } from "../app/locale";
import { useCommands } from "../app/commands";
import { ResultGrid, type Selection, type Sort } from "./ResultGrid";
import { ChartView, useChart } from "../chart/ChartView";

interface Props {
  runId: number;
  summary: ResultSummary;
  /** Used for the export's file name. */
  title: string;
  onError: (error: AppError) => void;
  /** Offer "Export … as CSV / to Excel" in the command palette (the SQL runner's result). */
  exportCommands?: boolean;
  /** An answer's About sheet and chart, for its Excel export (made when it is exported). */
  report?: (() => AnswerReport) | null;
  /** Offer "Chart" beside the rows (the SQL runner; Genie answers have their own switch). */
  chartable?: boolean;
}

/** "Saved 50,000 rows to …" after an export. */
export const savedMessage = (done: ExportDone): string =>
  `Saved ${formatCount(done.rows)} rows to ${done.path}${done.sheets > 1 ? ` (${done.sheets} sheets)` : ""}.`;

type Exporting = { format: ExportFormat; progress: ExportProgress | null } | null;

export function ResultPanel({ runId, summary: initial, title, onError, exportCommands = false, report = null, chartable = false }: Props) {
  const [charted, setCharted] = useState(false);
  const chart = useChart(chartable && charted ? runId : null, chartable && charted ? initial : null);
  const [summary, setSummary] = useState(initial);
  const [filter, setFilter] = useState("");
  const [sort, setSort] = useState<Sort | null>(null);
  const [selection, setSelection] = useState<Selection | null>(null);
  const [exporting, setExporting] = useState<Exporting>(null);
  const [message, setMessage] = useState<string | null>(null);
  // A sort or filter still being worked out (shown once it reports progress).
  const [viewing, setViewing] = useState<ViewProgress | null>(null);
  // An Excel export that needs more than one sheet, waiting for the user to choose.
  const [excelAsk, setExcelAsk] = useState<ExcelPlan | null>(null);
  // The view's version: the grid drops its cached pages when it changes.
  const [view, setView] = useState(0);

  useEffect(() => setSummary(initial), [initial]);
  useEffect(() => {
    setFilter("");
    setSort(null);
    setSelection(null);
    setMessage(null);
    setExcelAsk(null);
  }, [runId]);

  const complete = summary.complete;
  const applyView = (nextSort: Sort | null, nextFilter: string) => {
    if (!complete) return;
    setResultView(
      runId,
      {
        sortColumn: nextSort?.column ?? null,
        descending: nextSort?.descending ?? false,
        filter: nextFilter,
      },
      setViewing,
    ).then(
      (next) => {
        setViewing(null);
        setSummary(next);
        setSelection(null);
        setView((v) => v + 1);
      },
      (e) => {
        const error = toAppError(e);
        // A newer sort or filter replaced this one, or the user stopped it: the rows keep
        // the view they had.
        if (error.code === "cancelled") return;
        setViewing(null);
        onError(error);
      },
    );
  };

  useEffect(() => {
    const timer = setTimeout(() => {
      if (filter !== "" || view > 0) applyView(sort, filter);
    }, 250);
    return () => clearTimeout(timer);
  }, [filter]);

  const onSort = (column: number) => {
    // Ascending, then descending, then as the rows came.
    const next: Sort | null =
      sort?.column !== column ? { column, descending: false } : sort.descending ? null : { column, descending: true };
    setSort(next);
    applyView(next, filter);
  };

  const copy = async () => {
    const [from, to] = selection ? [Math.min(selection.anchor, selection.focus), Math.max(selection.anchor, selection.focus) + 1] : [0, summary.shownRows];
    try {
      const copied = await copyResultRows(runId, from, to, protectFormulas());
      setMessage(`Copied ${copied} ${copied === 1 ? "row" : "rows"} — paste into Excel or Sheets.`);
    } catch (e) {
      onError(toAppError(e));
    }
  };

  // Past one sheet, Excel exports say first how many sheets they take (and suggest CSV when
  // the workbook would be too large to use).
  const askExport = (format: ExportFormat) => {
    const plan = format === "xlsx" ? excelPlan(summary.shownRows) : null;
    if (plan) setExcelAsk(plan);
    else void startExport(format);
  };

  const startExport = async (format: ExportFormat) => {
    setExcelAsk(null);
    setExporting({ format, progress: null });
    setMessage(null);
    try {
      const done = await exportResult(runId, format, title, (progress) => setExporting({ format, progress }), protectFormulas(), report ? report() : null);
      if (done) setMessage(savedMessage(done));
    } catch (e) {
      const error = toAppError(e);
      if (error.code === "cancelled") setMessage(error.message);
      else onError(error);
    } finally {
      setExporting(null);
    }
  };

  useCommands(
    exportCommands && complete && !exporting
      ? [
          { id: `result.${runId}.csv`, title: `Export ${title} as CSV`, group: "Result", section: "sql", run: () => void startExport("csv") },
          { id: `result.${runId}.xlsx`, title: `Export ${title} to Excel`, group: "Result", section: "sql", run: () => askExport("xlsx") },
        ]
      : [],
  );

  const percent = exporting?.progress && exporting.progress.totalRows > 0
    ? Math.round((exporting.progress.rowsWritten / exporting.progress.totalRows) * 100)
    : 0;

  return (
    <div class="result-panel">
      <div class="result-toolbar">
        <input
          type="search"
          placeholder={complete ? "Filter rows" : "Filter when all rows are here"}
          aria-label="Filter rows"
          data-testid="result-filter"
          disabled={!complete}
          value={filter}
          onInput={(event) => setFilter(event.currentTarget.value)}
        />
        {summary.shownRows !== summary.loadedRows && (
          <span class="muted" data-testid="shown-rows">
            {formatCount(summary.shownRows)} of {formatCount(summary.loadedRows)} rows
          </span>
        )}
        {viewing && (
          <span class="export-progress" role="status" data-testid="view-progress">
            {viewing.merging ? "Putting the sorted rows together" : viewing.totalRows > 0 ? "Sorting and filtering" : "Working"}{" "}
            <progress max={100} value={viewing.totalRows > 0 ? Math.round((viewing.rowsDone / viewing.totalRows) * 100) : 0} aria-label="Sort progress" />
            <button type="button" class="ghost" data-testid="cancel-view" onClick={() => void cancelResultView(runId).then(() => setViewing(null))}>
              Stop
            </button>
          </span>
        )}
        {summary.spilled && (
          <span class="muted" title="Rows past the memory limit are kept in a temporary file.">
            · part kept on disk
          </span>
        )}
        <span class="spacer" />
        {chartable && (
          <button type="button" class="ghost" aria-pressed={charted} data-testid="result-chart" disabled={!complete} onClick={() => setCharted((c) => !c)}>
            {charted ? "Rows" : "Chart"}
          </button>
        )}
        <button type="button" class="ghost" data-testid="copy-rows" disabled={summary.shownRows === 0} onClick={copy}>
          {selection ? "Copy selected" : "Copy all"}
        </button>
        {exporting ? (
          <span class="export-progress" role="status" data-testid="export-progress">
            <progress max={100} value={percent} aria-label="Export progress" /> {percent}%
            <button type="button" class="ghost" data-testid="cancel-export" onClick={() => void cancelExport(runId)}>
              Cancel
            </button>
          </span>
        ) : (
          <>
            <button type="button" class="ghost" data-testid="export-csv" disabled={!complete} onClick={() => startExport("csv")}>
              Export CSV
            </button>
            <button type="button" class="ghost" data-testid="export-xlsx" disabled={!complete} onClick={() => askExport("xlsx")}>
              Export Excel
            </button>
          </>
        )}
      </div>
      {summary.stopped && (
        <p class="result-warning" role="alert" data-testid="result-stopped">
          Only the first {formatCount(summary.loadedRows)} rows are here. {summary.stopped}
        </p>
      )}
      {excelAsk && (
        <div class="result-warning" role="alertdialog" aria-label="Excel sheets" data-testid="excel-sheets">
          <p>
            Excel holds {formatCount(excelAsk.rowsPerSheet)} rows per sheet, so these {formatCount(excelAsk.rows)} rows will
            fill {excelAsk.sheets} sheets.{excelAsk.tooLarge && ` ${excelAsk.tooLarge}`}
          </p>
          <div class="row-actions">
            <button type="button" class={excelAsk.tooLarge ? "ghost" : "primary"} data-testid="excel-sheets-go" onClick={() => void startExport("xlsx")}>
              Export {excelAsk.sheets} sheets
            </button>
            <button type="button" class={excelAsk.tooLarge ? "primary" : "ghost"} data-testid="excel-sheets-csv" onClick={() => void startExport("csv")}>
              Export CSV instead
            </button>
            <button type="button" class="ghost" data-testid="excel-sheets-cancel" onClick={() => setExcelAsk(null)}>
              Cancel
            </button>
          </div>
        </div>
      )}
      {message && (
        <p class="muted result-message" role="status" data-testid="result-message">
          {message}
        </p>
      )}
      {charted && chartable ? (
        chart.spec ? (
          <div class="result-chart">
            <ChartView chart={chart} title={title} />
          </div>
        ) : (
          <p class="muted" data-testid="no-chart">
            {chart.loading ? "Loading the chart…" : "These rows have no chart: a chart needs a number column and one or two columns to show it by."}
          </p>
        )
      ) : (
      <ResultGrid
        runId={runId}
        view={view}
        summary={summary}
        sort={sort}
        onSort={complete ? onSort : undefined}
        selection={selection}
        onSelect={setSelection}
        onCopy={copy}
        onError={(e) => onError(toAppError(e))}
      />
      )}
    </div>
  );
}
