// The command palette: Ctrl+K (Cmd+K on a Mac) anywhere opens a search over what can be done
// now (see ./commands); arrows move, Enter runs, Escape closes. A combobox over a listbox,
// as WAI-ARIA's pattern has it, so screen readers announce the chosen command.
import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import { allCommands, matchCommands, onCommandsChanged, type Command } from "./commands";

export const isMac = () => /Mac|iPhone|iPad/.test(navigator.platform);
/** How the palette's key reads on this OS. */
export const paletteShortcut = () => (isMac() ? "⌘K" : "Ctrl+K");
/** The keys the app knows, for the account menu. */
export const shortcuts = () => {
  const mod = isMac() ? "⌘" : "Ctrl+";
  return `${paletteShortcut()} all commands · ${mod}Enter run the statement · Ctrl+Space complete a name · Enter ask Genie (Shift+Enter a new line)`;
};
/** Opens the palette from elsewhere (the account menu). */
export const openPalette = () => window.dispatchEvent(new Event("brickdesk:palette"));

export function CommandPalette({ onSection }: { onSection: (section: "ask" | "genie" | "sql") => void }) {
  const dialogRef = useRef<HTMLDialogElement>(null);
  const [open, setOpen] = useState(false);
  const [query, setQuery] = useState("");
  const [chosen, setChosen] = useState(0);
  const [commands, setCommands] = useState<Command[]>(allCommands);

  useEffect(() => onCommandsChanged(() => setCommands(allCommands())), []);
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if ((event.ctrlKey || event.metaKey) && !event.altKey && event.key.toLowerCase() === "k") {
        event.preventDefault();
        setOpen((was) => !was);
      }
    };
    const onAsk = () => setOpen(true);
    window.addEventListener("keydown", onKey);
    window.addEventListener("brickdesk:palette", onAsk);
    return () => {
      window.removeEventListener("keydown", onKey);
      window.removeEventListener("brickdesk:palette", onAsk);
    };
  }, []);
  // A layout effect: the dialog is open (and its input focusable) in the same commit that
  // renders the input, never a frame later.
  useLayoutEffect(() => {
    const dialog = dialogRef.current;
    if (!dialog) return;
    if (open && !dialog.open) {
      setQuery("");
      setChosen(0);
      setCommands(allCommands());
      dialog.showModal();
    } else if (!open && dialog.open) dialog.close();
  }, [open]);

  const shown = matchCommands(commands, query);
  const index = Math.min(chosen, Math.max(shown.length - 1, 0));
  const run = (command: Command | undefined) => {
    if (!command) return;
    setOpen(false);
    if (command.section) onSection(command.section);
    command.run();
  };
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === "ArrowDown") setChosen((index + 1) % Math.max(shown.length, 1));
    else if (event.key === "ArrowUp") setChosen((index - 1 + shown.length) % Math.max(shown.length, 1));
    else if (event.key === "Enter") run(shown[index]);
    else return;
    event.preventDefault();
  };

  return (
    <dialog
      ref={dialogRef}
      class="dialog palette"
      aria-label="Command palette"
      data-testid="command-palette"
      onCancel={(event) => {
        event.preventDefault();
        setOpen(false);
      }}
      onClose={() => setOpen(false)}
    >
      {open && (
        <div class="palette-body">
          <input
            type="text"
            role="combobox"
            aria-expanded="true"
            aria-controls="palette-list"
            aria-activedescendant={shown[index] ? `palette-${index}` : undefined}
            aria-label="Type a command"
            placeholder="Type a command: a workspace, an agent, Run, Format…"
            data-testid="palette-input"
            value={query}
            onInput={(event) => {
              setQuery(event.currentTarget.value);
              setChosen(0);
            }}
            onKeyDown={onKeyDown}
          />
          <ul id="palette-list" role="listbox" aria-label="Commands" class="palette-list">
            {shown.map((command, i) => (
              // Keyboard use goes through the input (arrows and Enter); a click runs it too.
              // eslint-disable-next-line jsx-a11y/click-events-have-key-events
              <li
                key={command.id}
                id={`palette-${i}`}
                role="option"
                aria-selected={i === index}
                class={i === index ? "chosen" : undefined}
                data-testid="palette-command"
                onMouseMove={() => setChosen(i)}
                onClick={() => run(command)}
              >
                <span>{command.title}</span>
                <span class="muted palette-meta">
                  {command.shortcut && <kbd>{command.shortcut}</kbd>} {command.group}
                </span>
              </li>
            ))}
            {shown.length === 0 && (
              <li class="muted palette-empty" role="option" aria-selected="false" aria-disabled="true">
                Nothing matches “{query}”.
              </li>
            )}
          </ul>
        </div>
      )}
    </dialog>
  );
}
