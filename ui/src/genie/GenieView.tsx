// Genie for the active workspace: pick a space, ask in plain words, follow up in the same
// conversation, reopen past conversations. Questions are kept by Rust until answered, so one
// asked before a restart is followed to its answer when this view opens again.
import { useEffect, useRef, useState } from "preact/hooks";
import {
  askGenie,
  deleteConversation,
  genieFavourites,
  listConversations,
  listSpaces,
  listWarehouses,
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

interface Props {
  workspace: WorkspaceSummary;
  onOpenInSql: (sql: string) => void;
}

const lastSpaceKey = (workspaceId: string) => `brickdesk.genie.${workspaceId}.space`;

export function GenieView({ workspace, onOpenInSql }: Props) {
  const workspaceId = workspace.id;
  const [spaces, setSpaces] = useState<Space[] | null>(null);
  const [favourites, setFavourites] = useState<Favourite[]>([]);
  const [space, setSpace] = useState<Space | null>(null);
  const [conversationId, setConversationId] = useState<string | null>(null);
  const [conversations, setConversations] = useState<ConversationSummary[]>([]);
  const [turns, setTurns] = useState<Turn[]>([]);
  const [question, setQuestion] = useState("");
  const [error, setError] = useState<AppError | null>(null);
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

  // Spaces, favourites, and questions kept from before (followed to their answers).
  useEffect(() => {
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

  const choose = (next: Space) => {
    setSpace(next);
    setTurns([]);
    setConversationId(null);
    setError(null);
    localStorage.setItem(lastSpaceKey(workspaceId), next.spaceId);
    refreshConversations(next.spaceId);
  };

  const ask = (text: string) => {
    const content = text.trim();
    if (!space || !content) return;
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
    try {
      const answers = await openConversation(workspaceId, space.spaceId, id);
      setConversationId(id);
      setTurns(answers.map(answeredTurn));
    } catch (e) {
      setError(toAppError(e));
    }
  };

  const newConversation = () => {
    setConversationId(null);
    setTurns([]);
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

  return (
    <div class="genie-view" data-testid="genie-view" data-side={sideOpen ? "open" : "closed"}>
      {sideOpen && <SpacePicker
        spaces={spaces}
        favourites={favourites}
        selected={space?.spaceId ?? null}
        conversations={conversations}
        activeConversation={conversationId}
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
          {space && turns.length === 0 && space.sampleQuestions.length > 0 && (
            <div class="genie-samples">
              <p class="muted">Try asking:</p>
              {space.sampleQuestions.map((q) => (
                <button key={q} type="button" class="chip" data-testid="genie-sample" onClick={() => ask(q)}>
                  {q}
                </button>
              ))}
            </div>
          )}
          {turns.map((turn) => (
            <AnswerCard
              key={turn.key}
              workspaceId={workspaceId}
              source={source}
              turn={turn}
              onFollowUp={ask}
              onOpenInSql={onOpenInSql}
              onChange={(next) => setTurns((all) => all.map((t) => (t.key === next.key ? next : t)))}
            />
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
            <textarea
              rows={2}
              placeholder={conversationId ? "Ask a follow-up…" : `Ask ${space.title} a question…`}
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
            <button type="submit" class="primary" data-testid="genie-ask" disabled={!question.trim()}>
              Ask
            </button>
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
