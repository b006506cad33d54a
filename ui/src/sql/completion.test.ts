import { describe, expect, it } from "vitest";
import type { CatalogSource } from "./catalogCache";
import { fullName, optionsFor, quoted, tablesIn, wantAt } from "./completion";

const at = (text: string) => wantAt(text.replace("|", ""), text.indexOf("|"));

describe("what the cursor completes", () => {
  it("a member of a dotted name, a parameter, or a word", () => {
    expect(at("SELECT * FROM samples.nyctaxi.|")).toEqual({ kind: "member", path: ["samples", "nyctaxi"], prefix: "", from: 30 });
    expect(at("SELECT * FROM samples.nyc|")).toEqual({ kind: "member", path: ["samples"], prefix: "nyc", from: 22 });
    expect(at("SELECT * FROM `my cat`.s|")).toMatchObject({ kind: "member", path: ["my cat"], prefix: "s" });
    expect(at("SELECT * FROM t WHERE fare > :min|")).toMatchObject({ kind: "parameter", prefix: "min" });
    expect(at("SELECT fa|")).toMatchObject({ kind: "word", prefix: "fa" });
  });

  it("nothing inside strings and comments, and a cast is not a parameter", () => {
    expect(at("SELECT 'samples.|'")).toBeNull();
    expect(at("SELECT 1 -- samples.|")).toBeNull();
    expect(at("SELECT /* a.| */")).toBeNull();
    expect(at("SELECT x::|")).toMatchObject({ kind: "word" });
    expect(at("SELECT 'it''s' , a.|")).toMatchObject({ kind: "member", path: ["a"] });
  });
});

describe("the tables a statement reads", () => {
  it("finds names, aliases and quoted parts; keywords are not aliases", () => {
    expect(tablesIn("SELECT * FROM samples.nyctaxi.trips t JOIN `a b`.c AS d ON 1=1 WHERE x")).toEqual([
      { path: ["samples", "nyctaxi", "trips"], alias: "t" },
      { path: ["a b", "c"], alias: "d" },
    ]);
    expect(tablesIn("select * from trips where fare > 1")).toEqual([{ path: ["trips"], alias: null }]);
  });

  it("fills catalog and schema from the tab's defaults", () => {
    const defaults = { catalog: "samples", schema: "nyctaxi" };
    expect(fullName(["trips"], defaults)).toEqual(["samples", "nyctaxi", "trips"]);
    expect(fullName(["tpch", "orders"], defaults)).toEqual(["samples", "tpch", "orders"]);
    expect(fullName(["trips"], { catalog: null, schema: null })).toBeNull();
  });

  it("quotes names that need it", () => {
    expect(quoted("trips")).toBe("trips");
    expect(quoted("my table")).toBe("`my table`");
    expect(quoted("a`b")).toBe("`a``b`");
  });
});

const source: CatalogSource = {
  catalogs: async () => ["samples", "main"],
  schemas: async (catalog) => (catalog === "samples" ? ["nyctaxi", "tpch"] : []),
  tables: async () => [
    { name: "trips", isView: false, comment: null },
    { name: "daily fares", isView: true, comment: null },
  ],
  columns: async (_c, _s, table) =>
    table === "trips"
      ? [
          { name: "fare_amount", typeText: "double", comment: null },
          { name: "pickup_zip", typeText: "int", comment: null },
        ]
      : [],
  known: () => null,
};
const inputs = { catalogs: source, defaults: () => ({ catalog: null, schema: null }), parameters: () => ["min_fare"] };
const labels = async (text: string) => {
  const want = at(text);
  if (!want) throw new Error("no completion");
  return (await optionsFor(want, text.replace("|", ""), inputs)).map((o) => `${o.label}${o.apply !== undefined && o.apply !== o.label ? ` → ${String(o.apply)}` : ""}`);
};

describe("what is offered", () => {
  it("schemas, then tables (quoted when needed), then columns", async () => {
    expect(await labels("SELECT * FROM samples.|")).toEqual(["nyctaxi", "tpch"]);
    expect(await labels("SELECT * FROM samples.nyctaxi.|")).toEqual(["trips", "daily fares → `daily fares`"]);
    expect(await labels("SELECT samples.nyctaxi.trips.| FROM x")).toEqual(["fare_amount", "pickup_zip"]);
  });

  it("an alias's columns, parameters, and columns of the tables read among words", async () => {
    expect(await labels("SELECT t.| FROM samples.nyctaxi.trips t")).toEqual(["fare_amount", "pickup_zip"]);
    expect(await labels("SELECT * FROM t WHERE a > :|")).toEqual(["min_fare"]);
    const words = await labels("SELECT f| FROM samples.nyctaxi.trips");
    expect(words.slice(0, 4)).toEqual(["fare_amount", "pickup_zip", "samples", "main"]);
    expect(words).toContain("date_trunc → date_trunc(");
  });
});
