// Genie with a fake platform: spaces and sample questions, a question's steps and answer
// (sanitized HTML from Rust, rendered as given), a follow-up chip in the same conversation,
// feedback, a kept question resumed on open, and a denied space explained.
import { act, fireEvent, render, screen, waitFor } from "@testing-library/preact";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { AppError, type Answer, type GenieEvent } from "../platform";
import { responseView, workspace } from "../test/fixtures";

let emit: (event: GenieEvent) => void = () => {};
let finish: (answer: Answer) => void = () => {};

vi.mock("../platform", async (importActual) => {
  const actual = await importActual<typeof import("../platform")>();
  return {
    ...actual,
    listWarehouses: vi.fn().mockResolvedValue([{ id: "w1", name: "Starter Warehouse", state: "RUNNING", size: "Small", serverless: false, health: null }]),
    listSpaces: vi.fn().mockResolvedValue([
      { spaceId: "s1", title: "NYC Taxi Trips", description: "Trips", sampleQuestions: ["How many trips were there?"], warehouseId: "w1" },
    ]),
    genieFavourites: vi.fn().mockResolvedValue([]),
    setGenieFavourite: vi.fn(async (_w: string, space: { spaceId: string; title: string }, pinned: boolean) => (pinned ? [space] : [])),
    pendingQuestions: vi.fn().mockResolvedValue([]),
    resumeQuestions: vi.fn().mockResolvedValue(null),
    listConversations: vi.fn().mockResolvedValue([]),
    askGenie: vi.fn((_w: string, _s: string, _c: string | null, _q: string, onEvent: (e: GenieEvent) => void) => {
      emit = onEvent;
      return new Promise<Answer>((resolve) => (finish = resolve));
    }),
    sendFeedback: vi.fn().mockResolvedValue(null),
    openSpace: vi.fn(),
    genieFeatures: vi.fn().mockResolvedValue({ askAnything: { state: "available" }, agentMode: { state: "unknown" } }),
    openAgentConversation: vi.fn(),
    openConversation: vi.fn().mockResolvedValue([]),
    askGenieResponse: vi.fn(() => new Promise(() => {})),
    resultWindow: vi.fn(async () => ({ offset: 0, rows: [["21932"]] })),
    closeResult: vi.fn().mockResolvedValue(undefined),
  };
});

const platform = await import("../platform");
const { GenieView } = await import("./GenieView");

const alice = workspace({ id: "demo", name: "Demo", host: "http://127.0.0.1:1", status: { state: "signedIn", user: "alice@example.com", expiresAtMs: null } });

const answered = (messageId: string, question: string): Answer => ({
  visualization: null,
  spaceId: "s1",
  conversationId: "c1",
  messageId,
  question,
  status: "COMPLETED",
  texts: [{ purpose: "answer", html: "<p>There were <strong>21,932</strong> trips.</p>" }],
  query: {
    attachmentId: "a1",
    title: "Trips",
    description: "Counts the trips.",
    sql: "SELECT COUNT(*) AS trips FROM samples.nyctaxi.trips",
    statementId: "01ef-stmt",
    totalRows: 1,
    truncated: false,
    runId: 5,
    result: { columns: [{ name: "trips", typeText: "BIGINT", typeName: "LONG", timeZone: null }], totalRows: 1, loadedRows: 1, truncated: false, complete: true, shownRows: 1, spilled: false, stopped: null },
  },
  suggestions: ["Now by month"],
  problem: null,
  canRunAgain: false,
  rating: null,
  createdAtMs: 1_764_590_400_000,
  updatedAtMs: 1_764_590_402_500,
});

