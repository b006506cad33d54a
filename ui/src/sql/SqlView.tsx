// The SQL runner for the active workspace: tabs (restored on restart), a warehouse (started on
// request), catalog and schema, SQL with typed parameters, runs with live status and Cancel,
// the rows, and the history of what ran.
import { useCallback, useEffect, useMemo, useRef, useState } from "preact/hooks";
import {
  AppError,
  cancelStatement,
  closeResult,
  listWarehouses,
  loadWorkbench,
  runStatement,
  sqlParameters,
  startWarehouse,
  toAppError,
  type HistoryEntry,
  type Parameter,
  type ResultSummary,
  type SqlTab,
  type StatementState,
  type Warehouse,
  type Workbench,
  type WorkspaceSummary,
} from "../platform";
import { Provenance } from "../app/Provenance";
import { CatalogPicker } from "./CatalogPicker";
import { catalogCache } from "./catalogCache";
import { catalogCompletion } from "./completion";
import { formatSql } from "./format";
import { HistoryPanel } from "./HistoryPanel";
import { Parameters, reconcile } from "./Parameters";
import { ResultPanel } from "./ResultPanel";
import { SchemaBrowser } from "./SchemaBrowser";
import { SqlEditor, type EditorHandle } from "./SqlEditor";
import { TabStrip } from "./TabStrip";
import { activeTab, addTab, closeTab, restore, updateTab } from "./workbench";
import { formatCount } from "../app/locale";
import { useAutosave, useSqlCommands } from "./sqlViewHooks";

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
  | { phase: "running"; runId: number | null; state: StatementState; elapsedMs: number; summary: ResultSummary | null; notice: string | null; statementId: string | null }
  | { phase: "done"; runId: number; summary: ResultSummary; elapsedMs: number; notice: string | null; statementId: string | null; warehouse: string; finishedAtMs: number }
  | { phase: "error"; error: AppError; runId: number | null; summary: ResultSummary | null };

const IDLE: Run = { phase: "idle" };
/** Narrower than this, only one of the table list and the history is open at a time. */
const BOTH_PANELS_MIN_WIDTH = 1500;
const narrow = () => window.innerWidth < BOTH_PANELS_MIN_WIDTH;
/** Whether the table list is open, remembered across restarts (on at first). */
const TABLES_KEY = "brickdesk.sql.showTables";
/** Saving waits for a pause in typing. */

/** SQL handed over from elsewhere (a Genie answer): opened in a new tab, ready to run. */
export interface SqlRequest {
  statement: string;
  nonce: number;
}

interface Props {
  workspace: WorkspaceSummary;
  incoming?: SqlRequest | null;
}

