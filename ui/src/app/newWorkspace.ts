// The "Add workspace" form's model: what the user chose, checked and turned into the
// NewWorkspace that Rust receives. Pure, so every rule is unit-tested.
import type { Access, Candidate, DiscoveryStep, NewWorkspace } from "../platform";

export type Method = "browser" | "appConnection" | "servicePrincipal" | "token";

export interface Draft {
  name: string;
  host: string;
  method: Method;
  clientId: string;
  /** Client secret or personal access token; sent once, then it lives in the keychain. */
  secret: string;
  redirect: "deepLink" | "loopback";
  port: string;
  /** What the app connection or the service principal's secret allows. */
  access: Access;
}

export const EMPTY_DRAFT: Draft = {
  name: "",
  host: "",
  method: "browser",
  clientId: "",
  secret: "",
  redirect: "deepLink",
  port: "8765",
  access: "everything",
};

export const METHOD_LABELS: Record<Method, string> = {
  browser: "My browser (Databricks CLI sign-in, no setup)",
  appConnection: "My browser, through my organisation's app connection",
  servicePrincipal: "A service principal (shared screens)",
  token: "A personal access token",
};

/** Which field a problem belongs to, and what to do about it. */
export interface Problem {
  field: "host" | "clientId" | "secret" | "port";
  message: string;
}

/** The request for Rust, or the first problem a user can fix before anything is sent. */
export function toNewWorkspace(draft: Draft): NewWorkspace | Problem {
  const host = draft.host.trim();
  if (host === "") return { field: "host", message: "Enter the workspace URL, as you see it in your browser." };
  const clientId = draft.clientId.trim();
  const secret = draft.secret.trim();
  const base = { name: draft.name.trim(), host, redirect: null, secret: null };
  switch (draft.method) {
    case "browser":
      return { ...base, auth: { kind: "databricksCli" } };
    case "appConnection": {
      if (clientId === "") return { field: "clientId", message: "Enter the app connection's client ID." };
      let redirect: NewWorkspace["redirect"] = { kind: "deepLink" };
      if (draft.redirect === "loopback") {
        const port = Number(draft.port);
        if (!Number.isInteger(port) || port < 1024 || port > 65535) {
          return { field: "port", message: "Enter the port registered with the app connection (1024–65535)." };
        }
        redirect = { kind: "loopback", port };
      }
      return {
        ...base,
        auth: { kind: "appConnection", clientId, confidential: secret !== "" },
        redirect,
        access: draft.access,
        secret: secret || null,
      };
    }
    case "servicePrincipal":
      if (clientId === "") return { field: "clientId", message: "Enter the service principal's client ID." };
      if (secret === "") return { field: "secret", message: "Enter the service principal's secret." };
      return { ...base, auth: { kind: "servicePrincipal", clientId }, secret, access: draft.access };
    case "token":
      if (secret === "") return { field: "secret", message: "Enter the personal access token." };
      return { ...base, auth: { kind: "personalAccessToken" }, secret };
  }
}

export function isProblem(value: NewWorkspace | Problem): value is Problem {
  return "field" in value;
}

/** A profile from ~/.databrickscfg as a draft; its secret was never imported. */
export function fromCandidate(candidate: Candidate): Draft {
  const { profile } = candidate;
  // A workspace of a host that serves several keeps its id in the address, as the browser shows it.
  const id = profile.workspaceId;
  const host = id ? `${profile.host.replace(/\/+$/, "")}/?${/^\d+$/.test(id) ? "o" : "w"}=${encodeURIComponent(id)}` : profile.host;
  const draft: Draft = { ...EMPTY_DRAFT, name: profile.name, host };
  switch (profile.auth.kind) {
    case "databricksCli":
      return draft;
    case "appConnection":
      return { ...draft, method: "appConnection", clientId: profile.auth.clientId };
    case "servicePrincipal":
      return { ...draft, method: "servicePrincipal", clientId: profile.auth.clientId };
    case "personalAccessToken":
      return { ...draft, method: "token" };
  }
}

export const STEP_TEXT: Record<DiscoveryStep, string> = {
  contacting: "Contacting the workspace…",
  readingSignInServer: "Reading its sign-in settings…",
  done: "Workspace found.",
};
