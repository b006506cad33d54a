// The account button in the header: who is signed in to the active workspace (from SCIM Me,
// never a token) and a menu with the workspace's settings and Sign out, or Sign in, and the
// app-wide choice to keep spreadsheet formulas in copied and exported data inert.
import { useEffect, useRef, useState } from "preact/hooks";
import { openPalette, paletteShortcut, shortcuts } from "./CommandPalette";
import type { WorkspaceSummary } from "../platform";
import { protectFormulas, setProtectFormulas } from "./preferences";
import { longStatus } from "./signInText";

interface Props {
  workspace: WorkspaceSummary;
  onSignIn: () => void;
  onSignOut: () => void;
  onSettings: () => void;
  /** "Copy diagnostics" for a helpdesk ticket. */
  onDiagnostics?: () => void;
  /** "Test connection…": the network self-test. */
  onSelfTest?: () => void;
}

function initials(user: string | null): string {
  const name = (user ?? "").split("@")[0];
  const parts = name.split(/[._-]+/).filter(Boolean);
  return ((parts[0]?.[0] ?? "?") + (parts[1]?.[0] ?? "")).toUpperCase();
}

export function AccountMenu({ workspace, onSignIn, onSignOut, onSettings, onDiagnostics, onSelfTest }: Props) {
  const [open, setOpen] = useState(false);
  const [protect, setProtect] = useState(protectFormulas);
  const rootRef = useRef<HTMLDivElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const status = workspace.status;
  const user = status.state === "signedIn" ? status.user : null;

  // Focus the first item on open; Escape or a click elsewhere closes it.
  useEffect(() => {
    if (!open) return;
    rootRef.current?.querySelector<HTMLElement>("[role=menuitem]")?.focus();
    const onPointer = (event: MouseEvent) => {
      if (!rootRef.current?.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener("mousedown", onPointer);
    return () => document.removeEventListener("mousedown", onPointer);
  }, [open]);

  const close = () => {
    setOpen(false);
    buttonRef.current?.focus();
  };
  const act = (action: () => void) => () => {
    close();
    action();
  };

  return (
    <div class="account" ref={rootRef}>
      <button
        ref={buttonRef}
        type="button"
        class="account-button"
        data-testid="account-button"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-label={user ? `Account: ${user}` : "Account: not signed in"}
        onClick={() => setOpen(!open)}
      >
        <span class="avatar" aria-hidden="true" data-signed-in={user !== null}>
          {user ? initials(user) : "?"}
        </span>
      </button>
      {open && (
        <div
          class="account-menu"
          role="menu"
          aria-label="Account"
          data-testid="account-menu"
          tabIndex={-1}
          onKeyDown={(event) => event.key === "Escape" && close()}
        >
          <p class="account-who" data-testid="account-who">
            <strong>{workspace.name}</strong>
            <span class="muted">{workspace.blocked ?? longStatus(status)}</span>
          </p>
          <button type="button" role="menuitem" data-testid="account-settings" onClick={act(onSettings)}>
            Workspace settings…
          </button>
          {status.state === "signedIn" ? (
            <button type="button" role="menuitem" data-testid="account-sign-out" onClick={act(onSignOut)}>
              Sign out of {workspace.name}
            </button>
          ) : (
            !workspace.blocked && (
              <button type="button" role="menuitem" data-testid="account-sign-in" onClick={act(onSignIn)}>
                Sign in to {workspace.name}
              </button>
            )
          )}
          {onSelfTest && (
            <button type="button" role="menuitem" data-testid="account-self-test" onClick={act(onSelfTest)}>
              Test connection…
            </button>
          )}
          {onDiagnostics && (
            <button type="button" role="menuitem" data-testid="account-diagnostics" onClick={act(onDiagnostics)}>
              Copy diagnostics
            </button>
          )}
          <button type="button" role="menuitem" data-testid="account-commands" title={shortcuts()} onClick={act(openPalette)}>
            All commands… <kbd>{paletteShortcut()}</kbd>
            <span class="muted shortcut-list">{shortcuts()}</span>
          </button>
          <button
            type="button"
            role="menuitemcheckbox"
            aria-checked={protect}
            data-testid="protect-formulas"
            title="Cells that start with = + - or @ are written so Excel and Sheets show them as text instead of running them."
            onClick={() => {
              setProtectFormulas(!protect);
              setProtect(!protect);
            }}
          >
            {protect ? "✓ " : ""}Keep formulas in copied and exported data as text
          </button>
        </div>
      )}
    </div>
  );
}
