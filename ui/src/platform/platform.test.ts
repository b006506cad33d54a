// The platform wrapper: Result unwrapping and error normalisation.
import { beforeEach, describe, expect, it, vi } from "vitest";

const appInfo = vi.fn();
const selectWorkspaceCmd = vi.fn();
const addWorkspaceCmd = vi.fn();
const rejectedListen = vi.fn();
vi.mock("../bindings", () => ({
  commands: {
    appInfo: () => appInfo(),
    selectWorkspace: (id: string) => selectWorkspaceCmd(id),
    addWorkspace: (name: string, host: string) => addWorkspaceCmd(name, host),
  },
  events: { deepLinkRejected: { listen: (cb: unknown) => rejectedListen(cb) } },
}));

const { AppError, addWorkspace, getAppInfo, onDeepLinkRejected, selectWorkspace, toAppError } = await import("./index");

describe("platform commands", () => {
  beforeEach(() => {
    appInfo.mockReset();
    selectWorkspaceCmd.mockReset();
    addWorkspaceCmd.mockReset();
  });

  it("passes the arguments through", async () => {
    // A Channel registers its callback with the Tauri runtime, which tests stand in for.
    Object.assign(window, { __TAURI_INTERNALS__: { transformCallback: () => 1 } });
    const list = { workspaces: [], activeId: null, canAdd: true, canUseTokens: true, signInsEndOnQuit: false };
    addWorkspaceCmd.mockResolvedValue({ status: "ok", data: list });
    const workspace = { name: "", host: "https://dbc-1.cloud.databricks.com", auth: { kind: "databricksCli" as const }, redirect: null, secret: null };
    await expect(addWorkspace(workspace)).resolves.toBe(list);
    expect(addWorkspaceCmd).toHaveBeenCalledWith(workspace, expect.anything());
  });

  it("returns the data of an ok result", async () => {
    const info = { name: "Brickdesk", version: "0.1.0", identifier: "dev.brickdesk.app", os: "linux", arch: "x86_64", locale: "en-US" };
    appInfo.mockResolvedValue({ status: "ok", data: info });
    await expect(getAppInfo()).resolves.toEqual(info);
  });

  it("throws an AppError with the code and message of an error result", async () => {
    selectWorkspaceCmd.mockResolvedValue({ status: "error", error: { code: "not_found", message: "Gone." } });
    const error = await selectWorkspace("x").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: "not_found", message: "Gone." });
    expect(selectWorkspaceCmd).toHaveBeenCalledWith("x");
  });

  it("turns a plain-string framework rejection into an internal AppError", async () => {
    selectWorkspaceCmd.mockResolvedValue({ status: "error", error: "Command select_workspace not allowed by ACL" });
    await expect(selectWorkspace("x")).rejects.toMatchObject({
      code: "internal",
      message: "Command select_workspace not allowed by ACL",
    });
  });

  it("turns a thrown Error into an internal AppError", async () => {
    appInfo.mockRejectedValue(new Error("IPC unavailable"));
    await expect(getAppInfo()).rejects.toMatchObject({ code: "internal", message: "IPC unavailable" });
  });
});

describe("toAppError", () => {
  it("keeps AppErrors and has a sentence for unknown values", () => {
    const original = new AppError("network", "Offline.");
    expect(toAppError(original)).toBe(original);
    expect(toAppError(42)).toMatchObject({ code: "internal", message: "Something went wrong inside Brickdesk." });
  });
});

describe("platform events", () => {
  beforeEach(() => {
    rejectedListen.mockReset();
  });

  it("hands the callback the payload and returns the unlisten function", async () => {
    const unlisten = vi.fn();
    rejectedListen.mockResolvedValue(unlisten);
    const cb = vi.fn();
    await expect(onDeepLinkRejected(cb)).resolves.toBe(unlisten);
    const handler = rejectedListen.mock.calls[0][0] as (event: { event: string; id: number; payload: unknown }) => void;
    handler({ event: "deep-link-rejected", id: 1, payload: { reason: "wrong_scheme" } });
    expect(cb).toHaveBeenCalledWith({ reason: "wrong_scheme" });
  });

  it("rejects with an AppError when subscribing fails, even synchronously", async () => {
    rejectedListen.mockImplementation(() => {
      throw "event.listen not allowed";
    });
    const error = await onDeepLinkRejected(vi.fn()).then(() => "resolved", (e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: "internal", message: "event.listen not allowed" });
  });
});
