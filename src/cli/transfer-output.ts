// How transfer commands talk: the progress event stream becomes a progress line on a TTY (stderr),
// nothing on a pipe, NDJSON on stdout with --json (one event per line, then one `result` line).
// The run's outcome sets the exit code: from all its failures, by the precedence in exit-codes.ts.
import type { ProgressEvent, ProgressListener } from '../sync/transfer/progress.js';
import type { ErrorCode } from '../store/errors.js';
import { EXIT, exitCodeForFailures } from './exit-codes.js';
import { formatBytes, type Output } from './context.js';
import { printable } from '../store/printable.js';

function formatDuration(s: number): string {
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** One line for a TTY: "upload 12/40 files · 3.1 MiB/9.0 MiB · 1.2 MiB/s · ETA 5s · rom/ab/…". */
export function progressLine(e: ProgressEvent, width = 100): string {
  const parts = [`${e.kind} ${e.filesDone}/${e.filesTotal} files`];
  if (e.bytesTotal > 0) parts.push(`${formatBytes(Math.max(0, e.bytesDone))}/${formatBytes(e.bytesTotal)}`);
  if (e.rateBytesPerSec > 0) parts.push(`${formatBytes(e.rateBytesPerSec)}/s`);
  if (e.etaSeconds !== null && e.filesDone < e.filesTotal) parts.push(`ETA ${formatDuration(e.etaSeconds)}`);
  if (e.failures) parts.push(`${e.failures} failed`);
  if (e.current && e.type !== 'end') parts.push(printable(e.current));
  const line = parts.join(' · ');
  return line.length > width ? line.slice(0, width - 1) + '…' : line;
}

export interface ProgressRenderer {
  listener: ProgressListener;
  /** Clear the progress line before the final output. */
  close(): void;
}

export function progressRenderer(out: Output, stderr: NodeJS.WriteStream = process.stderr): ProgressRenderer {
  if (out.json) {
    return { listener: (e) => process.stdout.write(JSON.stringify(e) + '\n'), close: () => undefined };
  }
  if (out.quiet || !stderr.isTTY) return { listener: () => undefined, close: () => undefined };
  let drawn = false;
  let last = 0;
  return {
    listener: (e) => {
      const now = Date.now();
      if (e.type === 'progress' && now - last < 100) return;
      last = now;
      stderr.write(`\r\x1b[K${progressLine(e, (stderr.columns || 100) - 1)}`);
      drawn = true;
    },
    close: () => {
      if (drawn) stderr.write('\r\x1b[K');
      drawn = false;
    },
  };
}

interface Outcome {
  failed: { code: string; message: string }[];
  stoppedBy?: { code: string; message: string };
}

/** Print the result (text, or one NDJSON `result` line) and set the exit code from the outcome. */
export function finishTransfer(out: Output, renderer: ProgressRenderer, report: Outcome, text: () => string[]): void {
  renderer.close();
  if (out.json) process.stdout.write(JSON.stringify({ type: 'result', ...report }) + '\n');
  else if (!out.quiet) {
    const lines = text();
    if (lines.length) process.stdout.write(lines.join('\n') + '\n');
  }
  for (const f of report.failed.slice(0, 20)) if (!report.stoppedBy || f.message !== report.stoppedBy.message) process.stderr.write(`trove: ${printable(f.message)}\n`);
  if (report.failed.length > 20) process.stderr.write(`trove: … and ${report.failed.length - 20} more failures\n`);
  if (report.stoppedBy) process.stderr.write(`trove: stopped: ${printable(report.stoppedBy.message)}\n`);
  const exit = transferExitCode(report);
  if (exit !== EXIT.OK) process.exitCode = exit;
}

/**
 * The run's exit code from every failure and the error that stopped it, by the documented
 * precedence (exit-codes.ts): a checksum mismatch anywhere gives 4, whichever item failed first.
 */
export function transferExitCode(report: Outcome): number {
  return exitCodeForFailures([...(report.stoppedBy ? [report.stoppedBy] : []), ...report.failed].map((f) => f.code as ErrorCode));
}