describe("GenieView", () => {
  beforeEach(() => {
    vi.clearAllMocks();
    localStorage.clear();
  });

  it("asks a sample question, shows the steps, the answer, the SQL and a counter", async () => {
    const openInSql = vi.fn();
    render(<GenieView workspace={alice} onOpenInSql={openInSql} />);
    fireEvent.click(await screen.findByTestId("genie-sample"));
    expect(platform.askGenie).toHaveBeenCalledWith("demo", "s1", null, "How many trips were there?", expect.any(Function));
    act(() => emit({ kind: "sent", data: { questionId: 1, conversationId: "c1", messageId: "m1" } }));
    act(() => emit({ kind: "progress", data: { questionId: 1, status: "FETCHING_METADATA", step: "readingMetadata" } }));
    act(() => emit({ kind: "progress", data: { questionId: 1, status: "ASKING_AI", step: "askingAi" } }));
    expect(screen.getAllByTestId("genie-step").map((s) => s.textContent)).toEqual(["Reading your data's metadata", "Asking AI"]);
    act(() => emit({ kind: "answered", data: { questionId: 1, answer: answered("m1", "How many trips were there?") } }));
    expect(screen.getByTestId("genie-text").innerHTML).toBe("<p>There were <strong>21,932</strong> trips.</p>");
    expect((await screen.findByTestId("genie-chart")).getAttribute("data-kind")).toBe("counter");
    fireEvent.click(screen.getByTestId("open-in-sql"));
    expect(openInSql).toHaveBeenCalledWith("SELECT COUNT(*) AS trips FROM samples.nyctaxi.trips");

    // Where it came from: who, which warehouse (by name), how many rows, the statement id.
    await waitFor(() => expect(screen.getByTestId("provenance").textContent).toContain("Starter Warehouse"));
    const source = screen.getByTestId("provenance");
    expect(source.querySelector("summary")?.textContent).toContain("alice@example.com");
    expect(source.querySelector("summary")?.textContent).toContain("1 row");
    expect(screen.getByTestId("provenance-statement").textContent).toBe("01ef-stmt");
    expect(source.textContent).toContain("2.5 s");
    const copied = vi.fn().mockResolvedValue(undefined);
    Object.assign(navigator, { clipboard: { writeText: copied } });
    fireEvent.click(screen.getByTestId("copy-answer"));
    await waitFor(() => expect(copied).toHaveBeenCalledOnce());
    const text = copied.mock.calls[0][0] as string;
    expect(text).toContain("Question: How many trips were there?");
    expect(text).toContain("There were 21,932 trips.");
    expect(text).toContain("SQL:\nSELECT COUNT(*)");
    expect(text).toContain("Statement id: 01ef-stmt");
    expect(text).toContain("Warehouse: Starter Warehouse");

    // The follow-up goes to the same conversation.
    fireEvent.click(screen.getByTestId("genie-suggestion"));
    expect(platform.askGenie).toHaveBeenLastCalledWith("demo", "s1", "c1", "Now by month", expect.any(Function));

    fireEvent.click(screen.getAllByTestId("thumbs-up")[0]);
    await waitFor(() => expect(screen.getByTestId("feedback-state").textContent).toContain("feedback was sent"));
    expect(platform.sendFeedback).toHaveBeenCalledWith("demo", { spaceId: "s1", conversationId: "c1", messageId: "m1" }, "POSITIVE");
    finish(answered("m1", "How many trips were there?"));
  });

  it("shows a question Genie asks back apart from its answer", async () => {
    render(<GenieView workspace={alice} onOpenInSql={() => {}} />);
    fireEvent.click(await screen.findByTestId("genie-sample"));
    const answer = {
      ...answered("m1", "How many trips were there recently?"),
      texts: [
        { purpose: "answer" as const, html: "<p>There were 21,932 trips.</p>" },
        { purpose: "followUpQuestion" as const, html: "<p>Which period do you mean?</p>" },
      ],
    };
    act(() => emit({ kind: "answered", data: { questionId: 1, answer } }));
    expect(screen.getByTestId("genie-text").textContent).toBe("There were 21,932 trips.");
    const asks = screen.getByTestId("genie-asks");
    expect(asks.textContent).toContain("Genie asks");
    expect(asks.textContent).toContain("Which period do you mean?");
    finish(answer);
  });

  it("resumes questions kept from before the restart", async () => {
    vi.mocked(platform.pendingQuestions).mockResolvedValueOnce([
      { id: 3, workspaceId: "demo", spaceId: "s1", conversationId: "c9", content: "Still there?", createdAtMs: 0, state: "sent", messageId: "m9" },
    ]);
    render(<GenieView workspace={alice} onOpenInSql={() => {}} />);
    await waitFor(() => expect(platform.resumeQuestions).toHaveBeenCalledOnce());
    expect(screen.getByTestId("genie-turn").textContent).toContain("Still there?");
    const onEvent = vi.mocked(platform.resumeQuestions).mock.calls[0][1];
    act(() => onEvent({ kind: "answered", data: { questionId: 3, answer: answered("m9", "Still there?") } }));
    expect(screen.getByTestId("genie-turn").getAttribute("data-phase")).toBe("answered");
  });

  it("explains a space the user cannot open", async () => {
    vi.mocked(platform.openSpace).mockRejectedValueOnce(new AppError("permission_denied", "You cannot open this Genie space. Ask its owner."));
    render(<GenieView workspace={alice} onOpenInSql={() => {}} />);
    await screen.findByTestId("genie-space");
    fireEvent.input(screen.getByTestId("genie-link"), { target: { value: "https://x/genie/rooms/01f0c0ffee0000000000000000000002" } });
    fireEvent.click(screen.getByTestId("genie-open-link"));
    expect((await screen.findByTestId("genie-view-error")).textContent).toContain("Ask its owner");
  });

  it("closes the side panel so the thread takes the width, and remembers it", async () => {
    const { unmount } = render(<GenieView workspace={alice} onOpenInSql={() => {}} />);
    await screen.findByTestId("genie-space");
    fireEvent.click(screen.getByTestId("genie-side-toggle"));
    expect(screen.queryByTestId("genie-space")).toBeNull();
    expect(screen.getByTestId("genie-side-toggle").getAttribute("aria-expanded")).toBe("false");
    unmount();
    render(<GenieView workspace={alice} onOpenInSql={() => {}} />);
    await waitFor(() => expect(screen.getByTestId("genie-view").getAttribute("data-side")).toBe("closed"));
    fireEvent.click(screen.getByTestId("genie-side-toggle"));
    expect(await screen.findByTestId("genie-space")).toBeTruthy();
  });

  it("opens an Agent-mode conversation from the history as its reports, and continues it in Agent mode", async () => {
    vi.mocked(platform.listConversations).mockResolvedValue([
      { conversationId: "ac1", title: "Why did revenue dip?", createdAtMs: 0, updatedAtMs: null, agentMode: true },
      { conversationId: "c1", title: "How many trips were there?", createdAtMs: 0, updatedAtMs: null, agentMode: false },
    ]);
    const agent = { kind: "agentMode" as const, agentId: "s1" };
    vi.mocked(platform.openAgentConversation).mockResolvedValue([
      responseView(0, "completed", { surface: agent, question: "Why did revenue dip?", conversationId: "ac1", responseId: "r1", textHtml: "<p>Fewer trips in <strong>March</strong>.</p>" }),
      responseView(0, "stopped", { surface: agent, question: "And in April?", conversationId: "ac1", responseId: "r2", problem: { code: "cancelled", message: "Stopped." } }),
    ]);
    render(<GenieView workspace={alice} onOpenInSql={() => {}} />);
    await waitFor(() => expect(screen.getAllByTestId("genie-conversation")).toHaveLength(2));
    const [research, chat] = screen.getAllByTestId("genie-conversation");
    expect(research.textContent).toContain("Agent mode");
    expect(chat.textContent).not.toContain("Agent mode");

    fireEvent.click(research);
    await waitFor(() => expect(screen.getAllByTestId("response-card")).toHaveLength(2));
    expect(platform.openAgentConversation).toHaveBeenCalledWith("demo", "s1", "ac1");
    expect(platform.openConversation).not.toHaveBeenCalled();
    expect(screen.getAllByTestId("response-card")[0].textContent).toContain("Fewer trips in March.");
    expect((screen.getByTestId("agent-mode-toggle") as HTMLInputElement).checked).toBe(true);
    expect(research.closest("li")?.className).toBe("active");

    fireEvent.input(screen.getByTestId("genie-question"), { target: { value: "And in May?" } });
    fireEvent.click(screen.getByTestId("genie-ask"));
    expect(platform.askGenieResponse).toHaveBeenCalledWith("demo", agent, "And in May?", "ac1", expect.any(Function));

    // A chat conversation replaces the reports it had.
    fireEvent.click(chat);
    await waitFor(() => expect(platform.openConversation).toHaveBeenCalledWith("demo", "s1", "c1"));
    await waitFor(() => expect(screen.queryAllByTestId("response-card")).toHaveLength(0));
  });
});
