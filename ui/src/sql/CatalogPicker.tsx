// Catalog and schema for unqualified table names in the statement (sent as the statement's
// `catalog` and `schema`). Lists come from Unity Catalog; either can be left on "default".
import { useEffect, useState } from "preact/hooks";
import { listCatalogs, listSchemas } from "../platform";

interface Props {
  workspaceId: string;
  catalog: string | null;
  schema: string | null;
  onChange: (catalog: string | null, schema: string | null) => void;
}

export function CatalogPicker({ workspaceId, catalog, schema, onChange }: Props) {
  const [catalogs, setCatalogs] = useState<string[]>([]);
  const [schemas, setSchemas] = useState<string[]>([]);

  useEffect(() => {
    setCatalogs([]);
    // Without Unity Catalog access the pickers stay on "default"; statements still run.
    listCatalogs(workspaceId).then(setCatalogs, () => setCatalogs([]));
  }, [workspaceId]);

  useEffect(() => {
    setSchemas([]);
    if (catalog) listSchemas(workspaceId, catalog).then(setSchemas, () => setSchemas([]));
  }, [workspaceId, catalog]);

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
