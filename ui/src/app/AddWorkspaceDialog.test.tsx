// The add-workspace dialog: modal, focus handling, submits the fields, shows a refusal inline.
import { fireEvent, render, screen, waitFor } from "@testing-library/preact";
import { useState } from "preact/hooks";
import { describe, expect, it, vi } from "vitest";
import { AppError } from "../platform";
import { AddWorkspaceDialog } from "./AddWorkspaceDialog";

function fill(name: string, host: string) {
  fireEvent.input(screen.getByLabelText("Name"), { target: { value: name } });
  fireEvent.input(screen.getByLabelText("Workspace URL"), { target: { value: host } });
}

/** The dialog as the app uses it: a button opens it, closing hands focus back. */
function Harness({ onAdd }: { onAdd: (name: string, host: string) => Promise<void> }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button type="button" onClick={() => setOpen(true)}>
        Open
      </button>
      <AddWorkspaceDialog open={open} onClose={() => setOpen(false)} onAdd={onAdd} />
    </>
  );
}

describe("AddWorkspaceDialog", () => {
  it("opens as a labelled modal and submits the name and URL", async () => {
    const onAdd = vi.fn().mockResolvedValue(undefined);
    const onClose = vi.fn();
    render(<AddWorkspaceDialog open onClose={onClose} onAdd={onAdd} />);
    const dialog = screen.getByRole("dialog", { name: "Add a workspace" });
    expect(dialog.hasAttribute("open")).toBe(true);
    expect(screen.getByLabelText("Workspace URL").getAttribute("placeholder")).toBe("https://dbc-1234.cloud.databricks.com");
    fill("Finance", "dbc-fin.cloud.databricks.com");
    fireEvent.click(screen.getByRole("button", { name: "Add workspace" }));
    await waitFor(() => expect(onClose).toHaveBeenCalledOnce());
    expect(onAdd).toHaveBeenCalledWith("Finance", "dbc-fin.cloud.databricks.com");
  });

  it("sends an empty name as an empty string", async () => {
    const onAdd = vi.fn().mockResolvedValue(undefined);
    render(<AddWorkspaceDialog open onClose={vi.fn()} onAdd={onAdd} />);
    fill("", "https://dbc-1234.cloud.databricks.com");
    fireEvent.click(screen.getByRole("button", { name: "Add workspace" }));
    await waitFor(() => expect(onAdd).toHaveBeenCalledWith("", "https://dbc-1234.cloud.databricks.com"));
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
    const url = screen.getByLabelText("Workspace URL");
    expect(url.getAttribute("aria-invalid")).toBe("true");
    expect(url.getAttribute("aria-describedby")).toBe(alert.id);
    expect(onClose).not.toHaveBeenCalled();
    expect(screen.getByRole("dialog").hasAttribute("open")).toBe(true);
  });

  it("focuses the first field, closes on Escape and returns focus to the opener", async () => {
    render(<Harness onAdd={vi.fn()} />);
    const opener = screen.getByRole("button", { name: "Open" });
    opener.focus();
    fireEvent.click(opener);
    await waitFor(() => expect(document.activeElement).toBe(screen.getByLabelText("Name")));
    const dialog = screen.getByRole("dialog");
    // Escape on a modal <dialog> fires a cancelable "cancel" event.
    fireEvent(dialog, new Event("cancel", { cancelable: true }));
    await waitFor(() => expect(dialog.hasAttribute("open")).toBe(false));
    expect(document.activeElement).toBe(opener);
  });

  it("closes on Cancel", () => {
    const onClose = vi.fn();
    render(<AddWorkspaceDialog open onClose={onClose} onAdd={vi.fn()} />);
    fireEvent.click(screen.getByRole("button", { name: "Cancel" }));
    expect(onClose).toHaveBeenCalledOnce();
  });
});
