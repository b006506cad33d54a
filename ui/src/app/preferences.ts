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
