// The provenance of a Genie answer: who asked, on which workspace and warehouse, which
// statement, when, how long, how many rows, and the agent's page in Databricks.
import type { Answer } from "../platform";
import type { ProvenanceFacts } from "../app/Provenance";

/** Who asks, where: the parts of an answer's provenance that are not in the answer. */
export interface AnswerSource {
  who: string | null;
  workspace: string;
  /** The workspace's address, for "Open in Databricks". */
  host: string;
  /** The space's warehouse, by name when it is known. */
  warehouse: string | null;
}

/** The provenance of `answer`. Only the space has a documented web address
 * (`https://<host>/genie/rooms/<space_id>`, as the Databricks CLI builds it); a conversation's
 * has none, so the link opens the agent. */
export function answerFacts(answer: Answer, source: AnswerSource): ProvenanceFacts {
  const query = answer.query;
  const created = answer.createdAtMs !== null && answer.createdAtMs > 0 ? answer.createdAtMs : null;
  const updated = answer.updatedAtMs ?? null;
  return {
    who: source.who,
    workspace: source.workspace,
    warehouse: source.warehouse,
    statementId: query?.statementId ?? null,
    atMs: updated ?? created,
    durationMs: created !== null && updated !== null ? updated - created : null,
    shownRows: query?.result?.loadedRows ?? null,
    totalRows: query?.totalRows ?? query?.result?.totalRows ?? null,
    truncated: query?.truncated ?? false,
    link: {
      label: "Open the agent in Databricks",
      url: `${source.host.replace(/\/+$/, "")}/genie/rooms/${encodeURIComponent(answer.spaceId)}`,
    },
  };
}
