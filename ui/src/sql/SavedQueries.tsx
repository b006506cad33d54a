// The workspace's saved queries: save the current tab under a name (replacing a query of
// that name, after saying so), and open, run or delete one. Kept by Rust in the local database.
import { useEffect, useState } from "preact/hooks";
import { deleteSavedQuery, saveQuery, savedQueries, toAppError, type AppError, type NewSavedQuery, type SavedQuery } from "../platform";
import { formatDateTime } from "../app/locale";

interface Props {
  workspaceId: string;
  /** What "Save" saves: the current tab, named after it until the user renames it. */
  current: NewSavedQuery;
  warehouseNames: Record<string, string>;
  onOpen: (query: SavedQuery, run: boolean) => void;
}

export function SavedQueries({ workspaceId, current, warehouseNames, onOpen }: Props) {
  const [queries, setQueries] = useState<SavedQuery[] | null>(null);
  const [name, setName] = useState<string | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  const [revision, setRevision] = useState(0);

  useEffect(() => {
    savedQueries(workspaceId).then(setQueries, (e) => setError(toAppError(e)));
  }, [workspaceId, revision]);

  const taken = name !== null && (queries ?? []).some((q) => q.name.toLowerCase() === name.trim().toLowerCase());
  const save = async (event: Event) => {
    event.preventDefault();
    if (name === null) return;
    try {
      await saveQuery(workspaceId, { ...current, name });
      setName(null);
      setError(null);
      setRevision((n) => n + 1);
    } catch (e) {
      setError(toAppError(e));
    }
  };

  return (
    <div class="saved-queries" data-testid="saved-queries">
      {name === null ? (
        <button type="button" class="ghost" data-testid="save-query" disabled={!current.statement.trim()} onClick={() => setName(current.name)}>
          Save this tab's query…
        </button>
      ) : (
        <form class="save-query-form" onSubmit={save}>
          <input
            aria-label="Name of the saved query"
            data-testid="save-query-name"
            value={name}
            maxLength={200}
            onInput={(event) => setName(event.currentTarget.value)}
          />
          <button type="submit" class="primary" data-testid="save-query-confirm" disabled={!name.trim()}>
            {taken ? "Replace" : "Save"}
          </button>
          <button type="button" class="ghost" onClick={() => setName(null)}>
            Cancel
          </button>
          {taken && <p class="muted">A saved query has this name; saving replaces it.</p>}
        </form>
      )}
      {error && (
        <p class="field-error" role="alert">
          {error.message}
        </p>
      )}
      {queries?.length === 0 && <p class="muted">Queries you save appear here, for this workspace.</p>}
      <ul class="history-list">
        {queries?.map((query) => (
          <li key={query.id} data-testid="saved-query">
            <strong>{query.name}</strong>
            <code title={query.statement}>{query.statement}</code>
            <div class="muted history-meta">
              Saved {formatDateTime(new Date(query.savedAt))}
              {query.warehouseId && ` · ${warehouseNames[query.warehouseId] ?? query.warehouseId}`}
              {query.parameters.length > 0 && ` · ${query.parameters.map((p) => `:${p.name}`).join(", ")}`}
            </div>
            <div class="history-actions">
              <button type="button" class="ghost" data-testid="saved-open" onClick={() => onOpen(query, false)}>
                Open
              </button>
              <button type="button" class="ghost" data-testid="saved-run" onClick={() => onOpen(query, true)}>
                Run
              </button>
              <button
                type="button"
                class="ghost"
                aria-label={`Delete the saved query ${query.name}`}
                onClick={() => deleteSavedQuery(query.id).then(() => setRevision((n) => n + 1), (e) => setError(toAppError(e)))}
              >
                Delete
              </button>
            </div>
          </li>
        ))}
      </ul>
    </div>
  );
}
