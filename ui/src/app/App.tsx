// The application shell: loads state from Rust, follows its events, lays out the screen.
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import {
  addWorkspace,
  cancelSignIn,
  copyDiagnostics,
  copySelfTestReport,
  databrickscfgCandidates,
  getAppInfo,
  listWorkspaces,
  onDeepLinkHandled,
  onDeepLinkRejected,
  onProxySignInNeeded,
  onSignInFailed,
  onWorkspacesChanged,
  removeWorkspace,
  runSelfTest,
  saveProxySignIn,
  dismissProxySignIn,
  saveSelfTestReport,
  renameWorkspace,
  reorderWorkspaces,
  selectWorkspace,
  setWorkspaceAccess,
  setWorkspaceRedirect,
  signIn,
  signOut,
  startupNotices,
  toAppError,
  type AppInfo,
  type DiscoveryStep,
  type NewWorkspace,
  type ProxySignInRequest,
  type RedirectAdvice,
  type RedirectMode,
  type WorkspaceList,
} from "../platform";
import { AddWorkspaceDialog } from "./AddWorkspaceDialog";
import { SelfTestDialog, type SelfTestActions } from "./SelfTestDialog";
import { ProxySignInDialog } from "./ProxySignInDialog";
import { SwitchConfirm } from "./SwitchConfirm";
import {
  addNotice,
  dismissNotice,
  handledText,
  rejectionText,
  SIGN_INS_END_ON_QUIT,
  type Notice,
  type NoticeKind,
} from "./notices";
import { Notices } from "./Notices";
import { useCommands } from "./commands";
import { CommandPalette } from "./CommandPalette";
import type { SqlRequest } from "../sql/SqlView";
import type { GenieRequest } from "../genie/GenieView";
import { SectionView, type Section } from "./SectionView";
import { Sidebar } from "./Sidebar";
import { StatusBar } from "./StatusBar";
import { WorkspaceSettingsDialog, type SettingsActions } from "./WorkspaceSettingsDialog";
import { setLocale } from "./locale";

const EMPTY: WorkspaceList = { workspaces: [], activeId: null, canAdd: true, canUseTokens: true, signInsEndOnQuit: false };

