// The active workspace's sign-in while it needs the user: "Waiting for your browser…
// Cancel", why a sign-in was lost, and Sign in (once signed in, nothing: the switcher, the
// account menu and the status bar say who, and the account menu signs out). When the
// app connection refuses the sign-in address, the preflight's advice shows before any
// browser opens, with the registered address to use in one click. A workspace IT policy
// forbids shows why instead, with no way to sign in.
import type { RedirectAdvice, RedirectMode, WorkspaceSummary } from "../platform";

function Advice({ advice, onUseOffer }: { advice: RedirectAdvice; onUseOffer: (redirect: RedirectMode) => void }) {
  const offer = advice.offer;
  return (
    <div class="sign-in-advice" role="alert" data-testid="sign-in-advice">
      <p>{advice.message}</p>
      {offer && (
        <button type="button" class="primary" data-testid="use-offered-redirect" onClick={() => onUseOffer(offer)}>
          {offer.kind === "loopback" ? "Sign in through the local address" : "Sign in through the Brickdesk link"}
        </button>
      )}
    </div>
  );
}

interface Props {
  workspace: WorkspaceSummary;
  advice: RedirectAdvice | null;
  onUseOffer: (redirect: RedirectMode) => void;
  onSignIn: () => void;
  onCancel: () => void;
  /** Opens the workspace's settings (where a workspace policy forbids can be removed). */
  onSettings?: () => void;
}

export function SignInPanel({ workspace, advice, onUseOffer, onSignIn, onCancel, onSettings }: Props) {
  if (workspace.blocked) {
    return (
      <div class="sign-in" data-testid="sign-in" data-state="blocked" role="alert">
        <p data-testid="blocked-reason">{workspace.blocked}</p>
        {onSettings && (
          <button type="button" class="ghost" data-testid="blocked-settings" onClick={onSettings}>
            Workspace settings…
          </button>
        )}
      </div>
    );
  }
  const status = workspace.status;
  switch (status.state) {
    case "signedIn":
      // Who is signed in shows in the workspace switcher, the account menu and the status
      // bar; the page itself belongs to the work.
      return null;
    case "signingIn":
      return (
        <div class="sign-in" data-testid="sign-in" data-state="signing-in" role="status">
          <p>Waiting for your browser… Finish signing in there.</p>
          <button type="button" class="ghost" data-testid="cancel-sign-in" onClick={onCancel}>
            Cancel
          </button>
        </div>
      );
    case "error":
      return (
        <div class="sign-in" data-testid="sign-in" data-state="error" role="alert">
          <p>{status.message}</p>
          <button type="button" class="primary" data-testid="sign-in-button" onClick={onSignIn}>
            Try again
          </button>
          {advice && <Advice advice={advice} onUseOffer={onUseOffer} />}
        </div>
      );
    case "signedOut":
      return (
        <div class="sign-in" data-testid="sign-in" data-state="signed-out">
          <p>{status.reason ?? `Sign in to ${workspace.name} with your Databricks account.`}</p>
          <button type="button" class={advice?.offer ? "ghost" : "primary"} data-testid="sign-in-button" onClick={onSignIn}>
            Sign in
          </button>
          {advice && <Advice advice={advice} onUseOffer={onUseOffer} />}
        </div>
      );
  }
}
