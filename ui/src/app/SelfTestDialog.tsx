// "Test connection": the network self-test for the active workspace, one green or red line per
// check as it completes, each red line with what to do, and the report to copy or save for a
// helpdesk. The checks run in Rust; this only shows them.
import { useEffect, useRef, useState } from "preact/hooks";
import { toAppError, type AppError, type CheckLine, type SelfTestReport, type WorkspaceSummary } from "../platform";

export interface SelfTestActions {
  run: (workspaceId: string, onLine: (line: CheckLine) => void) => Promise<SelfTestReport>;
  copy: (text: string) => Promise<unknown>;
  /** The saved file's path, or null when the user cancelled. */
  save: (text: string) => Promise<string | null>;
}

interface Props {
  /** The workspace to test; the dialog is open while it is set. */
  workspace: WorkspaceSummary | undefined;
  onClose: () => void;
  actions: SelfTestActions;
}

const MARK = { pass: "✓", fail: "✕", skipped: "–" } as const;
const SAID = { pass: "Passed", fail: "Failed", skipped: "Not checked" } as const;

export function SelfTestDialog({ workspace, onClose, actions }: Props) {
  const dialogRef = useRef<HTMLDialogElement>(null);
  const [lines, setLines] = useState<CheckLine[]>([]);
  const [report, setReport] = useState<SelfTestReport | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  const [told, setTold] = useState<string | null>(null);
  const runs = useRef(0);
  const open = workspace !== undefined;

  const start = (id: string) => {
    const run = ++runs.current;
    setLines([]);
    setReport(null);
    setError(null);
    setTold(null);
    // A line from an earlier run (Run again pressed mid-test) is dropped.
    actions
      .run(id, (line) => run === runs.current && setLines((shown) => [...shown, line]))
      .then((done) => {
        if (run !== runs.current) return;
        setLines(done.lines);
        setReport(done);
      })
      .catch((caught) => run === runs.current && setError(toAppError(caught)));
  };

  useEffect(() => {
    const dialog = dialogRef.current;
    if (!dialog) return;
    if (open && !dialog.open) {
      dialog.showModal();
      start(workspace.id);
    } else if (!open && dialog.open) {
      runs.current++;
      dialog.close();
      document.querySelector<HTMLElement>("[data-testid=account-button]")?.focus();
    }
    // Only opening and closing start or stop a run; a changed workspace object does not.
  }, [open]);

  const tell = (action: Promise<string | null>) => {
    setTold(null);
    action.then(setTold, (caught) => setError(toAppError(caught)));
  };
  const failed = lines.filter((l) => l.outcome === "fail").length;
  const skipped = lines.filter((l) => l.outcome === "skipped").length;
  const notChecked = skipped === 0 ? "" : ` ${skipped} could not be checked.`;

  return (
    <dialog
      ref={dialogRef}
      class="dialog self-test"
      aria-labelledby="self-test-title"
      data-testid="self-test"
      data-phase={report ? "done" : error ? "error" : "running"}
      onCancel={(event) => {
        event.preventDefault();
        onClose();
      }}
    >
      {workspace && (
        <form method="dialog" onSubmit={(event) => event.preventDefault()}>
          <h2 id="self-test-title">Test connection</h2>
          <p class="muted settings-host">
            {workspace.name} · {workspace.host}
          </p>
          <ul class="self-test-lines" aria-live="polite">
            {lines.map((line) => (
              <li key={line.kind} data-testid="self-test-line" data-kind={line.kind} data-outcome={line.outcome}>
                <span class="self-test-mark" aria-label={SAID[line.outcome]} role="img">
                  {MARK[line.outcome]}
                </span>
                <div>
                  <strong>{line.title}</strong>
                  <p>{line.detail}</p>
                  {line.fix && <p class="self-test-fix">What to do: {line.fix}</p>}
                </div>
              </li>
            ))}
          </ul>
          {!report && !error && <p class="muted">Testing…</p>}
          {report && (
            <p data-testid="self-test-summary">
              {failed === 0 ? "No check failed." : `${failed} of ${lines.length} checks failed.`}
              {notChecked}
            </p>
          )}
          {error && (
            <p class="field-error" role="alert">
              {error.message}
            </p>
          )}
          {told && (
            <p class="muted" role="status" data-testid="self-test-told">
              {told}
            </p>
          )}
          <div class="dialog-actions">
            <button
              type="button"
              class="ghost"
              data-testid="self-test-copy"
              disabled={!report}
              onClick={() => report && tell(actions.copy(report.text).then(() => "Copied. Paste it into your helpdesk ticket."))}
            >
              Copy for helpdesk
            </button>
            <button
              type="button"
              class="ghost"
              data-testid="self-test-save"
              disabled={!report}
              onClick={() => report && tell(actions.save(report.text).then((path) => (path ? `Saved to ${path}` : null)))}
            >
              Save…
            </button>
            <span class="spacer" />
            <button type="button" class="ghost" data-testid="self-test-again" disabled={!report && !error} onClick={() => start(workspace.id)}>
              Run again
            </button>
            <button type="button" class="primary" data-testid="self-test-close" onClick={onClose}>
              Close
            </button>
          </div>
        </form>
      )}
    </dialog>
  );
}
