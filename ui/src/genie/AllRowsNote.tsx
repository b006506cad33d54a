// A capped answer says so and offers "Get all rows" (Genie's full download, or the answer's
// SQL run again, chosen in Rust); the rows' progress shows with Stop while they come, and the
// table, chart and exports switch to them once they are all in.
import { useState } from "preact/hooks";
import {
  cancelStatement,
  getAllRows,
  toAppError,
  type AllRows,
  type AllRowsSource,
  type AppError,
  type MessageRef,
  type QueryAnswer,
} from "../platform";
import { formatCount } from "../app/locale";

interface Props {
  workspaceId: string;
  message: MessageRef;
  query: QueryAnswer;
  /** How the rows were completed, once they were. */
  completed: AllRowsSource | null;
  onDone: (all: AllRows) => void;
}

const FROM: Record<AllRowsSource, string> = {
  download: "from Genie's full download",
  rerun: "from running the SQL again on the agent's warehouse",
};

interface Working {
  runId: number | null;
  loaded: number;
  total: number;
}

export function AllRowsNote({ workspaceId, message, query, completed, onDone }: Props) {
  const [working, setWorking] = useState<Working | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  const shown = query.result?.loadedRows ?? 0;

  if (completed && query.result) {
    return (
      <p class="muted" data-testid="genie-all-rows-done">
        All {formatCount(query.result.totalRows)} rows, {FROM[completed]}.
      </p>
    );
  }
  if (!query.truncated) return null;

  const start = async () => {
    setError(null);
    setWorking({ runId: null, loaded: 0, total: 0 });
    try {
      const all = await getAllRows(workspaceId, message, query.attachmentId, (event) => {
        if (event.kind === "started") setWorking((w) => w && { ...w, runId: event.data.runId });
        if (event.kind === "rows") setWorking((w) => w && { ...w, loaded: event.data.loadedRows, total: event.data.totalRows });
      });
      onDone(all);
    } catch (e) {
      const problem = toAppError(e);
      if (problem.code !== "cancelled") setError(problem);
    } finally {
      setWorking(null);
    }
  };

  return (
    <div class="genie-all-rows" data-testid="genie-truncated">
      <p class="muted">
        {query.result ? `Genie shows the first ${formatCount(shown)} rows of this answer, not all of them.` : "This answer does not hold all the rows."}
      </p>
      {working ? (
        <p class="muted" role="status" data-testid="genie-all-rows-progress">
          {working.total > 0
            ? `Getting all rows… ${formatCount(working.loaded)} of ${formatCount(working.total)}`
            : "Getting all rows… Genie is preparing them."}{" "}
          <button type="button" class="ghost" disabled={working.runId === null} onClick={() => working.runId !== null && void cancelStatement(working.runId)}>
            Stop
          </button>
        </p>
      ) : (
        <button type="button" class="ghost" data-testid="genie-get-all-rows" onClick={() => void start()}>
          Get all rows
        </button>
      )}
      {error && (
        <p class="field-error" role="alert" data-testid="genie-all-rows-error">
          {error.message}
        </p>
      )}
    </div>
  );
}
