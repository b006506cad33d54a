// A company proxy asks for the user's network sign-in (the user name and password they use
// for Windows or e-mail at work), when IT has not set one and the computer cannot sign in by
// itself. The answer goes to Rust, which keeps it in the system keychain for that proxy only;
// it is never shown again or sent back here.
import { useEffect, useRef, useState } from "preact/hooks";
import { toAppError, type ProxySignInRequest } from "../platform";

interface Props {
  /** The proxy asking; the dialog is open while it is set. */
  request: ProxySignInRequest | null;
  onSave: (proxy: string, username: string, password: string) => Promise<unknown>;
  onSaved: () => void;
  onClose: () => void;
}

export function ProxySignInDialog({ request, onSave, onSaved, onClose }: Props) {
  const dialogRef = useRef<HTMLDialogElement>(null);
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const open = request !== null;

  useEffect(() => {
    const dialog = dialogRef.current;
    if (!dialog) return;
    if (open && !dialog.open) {
      setPassword("");
      setError(null);
      dialog.showModal();
    } else if (!open && dialog.open) {
      dialog.close();
    }
  }, [open, request]);

  const save = async (event: Event) => {
    event.preventDefault();
    if (!request) return;
    setSaving(true);
    setError(null);
    try {
      await onSave(request.proxy, username.trim(), password);
      setPassword("");
      onSaved();
    } catch (caught) {
      setError(toAppError(caught).message);
    } finally {
      setSaving(false);
    }
  };

  const windows = request?.schemes.some((s) => /^(ntlm|negotiate)$/i.test(s));
  return (
    <dialog
      ref={dialogRef}
      class="dialog proxy-sign-in"
      aria-labelledby="proxy-sign-in-title"
      data-testid="proxy-sign-in"
      onCancel={(event) => {
        event.preventDefault();
        onClose();
      }}
    >
      {request && (
        <form onSubmit={save}>
          <h2 id="proxy-sign-in-title">Sign in to your company network</h2>
          <p>
            {request.refused
              ? "Your company's proxy did not accept the user name and password Brickdesk has. Enter them again (your password may have changed)."
              : "Your company's network asks Brickdesk to sign in before it can reach Databricks."}{" "}
            Use the user name and password you use at work{windows ? " to sign in to Windows" : ""}.
          </p>
          <p class="muted settings-host">Proxy: {request.proxy}</p>
          <label>
            User name
            <input
              type="text"
              name="username"
              data-testid="proxy-sign-in-user"
              autocomplete="username"
              placeholder={windows ? "CORP\\alice" : "alice"}
              value={username}
              onInput={(event) => setUsername(event.currentTarget.value)}
              required
            />
          </label>
          <label>
            Password
            <input
              type="password"
              name="password"
              data-testid="proxy-sign-in-password"
              autocomplete="current-password"
              value={password}
              onInput={(event) => setPassword(event.currentTarget.value)}
              required
            />
          </label>
          <p class="muted">Brickdesk keeps them in this computer's keychain, for this proxy only.</p>
          {error && (
            <p class="field-error" role="alert">
              {error}
            </p>
          )}
          <div class="dialog-actions">
            <span class="spacer" />
            <button type="button" class="ghost" data-testid="proxy-sign-in-cancel" onClick={onClose}>
              Not now
            </button>
            <button type="submit" class="primary" data-testid="proxy-sign-in-save" disabled={saving || !username.trim() || !password}>
              {saving ? "Saving…" : "Sign in"}
            </button>
          </div>
        </form>
      )}
    </dialog>
  );
}
