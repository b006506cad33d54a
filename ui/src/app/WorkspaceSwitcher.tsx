// The sidebar's workspace list: one click (or Enter) switches; arrow keys move between items.
import { useRef } from "preact/hooks";
import type { WorkspaceList } from "../platform";
import { LockIcon } from "./icons";

interface Props {
  list: WorkspaceList;
  onSelect: (id: string) => void;
  onAdd: () => void;
}

export function WorkspaceSwitcher({ list, onSelect, onAdd }: Props) {
  const itemsRef = useRef<HTMLUListElement>(null);

  // Roving focus: Up/Down/Home/End move between the workspace buttons.
  const onKeyDown = (event: KeyboardEvent) => {
    const buttons = Array.from(itemsRef.current?.querySelectorAll<HTMLButtonElement>("button") ?? []);
    const index = buttons.indexOf(document.activeElement as HTMLButtonElement);
    if (index < 0) return;
    const next: Record<string, number> = {
      ArrowDown: Math.min(index + 1, buttons.length - 1),
      ArrowUp: Math.max(index - 1, 0),
      Home: 0,
      End: buttons.length - 1,
    };
    if (event.key in next) {
      event.preventDefault();
      buttons[next[event.key]]?.focus();
    }
  };

  if (list.workspaces.length === 0) {
    return (
      <nav aria-label="Workspaces" class="workspaces empty">
        <p class="muted">Connect Brickdesk to your Databricks workspace to get started.</p>
        <button type="button" class="primary" data-testid="add-workspace" onClick={onAdd}>
          Add a workspace
        </button>
      </nav>
    );
  }

  const activeId = list.activeId ?? list.workspaces[0]?.id;
  return (
    <nav aria-label="Workspaces" class="workspaces">
      <h2 class="sidebar-heading">Workspaces</h2>
      <ul ref={itemsRef} onKeyDown={onKeyDown}>
        {list.workspaces.map((workspace) => {
          const active = workspace.id === activeId;
          return (
            <li key={workspace.id}>
              <button
                type="button"
                class="workspace-item"
                data-testid="workspace-item"
                aria-current={active ? "true" : undefined}
                tabIndex={active ? 0 : -1}
                onClick={() => onSelect(workspace.id)}
              >
                <span class="workspace-name">
                  {workspace.name}
                  {workspace.managed && <LockIcon label="Managed by your IT department" />}
                </span>
                <span class="workspace-host">{workspace.host.replace(/^https?:\/\//, "")}</span>
              </button>
            </li>
          );
        })}
      </ul>
      <button type="button" class="ghost" data-testid="add-workspace" onClick={onAdd}>
        + Add workspace
      </button>
    </nav>
  );
}
