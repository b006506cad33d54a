// Numbers and dates in the OS's regional format, which Rust reads (`AppInfo.locale`): the web
// view only knows the UI language, and under a bare Linux session a POSIX locale that groups
// no digits ("21932"). Until Rust has answered, the web view's own locale is used.
let current: string | undefined;

/** Formats by `tag` from now on; a tag the web view does not know keeps the default. */
export function setLocale(tag: string | null | undefined) {
  if (!tag) return;
  try {
    new Intl.NumberFormat(tag);
    current = tag;
  } catch {
    current = undefined;
  }
}

export const currentLocale = (): string | undefined => current;

/** 21932 → "21,932" (en-US), "21.932" (de-DE). */
export const formatCount = (n: number): string => new Intl.NumberFormat(current).format(n);

export const formatNumber = (n: number, maximumFractionDigits = 2): string =>
  new Intl.NumberFormat(current, { maximumFractionDigits }).format(n);

export const formatDateTime = (ms: number | Date): string =>
  new Intl.DateTimeFormat(current, { dateStyle: "medium", timeStyle: "short" }).format(ms);

export const formatTime = (ms: number | Date): string =>
  new Intl.DateTimeFormat(current, { hour: "2-digit", minute: "2-digit" }).format(ms);

/** An axis tick: large numbers short ("800M", "800 Mio."), small ones in full. */
export const formatTick = (n: number): string =>
  new Intl.NumberFormat(current, Math.abs(n) >= 10_000 ? { notation: "compact", maximumFractionDigits: 1 } : { maximumFractionDigits: 2 }).format(n);
