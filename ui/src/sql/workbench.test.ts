import { describe, expect, it } from "vitest";
import { activeTab, addTab, closeTab, restore, updateTab } from "./workbench";

describe("workbench tabs", () => {
  it("restores an empty workbench with one tab of example SQL", () => {
    const wb = restore({ tabs: [], activeTab: null, warehouseId: null });
    expect(wb.tabs).toHaveLength(1);
    expect(wb.activeTab).toBe(wb.tabs[0].id);
    expect(activeTab(wb).statement).toContain("samples.nyctaxi.trips");
  });

  it("keeps a saved active tab, and falls back to the first when it is gone", () => {
    const saved = restore({ tabs: [], activeTab: null, warehouseId: "w" });
    const two = addTab(saved, "SELECT 2");
    expect(restore(two).activeTab).toBe(two.tabs[1].id);
    expect(restore({ ...two, activeTab: "missing" }).activeTab).toBe(two.tabs[0].id);
    expect(restore(two).warehouseId).toBe("w");
  });

  it("names new tabs with the first free number and activates them", () => {
    let wb = restore({ tabs: [], activeTab: null, warehouseId: null });
    wb = addTab(wb);
    wb = addTab(wb);
    expect(wb.tabs.map((t) => t.title)).toEqual(["Query 1", "Query 2", "Query 3"]);
    wb = closeTab(wb, wb.tabs[1].id);
    wb = addTab(wb, "SELECT 1");
    expect(wb.tabs.map((t) => t.title)).toEqual(["Query 1", "Query 3", "Query 2"]);
    expect(activeTab(wb).statement).toBe("SELECT 1");
  });

  it("activates the neighbour of a closed tab and never leaves none", () => {
    let wb = addTab(addTab(restore({ tabs: [], activeTab: null, warehouseId: null })));
    const [a, b, c] = wb.tabs;
    wb = { ...wb, activeTab: b.id };
    wb = closeTab(wb, b.id);
    expect(wb.activeTab).toBe(c.id);
    wb = closeTab(closeTab(wb, c.id), a.id);
    expect(wb.tabs).toHaveLength(1);
    expect(wb.activeTab).toBe(wb.tabs[0].id);
    expect(updateTab(wb, wb.tabs[0].id, { statement: "x" }).tabs[0].statement).toBe("x");
  });
});
