// Genie for the active workspace: pick an agent (a Genie space), ask in plain words, follow up
// in the same conversation, reopen past conversations. Questions are kept by Rust until
// answered, so one asked before a restart is followed to its answer when this view opens
// again. A question can instead go to Agent mode, which researches it with several queries
// and writes a report (where the workspace has that preview).
import { Fragment } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import {
  askGenie,
  askGenieResponse,
  genieFeatures,
  deleteConversation,
  genieFavourites,
  listConversations,
  listSpaces,
  listWarehouses,
  openAgentConversation,
  openConversation,
  openSpace,
  pendingQuestions,
  resumeQuestions,
  setGenieFavourite,
  toAppError,
  type AppError,
  type ConversationSummary,
  type Favourite,
  type GenieEvent,
  type GenieFeatures,
  type ResponseView,
  type Space,
  type WorkspaceSummary,
} from "../platform";
import { useCommands } from "../app/commands";
import { PanelIcon } from "../app/icons";
import { genieSidePanelOpen, setGenieSidePanelOpen } from "../app/preferences";
import { AnswerCard } from "./AnswerCard";
import type { AnswerSource } from "./answerFacts";
import { SpacePicker } from "./SpacePicker";
import { answeredTurn, applyEvent, askedTurn, pendingTurn, queuedCount, type Turn } from "./thread";
import { ResponseCard } from "../responses/ResponseCard";
import { conversationOf, isOver, trackCard, upsert } from "../responses/thread";

/** Open this agent (or, `null`, the last one used). */
export interface GenieRequest {
  spaceId: string | null;
  nonce: number;
}

interface Props {
  workspace: WorkspaceSummary;
  onOpenInSql: (sql: string) => void;
  incoming?: GenieRequest | null;
}

/** An Agent mode report in the thread, after this many chat turns. */
interface Research {
  view: ResponseView;
  after: number;
}

const lastSpaceKey = (workspaceId: string) => `brickdesk.genie.${workspaceId}.space`;

