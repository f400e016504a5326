// Text for people: sizes, badges, rates, and fitting cells into a terminal line.
import stringWidth from 'string-width';
import { printable } from '../store/printable.js';
import type { Availability } from './services.js';

/**
 * A snapshot or backup id as people see it: its first 13 characters (`01a2367d-c06e`), the whole
 * millisecond timestamp of the UUIDv7, as the CLI prints it. 8 characters are a time prefix shared
 * by everything made within ~65 s; restores resolve any unique prefix, so the shown one works.
 */
export function shortId(id: string): string {
  return id.slice(0, 13);
}

export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${n} B` : `${v.toFixed(v < 10 ? 1 : 0)} ${units[u]}`;
}

/** Availability as a short badge a person reads at a glance. */
export const BADGE: Record<Availability, string> = {
  Synchronized: 'local+cloud',
  LocalOnly: 'local',
  CloudOnly: 'cloud',
  NotAvailable: 'missing',
};

export const BADGE_COLOR: Record<Availability, string> = {
  Synchronized: 'green',
  LocalOnly: 'green',
  CloudOnly: 'cyan',
  NotAvailable: 'red',
};

export function formatDuration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '--';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

export function formatRate(bytesPerSecond: number): string {
  return `${formatBytes(Math.round(bytesPerSecond))}/s`;
}

// Widths are terminal cells, not string length: a CJK character or an emoji takes two cells, a
// combining mark none (QA2 F2: a Japanese release name pushed the size and availability columns off
// the row). Cuts fall between grapheme clusters, so a wide character, a surrogate pair or an emoji
// sequence is never split; where a wide character does not fit in the last cell, the line is a
// cell short and `cell` pads it.
const PLAIN = /^[\x20-\x7e]*$/; // printable ASCII: one cell per character (the fast, common case)
const graphemes = new Intl.Segmenter();

/** How many terminal cells `text` takes. */
export function textWidth(text: string): number {
  return PLAIN.test(text) ? text.length : stringWidth(text);
}

/** `text` as grapheme clusters with their widths. */
function clusters(text: string): { s: string; w: number }[] {
  return Array.from(graphemes.segment(text), ({ segment }) => ({ s: segment, w: stringWidth(segment) }));
}

/** The longest start of `text` that takes at most `cells` cells. */
function headCells(text: string, cells: number): string {
  if (PLAIN.test(text)) return text.slice(0, Math.max(0, cells));
  let out = '';
  let used = 0;
  for (const c of clusters(text)) {
    if (used + c.w > cells) break;
    out += c.s;
    used += c.w;
  }
  return out;
}

/** The longest end of `text` that takes at most `cells` cells. */
function tailCells(text: string, cells: number): string {
  if (PLAIN.test(text)) return cells > 0 ? text.slice(-cells) : '';
  let out = '';
  let used = 0;
  for (const c of clusters(text).reverse()) {
    if (used + c.w > cells) break;
    out = c.s + out;
    used += c.w;
  }
  return out;
}

/**
 * Cut `text` to `width` cells, marking the cut with '…'. Every line the TUI draws passes through
 * here (or `cell`), so this is where outside text (DAT and file names, error messages) is made
 * printable: a control character shows as `\x1b`, it never reaches the terminal (QA C3).
 */
export function fit(raw: string, width: number): string {
  const text = printable(raw);
  if (width <= 0) return '';
  if (textWidth(text) <= width) return text;
  return width === 1 ? '…' : headCells(text, width - 1) + '…';
}

/**
 * Cut `text` to `width` cells by taking out its middle: labels that share a long start ("Nintendo -
 * Nintendo Entertainment System › …") stay apart by their distinctive end (QA T7).
 */
export function fitMiddle(raw: string, width: number): string {
  const text = printable(raw);
  if (textWidth(text) <= width) return text;
  if (width < 8) return fit(text, width);
  const head = Math.floor((width - 1) / 3);
  const tail = width - 1 - head;
  return `${headCells(text, head)}…${tailCells(text, tail)}`;
}

/** Split `text` into at most `lines` lines of `width` cells (the last one cut with …). */
export function wrapLines(raw: string, width: number, lines: number): string[] {
  const text = printable(raw);
  const w = Math.max(1, width);
  const out: string[] = [];
  let rest = text;
  while (rest && out.length < lines) {
    if (out.length === lines - 1) {
      out.push(fit(rest, w));
      break;
    }
    // At least one cluster per line, even one wider than the line (a 2-cell character at width 1).
    const line = headCells(rest, w) || (graphemes.segment(rest)[Symbol.iterator]().next().value?.segment ?? rest);
    out.push(line);
    rest = rest.slice(line.length);
  }
  return out;
}

/**
 * Wrap `text` to lines of at most `width` cells, breaking after list separators (", ", "; ") where
 * it can — so "+48 release" stays on one line — and at spaces inside a piece wider than a line.
 * Lines after the first start with `indent` spaces (a value column under its label). A single word
 * wider than a line is cut with …; nothing else is lost.
 */
export function wrapWords(raw: string, width: number, indent = 0): string[] {
  const text = printable(raw);
  const w = Math.max(1, width);
  if (textWidth(text) <= w) return [text];
  const pad = ' '.repeat(Math.max(0, Math.min(indent, w - 10)));
  const room = w - pad.length;
  const pieces = text.split(/(?<=[,;] )/).flatMap((p) => (textWidth(p.trimEnd()) <= room ? [p] : p.split(/(?<= )/)));
  const out: string[] = [];
  let line = '';
  for (const p of pieces) {
    const start = out.length ? pad : '';
    if (line && textWidth(start + line + p.trimEnd()) > w) {
      out.push(start + line.trimEnd());
      line = '';
    }
    line += p;
  }
  if (line.trim()) out.push((out.length ? pad : '') + line.trimEnd());
  return out.map((l) => fit(l, w));
}

/** Fit and pad to exactly `width` cells, on the right (or the left for numbers). */
export function cell(text: string, width: number, align: 'left' | 'right' = 'left'): string {
  const t = fit(text, width);
  const pad = ' '.repeat(Math.max(0, width - textWidth(t)));
  return align === 'left' ? t + pad : pad + t;
}

/** A text progress bar: [#####.....] */
export function bar(done: number, total: number, width: number): string {
  const inner = Math.max(1, width - 2);
  const filled = total > 0 ? Math.min(inner, Math.round((done / total) * inner)) : 0;
  return `[${'#'.repeat(filled)}${'.'.repeat(inner - filled)}]`;
}

export function percent(done: number, total: number): string {
  return total > 0 ? `${Math.floor((done / total) * 100)}%` : '--';
}

/** Column widths: fixed columns keep their width, the one flexible column takes what is left. */
export function columns(total: number, fixed: number[], gap = 1): number {
  const used = fixed.reduce((a, b) => a + b, 0) + gap * fixed.length;
  return Math.max(8, total - used);
}
