// One streamed answer (Ask anything) or research report (Agent mode): the steps as they tick
// off, the text as it streams in (sanitized in Rust), its citations, the supporting tables in
// the same grid, chart and exports as any result, and Stop while it runs.
import { useEffect, useState } from "preact/hooks";
import { closeResult, stopGenieResponse, toAppError, type AppError, type Citation, type ResponseStep, type ResponseView } from "../platform";
import { copyText } from "../genie/AnswerCard";
import { LinkConfirm, useLinkConfirm } from "../app/LinkConfirm";
import { ResultPanel } from "../sql/ResultPanel";
import { isOver, statusText } from "./thread";

interface Props {
  view: ResponseView;
  /** "Ask anything", or "Agent mode · Sales" */
  label: string;
  onOpenInSql: (sql: string) => void;
}

function Step({ step, running }: { step: ResponseStep; running: boolean }) {
  const state = step.done ? "done" : running ? "current" : "stopped";
  const hasDetail = step.sql !== null || step.detailHtml !== null;
  return (
    <li class={`response-step ${state}`} data-testid="response-step" data-kind={step.kind} data-done={step.done ? "true" : "false"}>
      {hasDetail ? (
        <details>
          <summary>{step.title}</summary>
          {step.sql && (
            <pre>
              <code>{step.sql}</code>
            </pre>
          )}
          {/* Sanitized in Rust (genie::markdown): Markdown's own tags only. */}
          {step.detailHtml && <div class="genie-text" dangerouslySetInnerHTML={{ __html: step.detailHtml }} />}
        </details>
      ) : (
        <span>{step.title}</span>
      )}
    </li>
  );
}

function CitationItem({ citation, onOpen, onOpenInSql }: { citation: Citation; onOpen: (link: string) => void; onOpenInSql: (sql: string) => void }) {
  const kind = citation.assetType === "QUERY" ? "Query" : citation.assetType === "TABLE" ? "Table" : citation.assetType.toLowerCase();
  return (
    <li data-testid="response-citation" data-kind={citation.assetType}>
      {citation.number !== null && <span class="citation-number">[{citation.number}]</span>} <strong>{citation.title}</strong>{" "}
      <span class="badge">{kind}</span>
      {citation.identifier && citation.identifier !== citation.title && <code class="citation-id">{citation.identifier}</code>}
      {citation.sql && (
        <details>
          <summary>SQL</summary>
          <pre>
            <code>{citation.sql}</code>
          </pre>
          <button type="button" class="ghost" onClick={() => onOpenInSql(citation.sql ?? "")}>
            Open in SQL runner
          </button>
        </details>
      )}
      {citation.link && (
        <button type="button" class="ghost" onClick={() => onOpen(citation.link ?? "")}>
          Open in Databricks
        </button>
      )}
    </li>
  );
}

export function ResponseCard({ view, label, onOpenInSql }: Props) {
  const [error, setError] = useState<AppError | null>(null);
  const { link, setLink, onTextClick } = useLinkConfirm();
  const [stopping, setStopping] = useState(false);
  const over = isOver(view);
  const status = statusText(view);
  // The tables' rows live in Rust until the card goes.
  const runIds = view.tables.map((t) => t.runId).filter((id): id is number => id !== null);
  useEffect(() => () => runIds.forEach((id) => void closeResult(id)), [runIds.join(",")]);

  const stop = async () => {
    setStopping(true);
    try {
      await stopGenieResponse(view.id);
    } catch (e) {
      setError(toAppError(e));
    }
  };
  const plain = () => {
    const text = new DOMParser().parseFromString(view.textHtml, "text/html").body.textContent ?? "";
    const sources = view.citations.map((c) => `${c.number !== null ? `[${c.number}] ` : ""}${c.title}${c.identifier && c.identifier !== c.title ? ` (${c.identifier})` : ""}`);
    return [`Question: ${view.question}`, text.trim(), sources.length ? `Sources:\n${sources.join("\n")}` : ""].filter(Boolean).join("\n\n");
  };

  return (
    <article class="genie-turn response-card" data-testid="response-card" data-status={view.status} data-surface={view.surface.kind}>
      <p class="response-label muted">{label}</p>
      <p class="genie-question" data-testid="response-question">
        {view.question}
      </p>
      {view.steps.length > 0 && (
        <ol class="response-steps" data-testid="response-steps" aria-live="polite" aria-label="Steps">
          {view.steps.map((step) => (
            <Step key={step.id} step={step} running={!over} />
          ))}
        </ol>
      )}
      {status && (
        <p class="muted response-status" role="status" data-testid="response-status">
          <span class="spinner" aria-hidden="true" /> {status}
        </p>
      )}
      {view.textHtml && view.asksBack && (
        // A question back: marked as one, as in a Genie agent's answer; the reply goes in the box.
        <div class="genie-asks" data-testid="genie-asks">
          <p class="genie-asks-label">Genie asks</p>
          {/* eslint-disable-next-line jsx-a11y/click-events-have-key-events, jsx-a11y/no-static-element-interactions */}
          <div class="genie-text response-text" data-testid="response-text" onClick={onTextClick} dangerouslySetInnerHTML={{ __html: view.textHtml }} />
        </div>
      )}
      {view.textHtml && !view.asksBack && (
        // eslint-disable-next-line jsx-a11y/click-events-have-key-events, jsx-a11y/no-static-element-interactions
        <div
          class={`genie-text response-text${view.textStreaming ? " streaming" : ""}`}
          data-testid="response-text"
          aria-busy={view.textStreaming}
          onClick={onTextClick}
          dangerouslySetInnerHTML={{ __html: view.textHtml }}
        />
      )}
      <LinkConfirm link={link} onDone={() => setLink(null)} onError={setError} />
      {view.problem && (
        <p class={view.problem.code === "cancelled" ? "muted" : "field-error"} role="alert" data-testid="response-problem">
          {view.problem.message}
        </p>
      )}
      {view.citations.length > 0 && (
        <section class="response-citations" aria-label="Sources">
          <h3>Sources</h3>
          <ul data-testid="response-citations">
            {view.citations.map((c, i) => (
              <CitationItem key={i} citation={c} onOpen={setLink} onOpenInSql={onOpenInSql} />
            ))}
          </ul>
        </section>
      )}
      {view.tables.map(
        (table, i) =>
          table.runId !== null &&
          table.summary && (
            <section key={table.runId} class="response-table" aria-label={table.title} data-testid="response-table">
              <h3>
                {i + 1}. {table.title}
              </h3>
              <div class="genie-table" style={{ height: `${Math.min(320, 130 + table.summary.shownRows * 26)}px` }}>
                <ResultPanel runId={table.runId} summary={table.summary} title={table.title} onError={setError} chartable />
              </div>
            </section>
          ),
      )}
      <div class="genie-feedback">
        {!over && (
          <button type="button" class="ghost" data-testid="response-stop" disabled={stopping} onClick={() => void stop()}>
            {stopping ? "Stopping…" : "Stop"}
          </button>
        )}
        {over && view.textHtml && (
          <button type="button" class="ghost" data-testid="response-copy" onClick={() => void copyText(plain())}>
            Copy answer
          </button>
        )}
      </div>
      {error && (
        <p class="field-error" role="alert">
          {error.message}
        </p>
      )}
    </article>
  );
}
