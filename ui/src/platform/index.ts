// The only module that talks to Tauri: typed commands and events, with errors as AppError.
import { Channel } from "@tauri-apps/api/core";
import {
  commands,
  events,
  type Access,
  type AllRows,
  type NewSavedQuery,
  type SavedQuery,
  type ImageFormat,
  type Answer,
  type AnswerReport,
  type AppInfo,
  type ConversationSummary,
  type Favourite,
  type GenieEvent,
  type GenieFeatures,
  type ResponseSummary,
  type ResponseView,
  type Surface,
  type MessageRef,
  type OutboxEntry,
  type QueryAnswer,
  type Rating,
  type Space,
  type DeepLinkHandled,
  type DeepLinkRejected,
  type DiscoveryStep,
  type ErrorCode,
  type CheckLine,
  type ColumnEntry,
  type TableEntry,
  type ExportDone,
  type ExportFormat,
  type ExportProgress,
  type HistoryEntry,
  type SelfTestReport,
  type ViewSpec,
  type ViewProgress,
  type Workbench,
  type ErrorInfo,
  type ImportReport,
  type ProxySignInRequest,
  type NewWorkspace,
  type RedirectAdvice,
  type RedirectMode,
  type ResultSummary,
  type RowWindow,
  type RunEvent,
  type StatementRequest,
  type Warehouse,
  type WorkspaceList,
} from "../bindings";

export type {
  Access,
  Visualization,
  NewSavedQuery,
  SavedQuery,
  ImageFormat,
  AboutLine,
  AnswerReport,
  ChartChoice,
  AllRows,
  AllRowsSource,
  AnswerText,
  RedirectAdvice,
  TextPurpose,
  CheckLine,
  SelfTestReport,
  Answer,
  ConversationSummary,
  Favourite,
  GenieEvent,
  GenieFeatures,
  Availability,
  Citation,
  ResponseStatus,
  ResponseStep,
  ResponseSummary,
  ResponseView,
  StepKind,
  SupportingTable,
  Surface,
  MessageRef,
  MessageStatus,
  OutboxEntry,
  QueryAnswer,
  Rating,
  Space,
  Step,
  AppInfo,
  ExportDone,
  ExportFormat,
  ExportProgress,
  HistoryEntry,
  RunStatus,
  SqlTab,
  ViewSpec,
  ViewProgress,
  Workbench,
  Candidate,
  Column,
  ColumnEntry,
  TableEntry,
  Disposition,
  FetchProgress,
  ParamType,
  Parameter,
  Progress,
  ResultSummary,
  RowWindow,
  RunEvent,
  StatementRequest,
  StatementState,
  Warehouse,
  ImportReport,
  DeepLinkHandled,
  DeepLinkRejected,
  DeepLinkRoute,
  DiscoveryStep,
  ErrorCode,
  ErrorInfo,
  NewWorkspace,
  RedirectMode,
  SignInState,
  Rejection,
  WorkspaceList,
  WorkspaceSummary,
  ProxySignInRequest,
} from "../bindings";

/** An error from the app, with the code the UI branches on and a sentence for the user. */
export class AppError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = "AppError";
    this.code = code;
  }
}

type Outcome<T> = { status: "ok"; data: T } | { status: "error"; error: ErrorInfo };

function isErrorInfo(value: unknown): value is ErrorInfo {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as ErrorInfo).code === "string" &&
    typeof (value as ErrorInfo).message === "string"
  );
}

/** Normalises anything a command can reject with. Tauri itself rejects with plain strings
 *  (unknown command, denied by the ACL, bad arguments): those are bugs, so code "internal". */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (isErrorInfo(error)) return new AppError(error.code, error.message);
  if (typeof error === "string") return new AppError("internal", error);
  if (error instanceof Error) return new AppError("internal", error.message);
  return new AppError("internal", "Something went wrong inside Brickdesk.");
}

async function unwrap<T>(call: () => Promise<Outcome<T>>): Promise<T> {
  let outcome: Outcome<T>;
  try {
    outcome = await call();
  } catch (error) {
    throw toAppError(error);
  }
  if (outcome.status === "ok") return outcome.data;
  throw toAppError(outcome.error);
}

