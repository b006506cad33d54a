// App-wide preferences kept in the web view's storage: nothing secret, nothing a workspace
// depends on. Each has a safe default that a missing or unreadable value falls back to.

const PROTECT_FORMULAS = "brickdesk.protectFormulas";

/** Whether copies and CSV exports make spreadsheet formulas in data inert (default: yes). */
export function protectFormulas(): boolean {
  try {
    return localStorage.getItem(PROTECT_FORMULAS) !== "off";
  } catch {
    return true;
  }
}

export function setProtectFormulas(protect: boolean): void {
  try {
    if (protect) localStorage.removeItem(PROTECT_FORMULAS);
    else localStorage.setItem(PROTECT_FORMULAS, "off");
  } catch {
    // Storage unavailable: the default (protected) stays in force.
  }
}

const GENIE_PANEL = "brickdesk.genieSidePanel";

/** Whether Genie's side panel (agents and history) is open (default: yes). */
export function genieSidePanelOpen(): boolean {
  try {
    return localStorage.getItem(GENIE_PANEL) !== "closed";
  } catch {
    return true;
  }
}

export function setGenieSidePanelOpen(open: boolean): void {
  try {
    if (open) localStorage.removeItem(GENIE_PANEL);
    else localStorage.setItem(GENIE_PANEL, "closed");
  } catch {
    // Storage unavailable: the panel opens next time, as by default.
  }
}
