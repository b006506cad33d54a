// The SQL runner for the active workspace: pick a warehouse (started on request), write SQL
// with typed parameters, run it with live status and Cancel, and browse the rows.
import { useEffect, useRef, useState } from "preact/hooks";
import {
  cancelStatement,
  closeResult,
  listWarehouses,
  runStatement,
  sqlParameters,
  startWarehouse,
  toAppError,
  type AppError,
  type Parameter,
  type ResultSummary,
  type StatementState,
  type Warehouse,
  type WorkspaceSummary,
} from "../platform";
import { Parameters, reconcile } from "./Parameters";
import { ResultGrid } from "./ResultGrid";
import { SqlEditor, type EditorHandle } from "./SqlEditor";

const DEFAULT_SQL =
  "SELECT tpep_pickup_datetime, trip_distance, fare_amount, pickup_zip\nFROM samples.nyctaxi.trips\nWHERE tpep_pickup_datetime >= :date\nLIMIT 100";

/** Per-workspace memory in the web view's storage: the warehouse picked and the SQL text. */
const remembered = (workspaceId: string, key: string) => `brickdesk.sql.${workspaceId}.${key}`;
const recall = (workspaceId: string, key: string) => {
  try {
    return localStorage.getItem(remembered(workspaceId, key));
  } catch {
    return null;
  }
};
const remember = (workspaceId: string, key: string, value: string) => {
  try {
    localStorage.setItem(remembered(workspaceId, key), value);
  } catch {
    // Storage full or unavailable: the choice simply is not remembered.
  }
};

const STATE_TEXT: Record<StatementState, string> = {
  PENDING: "Waiting for the warehouse…",
  RUNNING: "Running…",
  SUCCEEDED: "Fetching rows…",
  FAILED: "Failed",
  CANCELED: "Cancelled",
  CLOSED: "Result expired",
  OTHER: "Working…",
};

type Run =
  | { phase: "idle" }
  | { phase: "running"; runId: number | null; state: StatementState; elapsedMs: number; summary: ResultSummary | null }
  | { phase: "done"; runId: number; summary: ResultSummary; elapsedMs: number }
  | { phase: "error"; error: AppError; runId: number | null; summary: ResultSummary | null };

interface Props {
  workspace: WorkspaceSummary;
}

