// The result grid: virtualized. Only the rows in view (plus a margin) are in the DOM, and they
// are read from Rust a page at a time as the user scrolls, so a million-row result costs the
// web view a screenful of rows, not the result. Headers sort; a click selects a row and
// Shift+click a range; Ctrl/Cmd+A selects all and Ctrl/Cmd+C copies.
import { useEffect, useRef, useState } from "preact/hooks";
import { resultWindow, type ResultSummary } from "../platform";

const ROW_HEIGHT = 26;
const PAGE = 200;
/** Pages kept in memory; older ones are dropped (and asked for again if scrolled back to). */
const KEPT_PAGES = 12;

type Row = Array<string | null>;

export interface Sort {
  column: number;
  descending: boolean;
}

/** Selected view rows, `anchor` where it started and `focus` where it ends (inclusive). */
export interface Selection {
  anchor: number;
  focus: number;
}

interface Props {
  runId: number;
  /** Changes when the rows are sorted or filtered (cached pages are then stale). */
  view?: number;
  summary: ResultSummary;
  sort?: Sort | null;
  onSort?: (column: number) => void;
  selection?: Selection | null;
  onSelect?: (selection: Selection | null) => void;
  onCopy?: () => void;
  onError: (error: unknown) => void;
}

export function ResultGrid({ runId, view = 0, summary, sort, onSort, selection, onSelect, onCopy, onError }: Props) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const [viewport, setViewport] = useState({ top: 0, height: 400 });
  const [pages, setPages] = useState<Map<number, Row[]>>(new Map());
  const asked = useRef(new Set<number>());

  // A new result (or a new sort or filter) starts empty and at the top.
  useEffect(() => {
    setPages(new Map());
    asked.current = new Set();
    if (scrollRef.current) scrollRef.current.scrollTop = 0;
  }, [runId, view]);

  const rowCount = summary.shownRows;
  const { first, last, blockTop, height } = layout(rowCount, viewport);
  const wanted: number[] = [];
  for (let page = Math.floor(first / PAGE); page * PAGE < last; page++) wanted.push(page);

  useEffect(() => {
    for (const page of wanted) {
      const complete = pages.get(page)?.length === Math.min(PAGE, rowCount - page * PAGE);
      if (complete || asked.current.has(page)) continue;
      asked.current.add(page);
      const askedFor = asked.current;
      resultWindow(runId, page * PAGE, PAGE).then((window) => {
        // An answer for a previous view is dropped.
        if (askedFor !== asked.current) return;
        asked.current.delete(page);
        setPages((current) => {
          const next = new Map(current);
          next.set(page, window.rows);
          // Keep memory flat: forget the pages furthest from this one.
          const far = [...next.keys()].sort((a, b) => Math.abs(b - page) - Math.abs(a - page));
          while (next.size > KEPT_PAGES) next.delete(far.shift() as number);
          return next;
        });
      }, onError);
    }
  });

  useEffect(() => {
    const element = scrollRef.current;
    if (!element) return;
    const measure = () => setViewport({ top: element.scrollTop, height: element.clientHeight });
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  const rows: Array<{ index: number; row: Row | undefined }> = [];
  for (let index = first; index < last; index++) {
    rows.push({ index, row: pages.get(Math.floor(index / PAGE))?.[index % PAGE] });
  }
  const columns = summary.columns;
  const template = `64px repeat(${columns.length}, minmax(120px, 1fr))`;
  const [low, high] = selection ? [Math.min(selection.anchor, selection.focus), Math.max(selection.anchor, selection.focus)] : [-1, -2];

  const select = (index: number, extend: boolean) =>
    onSelect?.(extend && selection ? { anchor: selection.anchor, focus: index } : { anchor: index, focus: index });

  const onKeyDown = (event: KeyboardEvent) => {
    const mod = event.ctrlKey || event.metaKey;
    if (mod && event.key.toLowerCase() === "a" && rowCount > 0) {
      event.preventDefault();
      onSelect?.({ anchor: 0, focus: rowCount - 1 });
    } else if (mod && event.key.toLowerCase() === "c") {
      event.preventDefault();
      onCopy?.();
    } else if (event.key === "Escape") {
      onSelect?.(null);
    }
  };

  return (
    <div
      class="grid"
      role="grid"
      aria-rowcount={rowCount + 1}
      aria-colcount={columns.length}
      aria-multiselectable="true"
      data-testid="result-grid"
      tabIndex={0}
      onKeyDown={onKeyDown}
    >
      <div class="grid-row grid-header" role="row" style={{ gridTemplateColumns: template }}>
        <span role="columnheader" class="grid-index">
          #
        </span>
        {columns.map((column, c) => (
          <span
            role="columnheader"
            key={column.name}
            title={column.timeZone ? `${column.typeText}, shown in ${column.timeZone}` : column.typeText}
            aria-sort={sort?.column === c ? (sort.descending ? "descending" : "ascending") : "none"}
            data-testid="column-header"
          >
            {onSort ? (
              <button type="button" class="sort" title="Sort by this column" onClick={() => onSort(c)}>
                {column.name}
                {sort?.column === c && <span aria-hidden="true">{sort.descending ? " ▼" : " ▲"}</span>}
              </button>
            ) : (
              column.name
            )}
            <small>{column.timeZone ? `${column.typeText} · ${column.timeZone}` : column.typeText}</small>
          </span>
        ))}
      </div>
      <div
        class="grid-body"
        ref={scrollRef}
        data-testid="result-scroll"
        onScroll={(event) => {
          const element = event.currentTarget;
          setViewport({ top: element.scrollTop, height: element.clientHeight });
        }}
      >
        <div class="grid-spacer" style={{ height: `${height}px` }}>
          <div class="grid-block" style={{ transform: `translateY(${blockTop}px)` }}>
          {rows.map(({ index, row }) => (
            <div
              key={index}
              class={`grid-row${index >= low && index <= high ? " selected" : ""}`}
              role="row"
              aria-selected={index >= low && index <= high}
              tabIndex={-1}
              onClick={(event) => select(index, event.shiftKey)}
              onKeyDown={(event) => {
                if (event.key === " " || event.key === "Enter") select(index, event.shiftKey);
              }}
              aria-rowindex={index + 2}
              data-testid="result-row"
              data-row={index}
              style={{ gridTemplateColumns: template }}
            >
              <span role="rowheader" class="grid-index">
                {index + 1}
              </span>
              {columns.map((column, c) => {
                const value = row?.[c];
                return (
                  <span role="gridcell" key={column.name} class={value === null ? "null" : undefined}>
                    {row === undefined ? "" : value === null ? "NULL" : value}
                  </span>
                );
              })}
            </div>
          ))}
          </div>
        </div>
      </div>
    </div>
  );
}

/** Browsers cap how tall an element can be (WebKit near 33 million pixels); past this height
 *  the scroll range is scaled, so a bar's position maps to a row rather than to a pixel. */
const MAX_HEIGHT = 8_000_000;

/** The rows to render for a scroll position, and where their block sits. */
export function layout(rowCount: number, viewport: { top: number; height: number }) {
  const visible = Math.ceil(viewport.height / ROW_HEIGHT) + 1;
  const full = rowCount * ROW_HEIGHT;
  const height = Math.min(full, MAX_HEIGHT);
  if (full <= MAX_HEIGHT) {
    const first = Math.max(0, Math.floor(viewport.top / ROW_HEIGHT) - 5);
    return { first, last: Math.min(rowCount, first + visible + 10), blockTop: first * ROW_HEIGHT, height };
  }
  const range = Math.max(1, height - viewport.height);
  const fraction = Math.min(1, Math.max(0, viewport.top / range));
  const first = Math.floor(fraction * Math.max(0, rowCount - visible + 1));
  const last = Math.min(rowCount, first + visible);
  // Slide the block so that its top meets the top at the start and its bottom meets the
  // bottom at the end: the first and the last row are both fully reachable.
  const overhang = Math.max(0, (last - first) * ROW_HEIGHT - viewport.height);
  return { first, last, blockTop: viewport.top - fraction * overhang, height };
}
