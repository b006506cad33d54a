// Workspace settings: rename, access, loopback port, order among the user's own workspaces, removal
// behind a confirmation, and read-only for IT-managed workspaces.
import { fireEvent, render, screen, waitFor } from "@testing-library/preact";
import { describe, expect, it, vi } from "vitest";
import { workspace, workspaceList } from "../test/fixtures";
import { WorkspaceSettingsDialog, moved, type SettingsActions } from "./WorkspaceSettingsDialog";

const corp = workspace({ id: "corp", name: "Corp", host: "https://corp.example", managed: true });
const fin = workspace({
  id: "fin",
  name: "Finance",
  host: "https://fin.example",
  auth: { kind: "appConnection", clientId: "brickdesk", confidential: false },
});
const ops = workspace({ id: "ops", name: "Ops", host: "https://ops.example" });
const list = workspaceList([corp, fin, ops], "fin");

function actions(): SettingsActions {
  return {
    rename: vi.fn().mockResolvedValue(undefined),
    setLoopback: vi.fn().mockResolvedValue(undefined),
    setAccess: vi.fn().mockResolvedValue(undefined),
    reorder: vi.fn().mockResolvedValue(undefined),
    remove: vi.fn().mockResolvedValue(undefined),
  };
}

describe("WorkspaceSettingsDialog", () => {
  it("moves only among the user's own workspaces", () => {
    expect(moved(list, "fin", -1)).toBeNull();
    expect(moved(list, "fin", 1)).toEqual(["ops", "fin"]);
    expect(moved(list, "ops", 1)).toBeNull();
    expect(moved(list, "corp", 1)).toBeNull();
  });

  it("saves a new name and a loopback port, and checks the port", async () => {
    const act = actions();
    const onClose = vi.fn();
    render(<WorkspaceSettingsDialog workspace={fin} list={list} onClose={onClose} actions={act} />);
    fireEvent.input(screen.getByLabelText("Name"), { target: { value: "Finance EU" } });
    fireEvent.input(screen.getByLabelText(/Local port/), { target: { value: "99" } });
    fireEvent.click(screen.getByRole("button", { name: "Save" }));
    expect((await screen.findByRole("alert")).textContent).toContain("between 1024 and 65535");
    expect(onClose).not.toHaveBeenCalled();
    fireEvent.input(screen.getByLabelText(/Local port/), { target: { value: "8765" } });
    fireEvent.click(screen.getByRole("button", { name: "Save" }));
    await waitFor(() => expect(onClose).toHaveBeenCalledOnce());
    expect(act.rename).toHaveBeenCalledWith("fin", "Finance EU");
    expect(act.setLoopback).toHaveBeenCalledWith("fin", 8765);
  });

  it("switches to SQL only, saying that it signs out", async () => {
    const act = actions();
    const onClose = vi.fn();
    render(<WorkspaceSettingsDialog workspace={fin} list={list} onClose={onClose} actions={act} />);
    fireEvent.change(screen.getByTestId("access-select"), { target: { value: "sqlOnly" } });
    expect(screen.getByText(/Saving signs you out/)).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "Save" }));
    await waitFor(() => expect(onClose).toHaveBeenCalledOnce());
    expect(act.setAccess).toHaveBeenCalledWith("fin", "sqlOnly");
    expect(act.rename).not.toHaveBeenCalled();
  });

  it("removes only after a confirmation", async () => {
    const act = actions();
    const onClose = vi.fn();
    render(<WorkspaceSettingsDialog workspace={ops} list={list} onClose={onClose} actions={act} />);
    expect(screen.queryByLabelText(/Local port/)).toBeNull();
    fireEvent.click(screen.getByRole("button", { name: "Move up" }));
    expect(act.reorder).toHaveBeenCalledWith(["ops", "fin"]);
    fireEvent.click(screen.getByTestId("remove-workspace"));
    expect(act.remove).not.toHaveBeenCalled();
    expect(screen.getByRole("group", { name: "Confirm removal" }).textContent).toContain("Remove Ops?");
    fireEvent.click(screen.getByTestId("confirm-remove"));
    await waitFor(() => expect(onClose).toHaveBeenCalledOnce());
    expect(act.remove).toHaveBeenCalledWith("ops");
  });

  it("is read-only for a workspace IT manages", () => {
    render(<WorkspaceSettingsDialog workspace={corp} list={list} onClose={vi.fn()} actions={actions()} />);
    expect(screen.getByText(/Your IT department manages this workspace/)).toBeTruthy();
    expect(screen.getByLabelText<HTMLInputElement>("Name").disabled).toBe(true);
    expect(screen.queryByRole("button", { name: "Save" })).toBeNull();
    expect(screen.queryByTestId("remove-workspace")).toBeNull();
  });
});
