// A link from outside (any web page can fire `dev.brickdesk.app:` links) may name a workspace:
// Brickdesk asks before it switches, so a page cannot move the user's next question to
// another workspace without them noticing.
import type { WorkspaceSummary } from "../platform";

interface Props {
  workspace: WorkspaceSummary | undefined;
  onSwitch: () => void;
  onStay: () => void;
}

export function SwitchConfirm({ workspace, onSwitch, onStay }: Props) {
  if (!workspace) return null;
  return (
    <p class="switch-confirm" role="alertdialog" aria-label="Switch workspace" data-testid="switch-confirm">
      <span>
        A link asks to open <strong>{workspace.name}</strong>. Switch to it?
      </span>
      <button type="button" class="primary" data-testid="switch-confirm-yes" onClick={onSwitch}>
        Switch
      </button>
      <button type="button" class="ghost" data-testid="switch-confirm-no" onClick={onStay}>
        Stay here
      </button>
    </p>
  );
}
