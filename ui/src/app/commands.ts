// The commands the palette (Ctrl/Cmd+K) offers. Each view registers what it can do while it is
// on screen, so the palette always lists what is possible now: switch workspace or section
// (the app), pick an agent or a conversation (Genie), run, format, open a tab or the history
// (the SQL runner).
import { useEffect, useRef } from "preact/hooks";

export interface Command {
  id: string;
  title: string;
  /** Where it belongs, shown beside it ("Workspace", "Genie", "SQL"). */
  group: string;
  /** A key to press instead, shown beside it. */
  shortcut?: string;
  /** The section it acts in: the palette shows that section before running it. */
  section?: "ask" | "genie" | "sql";
  run: () => void;
}

const owners = new Map<symbol, Command[]>();
const listeners = new Set<() => void>();

/** Every command registered now, in the order the views registered them. */
export function allCommands(): Command[] {
  return [...owners.values()].flat();
}

/** Calls `listener` whenever the commands change; returns how to stop. */
export function onCommandsChanged(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function changed() {
  for (const listener of listeners) listener();
}

/** Registers `commands` while the calling component is mounted; each run calls the latest. */
export function useCommands(commands: Command[]): void {
  const key = useRef(Symbol("commands"));
  const latest = useRef(commands);
  latest.current = commands;
  const signature = commands.map((c) => `${c.id}\u0000${c.title}\u0000${c.shortcut ?? ""}`).join("\u0001");
  useEffect(() => {
    const owner = key.current;
    owners.set(
      owner,
      latest.current.map((c) => ({ ...c, run: () => latest.current.find((l) => l.id === c.id)?.run() })),
    );
    changed();
    return () => {
      owners.delete(owner);
      changed();
    };
  }, [signature]);
}

/** The commands whose title (or group) holds every word of `query`, best first. */
export function matchCommands(commands: Command[], query: string): Command[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return commands;
  const scored = commands
    .map((command) => {
      const title = command.title.toLowerCase();
      const text = `${title} ${command.group.toLowerCase()}`;
      if (!words.every((w) => text.includes(w))) return null;
      // Titles that start with the query come first, then those with a word that does.
      const score = title.startsWith(words[0]) ? 0 : title.split(/\s+/).some((t) => t.startsWith(words[0])) ? 1 : 2;
      return { command, score };
    })
    .filter((s): s is { command: Command; score: number } => s !== null);
  return scored.sort((a, b) => a.score - b.score).map((s) => s.command);
}
