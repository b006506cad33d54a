// The SQL runner with a fake platform: warehouses, parameters from the SQL, a run's events
// (status, columns, rows), Cancel, a failure message, the grid's windows of rows, tabs saved
// per workspace, and a statement run again from history.
import { act, fireEvent, render, screen, waitFor } from "@testing-library/preact";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { AppError, type RunEvent, type StatementRequest } from "../platform";
import { workspace } from "../test/fixtures";

vi.mock("./SqlEditor", () => ({
  // A plain text area stands in for CodeMirror: the runner only needs text and a handle.
  SqlEditor: ({ value, onChange, handle }: { value: string; onChange: (t: string) => void; handle: { current: unknown } }) => {
    handle.current = { toRun: () => value, focus: () => {} };
    return <textarea aria-label="SQL statement" value={value} onInput={(e) => onChange(e.currentTarget.value)} />;
  },
}));

let emit: (event: RunEvent) => void = () => {};
let finish: (value: unknown) => void = () => {};
let fail: (error: unknown) => void = () => {};

vi.mock("../platform", async (importActual) => {
  const actual = await importActual<typeof import("../platform")>();
  return {
    ...actual,
    listWarehouses: vi.fn().mockResolvedValue([
      { id: "w1", name: "Starter Warehouse", state: "RUNNING", size: "Small", serverless: false, health: null },
      { id: "w2", name: "Reporting Warehouse", state: "STOPPED", size: "Medium", serverless: false, health: null },
    ]),
    sqlParameters: vi.fn(async (sql: string) => [...sql.matchAll(/:([a-z_]+)/g)].map((m) => m[1])),
    runStatement: vi.fn((_ws: string, _request: StatementRequest, onEvent: (e: RunEvent) => void) => {
      emit = onEvent;
      return new Promise((resolve, reject) => {
        finish = resolve;
        fail = reject;
      });
    }),
    cancelStatement: vi.fn().mockResolvedValue(null),
    closeResult: vi.fn().mockResolvedValue(null),
    resultWindow: vi.fn(async (_run: number, offset: number, limit: number) => ({
      offset,
      rows: Array.from({ length: Math.min(limit, 3 - offset) }, (_, i) => [String(offset + i), i === 1 ? null : "x"]),
    })),
    startWarehouse: vi.fn(),
    loadWorkbench: vi.fn().mockResolvedValue({ tabs: [], activeTab: null, warehouseId: null }),
    saveWorkbench: vi.fn().mockResolvedValue(null),
    listCatalogs: vi.fn().mockResolvedValue(["samples"]),
    listSchemas: vi.fn().mockResolvedValue(["nyctaxi", "tpch"]),
    sqlHistory: vi.fn().mockResolvedValue([
      {
        id: 1,
        workspaceId: "demo",
        statement: "SELECT * FROM trips WHERE d >= :date",
        warehouseId: "w1",
        catalog: "samples",
        schema: "nyctaxi",
        parameters: [{ name: "date", type: { kind: "date" }, value: "2016-01-05" }],
        startedAt: "2026-11-29T10:00:00.000Z",
        durationMs: 1500,
        rowCount: 42,
        status: "succeeded",
        error: null,
      },
    ]),
  };
});

const platform = await import("../platform");
const { SqlView } = await import("./SqlView");

const alice = workspace({ id: "demo", name: "Demo", host: "http://127.0.0.1:1", status: { state: "signedIn", user: "alice@example.com", expiresAtMs: null } });
const summary = {
  columns: [
    { name: "id", typeText: "BIGINT", typeName: "LONG", timeZone: null },
    { name: "label", typeText: "STRING", typeName: "STRING", timeZone: null },
  ],
  totalRows: 3,
  loadedRows: 3,
  truncated: false,
  complete: true,
  shownRows: 3,
  spilled: false,
  stopped: null,
};

