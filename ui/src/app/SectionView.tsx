// The main area: the active section (Ask anything, Genie agents or SQL) for the active
// workspace.
import type { RedirectAdvice, RedirectMode, WorkspaceSummary } from "../platform";
import { AccountMenu } from "./AccountMenu";
import { GenieView, type GenieRequest } from "../genie/GenieView";
import { AskAnythingView } from "../responses/AskAnythingView";
import { SqlView, type SqlRequest } from "../sql/SqlView";
import { SignInPanel } from "./SignInPanel";

export type Section = "ask" | "genie" | "sql";

export const SECTIONS: { id: Section; label: string; intro: string; needs: string }[] = [
  {
    id: "ask",
    label: "Ask anything",
    intro: "Ask about any of your data in plain words, without knowing where it lives.",
    needs: "to ask about your data.",
  },
  {
    id: "genie",
    label: "Genie agents",
    intro: "Ask a Genie agent (called a Genie space before) about its data, or let Agent mode research a question.",
    needs: "to see its Genie agents.",
  },
  {
    id: "sql",
    label: "SQL",
    intro: "Run SQL on your workspace's SQL warehouses.",
    needs: "to choose a warehouse.",
  },
];

interface Props {
  section: Section;
  workspace: WorkspaceSummary | undefined;
  onSignIn: (id: string) => void;
  /** Why the last sign-in did not open a browser, and what to do. */
  signInAdvice: RedirectAdvice | null;
  onUseOffer: (id: string, redirect: RedirectMode) => void;
  onCancelSignIn: (id: string) => void;
  onSignOut: (id: string) => void;
  onSettings: (id: string) => void;
  /** SQL to open in a new SQL tab (from a Genie answer). */
  sqlRequest: SqlRequest | null;
  onOpenInSql: (sql: string) => void;
  /** A Genie agent to open (from Ask anything). */
  genieRequest: GenieRequest | null;
  onOpenAgent: (spaceId: string | null) => void;
  onDiagnostics: () => void;
  onSelfTest: (id: string) => void;
}

export function SectionView({
  section,
  workspace,
  onSignIn,
  signInAdvice,
  onUseOffer,
  onCancelSignIn,
  onSignOut,
  onSettings,
  sqlRequest,
  onOpenInSql,
  genieRequest,
  onOpenAgent,
  onDiagnostics,
  onSelfTest,
}: Props) {
  const signedIn = workspace?.status.state === "signedIn";
  const info = SECTIONS.find((s) => s.id === section) ?? SECTIONS[0];
  return (
    <section id="content" class="content" tabIndex={-1} aria-labelledby="section-title">
      <header class="section-header">
        <h1 id="section-title">{info.label}</h1>
        {workspace && <span class="section-workspace">{workspace.name}</span>}
        <span class="spacer" />
        {workspace && (
          <AccountMenu
            workspace={workspace}
            onSignIn={() => onSignIn(workspace.id)}
            onSignOut={() => onSignOut(workspace.id)}
            onSettings={() => onSettings(workspace.id)}
            onDiagnostics={onDiagnostics}
            onSelfTest={() => onSelfTest(workspace.id)}
          />
        )}
      </header>
      {workspace && (
        <SignInPanel
          workspace={workspace}
          advice={signInAdvice}
          onUseOffer={(redirect) => onUseOffer(workspace.id, redirect)}
          onSignIn={() => onSignIn(workspace.id)}
          onCancel={() => onCancelSignIn(workspace.id)}
          onSettings={() => onSettings(workspace.id)}
        />
      )}
      {/* Both stay mounted while signed in, so switching sections keeps a question in flight,
          a result and the tabs as they were. */}
      {signedIn && workspace && (
        <>
          <div class="section-body" hidden={section !== "ask"}>
            <AskAnythingView key={workspace.id} workspace={workspace} onOpenAgent={onOpenAgent} onOpenInSql={onOpenInSql} />
          </div>
          <div class="section-body" hidden={section !== "genie"}>
            <GenieView key={workspace.id} workspace={workspace} onOpenInSql={onOpenInSql} incoming={genieRequest} />
          </div>
          <div class="section-body" hidden={section !== "sql"}>
            <SqlView key={workspace.id} workspace={workspace} incoming={sqlRequest} />
          </div>
        </>
      )}
      {!signedIn && (
      <div class="empty-state">
        <p class="lead">{info.intro}</p>
        <p class="muted">
          {!workspace
            ? "Add a workspace to get started."
            : workspace.blocked
              ? "Pick another workspace in the list, or remove this one in its settings."
              : `Sign in to ${workspace.name} ${info.needs}`}
        </p>
      </div>
      )}
    </section>
  );
}
