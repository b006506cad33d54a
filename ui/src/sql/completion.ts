// Autocomplete for the SQL editor: what the text before the cursor asks for (a member of a
// dotted name, a `:parameter`, or a word), worked out by plain functions that the tests call,
// and the CodeMirror source that answers it from the catalog cache. Keywords come from
// lang-sql's own source; this adds catalogs, schemas, tables, columns, parameters and the
// Databricks SQL functions people use most.
import type { Completion, CompletionContext, CompletionResult, CompletionSource } from "@codemirror/autocomplete";
import type { CatalogSource } from "./catalogCache";

/** What the cursor is completing. */
export type Want =
  /** After `a.b.`: a member of `path`, starting with `prefix`. */
  | { kind: "member"; path: string[]; prefix: string; from: number }
  /** After `:`: a named parameter. */
  | { kind: "parameter"; prefix: string; from: number }
  /** A bare word. */
  | { kind: "word"; prefix: string; from: number };

const WORD = /[A-Za-z0-9_]/;

/** Reads one identifier that ends at `end` (plain or in backticks); its text and start. */
function identifierBefore(text: string, end: number): { name: string; start: number } | null {
  if (text[end - 1] === "`") {
    const open = text.lastIndexOf("`", end - 2);
    if (open < 0) return null;
    return { name: text.slice(open + 1, end - 1).replace(/``/g, "`"), start: open };
  }
  let start = end;
  while (start > 0 && WORD.test(text[start - 1])) start--;
  return start === end ? null : { name: text.slice(start, end), start };
}

/** What the text before `pos` asks to complete; `null` inside a string or comment. */
export function wantAt(text: string, pos: number): Want | null {
  const before = text.slice(0, pos);
  if (insideStringOrComment(before)) return null;
  let from = pos;
  while (from > 0 && WORD.test(before[from - 1])) from--;
  const prefix = before.slice(from, pos);
  if (before[from - 1] === ":" && before[from - 2] !== ":") return { kind: "parameter", prefix, from };
  if (before[from - 1] !== ".") return { kind: "word", prefix, from };
  const path: string[] = [];
  let end = from - 1;
  while (end >= 0 && before[end] === ".") {
    const part = identifierBefore(before, end);
    if (!part) break;
    path.unshift(part.name);
    end = part.start - 1;
  }
  return path.length === 0 ? { kind: "word", prefix, from } : { kind: "member", path, prefix, from };
}

/** Whether the end of `text` is inside a quoted string or a comment. */
function insideStringOrComment(text: string): boolean {
  let quote: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === "\\" && quote !== "`") i++;
      else if (quote === "--" ? c === "\n" : quote === "/*" ? text.startsWith("*/", i) : c === quote) {
        if (quote === "/*") i++;
        quote = null;
      }
    } else if (c === "'" || c === '"' || c === "`") quote = c;
    else if (text.startsWith("--", i)) quote = "--";
    else if (text.startsWith("/*", i)) quote = "/*";
  }
  return quote !== null && quote !== "`";
}

/** A table the statement reads: its dotted name as written, and its alias if it has one. */
export interface TableRef {
  path: string[];
  alias: string | null;
}

const NAME = "(?:`(?:[^`]|``)+`|[A-Za-z_][A-Za-z0-9_]*)";
const TABLE_REF = new RegExp(
  `\\b(?:FROM|JOIN|UPDATE|INTO)\\s+(${NAME}(?:\\s*\\.\\s*${NAME}){0,2})(?:\\s+(?:AS\\s+)?(${NAME}))?`,
  "gi",
);
/** Words that follow a table but are not its alias. */
const NOT_ALIAS = new Set(
  "where join left right inner outer full cross on using group order limit having union except intersect window qualify lateral natural pivot unpivot tablesample select set values as".split(
    " ",
  ),
);

const unquote = (name: string) => (name.startsWith("`") ? name.slice(1, -1).replace(/``/g, "`") : name);

/** The tables named after FROM/JOIN (and UPDATE/INTO) in `text`. */
export function tablesIn(text: string): TableRef[] {
  const found: TableRef[] = [];
  for (const match of text.matchAll(TABLE_REF)) {
    const path = match[1].split(new RegExp(`\\s*\\.\\s*(?=${NAME})`)).map((p) => unquote(p.trim()));
    const alias = match[2] && !NOT_ALIAS.has(match[2].toLowerCase()) ? unquote(match[2]) : null;
    found.push({ path, alias });
  }
  return found;
}

