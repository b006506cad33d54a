// "Add a workspace": a modal dialog asking for a name and the workspace URL.
import { useEffect, useRef, useState } from "preact/hooks";
import { AppError, toAppError } from "../platform";

interface Props {
  open: boolean;
  onClose: () => void;
  /** Adds the workspace; rejects with an AppError whose message is shown to the user. */
  onAdd: (name: string, host: string) => Promise<void>;
}

export function AddWorkspaceDialog({ open, onClose, onAdd }: Props) {
  const dialogRef = useRef<HTMLDialogElement>(null);
  const nameRef = useRef<HTMLInputElement>(null);
  const [error, setError] = useState<AppError | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    const dialog = dialogRef.current;
    if (!dialog) return;
    if (open && !dialog.open) {
      setError(null);
      dialog.showModal();
      nameRef.current?.focus();
    } else if (!open && dialog.open) {
      dialog.close();
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
      <form onSubmit={submit}>
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
