// Shared helpers for benchmarks: run commands, time them, report peak RSS, print ratio tables.
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CLI = path.join(ROOT, 'dist', 'src', 'cli', 'main.js');

export interface Timed {
  seconds: number;
  maxRssMiB?: number;
  stdout: string;
  stderr: string;
  code: number;
}

/** Run a command to completion; wall time in seconds. `shell` runs through /bin/sh. */
export function timeCommand(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; shell?: boolean } = {}): Promise<Timed> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(cmd, args, { env: { ...process.env, ...opts.env }, shell: opts.shell ?? false, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      const m = /trove-stats (\{.*\})/.exec(stderr);
      const maxRssMiB = m ? JSON.parse(m[1]!).maxRssKiB / 1024 : undefined;
      resolve({ seconds, maxRssMiB, stdout, stderr, code: code ?? 1 });
    });
  });
}

/** Run the built trove CLI, reporting its peak RSS. */
export function timeTrove(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Timed> {
  return timeCommand(process.execPath, [CLI, ...args], { env: { TROVE_BENCH_STATS: '1', ...env } });
}

export function hasTool(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`]).status === 0;
}

export function table(rows: Record<string, string | number>[]): string {
  if (!rows.length) return '';
  const cols = Object.keys(rows[0]!);
  const cell = (v: string | number | undefined) => (typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(2)) : (v ?? ''));
  const widths = cols.map((c) => Math.max(c.length, ...rows.map((r) => String(cell(r[c])).length)));
  const line = (vals: string[]) => '| ' + vals.map((v, i) => v.padEnd(widths[i]!)).join(' | ') + ' |';
  return [line(cols), '|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|', ...rows.map((r) => line(cols.map((c) => String(cell(r[c])))))].join('\n');
}

export function loadAverage(): string {
  try {
    return spawnSync('cat', ['/proc/loadavg']).stdout.toString().split(' ').slice(0, 3).join(' ');
  } catch {
    return '?';
  }
}
