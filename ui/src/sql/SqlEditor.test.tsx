// The editor as a controlled component: typing that outruns the UI's renders must not be
// undone by the text of an older render (that once froze the app in a loop of undo and redo).
import { render } from "@testing-library/preact";
import { useState } from "preact/hooks";
import { describe, expect, it } from "vitest";
import { SqlEditor, type EditorHandle } from "./SqlEditor";

// jsdom does no layout; CodeMirror measures text through ranges, so give them empty boxes.
Range.prototype.getClientRects = () => [] as unknown as DOMRectList;
Range.prototype.getBoundingClientRect = () => new DOMRect();

describe("SqlEditor", () => {
  it("keeps keystrokes that come between a render and its effects", async () => {
    const handle: { current: EditorHandle | null } = { current: null };
    const seen: string[] = [];
    function Host() {
      const [text, setText] = useState("SELECT ");
      return (
        <SqlEditor
          value={text}
          handle={handle}
          onRun={() => {}}
          onChange={(next) => {
            seen.push(next);
            // A loop would never end: stop it here so the test fails instead of hanging.
            if (seen.length > 50) throw new Error(`the editor keeps rewriting itself: ${seen.slice(-4).join(" | ")}`);
            setText(next);
          }}
        />
      );
    }
    render(<Host />);
    const microtasks = async () => {
      for (let i = 0; i < 5; i++) await Promise.resolve();
    };
    for (const key of ["1", "2", "3"]) {
      handle.current?.insert(key);
      await microtasks(); // the render runs; its effects wait for the next frame
    }
    await new Promise((done) => setTimeout(done, 100));
    expect(seen).toEqual(["1SELECT ", "12SELECT ", "123SELECT "]);
  });
});
