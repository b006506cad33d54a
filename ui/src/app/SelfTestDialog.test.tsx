// The connection test dialog: lines appear as Rust sends them, red lines say what to do, and
// the finished report can be copied or saved.
import { act, fireEvent, render, screen } from "@testing-library/preact";
import { describe, expect, it, vi } from "vitest";
import type { CheckLine, SelfTestReport } from "../platform";
import { workspace } from "../test/fixtures";
import { SelfTestDialog, type SelfTestActions } from "./SelfTestDialog";

const demo = workspace({ id: "demo", name: "Demo workspace", host: "http://127.0.0.1:8787" });

const proxy: CheckLine = { kind: "proxy", title: "Proxy", outcome: "skipped", detail: "No proxy is set.", fix: null };
const storage: CheckLine = {
  kind: "resultStorage",
  title: "Result storage",
  outcome: "fail",
  detail: "The connection to 127.0.0.1 failed.",
  fix: "Ask IT to allow 127.0.0.1.",
};

function controlled() {
  let send: (line: CheckLine) => void = () => {};
  let finish: (report: SelfTestReport) => void = () => {};
  const actions: SelfTestActions = {
    run: vi.fn((_id: string, onLine: (line: CheckLine) => void) => {
      send = onLine;
      return new Promise<SelfTestReport>((resolve) => (finish = resolve));
    }),
    copy: vi.fn(() => Promise.resolve(null)),
    save: vi.fn(() => Promise.resolve("/home/alice/Documents/Brickdesk connection test.txt")),
  };
  return { actions, send: (l: CheckLine) => send(l), finish: (r: SelfTestReport) => finish(r) };
}

describe("SelfTestDialog", () => {
  it("shows each line as it arrives, then offers the report to copy and save", async () => {
    const { actions, send, finish } = controlled();
    render(<SelfTestDialog workspace={demo} onClose={vi.fn()} actions={actions} />);
    expect(actions.run).toHaveBeenCalledWith("demo", expect.any(Function));
    expect(screen.getByTestId("self-test").dataset.phase).toBe("running");
    expect(screen.getByTestId("self-test-copy")).toHaveProperty("disabled", true);

    await act(() => send(proxy));
    expect(screen.getAllByTestId("self-test-line")).toHaveLength(1);
    await act(() => send(storage));
    const red = screen.getAllByTestId("self-test-line")[1];
    expect(red.dataset.outcome).toBe("fail");
    expect(red.textContent).toContain("What to do: Ask IT to allow 127.0.0.1.");
    expect(screen.getByRole("img", { name: "Failed" })).toBeTruthy();

    const report = { workspace: "Demo workspace", host: demo.host, lines: [proxy, storage], text: "[FAIL] Result storage" };
    await act(async () => finish(report));
    expect(screen.getByTestId("self-test").dataset.phase).toBe("done");
    expect(screen.getByTestId("self-test-summary").textContent).toBe("1 of 2 checks failed. 1 could not be checked.");

    await act(async () => {
      fireEvent.click(screen.getByTestId("self-test-copy"));
    });
    expect(actions.copy).toHaveBeenCalledWith("[FAIL] Result storage");
    expect((await screen.findByTestId("self-test-told")).textContent).toContain("Copied");
    await act(async () => {
      fireEvent.click(screen.getByTestId("self-test-save"));
    });
    expect(actions.save).toHaveBeenCalledWith("[FAIL] Result storage");
    expect((await screen.findByTestId("self-test-told")).textContent).toBe(
      "Saved to /home/alice/Documents/Brickdesk connection test.txt",
    );
  });

  it("drops lines of a run that was started again", async () => {
    const first = controlled();
    const { rerender } = render(<SelfTestDialog workspace={demo} onClose={vi.fn()} actions={first.actions} />);
    await act(async () =>
      first.finish({ workspace: "Demo workspace", host: demo.host, lines: [proxy], text: "one" }),
    );
    const second = controlled();
    rerender(<SelfTestDialog workspace={demo} onClose={vi.fn()} actions={second.actions} />);
    await act(async () => {
      fireEvent.click(screen.getByTestId("self-test-again"));
    });
    expect(second.actions.run).toHaveBeenCalledOnce();
    expect(screen.queryAllByTestId("self-test-line")).toHaveLength(0);
    await act(() => first.send(storage));
    expect(screen.queryAllByTestId("self-test-line")).toHaveLength(0);
    await act(() => second.send(storage));
    expect(screen.getAllByTestId("self-test-line")).toHaveLength(1);
  });
});