export function GenieView({ workspace, onOpenInSql, incoming = null }: Props) {
  const workspaceId = workspace.id;
  const [spaces, setSpaces] = useState<Space[] | null>(null);
  const [favourites, setFavourites] = useState<Favourite[]>([]);
  const [space, setSpace] = useState<Space | null>(null);
  const [conversationId, setConversationId] = useState<string | null>(null);
  // An Agent-mode conversation opened from the history (its reports are in `research`).
  const [agentConversation, setAgentConversation] = useState<string | null>(null);
  const [conversations, setConversations] = useState<ConversationSummary[]>([]);
  const [turns, setTurns] = useState<Turn[]>([]);
  const [question, setQuestion] = useState("");
  const [error, setError] = useState<AppError | null>(null);
  const [features, setFeatures] = useState<GenieFeatures | null>(null);
  const [agentMode, setAgentMode] = useState(false);
  const [research, setResearch] = useState<Research[]>([]);
  // Agents and history live in a side panel the user can close: the thread is the page.
  const [sideOpen, setSideOpen] = useState(genieSidePanelOpen);
  const toggleSide = () =>
    setSideOpen((open) => {
      setGenieSidePanelOpen(!open);
      return !open;
    });
  const bottom = useRef<HTMLDivElement>(null);
  // Warehouse names for provenance; without them the id is shown.
  const [warehouseNames, setWarehouseNames] = useState<Record<string, string>>({});
  useEffect(() => {
    setWarehouseNames({});
    listWarehouses(workspaceId).then(
      (list) => setWarehouseNames(Object.fromEntries(list.map((w) => [w.id, w.name]))),
      () => {},
    );
  }, [workspaceId]);
  const warehouseId = space?.warehouseId ?? null;
  const source: AnswerSource = {
    who: workspace.status.state === "signedIn" ? workspace.status.user : null,
    workspace: workspace.name,
    host: workspace.host,
    warehouse: warehouseId ? (warehouseNames[warehouseId] ?? warehouseId) : null,
  };

  const onEvent = (event: GenieEvent) => {
    setTurns((current) => applyEvent(current, event));
    if (event.kind === "sent") setConversationId((c) => c ?? event.data.conversationId);
    if (event.kind === "answered") refreshConversations();
  };

  const refreshConversations = (spaceId = space?.spaceId) => {
    if (!spaceId) return;
    listConversations(workspaceId, spaceId).then(setConversations, () => {});
  };

  const agentModeOff = features?.agentMode.state === "unavailable" ? features.agentMode.reason : null;
  const researching = research.some((r) => !isOver(r.view));
  // A report's new state, placed after the `after` chat turns that came before its question.
  const placeResearch = (view: ResponseView, after: number) =>
    setResearch((current) => {
      const at = current.findIndex((r) => r.view.id === view.id);
      if (at < 0) return [...current, { view, after }];
      const [next] = upsert([current[at].view], view);
      return current.map((r, i) => (i === at ? { ...r, view: next } : r));
    });

  // Spaces, favourites, and questions kept from before (followed to their answers).
  useEffect(() => {
    genieFeatures(workspaceId).then(setFeatures, () => {});
    setSpaces(null);
    setSpace(null);
    setTurns([]);
    setConversationId(null);
    genieFavourites(workspaceId).then(setFavourites, () => {});
    Promise.all([listSpaces(workspaceId), pendingQuestions(workspaceId)]).then(
      ([found, pending]) => {
        setSpaces(found);
        const resumeIn = pending[0]?.spaceId;
        const remembered = resumeIn ?? localStorage.getItem(lastSpaceKey(workspaceId));
        const start = found.find((s) => s.spaceId === remembered) ?? found[0] ?? null;
        setSpace(start);
        if (start) refreshConversations(start.spaceId);
        const mine = pending.filter((p) => p.spaceId === start?.spaceId);
        setTurns(mine.map(pendingTurn));
        setConversationId(mine.find((p) => p.conversationId)?.conversationId ?? null);
        if (pending.length > 0) resumeQuestions(workspaceId, onEvent).catch((e) => setError(toAppError(e)));
      },
      (e) => setError(toAppError(e)),
    );
  }, [workspaceId]);

  useEffect(() => bottom.current?.scrollIntoView?.({ block: "end" }), [turns.length]);

  // Ask anything opened an agent.
  useEffect(() => {
    if (!incoming || !spaces) return;
    const wanted = spaces.find((s) => s.spaceId === incoming.spaceId);
    if (wanted && wanted.spaceId !== space?.spaceId) choose(wanted);
  }, [incoming?.nonce, spaces]);

  const choose = (next: Space) => {
    setSpace(next);
    setTurns([]);
    setResearch([]);
    setConversationId(null);
    setAgentConversation(null);
    setError(null);
    localStorage.setItem(lastSpaceKey(workspaceId), next.spaceId);
    refreshConversations(next.spaceId);
  };

  // Agent mode: a research report in the thread, streamed; its own conversation for follow-ups.
  const askAgentMode = async (content: string) => {
    if (!space) return;
    setQuestion("");
    setError(null);
    const conversation = conversationOf(research.map((r) => r.view));
    const after = turns.length;
    const card = trackCard((view: ResponseView) => placeResearch(view, after));
    try {
      card.update(await askGenieResponse(workspaceId, { kind: "agentMode", agentId: space.spaceId }, content, conversation, card.update));
    } catch (e) {
      const failure = toAppError(e);
      if (!card.refuse(failure)) {
        setError(failure);
        setQuestion((current) => current || content);
      }
    } finally {
      genieFeatures(workspaceId).then(setFeatures, () => {});
    }
  };

  const ask = (text: string) => {
    const content = text.trim();
    if (!space || !content) return;
    if (agentMode && !agentModeOff) {
      void askAgentMode(content);
      return;
    }
    setQuestion("");
    setTurns((current) => [...current, askedTurn(content)]);
    askGenie(workspaceId, space.spaceId, conversationId, content, onEvent).catch((e) => {
      // Failures also arrive as an event; this covers ones before the question was kept.
      const failure = toAppError(e);
      setTurns((current) => current.map((t) => (t.phase === "sending" && t.question === content ? { ...t, phase: "failed", error: failure } : t)));
    });
  };

  const open = async (id: string) => {
    if (!space) return;
    setError(null);
    const inAgentMode = conversations.find((c) => c.conversationId === id)?.agentMode ?? false;
    try {
      if (inAgentMode) {
        // Read back through its items; a follow-up continues it in Agent mode.
        const reports = await openAgentConversation(workspaceId, space.spaceId, id);
        setConversationId(null);
        setTurns([]);
        setAgentConversation(id);
        setResearch(reports.map((view) => ({ view, after: 0 })));
        if (!agentModeOff) setAgentMode(true);
        return;
      }
      const answers = await openConversation(workspaceId, space.spaceId, id);
      setAgentConversation(null);
      setResearch((current) => current.filter((r) => !isOver(r.view)));
      setConversationId(id);
      setTurns(answers.map(answeredTurn));
    } catch (e) {
      setError(toAppError(e));
    }
  };

  const newConversation = () => {
    setConversationId(null);
    setAgentConversation(null);
    setTurns([]);
    setResearch((current) => current.filter((r) => !isOver(r.view)));
  };
  const focusQuestion = () => document.querySelector<HTMLTextAreaElement>("[data-testid=genie-question]")?.focus();
  useCommands([
    ...(space ? [{ id: "genie.ask", title: `Ask ${space.title} a question`, group: "Genie", section: "genie" as const, run: focusQuestion }] : []),
    ...(space ? [{ id: "genie.new", title: "New conversation", group: "Genie", section: "genie" as const, run: newConversation }] : []),
    { id: "genie.side", title: sideOpen ? "Hide agents and history" : "Show agents and history", group: "Genie", section: "genie" as const, run: toggleSide },
    ...(spaces ?? [])
      .filter((s) => s.spaceId !== space?.spaceId)
      .map((s) => ({ id: `genie.space.${s.spaceId}`, title: `Switch agent: ${s.title}`, group: "Genie", section: "genie" as const, run: () => choose(s) })),
    ...conversations.map((c) => ({
      id: `genie.conversation.${c.conversationId}`,
      title: `Open conversation: ${c.title}`,
      group: "Genie history",
      section: "genie" as const,
      run: () => void open(c.conversationId),
    })),
  ]);

  const remove = async (id: string) => {
    if (!space) return;
    try {
      await deleteConversation(workspaceId, space.spaceId, id);
      if (id === conversationId) {
        setConversationId(null);
        setTurns([]);
      }
      if (id === agentConversation) newConversation();
      refreshConversations();
    } catch (e) {
      setError(toAppError(e));
    }
  };

  const openLinkedSpace = async (link: string) => {
    setError(null);
    try {
      const found = await openSpace(workspaceId, link);
      setSpaces((all) => (all && !all.some((s) => s.spaceId === found.spaceId) ? [...all, found] : all));
      choose(found);
    } catch (e) {
      setError(toAppError(e));
    }
  };

  const pin = (target: Space, pinned: boolean) =>
    setGenieFavourite(workspaceId, { spaceId: target.spaceId, title: target.title }, pinned).then(setFavourites, (e) => setError(toAppError(e)));

  const queued = queuedCount(turns);
  const reportsAfter = (count: number) =>
    research
      .filter((r) => r.after === count)
      // Reports read back from the history share id 0: their response id tells them apart.
      .map((r) => <ResponseCard key={`r${r.view.id}:${r.view.responseId ?? ""}`} view={r.view} label={`Agent mode · ${space?.title ?? ""}`} onOpenInSql={onOpenInSql} />);

  return (
    <div class="genie-view" data-testid="genie-view" data-side={sideOpen ? "open" : "closed"}>
      {sideOpen && <SpacePicker
        spaces={spaces}
        favourites={favourites}
        selected={space?.spaceId ?? null}
        conversations={conversations}
        activeConversation={conversationId ?? agentConversation}
        onSelect={choose}
        onPin={pin}
        onOpenLink={openLinkedSpace}
        onOpenConversation={open}
        onDeleteConversation={remove}
        onNewConversation={newConversation}
      />}
      <div class="genie-main">
        {error && (
          <p class="field-error" role="alert" data-testid="genie-view-error">
            {error.message}
          </p>
        )}
        <header class="genie-head">
          <button
            type="button"
            class="ghost side-toggle"
            aria-expanded={sideOpen}
            aria-label={sideOpen ? "Hide agents and history" : "Show agents and history"}
            title={sideOpen ? "Hide agents and history" : "Show agents and history"}
            data-testid="genie-side-toggle"
            onClick={() => toggleSide()}
          >
            <PanelIcon />
          </button>
          {space && (
            <div>
              <h2 data-testid="genie-space-title">{space.title}</h2>
              {space.description && <p class="muted">{space.description}</p>}
            </div>
          )}
        </header>
        <div class="genie-thread" data-testid="genie-thread">
          {space && turns.length === 0 && research.length === 0 && space.sampleQuestions.length > 0 && (
            <div class="genie-samples">
              <p class="muted">Try asking:</p>
              {space.sampleQuestions.map((q) => (
                <button key={q} type="button" class="chip" data-testid="genie-sample" onClick={() => ask(q)}>
                  {q}
                </button>
              ))}
            </div>
          )}
          {reportsAfter(0)}
          {turns.map((turn, i) => (
            <Fragment key={turn.key}>
              <AnswerCard
                key={turn.key}
                workspaceId={workspaceId}
                source={source}
                turn={turn}
                onFollowUp={ask}
                onOpenInSql={onOpenInSql}
                onChange={(next) => setTurns((all) => all.map((t) => (t.key === next.key ? next : t)))}
              />
              {reportsAfter(i + 1)}
            </Fragment>
          ))}
          <div ref={bottom} />
        </div>
        {space && (
          <form
            class="genie-composer"
            onSubmit={(event) => {
              event.preventDefault();
              ask(question);
            }}
          >
            <label class="agent-mode-switch" title={agentModeOff ?? "Genie plans the research, runs several queries and writes a report with its sources. It takes a few minutes."}>
              <input
                type="checkbox"
                role="switch"
                data-testid="agent-mode-toggle"
                checked={agentMode && !agentModeOff}
                disabled={agentModeOff !== null}
                onChange={(event) => setAgentMode(event.currentTarget.checked)}
              />
              <span>
                Agent mode <span class="badge">Beta</span>
              </span>
            </label>
            <textarea
              rows={2}
              placeholder={
                agentMode && !agentModeOff
                  ? `Ask ${space.title} to research a question…`
                  : conversationId
                    ? "Ask a follow-up…"
                    : `Ask ${space.title} a question…`
              }
              aria-label="Your question"
              data-testid="genie-question"
              value={question}
              onInput={(event) => setQuestion(event.currentTarget.value)}
              onKeyDown={(event) => {
                if (event.key === "Enter" && !event.shiftKey) {
                  event.preventDefault();
                  ask(question);
                }
              }}
            />
            <button type="submit" class="primary" data-testid="genie-ask" disabled={!question.trim() || (agentMode && researching)}>
              {agentMode && !agentModeOff ? "Research" : "Ask"}
            </button>
            {agentModeOff && (
              <span class="muted agent-mode-off" data-testid="agent-mode-off">
                {agentModeOff}
              </span>
            )}
            {queued > 0 && (
              <span class="muted" data-testid="genie-queue">
                Queued ({queued})
              </span>
            )}
          </form>
        )}
      </div>
    </div>
  );
}
