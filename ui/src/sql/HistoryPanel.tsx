// The workspace's saved queries and statement history, side by side in one panel. History:
// search by text, open a statement in a new tab with its parameters, run it again, or delete
// it. Kept by Rust in the local database.
import { useEffect, useState } from "preact/hooks";
import { deleteHistoryEntry, sqlHistory, toAppError, type AppError, type HistoryEntry, type NewSavedQuery, type SavedQuery } from "../platform";
import { SavedQueries } from "./SavedQueries";
import { formatCount, formatDateTime } from "../app/locale";

interface Props {
  workspaceId: string;
  /** Warehouse names by id (an entry's warehouse may be gone: its id is shown then). */
  warehouseNames: Record<string, string>;
  /** Bumped after each run so the list shows it. */
  revision: number;
  onOpen: (entry: HistoryEntry, run: boolean) => void;
  /** The current tab, for "Save". */
  current: NewSavedQuery;
  onOpenSaved: (query: SavedQuery, run: boolean) => void;
  onClose: () => void;
}

const STATUS: Record<HistoryEntry["status"], string> = {
  succeeded: "Succeeded",
  failed: "Failed",
  cancelled: "Cancelled",
};

export function HistoryPanel({ workspaceId, warehouseNames, revision, onOpen, current, onOpenSaved, onClose }: Props) {
  const [list, setList] = useState<"saved" | "history">("history");
  const [query, setQuery] = useState("");
  const [entries, setEntries] = useState<HistoryEntry[] | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  const [deleted, setDeleted] = useState(0);

  useEffect(() => {
    const timer = setTimeout(() => {
      sqlHistory(workspaceId, query).then(
        (found) => {
          setEntries(found);
          setError(null);
        },
        (e) => setError(toAppError(e)),
      );
    }, 150);
    return () => clearTimeout(timer);
  }, [workspaceId, query, revision, deleted]);

  return (
    <aside class="history-panel" aria-label="History" data-testid="history-panel">
      <div class="history-head">
        <div class="segmented" role="group" aria-label="Show">
          <button type="button" aria-pressed={list === "saved"} data-testid="show-saved" onClick={() => setList("saved")}>
            Saved
          </button>
          <button type="button" aria-pressed={list === "history"} data-testid="show-history" onClick={() => setList("history")}>
            History
          </button>
        </div>
        <span class="spacer" />
        <button type="button" class="ghost" onClick={onClose} aria-label="Close history">
          ×
        </button>
      </div>
      {list === "saved" ? (
        <SavedQueries workspaceId={workspaceId} current={current} warehouseNames={warehouseNames} onOpen={onOpenSaved} />
      ) : (
        <>
      <input
        type="search"
        placeholder="Search statements"
        aria-label="Search history"
        data-testid="history-search"
        value={query}
        onInput={(event) => setQuery(event.currentTarget.value)}
      />
      {error && (
        <p class="field-error" role="alert">
          {error.message}
        </p>
      )}
      {entries?.length === 0 && <p class="muted">{query ? "No statement matches." : "Statements you run appear here."}</p>}
      <ul class="history-list">
        {entries?.map((entry) => (
          <li key={entry.id} data-testid="history-entry" data-status={entry.status}>
            <code title={entry.statement}>{entry.statement}</code>
            <div class="muted history-meta">
              {formatDateTime(new Date(entry.startedAt))} · {warehouseNames[entry.warehouseId] ?? entry.warehouseId} ·{" "}
              {STATUS[entry.status]}
              {entry.rowCount !== null && ` · ${formatCount(entry.rowCount)} rows`} · {(entry.durationMs / 1000).toFixed(1)} s
              {entry.parameters.length > 0 && ` · ${entry.parameters.map((p) => `:${p.name}=${p.value ?? "NULL"}`).join(", ")}`}
            </div>
            {entry.error && <div class="field-error history-error">{entry.error}</div>}
            <div class="history-actions">
              <button type="button" class="ghost" data-testid="history-open" onClick={() => onOpen(entry, false)}>
                Open
              </button>
              <button type="button" class="ghost" data-testid="history-rerun" onClick={() => onOpen(entry, true)}>
                Run again
              </button>
              <button
                type="button"
                class="ghost"
                aria-label="Delete from history"
                onClick={() => deleteHistoryEntry(entry.id).then(() => setDeleted((n) => n + 1), (e) => setError(toAppError(e)))}
              >
                Delete
              </button>
            </div>
          </li>
        ))}
      </ul>
        </>
      )}
    </aside>
  );
}