export function SqlView({ workspace, incoming = null }: Props) {
  const workspaceId = workspace.id;
  const [warehouses, setWarehouses] = useState<Warehouse[] | null>(null);
  const [listError, setListError] = useState<AppError | null>(null);
  const [starting, setStarting] = useState(false);
  const [workbench, setWorkbench] = useState<Workbench | null>(null);
  const [runs, setRuns] = useState<Record<string, Run>>({});
  const [showHistory, setShowHistory] = useState(false);
  const [showTables, setShowTables] = useState(() => localStorage.getItem(TABLES_KEY) !== "0");
  const [historyRevision, setHistoryRevision] = useState(0);
  const editor = useRef<EditorHandle | null>(null);
  const runIds = useRef<Record<string, number>>({});
  const pendingSave = useRef<(() => void) | null>(null);

  // Tabs and warehouse of this workspace, then its warehouses (the saved one, else the first).
  useEffect(() => {
    setWorkbench(null);
    setWarehouses(null);
    setListError(null);
    setRuns({});
    loadWorkbench(workspaceId).then(
      (saved) => setWorkbench(restore(saved)),
      (error) => {
        setListError(toAppError(error));
        setWorkbench(restore({ tabs: [], activeTab: null, warehouseId: null }));
      },
    );
    listWarehouses(workspaceId).then(setWarehouses, (error) => setListError(toAppError(error)));
    return () => {
      pendingSave.current?.();
      for (const runId of Object.values(runIds.current)) void closeResult(runId);
      runIds.current = {};
    };
  }, [workspaceId]);

  useAutosave(workspaceId, workbench, pendingSave, setListError);

  // SQL from Genie: a new tab once the tabs are loaded, each request once.
  const handled = useRef<number | null>(null);
  useEffect(() => {
    if (!incoming || !workbench || handled.current === incoming.nonce) return;
    handled.current = incoming.nonce;
    setWorkbench((wb) => (wb ? addTab(wb, incoming.statement) : wb));
  }, [incoming?.nonce, workbench === null]);

  const tab: SqlTab | null = workbench ? activeTab(workbench) : null;
  const text = tab?.statement ?? "";

  // Parameters follow the SQL (the markers come from Rust's parser).
  useEffect(() => {
    if (!tab) return;
    const id = tab.id;
    const timer = setTimeout(() => {
      sqlParameters(text).then(
        (names) => change(id, (t) => ({ parameters: reconcile(names, t.parameters ?? []) })),
        () => {},
      );
    }, 200);
    return () => clearTimeout(timer);
  }, [text, tab?.id]);

  const change = (id: string, update: (tab: SqlTab) => Partial<SqlTab>) =>
    setWorkbench((wb) => {
      const current = wb?.tabs.find((t) => t.id === id);
      if (!wb || !current) return wb;
      const next = update(current);
      const same = Object.entries(next).every(([k, v]) => JSON.stringify(current[k as keyof SqlTab]) === JSON.stringify(v));
      return same ? wb : updateTab(wb, id, next);
    });

  const warehouseId =
    warehouses?.find((w) => w.id === workbench?.warehouseId)?.id ?? warehouses?.[0]?.id ?? "";
  const warehouse = warehouses?.find((w) => w.id === warehouseId);

  // One cache per workspace and warehouse, shared by the table list and autocomplete.
  const catalogs = useMemo(() => catalogCache(workspaceId, warehouseId || null), [workspaceId, warehouseId]);
  const live = useRef({ tab });
  live.current = { tab };
  const completion = useMemo(
    () =>
      catalogCompletion({
        catalogs,
        defaults: () => ({ catalog: live.current.tab?.catalog ?? null, schema: live.current.tab?.schema ?? null }),
        parameters: () => (live.current.tab?.parameters ?? []).map((p) => p.name),
      }),
    [catalogs],
  );
  const toggleTables = useCallback(() => {
    setShowTables((shown) => {
      localStorage.setItem(TABLES_KEY, shown ? "0" : "1");
      if (!shown && narrow()) setShowHistory(false);
      return !shown;
    });
  }, []);
  const toggleHistory = () =>
    setShowHistory((shown) => {
      // Below a wide window, the editor keeps its room: history takes the table list's place.
      if (!shown && narrow()) setShowTables(false);
      return !shown;
    });
  const formatTab = async (id: string, statement: string) => {
    const result = await formatSql(statement);
    if (result.ok) {
      setListError(null);
      change(id, () => ({ statement: result.sql }));
    } else setListError(new AppError("invalid_input", result.message));
  };
  const insertName = useCallback((name: string) => editor.current?.insert(name), []);
  useSqlCommands(tab, workbench, {
    run: () => tab && void execute(tab, editor.current?.toRun() ?? text),
    format: () => tab && void formatTab(tab.id, text),
    newTab: () => setWorkbench((wb) => (wb ? addTab(wb) : wb)),
    switchTo: (id) => setWorkbench((wb) => (wb ? { ...wb, activeTab: id } : wb)),
    showHistory,
    toggleHistory,
    showTables,
    toggleTables,
  });
  const run = (tab && runs[tab.id]) || IDLE;
  const running = run.phase === "running";

  const setRun = (tabId: string, next: Run) => setRuns((all) => ({ ...all, [tabId]: next }));

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

  const freeResult = (tabId: string) => {
    const previous = runIds.current[tabId];
    if (previous !== undefined) void closeResult(previous);
    delete runIds.current[tabId];
  };

  const execute = async (target: SqlTab, statement: string, parameters: Parameter[] = target.parameters ?? []) => {
    if (!warehouse || statement.trim() === "" || runs[target.id]?.phase === "running") return;
    const tabId = target.id;
    freeResult(tabId);
    let current: Run = { phase: "running", runId: null, state: "PENDING", elapsedMs: 0, summary: null, notice: null, statementId: null };
    const warehouseName = warehouse.name;
    const update = (next: Run) => {
      current = next;
      setRun(tabId, next);
    };
    update(current);
    try {
      const summary = await runStatement(
        workspaceId,
        {
          warehouseId: warehouse.id,
          statement,
          catalog: target.catalog ?? null,
          schema: target.schema ?? null,
          parameters: parameters.filter((p) => statement.includes(`:${p.name}`)),
          rowLimit: null,
          disposition: "externalArrow",
        },
        (event) => {
          const live = current;
          if (live.phase !== "running") return;
          switch (event.kind) {
            case "started":
              runIds.current[tabId] = event.data.runId;
              update({ ...live, runId: event.data.runId });
              break;
            case "status":
              update({
                ...live,
                state: event.data.state,
                elapsedMs: event.data.elapsedMs ?? live.elapsedMs,
                statementId: event.data.statementId || live.statementId,
              });
              break;
            case "columns":
              update({ ...live, state: "SUCCEEDED", summary: event.data });
              break;
            case "rows":
              if (live.summary)
                update({ ...live, summary: { ...live.summary, loadedRows: event.data.loadedRows, shownRows: event.data.loadedRows } });
              break;
            case "inlineFallback":
              update({ ...live, summary: null, notice: event.data.message });
              break;
          }
        },
      );
      const live = current.phase === "running" ? current : null;
      update({
        phase: "done",
        runId: live?.runId ?? 0,
        summary,
        elapsedMs: live?.elapsedMs ?? 0,
        notice: live?.notice ?? null,
        statementId: live?.statementId ?? null,
        warehouse: warehouseName,
        finishedAtMs: Date.now(),
      });
    } catch (error) {
      const summary = current.phase === "running" ? current.summary : null;
      update({ phase: "error", error: toAppError(error), runId: runIds.current[tabId] ?? null, summary });
    } finally {
      setHistoryRevision((n) => n + 1);
    }
  };

  const cancel = () => {
    if (run.phase === "running" && run.runId !== null) void cancelStatement(run.runId);
  };

  const close = (tabId: string) => {
    freeResult(tabId);
    setRuns(({ [tabId]: _, ...rest }) => rest);
    setWorkbench((wb) => (wb ? closeTab(wb, tabId) : wb));
  };

  /** A history entry or saved query in a new tab (on its warehouse, if it still exists), run
   * at once if asked. */
  const openEntry = (entry: Pick<HistoryEntry, "statement" | "parameters" | "catalog" | "schema"> & { warehouseId?: string | null }, runNow: boolean) => {
    if (!workbench) return;
    const known = warehouses?.some((w) => w.id === entry.warehouseId);
    const base = known && entry.warehouseId ? { ...workbench, warehouseId: entry.warehouseId } : workbench;
    const opened = addTab(base, entry.statement, entry.parameters);
    const id = opened.activeTab ?? "";
    const withContext = updateTab(opened, id, { catalog: entry.catalog, schema: entry.schema });
    setWorkbench(withContext);
    if (runNow) {
      const created = withContext.tabs.find((t) => t.id === id);
      if (created) void execute(created, entry.statement, entry.parameters);
    }
  };

  if (!workbench || !tab) return <div class="sql-view" data-testid="sql-view" />;

  const summary = run.phase === "running" || run.phase === "error" ? run.summary : run.phase === "done" ? run.summary : null;
  const runId = run.phase === "idle" ? null : run.runId;
  const notice = run.phase === "running" || run.phase === "done" ? run.notice : null;
  const runningTabs = new Set(Object.entries(runs).filter(([, r]) => r.phase === "running").map(([id]) => id));

  return (
    <div class={`sql-layout${showHistory ? " with-history" : ""}`}>
      {showTables && (
        <SchemaBrowser catalogs={catalogs} onInsert={insertName} onClose={toggleTables} />
      )}
      <div class="sql-view" data-testid="sql-view">
        <div class="sql-toolbar">
          <label class="warehouse-picker">
            <span class="muted">Warehouse</span>
            <select
              data-testid="warehouse-select"
              value={warehouseId}
              disabled={!warehouses || warehouses.length === 0}
              onChange={(event) => setWorkbench((wb) => (wb ? { ...wb, warehouseId: event.currentTarget.value } : wb))}
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
          <CatalogPicker
            workspaceId={workspaceId}
            warehouseId={warehouseId || null}
            catalog={tab.catalog ?? null}
            schema={tab.schema ?? null}
            onChange={(catalog, schema) => change(tab.id, () => ({ catalog, schema }))}
          />
          <span class="spacer" />
          <button
            type="button"
            class="ghost"
            data-testid="format-sql"
            title="Lay out the SQL: one clause per line, keywords in capitals"
            disabled={text.trim() === ""}
            onClick={() => void formatTab(tab.id, text)}
          >
            Format
          </button>
          <button type="button" class="ghost" data-testid="toggle-tables" aria-pressed={showTables} onClick={toggleTables}>
            Tables
          </button>
          <button
            type="button"
            class="ghost"
            data-testid="toggle-history"
            aria-pressed={showHistory}
            onClick={toggleHistory}
          >
            Saved & history
          </button>
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
              onClick={() => execute(tab, editor.current?.toRun() ?? text)}
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
        <TabStrip
          tabs={workbench.tabs}
          active={tab.id}
          running={runningTabs}
          onSelect={(id) => setWorkbench((wb) => (wb ? { ...wb, activeTab: id } : wb))}
          onClose={close}
          onNew={() => setWorkbench((wb) => (wb ? addTab(wb) : wb))}
        />
        <SqlEditor
          key={tab.id}
          value={text}
          handle={editor}
          completion={completion}
          onChange={(next) => change(tab.id, () => ({ statement: next }))}
          onRun={(statement) => execute(tab, statement)}
        />
        <Parameters parameters={tab.parameters ?? []} onChange={(parameters) => change(tab.id, () => ({ parameters }))} />
        <div class="run-status" role="status" data-testid="run-status" data-phase={run.phase}>
          {run.phase === "running" && (
            <span>
              {STATE_TEXT[run.state]} {(run.elapsedMs / 1000).toFixed(1)} s
              {run.summary && ` · ${formatCount(run.summary.loadedRows)} of ${formatCount(run.summary.totalRows)} rows`}
            </span>
          )}
          {run.phase === "done" && (
            <span>
              {formatCount(run.summary.totalRows)} {run.summary.totalRows === 1 ? "row" : "rows"} ·{" "}
              {(run.elapsedMs / 1000).toFixed(1)} s{run.summary.truncated && " · truncated by the row or size limit"}
            </span>
          )}
          {run.phase === "error" && (
            <span class={run.error.code === "cancelled" ? "muted" : "field-error"} data-testid="run-error">
              {run.error.message}
            </span>
          )}
          {notice && (
            <span class="muted" data-testid="run-notice">
              {" "}
              {notice}
            </span>
          )}
        </div>
        {run.phase === "done" && (
          <Provenance
            facts={{
              who: workspace.status.state === "signedIn" ? workspace.status.user : null,
              workspace: workspace.name,
              warehouse: run.warehouse,
              statementId: run.statementId,
              atMs: run.finishedAtMs,
              durationMs: run.elapsedMs,
              shownRows: run.summary.loadedRows,
              totalRows: run.summary.totalRows,
              truncated: run.summary.truncated,
              // No public source documents a web address for one statement in query history.
              link: null,
            }}
          />
        )}
        {summary && runId !== null && summary.columns.length > 0 && (
          <ResultPanel
            runId={runId}
            summary={summary}
            title={tab.title}
            exportCommands
            chartable
            onError={(error) => setRun(tab.id, { phase: "error", error, runId, summary })}
          />
        )}
      </div>
      {showHistory && (
        <HistoryPanel
          workspaceId={workspaceId}
          warehouseNames={Object.fromEntries((warehouses ?? []).map((w) => [w.id, w.name]))}
          revision={historyRevision}
          onOpen={openEntry}
          onOpenSaved={openEntry}
          current={{ name: tab.title, statement: tab.statement, parameters: tab.parameters ?? [], warehouseId: warehouseId || null, catalog: tab.catalog, schema: tab.schema }}
          onClose={() => setShowHistory(false)}
        />
      )}
    </div>
  );
}
