// The state of a thread of streamed answers (Ask anything, Agent mode): each update replaces
// the view with the same id, or adds it; an update that arrives after the final view (a late
// channel message) never takes an answer back to "working".
import type { AppError, ResponseStatus, ResponseView, Surface } from "../platform";

const OVER: ResponseStatus[] = ["completed", "failed", "stopped", "unconfirmed"];

export const isOver = (view: ResponseView): boolean => OVER.includes(view.status);

export function upsert(views: ResponseView[], next: ResponseView): ResponseView[] {
  const at = views.findIndex((v) => v.id === next.id);
  if (at < 0) return [...views, next];
  if (isOver(views[at]) && !isOver(next)) return views;
  return views.map((v, i) => (i === at ? next : v));
}

/** The conversation a follow-up continues: the last answer's that has one. */
export function conversationOf(views: ResponseView[]): string | null {
  for (let i = views.length - 1; i >= 0; i--) {
    const id = views[i].conversationId;
    if (id) return id;
  }
  return null;
}

/** What the status line says while an answer is on its way. */
export function statusText(view: ResponseView): string | null {
  switch (view.status) {
    case "sending":
      return "Sending…";
    case "working":
      if (view.textStreaming) return "Writing the answer…";
      return view.surface.kind === "agentMode" ? "Researching…" : "Looking through your data…";
    case "reconnecting":
      return "The connection dropped; picking the answer up where Genie left it…";
    default:
      return null;
  }
}

export const surfaceLabel = (surface: Surface, agentName: (id: string) => string | null): string =>
  surface.kind === "askAnything" ? "Ask anything" : `Agent mode · ${agentName(surface.agentId) ?? "a Genie agent"}`;

/** A question Genie refused (or that could not be sent): its card ends with the reason. */
export const refused = (view: ResponseView, error: AppError): ResponseView => ({
  ...view,
  status: "failed",
  textStreaming: false,
  problem: { code: error.code, message: error.message },
});

/** Tracks the card of one question, so a refusal ends that card rather than leaving it
 *  "Sending…" (the refusal can arrive before or after the card's first update). */
export function trackCard(onView: (view: ResponseView) => void) {
  let last: ResponseView | null = null;
  return {
    update: (view: ResponseView) => {
      last = view;
      onView(view);
    },
    /** Ends the card with `error`; false when the question never got a card. */
    refuse: (error: AppError): boolean => {
      if (!last) return false;
      onView(refused(last, error));
      return true;
    },
  };
}
