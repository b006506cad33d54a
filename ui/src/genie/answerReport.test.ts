import { describe, expect, it } from "vitest";
import { answerReport } from "./answerReport";
import type { Answer } from "../platform";

const answer = {
  spaceId: "s",
  conversationId: "c",
  messageId: "m",
  question: "What is the revenue by region?",
  status: "COMPLETED",
  texts: [{ purpose: "answer", html: "<p><strong>EUROPE</strong> leads.</p>" }],
  query: {
    attachmentId: "a",
    title: "Revenue by region",
    description: null,
    sql: "SELECT region, SUM(x) AS revenue FROM t GROUP BY region",
    statementId: "st-1",
    totalRows: 5,
    truncated: false,
    runId: 3,
    result: null,
  },
  suggestions: [],
  problem: null,
  canRunAgain: false,
  rating: null,
  createdAtMs: 1_700_000_000_000,
  updatedAtMs: 1_700_000_004_000,
} as unknown as Answer;

const source = { who: "alice@example.com", workspace: "Demo", host: "https://h", warehouse: "Reporting" };

describe("answerReport", () => {
  it("tells the question, Genie's words, the SQL and the provenance, and names the chart's columns", () => {
    const bars = { kind: "bar" as const, x: "region", y: "revenue", series: null, temporal: false, points: [] };
    const report = answerReport(answer, source, bars);
    const about = Object.fromEntries(report.about.map((l) => [l.label, l.value]));
    expect(report.title).toBe("Revenue by region");
    expect(about.Question).toBe("What is the revenue by region?");
    expect(about.Answer).toBe("EUROPE leads.");
    expect(about.SQL).toContain("GROUP BY region");
    expect(about["Statement id"]).toBe("st-1");
    expect(about["Run by"]).toBe("alice@example.com");
    expect(report.chart).toEqual({ kind: "bar", x: "region", y: "revenue" });
  });

  it("has no Excel chart for a single number", () => {
    expect(answerReport(answer, source, { kind: "counter", label: "n", value: 1 }).chart).toBeNull();
  });
});
