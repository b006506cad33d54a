// The SQL editor: CodeMirror 6 with SQL highlighting and autocomplete (keywords from lang-sql,
// names from `completion`). Ctrl/Cmd+Enter runs the selection, or the statement under the
// cursor. The parent reads the same through `handle.current.toRun()`, and inserts names picked
// in the schema browser through `handle.current.insert()`.
import type { CompletionSource } from "@codemirror/autocomplete";
import { sql } from "@codemirror/lang-sql";
import { Prec } from "@codemirror/state";
import { keymap } from "@codemirror/view";
import { EditorView, basicSetup } from "codemirror";
import { useEffect, useLayoutEffect, useRef } from "preact/hooks";
import type { MutableRef } from "preact/hooks";
import { sqlHighlighting } from "./highlight";
import { statementToRun } from "./statements";

export interface EditorHandle {
  /** The SQL Run would send now. */
  toRun: () => string;
  focus: () => void;
  /** Puts `text` at the cursor (replacing the selection) and focuses the editor. */
  insert: (text: string) => void;
}

interface Props {
  value: string;
  onChange: (text: string) => void;
  onRun: (sql: string) => void;
  handle: MutableRef<EditorHandle | null>;
  /** Names to offer as the user types: catalogs, tables, columns, parameters. */
  completion?: CompletionSource;
}

function toRun(view: EditorView): string {
  const { from, to } = view.state.selection.main;
  return statementToRun(view.state.doc.toString(), from, to);
}

export function SqlEditor({ value, onChange, onRun, handle, completion }: Props) {
  const hostRef = useRef<HTMLDivElement>(null);
  const viewRef = useRef<EditorView | null>(null);
  /** The text this editor last reported through `onChange`. */
  const reported = useRef(value);
  // Handlers change every render; the editor is created once and reads the latest.
  const latest = useRef({ onChange, onRun, completion });
  latest.current = { onChange, onRun, completion };
  const names: CompletionSource = (context) => latest.current.completion?.(context) ?? null;

  useEffect(() => {
    if (!hostRef.current) return;
    const language = sql();
    const view = new EditorView({
      doc: value,
      parent: hostRef.current,
      extensions: [
        basicSetup,
        sqlHighlighting,
        language,
        language.language.data.of({ autocomplete: names }),
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
          if (!update.docChanged) return;
          reported.current = update.state.doc.toString();
          latest.current.onChange(reported.current);
        }),
        // tabindex: the editor is the keyboard's way into its own scrolling region (axe-core's
        // scrollable-region-focusable does not count contenteditable alone).
        EditorView.contentAttributes.of({ "aria-label": "SQL statement", "data-testid": "sql-editor", tabindex: "0" }),
      ],
    });
    viewRef.current = view;
    handle.current = {
      toRun: () => toRun(view),
      focus: () => view.focus(),
      insert: (text) => {
        view.dispatch(view.state.replaceSelection(text), { scrollIntoView: true });
        view.focus();
      },
    };
    return () => {
      view.destroy();
      viewRef.current = null;
      handle.current = null;
    };
    // Created once per mount; `value` changes from outside are applied below.
  }, []);

  // Text set from outside (another workspace's tab under the same key). A layout effect, run
  // as the render commits: a plain effect can be flushed late, just before the next render,
  // with the `value` of an older render, and then it and the typing undo each other forever
  // (the editor froze that way when a render came while an effect was pending). What the
  // editor itself reported is never written back.
  useLayoutEffect(() => {
    const view = viewRef.current;
    if (!view || value === reported.current) return;
    if (view.state.doc.toString() !== value) {
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: value } });
    }
  }, [value]);

  return <div class="sql-editor" ref={hostRef} />;
}