export const getAppInfo = (): Promise<AppInfo> => unwrap(() => commands.appInfo());
/** Puts a secret-free report for the helpdesk on the clipboard, and returns it. */
export const copyDiagnostics = (): Promise<string> => unwrap(() => commands.copyDiagnostics());
/** Runs the network self-test for a workspace, telling `onLine` about each line as it is known. */
export const runSelfTest = (workspaceId: string, onLine: (line: CheckLine) => void): Promise<SelfTestReport> => {
  const lines = new Channel<CheckLine>();
  lines.onmessage = onLine;
  return unwrap(() => commands.runSelfTest(workspaceId, lines));
};
export const copySelfTestReport = (text: string): Promise<null> => unwrap(() => commands.copySelfTestReport(text));
/** Asks where to save the report; the path, or `null` when the user closed the dialog. */
export const saveSelfTestReport = (text: string): Promise<string | null> =>
  unwrap(() => commands.saveSelfTestReport(text));
export const listWorkspaces = (): Promise<WorkspaceList> => unwrap(() => commands.listWorkspaces());
export const selectWorkspace = (id: string): Promise<WorkspaceList> =>
  unwrap(() => commands.selectWorkspace(id));
/** Adds a workspace; `onProgress` hears each discovery step as it happens. */
export const addWorkspace = (
  workspace: NewWorkspace,
  onProgress: (step: DiscoveryStep) => void = () => {},
): Promise<WorkspaceList> => {
  const progress = new Channel<DiscoveryStep>();
  progress.onmessage = onProgress;
  return unwrap(() => commands.addWorkspace(workspace, progress));
};
export const renameWorkspace = (id: string, name: string): Promise<WorkspaceList> =>
  unwrap(() => commands.renameWorkspace(id, name));
export const setWorkspaceRedirect = (id: string, redirect: RedirectMode): Promise<WorkspaceList> =>
  unwrap(() => commands.setWorkspaceRedirect(id, redirect));
export const reorderWorkspaces = (ids: string[]): Promise<WorkspaceList> =>
  unwrap(() => commands.reorderWorkspaces(ids));
export const removeWorkspace = (id: string): Promise<WorkspaceList> =>
  unwrap(() => commands.removeWorkspace(id));
/** Starts signing in (the system browser opens for browser sign-ins). When the app connection
 *  does not accept the workspace's sign-in address, no browser opens and the advice comes back. */
export const signIn = (id: string): Promise<RedirectAdvice | null> => unwrap(() => commands.signIn(id));
/** SQL only, or everything: the workspace is signed out, and the next sign-in asks for it. */
export const setWorkspaceAccess = (id: string, access: Access): Promise<WorkspaceList> =>
  unwrap(() => commands.setWorkspaceAccess(id, access));
export const cancelSignIn = (id: string): Promise<WorkspaceList> =>
  unwrap(() => commands.cancelSignIn(id));
export const signOut = (id: string): Promise<WorkspaceList> => unwrap(() => commands.signOut(id));
/** What ~/.databrickscfg offers to import (hosts and methods; never its secrets). */
export const databrickscfgCandidates = (): Promise<ImportReport> =>
  unwrap(() => commands.databrickscfgCandidates());
export const startupNotices = (): Promise<ErrorInfo[]> => unwrap(() => commands.startupNotices());

// SQL
export const listWarehouses = (workspaceId: string): Promise<Warehouse[]> =>
  unwrap(() => commands.listWarehouses(workspaceId));
/** Starts a warehouse; `onProgress` hears each state until it runs. */
export const startWarehouse = (
  workspaceId: string,
  warehouseId: string,
  onProgress: (warehouse: Warehouse) => void = () => {},
): Promise<Warehouse> => {
  const progress = new Channel<Warehouse>();
  progress.onmessage = onProgress;
  return unwrap(() => commands.startWarehouse(workspaceId, warehouseId, progress));
};
/** The `:name` parameters of a statement, in order. */
export const sqlParameters = (sql: string): Promise<string[]> => commands.sqlParameters(sql);
/** Runs a statement; `onEvent` hears its run id, every status, its columns and row progress. */
export const runStatement = (
  workspaceId: string,
  request: StatementRequest,
  onEvent: (event: RunEvent) => void,
): Promise<ResultSummary> => {
  const events = new Channel<RunEvent>();
  events.onmessage = onEvent;
  return unwrap(() => commands.runStatement(workspaceId, request, events));
};
export const cancelStatement = (runId: number): Promise<null> => unwrap(() => commands.cancelStatement(runId));
export const resultWindow = (runId: number, offset: number, limit: number): Promise<RowWindow> =>
  unwrap(() => commands.resultWindow(runId, offset, limit));
