import { describe, expect, it, vi } from "vitest";
import { fireEvent, render, screen, waitFor } from "@testing-library/preact";
import * as platform from "../platform";
import { SavedQueries } from "./SavedQueries";

vi.mock("../platform", () => ({
  savedQueries: vi.fn(),
  saveQuery: vi.fn(),
  deleteSavedQuery: vi.fn(),
  toAppError: (e: unknown) => e,
}));

const saved = (id: number, name: string) => ({
  id,
  name,
  statement: `SELECT ${id}`,
  parameters: [],
  warehouseId: "wh1",
  catalog: null,
  schema: null,
  savedAt: "2026-12-01T10:00:00Z",
});

describe("SavedQueries", () => {
  it("saves the current tab under a name, says when it replaces one, and opens a saved query", async () => {
    vi.mocked(platform.savedQueries).mockResolvedValue([saved(1, "Trips by day")]);
    vi.mocked(platform.saveQuery).mockResolvedValue(saved(1, "Trips by day"));
    const onOpen = vi.fn();
    const current = { name: "Query 1", statement: "SELECT 2", parameters: [], warehouseId: "wh1", catalog: null, schema: null };
    render(<SavedQueries workspaceId="demo" current={current} warehouseNames={{ wh1: "Starter" }} onOpen={onOpen} />);
    expect((await screen.findByTestId("saved-query")).textContent).toContain("Starter");

    fireEvent.click(screen.getByTestId("save-query"));
    fireEvent.input(screen.getByTestId("save-query-name"), { target: { value: "trips by day" } });
    expect(screen.getByTestId("save-query-confirm").textContent).toBe("Replace");
    fireEvent.click(screen.getByTestId("save-query-confirm"));
    await waitFor(() => expect(platform.saveQuery).toHaveBeenCalledWith("demo", { ...current, name: "trips by day" }));

    fireEvent.click(screen.getByTestId("saved-run"));
    expect(onOpen).toHaveBeenCalledWith(expect.objectContaining({ name: "Trips by day" }), true);
  });
});
