// Run the built CLI (dist/) as a child process, as a user or script would.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CLI = path.join(ROOT, 'dist', 'src', 'cli', 'main.js');
export const DATS = path.resolve(ROOT, '..', 'shared', 'dats');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string; input?: string; timeoutMs?: number; uid?: number; gid?: number } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: opts.cwd ?? ROOT,
      env: { ...process.env, XDG_DATA_HOME: path.join(os.tmpdir(), 'trove-test-xdg'), XDG_CONFIG_HOME: path.join(os.tmpdir(), 'trove-test-xdg-config'), ...opts.env },
      stdio: ['pipe', 'pipe', 'pipe'],
      // Run as another user (the test runs as root, whom no file mode stops).
      ...(opts.uid !== undefined ? { uid: opts.uid } : {}),
      ...(opts.gid !== undefined ? { gid: opts.gid } : {}),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr });
    });
    child.stdin.end(opts.input ?? '');
  });
}

/** A fresh temp folder, removed by the returned cleanup. */
export function tempDir(prefix = 'trove-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}
