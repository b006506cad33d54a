// The schema browser beside the SQL editor: catalogs → schemas → tables and views → columns
// (type and comment), each level loaded when opened, filtered by the search box, shown a page
// at a time. Clicking a table or column name puts it into the editor at the cursor.
import { useEffect, useState } from "preact/hooks";
import { toAppError, type ColumnEntry, type TableEntry } from "../platform";
import type { CatalogSource } from "./catalogCache";
import { quoted } from "./completion";

/** How many children a node shows before "Show more". */
const PAGE = 100;

interface Props {
  catalogs: CatalogSource;
  onInsert: (text: string) => void;
  onClose: () => void;
}

type Loaded<T> = { state: "loading" } | { state: "error"; message: string } | { state: "done"; items: T[] };

/** Loads `load()` once the node is open; `null` while closed. */
function useChildren<T>(open: boolean, load: () => Promise<T[]>): Loaded<T> | null {
  const [loaded, setLoaded] = useState<Loaded<T> | null>(null);
  useEffect(() => {
    if (!open || (loaded && loaded.state !== "error")) return;
    let live = true;
    setLoaded({ state: "loading" });
    load().then(
      (items) => live && setLoaded({ state: "done", items }),
      (error: unknown) => live && setLoaded({ state: "error", message: toAppError(error).message }),
    );
    return () => {
      live = false;
    };
    // Loads once per opening; the source is stable for the browser's life.
  }, [open]);
  return open ? loaded : null;
}

const matches = (name: string, filter: string) => filter === "" || name.toLowerCase().includes(filter);

/** The children of an open node: a loading line, the error, or a page of items. */
function Children<T>({ loaded, render, empty }: { loaded: Loaded<T> | null; render: (item: T) => preact.ComponentChild; empty: string }) {
  const [shown, setShown] = useState(PAGE);
  if (!loaded) return null;
  if (loaded.state === "loading") return <li class="tree-note muted">Loading…</li>;
  if (loaded.state === "error")
    return (
      <li class="tree-note field-error" role="alert">
        {loaded.message}
      </li>
    );
  if (loaded.items.length === 0) return <li class="tree-note muted">{empty}</li>;
  return (
    <>
      {loaded.items.slice(0, shown).map(render)}
      {loaded.items.length > shown && (
        <li>
          <button type="button" class="ghost tree-more" onClick={() => setShown((n) => n + PAGE)}>
            Show {Math.min(PAGE, loaded.items.length - shown)} more of {loaded.items.length - shown}
          </button>
        </li>
      )}
    </>
  );
}

function Toggle({ open, label, onToggle }: { open: boolean; label: string; onToggle: () => void }) {
  return (
    <button type="button" class="tree-toggle" aria-expanded={open} aria-label={`${open ? "Collapse" : "Expand"} ${label}`} onClick={onToggle}>
      {open ? "▾" : "▸"}
    </button>
  );
}

/** A catalog's or schema's row: both its arrow and its name open it. */
function BranchRow({ open, label, onToggle }: { open: boolean; label: string; onToggle: () => void }) {
  return (
    <div class="tree-row">
      <Toggle open={open} label={label} onToggle={onToggle} />
      <button type="button" class="tree-name" onClick={onToggle}>
        {label}
      </button>
    </div>
  );
}

function ColumnNode({ column, onInsert }: { column: ColumnEntry; onInsert: (text: string) => void }) {
  return (
    <li class="tree-node column" data-testid="schema-column">
      <button type="button" class="tree-name" title={column.comment ?? `Insert ${column.name}`} onClick={() => onInsert(quoted(column.name))}>
        {column.name}
      </button>
      <span class="tree-type muted">{column.typeText}</span>
      {column.comment && (
        <span class="tree-comment muted" title={column.comment}>
          {column.comment}
        </span>
      )}
    </li>
  );
}

function TableNode({ path, table, source, onInsert }: { path: [string, string]; table: TableEntry; source: CatalogSource; onInsert: (text: string) => void }) {
  const [open, setOpen] = useState(false);
  const columns = useChildren(open, () => source.columns(path[0], path[1], table.name));
  const full = [...path, table.name].map(quoted).join(".");
  return (
    <li class="tree-node table" data-testid="schema-table" data-name={full}>
      <div class="tree-row">
        <Toggle open={open} label={table.name} onToggle={() => setOpen(!open)} />
        <button type="button" class="tree-name" title={table.comment ?? `Insert ${full}`} onClick={() => onInsert(full)}>
          {table.name}
        </button>
        {table.isView && <span class="tree-badge">view</span>}
      </div>
      {open && (
        <ul>
          <Children loaded={columns} empty="No columns" render={(c) => <ColumnNode key={c.name} column={c} onInsert={onInsert} />} />
        </ul>
      )}
    </li>
  );
}

function SchemaNode({ catalog, schema, source, filter, onInsert }: { catalog: string; schema: string; source: CatalogSource; filter: string; onInsert: (text: string) => void }) {
  const [open, setOpen] = useState(false);
  const tables = useChildren(open, () => source.tables(catalog, schema));
  const shown: Loaded<TableEntry> | null =
    tables?.state === "done" ? { state: "done", items: tables.items.filter((t) => matches(t.name, filter)) } : tables;
  return (
    <li class="tree-node schema" data-testid="schema-schema" data-name={`${catalog}.${schema}`}>
      <BranchRow open={open} label={schema} onToggle={() => setOpen(!open)} />
      {open && (
        <ul>
          <Children
            loaded={shown}
            empty={filter ? "No table matches" : "No tables"}
            render={(t) => <TableNode key={t.name} path={[catalog, schema]} table={t} source={source} onInsert={onInsert} />}
          />
        </ul>
      )}
    </li>
  );
}

function CatalogNode({ catalog, source, filter, onInsert }: { catalog: string; source: CatalogSource; filter: string; onInsert: (text: string) => void }) {
  const [open, setOpen] = useState(false);
  const schemas = useChildren(open, () => source.schemas(catalog));
  return (
    <li class="tree-node catalog" data-testid="schema-catalog" data-name={catalog}>
      <BranchRow open={open} label={catalog} onToggle={() => setOpen(!open)} />
      {open && (
        <ul>
          <Children
            loaded={schemas}
            empty="No schemas"
            render={(s) => <SchemaNode key={s} catalog={catalog} schema={s} source={source} filter={filter} onInsert={onInsert} />}
          />
        </ul>
      )}
    </li>
  );
}

export function SchemaBrowser({ catalogs, onInsert, onClose }: Props) {
  const [filter, setFilter] = useState("");
  const top = useChildren(true, () => catalogs.catalogs());
  const needle = filter.trim().toLowerCase();
  return (
    <aside class="schema-browser" aria-label="Tables" data-testid="schema-browser">
      <div class="history-head">
        <strong>Tables</strong>
        <span class="spacer" />
        <button type="button" class="ghost" aria-label="Close the table list" onClick={onClose}>
          ×
        </button>
      </div>
      <input
        type="search"
        placeholder="Filter tables in open schemas"
        aria-label="Filter tables"
        data-testid="schema-filter"
        value={filter}
        onInput={(event) => setFilter(event.currentTarget.value)}
      />
      <ul class="tree" aria-label="Catalogs">
        <Children
          loaded={top}
          empty="No catalogs you can see"
          render={(c) => <CatalogNode key={c} catalog={c} source={catalogs} filter={needle} onInsert={onInsert} />}
        />
      </ul>
      <p class="muted tree-hint">Click a name to put it in the editor.</p>
    </aside>
  );
}
