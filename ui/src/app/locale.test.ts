import { afterEach, describe, expect, it } from "vitest";
import { formatCount, formatNumber, formatTick, setLocale } from "./locale";

describe("locale", () => {
  afterEach(() => setLocale("en-US"));

  it("formats by the OS's regional format, not the web view's", () => {
    setLocale("de-DE");
    expect(formatCount(21932)).toBe("21.932");
    expect(formatNumber(1234.567)).toBe("1.234,57");
    setLocale("en-US");
    expect(formatCount(21932)).toBe("21,932");
    expect(formatTick(800_000_000)).toBe("800M");
    expect(formatTick(2.5)).toBe("2.5");
  });

  it("keeps the default for a tag the web view cannot use", () => {
    setLocale("en-US");
    setLocale("not a locale!");
    expect(formatCount(5000)).toMatch(/^5.?000$/);
  });
});
