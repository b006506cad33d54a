// The platform wrapper: Result unwrapping and error normalisation.
import { beforeEach, describe, expect, it, vi } from "vitest";

const appInfo = vi.fn();
const selectWorkspaceCmd = vi.fn();
vi.mock("../bindings", () => ({
  commands: { appInfo: () => appInfo(), selectWorkspace: (id: string) => selectWorkspaceCmd(id) },
  events: {},
}));

const { AppError, getAppInfo, selectWorkspace, toAppError } = await import("./index");

describe("platform commands", () => {
  beforeEach(() => {
    appInfo.mockReset();
    selectWorkspaceCmd.mockReset();
  });

  it("returns the data of an ok result", async () => {
    const info = { name: "Brickdesk", version: "0.1.0", identifier: "dev.brickdesk.app", os: "linux", arch: "x86_64" };
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
