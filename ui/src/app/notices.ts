// Notices (toasts): what each event says to the user, and the list's pure update rules.
import type { DeepLinkHandled, Rejection, WorkspaceList } from "../platform";

export type NoticeKind = "deep-link-handled" | "deep-link-rejected" | "error" | "info" | "lasting";

export interface Notice {
  id: number;
  kind: NoticeKind;
  text: string;
}

/** How many notices stay on screen; older ones give way. */
export const MAX_NOTICES = 5;
/** How long an informational notice stays before it dismisses itself. */
export const NOTICE_TIMEOUT_MS = 8000;

/** Errors, and news the user must not miss ("lasting"), stay until the user dismisses them. */
export const dismissesItself = (kind: NoticeKind): boolean => kind !== "error" && kind !== "lasting";

/** Shown once when the OS keeps no sign-ins (a hardened Windows policy). */
export const SIGN_INS_END_ON_QUIT =
  "Windows on this computer does not let apps keep sign-ins (a security policy of your " +
  "organisation). You stay signed in until you quit Brickdesk, and sign in again after that.";

const REJECTION_TEXT: Record<Rejection, string> = {
  too_long: "it is far longer than any Brickdesk link",
  not_a_url: "it is not a valid link",
  wrong_scheme: "it is not a Brickdesk link",
  has_authority: "it names a server, user or port, which Brickdesk links never do",
  has_fragment: "it has a #fragment, which Brickdesk links never do",
  unknown_path: "Brickdesk does not know where it points",
  missing_state: "the sign-in response is incomplete (no state)",
  missing_code: "the sign-in response has neither a code nor an error",
  duplicate_parameter: "it repeats a parameter",
  invalid_parameter: "one of its parameters is malformed",
  unknown_state: "no sign-in in progress is waiting for it",
  replayed_state: "this sign-in response was already used",
  expired_state: "the sign-in took longer than 5 minutes; sign in again",
};

export function rejectionText(reason: Rejection): string {
  return `Brickdesk ignored a link it could not use: ${REJECTION_TEXT[reason] ?? "it is not valid"}.`;
}

export function handledText(payload: DeepLinkHandled, list: WorkspaceList): string {
  if (payload.route === "sign_in_callback") return "Received a sign-in response from your browser.";
  const workspace = list.workspaces.find((w) => w.id === payload.workspaceId);
  if (!workspace) return "Opened from a link";
  return workspace.id === list.activeId ? `Opened from a link (${workspace.name})` : `A link asks to open ${workspace.name}`;
}

export function addNotice(notices: Notice[], notice: Notice): Notice[] {
  return [...notices, notice].slice(-MAX_NOTICES);
}

export function dismissNotice(notices: Notice[], id: number): Notice[] {
  return notices.filter((n) => n.id !== id);
}
