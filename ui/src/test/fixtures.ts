// Test data shaped like what Rust sends: a workspace with defaults for the fields a test
// does not care about.
import type { ResponseView, WorkspaceList, WorkspaceSummary } from "../platform";

export function workspace(
  fields: Pick<WorkspaceSummary, "id" | "name" | "host"> & Partial<WorkspaceSummary>,
): WorkspaceSummary {
  return {
    workspaceId: null,
    location: (fields.host ?? "").replace(/^https?:\/\//, "") + (fields.workspaceId ? ` · workspace ${fields.workspaceId}` : ""),
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
  return { workspaces, activeId, canAdd: true, canUseTokens: true, signInsEndOnQuit: false };
}

/** A streamed answer (Ask anything unless `fields` say otherwise). */
export function responseView(id: number, status: ResponseView["status"], fields: Partial<ResponseView> = {}): ResponseView {
  return {
    id,
    surface: { kind: "askAnything" },
    question: "q",
    conversationId: null,
    responseId: null,
    status,
    steps: [],
    textHtml: "",
    textStreaming: false,
    asksBack: false,
    citations: [],
    tables: [],
    problem: null,
    createdAtMs: 0,
    ...fields,
  };
}