/** A name as SQL needs it: backticks around anything but a plain identifier. */
export function quoted(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? name : "`" + name.replace(/`/g, "``") + "`";
}

/** The three-part name of `ref`, filling catalog and schema from the tab's defaults. */
export function fullName(ref: string[], defaults: { catalog: string | null; schema: string | null }): string[] | null {
  if (ref.length === 3) return ref;
  if (ref.length === 2) return defaults.catalog ? [defaults.catalog, ...ref] : null;
  return defaults.catalog && defaults.schema ? [defaults.catalog, defaults.schema, ref[0]] : null;
}

/** Databricks SQL functions business SQL uses most (docs: "Built-in functions"). */
export const FUNCTIONS = [
  "abs", "add_months", "any_value", "approx_count_distinct", "approx_percentile", "array", "array_agg", "array_contains",
  "avg", "cast", "ceil", "coalesce", "collect_list", "collect_set", "concat", "concat_ws", "contains", "count",
  "count_if", "current_date", "current_timestamp", "current_user", "date_add", "date_diff", "date_format", "date_sub",
  "date_trunc", "datediff", "day", "dayofweek", "decode", "dense_rank", "endswith", "explode", "extract", "first",
  "first_value", "floor", "format_number", "from_json", "from_unixtime", "from_utc_timestamp", "get_json_object",
  "greatest", "hour", "if", "ifnull", "ilike", "initcap", "instr", "lag", "last", "last_day", "last_value", "lead",
  "least", "left", "length", "lower", "lpad", "ltrim", "make_date", "max", "max_by", "median", "min", "min_by",
  "minute", "month", "months_between", "named_struct", "nullif", "nvl", "ntile", "percentile", "percentile_approx",
  "percent_rank", "pow", "rank", "regexp_extract", "regexp_like", "regexp_replace", "replace", "right", "round",
  "row_number", "rpad", "rtrim", "second", "size", "split", "split_part", "sqrt", "startswith", "stddev", "struct",
  "substr", "substring", "sum", "timestamp_micros", "timestampadd", "timestampdiff", "to_date", "to_json",
  "to_timestamp", "to_utc_timestamp", "trim", "try_cast", "try_divide", "trunc", "unix_timestamp", "upper", "variance",
  "weekofyear", "year",
];

export interface CompletionInputs {
  catalogs: CatalogSource;
  defaults: () => { catalog: string | null; schema: string | null };
  parameters: () => string[];
}

const option = (label: string, type: string, detail?: string): Completion => ({
  label,
  type,
  detail,
  apply: quoted(label),
});

/** What to offer for `want` in `text`: loads what it needs from the catalog cache. */
export async function optionsFor(want: Want, text: string, inputs: CompletionInputs): Promise<Completion[]> {
  const { catalogs } = inputs;
  const tables = tablesIn(text);
  const columnsOf = async (path: string[]): Promise<Completion[]> => {
    const [catalog, schema, table] = path;
    const columns = await catalogs.columns(catalog, schema, table);
    return columns.map((c) => option(c.name, "property", c.typeText || undefined));
  };
  const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

  if (want.kind === "parameter") {
    return inputs.parameters().map((name) => ({ label: name, type: "variable", detail: "parameter" }));
  }
  if (want.kind === "member") {
    const { path } = want;
    if (path.length === 1) {
      // An alias or a table's own name first: `t.` offers t's columns.
      const ref = tables.find((t) => (t.alias ? same(t.alias, path[0]) : same(t.path[t.path.length - 1], path[0])));
      const table = ref && fullName(ref.path, inputs.defaults());
      if (table) return columnsOf(table);
      const schemas = await catalogs.schemas(path[0]);
      return schemas.map((s) => option(s, "namespace", "schema"));
    }
    if (path.length === 2) {
      const found = await catalogs.tables(path[0], path[1]);
      return found.map((t) => option(t.name, t.isView ? "interface" : "class", t.isView ? "view" : "table"));
    }
    if (path.length === 3) return columnsOf(path);
    return [];
  }
  // A bare word: catalogs, the columns of the tables the statement reads, and functions.
  const [catalogNames, columnLists] = await Promise.all([
    catalogs.catalogs().catch(() => [] as string[]),
    Promise.all(
      tables.map((t) => {
        const table = fullName(t.path, inputs.defaults());
        return table ? columnsOf(table).catch(() => [] as Completion[]) : Promise.resolve([] as Completion[]);
      }),
    ),
  ]);
  const seen = new Set<string>();
  const columns = columnLists.flat().filter((c) => !seen.has(c.label) && seen.add(c.label));
  return [
    ...columns,
    ...catalogNames.map((c) => option(c, "namespace", "catalog")),
    ...FUNCTIONS.map((f) => ({ label: f, type: "function", apply: `${f}(` }) satisfies Completion),
  ];
}

/** The CodeMirror completion source over `inputs`. */
export function catalogCompletion(inputs: CompletionInputs): CompletionSource {
  return async (context: CompletionContext): Promise<CompletionResult | null> => {
    const text = context.state.doc.toString();
    const want = wantAt(text, context.pos);
    if (!want) return null;
    // A bare word completes only when typed into, or when asked for (Ctrl+Space).
    if (want.kind === "word" && want.prefix === "" && !context.explicit) return null;
    let options: Completion[];
    try {
      options = await optionsFor(want, text, inputs);
    } catch {
      // A catalog that cannot be listed offers nothing; the schema browser shows the reason.
      return null;
    }
    if (context.aborted) return null;
    return { from: want.from, options, validFor: /^[A-Za-z0-9_]*$/ };
  };
}