describe("SqlView", () => {
  beforeEach(() => {
    localStorage.clear();
    vi.clearAllMocks();
  });

  it("runs with typed parameters, shows progress, then rows in the grid", async () => {
    render(<SqlView workspace={alice} />);
    const select = await screen.findByTestId<HTMLSelectElement>("warehouse-select");
    await waitFor(() => expect(select.value).toBe("w1"));
    const input = await waitFor(() => {
      const found = document.querySelector<HTMLInputElement>("input[name=param-date]");
      if (!found) throw new Error("no parameter input yet");
      return found;
    });
    fireEvent.input(input, { target: { value: "2016-02-15" } });
    fireEvent.click(screen.getByTestId("run-statement"));
    await waitFor(() => expect(platform.runStatement).toHaveBeenCalledOnce());
    const request = vi.mocked(platform.runStatement).mock.calls[0][1];
    expect(request.warehouseId).toBe("w1");
    expect(request.parameters).toEqual([{ name: "date", type: { kind: "date" }, value: "2016-02-15" }]);
    expect(request.disposition).toBe("externalArrow");

    act(() => emit({ kind: "started", data: { runId: 7 } }));
    act(() => emit({ kind: "status", data: { statementId: "s", state: "PENDING", elapsedMs: 1200 } }));
    expect(screen.getByTestId("run-status").textContent).toContain("Waiting for the warehouse… 1.2 s");
    fireEvent.click(screen.getByTestId("cancel-statement"));
    expect(platform.cancelStatement).toHaveBeenCalledWith(7);

    act(() => emit({ kind: "columns", data: { ...summary, loadedRows: 0, shownRows: 0, complete: false } }));
    await act(async () => finish(summary));
    expect(screen.getByTestId("run-status").textContent).toContain("3 rows");
    // Where the rows came from: who, which warehouse, the statement id.
    const source = screen.getByTestId("provenance");
    expect(source.querySelector("summary")?.textContent).toContain("alice@example.com · Starter Warehouse");
    expect(screen.getByTestId("provenance-statement").textContent).toBe("s");
    expect(source.textContent).toContain("1.2 s");
    await waitFor(() => expect(screen.getAllByTestId("result-row")[2].textContent).toBe("32x"));
    expect(screen.getAllByTestId("result-row")[1].textContent).toContain("NULL");
    expect(platform.resultWindow).toHaveBeenCalledWith(7, 0, 200);
  });

  it("remembers the warehouse per workspace and shows a failure's message", async () => {
    render(<SqlView workspace={alice} />);
    const select = await screen.findByTestId<HTMLSelectElement>("warehouse-select");
    await waitFor(() => expect(select.options.length).toBe(2));
    fireEvent.change(select, { target: { value: "w2" } });
    await waitFor(() =>
      expect(platform.saveWorkbench).toHaveBeenLastCalledWith("demo", expect.objectContaining({ warehouseId: "w2" })),
    );
    expect(screen.getByTestId("start-warehouse").textContent).toBe("Start warehouse");
    fireEvent.click(screen.getByTestId("run-statement"));
    await waitFor(() => expect(platform.runStatement).toHaveBeenCalledOnce());
    await act(async () => fail(new AppError("server", "[TABLE_OR_VIEW_NOT_FOUND] The table cannot be found.")));
    expect(screen.getByTestId("run-error").textContent).toContain("TABLE_OR_VIEW_NOT_FOUND");
  });

  it("keeps tabs per workspace: new, switch, close frees the tab's result", async () => {
    vi.mocked(platform.loadWorkbench).mockResolvedValueOnce({
      tabs: [{ id: "a", title: "Trips", statement: "SELECT 1", catalog: "samples", schema: null, parameters: [] }],
      activeTab: "a",
      warehouseId: "w1",
    });
    render(<SqlView workspace={alice} />);
    await screen.findByText("Trips");
    expect(screen.getByLabelText<HTMLTextAreaElement>("SQL statement").value).toBe("SELECT 1");
    await waitFor(() => expect(screen.getByTestId<HTMLSelectElement>("catalog-select").value).toBe("samples"));
    fireEvent.click(screen.getByTestId("run-statement"));
    act(() => emit({ kind: "started", data: { runId: 9 } }));
    fireEvent.click(screen.getByTestId("new-tab"));
    await waitFor(() => expect(screen.getAllByTestId("sql-tab")).toHaveLength(2));
    expect(screen.getByLabelText<HTMLTextAreaElement>("SQL statement").value).toBe("");
    expect(screen.getAllByTestId("sql-tab")[1].getAttribute("aria-current")).toBe("true");
    await waitFor(() =>
      expect(platform.saveWorkbench).toHaveBeenLastCalledWith(
        "demo",
        expect.objectContaining({ tabs: [expect.objectContaining({ id: "a" }), expect.objectContaining({ title: "Query 1" })] }),
      ),
    );
    fireEvent.click(screen.getByLabelText("Close Trips"));
    expect(platform.closeResult).toHaveBeenCalledWith(9);
    expect(screen.getAllByTestId("sql-tab")).toHaveLength(1);
  });

  it("runs a statement again from history in a new tab, with its parameters", async () => {
    render(<SqlView workspace={alice} />);
    await screen.findByTestId("sql-tabs");
    await waitFor(() => expect(screen.getByTestId<HTMLSelectElement>("warehouse-select").value).toBe("w1"));
    fireEvent.click(screen.getByTestId("toggle-history"));
    const entry = await screen.findByTestId("history-entry");
    expect(entry.textContent).toContain("42 rows");
    expect(entry.textContent).toContain(":date=2016-01-05");
    fireEvent.click(screen.getByTestId("history-rerun"));
    await waitFor(() => expect(platform.runStatement).toHaveBeenCalledOnce());
    const request = vi.mocked(platform.runStatement).mock.calls[0][1];
    expect(request.statement).toBe("SELECT * FROM trips WHERE d >= :date");
    expect(request.catalog).toBe("samples");
    expect(request.schema).toBe("nyctaxi");
    expect(request.parameters).toEqual([{ name: "date", type: { kind: "date" }, value: "2016-01-05" }]);
    expect(screen.getAllByTestId("sql-tab")).toHaveLength(2);
  });
});
