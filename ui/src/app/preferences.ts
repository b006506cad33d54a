// App-wide preferences kept in the web view's storage: nothing secret, nothing a workspace
// depends on. Each has a safe default that a missing or unreadable value falls back to.

/** A setting that is on unless `key` holds `offValue`; storage that fails keeps it on. */
function onByDefault(key: string, offValue: string) {
  return {
    get(): boolean {
      try {
        return localStorage.getItem(key) !== offValue;
      } catch {
        return true;
      }
    },
    set(on: boolean): void {
      try {
        if (on) localStorage.removeItem(key);
        else localStorage.setItem(key, offValue);
      } catch {
        // Storage unavailable: the default stays in force.
      }
    },
  };
}

const PROTECT_FORMULAS = onByDefault("brickdesk.protectFormulas", "off");
const GENIE_PANEL = onByDefault("brickdesk.genieSidePanel", "closed");

/** Whether copies and CSV exports make spreadsheet formulas in data inert (default: yes). */
export const protectFormulas = (): boolean => PROTECT_FORMULAS.get();
export const setProtectFormulas = (protect: boolean): void => PROTECT_FORMULAS.set(protect);

/** Whether Genie's side panel (agents and history) is open (default: yes). */
export const genieSidePanelOpen = (): boolean => GENIE_PANEL.get();
export const setGenieSidePanelOpen = (open: boolean): void => GENIE_PANEL.set(open);
