import { describe, expect, it } from "vitest";
import { layout } from "./ResultGrid";

describe("layout", () => {
  it("places rows by pixel for small results", () => {
    expect(layout(1000, { top: 2600, height: 260 })).toEqual({ first: 95, last: 116, blockTop: 95 * 26, height: 26000 });
  });

  it("maps the scroll bar to rows when the result is taller than a browser allows", () => {
    const viewport = (top: number) => ({ top, height: 520 });
    const start = layout(1_000_000, viewport(0));
    expect(start.height).toBe(8_000_000);
    expect(start.first).toBe(0);
    const end = layout(1_000_000, viewport(8_000_000 - 520));
    expect(end.last).toBe(1_000_000);
    // The block's bottom meets the viewport's bottom.
    expect(end.blockTop + (end.last - end.first) * 26).toBe(8_000_000);
    const middle = layout(1_000_000, viewport((8_000_000 - 520) / 2));
    expect(Math.abs(middle.first - 500_000)).toBeLessThan(20);
  });
});
