// A Genie conversation as the UI shows it: one turn per question, moved along by the events
// Rust sends (queued, sent, progress steps, answered, failed).
import type { AllRowsSource, Answer, ErrorInfo, GenieEvent, OutboxEntry, Step } from "../platform";

export interface Turn {
  /** Stable key: the local question id, else the message id. */
  key: string;
  questionId: number | null;
  question: string;
  phase: "sending" | "queued" | "working" | "answered" | "failed";
  position: number | null;
  steps: Step[];
  answer: Answer | null;
  error: ErrorInfo | null;
  /** "Get all rows" completed the answer's rows, this way. */
  allRows?: AllRowsSource | null;
}

export const STEP_TEXT: Record<Step, string> = {
  readingMetadata: "Reading your data's metadata",
  askingAi: "Asking AI",
  waitingForWarehouse: "Waiting for the warehouse",
  runningQuery: "Running the query",
  done: "Done",
};

let counter = 0;
/** A question just asked, before Rust has numbered it. */
export function askedTurn(question: string): Turn {
  counter += 1;
  return { key: `local-${counter}`, questionId: null, question, phase: "sending", position: null, steps: [], answer: null, error: null };
}

export function answeredTurn(answer: Answer): Turn {
  return {
    key: `m-${answer.messageId}`,
    questionId: null,
    question: answer.question,
    phase: "answered",
    position: null,
    steps: [],
    answer,
    error: null,
  };
}

/** A question kept across a restart. */
export function pendingTurn(entry: OutboxEntry): Turn {
  return {
    key: `q-${entry.id}`,
    questionId: entry.id,
    question: entry.content,
    phase: entry.state === "queued" ? "queued" : "working",
    position: null,
    steps: [],
    answer: null,
    error: null,
  };
}

function questionIdOf(event: GenieEvent): number {
  return event.data.questionId;
}

/** The turn an event is about: by question id, else the oldest turn not numbered yet. */
function find(turns: Turn[], id: number): number {
  const known = turns.findIndex((t) => t.questionId === id);
  return known >= 0 ? known : turns.findIndex((t) => t.questionId === null && t.phase === "sending");
}

export function applyEvent(turns: Turn[], event: GenieEvent): Turn[] {
  const id = questionIdOf(event);
  const index = find(turns, id);
  if (index < 0) return turns;
  const turn = { ...turns[index], questionId: id };
  switch (event.kind) {
    case "queued":
      turn.phase = "queued";
      turn.position = event.data.position;
      break;
    case "sent":
      turn.phase = "working";
      turn.position = null;
      break;
    case "progress":
      turn.phase = "working";
      if (event.data.step !== "done" && turn.steps[turn.steps.length - 1] !== event.data.step) {
        turn.steps = [...turn.steps, event.data.step];
      }
      break;
    case "answered":
      turn.phase = "answered";
      turn.answer = event.data.answer;
      break;
    case "failed":
      turn.phase = "failed";
      turn.error = event.data.error;
      break;
  }
  const next = [...turns];
  next[index] = turn;
  return next;
}

/** How many questions wait for the budget. */
export function queuedCount(turns: Turn[]): number {
  return turns.filter((t) => t.phase === "queued").length;
}
