// "Add a workspace": a modal dialog for the URL, how to sign in, and (for organisations that
// use the Databricks CLI) an import of its profiles. Shows discovery progress while Rust checks
// the workspace.
import { useEffect, useRef, useState } from "preact/hooks";
import { AppError, toAppError, type DiscoveryStep, type ImportReport, type NewWorkspace } from "../platform";
import {
  EMPTY_DRAFT,
  METHOD_LABELS,
  STEP_TEXT,
  fromCandidate,
  isProblem,
  toNewWorkspace,
  type Draft,
  type Method,
  type Problem,
} from "./newWorkspace";

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
  /** False when IT forbids personal access tokens. */
  canUseTokens?: boolean;
  onClose: () => void;
  /** Adds the workspace, reporting discovery steps; rejects with an AppError to show. */
  onAdd: (workspace: NewWorkspace, onProgress: (step: DiscoveryStep) => void) => Promise<void>;
  /** Reads ~/.databrickscfg; rejects with an AppError to show. */
  onImport: () => Promise<ImportReport>;
}

export function AddWorkspaceDialog({ open, canUseTokens = true, onClose, onAdd, onImport }: Props) {
  const dialogRef = useRef<HTMLDialogElement>(null);
  const nameRef = useRef<HTMLInputElement>(null);
  const openerRef = useRef<HTMLElement | null>(null);
  const [draft, setDraft] = useState<Draft>(EMPTY_DRAFT);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  const [step, setStep] = useState<DiscoveryStep | null>(null);
  const [busy, setBusy] = useState(false);
  const [imported, setImported] = useState<ImportReport | null>(null);

  // Native modal dialog: showModal() traps focus and makes the rest inert; Escape fires "cancel".
  // Focus starts in the first field and goes back to whatever opened the dialog.
  useEffect(() => {
    const dialog = dialogRef.current;
    if (!dialog) return;
    if (open && !dialog.open) {
      openerRef.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
      setDraft(EMPTY_DRAFT);
      setProblem(null);
      setError(null);
      setStep(null);
      setImported(null);
      dialog.showModal();
      nameRef.current?.focus();
    } else if (!open && dialog.open) {
      dialog.close();
      restoreFocus(openerRef.current);
      openerRef.current = null;
    }
  }, [open]);

  const edit = (fields: Partial<Draft>) => {
    setDraft((current) => ({ ...current, ...fields }));
    setProblem(null);
  };
  const text = (field: keyof Draft) => (event: Event) =>
    edit({ [field]: (event.currentTarget as HTMLInputElement).value } as Partial<Draft>);

  const submit = async (event: Event) => {
    event.preventDefault();
    const request = toNewWorkspace(draft);
    if (isProblem(request)) {
      setProblem(request);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await onAdd(request, setStep);
      onClose();
    } catch (caught) {
      setError(toAppError(caught));
      setStep(null);
    } finally {
      setBusy(false);
    }
  };

  const importProfiles = async () => {
    setError(null);
    try {
      setImported(await onImport());
    } catch (caught) {
      setError(toAppError(caught));
    }
  };

  const methods = (Object.keys(METHOD_LABELS) as Method[]).filter((m) => m !== "token" || canUseTokens);
  const invalid = (field: Problem["field"]) => (problem?.field === field ? "true" : undefined);
  const describedBy = (field: Problem["field"]) => (problem?.field === field ? "add-workspace-problem" : undefined);
  const message = problem?.message ?? error?.message;
  const needsClientId = draft.method === "appConnection" || draft.method === "servicePrincipal";
  const needsSecret = draft.method !== "browser";

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
      <form onSubmit={submit} noValidate>
        <h2 id="add-workspace-title">Add a workspace</h2>
        <p class="muted">Paste the address of your Databricks workspace, as you see it in your browser.</p>
        <label>
          Name
          <input
            ref={nameRef}
            name="name"
            type="text"
            placeholder="Finance"
            maxLength={80}
            autoComplete="off"
            value={draft.name}
            onInput={text("name")}
          />
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
            value={draft.host}
            onInput={text("host")}
            aria-invalid={invalid("host") ?? (error ? "true" : undefined)}
            aria-describedby={describedBy("host") ?? (error ? "add-workspace-problem" : undefined)}
          />
        </label>
        <label>
          Sign in with
          <select
            name="method"
            value={draft.method}
            onChange={(event) => edit({ method: event.currentTarget.value as Method, secret: "" })}
          >
            {methods.map((method) => (
              <option key={method} value={method}>
                {METHOD_LABELS[method]}
              </option>
            ))}
          </select>
        </label>
        {needsClientId && (
          <label>
            Client ID
            <input
              name="clientId"
              type="text"
              spellcheck={false}
              autoComplete="off"
              value={draft.clientId}
              onInput={text("clientId")}
              aria-invalid={invalid("clientId")}
              aria-describedby={describedBy("clientId")}
            />
          </label>
        )}
        {needsSecret && (
          <label>
            {draft.method === "token"
              ? "Personal access token"
              : draft.method === "appConnection"
                ? "Client secret (only if your app connection has one)"
                : "Client secret"}
            <input
              name="secret"
              type="password"
              autoComplete="off"
              value={draft.secret}
              onInput={text("secret")}
              aria-invalid={invalid("secret")}
              aria-describedby={describedBy("secret")}
            />
          </label>
        )}
        {needsClientId && (
          <label>
            What Brickdesk may use
            <select
              name="access"
              data-testid="new-access-select"
              value={draft.access}
              onChange={(event) => edit({ access: event.currentTarget.value as Draft["access"] })}
            >
              <option value="everything">Everything: SQL and Genie (the “all-apis” scope)</option>
              <option value="sqlOnly">SQL only (the “sql” scope; Genie stays off)</option>
            </select>
          </label>
        )}
        {draft.method === "appConnection" && (
          <fieldset class="redirect-choice">
            <legend>Return to Brickdesk through</legend>
            <label class="inline">
              <input
                type="radio"
                name="redirect"
                value="deepLink"
                checked={draft.redirect === "deepLink"}
                onChange={() => edit({ redirect: "deepLink" })}
              />
              A Brickdesk link (recommended)
            </label>
            <label class="inline">
              <input
                type="radio"
                name="redirect"
                value="loopback"
                checked={draft.redirect === "loopback"}
                onChange={() => edit({ redirect: "loopback" })}
              />
              A local port, for sign-in services that refuse app links
            </label>
            {draft.redirect === "loopback" && (
              <label>
                Port
                <input
                  name="port"
                  type="text"
                  inputMode="numeric"
                  value={draft.port}
                  onInput={text("port")}
                  aria-invalid={invalid("port")}
                  aria-describedby={describedBy("port")}
                />
              </label>
            )}
          </fieldset>
        )}
        {message && (
          <p id="add-workspace-problem" class="field-error" role="alert">
            {message}
          </p>
        )}
        {busy && step && (
          <p class="muted" role="status" data-testid="discovery-step">
            {STEP_TEXT[step]}
          </p>
        )}
        {imported && (
          <div class="import-list" data-testid="import-list">
            {imported.candidates.length === 0 && <p class="muted">No workspace in that file can be imported.</p>}
            <ul>
              {imported.candidates.map((candidate) => (
                <li key={candidate.section}>
                  <button
                    type="button"
                    class="ghost"
                    onClick={() => {
                      setDraft(fromCandidate(candidate));
                      setImported(null);
                    }}
                  >
                    <strong>{candidate.section}</strong> {candidate.profile.host}
                  </button>
                  {candidate.secretLeftBehind && (
                    <span class="muted"> Its secret stays in that file: enter it here, or sign in with the browser.</span>
                  )}
                </li>
              ))}
            </ul>
            {imported.skipped.map((skipped) => (
              <p key={skipped.section} class="muted">
                {skipped.section}: {skipped.reason}
              </p>
            ))}
          </div>
        )}
        <div class="dialog-actions">
          <button type="button" class="ghost import-button" data-testid="import-databrickscfg" onClick={importProfiles}>
            Import from Databricks CLI…
          </button>
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
