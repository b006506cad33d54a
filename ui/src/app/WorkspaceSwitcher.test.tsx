// The workspace switcher: empty state, active item, keyboard navigation, selection.
import { workspace, workspaceList } from "../test/fixtures";
import { fireEvent, render, screen } from "@testing-library/preact";
import { describe, expect, it, vi } from "vitest";
import type { WorkspaceList } from "../platform";
import { WorkspaceSwitcher } from "./WorkspaceSwitcher";

const two: WorkspaceList = {
  workspaces: [
    workspace({ id: "demo", name: "Demo workspace", host: "http://127.0.0.1:8787", managed: false }),
    workspace({ id: "fin", name: "Finance", host: "https://dbc-fin.cloud.databricks.com", managed: true }),
  ],
  activeId: "fin",
  canAdd: true,
  canUseTokens: true, signInsEndOnQuit: false,
};

describe("WorkspaceSwitcher", () => {
  it("shows the empty state with an Add a workspace button", () => {
    const onAdd = vi.fn();
    render(<WorkspaceSwitcher list={workspaceList([], null)} onSelect={vi.fn()} onAdd={onAdd} />);
    const button = screen.getByRole("button", { name: "Add a workspace" });
    fireEvent.click(button);
    expect(onAdd).toHaveBeenCalledOnce();
    expect(button.getAttribute("data-testid")).toBe("add-workspace");
    expect(screen.getByText("Connect Brickdesk to your Databricks workspace to get started.")).toBeTruthy();
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

  it("keeps the workspace id of a host that serves several in view", () => {
    const spog = workspace({ id: "s", name: "Sales", host: "https://acme.cloud.databricks.com", workspaceId: "1111" });
    render(<WorkspaceSwitcher list={workspaceList([spog], "s")} onSelect={vi.fn()} onAdd={vi.fn()} />);
    const place = screen.getByTestId("workspace-item").querySelector(".workspace-host");
    expect(place?.querySelector(".workspace-host-id")?.textContent).toBe(" · workspace 1111");
    expect(place?.getAttribute("title")).toBe("acme.cloud.databricks.com · workspace 1111");
  });

  it("moves focus with the arrow keys (roving tabindex) and selects on click", () => {
    const onSelect = vi.fn();
    const three: WorkspaceList = {
      workspaces: [...two.workspaces, workspace({ id: "ops", name: "Ops", host: "https://ops.example", managed: false })],
      activeId: "demo",
      canAdd: true,
      canUseTokens: true, signInsEndOnQuit: false,
    };
    render(<WorkspaceSwitcher list={three} onSelect={onSelect} onAdd={vi.fn()} />);
    const [first, second, third] = screen.getAllByTestId("workspace-item");
    expect([first.tabIndex, second.tabIndex, third.tabIndex]).toEqual([0, -1, -1]);
    first.focus();
    fireEvent.keyDown(first, { key: "ArrowDown" });
    expect(document.activeElement).toBe(second);
    expect([first.tabIndex, second.tabIndex, third.tabIndex]).toEqual([-1, 0, -1]);
    fireEvent.keyDown(second, { key: "ArrowDown" });
    expect(document.activeElement).toBe(third);
    fireEvent.keyDown(third, { key: "ArrowDown" });
    expect(document.activeElement).toBe(third);
    fireEvent.keyDown(third, { key: "ArrowUp" });
    expect(document.activeElement).toBe(second);
    fireEvent.keyDown(second, { key: "Home" });
    expect(document.activeElement).toBe(first);
    fireEvent.click(second);
    expect(onSelect).toHaveBeenCalledWith("fin");
    expect(onSelect).toHaveBeenCalledOnce();
  });

  it("keeps a small Add workspace button below the list", () => {
    const onAdd = vi.fn();
    render(<WorkspaceSwitcher list={two} onSelect={vi.fn()} onAdd={onAdd} />);
    const add = screen.getByTestId("add-workspace");
    expect(add.textContent).toContain("Add workspace");
    fireEvent.click(add);
    expect(onAdd).toHaveBeenCalledOnce();
  });

  it("shows each workspace's sign-in status, and no Add button when IT forbids adding", () => {
    const managed: WorkspaceList = {
      ...two,
      workspaces: [
        { ...two.workspaces[0], status: { state: "signedIn", user: "alice@example.com", expiresAtMs: null } },
        two.workspaces[1],
      ],
      canAdd: false,
    };
    render(<WorkspaceSwitcher list={managed} onSelect={vi.fn()} onAdd={vi.fn()} />);
    const statuses = screen.getAllByTestId("workspace-status");
    expect(statuses.map((s) => [s.dataset.state, s.textContent])).toEqual([
      ["signedIn", "alice@example.com"],
      ["signedOut", "Signed out"],
    ]);
    expect(screen.queryByTestId("add-workspace")).toBeNull();
  });

  it("marks a workspace IT policy forbids, with the reason as its tooltip", () => {
    const reason = "Your organisation's policy does not allow personal access tokens.";
    const list: WorkspaceList = { ...two, workspaces: [{ ...two.workspaces[0], blocked: reason }, two.workspaces[1]] };
    render(<WorkspaceSwitcher list={list} onSelect={vi.fn()} onAdd={vi.fn()} />);
    const [first] = screen.getAllByTestId("workspace-status");
    expect([first.dataset.state, first.textContent, first.title]).toEqual(["blocked", "Not allowed", reason]);
  });
});
