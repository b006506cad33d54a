// How a workspace's sign-in state reads in the switcher, the status bar and the account menu.
import type { SignInState } from "../platform";
import { formatDateTime, formatTime } from "./locale";

/** "until 14:05" for a time today, else the date and time; "" when unknown. */
export function until(ms: number | null, now: Date = new Date()): string {
  if (ms === null) return "";
  const at = new Date(ms);
  const sameDay = at.toDateString() === now.toDateString();
  return `until ${sameDay ? formatTime(at) : formatDateTime(at)}`;
}

/** A few words for a list row: who is signed in, or what is going on. */
export function shortStatus(status: SignInState): string {
  switch (status.state) {
    case "signedIn":
      return status.user ?? "Signed in";
    case "signingIn":
      return "Signing in…";
    case "signedOut":
      return "Signed out";
    case "error":
      return "Needs attention";
  }
}

/** A sentence for the status bar or a tooltip. */
export function longStatus(status: SignInState): string {
  switch (status.state) {
    case "signedIn": {
      const who = status.user ? `Signed in as ${status.user}` : "Signed in";
      const expiry = until(status.expiresAtMs);
      // The access token is renewed silently; the expiry says how fresh the session is.
      return expiry ? `${who} · session renews ${expiry.replace("until", "at")}` : who;
    }
    case "signingIn":
      return "Waiting for your browser…";
    case "signedOut":
      return status.reason ?? "Not signed in";
    case "error":
      return status.message;
  }
}
