// "Workspace settings" for the active workspace: rename, what Brickdesk may use (SQL only, or
// everything; OAuth sign-ins), how the browser returns to Brickdesk (app connections only),
// move up or down, remove (with a confirmation). Workspaces set up by IT are shown read-only.
import { useEffect, useRef, useState } from "preact/hooks";
import { AppError, toAppError, type Access, type WorkspaceList, type WorkspaceSummary } from "../platform";

export interface SettingsActions {
  rename: (id: string, name: string) => Promise<void>;
  setLoopback: (id: string, port: number | null) => Promise<void>;
  /** Signs the workspace out: its tokens carry the old access. */
  setAccess: (id: string, access: Access) => Promise<void>;
  reorder: (ids: string[]) => Promise<void>;
  remove: (id: string) => Promise<void>;
}

interface Props {
  workspace: WorkspaceSummary | undefined;
  list: WorkspaceList;
  onClose: () => void;
  actions: SettingsActions;
}

/** The ids with `id` moved one place up (-1) or down (+1) among the user's own workspaces. */
export function moved(list: WorkspaceList, id: string, by: -1 | 1): string[] | null {
  const ids = list.workspaces.filter((w) => !w.managed).map((w) => w.id);
  const from = ids.indexOf(id);
  const to = from + by;
  if (from < 0 || to < 0 || to >= ids.length) return null;
  [ids[from], ids[to]] = [ids[to], ids[from]];
  return ids;
}

export function WorkspaceSettingsDialog({ workspace, list, onClose, actions }: Props) {
  const dialogRef = useRef<HTMLDialogElement>(null);
  const [name, setName] = useState("");
  const [port, setPort] = useState("");
  const [access, setAccess] = useState<Access>("everything");
  const [confirmRemove, setConfirmRemove] = useState(false);
  const [error, setError] = useState<AppError | null>(null);
  const open = workspace !== undefined;

  useEffect(() => {
    const dialog = dialogRef.current;
    if (!dialog) return;
    if (open && !dialog.open) {
      setName(workspace.name);
      setPort(workspace.redirect.kind === "loopback" ? String(workspace.redirect.port) : "");
      setAccess(workspace.access);
      setConfirmRemove(false);
      setError(null);
      dialog.showModal();
    } else if (!open && dialog.open) {
      dialog.close();
      document.querySelector<HTMLElement>("[data-testid=account-button]")?.focus();
    }
  }, [open, workspace]);

  const run = async (action: () => Promise<void>, close = false) => {
    setError(null);
    try {
      await action();
      if (close) onClose();
    } catch (caught) {
      setError(toAppError(caught));
    }
  };

  const locked = workspace?.managed ?? false;
  const isApp = workspace?.auth.kind === "appConnection";
  const usesOAuth = workspace !== undefined && workspace.auth.kind !== "personalAccessToken";
  const up = workspace && moved(list, workspace.id, -1);
  const down = workspace && moved(list, workspace.id, 1);

  const save = (event: Event) => {
    event.preventDefault();
    if (!workspace) return;
    void run(async () => {
      if (name.trim() !== workspace.name) await actions.rename(workspace.id, name);
      if (isApp) {
        const wanted = port.trim() === "" ? null : Number(port);
        if (wanted !== null && (!Number.isInteger(wanted) || wanted < 1024 || wanted > 65535)) {
          throw new AppError("invalid_input", "Enter a port between 1024 and 65535, or leave it empty to use a Brickdesk link.");
        }
        const current = workspace.redirect.kind === "loopback" ? workspace.redirect.port : null;
        if (wanted !== current) await actions.setLoopback(workspace.id, wanted);
      }
      if (usesOAuth && access !== workspace.access) await actions.setAccess(workspace.id, access);
    }, true);
  };

  return (
    <dialog
      ref={dialogRef}
      class="dialog"
      aria-labelledby="workspace-settings-title"
      data-testid="workspace-settings"
      onCancel={(event) => {
        event.preventDefault();
        onClose();
      }}
    >
      {workspace && (
        <form onSubmit={save} noValidate>
          <h2 id="workspace-settings-title">Workspace settings</h2>
          {locked && <p class="muted">Your IT department manages this workspace, so it cannot be changed here.</p>}
          <label>
            Name
            <input
              name="name"
              type="text"
              maxLength={80}
              value={name}
              disabled={locked}
              onInput={(event) => setName(event.currentTarget.value)}
            />
          </label>
          <p class="muted settings-host">{workspace.location}</p>
          {usesOAuth && (
            <label>
              What Brickdesk may use
              <select
                name="access"
                data-testid="access-select"
                value={access}
                disabled={locked}
                onChange={(event) => setAccess(event.currentTarget.value as Access)}
              >
                <option value="everything">Everything: SQL and Genie (the “all-apis” scope)</option>
                <option value="sqlOnly">SQL only (the “sql” scope; Genie stays off)</option>
              </select>
              {access !== workspace.access && (
                <span class="muted">Saving signs you out of this workspace; sign in again to use the new access.</span>
              )}
            </label>
          )}
          {isApp && (
            <label>
              Local port for signing in (only if your sign-in service refuses Brickdesk links)
              <input
                name="port"
                type="text"
                inputMode="numeric"
                placeholder="Use a Brickdesk link"
                value={port}
                disabled={locked}
                onInput={(event) => setPort(event.currentTarget.value)}
              />
            </label>
          )}
          {!locked && (
            <div class="settings-order">
              <button type="button" class="ghost" disabled={!up} onClick={() => up && run(() => actions.reorder(up))}>
                Move up
              </button>
              <button type="button" class="ghost" disabled={!down} onClick={() => down && run(() => actions.reorder(down))}>
                Move down
              </button>
            </div>
          )}
          {error && (
            <p class="field-error" role="alert">
              {error.message}
            </p>
          )}
          {confirmRemove ? (
            <div class="confirm" role="group" aria-label="Confirm removal">
              <p>
                Remove <strong>{workspace.name}</strong>? Brickdesk signs out of it and deletes its saved sign-in. Your
                data in Databricks is not touched.
              </p>
              <div class="dialog-actions">
                <button type="button" class="ghost" onClick={() => setConfirmRemove(false)}>
                  Keep it
                </button>
                <button
                  type="button"
                  class="danger"
                  data-testid="confirm-remove"
                  onClick={() => run(() => actions.remove(workspace.id), true)}
                >
                  Remove
                </button>
              </div>
            </div>
          ) : (
            <div class="dialog-actions">
              {!locked && (
                <button type="button" class="ghost danger-text" data-testid="remove-workspace" onClick={() => setConfirmRemove(true)}>
                  Remove workspace…
                </button>
              )}
              <span class="spacer" />
              <button type="button" class="ghost" onClick={onClose}>
                Close
              </button>
              {!locked && (
                <button type="submit" class="primary">
                  Save
                </button>
              )}
            </div>
          )}
        </form>
      )}
    </dialog>
  );
}
