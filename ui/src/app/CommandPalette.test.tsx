// The palette over registered commands: Ctrl+K opens it, words filter, arrows choose, Enter
// runs (after showing the command's section), a view's commands leave with it.
import { act, fireEvent, render, screen } from "@testing-library/preact";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { matchCommands, useCommands, type Command } from "./commands";
import { CommandPalette } from "./CommandPalette";

beforeAll(() => {
  // jsdom has no modal dialogs.
  HTMLDialogElement.prototype.showModal = function (this: HTMLDialogElement) {
    this.open = true;
  };
  HTMLDialogElement.prototype.close = function (this: HTMLDialogElement) {
    this.open = false;
  };
});

function View({ commands }: { commands: Command[] }) {
  useCommands(commands);
  return null;
}

describe("matchCommands", () => {
  const list: Command[] = ["Go to Genie", "Go to the SQL runner", "Switch workspace: Finance", "Format SQL"].map((title) => ({
    id: title,
    title,
    group: "g",
    run: () => {},
  }));
  it("keeps commands holding every word, titles starting with the query first", () => {
    expect(matchCommands(list, "sql").map((c) => c.title)).toEqual(["Go to the SQL runner", "Format SQL"]);
    expect(matchCommands(list, "fo").map((c) => c.title)).toEqual(["Format SQL"]);
    expect(matchCommands(list, "switch fin").map((c) => c.title)).toEqual(["Switch workspace: Finance"]);
    expect(matchCommands(list, "")).toHaveLength(4);
  });
});

describe("CommandPalette", () => {
  it("opens on Ctrl+K, filters, runs the chosen command in its section, and forgets unmounted views", async () => {
    const format = vi.fn();
    const genie = vi.fn();
    const onSection = vi.fn();
    const { rerender } = render(
      <>
        <View
          commands={[
            { id: "a", title: "Go to Genie", group: "Navigate", run: genie },
            { id: "b", title: "Format SQL", group: "SQL", section: "sql", run: format },
          ]}
        />
        <CommandPalette onSection={onSection} />
      </>,
    );
    act(() => void fireEvent.keyDown(window, { key: "k", ctrlKey: true }));
    const input = await screen.findByTestId("palette-input");
    expect(screen.getAllByTestId("palette-command").map((c) => c.textContent)).toEqual(["Go to Genie Navigate", "Format SQL SQL"]);
    fireEvent.keyDown(input, { key: "ArrowDown" });
    expect(screen.getAllByTestId("palette-command")[1].getAttribute("aria-selected")).toBe("true");
    fireEvent.input(input, { target: { value: "form" } });
    fireEvent.keyDown(input, { key: "Enter" });
    expect(onSection).toHaveBeenCalledWith("sql");
    expect(format).toHaveBeenCalledOnce();
    expect(genie).not.toHaveBeenCalled();
    expect(screen.queryByTestId("palette-input")).toBeNull();

    rerender(<CommandPalette onSection={onSection} />);
    act(() => void fireEvent.keyDown(window, { key: "k", ctrlKey: true }));
    await screen.findByTestId("palette-input");
    expect(screen.queryAllByTestId("palette-command")).toHaveLength(0);
    expect(screen.getByRole("listbox").textContent).toContain("Nothing matches");
  });
});
