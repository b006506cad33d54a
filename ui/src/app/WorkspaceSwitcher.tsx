// The sidebar's workspace list: one click (or Enter) switches; arrow keys move between items.
import { useEffect, useRef, useState } from "preact/hooks";
import type { WorkspaceList } from "../platform";
import { LockIcon } from "./icons";
import { longStatus, shortStatus } from "./signInText";

interface Props {
  list: WorkspaceList;
  onSelect: (id: string) => void;
  onAdd: () => void;
}

const MOVES: Record<string, (index: number, count: number) => number> = {
  ArrowDown: (index, count) => Math.min(index + 1, count - 1),
  ArrowUp: (index) => Math.max(index - 1, 0),
  Home: () => 0,
  End: (_index, count) => count - 1,
};

export function WorkspaceSwitcher({ list, onSelect, onAdd }: Props) {
  const itemsRef = useRef<HTMLUListElement>(null);
  // Roving tabindex: one item is in the Tab order, the last one focused (else the active one).
  const [focusedId, setFocusedId] = useState<string | null>(null);
  useEffect(() => setFocusedId(null), [list.activeId]);

  const onKeyDown = (event: KeyboardEvent) => {
    const move = MOVES[event.key];
    if (!move) return;
    const buttons = Array.from(
      itemsRef.current?.querySelectorAll<HTMLButtonElement>("[data-testid=workspace-item]") ?? [],
    );
    const index = buttons.indexOf(event.currentTarget as HTMLButtonElement);
    if (index < 0) return;
    event.preventDefault();
    buttons[move(index, buttons.length)]?.focus();
  };

  if (list.workspaces.length === 0) {
    return (
      <nav aria-label="Workspaces" class="workspaces empty">
        {list.canAdd ? (
          <>
            <p class="muted">Connect Brickdesk to your Databricks workspace to get started.</p>
            <button type="button" class="primary" data-testid="add-workspace" onClick={onAdd}>
              Add a workspace
            </button>
          </>
        ) : (
          <p class="muted">Your IT department has not set up a workspace for you yet. Ask them to add one.</p>
        )}
      </nav>
    );
  }

  const ids = list.workspaces.map((w) => w.id);
  const tabbableId = [focusedId, list.activeId].find((id) => id !== null && ids.includes(id)) ?? ids[0];
  return (
    <nav aria-label="Workspaces" class="workspaces">
      <h2 class="sidebar-heading">Workspaces</h2>
      <ul ref={itemsRef}>
        {list.workspaces.map((workspace) => (
          <li key={workspace.id}>
            <button
              type="button"
              class="workspace-item"
              data-testid="workspace-item"
              aria-current={workspace.id === list.activeId ? "true" : undefined}
              tabIndex={workspace.id === tabbableId ? 0 : -1}
              onClick={() => onSelect(workspace.id)}
              onFocus={() => setFocusedId(workspace.id)}
              onKeyDown={onKeyDown}
            >
              <span class="workspace-name">
                <span class="workspace-label">{workspace.name}</span>
                {workspace.managed && <LockIcon label="Managed by your IT department" />}
              </span>
              <span class={workspace.workspaceId ? "workspace-host split" : "workspace-host"} title={workspace.location}>
                {workspace.workspaceId ? (
                  // The host gives way to the workspace id: on a host serving several, the id
                  // is what tells two entries apart.
                  <>
                    <span class="workspace-host-name">{workspace.host.replace(/^https?:\/\//, "")}</span>
                    <span class="workspace-host-id"> · workspace {workspace.workspaceId}</span>
                  </>
                ) : (
                  workspace.location
                )}
              </span>
              <span
                class="workspace-status"
                data-testid="workspace-status"
                data-state={workspace.blocked ? "blocked" : workspace.status.state}
                title={workspace.blocked ?? longStatus(workspace.status)}
              >
                <span class="status-dot" aria-hidden="true" />
                {workspace.blocked ? "Not allowed" : shortStatus(workspace.status)}
              </span>
            </button>
          </li>
        ))}
      </ul>
      {list.canAdd && (
        <button type="button" class="add-workspace" data-testid="add-workspace" onClick={onAdd}>
          <span aria-hidden="true">+</span> Add workspace
        </button>
      )}
    </nav>
  );
}
