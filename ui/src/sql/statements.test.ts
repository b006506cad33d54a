import { describe, expect, it } from "vitest";
import { statementToRun } from "./statements";

describe("statementToRun", () => {
  const text = "SELECT 1;\nSELECT ';' AS semi -- ; not here\n, 2;\n\nSELECT /* ; */ 3";

  it("runs the statement under the cursor, ignoring ; in strings and comments", () => {
    expect(statementToRun(text, 3)).toBe("SELECT 1");
    expect(statementToRun(text, text.indexOf("semi"))).toBe("SELECT ';' AS semi -- ; not here\n, 2");
    expect(statementToRun(text, text.length)).toBe("SELECT /* ; */ 3");
  });

  it("runs the statement before a trailing semicolon, and a selection as is", () => {
    expect(statementToRun("SELECT 1;", 9)).toBe("SELECT 1");
    expect(statementToRun("SELECT 1;\n", 10)).toBe("SELECT 1");
    expect(statementToRun(text, 0, 8)).toBe("SELECT 1");
  });
});
