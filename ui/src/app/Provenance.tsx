// Where an answer or a result came from, in one line that opens into the details: who ran it,
// on which workspace and warehouse, the statement id, when, how long it took, how many rows
// are shown of how many, and whether it was cut. The same facts as text go with a copied
// answer, so a figure pasted into a mail can be traced back.
import { useState } from "preact/hooks";
import { openLink, toAppError } from "../platform";
import { formatCount, formatDateTime, formatNumber } from "./locale";

export interface ProvenanceFacts {
  /** The signed-in identity that ran it. */
  who: string | null;
  workspace: string;
  warehouse: string | null;
  statementId: string | null;
  /** When it finished (ms since the epoch). */
  atMs: number | null;
  durationMs: number | null;
  shownRows: number | null;
  totalRows: number | null;
  truncated: boolean;
  /** A documented page in the Databricks web UI for it, if there is one. */
  link: { label: string; url: string } | null;
}

const when = (ms: number) => formatDateTime(ms);
const seconds = (ms: number) => `${formatNumber(ms / 1000, 1)} s`;

function rows(facts: ProvenanceFacts): string | null {
  if (facts.shownRows === null) return null;
  const shown = formatCount(facts.shownRows);
  const total = facts.totalRows ?? facts.shownRows;
  return total > facts.shownRows ? `${shown} of ${formatCount(total)} rows` : `${shown} ${facts.shownRows === 1 ? "row" : "rows"}`;
}

/** The facts in reading order, each as [label, value]. */
export function provenanceFacts(facts: ProvenanceFacts): Array<[string, string]> {
  const list: Array<[string, string | null]> = [
    ["Run by", facts.who],
    ["Workspace", facts.workspace],
    ["Warehouse", facts.warehouse],
    ["When", facts.atMs !== null ? when(facts.atMs) : null],
    ["Took", facts.durationMs !== null && facts.durationMs >= 0 ? seconds(facts.durationMs) : null],
    ["Rows", rows(facts)],
    ["Complete", facts.truncated ? "No — the result was cut; not every row is here" : facts.shownRows !== null ? "Yes" : null],
    ["Statement id", facts.statementId],
  ];
  return list.filter((fact): fact is [string, string] => fact[1] !== null && fact[1] !== "");
}

/** The facts as plain text lines, for the clipboard. */
export function provenanceText(facts: ProvenanceFacts): string {
  return provenanceFacts(facts)
    .map(([label, value]) => `${label}: ${value}`)
    .join("\n");
}

export function Provenance({ facts }: { facts: ProvenanceFacts }) {
  const [error, setError] = useState<string | null>(null);
  const summary = [facts.who, facts.warehouse, facts.atMs !== null ? when(facts.atMs) : null, rows(facts), facts.truncated ? "truncated" : null]
    .filter(Boolean)
    .join(" · ");
  return (
    <details class="provenance" data-testid="provenance">
      <summary>
        <span class="muted">Source:</span> {summary || facts.workspace}
      </summary>
      <dl>
        {provenanceFacts(facts).map(([label, value]) => (
          <div key={label} class="provenance-fact">
            <dt>{label}</dt>
            <dd data-testid={label === "Statement id" ? "provenance-statement" : undefined}>
              {label === "Statement id" ? <code>{value}</code> : value}
            </dd>
          </div>
        ))}
      </dl>
      <div class="provenance-actions">
        {facts.statementId && (
          <button type="button" class="ghost" onClick={() => void navigator.clipboard?.writeText(facts.statementId ?? "")}>
            Copy statement id
          </button>
        )}
        {facts.link && (
          <button
            type="button"
            class="ghost"
            data-testid="open-in-databricks"
            onClick={() => void openLink(facts.link?.url ?? "").catch((e) => setError(toAppError(e).message))}
          >
            {facts.link.label}
          </button>
        )}
      </div>
      {error && (
        <p class="field-error" role="alert">
          {error}
        </p>
      )}
    </details>
  );
}