/** Frees a result in Rust; best effort (a result already gone is fine). */
export const closeResult = (runId: number): Promise<void> => commands.closeResult(runId).catch(() => {});
/** Catalogs; `warehouseId` lets a SQL-only sign-in list them through SQL. */
export const listCatalogs = (workspaceId: string, warehouseId: string | null): Promise<string[]> =>
  unwrap(() => commands.listCatalogs(workspaceId, warehouseId));
export const listSchemas = (workspaceId: string, catalog: string, warehouseId: string | null): Promise<string[]> =>
  unwrap(() => commands.listSchemas(workspaceId, catalog, warehouseId));
export const listTables = (
  workspaceId: string,
  catalog: string,
  schema: string,
  warehouseId: string | null,
): Promise<TableEntry[]> => unwrap(() => commands.listTables(workspaceId, catalog, schema, warehouseId));
export const listColumns = (
  workspaceId: string,
  catalog: string,
  schema: string,
  table: string,
  warehouseId: string | null,
): Promise<ColumnEntry[]> => unwrap(() => commands.listColumns(workspaceId, catalog, schema, table, warehouseId));
/** Sorts and filters a result in Rust; the summary's `shownRows` is the new row count. A
 *  newer view of the same result stops this one (it then fails with code `cancelled`). */
export const setResultView = (
  runId: number,
  view: ViewSpec,
  onProgress: (progress: ViewProgress) => void = () => {},
): Promise<ResultSummary> => {
  const progress = new Channel<ViewProgress>();
  progress.onmessage = onProgress;
  return unwrap(() => commands.setResultView(runId, view, progress));
};
/** Stops the sort or filter being computed; the rows keep their last view. */
export const cancelResultView = (runId: number): Promise<null> => unwrap(() => commands.cancelResultView(runId));
/** Puts a PNG of a chart on the clipboard as an image. */
export const copyChartImage = (png: Uint8Array): Promise<null> => unwrap(() => commands.copyChartImage(Array.from(png)));
/** Asks where to save a chart picture and writes it; the path, or `null` when the dialog closed. */
export const saveChartImage = (fileName: string, format: ImageFormat, bytes: Uint8Array): Promise<string | null> =>
  unwrap(() => commands.saveChartImage(fileName, format, Array.from(bytes)));
/** Copies rows `from..to` of the current view to the clipboard as TSV; returns how many.
 *  `protectFormulas` makes cells that a spreadsheet would run as formulas inert. */
export const copyResultRows = (runId: number, from: number, to: number, protectFormulas = true): Promise<number> =>
  unwrap(() => commands.copyResultRows(runId, from, to, protectFormulas));
/** Asks where to save and exports; `null` when the user closed the dialog. An Excel export of
 *  an answer brings its `report`: the About sheet and a native chart. */
export const exportResult = (
  runId: number,
  format: ExportFormat,
  fileName: string,
  onProgress: (progress: ExportProgress) => void,
  protectFormulas = true,
  report: AnswerReport | null = null,
): Promise<ExportDone | null> => {
  const progress = new Channel<ExportProgress>();
  progress.onmessage = onProgress;
  const options = { format, fileName, protectFormulas, report: format === "xlsx" ? report : null };
  return unwrap(() => commands.exportResult(runId, options, progress));
};
export const cancelExport = (runId: number): Promise<null> => unwrap(() => commands.cancelExport(runId));
export const sqlHistory = (workspaceId: string, query: string): Promise<HistoryEntry[]> =>
  unwrap(() => commands.sqlHistory(workspaceId, query));
