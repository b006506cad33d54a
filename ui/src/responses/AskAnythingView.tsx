// Ask anything (Genie One): one box for questions about any data the user may read, without
// picking a Genie agent first. Answers stream in with their sources; a follow-up continues the
// conversation. Where the workspace does not have the preview, one line says so and the
// Genie agents are offered instead. Answers on their way when Brickdesk quit are finished here.
import { useEffect, useRef, useState } from "preact/hooks";
import {
  askGenieResponse,
  genieFeatures,
  genieResponseHistory,
  listSpaces,
  openGenieResponse,
  resumeGenieResponses,
  toAppError,
  type AppError,
  type GenieFeatures,
  type ResponseSummary,
  type ResponseView,
  type Space,
  type WorkspaceSummary,
} from "../platform";
import { useCommands } from "../app/commands";
import { ResponseCard } from "./ResponseCard";
import { conversationOf, isOver, surfaceLabel, trackCard, upsert } from "./thread";

interface Props {
  workspace: WorkspaceSummary;
  /** Opens Genie on this agent (or the last one used). */
  onOpenAgent: (spaceId: string | null) => void;
  onOpenInSql: (sql: string) => void;
}

export function AskAnythingView({ workspace, onOpenAgent, onOpenInSql }: Props) {
  const workspaceId = workspace.id;
  const [features, setFeatures] = useState<GenieFeatures | null>(null);
  const [agents, setAgents] = useState<Space[]>([]);
  const [views, setViews] = useState<ResponseView[]>([]);
  const [history, setHistory] = useState<ResponseSummary[]>([]);
  const [question, setQuestion] = useState("");
  const [error, setError] = useState<AppError | null>(null);
  const [fresh, setFresh] = useState(false);
  const bottom = useRef<HTMLDivElement>(null);
  const update = (view: ResponseView) => setViews((current) => upsert(current, view));
  const refreshHistory = () => genieResponseHistory(workspaceId).then(setHistory, () => {});

  useEffect(() => {
    setViews([]);
    setFeatures(null);
    genieFeatures(workspaceId).then(setFeatures, (e) => setError(toAppError(e)));
    listSpaces(workspaceId).then(setAgents, () => {});
    refreshHistory();
    // Answers that were on their way when Brickdesk quit: read back, never asked again.
    resumeGenieResponses(workspaceId, update).then(refreshHistory, (e) => setError(toAppError(e)));
  }, [workspaceId]);

  useEffect(() => bottom.current?.scrollIntoView?.({ block: "end" }), [views.length]);

  const agentName = (id: string) => agents.find((a) => a.spaceId === id)?.title ?? null;
  const busy = views.some((v) => !isOver(v));
  const conversation = fresh ? null : conversationOf(views.filter((v) => v.surface.kind === "askAnything"));

  const ask = async (text: string) => {
    const content = text.trim();
    if (!content) return;
    setQuestion("");
    setError(null);
    setFresh(false);
    const card = trackCard(update);
    try {
      card.update(await askGenieResponse(workspaceId, { kind: "askAnything" }, content, conversation, card.update));
    } catch (e) {
      const failure = toAppError(e);
      if (!card.refuse(failure)) {
        setError(failure);
        setQuestion((current) => current || content);
      }
      if (failure.code === "unavailable") genieFeatures(workspaceId).then(setFeatures, () => {});
    } finally {
      refreshHistory();
    }
  };

  const reopen = async (item: ResponseSummary) => {
    setError(null);
    try {
      const view = await openGenieResponse(workspaceId, item.id);
      setViews([view]);
    } catch (e) {
      setError(toAppError(e));
    }
  };

  const newConversation = () => {
    setViews((current) => current.filter((v) => !isOver(v)));
    setFresh(true);
  };
  const focus = () => document.querySelector<HTMLTextAreaElement>("[data-testid=ask-question]")?.focus();
  useCommands([
    { id: "ask.focus", title: "Ask anything about your data", group: "Ask anything", section: "ask" as const, run: focus },
    { id: "ask.new", title: "New Ask anything conversation", group: "Ask anything", section: "ask" as const, run: newConversation },
  ]);

  const off = features?.askAnything.state === "unavailable" ? features.askAnything.reason : null;
  const samples = agents.flatMap((a) => a.sampleQuestions.slice(0, 1)).slice(0, 4);

  if (off) {
    return (
      <div class="ask-view" data-testid="ask-view" data-state="unavailable">
        <div class="ask-unavailable">
          <p data-testid="ask-unavailable">{off}</p>
          <p class="muted">You can ask one of your Genie agents (called Genie spaces before) instead:</p>
          <div class="ask-agents">
            {agents.map((a) => (
              <button key={a.spaceId} type="button" class="agent-offer" data-testid="ask-offer-agent" onClick={() => onOpenAgent(a.spaceId)}>
                <strong>{a.title}</strong>
                {a.description && <span class="muted">{a.description}</span>}
              </button>
            ))}
            {agents.length === 0 && (
              <button type="button" class="primary" data-testid="ask-offer-agent" onClick={() => onOpenAgent(null)}>
                Open Genie agents
              </button>
            )}
          </div>
        </div>
      </div>
    );
  }

  return (
    <div class="ask-view genie-view" data-testid="ask-view" data-state={features ? "ready" : "checking"}>
      {history.length > 0 && (
        <nav class="genie-side ask-history" aria-label="Recent questions">
          <h2 class="side-title">Recent</h2>
          <ul class="space-list">
            {history.map((item) => (
              <li key={item.id} class={views.some((v) => v.id === item.id) ? "active" : undefined}>
                <button type="button" class="space-button" data-testid="ask-history-item" onClick={() => void reopen(item)}>
                  <strong>{item.question}</strong>
                  <small class="muted">{surfaceLabel(item.surface, agentName)}</small>
                </button>
              </li>
            ))}
          </ul>
        </nav>
      )}
      <div class="genie-main">
        {error && (
          <p class="field-error" role="alert" data-testid="ask-error">
            {error.message}
          </p>
        )}
        <div class="genie-thread" data-testid="ask-thread">
          {views.length === 0 && (
            <div class="ask-welcome">
              <h2>What would you like to know?</h2>
              <p class="muted">
                Genie looks across all the data you can use, picks the right tables and shows where each answer comes from.
              </p>
              {samples.length > 0 && (
                <div class="genie-samples">
                  {samples.map((q) => (
                    <button key={q} type="button" class="chip" data-testid="ask-sample" onClick={() => void ask(q)}>
                      {q}
                    </button>
                  ))}
                </div>
              )}
            </div>
          )}
          {views.map((view) => (
            <ResponseCard key={view.id} view={view} label={surfaceLabel(view.surface, agentName)} onOpenInSql={onOpenInSql} />
          ))}
          <div ref={bottom} />
        </div>
        <form
          class="genie-composer"
          onSubmit={(event) => {
            event.preventDefault();
            void ask(question);
          }}
        >
          <textarea
            rows={2}
            placeholder={conversation ? "Ask a follow-up…" : "Ask anything about your data…"}
            aria-label="Your question"
            data-testid="ask-question"
            value={question}
            onInput={(event) => setQuestion(event.currentTarget.value)}
            onKeyDown={(event) => {
              if (event.key === "Enter" && !event.shiftKey) {
                event.preventDefault();
                void ask(question);
              }
            }}
          />
          <button type="submit" class="primary" data-testid="ask-submit" disabled={!question.trim() || busy}>
            Ask
          </button>
          {conversation && (
            <button type="button" class="ghost" data-testid="ask-new" onClick={newConversation}>
              New conversation
            </button>
          )}
        </form>
      </div>
    </div>
  );
}
