// What an answer's Excel file says about it (the About sheet, in Rust: sql::workbook): the
// question, Genie's words, the SQL, the provenance, and the chart the card shows, by column.
import type { AnswerReport, Answer } from "../platform";
import { provenanceFacts } from "../app/Provenance";
import { formatDateTime } from "../app/locale";
import { answerFacts, type AnswerSource } from "./answerFacts";
import type { ChartSpec } from "../chart/shape";

/** Genie's texts as plain words (they arrive as sanitized HTML). */
export function answerWords(answer: Answer): string[] {
  return answer.texts
    .map((t) => new DOMParser().parseFromString(t.html, "text/html").body.textContent?.trim() ?? "")
    .filter(Boolean);
}

export function answerReport(answer: Answer, source: AnswerSource, chart: ChartSpec | null): AnswerReport {
  const lines: Array<[string, string]> = [["Question", answer.question]];
  const words = answerWords(answer).join("\n\n");
  if (words) lines.push(["Answer", words]);
  if (answer.query?.sql) lines.push(["SQL", answer.query.sql]);
  lines.push(...provenanceFacts(answerFacts(answer, source)));
  lines.push(["Exported", formatDateTime(Date.now())]);
  return {
    title: answer.query?.title ?? answer.question,
    about: lines.map(([label, value]) => ({ label, value })),
    // Excel draws the data sheet's columns as they are; a chart with a second dimension would
    // need the rows pivoted first, so only lines and plain bars go to Excel.
    chart: chart && (chart.kind === "line" || chart.kind === "bar") ? { kind: chart.kind, x: chart.x, y: chart.y } : null,
  };
}
