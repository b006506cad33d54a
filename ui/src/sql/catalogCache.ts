// What the schema browser and autocomplete know of a workspace's catalogs: each list is asked
// for once (the same promise is shared while it is in flight) and kept for the session of the
// SQL view; a failed list is forgotten so the next look asks again.
import { listCatalogs, listColumns, listSchemas, listTables, type ColumnEntry, type TableEntry } from "../platform";

export interface CatalogSource {
  catalogs(): Promise<string[]>;
  schemas(catalog: string): Promise<string[]>;
  tables(catalog: string, schema: string): Promise<TableEntry[]>;
  columns(catalog: string, schema: string, table: string): Promise<ColumnEntry[]>;
  /** What is already loaded, without asking (for autocomplete's synchronous first answer). */
  known(path: string[]): string[] | null;
}

export function catalogCache(workspaceId: string, warehouseId: string | null): CatalogSource {
  const asked = new Map<string, Promise<unknown>>();
  const loaded = new Map<string, string[]>();
  const once = <T>(key: string, load: () => Promise<T>, names: (value: T) => string[]): Promise<T> => {
    let promise = asked.get(key) as Promise<T> | undefined;
    if (!promise) {
      promise = load().then(
        (value) => {
          loaded.set(key, names(value));
          return value;
        },
        (error: unknown) => {
          asked.delete(key);
          throw error;
        },
      );
      asked.set(key, promise);
    }
    return promise;
  };
  const key = (path: string[]) => path.map((p) => p.toLowerCase()).join("\u0000");
  const plain = (names: string[]) => names;
  return {
    catalogs: () => once(key([]), () => listCatalogs(workspaceId, warehouseId), plain),
    schemas: (catalog) => once(key([catalog]), () => listSchemas(workspaceId, catalog, warehouseId), plain),
    tables: (catalog, schema) =>
      once(
        key([catalog, schema]),
        () => listTables(workspaceId, catalog, schema, warehouseId),
        (tables) => tables.map((t) => t.name),
      ),
    columns: (catalog, schema, table) =>
      once(
        key([catalog, schema, table]),
        () => listColumns(workspaceId, catalog, schema, table, warehouseId),
        (columns) => columns.map((c) => c.name),
      ),
    known: (path) => loaded.get(key(path)) ?? null,
  };
}
