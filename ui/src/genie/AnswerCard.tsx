// One question and its answer: progress steps while Genie works, then Genie's texts
// (sanitized in Rust; a question Genie asks back is marked as such), the SQL (with Copy and
// "Open in SQL runner"), the rows as a table or a chart, suggested follow-ups, and thumbs up
// or down. A problem says what to do, a result that is gone offers "Run again", and one Genie
// capped offers "Get all rows".
import { useEffect, useState } from "preact/hooks";
import {
  closeResult,
  exportResult,
  runAnswerAgain,
  sendFeedback,
  toAppError,
  type AppError,
  type Answer,
  type QueryAnswer,
  type Rating,
} from "../platform";
import { ThumbIcon } from "../app/icons";
import { LinkConfirm, useLinkConfirm } from "../app/LinkConfirm";
import { Provenance, provenanceText } from "../app/Provenance";
import { protectFormulas } from "../app/preferences";
import { answerFacts, type AnswerSource } from "./answerFacts";
import { answerReport, answerWords } from "./answerReport";
import { ResultPanel, savedMessage } from "../sql/ResultPanel";
import { AllRowsNote } from "./AllRowsNote";
import { GenieChart } from "./GenieChart";
import { ChartView, useChart } from "../chart/ChartView";
import { STEP_TEXT, type Turn } from "./thread";

interface Props {
  workspaceId: string;
  source: AnswerSource;
  turn: Turn;
  onFollowUp: (question: string) => void;
  onOpenInSql: (sql: string) => void;
  onChange: (turn: Turn) => void;
}

export async function copyText(text: string) {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    // Older web views: copy through a selected text area.
    const area = document.createElement("textarea");
    area.value = text;
    document.body.append(area);
    area.select();
    document.execCommand("copy");
    area.remove();
  }
}

/** The answer as plain text: question, Genie's words, the SQL and where it came from. */
export function answerText(answer: Answer, source: AnswerSource): string {
  const parts = [`Question: ${answer.question}`, ...answerWords(answer)];
  if (answer.query?.sql) parts.push(`SQL:\n${answer.query.sql}`);
  parts.push(provenanceText(answerFacts(answer, source)));
  return parts.join("\n\n");
}

function Steps({ turn }: { turn: Turn }) {
  if (turn.phase === "sending") return <p class="muted genie-step">Sending…</p>;
  if (turn.phase === "queued")
    return (
      <p class="muted genie-step" data-testid="genie-queued">
        Queued ({turn.position ?? 1}) — Genie takes a few questions a minute; this one goes next when it can.
      </p>
    );
  return (
    <ol class="genie-steps" data-testid="genie-steps" aria-live="polite">
      {(turn.steps.length ? turn.steps : ["readingMetadata" as const]).map((step, i, all) => (
        <li key={step} class={i === all.length - 1 && turn.phase === "working" ? "current" : "done"} data-testid="genie-step">
          {STEP_TEXT[step]}
        </li>
      ))}
    </ol>
  );
}

