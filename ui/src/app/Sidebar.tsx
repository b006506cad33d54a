// The left column: brand, workspace switcher and the section navigation.
import type { WorkspaceList } from "../platform";
import { BrickIcon } from "./icons";
import { SECTIONS, type Section } from "./SectionView";
import { WorkspaceSwitcher } from "./WorkspaceSwitcher";

interface Props {
  list: WorkspaceList;
  section: Section;
  onSelectWorkspace: (id: string) => void;
  onAddWorkspace: () => void;
  onSelectSection: (section: Section) => void;
}

export function Sidebar({ list, section, onSelectWorkspace, onAddWorkspace, onSelectSection }: Props) {
  return (
    <aside class="sidebar">
      <div class="brand">
        <BrickIcon />
        <span>Brickdesk</span>
      </div>
      <WorkspaceSwitcher list={list} onSelect={onSelectWorkspace} onAdd={onAddWorkspace} />
      <nav aria-label="Sections" class="sections">
        <ul>
          {SECTIONS.map((s) => (
            <li key={s.id}>
              <button
                type="button"
                class="section-link"
                data-testid={`nav-${s.id}`}
                aria-current={s.id === section ? "page" : undefined}
                onClick={() => onSelectSection(s.id)}
              >
                {s.label}
              </button>
            </li>
          ))}
        </ul>
      </nav>
    </aside>
  );
}
