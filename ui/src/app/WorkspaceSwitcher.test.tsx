// The workspace switcher: empty state, active item, keyboard navigation, selection.
import { fireEvent, render, screen } from "@testing-library/preact";
import { describe, expect, it, vi } from "vitest";
import type { WorkspaceList } from "../platform";
import { WorkspaceSwitcher } from "./WorkspaceSwitcher";

const two: WorkspaceList = {
  workspaces: [
    { id: "demo", name: "Demo workspace", host: "http://127.0.0.1:8787", managed: false },
    { id: "fin", name: "Finance", host: "https://dbc-fin.cloud.databricks.com", managed: true },
  ],
  activeId: "fin",
};

describe("WorkspaceSwitcher", () => {
  it("shows the empty state with an Add a workspace button", () => {
    const onAdd = vi.fn();
    render(<WorkspaceSwitcher list={{ workspaces: [], activeId: null }} onSelect={vi.fn()} onAdd={onAdd} />);
    const button = screen.getByRole("button", { name: "Add a workspace" });
    fireEvent.click(button);
    expect(onAdd).toHaveBeenCalledOnce();
    expect(screen.queryAllByTestId("workspace-item")).toHaveLength(0);
  });

  it("marks the active workspace and shows hosts without the scheme", () => {
    render(<WorkspaceSwitcher list={two} onSelect={vi.fn()} onAdd={vi.fn()} />);
    const items = screen.getAllByTestId("workspace-item");
    expect(items).toHaveLength(2);
    expect(items[1].getAttribute("aria-current")).toBe("true");
    expect(items[0].getAttribute("aria-current")).toBeNull();
    expect(items[1].textContent).toContain("dbc-fin.cloud.databricks.com");
    expect(items[1].textContent).not.toContain("https://");
    expect(screen.getByRole("img", { name: "Managed by your IT department" })).toBeTruthy();
  });

  it("moves focus with the arrow keys and selects on click", () => {
    const onSelect = vi.fn();
    render(<WorkspaceSwitcher list={two} onSelect={onSelect} onAdd={vi.fn()} />);
    const [first, second] = screen.getAllByTestId("workspace-item");
    expect(second.tabIndex).toBe(0);
    expect(first.tabIndex).toBe(-1);
    second.focus();
    fireEvent.keyDown(second, { key: "ArrowUp" });
    expect(document.activeElement).toBe(first);
    fireEvent.keyDown(first, { key: "End" });
    expect(document.activeElement).toBe(second);
    fireEvent.click(first);
    expect(onSelect).toHaveBeenCalledWith("demo");
  });
});