export const deleteHistoryEntry = (id: number): Promise<null> => unwrap(() => commands.deleteHistoryEntry(id));
export const savedQueries = (workspaceId: string): Promise<SavedQuery[]> => unwrap(() => commands.savedQueries(workspaceId));
/** Saves under the query's name, replacing a query of that name. */
export const saveQuery = (workspaceId: string, query: NewSavedQuery): Promise<SavedQuery> =>
  unwrap(() => commands.saveQuery(workspaceId, query));
export const deleteSavedQuery = (id: number): Promise<null> => unwrap(() => commands.deleteSavedQuery(id));
export const loadWorkbench = (workspaceId: string): Promise<Workbench> =>
  unwrap(() => commands.loadWorkbench(workspaceId));
export const saveWorkbench = (workspaceId: string, workbench: Workbench): Promise<null> =>
  unwrap(() => commands.saveWorkbench(workspaceId, workbench));

// Genie
export const listSpaces = (workspaceId: string): Promise<Space[]> => unwrap(() => commands.listSpaces(workspaceId));
/** A space by a pasted Genie link or id; a denial explains itself. */
export const openSpace = (workspaceId: string, link: string): Promise<Space> =>
  unwrap(() => commands.openSpace(workspaceId, link));
export const genieFavourites = (workspaceId: string): Promise<Favourite[]> =>
  unwrap(() => commands.genieFavourites(workspaceId));
export const setGenieFavourite = (workspaceId: string, space: Favourite, pinned: boolean): Promise<Favourite[]> =>
  unwrap(() => commands.setGenieFavourite(workspaceId, space, pinned));
/** Asks a question (a follow-up when `conversationId` is set); `onEvent` hears its progress. */
export const askGenie = (
  workspaceId: string,
  spaceId: string,
  conversationId: string | null,
  question: string,
  onEvent: (event: GenieEvent) => void,
): Promise<Answer> => {
  const events = new Channel<GenieEvent>();
  events.onmessage = onEvent;
  return unwrap(() => commands.askGenie(workspaceId, spaceId, conversationId, question, events));
};
export const pendingQuestions = (workspaceId: string): Promise<OutboxEntry[]> =>
  unwrap(() => commands.pendingQuestions(workspaceId));
/** Follows every question still on its way (after a restart) to its answer. */
export const resumeQuestions = (workspaceId: string, onEvent: (event: GenieEvent) => void): Promise<null> => {
  const events = new Channel<GenieEvent>();
  events.onmessage = onEvent;
  return unwrap(() => commands.resumeQuestions(workspaceId, events));
};
export const listConversations = (workspaceId: string, spaceId: string): Promise<ConversationSummary[]> =>
  unwrap(() => commands.listConversations(workspaceId, spaceId));
export const openConversation = (workspaceId: string, spaceId: string, conversationId: string): Promise<Answer[]> =>
  unwrap(() => commands.openConversation(workspaceId, spaceId, conversationId));
/** An Agent-mode conversation from the history, read back whole (read-only views). */
export const openAgentConversation = (workspaceId: string, agentId: string, conversationId: string): Promise<ResponseView[]> =>
  unwrap(() => commands.openAgentConversation(workspaceId, agentId, conversationId));
export const deleteConversation = (workspaceId: string, spaceId: string, conversationId: string): Promise<null> =>
  unwrap(() => commands.deleteConversation(workspaceId, spaceId, conversationId));
export const sendFeedback = (workspaceId: string, message: MessageRef, rating: Rating): Promise<null> =>
  unwrap(() => commands.sendFeedback(workspaceId, message, rating));
/** Every row of an answer Genie capped, into a new result; `onEvent` as for a statement. */
export const getAllRows = (
  workspaceId: string,
  message: MessageRef,
  attachmentId: string,
  onEvent: (event: RunEvent) => void,
): Promise<AllRows> => {
  const events = new Channel<RunEvent>();
  events.onmessage = onEvent;
  return unwrap(() => commands.getAllRows(workspaceId, message, attachmentId, events));
};
/** Genie's own chart of an answer, as a `data:` URL (the app's content policy allows no other). */
export const genieVisualization = async (workspaceId: string, message: MessageRef, attachmentId: string): Promise<string> => {
  const bytes = await unwrap(() => commands.genieVisualization(workspaceId, message, attachmentId));
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.slice(i, i + 0x8000));
  return `data:image/png;base64,${btoa(binary)}`;
};
export const runAnswerAgain = (workspaceId: string, message: MessageRef, attachmentId: string): Promise<QueryAnswer> =>
  unwrap(() => commands.runAnswerAgain(workspaceId, message, attachmentId));
