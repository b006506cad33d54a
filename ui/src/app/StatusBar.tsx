// The bottom bar: active workspace and sign-in state on the left, the app version on the right.
import type { AppInfo, WorkspaceSummary } from "../platform";
import { longStatus } from "./signInText";

interface Props {
  workspace: WorkspaceSummary | undefined;
  info: AppInfo | null;
}

export function StatusBar({ workspace, info }: Props) {
  return (
    <footer class="status-bar" data-testid="status-bar">
      <span data-testid="status-workspace">
        {workspace ? workspace.host + (workspace.workspaceId ? ` · workspace ${workspace.workspaceId}` : "") : "No workspace"}
      </span>
      <span class="muted" data-testid="status-sign-in">
        {workspace && !workspace.blocked && workspace.status.state === "signedIn" && workspace.status.user ? (
          <>
            Signed in as <span data-testid="signed-in-user">{workspace.status.user}</span>
            {longStatus(workspace.status).replace(`Signed in as ${workspace.status.user}`, "")}
          </>
        ) : workspace ? (
          workspace.blocked ? "Not allowed by your organisation's policy" : longStatus(workspace.status)
        ) : (
          ""
        )}
      </span>
      <span class="spacer" />
      <span data-testid="status-version">
        {info ? `Brickdesk ${info.version} · ${info.os}/${info.arch}` : ""}
      </span>
    </footer>
  );
}
