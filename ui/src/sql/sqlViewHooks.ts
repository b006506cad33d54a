// Two jobs of the SQL view that are not its layout: saving the tabs as they change, and the
// SQL commands it offers in the command palette.
import { useEffect, useRef, type MutableRef } from "preact/hooks";
import { saveWorkbench, toAppError, type AppError, type SqlTab, type Workbench } from "../platform";
import { useCommands } from "../app/commands";

/** Typing is saved once it pauses this long. */
const SAVE_DELAY_MS = 400;

/** Saves `workbench` after each change: typing once it pauses; a tab opened, closed or chosen,
 * or another warehouse, at once (a quit right after must not lose it). `pending` holds the save
 * still waiting, so leaving the workspace can do it at once. */
export function useAutosave(
  workspaceId: string,
  workbench: Workbench | null,
  pending: MutableRef<(() => void) | null>,
  onError: (error: AppError) => void,
) {
  const savedShape = useRef<string | null>(null);
  useEffect(() => {
    if (!workbench) {
      savedShape.current = null;
      return;
    }
    const save = () => {
      pending.current = null;
      saveWorkbench(workspaceId, workbench).catch((error) => onError(toAppError(error)));
    };
    const shape = `${workbench.tabs.map((t) => t.id).join(",")}|${workbench.activeTab ?? ""}|${workbench.warehouseId ?? ""}`;
    const structural = savedShape.current !== null && savedShape.current !== shape;
    savedShape.current = shape;
    if (structural) {
      save();
      return;
    }
    pending.current = save;
    const timer = setTimeout(save, SAVE_DELAY_MS);
    return () => clearTimeout(timer);
  }, [workbench]);
}

interface SqlActions {
  run: () => void;
  format: () => void;
  newTab: () => void;
  switchTo: (tabId: string) => void;
  showHistory: boolean;
  toggleHistory: () => void;
  showTables: boolean;
  toggleTables: () => void;
}

/** The SQL runner's commands in the palette, while a tab is open. */
export function useSqlCommands(tab: SqlTab | null, workbench: Workbench | null, actions: SqlActions) {
  const section = "sql" as const;
  useCommands(
    tab
      ? [
          { id: "sql.run", title: "Run the statement", group: "SQL", section, shortcut: "Ctrl+Enter", run: actions.run },
          { id: "sql.format", title: "Format SQL", group: "SQL", section, run: actions.format },
          { id: "sql.new-tab", title: "New SQL tab", group: "SQL", section, run: actions.newTab },
          { id: "sql.history", title: actions.showHistory ? "Hide history" : "Show history", group: "SQL", section, run: actions.toggleHistory },
          { id: "sql.tables", title: actions.showTables ? "Hide the table list" : "Show the table list", group: "SQL", section, run: actions.toggleTables },
          ...(workbench?.tabs ?? [])
            .filter((t) => t.id !== tab.id)
            .map((t) => ({ id: `sql.tab.${t.id}`, title: `Switch to tab: ${t.title}`, group: "SQL", section, run: () => actions.switchTo(t.id) })),
        ]
      : [],
  );
}