export function AnswerCard({ workspaceId, source, turn, onFollowUp, onOpenInSql, onChange }: Props) {
  const [view, setView] = useState<"table" | "chart">("chart");
  const { link, setLink, onTextClick } = useLinkConfirm();
  const [error, setError] = useState<AppError | null>(null);
  const [busy, setBusy] = useState(false);
  const [exported, setExported] = useState<string | null>(null);
  const answer = turn.answer;
  const query = answer?.query ?? null;
  const chartState = useChart(query?.runId ?? null, query?.result ?? null);
  const chart = chartState.spec;
  // The rows live in Rust until the card goes (a new conversation, another space, a rerun).
  const runId = query?.runId ?? null;
  useEffect(() => () => void (runId !== null && closeResult(runId)), [runId]);
  const message = answer ? { spaceId: answer.spaceId, conversationId: answer.conversationId, messageId: answer.messageId } : null;

  const rate = async (rating: Rating) => {
    if (!answer || !message) return;
    const next = answer.rating === rating ? "NONE" : rating;
    try {
      await sendFeedback(workspaceId, message, next);
      onChange({ ...turn, answer: { ...answer, rating: next === "NONE" ? null : next } });
    } catch (e) {
      setError(toAppError(e));
    }
  };

  const runAgain = async () => {
    if (!answer || !message || !query) return;
    setBusy(true);
    try {
      const fresh: QueryAnswer = await runAnswerAgain(workspaceId, message, query.attachmentId);
      onChange({ ...turn, answer: { ...answer, query: fresh, problem: null, status: "COMPLETED" } });
    } catch (e) {
      setError(toAppError(e));
    } finally {
      setBusy(false);
    }
  };

  // The answer's workbook: its rows, the About sheet and the chart the card shows.
  const exportAnswer = async () => {
    if (!answer || !query || query.runId === null) return;
    setExported(null);
    setBusy(true);
    try {
      const done = await exportResult(query.runId, "xlsx", query.title ?? answer.question, () => {}, protectFormulas(), answerReport(answer, source, chart));
      if (done) setExported(savedMessage(done));
    } catch (e) {
      setError(toAppError(e));
    } finally {
      setBusy(false);
    }
  };


  return (
    <article class="genie-turn" data-testid="genie-turn" data-phase={turn.phase}>
      <p class="genie-question">{turn.question}</p>
      {/* The steps stay, ticked, once the answer is in: how Genie got there. */}
      {(turn.phase !== "answered" && turn.phase !== "failed") || turn.steps.length > 0 ? <Steps turn={turn} /> : null}
      {turn.error && (
        <p class="field-error" role="alert" data-testid="genie-error">
          {turn.error.message}
        </p>
      )}
      {answer && (
        <div class="genie-answer" data-testid="genie-answer">
          {answer.problem && (
            <p class={answer.problem.code === "cancelled" ? "muted" : "field-error"} role="alert" data-testid="genie-problem">
              {answer.problem.message}
              {answer.canRunAgain && query && (
                <button type="button" class="ghost" data-testid="genie-run-again" disabled={busy} onClick={runAgain}>
                  Run again
                </button>
              )}
            </p>
          )}
          {answer.texts.map((text, i) =>
            // The HTML comes from Rust's sanitizer (genie::markdown): only Markdown's own tags,
            // web and e-mail links, no attributes from the model but the link target.
            text.purpose === "followUpQuestion" ? (
              <div key={i} class="genie-asks" data-testid="genie-asks">
                <p class="genie-asks-label">Genie asks</p>
                {/* eslint-disable-next-line jsx-a11y/click-events-have-key-events, jsx-a11y/no-static-element-interactions */}
                <div class="genie-text" onClick={onTextClick} dangerouslySetInnerHTML={{ __html: text.html }} />
              </div>
            ) : (
              // eslint-disable-next-line jsx-a11y/click-events-have-key-events, jsx-a11y/no-static-element-interactions
              <div key={i} class="genie-text" data-testid="genie-text" onClick={onTextClick} dangerouslySetInnerHTML={{ __html: text.html }} />
            ),
          )}
          <LinkConfirm link={link} onDone={() => setLink(null)} onError={setError} />
          {query && (
            <section class="genie-query" aria-label="Query">
              {message && (
                <AllRowsNote
                  workspaceId={workspaceId}
                  message={message}
                  query={query}
                  completed={turn.allRows ?? null}
                  onDone={(all) =>
                    onChange({
                      ...turn,
                      allRows: all.source,
                      answer: {
                        ...answer,
                        query: {
                          ...query,
                          runId: all.runId,
                          result: all.result,
                          truncated: all.result.truncated,
                          totalRows: all.result.totalRows,
                          statementId: all.statementId ?? query.statementId,
                        },
                      },
                    })
                  }
                />
              )}
              {query.runId !== null && query.result && (
                <>
                  <div class="segmented" role="group" aria-label="Show as">
                    <button type="button" aria-pressed={view === "chart"} data-testid="show-chart" disabled={!chart} onClick={() => setView("chart")}>
                      Chart
                    </button>
                    <button type="button" aria-pressed={view === "table" || !chart} data-testid="show-table" onClick={() => setView("table")}>
                      Table
                    </button>
                  </div>
                  {view === "chart" && chart ? (
                    <div class="genie-charts">
                      <ChartView chart={chartState} title={query.title ?? answer.question} />
                      {/* A single number needs no second picture. */}
                      {answer.visualization && message && chart.kind !== "counter" && (
                        <GenieChart workspaceId={workspaceId} message={message} visualization={answer.visualization} />
                      )}
                    </div>
                  ) : (
                    <div class="genie-table" data-testid="genie-table" style={{ height: `${Math.min(320, 130 + query.result.shownRows * 26)}px` }}>
                      <ResultPanel
                        runId={query.runId}
                        summary={query.result}
                        title={query.title ?? "Genie answer"}
                        onError={setError}
                        report={() => answerReport(answer, source, chart)}
                      />
                    </div>
                  )}
                </>
              )}
              <details data-testid="genie-sql">
                <summary>{query.title ?? "The SQL Genie wrote"}</summary>
                {query.description && <p class="muted">{query.description}</p>}
                <pre>
                  <code>{query.sql}</code>
                </pre>
                <div class="genie-sql-actions">
                  <button type="button" class="ghost" onClick={() => void copyText(query.sql)}>
                    Copy SQL
                  </button>
                  <button type="button" class="ghost" data-testid="open-in-sql" onClick={() => onOpenInSql(query.sql)}>
                    Open in SQL runner
                  </button>
                </div>
              </details>
            </section>
          )}
          <Provenance facts={answerFacts(answer, source)} />
          {answer.suggestions.length > 0 && (
            <div class="genie-suggestions" aria-label="Suggested follow-ups">
              {answer.suggestions.map((q) => (
                <button key={q} type="button" class="chip" data-testid="genie-suggestion" onClick={() => onFollowUp(q)}>
                  {q}
                </button>
              ))}
            </div>
          )}
          <div class="genie-feedback" role="group" aria-label="Was this helpful?">
            <button
              type="button"
              class="ghost"
              aria-pressed={answer.rating === "POSITIVE"}
              aria-label="Helpful"
              data-testid="thumbs-up"
              onClick={() => rate("POSITIVE")}
            >
              <ThumbIcon />
            </button>
            <button
              type="button"
              class="ghost"
              aria-pressed={answer.rating === "NEGATIVE"}
              aria-label="Not helpful"
              data-testid="thumbs-down"
              onClick={() => rate("NEGATIVE")}
            >
              <ThumbIcon down />
            </button>
            <button type="button" class="ghost" data-testid="copy-answer" onClick={() => void copyText(answerText(answer, source))}>
              Copy answer
            </button>
            {query?.runId !== null && query?.result?.complete && (
              <button type="button" class="ghost" data-testid="export-answer" disabled={busy} onClick={() => void exportAnswer()}>
                Export answer (Excel)
              </button>
            )}
            {exported && (
              <span class="muted" role="status" data-testid="answer-export-message">
                {exported}
              </span>
            )}
            {answer.rating && (
              <span class="muted" data-testid="feedback-state">
                Thanks — your feedback was sent.
              </span>
            )}
          </div>
        </div>
      )}
      {error && (
        <p class="field-error" role="alert">
          {error.message}
        </p>
      )}
    </article>
  );
}
