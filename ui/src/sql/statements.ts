// Which statement to run: the selection if there is one, else the statement under the cursor
// (statements are separated by `;` outside strings, quoted names and comments).

/** [start, end) of each statement in `text`, untrimmed. */
export function statementRanges(text: string): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  let start = 0;
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    const next = text[i + 1];
    if (c === "'" || c === '"' || c === "`") {
      i++;
      while (i < text.length && text[i] !== c) {
        if (text[i] === "\\" && c !== "`") i++;
        i++;
      }
      i++;
    } else if (c === "-" && next === "-") {
      while (i < text.length && text[i] !== "\n") i++;
    } else if (c === "/" && next === "*") {
      const end = text.indexOf("*/", i + 2);
      i = end < 0 ? text.length : end + 2;
    } else if (c === ";") {
      ranges.push([start, i]);
      start = i + 1;
      i++;
    } else {
      i++;
    }
  }
  ranges.push([start, text.length]);
  return ranges;
}

/** The SQL to run for a cursor at `cursor` (or a selection `from`..`to`). */
export function statementToRun(text: string, from: number, to: number = from): string {
  if (to > from) return text.slice(from, to).trim();
  const ranges = statementRanges(text);
  const blank = (r: [number, number]) => text.slice(r[0], r[1]).trim() === "";
  // The statement containing the cursor; a cursor right after a `;` means the one before it.
  let index = ranges.findIndex(([s, e]) => from >= s && from <= e);
  if (index < 0) index = ranges.length - 1;
  if (blank(ranges[index]) && index > 0) index--;
  return text.slice(ranges[index][0], ranges[index][1]).trim();
}
