// The shell with a fake platform: initial load, events from Rust, notices and their timeout.
import { act, render, screen, waitFor } from "@testing-library/preact";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { DeepLinkHandled, DeepLinkRejected, WorkspaceList } from "../platform";

type Listener<T> = (payload: T) => void;
const listeners: {
  workspaces?: Listener<WorkspaceList>;
  handled?: Listener<DeepLinkHandled>;
  rejected?: Listener<DeepLinkRejected>;
} = {};

const initial: WorkspaceList = {
  workspaces: [{ id: "demo", name: "Demo workspace", host: "http://127.0.0.1:8787", managed: false }],
  activeId: "demo",
};

vi.mock("../platform", async (importActual) => {
  const actual = await importActual<typeof import("../platform")>();
  return {
    ...actual,
    getAppInfo: vi.fn().mockResolvedValue({ name: "Brickdesk", version: "0.1.0", identifier: "dev.brickdesk.app", os: "linux", arch: "x86_64" }),
    listWorkspaces: vi.fn(() => Promise.resolve(initial)),
    selectWorkspace: vi.fn(),
    addWorkspace: vi.fn(),
    onWorkspacesChanged: vi.fn(async (cb: Listener<WorkspaceList>) => ((listeners.workspaces = cb), () => {})),
    onDeepLinkHandled: vi.fn(async (cb: Listener<DeepLinkHandled>) => ((listeners.handled = cb), () => {})),
    onDeepLinkRejected: vi.fn(async (cb: Listener<DeepLinkRejected>) => ((listeners.rejected = cb), () => {})),
  };
});
vi.mock("../bindings", () => ({ commands: {}, events: {} }));

const { App } = await import("./App");

describe("App", () => {
  beforeEach(() => vi.useFakeTimers({ shouldAdvanceTime: true }));
  afterEach(() => vi.useRealTimers());

  it("shows the workspace, the section and the version in the status bar", async () => {
    render(<App />);
    await screen.findByText("Demo workspace", { selector: ".workspace-name" });
    expect(screen.getByTestId("status-workspace").textContent).toBe("http://127.0.0.1:8787");
    await waitFor(() => expect(screen.getByTestId("status-version").textContent).toBe("Brickdesk 0.1.0 · linux/x86_64"));
    expect(screen.getByRole("heading", { level: 1 }).textContent).toBe("Genie");
    expect(screen.getByText("Sign in to Demo workspace to see its Genie spaces.")).toBeTruthy();
  });

  it("follows workspace changes and link events from Rust", async () => {
    render(<App />);
    await screen.findByText("Demo workspace", { selector: ".workspace-name" });
    await waitFor(() => expect(listeners.workspaces).toBeDefined());
    const switched: WorkspaceList = {
      workspaces: [...initial.workspaces, { id: "ws-1", name: "Finance", host: "https://f.example", managed: false }],
      activeId: "ws-1",
    };
    act(() => listeners.workspaces?.(switched));
    await waitFor(() => expect(screen.getByTestId("status-workspace").textContent).toBe("https://f.example"));

    act(() => listeners.rejected?.({ reason: "wrong_scheme" }));
    act(() => listeners.handled?.({ route: "open", workspaceId: "ws-1" }));
    const notices = screen.getAllByTestId("notice");
    expect(notices.map((n) => n.getAttribute("data-kind"))).toEqual(["deep-link-rejected", "deep-link-handled"]);
    expect(notices[0].textContent).toContain("it is not a Brickdesk link");
    expect(notices[1].textContent).toContain("switched to Finance");
  });

  it("dismisses notices by themselves after a while", async () => {
    render(<App />);
    await waitFor(() => expect(listeners.rejected).toBeDefined());
    act(() => listeners.rejected?.({ reason: "too_long" }));
    expect(screen.getAllByTestId("notice")).toHaveLength(1);
    await act(async () => {
      vi.advanceTimersByTime(8001);
    });
    expect(screen.queryAllByTestId("notice")).toHaveLength(0);
  });
});
