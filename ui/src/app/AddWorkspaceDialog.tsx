// "Add a workspace": a modal dialog asking for a name and the workspace URL.
import { useEffect, useRef, useState } from "preact/hooks";
import { AppError, toAppError } from "../platform";

/** Focus the opener; if it is gone (the empty state's button is replaced once a workspace
 *  exists), the "Add workspace" button that took its place. */
function restoreFocus(opener: HTMLElement | null) {
  const target = opener?.isConnected
    ? opener
    : document.querySelector<HTMLElement>("[data-testid=add-workspace]");
  target?.focus();
}

interface Props {
  open: boolean;
  onClose: () => void;
  /** Adds the workspace; rejects with an AppError whose message is shown to the user. */
  onAdd: (name: string, host: string) => Promise<void>;
}

export function AddWorkspaceDialog({ open, onClose, onAdd }: Props) {
  const dialogRef = useRef<HTMLDialogElement>(null);
  const nameRef = useRef<HTMLInputElement>(null);
  const formRef = useRef<HTMLFormElement>(null);
  const openerRef = useRef<HTMLElement | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  const [busy, setBusy] = useState(false);

  // Native modal dialog: showModal() traps focus and makes the rest inert; Escape fires "cancel".
  // Focus starts in the first field and goes back to whatever opened the dialog.
  useEffect(() => {
    const dialog = dialogRef.current;
    if (!dialog) return;
    if (open && !dialog.open) {
      openerRef.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
      setError(null);
      formRef.current?.reset();
      dialog.showModal();
      nameRef.current?.focus();
    } else if (!open && dialog.open) {
      dialog.close();
      restoreFocus(openerRef.current);
      openerRef.current = null;
    }
  }, [open]);

  const submit = async (event: Event) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    setBusy(true);
    try {
      await onAdd(String(data.get("name") ?? ""), String(data.get("host") ?? ""));
      form.reset();
      setError(null);
      onClose();
    } catch (caught) {
      setError(toAppError(caught));
    } finally {
      setBusy(false);
    }
  };

  return (
    <dialog
      ref={dialogRef}
      class="dialog"
      aria-labelledby="add-workspace-title"
      onCancel={(event) => {
        event.preventDefault();
        onClose();
      }}
    >
      <form ref={formRef} onSubmit={submit}>
        <h2 id="add-workspace-title">Add a workspace</h2>
        <p class="muted">Paste the address of your Databricks workspace, as you see it in your browser.</p>
        <label>
          Name
          <input ref={nameRef} name="name" type="text" placeholder="Finance" maxLength={80} autoComplete="off" />
        </label>
        <label>
          Workspace URL
          <input
            name="host"
            type="text"
            inputMode="url"
            spellcheck={false}
            placeholder="https://dbc-1234.cloud.databricks.com"
            autoComplete="off"
            aria-invalid={error ? "true" : undefined}
            aria-describedby={error ? "add-workspace-error" : undefined}
          />
        </label>
        {error && (
          <p id="add-workspace-error" class="field-error" role="alert">
            {error.message}
          </p>
        )}
        <div class="dialog-actions">
          <button type="button" class="ghost" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" class="primary" disabled={busy}>
            Add workspace
          </button>
        </div>
      </form>
    </dialog>
  );
}