export function SqlView({ workspace }: Props) {
  const workspaceId = workspace.id;
  const [warehouses, setWarehouses] = useState<Warehouse[] | null>(null);
  const [warehouseId, setWarehouseId] = useState<string>("");
  const [listError, setListError] = useState<AppError | null>(null);
  const [starting, setStarting] = useState(false);
  const [text, setText] = useState(() => recall(workspaceId, "text") ?? DEFAULT_SQL);
  const [parameters, setParameters] = useState<Parameter[]>([]);
  const [run, setRun] = useState<Run>({ phase: "idle" });
  const editor = useRef<EditorHandle | null>(null);
  const runIdRef = useRef<number | null>(null);

  // Warehouses of this workspace; the remembered one, else the first running one.
  useEffect(() => {
    setWarehouses(null);
    setListError(null);
    setText(recall(workspaceId, "text") ?? DEFAULT_SQL);
    listWarehouses(workspaceId).then(
      (found) => {
        setWarehouses(found);
        const saved = recall(workspaceId, "warehouse");
        setWarehouseId(found.find((w) => w.id === saved)?.id ?? found[0]?.id ?? "");
      },
      (error) => setListError(toAppError(error)),
    );
  }, [workspaceId]);

  // Parameters follow the SQL (the markers come from Rust's parser).
  useEffect(() => {
    const timer = setTimeout(() => {
      sqlParameters(text).then((names) => setParameters((current) => reconcile(names, current)), () => {});
    }, 200);
    return () => clearTimeout(timer);
  }, [text]);

  // A result is freed in Rust when it is replaced or the view goes away.
  useEffect(() => () => void (runIdRef.current !== null && closeResult(runIdRef.current)), []);

  const warehouse = warehouses?.find((w) => w.id === warehouseId);
  const running = run.phase === "running";

  const choose = (id: string) => {
    setWarehouseId(id);
    remember(workspaceId, "warehouse", id);
  };

  const start = async () => {
    if (!warehouse) return;
    setStarting(true);
    try {
      const started = await startWarehouse(workspaceId, warehouse.id, (w) =>
        setWarehouses((all) => all?.map((x) => (x.id === w.id ? w : x)) ?? null),
      );
      setWarehouses((all) => all?.map((x) => (x.id === started.id ? started : x)) ?? null);
    } catch (error) {
      setListError(toAppError(error));
    } finally {
      setStarting(false);
    }
  };

  const execute = async (statement: string) => {
    if (running || !warehouse || statement.trim() === "") return;
    if (runIdRef.current !== null) void closeResult(runIdRef.current);
    runIdRef.current = null;
    let current: Run = { phase: "running", runId: null, state: "PENDING", elapsedMs: 0, summary: null };
    const update = (next: Run) => {
      current = next;
      setRun(next);
    };
    update(current);
    const used = new Set(parameters.map((p) => p.name));
    try {
      const summary = await runStatement(
        workspaceId,
        {
          warehouseId: warehouse.id,
          statement,
          catalog: null,
          schema: null,
          parameters: parameters.filter((p) => used.has(p.name) && statement.includes(`:${p.name}`)),
          rowLimit: null,
          disposition: "externalArrow",
        },
        (event) => {
          const live = current;
          if (live.phase !== "running") return;
          switch (event.kind) {
            case "started":
              runIdRef.current = event.data.runId;
              update({ ...live, runId: event.data.runId });
              break;
            case "status":
              update({ ...live, state: event.data.state, elapsedMs: event.data.elapsedMs ?? live.elapsedMs });
              break;
            case "columns":
              update({ ...live, state: "SUCCEEDED", summary: event.data });
              break;
            case "rows":
              if (live.summary) update({ ...live, summary: { ...live.summary, loadedRows: event.data.loadedRows } });
              break;
          }
        },
      );
      const runId = current.phase === "running" ? current.runId : null;
      update({ phase: "done", runId: runId ?? 0, summary, elapsedMs: current.phase === "running" ? current.elapsedMs : 0 });
    } catch (error) {
      const summary = current.phase === "running" ? current.summary : null;
      update({ phase: "error", error: toAppError(error), runId: runIdRef.current, summary });
    }
  };

  const cancel = () => {
    if (run.phase === "running" && run.runId !== null) void cancelStatement(run.runId);
  };

  const summary = run.phase === "running" || run.phase === "error" ? run.summary : run.phase === "done" ? run.summary : null;
  const runId = run.phase === "idle" ? null : run.runId;

  return (
    <div class="sql-view" data-testid="sql-view">
      <div class="sql-toolbar">
        <label class="warehouse-picker">
          <span class="muted">Warehouse</span>
          <select
            data-testid="warehouse-select"
            value={warehouseId}
            disabled={!warehouses || warehouses.length === 0}
            onChange={(event) => choose(event.currentTarget.value)}
          >
            {!warehouses && <option value="">Loading…</option>}
            {warehouses?.length === 0 && <option value="">No warehouse you can use</option>}
            {warehouses?.map((w) => (
              <option key={w.id} value={w.id}>
                {w.name} · {w.size ?? "?"} · {w.state.toLowerCase()}
              </option>
            ))}
          </select>
        </label>
        {warehouse && warehouse.state !== "RUNNING" && (
          <button type="button" class="ghost" data-testid="start-warehouse" disabled={starting} onClick={start}>
            {starting ? `Starting… (${warehouse.state.toLowerCase()})` : "Start warehouse"}
          </button>
        )}
        <span class="spacer" />
        {running ? (
          <button type="button" class="ghost" data-testid="cancel-statement" onClick={cancel} disabled={run.runId === null}>
            Cancel
          </button>
        ) : (
          <button
            type="button"
            class="primary"
            data-testid="run-statement"
            disabled={!warehouse}
            title="Run the statement under the cursor (Ctrl+Enter)"
            onClick={() => execute(editor.current?.toRun() ?? text)}
          >
            Run
          </button>
        )}
      </div>
      {listError && (
        <p class="field-error" role="alert">
          {listError.message}
        </p>
      )}
      <SqlEditor
        value={text}
        handle={editor}
        onChange={(next) => {
          setText(next);
          remember(workspaceId, "text", next);
        }}
        onRun={execute}
      />
      <Parameters parameters={parameters} onChange={setParameters} />
      <div class="run-status" role="status" data-testid="run-status" data-phase={run.phase}>
        {run.phase === "running" && (
          <span>
            {STATE_TEXT[run.state]} {(run.elapsedMs / 1000).toFixed(1)} s
            {run.summary && ` · ${run.summary.loadedRows.toLocaleString()} of ${run.summary.totalRows.toLocaleString()} rows`}
          </span>
        )}
        {run.phase === "done" && (
          <span>
            {run.summary.totalRows.toLocaleString()} {run.summary.totalRows === 1 ? "row" : "rows"} ·{" "}
            {(run.elapsedMs / 1000).toFixed(1)} s{run.summary.truncated && " · truncated by the row or size limit"}
          </span>
        )}
        {run.phase === "error" && (
          <span class={run.error.code === "cancelled" ? "muted" : "field-error"} data-testid="run-error">
            {run.error.message}
          </span>
        )}
      </div>
      {summary && runId !== null && summary.columns.length > 0 && (
        <ResultGrid runId={runId} summary={summary} onError={(e) => setRun({ phase: "error", error: toAppError(e), runId, summary })} />
      )}
    </div>
  );
}
