// SQL syntax colours from CSS variables, so they follow the light or dark theme (CodeMirror's
// default style has one palette, too faint on a dark background).
import { HighlightStyle, syntaxHighlighting } from "@codemirror/language";
import { tags } from "@lezer/highlight";

const style = HighlightStyle.define([
  { tag: [tags.keyword, tags.operatorKeyword, tags.modifier, tags.bool, tags.null], color: "var(--syntax-keyword)" },
  { tag: [tags.string, tags.special(tags.string)], color: "var(--syntax-string)" },
  { tag: [tags.number], color: "var(--syntax-number)" },
  { tag: [tags.comment, tags.lineComment, tags.blockComment], color: "var(--syntax-comment)", fontStyle: "italic" },
  { tag: [tags.operator, tags.punctuation], color: "var(--syntax-operator)" },
  { tag: [tags.special(tags.name), tags.variableName, tags.typeName], color: "var(--syntax-name)" },
]);

export const sqlHighlighting = syntaxHighlighting(style);
