// Text for people: sizes, badges, rates, and fitting cells into a terminal line.
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

/**
 * Cut `text` to `width` columns, marking the cut with '…'. Every line the TUI draws passes through
 * here (or `cell`), so this is where outside text (DAT and file names, error messages) is made
 * printable: a control character shows as `\x1b`, it never reaches the terminal (QA C3).
 */
export function fit(raw: string, width: number): string {
  const text = printable(raw);
  if (width <= 0) return '';
  if (text.length <= width) return text;
  return width === 1 ? '…' : text.slice(0, width - 1) + '…';
}

/**
 * Cut `text` to `width` by taking out its middle: labels that share a long start ("Nintendo -
 * Nintendo Entertainment System › …") stay apart by their distinctive end (QA T7).
 */
export function fitMiddle(raw: string, width: number): string {
  const text = printable(raw);
  if (text.length <= width) return text;
  if (width < 8) return fit(text, width);
  const head = Math.floor((width - 1) / 3);
  const tail = width - 1 - head;
  return `${text.slice(0, head)}…${text.slice(text.length - tail)}`;
}

/** Split `text` into at most `lines` lines of `width` (the last one cut with …). */
export function wrapLines(raw: string, width: number, lines: number): string[] {
  const text = printable(raw);
  const w = Math.max(1, width);
  const out: string[] = [];
  for (let i = 0; i < text.length && out.length < lines; i += w) out.push(text.slice(i, i + w));
  if (out.length === lines && text.length > w * lines) out[lines - 1] = fit(text.slice((lines - 1) * w), w);
  return out;
}

/** Fit and pad on the right (or the left for numbers). */
export function cell(text: string, width: number, align: 'left' | 'right' = 'left'): string {
  const t = fit(text, width);
  return align === 'left' ? t.padEnd(width) : t.padStart(width);
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
