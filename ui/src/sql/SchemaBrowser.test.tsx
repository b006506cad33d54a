// The table list against a fake catalog source: levels load when opened, a failed level says
// why, long lists page, the filter narrows tables, and a click inserts the (quoted) name.
import { fireEvent, render, screen, within } from "@testing-library/preact";
import { describe, expect, it, vi } from "vitest";
import type { CatalogSource } from "./catalogCache";
import { SchemaBrowser } from "./SchemaBrowser";

function source(): CatalogSource {
  return {
    catalogs: vi.fn(async () => ["samples", "broken"]),
    schemas: vi.fn(async (catalog: string) => {
      if (catalog === "broken") throw { code: "forbidden", message: "You cannot list schemas in broken." };
      return ["nyctaxi", "many"];
    }),
    tables: vi.fn(async (_catalog: string, schema: string) =>
      schema === "many"
        ? Array.from({ length: 150 }, (_, i) => ({ name: `t${i}`, isView: false, comment: null }))
        : [
            { name: "trips", isView: false, comment: "Yellow cab trips" },
            { name: "daily fares", isView: true, comment: null },
          ],
    ),
    columns: vi.fn(async () => [{ name: "fare_amount", typeText: "double", comment: "What the rider paid" }]),
    known: () => null,
  };
}

const expand = async (label: string) => fireEvent.click(await screen.findByRole("button", { name: `Expand ${label}` }));

describe("SchemaBrowser", () => {
  it("opens catalogs, schemas and tables lazily and inserts names", async () => {
    const catalogs = source();
    const onInsert = vi.fn();
    render(<SchemaBrowser catalogs={catalogs} onInsert={onInsert} onClose={() => {}} />);
    await expand("samples");
    expect(catalogs.schemas).toHaveBeenCalledTimes(1);
    expect(catalogs.tables).not.toHaveBeenCalled();
    await expand("nyctaxi");
    expect(await screen.findByText("view")).toBeTruthy();
    await expand("trips");
    const column = await screen.findByTestId("schema-column");
    expect(within(column).getByText("double")).toBeTruthy();
    expect(within(column).getByText("What the rider paid")).toBeTruthy();

    fireEvent.click(screen.getByRole("button", { name: "trips" }));
    expect(onInsert).toHaveBeenLastCalledWith("samples.nyctaxi.trips");
    fireEvent.click(screen.getByRole("button", { name: "daily fares" }));
    expect(onInsert).toHaveBeenLastCalledWith("samples.nyctaxi.`daily fares`");
    fireEvent.click(screen.getByRole("button", { name: "fare_amount" }));
    expect(onInsert).toHaveBeenLastCalledWith("fare_amount");
  });

  it("says why a level failed, pages long lists, and filters tables", async () => {
    render(<SchemaBrowser catalogs={source()} onInsert={() => {}} onClose={() => {}} />);
    await expand("broken");
    expect((await screen.findByRole("alert")).textContent).toBe("You cannot list schemas in broken.");
    await expand("samples");
    await expand("many");
    await screen.findByText("t0");
    expect(screen.queryByText("t120")).toBeNull();
    fireEvent.click(screen.getByRole("button", { name: "Show 50 more of 50" }));
    expect(screen.getByText("t120")).toBeTruthy();
    fireEvent.input(screen.getByTestId("schema-filter"), { target: { value: "T14" } });
    const names = screen.getAllByTestId("schema-table").map((t) => t.dataset.name);
    expect(names).toEqual(["t14", ...Array.from({ length: 10 }, (_, i) => `t14${i}`)].map((t) => `samples.many.${t}`));
  });
});
