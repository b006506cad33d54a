// Ask anything with a fake platform: the landing where the preview is off (one line, the Genie
// agents offered), and a question whose steps tick off and whose text streams in, ending with
// its sources; a follow-up in the same conversation, and Stop while it runs.
import { act, fireEvent, render, screen, waitFor } from "@testing-library/preact";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { GenieFeatures, ResponseView } from "../platform";
import { responseView, workspace } from "../test/fixtures";

let update: (view: ResponseView) => void = () => {};
let finish: (view: ResponseView) => void = () => {};
let features: GenieFeatures = { askAnything: { state: "available" }, agentMode: { state: "unknown" } };

vi.mock("../platform", async (importActual) => {
  const actual = await importActual<typeof import("../platform")>();
  return {
    ...actual,
    genieFeatures: vi.fn(async () => features),
    listSpaces: vi.fn().mockResolvedValue([
      { spaceId: "s1", title: "NYC Taxi Trips", description: "Trips", sampleQuestions: ["How many trips were there?"], warehouseId: "w1" },
      { spaceId: "s2", title: "Sales (TPC-H)", description: "Orders", sampleQuestions: ["What is the revenue by region?"], warehouseId: "w2" },
    ]),
    genieResponseHistory: vi.fn().mockResolvedValue([]),
    resumeGenieResponses: vi.fn().mockResolvedValue(null),
    askGenieResponse: vi.fn((_w: string, _s: unknown, _q: string, _c: string | null, onUpdate: (v: ResponseView) => void) => {
      update = onUpdate;
      return new Promise<ResponseView>((resolve) => (finish = resolve));
    }),
    stopGenieResponse: vi.fn().mockResolvedValue(null),
    closeResult: vi.fn().mockResolvedValue(undefined),
  };
});

const platform = await import("../platform");
const { AskAnythingView } = await import("./AskAnythingView");

const alice = workspace({ id: "demo", name: "Demo", host: "http://127.0.0.1:1", status: { state: "signedIn", user: "alice@example.com", expiresAtMs: null } });

const view = (status: ResponseView["status"], extra: Partial<ResponseView> = {}): ResponseView =>
  responseView(7, status, {
    question: "What is the revenue by region?",
    conversationId: "c1",
    responseId: "r1",
    steps: [{ id: "n1", kind: "note", title: "Searching the data you can use", detailHtml: null, sql: null, done: true }],
    ...extra,
  });

describe("Ask anything", () => {
  beforeEach(() => {
    vi.clearAllMocks();
    features = { askAnything: { state: "available" }, agentMode: { state: "unknown" } };
  });

  it("says in one line when the preview is off and offers the Genie agents", async () => {
    features = { askAnything: { state: "unavailable", reason: "Ask anything needs the Genie One API preview." }, agentMode: { state: "unknown" } };
    const onOpenAgent = vi.fn();
    render(<AskAnythingView workspace={alice} onOpenAgent={onOpenAgent} onOpenInSql={vi.fn()} />);
    expect((await screen.findByTestId("ask-unavailable")).textContent).toContain("Genie One API");
    await waitFor(() => expect(screen.getAllByTestId("ask-offer-agent")).toHaveLength(2));
    fireEvent.click(screen.getAllByTestId("ask-offer-agent")[1]);
    expect(onOpenAgent).toHaveBeenCalledWith("s2");
    expect(screen.queryByTestId("ask-question")).toBeNull();
  });

  it("streams an answer with its steps and sources, then follows up in the conversation", async () => {
    render(<AskAnythingView workspace={alice} onOpenAgent={vi.fn()} onOpenInSql={vi.fn()} />);
    await waitFor(() => expect(screen.getAllByTestId("ask-sample")).toHaveLength(2));
    fireEvent.click(screen.getAllByTestId("ask-sample")[1]);
    expect(platform.askGenieResponse).toHaveBeenCalledWith("demo", { kind: "askAnything" }, "What is the revenue by region?", null, expect.any(Function));
    act(() => update(view("working", { textHtml: "<p>EUROPE leads</p>", textStreaming: true })));
    expect(screen.getByTestId("response-status").textContent).toContain("Writing the answer");
    expect(screen.getByTestId("response-step").getAttribute("data-done")).toBe("true");
    fireEvent.click(screen.getByTestId("response-stop"));
    expect(platform.stopGenieResponse).toHaveBeenCalledWith(7);
    await act(async () =>
      finish(
        view("completed", {
          textHtml: "<p>EUROPE leads with $1.2B.</p>",
          citations: [{ number: null, title: "samples.tpch.orders", assetType: "TABLE", identifier: "samples.tpch.orders", sql: null, link: null }],
        }),
      ),
    );
    expect(screen.getByTestId("response-text").textContent).toContain("$1.2B");
    expect(screen.getByTestId("response-citation").textContent).toContain("samples.tpch.orders");
    expect(screen.queryByTestId("response-stop")).toBeNull();
    fireEvent.input(screen.getByTestId("ask-question"), { target: { value: "now by year" } });
    fireEvent.click(screen.getByTestId("ask-submit"));
    expect(platform.askGenieResponse).toHaveBeenLastCalledWith("demo", { kind: "askAnything" }, "now by year", "c1", expect.any(Function));
  });

  it("marks a question Genie asks back as a question, not as the answer", async () => {
    render(<AskAnythingView workspace={alice} onOpenAgent={vi.fn()} onOpenInSql={vi.fn()} />);
    await waitFor(() => expect(screen.getAllByTestId("ask-sample")).toHaveLength(2));
    fireEvent.click(screen.getAllByTestId("ask-sample")[1]);
    await act(async () => finish(view("completed", { textHtml: "<p><strong>Which region?</strong></p>", asksBack: true })));
    expect(screen.getByTestId("genie-asks").textContent).toContain("Genie asks");
    expect(screen.getByTestId("genie-asks").textContent).toContain("Which region?");
  });
});
