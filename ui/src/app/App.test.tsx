// The shell with a fake platform: initial load, events from Rust, notices and their timeout.
import { workspace, workspaceList } from "../test/fixtures";
import { act, fireEvent, render, screen, waitFor, within } from "@testing-library/preact";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  AppError,
  addWorkspace,
  listWorkspaces,
  onWorkspacesChanged,
  selectWorkspace,
  type DeepLinkHandled,
  type DeepLinkRejected,
  type ProxySignInRequest,
  type WorkspaceList,
  saveProxySignIn,
  dismissProxySignIn,
} from "../platform";

type Listener<T> = (payload: T) => void;
const listeners: {
  workspaces?: Listener<WorkspaceList>;
  handled?: Listener<DeepLinkHandled>;
  rejected?: Listener<DeepLinkRejected>;
  proxy?: Listener<ProxySignInRequest>;
} = {};

const initial: WorkspaceList = {
  workspaces: [workspace({ id: "demo", name: "Demo workspace", host: "http://127.0.0.1:8787", managed: false })],
  activeId: "demo",
  canAdd: true,
  canUseTokens: true,
  signInsEndOnQuit: false,
};
const finance = workspace({ id: "ws-1", name: "Finance", host: "https://f.example", managed: false });

vi.mock("../platform", async (importActual) => {
  const actual = await importActual<typeof import("../platform")>();
  return {
    ...actual,
    getAppInfo: vi.fn().mockResolvedValue({ name: "Brickdesk", version: "0.1.0", identifier: "dev.brickdesk.app", os: "linux", arch: "x86_64", locale: "en-US" }),
    listWorkspaces: vi.fn(),
    selectWorkspace: vi.fn(),
    addWorkspace: vi.fn(),
    onWorkspacesChanged: vi.fn(async (cb: Listener<WorkspaceList>) => ((listeners.workspaces = cb), () => {})),
    onDeepLinkHandled: vi.fn(async (cb: Listener<DeepLinkHandled>) => ((listeners.handled = cb), () => {})),
    onDeepLinkRejected: vi.fn(async (cb: Listener<DeepLinkRejected>) => ((listeners.rejected = cb), () => {})),
    onSignInFailed: vi.fn(async () => () => {}),
    onProxySignInNeeded: vi.fn(async (cb: Listener<ProxySignInRequest>) => ((listeners.proxy = cb), () => {})),
    saveProxySignIn: vi.fn().mockResolvedValue(null),
    dismissProxySignIn: vi.fn().mockResolvedValue(null),
    startupNotices: vi.fn().mockResolvedValue([]),
  };
});

const { App } = await import("./App");

async function renderLoaded() {
  render(<App />);
  await screen.findByText("Demo workspace", { selector: ".workspace-label" });
  await waitFor(() => expect(listeners.rejected).toBeDefined());
}

