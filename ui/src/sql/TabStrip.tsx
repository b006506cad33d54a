// The SQL tabs of a workspace: pick one, close one (its result is freed and a running
// statement is cancelled), or open a new one.
import type { SqlTab } from "../platform";

interface Props {
  tabs: SqlTab[];
  active: string | null;
  running: Set<string>;
  onSelect: (id: string) => void;
  onClose: (id: string) => void;
  onNew: () => void;
}

export function TabStrip({ tabs, active, running, onSelect, onClose, onNew }: Props) {
  return (
    // A group of buttons, not an ARIA tablist: each tab has its own close button beside it,
    // which a tablist may not hold. The open tab is `aria-current`.
    <div class="sql-tabs" role="group" aria-label="SQL tabs" data-testid="sql-tabs">
      {tabs.map((tab) => (
        <div key={tab.id} class={`sql-tab${tab.id === active ? " active" : ""}`}>
          <button
            type="button"
            aria-current={tab.id === active ? "true" : undefined}
            data-testid="sql-tab"
            data-tab={tab.id}
            onClick={() => onSelect(tab.id)}
          >
            {running.has(tab.id) && <span class="dot" aria-label="running" />}
            {tab.title}
          </button>
          <button
            type="button"
            class="close"
            aria-label={`Close ${tab.title}`}
            data-testid="close-tab"
            onClick={() => onClose(tab.id)}
          >
            ×
          </button>
        </div>
      ))}
      <button type="button" class="ghost new-tab" aria-label="New tab" data-testid="new-tab" onClick={onNew}>
        +
      </button>
    </div>
  );
}
