// What users do with a result, against a fake platform: sort by a header (ascending,
// descending, off), filter, export with progress, and copy the selected rows.
import { act, fireEvent, render, screen, waitFor } from "@testing-library/preact";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { ExportProgress, ResultSummary } from "../platform";

let progress: (p: ExportProgress) => void = () => {};
let finishExport: (value: unknown) => void = () => {};

const summary: ResultSummary = {
  columns: [
    { name: "id", typeText: "BIGINT", typeName: "LONG", timeZone: null },
    { name: "city", typeText: "STRING", typeName: "STRING", timeZone: null },
  ],
  totalRows: 3,
  loadedRows: 3,
  truncated: false,
  complete: true,
  shownRows: 3,
  spilled: false,
  stopped: null,
};

vi.mock("../platform", async (importActual) => {
  const actual = await importActual<typeof import("../platform")>();
  return {
    ...actual,
    resultWindow: vi.fn(async (_run: number, offset: number) => ({
      offset,
      rows: [["1", "Paris"], ["2", "Oslo"], ["3", "Lima"]].slice(offset),
    })),
    setResultView: vi.fn(async (_run: number, view: { filter: string }) => ({ ...summary, shownRows: view.filter ? 1 : 3 })),
    copyResultRows: vi.fn(async (_run: number, from: number, to: number) => to - from),
    exportResult: vi.fn((_run: number, _format: string, _name: string, onProgress: (p: ExportProgress) => void) => {
      progress = onProgress;
      return new Promise((resolve) => (finishExport = resolve));
    }),
    cancelExport: vi.fn().mockResolvedValue(null),
    cancelResultView: vi.fn().mockResolvedValue(null),
  };
});

const platform = await import("../platform");
const { ResultPanel } = await import("./ResultPanel");

describe("ResultPanel", () => {
  beforeEach(() => vi.clearAllMocks());

  it("sorts by a header: ascending, descending, then as the rows came", async () => {
    render(<ResultPanel runId={4} summary={summary} title="Trips" onError={() => {}} />);
    const sortById = () => fireEvent.click(screen.getAllByTitle("Sort by this column")[0]);
    sortById();
    await waitFor(() => expect(platform.setResultView).toHaveBeenLastCalledWith(4, { sortColumn: 0, descending: false, filter: "" }, expect.any(Function)));
    sortById();
    await waitFor(() => expect(platform.setResultView).toHaveBeenLastCalledWith(4, { sortColumn: 0, descending: true, filter: "" }, expect.any(Function)));
    sortById();
    await waitFor(() => expect(platform.setResultView).toHaveBeenLastCalledWith(4, { sortColumn: null, descending: false, filter: "" }, expect.any(Function)));
  });

  it("filters in Rust and shows how many rows are left", async () => {
    render(<ResultPanel runId={4} summary={summary} title="Trips" onError={() => {}} />);
    fireEvent.input(screen.getByTestId("result-filter"), { target: { value: "osl" } });
    await waitFor(() => expect(screen.getByTestId("shown-rows").textContent).toBe("1 of 3 rows"));
    expect(platform.setResultView).toHaveBeenCalledWith(4, { sortColumn: null, descending: false, filter: "osl" }, expect.any(Function));
  });

  it("exports with a progress bar, then says where the file is", async () => {
    render(<ResultPanel runId={4} summary={summary} title="Trips" onError={() => {}} />);
    fireEvent.click(screen.getByTestId("export-xlsx"));
    expect(platform.exportResult).toHaveBeenCalledWith(4, "xlsx", "Trips", expect.any(Function), true, null);
    act(() => progress({ rowsWritten: 1, totalRows: 4 }));
    expect(screen.getByTestId("export-progress").textContent).toContain("25%");
    fireEvent.click(screen.getByTestId("cancel-export"));
    expect(platform.cancelExport).toHaveBeenCalledWith(4);
    await act(async () => finishExport({ path: "/home/a/Trips.xlsx", rows: 3, sheets: 1 }));
    expect(screen.getByTestId("result-message").textContent).toBe("Saved 3 rows to /home/a/Trips.xlsx.");
  });

  it("says before an Excel export how many sheets it takes, and offers CSV", async () => {
    const long = { ...summary, totalRows: 3_000_000, loadedRows: 3_000_000, shownRows: 3_000_000 };
    render(<ResultPanel runId={4} summary={long} title="Trips" onError={() => {}} />);
    fireEvent.click(screen.getByTestId("export-xlsx"));
    expect(platform.exportResult).not.toHaveBeenCalled();
    const ask = screen.getByTestId("excel-sheets");
    expect(ask.textContent).toContain("these 3,000,000 rows will fill 3 sheets");
    expect(ask.textContent).toContain("CSV");
    fireEvent.click(screen.getByTestId("excel-sheets-csv"));
    expect(platform.exportResult).toHaveBeenCalledWith(4, "csv", "Trips", expect.any(Function), true, null);
    expect(screen.queryByTestId("excel-sheets")).toBeNull();
  });

  it("says why a download stopped short, above the rows it kept", () => {
    const cut = { ...summary, truncated: true, stopped: "The disk is full." };
    render(<ResultPanel runId={4} summary={cut} title="Trips" onError={() => {}} />);
    expect(screen.getByTestId("result-stopped").textContent).toBe("Only the first 3 rows are here. The disk is full.");
  });

  it("shows a long sort's progress with Stop, and a stopped sort is not an error", async () => {
    let report: (p: { rowsDone: number; totalRows: number; merging: boolean }) => void = () => {};
    let fail: (e: unknown) => void = () => {};
    vi.mocked(platform.setResultView).mockImplementationOnce((_run, _view, onProgress) => {
      report = onProgress ?? (() => {});
      return new Promise((_resolve, reject) => (fail = reject));
    });
    const onError = vi.fn();
    render(<ResultPanel runId={4} summary={summary} title="Trips" onError={onError} />);
    fireEvent.click(screen.getAllByTitle("Sort by this column")[0]);
    act(() => report({ rowsDone: 1, totalRows: 3, merging: false }));
    expect(screen.getByTestId("view-progress").textContent).toContain("Sorting and filtering");
    fireEvent.click(screen.getByTestId("cancel-view"));
    expect(platform.cancelResultView).toHaveBeenCalledWith(4);
    await act(async () => fail({ code: "cancelled", message: "Sorting was stopped." }));
    await waitFor(() => expect(screen.queryByTestId("view-progress")).toBeNull());
    expect(onError).not.toHaveBeenCalled();
  });

  it("copies the selected rows (a click, then Shift+click)", async () => {
    render(<ResultPanel runId={4} summary={summary} title="Trips" onError={() => {}} />);
    const rows = await screen.findAllByTestId("result-row");
    fireEvent.click(rows[2]);
    fireEvent.click(rows[1], { shiftKey: true });
    fireEvent.click(screen.getByTestId("copy-rows"));
    await waitFor(() => expect(platform.copyResultRows).toHaveBeenCalledWith(4, 1, 3, true));
    expect(await screen.findByTestId("result-message")).toHaveProperty("textContent", "Copied 2 rows — paste into Excel or Sheets.");
  });
});