export function App() {
  const [list, setList] = useState<WorkspaceList>(EMPTY);
  const [info, setInfo] = useState<AppInfo | null>(null);
  const [section, setSection] = useState<Section>("ask");
  const [sqlRequest, setSqlRequest] = useState<SqlRequest | null>(null);
  const [genieRequest, setGenieRequest] = useState<GenieRequest | null>(null);
  const [adding, setAdding] = useState(false);
  const [settingsId, setSettingsId] = useState<string | null>(null);
  const [selfTestId, setSelfTestId] = useState<string | null>(null);
  const [notices, setNotices] = useState<Notice[]>([]);
  const [proxySignIn, setProxySignIn] = useState<ProxySignInRequest | null>(null);
  const [switchTo, setSwitchTo] = useState<string | null>(null);
  const listRef = useRef<WorkspaceList>(EMPTY);
  const nextNoticeId = useRef(1);

  const notify = useCallback((kind: NoticeKind, text: string) => {
    setNotices((current) => addNotice(current, { id: nextNoticeId.current++, kind, text }));
  }, []);
  const dismiss = useCallback((id: number) => setNotices((current) => dismissNotice(current, id)), []);
  // The ref follows every change at once, so a link event right after a list change names
  // the right workspace.
  const apply = useCallback(
    (next: WorkspaceList) => {
      if (next.signInsEndOnQuit && !listRef.current.signInsEndOnQuit) notify("lasting", SIGN_INS_END_ON_QUIT);
      listRef.current = next;
      setList(next);
    },
    [notify],
  );
  const report = useCallback((error: unknown) => notify("error", toAppError(error).message), [notify]);

  // Anything that escapes a handler is shown, not swallowed: it is a bug worth reporting.
  useEffect(() => {
    const onError = (event: ErrorEvent) => report(event.error ?? event.message);
    const onRejection = (event: PromiseRejectionEvent) => report(event.reason);
    window.addEventListener("error", onError);
    window.addEventListener("unhandledrejection", onRejection);
    return () => {
      window.removeEventListener("error", onError);
      window.removeEventListener("unhandledrejection", onRejection);
    };
  }, [report]);

  useEffect(() => {
    // A list pushed by Rust wins over a slower initial load.
    let pushed = false;
    getAppInfo().then((found) => {
      setLocale(found.locale);
      setInfo(found);
    }, report);
    startupNotices().then((found) => found.forEach((n) => notify("error", n.message)), report);
    const changes = onWorkspacesChanged((next) => {
      pushed = true;
      apply(next);
    });
    // Listed once the subscription holds: a change Rust sends in between (the start-up
    // sign-in check) is then either in the list or in an event, never lost.
    changes.then(
      () =>
        listWorkspaces().then((initial) => {
          if (!pushed) apply(initial);
        }, report),
      report,
    );
    const subscriptions = [
      changes,
      onDeepLinkHandled((payload) => {
        // Rust does not switch for a link: the user says whether to, in the bar that asks
        // (no toast besides it); any other link is told in a toast.
        const target = payload.route === "open" ? payload.workspaceId : null;
        const current = listRef.current;
        if (target && target !== current.activeId && current.workspaces.some((w) => w.id === target)) {
          setSwitchTo(target);
          return;
        }
        notify("deep-link-handled", handledText(payload, current));
      }),
      onDeepLinkRejected((payload) => notify("deep-link-rejected", rejectionText(payload.reason))),
      onSignInFailed((error) => notify("error", error.message)),
      onProxySignInNeeded(setProxySignIn),
    ];
    subscriptions.forEach((subscription) => subscription.catch(report));
    return () => subscriptions.forEach((subscription) => subscription.then((unlisten) => unlisten(), () => {}));
  }, [apply, notify, report]);

  const select = (id: string) => selectWorkspace(id).then(apply, report);
  const add = async (workspace: NewWorkspace, onProgress: (step: DiscoveryStep) => void) =>
    apply(await addWorkspace(workspace, onProgress));
  // The preflight's advice for a workspace whose app connection refuses its sign-in address.
  const [advice, setAdvice] = useState<{ id: string; advice: RedirectAdvice } | null>(null);
  const startSignIn = async (id: string) => {
    setAdvice(null);
    try {
      const found = await signIn(id);
      if (found) setAdvice({ id, advice: found });
    } catch (error) {
      report(error);
    }
  };
  const useOffer = async (id: string, redirect: RedirectMode) => {
    try {
      apply(await setWorkspaceRedirect(id, redirect));
    } catch (error) {
      report(error);
      return;
    }
    await startSignIn(id);
  };
  const cancel = (id: string) => cancelSignIn(id).then(apply, report);
  const leave = (id: string) => signOut(id).then(apply, report);
  const active = list.workspaces.find((w) => w.id === list.activeId);
  const settingsActions: SettingsActions = {
    rename: async (id, name) => apply(await renameWorkspace(id, name)),
    setLoopback: async (id, port) =>
      apply(await setWorkspaceRedirect(id, port === null ? { kind: "deepLink" } : { kind: "loopback", port })),
    setAccess: async (id, access) => apply(await setWorkspaceAccess(id, access)),
    reorder: async (ids) => apply(await reorderWorkspaces(ids)),
    remove: async (id) => apply(await removeWorkspace(id)),
  };

  useCommands([
    { id: "app.ask", title: "Go to Ask anything", group: "Navigate", run: () => setSection("ask") },
    { id: "app.genie", title: "Go to Genie agents", group: "Navigate", run: () => setSection("genie") },
    { id: "app.sql", title: "Go to the SQL runner", group: "Navigate", run: () => setSection("sql") },
    ...list.workspaces
      .filter((w) => w.id !== list.activeId)
      .map((w) => ({ id: `app.workspace.${w.id}`, title: `Switch workspace: ${w.name}`, group: "Workspace", run: () => void select(w.id) })),
    { id: "app.add-workspace", title: "Add a workspace…", group: "Workspace", run: () => setAdding(true) },
    ...(active
      ? [
          { id: "app.settings", title: `Settings of ${active.name}…`, group: "Workspace", run: () => setSettingsId(active.id) },
          { id: "app.self-test", title: `Test the connection to ${active.name}`, group: "Workspace", run: () => setSelfTestId(active.id) },
        ]
      : []),
  ]);

  const selfTestActions: SelfTestActions = { run: runSelfTest, copy: copySelfTestReport, save: saveSelfTestReport };

  return (
    <main class="app" data-testid="app-shell">
      <a class="skip-link" href="#content">
        Skip to content
      </a>
      <Sidebar
        list={list}
        section={section}
        onSelectWorkspace={select}
        onAddWorkspace={() => setAdding(true)}
        onSelectSection={setSection}
      />
      <SectionView
        section={section}
        workspace={active}
        onSignIn={(id) => void startSignIn(id)}
        signInAdvice={advice && advice.id === active?.id ? advice.advice : null}
        onUseOffer={(id, redirect) => void useOffer(id, redirect)}
        onCancelSignIn={cancel}
        onSignOut={leave}
        onSettings={setSettingsId}
        sqlRequest={sqlRequest}
        onDiagnostics={() =>
          copyDiagnostics().then(
            () => notify("info", "Diagnostics copied. Paste them into your helpdesk ticket: they hold no password or token."),
            report,
          )
        }
        onSelfTest={setSelfTestId}
        onOpenInSql={(statement) => {
          setSqlRequest({ statement, nonce: Date.now() });
          setSection("sql");
        }}
        genieRequest={genieRequest}
        onOpenAgent={(spaceId) => {
          setGenieRequest({ spaceId, nonce: Date.now() });
          setSection("genie");
        }}
      />
      <SwitchConfirm
        workspace={list.workspaces.find((w) => w.id === switchTo)}
        onSwitch={() => {
          if (switchTo) void select(switchTo);
          setSwitchTo(null);
        }}
        onStay={() => setSwitchTo(null)}
      />
      <Notices notices={notices} onDismiss={dismiss} />
      <CommandPalette onSection={setSection} />
      <StatusBar workspace={active} info={info} />
      <WorkspaceSettingsDialog
        workspace={list.workspaces.find((w) => w.id === settingsId)}
        list={list}
        onClose={() => setSettingsId(null)}
        actions={settingsActions}
      />
      <SelfTestDialog
        workspace={list.workspaces.find((w) => w.id === selfTestId)}
        onClose={() => setSelfTestId(null)}
        actions={selfTestActions}
      />
      <ProxySignInDialog
        request={proxySignIn}
        onSave={saveProxySignIn}
        onSaved={() => {
          setProxySignIn(null);
          notify("info", "Signed in to your company network. Try again what did not work.");
        }}
        onClose={() => {
          // "Not now": Rust does not ask again for this proxy for an hour. If that cannot be
          // recorded, the only cost is that the dialog may come back: nothing to tell.
          if (proxySignIn) void dismissProxySignIn(proxySignIn.proxy).catch(() => undefined);
          setProxySignIn(null);
        }}
      />
      <AddWorkspaceDialog
        open={adding}
        canUseTokens={list.canUseTokens}
        onClose={() => setAdding(false)}
        onAdd={add}
        onImport={databrickscfgCandidates}
      />
    </main>
  );
}
