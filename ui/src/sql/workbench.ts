// The SQL runner's tabs as data: create, close, update and restore them. Saved per workspace
// in Rust's local database (see SqlView), so they come back after a restart.
import type { Parameter, SqlTab, Workbench } from "../platform";

export const DEFAULT_SQL =
  "SELECT tpep_pickup_datetime, trip_distance, fare_amount, pickup_zip\nFROM samples.nyctaxi.trips\nWHERE tpep_pickup_datetime >= :date\nLIMIT 100";

let counter = 0;
export function newTabId(): string {
  counter += 1;
  return `t${Date.now().toString(36)}${counter.toString(36)}`;
}

/** "Query N" with the first N not taken. */
function freeTitle(tabs: SqlTab[]): string {
  const taken = new Set(tabs.map((t) => t.title));
  let n = 1;
  while (taken.has(`Query ${n}`)) n++;
  return `Query ${n}`;
}

export function newTab(tabs: SqlTab[], statement = "", parameters: Parameter[] = []): SqlTab {
  return { id: newTabId(), title: freeTitle(tabs), statement, catalog: null, schema: null, parameters };
}

/** A saved workbench made usable: at least one tab, and an active tab that exists. */
export function restore(saved: Workbench): Workbench {
  const tabs = saved.tabs.length > 0 ? saved.tabs : [{ ...newTab([], DEFAULT_SQL), title: "Query 1" }];
  const active = tabs.some((t) => t.id === saved.activeTab) ? saved.activeTab : tabs[0].id;
  return { ...saved, tabs, activeTab: active };
}

export function addTab(workbench: Workbench, statement = "", parameters: Parameter[] = []): Workbench {
  const tab = newTab(workbench.tabs, statement, parameters);
  return { ...workbench, tabs: [...workbench.tabs, tab], activeTab: tab.id };
}

/** Closes a tab; its neighbour becomes active. Closing the last tab leaves one empty tab. */
export function closeTab(workbench: Workbench, id: string): Workbench {
  const index = workbench.tabs.findIndex((t) => t.id === id);
  if (index < 0) return workbench;
  const tabs = workbench.tabs.filter((t) => t.id !== id);
  if (tabs.length === 0) return addTab({ ...workbench, tabs: [] });
  const active =
    workbench.activeTab === id ? tabs[Math.min(index, tabs.length - 1)].id : workbench.activeTab;
  return { ...workbench, tabs, activeTab: active };
}

export function updateTab(workbench: Workbench, id: string, change: Partial<SqlTab>): Workbench {
  return { ...workbench, tabs: workbench.tabs.map((t) => (t.id === id ? { ...t, ...change } : t)) };
}

export function activeTab(workbench: Workbench): SqlTab {
  return workbench.tabs.find((t) => t.id === workbench.activeTab) ?? workbench.tabs[0];
}
