import { describe, expect, it } from "vitest";
import { AppError, type ResponseView } from "../platform";
import { responseView } from "../test/fixtures";
import { conversationOf, statusText, trackCard, upsert } from "./thread";

const view = responseView;

describe("a thread of streamed answers", () => {
  it("replaces a view by id and adds new ones in order", () => {
    const one = upsert([], view(1, "sending"));
    const two = upsert(one, view(2, "working"));
    const updated = upsert(two, view(1, "working", { textHtml: "<p>Hi</p>" }));
    expect(updated.map((v) => [v.id, v.status])).toEqual([
      [1, "working"],
      [2, "working"],
    ]);
    expect(updated[0].textHtml).toBe("<p>Hi</p>");
  });

  it("never takes a finished answer back to working", () => {
    const done = upsert([], view(1, "completed"));
    expect(upsert(done, view(1, "working"))[0].status).toBe("completed");
    expect(upsert(done, view(1, "failed"))[0].status).toBe("failed");
  });

  it("follows up in the last conversation and says what is happening", () => {
    const views = [view(1, "completed", { conversationId: "c1" }), view(2, "sending")];
    expect(conversationOf(views)).toBe("c1");
    expect(conversationOf([])).toBeNull();
    expect(statusText(view(3, "reconnecting"))).toContain("connection dropped");
    expect(statusText(view(3, "working", { surface: { kind: "agentMode", agentId: "a" } }))).toBe("Researching…");
    expect(statusText(view(3, "working", { textStreaming: true }))).toBe("Writing the answer…");
    expect(statusText(view(3, "completed"))).toBeNull();
  });
});

describe("a refused question", () => {
  it("ends its card with the reason, whichever arrives first", () => {
    const shown: ResponseView[] = [];
    const card = trackCard((v) => shown.push(v));
    const error = new AppError("unavailable", "Agent mode needs the preview.");
    expect(card.refuse(error)).toBe(false);
    card.update(view(4, "sending"));
    expect(card.refuse(error)).toBe(true);
    expect(shown[1].status).toBe("failed");
    expect(shown[1].problem).toEqual({ code: "unavailable", message: "Agent mode needs the preview." });
  });
});
