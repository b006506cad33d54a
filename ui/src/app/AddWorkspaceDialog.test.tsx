// The add-workspace dialog: modal, focus handling, the sign-in methods and their fields,
// checks before sending, discovery progress, the Databricks CLI import, refusals inline.
import { act, fireEvent, render, screen, waitFor } from "@testing-library/preact";
import { useState } from "preact/hooks";
import { describe, expect, it, vi } from "vitest";
import { AppError, type DiscoveryStep, type ImportReport, type NewWorkspace } from "../platform";
import { AddWorkspaceDialog } from "./AddWorkspaceDialog";

type OnAdd = (workspace: NewWorkspace, onProgress: (step: DiscoveryStep) => void) => Promise<void>;

function fill(label: string | RegExp, value: string) {
  fireEvent.input(screen.getByLabelText(label), { target: { value } });
}

function choose(method: string) {
  fireEvent.change(screen.getByLabelText("Sign in with"), { target: { value: method } });
}

const submit = () => fireEvent.click(screen.getByRole("button", { name: "Add workspace" }));
const noImport = () => Promise.resolve({ candidates: [], skipped: [] });

/** The dialog as the app uses it: a button opens it, closing hands focus back. */
function Harness({ onAdd }: { onAdd: OnAdd }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button type="button" onClick={() => setOpen(true)}>
        Open
      </button>
      <AddWorkspaceDialog open={open} onClose={() => setOpen(false)} onAdd={onAdd} onImport={noImport} />
    </>
  );
}

function renderOpen(onAdd: OnAdd, props: { canUseTokens?: boolean; onImport?: () => Promise<ImportReport> } = {}) {
  const onClose = vi.fn();
  render(<AddWorkspaceDialog open onClose={onClose} onAdd={onAdd} onImport={props.onImport ?? noImport} canUseTokens={props.canUseTokens} />);
  return onClose;
}

