// Catalog and schema for unqualified table names in the statement (sent as the statement's
// `catalog` and `schema`). Lists come from Unity Catalog, or through SQL on the chosen
// warehouse for a SQL-only sign-in; either can be left on "default".
import { useEffect, useState } from "preact/hooks";
import { listCatalogs, listSchemas } from "../platform";

interface Props {
  workspaceId: string;
  /** The tab's warehouse, for listing through SQL when Unity Catalog's API is off-limits. */
  warehouseId: string | null;
  catalog: string | null;
  schema: string | null;
  onChange: (catalog: string | null, schema: string | null) => void;
}

export function CatalogPicker({ workspaceId, warehouseId, catalog, schema, onChange }: Props) {
  const [catalogs, setCatalogs] = useState<string[]>([]);
  const [schemas, setSchemas] = useState<string[]>([]);

  useEffect(() => {
    setCatalogs([]);
    // Without Unity Catalog access the pickers stay on "default"; statements still run.
    listCatalogs(workspaceId, warehouseId).then(setCatalogs, () => setCatalogs([]));
  }, [workspaceId, warehouseId]);

  useEffect(() => {
    setSchemas([]);
    if (catalog) listSchemas(workspaceId, catalog, warehouseId).then(setSchemas, () => setSchemas([]));
  }, [workspaceId, catalog, warehouseId]);

  const withCurrent = (names: string[], current: string | null) =>
    current && !names.includes(current) ? [current, ...names] : names;

  return (
    <>
      <label class="picker">
        <span class="muted">Catalog</span>
        <select
          data-testid="catalog-select"
          value={catalog ?? ""}
          onChange={(event) => onChange(event.currentTarget.value || null, null)}
        >
          <option value="">default</option>
          {withCurrent(catalogs, catalog).map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </select>
      </label>
      <label class="picker">
        <span class="muted">Schema</span>
        <select
          data-testid="schema-select"
          value={schema ?? ""}
          disabled={!catalog}
          onChange={(event) => onChange(catalog, event.currentTarget.value || null)}
        >
          <option value="">default</option>
          {withCurrent(schemas, schema).map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </select>
      </label>
    </>
  );
}