describe("App", () => {
  beforeEach(() => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    vi.mocked(listWorkspaces).mockResolvedValue(initial);
    delete listeners.workspaces;
    delete listeners.handled;
    delete listeners.rejected;
  });
  afterEach(() => vi.useRealTimers());

  it("shows the workspace, the section and the version in the status bar", async () => {
    await renderLoaded();
    expect(screen.getByTestId("app-shell").tagName).toBe("MAIN");
    expect(screen.getByTestId("status-workspace").textContent).toBe("http://127.0.0.1:8787");
    await waitFor(() => expect(screen.getByTestId("status-version").textContent).toBe("Brickdesk 0.1.0 · linux/x86_64"));
    // A signed-in business user lands on Ask anything.
    expect(screen.getByRole("heading", { level: 1 }).textContent).toBe("Ask anything");
    expect(screen.getByText("Sign in to Demo workspace to ask about your data.")).toBeTruthy();
  });

  it("has honest empty states when there is no workspace", async () => {
    vi.mocked(listWorkspaces).mockResolvedValue(workspaceList([], null));
    render(<App />);
    await screen.findByRole("button", { name: "Add a workspace" });
    expect(screen.getByText("Add a workspace to get started.")).toBeTruthy();
    expect(screen.getByTestId("status-workspace").textContent).toBe("No workspace");
  });

  it("switches sections from the Sections navigation", async () => {
    await renderLoaded();
    expect(screen.getByTestId("nav-ask").getAttribute("aria-current")).toBe("page");
    fireEvent.click(screen.getByTestId("nav-genie"));
    expect(screen.getByRole("region", { name: "Genie agents" }).textContent).toContain("Sign in to Demo workspace to see its Genie agents.");
    fireEvent.click(screen.getByTestId("nav-sql"));
    expect(screen.getByTestId("nav-sql").getAttribute("aria-current")).toBe("page");
    expect(screen.getByTestId("nav-ask").getAttribute("aria-current")).toBeNull();
    expect(screen.getByRole("region", { name: "SQL" }).textContent).toContain(
      "Sign in to Demo workspace to choose a warehouse.",
    );
  });

  it("selects a workspace through the platform and shows the returned list", async () => {
    vi.mocked(listWorkspaces).mockResolvedValue(workspaceList([...initial.workspaces, finance], "demo"));
    vi.mocked(selectWorkspace).mockResolvedValue(workspaceList([...initial.workspaces, finance], "ws-1"));
    await renderLoaded();
    fireEvent.click(screen.getByText("Finance", { selector: ".workspace-label" }));
    expect(selectWorkspace).toHaveBeenCalledWith("ws-1");
    await waitFor(() => expect(screen.getByTestId("status-workspace").textContent).toBe("https://f.example"));
  });

  it("adds a workspace from the dialog and shows it", async () => {
    vi.mocked(addWorkspace).mockResolvedValue(workspaceList([...initial.workspaces, finance], "ws-1"));
    await renderLoaded();
    fireEvent.click(screen.getByTestId("add-workspace"));
    const dialog = screen.getByRole("dialog", { name: "Add a workspace" });
    fireEvent.input(within(dialog).getByLabelText("Workspace URL"), { target: { value: "https://f.example" } });
    fireEvent.submit(dialog.querySelector("form") as HTMLFormElement);
    await screen.findByText("Finance", { selector: ".workspace-label" });
    expect(addWorkspace).toHaveBeenCalledWith({
      name: "",
      host: "https://f.example",
      auth: { kind: "databricksCli" },
      redirect: null,
      secret: null,
    }, expect.any(Function));
    await waitFor(() => expect(dialog.hasAttribute("open")).toBe(false));
  });

  it("follows workspace changes and link events from Rust", async () => {
    await renderLoaded();
    act(() => listeners.workspaces?.(workspaceList([...initial.workspaces, finance], "ws-1")));
    await waitFor(() => expect(screen.getByTestId("status-workspace").textContent).toBe("https://f.example"));
    const current = screen.getAllByTestId("workspace-item").filter((item) => item.getAttribute("aria-current"));
    expect(current.map((item) => item.textContent)).toEqual([expect.stringContaining("Finance")]);

    act(() => listeners.rejected?.({ reason: "wrong_scheme" }));
    act(() => listeners.handled?.({ route: "open", workspaceId: "ws-1" }));
    const notices = within(screen.getByTestId("notices")).getAllByTestId("notice");
    expect(notices.map((n) => n.getAttribute("data-kind"))).toEqual(["deep-link-rejected", "deep-link-handled"]);
    expect(notices[0].textContent).toContain("Brickdesk ignored a link it could not use: it is not a Brickdesk link.");
    expect(notices[1].textContent).toContain("Opened from a link (Finance)");
    // Finance is active already: nothing to ask.
    expect(screen.queryByTestId("switch-confirm")).toBeNull();
  });

  it("asks before a link switches the workspace, and switches only on yes", async () => {
    vi.mocked(selectWorkspace).mockReset().mockResolvedValue(workspaceList([...initial.workspaces, finance], "ws-1"));
    await renderLoaded();
    act(() => listeners.workspaces?.(workspaceList([...initial.workspaces, finance], "demo")));
    act(() => listeners.handled?.({ route: "open", workspaceId: "ws-1" }));
    expect(screen.getByTestId("switch-confirm").textContent).toContain("A link asks to open Finance");
    expect(screen.queryAllByTestId("notice"), "the bar says it; no toast besides").toHaveLength(0);
    expect(selectWorkspace).not.toHaveBeenCalled();
    fireEvent.click(screen.getByTestId("switch-confirm-no"));
    expect(screen.queryByTestId("switch-confirm")).toBeNull();
    expect(selectWorkspace).not.toHaveBeenCalled();
    act(() => listeners.handled?.({ route: "open", workspaceId: "ws-1" }));
    await act(async () => {
      fireEvent.click(screen.getByTestId("switch-confirm-yes"));
    });
    expect(selectWorkspace).toHaveBeenCalledWith("ws-1");
  });

  it("shows a command's AppError as an error notice", async () => {
    vi.mocked(listWorkspaces).mockRejectedValue(new AppError("config", "workspaces.json is unreadable."));
    render(<App />);
    const notice = await screen.findByText("workspaces.json is unreadable.");
    expect(notice.closest("[data-testid=notice]")?.getAttribute("data-kind")).toBe("error");
  });

  it("keeps an error notice until it is dismissed", async () => {
    vi.mocked(listWorkspaces).mockRejectedValue(new AppError("config", "workspaces.json is unreadable."));
    render(<App />);
    await screen.findByText("workspaces.json is unreadable.");
    await act(async () => {
      vi.advanceTimersByTime(60_000);
    });
    expect(screen.getByText("workspaces.json is unreadable.")).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "Dismiss" }));
    expect(screen.queryByText("workspaces.json is unreadable.")).toBeNull();
  });

  it("dismisses notices on request and informational ones by themselves after 8 seconds", async () => {
    await renderLoaded();
    act(() => listeners.rejected?.({ reason: "too_long" }));
    act(() => listeners.rejected?.({ reason: "not_a_url" }));
    expect(screen.getAllByTestId("notice")).toHaveLength(2);
    fireEvent.click(screen.getAllByRole("button", { name: "Dismiss" })[0]);
    expect(screen.getAllByTestId("notice")).toHaveLength(1);
    await act(async () => {
      vi.advanceTimersByTime(7900);
    });
    expect(screen.getAllByTestId("notice")).toHaveLength(1);
    await act(async () => {
      vi.advanceTimersByTime(200);
    });
    expect(screen.queryAllByTestId("notice")).toHaveLength(0);
  });
  it("asks for the company network sign-in when Rust says a proxy needs one", async () => {
    await renderLoaded();
    await act(() => listeners.proxy?.({ proxy: "proxy.corp:8080", schemes: ["Basic"], refused: false }));
    expect(screen.getByTestId("proxy-sign-in").textContent).toContain("Proxy: proxy.corp:8080");
    fireEvent.input(screen.getByTestId("proxy-sign-in-user"), { target: { value: "alice" } });
    fireEvent.input(screen.getByTestId("proxy-sign-in-password"), { target: { value: "pw" } });
    await act(async () => {
      fireEvent.click(screen.getByTestId("proxy-sign-in-save"));
    });
    expect(saveProxySignIn).toHaveBeenCalledWith("proxy.corp:8080", "alice", "pw");
    expect(await screen.findByText("Signed in to your company network. Try again what did not work.")).toBeTruthy();
    expect(screen.queryByTestId("proxy-sign-in-user")).toBeNull();
  });
  it("lists the workspaces only once it hears of their changes, so that none is lost", async () => {
    vi.mocked(listWorkspaces).mockClear();
    let subscribed: () => void = () => {};
    vi.mocked(onWorkspacesChanged).mockImplementationOnce(
      (cb) =>
        new Promise((resolve) => {
          subscribed = () => ((listeners.workspaces = cb), resolve(() => {}));
        }),
    );
    render(<App />);
    await act(async () => {
      vi.advanceTimersByTime(50);
    });
    expect(listWorkspaces).not.toHaveBeenCalled();
    await act(async () => subscribed());
    await screen.findByText("Demo workspace", { selector: ".workspace-label" });
    expect(listWorkspaces).toHaveBeenCalledTimes(1);
  });
  it("says once, and until dismissed, that sign-ins end on quit where Windows keeps none", async () => {
    await renderLoaded();
    expect(screen.queryAllByTestId("notice")).toHaveLength(0);
    await act(() => listeners.workspaces?.({ ...initial, signInsEndOnQuit: true }));
    await act(() => listeners.workspaces?.({ ...initial, signInsEndOnQuit: true }));
    const notices = screen.getAllByTestId("notice");
    expect(notices).toHaveLength(1);
    expect(notices[0].textContent).toContain("sign in again after that");
    await act(async () => {
      vi.advanceTimersByTime(20_000);
    });
    expect(screen.getAllByTestId("notice")).toHaveLength(1);
  });
  it("tells Rust when the user closes the network sign-in without answering", async () => {
    await renderLoaded();
    await act(() => listeners.proxy?.({ proxy: "proxy.corp:8080", schemes: ["NTLM"], refused: false }));
    await act(async () => {
      fireEvent.click(screen.getByTestId("proxy-sign-in-cancel"));
    });
    expect(dismissProxySignIn).toHaveBeenCalledWith("proxy.corp:8080");
    expect(screen.queryByTestId("proxy-sign-in-user")).toBeNull();
  });
});
