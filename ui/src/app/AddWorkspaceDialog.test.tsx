// The add-workspace dialog: submits the fields, shows a refusal inline and stays open.
import { fireEvent, render, screen, waitFor } from "@testing-library/preact";
import { describe, expect, it, vi } from "vitest";
import { AppError } from "../platform";
import { AddWorkspaceDialog } from "./AddWorkspaceDialog";

vi.mock("../bindings", () => ({ commands: {}, events: {} }));

function fill(name: string, host: string) {
  fireEvent.input(screen.getByLabelText("Name"), { target: { value: name } });
  fireEvent.input(screen.getByLabelText("Workspace URL"), { target: { value: host } });
}

describe("AddWorkspaceDialog", () => {
  it("opens as a modal and submits the name and URL", async () => {
    const onAdd = vi.fn().mockResolvedValue(undefined);
    const onClose = vi.fn();
    const { container } = render(<AddWorkspaceDialog open onClose={onClose} onAdd={onAdd} />);
    expect(container.querySelector("dialog")?.hasAttribute("open")).toBe(true);
    fill("Finance", "dbc-fin.cloud.databricks.com");
    fireEvent.click(screen.getByRole("button", { name: "Add workspace" }));
    await waitFor(() => expect(onClose).toHaveBeenCalledOnce());
    expect(onAdd).toHaveBeenCalledWith("Finance", "dbc-fin.cloud.databricks.com");
  });

  it("shows the app's message as an alert and stays open when adding fails", async () => {
    const message = "Workspace URLs must start with https://.";
    const onAdd = vi.fn().mockRejectedValue(new AppError("invalid_input", message));
    const onClose = vi.fn();
    render(<AddWorkspaceDialog open onClose={onClose} onAdd={onAdd} />);
    fill("", "http://example.com");
    fireEvent.click(screen.getByRole("button", { name: "Add workspace" }));
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toBe(message);
    expect(screen.getByLabelText("Workspace URL").getAttribute("aria-invalid")).toBe("true");
    expect(onClose).not.toHaveBeenCalled();
  });

  it("closes on Cancel", () => {
    const onClose = vi.fn();
    render(<AddWorkspaceDialog open onClose={onClose} onAdd={vi.fn()} />);
    fireEvent.click(screen.getByRole("button", { name: "Cancel" }));
    expect(onClose).toHaveBeenCalledOnce();
  });
});
