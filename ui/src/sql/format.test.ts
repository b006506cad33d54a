import { describe, expect, it } from "vitest";
import { formatSql } from "./format";

describe("formatSql", () => {
  it("lays out Databricks SQL and keeps :parameters, backticks and strings", async () => {
    const result = await formatSql("select `trip id`, fare from samples.nyctaxi.trips where d >= :start and note = 'a  b' limit 10");
    expect(result).toEqual({
      ok: true,
      sql: "SELECT\n  `trip id`,\n  fare\nFROM\n  samples.nyctaxi.trips\nWHERE\n  d >= :start\n  AND note = 'a  b'\nLIMIT\n  10",
    });
  });

  it("leaves what it cannot parse alone and says so", async () => {
    const result = await formatSql("SELECT 'unterminated");
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toContain("The text is unchanged");
  });
});
