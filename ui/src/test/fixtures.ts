// Test data shaped like what Rust sends: a workspace with defaults for the fields a test
// does not care about.
import type { WorkspaceList, WorkspaceSummary } from "../platform";

export function workspace(
  fields: Pick<WorkspaceSummary, "id" | "name" | "host"> & Partial<WorkspaceSummary>,
): WorkspaceSummary {
  return {
    managed: false,
    auth: { kind: "databricksCli" },
    redirect: { kind: "deepLink" },
    access: "everything",
    status: { state: "signedOut", reason: null },
    blocked: null,
    ...fields,
  };
}

export function workspaceList(workspaces: WorkspaceSummary[], activeId: string | null): WorkspaceList {
  return { workspaces, activeId, canAdd: true, canUseTokens: true };
}