describe("AddWorkspaceDialog", () => {
  it("opens as a labelled modal and submits a browser sign-in by default", async () => {
    const onAdd = vi.fn().mockResolvedValue(undefined);
    const onClose = renderOpen(onAdd);
    const dialog = screen.getByRole("dialog", { name: "Add a workspace" });
    expect(dialog.hasAttribute("open")).toBe(true);
    expect(screen.getByLabelText("Workspace URL").getAttribute("placeholder")).toBe("https://dbc-1234.cloud.databricks.com");
    fill("Name", " Finance ");
    fill("Workspace URL", "dbc-fin.cloud.databricks.com");
    submit();
    await waitFor(() => expect(onClose).toHaveBeenCalledOnce());
    expect(onAdd).toHaveBeenCalledWith(
      { name: "Finance", host: "dbc-fin.cloud.databricks.com", auth: { kind: "databricksCli" }, redirect: null, secret: null },
      expect.any(Function),
    );
  });

  it("sends an app connection with a loopback port, and checks the port first", async () => {
    const onAdd = vi.fn().mockResolvedValue(undefined);
    renderOpen(onAdd);
    fill("Workspace URL", "https://dbc-1.cloud.databricks.com");
    choose("appConnection");
    fill("Client ID", "brickdesk");
    fireEvent.change(screen.getByTestId("new-access-select"), { target: { value: "sqlOnly" } });
    fireEvent.click(screen.getByLabelText(/A local port/));
    fill("Port", "80");
    submit();
    expect((await screen.findByRole("alert")).textContent).toContain("1024–65535");
    expect(screen.getByLabelText("Port").getAttribute("aria-invalid")).toBe("true");
    expect(onAdd).not.toHaveBeenCalled();
    fill("Port", "8765");
    submit();
    await waitFor(() => expect(onAdd).toHaveBeenCalledOnce());
    expect(onAdd.mock.calls[0][0]).toEqual({
      name: "",
      host: "https://dbc-1.cloud.databricks.com",
      auth: { kind: "appConnection", clientId: "brickdesk", confidential: false },
      redirect: { kind: "loopback", port: 8765 },
      access: "sqlOnly",
      secret: null,
    });
  });

  it("requires a service principal's secret, and hides tokens when IT forbids them", async () => {
    const onAdd = vi.fn().mockResolvedValue(undefined);
    renderOpen(onAdd, { canUseTokens: false });
    const options = Array.from(screen.getByLabelText<HTMLSelectElement>("Sign in with").options).map((o) => o.value);
    expect(options).toEqual(["browser", "appConnection", "servicePrincipal"]);
    fill("Workspace URL", "https://dbc-1.cloud.databricks.com");
    choose("servicePrincipal");
    fill("Client ID", "kpi-bot");
    submit();
    expect((await screen.findByRole("alert")).textContent).toBe("Enter the service principal's secret.");
    fill("Client secret", "kpi-bot-secret");
    submit();
    await waitFor(() => expect(onAdd).toHaveBeenCalledOnce());
    expect(onAdd.mock.calls[0][0]).toMatchObject({ auth: { kind: "servicePrincipal", clientId: "kpi-bot" }, secret: "kpi-bot-secret" });
    expect(screen.getByLabelText<HTMLInputElement>("Client secret").type).toBe("password");
  });

  it("shows each discovery step while adding", async () => {
    let report: (step: DiscoveryStep) => void = () => {};
    let finish: () => void = () => {};
    const onAdd = vi.fn((_workspace: NewWorkspace, onProgress: (step: DiscoveryStep) => void) => {
      report = onProgress;
      return new Promise<void>((resolve) => (finish = resolve));
    });
    const onClose = renderOpen(onAdd);
    fill("Workspace URL", "https://dbc-1.cloud.databricks.com");
    submit();
    await waitFor(() => expect(onAdd).toHaveBeenCalled());
    act(() => report("contacting"));
    expect(screen.getByTestId("discovery-step").textContent).toBe("Contacting the workspace…");
    act(() => report("readingSignInServer"));
    expect(screen.getByTestId("discovery-step").textContent).toBe("Reading its sign-in settings…");
    expect(screen.getByRole<HTMLButtonElement>("button", { name: "Add workspace" }).disabled).toBe(true);
    await act(async () => finish());
    await waitFor(() => expect(onClose).toHaveBeenCalledOnce());
  });

  it("fills the form from a Databricks CLI profile, never with its secret", async () => {
    const onImport = vi.fn().mockResolvedValue({
      candidates: [
        {
          section: "bot",
          profile: {
            id: "cfg-bot",
            name: "bot",
            host: "https://dbc-bot.cloud.databricks.com",
            auth: { kind: "servicePrincipal", clientId: "kpi-bot" },
            scopes: "all-apis offline_access",
            redirect: { kind: "deepLink" },
            accountId: null,
            defaultWarehouseId: null,
            pinnedSpaces: [],
          },
          secretLeftBehind: true,
        },
      ],
      skipped: [{ section: "azure", reason: "Its auth_type azure-cli is not one Brickdesk supports." }],
    } satisfies ImportReport);
    renderOpen(vi.fn(), { onImport });
    fireEvent.click(screen.getByTestId("import-databrickscfg"));
    const list = await screen.findByTestId("import-list");
    expect(list.textContent).toContain("Its secret stays in that file");
    expect(list.textContent).toContain("azure: Its auth_type azure-cli");
    fireEvent.click(screen.getByRole("button", { name: /bot https:\/\/dbc-bot/ }));
    expect(screen.getByLabelText<HTMLInputElement>("Workspace URL").value).toBe("https://dbc-bot.cloud.databricks.com");
    expect(screen.getByLabelText<HTMLSelectElement>("Sign in with").value).toBe("servicePrincipal");
    expect(screen.getByLabelText<HTMLInputElement>("Client ID").value).toBe("kpi-bot");
    expect(screen.getByLabelText<HTMLInputElement>("Client secret").value).toBe("");
  });

  it("keeps the workspace of a host that serves several in the address it fills in", async () => {
    const profile: ImportReport["candidates"][number]["profile"] = {
      id: "cfg-spog",
      name: "spog",
      host: "https://acme.cloud.databricks.com",
      auth: { kind: "databricksCli" },
      scopes: "all-apis offline_access",
      redirect: { kind: "deepLink" },
      accountId: "acct-1",
      workspaceId: "1111",
      defaultWarehouseId: null,
      pinnedSpaces: [],
    };
    const onImport = vi.fn().mockResolvedValue({
      candidates: [{ section: "spog", profile, secretLeftBehind: false }],
      skipped: [],
    } satisfies ImportReport);
    renderOpen(vi.fn(), { onImport });
    fireEvent.click(screen.getByTestId("import-databrickscfg"));
    fireEvent.click(await screen.findByRole("button", { name: /spog https:\/\/acme/ }));
    expect(screen.getByLabelText<HTMLInputElement>("Workspace URL").value).toBe("https://acme.cloud.databricks.com/?o=1111");
  });

  it("shows the app's message as an alert and stays open when adding fails", async () => {
    const message = "Workspace URLs must start with https://.";
    const onAdd = vi.fn().mockRejectedValue(new AppError("invalid_input", message));
    const onClose = renderOpen(onAdd);
    fill("Workspace URL", "http://example.com");
    submit();
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
    const onClose = renderOpen(vi.fn());
    fireEvent.click(screen.getByRole("button", { name: "Cancel" }));
    expect(onClose).toHaveBeenCalledOnce();
  });
});
