// The SQL editor: CodeMirror 6 with SQL highlighting. Ctrl/Cmd+Enter runs the selection, or the
// statement under the cursor. The parent reads the same through `handle.current.toRun()`.
import { sql } from "@codemirror/lang-sql";
import { Prec } from "@codemirror/state";
import { keymap } from "@codemirror/view";
import { EditorView, basicSetup } from "codemirror";
import { useEffect, useRef } from "preact/hooks";
import type { MutableRef } from "preact/hooks";
import { statementToRun } from "./statements";

export interface EditorHandle {
  /** The SQL Run would send now. */
  toRun: () => string;
  focus: () => void;
}

interface Props {
  value: string;
  onChange: (text: string) => void;
  onRun: (sql: string) => void;
  handle: MutableRef<EditorHandle | null>;
}

function toRun(view: EditorView): string {
  const { from, to } = view.state.selection.main;
  return statementToRun(view.state.doc.toString(), from, to);
}

export function SqlEditor({ value, onChange, onRun, handle }: Props) {
  const hostRef = useRef<HTMLDivElement>(null);
  const viewRef = useRef<EditorView | null>(null);
  // Handlers change every render; the editor is created once and reads the latest.
  const latest = useRef({ onChange, onRun });
  latest.current = { onChange, onRun };

  useEffect(() => {
    if (!hostRef.current) return;
    const view = new EditorView({
      doc: value,
      parent: hostRef.current,
      extensions: [
        basicSetup,
        sql(),
        Prec.highest(
          keymap.of([
            {
              key: "Mod-Enter",
              run: (v) => {
                latest.current.onRun(toRun(v));
                return true;
              },
            },
          ]),
        ),
        EditorView.updateListener.of((update) => {
          if (update.docChanged) latest.current.onChange(update.state.doc.toString());
        }),
        EditorView.contentAttributes.of({ "aria-label": "SQL statement", "data-testid": "sql-editor" }),
      ],
    });
    viewRef.current = view;
    handle.current = { toRun: () => toRun(view), focus: () => view.focus() };
    return () => {
      view.destroy();
      viewRef.current = null;
      handle.current = null;
    };
    // Created once per mount; `value` changes from outside are applied below.
  }, []);

  // Text set from outside (another workspace, a statement from history).
  useEffect(() => {
    const view = viewRef.current;
    if (view && view.state.doc.toString() !== value) {
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: value } });
    }
  }, [value]);

  return <div class="sql-editor" ref={hostRef} />;
}