/** Which Genie previews the workspace has (Ask anything is checked if not known). */
export const genieFeatures = (workspaceId: string): Promise<GenieFeatures> =>
  unwrap(() => commands.genieFeatures(workspaceId));
/** Asks on `surface` (Ask anything, or Agent mode in an agent); `onUpdate` hears each new
 *  state of the answer as it streams in. */
export const askGenieResponse = (
  workspaceId: string,
  surface: Surface,
  question: string,
  conversationId: string | null,
  onUpdate: (view: ResponseView) => void,
): Promise<ResponseView> => {
  const updates = new Channel<ResponseView>();
  updates.onmessage = onUpdate;
  return unwrap(() => commands.askGenieResponse(workspaceId, surface, question, conversationId, updates));
};
export const stopGenieResponse = (id: number): Promise<null> => unwrap(() => commands.stopGenieResponse(id));
/** Finishes every answer that was on its way when Brickdesk quit. */
export const resumeGenieResponses = (workspaceId: string, onUpdate: (view: ResponseView) => void): Promise<null> => {
  const updates = new Channel<ResponseView>();
  updates.onmessage = onUpdate;
  return unwrap(() => commands.resumeGenieResponses(workspaceId, updates));
};
export const genieResponseHistory = (workspaceId: string): Promise<ResponseSummary[]> =>
  unwrap(() => commands.genieResponseHistory(workspaceId));
export const openGenieResponse = (workspaceId: string, id: number): Promise<ResponseView> =>
  unwrap(() => commands.openGenieResponse(workspaceId, id));
export const deleteGenieResponse = (id: number): Promise<null> => unwrap(() => commands.deleteGenieResponse(id));
/** Opens a web or e-mail link in the system browser. */
export const openLink = (url: string): Promise<null> => unwrap(() => commands.openLink(url));

export type Unlisten = () => void;

type Listen<T> = (handler: (event: { payload: T }) => void) => Promise<() => void>;

/** Subscribes to a generated event, handing the callback only the payload. Never throws
 *  synchronously: outside Tauri (or when the ACL denies it) the promise rejects with an AppError. */
async function subscribe<T>(listen: Listen<T>, cb: (payload: T) => void): Promise<Unlisten> {
  try {
    return await listen((event) => cb(event.payload));
  } catch (error) {
    throw toAppError(error);
  }
}

export const onWorkspacesChanged = (cb: (list: WorkspaceList) => void): Promise<Unlisten> =>
  subscribe<WorkspaceList>((handler) => events.workspacesChanged.listen(handler), cb);
export const onDeepLinkHandled = (cb: (payload: DeepLinkHandled) => void): Promise<Unlisten> =>
  subscribe<DeepLinkHandled>((handler) => events.deepLinkHandled.listen(handler), cb);
export const onDeepLinkRejected = (cb: (payload: DeepLinkRejected) => void): Promise<Unlisten> =>
  subscribe<DeepLinkRejected>((handler) => events.deepLinkRejected.listen(handler), cb);
export const onSignInFailed = (cb: (error: ErrorInfo) => void): Promise<Unlisten> =>
  subscribe<ErrorInfo>((handler) => events.signInFailed.listen(handler), cb);
/** A company proxy asks for the user's network sign-in (at most every 30 s per proxy). */
export const onProxySignInNeeded = (cb: (request: ProxySignInRequest) => void): Promise<Unlisten> =>
  subscribe<ProxySignInRequest>((handler) => events.proxySignInNeeded.listen(handler), cb);
/** Saves the user's network sign-in for `proxy` in the keychain; it never comes back. */
export const saveProxySignIn = (proxy: string, username: string, password: string): Promise<null> =>
  unwrap(() => commands.saveProxySignIn(proxy, username, password));
/** "Not now": the app does not ask about this proxy again for an hour. */
export const dismissProxySignIn = (proxy: string): Promise<null> =>
  unwrap(() => commands.dismissProxySignIn(proxy));
