import { describe, expect, it } from "vitest";
import type { Answer, GenieEvent } from "../platform";
import { applyEvent, askedTurn, pendingTurn, queuedCount } from "./thread";

const answer = (messageId: string, question: string): Answer => ({
  visualization: null,
  spaceId: "s",
  conversationId: "c",
  messageId,
  question,
  status: "COMPLETED",
  texts: [{ purpose: "answer", html: "<p>There were <strong>3</strong> trips.</p>" }],
  query: null,
  suggestions: [],
  problem: null,
  canRunAgain: false,
  rating: null,
  createdAtMs: 0, updatedAtMs: null,
});

const run = (events: GenieEvent[], turns = [askedTurn("first")]) => events.reduce(applyEvent, turns);

describe("applyEvent", () => {
  it("numbers a new turn with its question id and follows it to the answer", () => {
    const turns = run([
      { kind: "queued", data: { questionId: 7, position: 2 } },
      { kind: "sent", data: { questionId: 7, conversationId: "c", messageId: "m" } },
      { kind: "progress", data: { questionId: 7, status: "FETCHING_METADATA", step: "readingMetadata" } },
      { kind: "progress", data: { questionId: 7, status: "FILTERING_CONTEXT", step: "readingMetadata" } },
      { kind: "progress", data: { questionId: 7, status: "ASKING_AI", step: "askingAi" } },
      { kind: "progress", data: { questionId: 7, status: "COMPLETED", step: "done" } },
      { kind: "answered", data: { questionId: 7, answer: answer("m", "first") } },
    ]);
    expect(turns[0].questionId).toBe(7);
    expect(turns[0].steps).toEqual(["readingMetadata", "askingAi"]);
    expect(turns[0].phase).toBe("answered");
    expect(turns[0].answer?.messageId).toBe("m");
  });

  it("shows the queue and keeps two questions apart", () => {
    let turns = run([{ kind: "queued", data: { questionId: 1, position: 1 } }], [askedTurn("a"), askedTurn("b")]);
    turns = applyEvent(turns, { kind: "queued", data: { questionId: 2, position: 2 } });
    expect(turns.map((t) => t.questionId)).toEqual([1, 2]);
    expect(queuedCount(turns)).toBe(2);
    turns = applyEvent(turns, { kind: "failed", data: { questionId: 2, error: { code: "server", message: "boom" } } });
    expect(turns[1].phase).toBe("failed");
    expect(turns[0].phase).toBe("queued");
    expect(queuedCount(turns)).toBe(1);
  });

  it("resumes a question kept across a restart by its id, and ignores unknown ones", () => {
    const kept = pendingTurn({
      id: 4,
      workspaceId: "w",
      spaceId: "s",
      conversationId: "c",
      content: "kept",
      createdAtMs: 0,
      state: "sent",
      messageId: "m",
    });
    expect(kept.phase).toBe("working");
    const turns = applyEvent([kept], { kind: "answered", data: { questionId: 4, answer: answer("m", "kept") } });
    expect(turns[0].phase).toBe("answered");
    expect(applyEvent(turns, { kind: "sent", data: { questionId: 99, conversationId: "c", messageId: "x" } })).toBe(turns);
  });
});
