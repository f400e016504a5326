#!/usr/bin/env node
// trove's command line: parse, call, print (text or --json), exit with a documented code.
import fs from 'node:fs';
import { fromErrnoError, isErrnoError, TroveError } from '../store/errors.js';
import { abandonedRemoteCalls } from '../sync/remote/deadline.js';
import { forTerminal } from './terminal-text.js';
import { printable } from '../store/printable.js';
import { EXIT, exitCodeFor } from './exit-codes.js';
import { tuiLaunchDir } from './fast-path.js';

// libuv's thread pool runs file I/O, fsync and zstd (de)compression. Its default of 4 threads lets a
// handful of fsyncs stall compression; more threads keep both cores busy. Set before first use.
process.env.UV_THREADPOOL_SIZE ??= '16';

export async function main(argv: string[]): Promise<number> {
  const wantsJson = argv.includes('--json');
  try {
    const tuiDir = process.stdin.isTTY && process.stdout.isTTY ? tuiLaunchDir(argv) : undefined;
    if (tuiDir !== undefined) {
      const [{ openTui }, { Library }] = await Promise.all([import('./commands/browse.js'), import('../store/library.js')]);
      await openTui(Library.open(tuiDir));
      return EXIT.OK;
    }
    return await runCommandLine(argv, wantsJson);
  } catch (err) {
    return reportError(err, wantsJson);
  }
}

async function runCommandLine(argv: string[], wantsJson: boolean): Promise<number> {
  const { runYargs, UsageError } = await loadCommandLine();
  try {
    return (await runYargs(argv)) ?? EXIT.OK;
  } catch (err) {
    return reportError(err, wantsJson, UsageError);
  }
}

/**
 * The command line as one bundled file (written by `npm run build`: loading yargs and every command's
 * modules one by one cost ~0.3 s of start-up) or, without a bundle, the plain compiled modules.
 */
async function loadCommandLine(): Promise<typeof import('./command-line.js')> {
  const bundle = new URL('./commands/cli-bundle.js', import.meta.url);
  if (fs.existsSync(bundle)) return (await import(bundle.href)) as typeof import('./command-line.js');
  return import('./command-line.js');
}

/**
 * Every failure ends here: one line on stderr (outside text made printable) and, with --json, the
 * README's `{"error": {"code", "message", …}}` on stdout. A failed system call (a folder that is a file,
 * a read-only disk) is an expected failure of the environment, reported like a TroveError; only a
 * real bug prints a stack trace (code INTERNAL in JSON).
 */
function reportError(err: unknown, wantsJson: boolean, usageError?: new (...a: never[]) => Error): number {
  const json = (code: string, message: string, details: Record<string, unknown> = {}) => {
    if (wantsJson) process.stdout.write(JSON.stringify({ error: { code, message, ...details } }, null, 2) + '\n');
  };
  if (usageError && err instanceof usageError) {
    json('USAGE', err.message);
    process.stderr.write(`trove: ${forTerminal(err.message)}\nRun \`trove --help\` for usage.\n`);
    return EXIT.USAGE;
  }
  const trove = err instanceof TroveError ? err : isErrnoError(err) ? fromErrnoError(err) : undefined;
  if (trove) {
    json(trove.code, trove.message, trove.details);
    // A one-line message is printed as one line: a line break in it came from a name (G11).
    process.stderr.write(`trove: ${trove.multiline ? forTerminal(trove.message) : printable(trove.message)}\n`);
    return exitCodeFor(trove.code);
  }
  json('INTERNAL', `internal error: ${(err as Error)?.message ?? String(err)}`);
  process.stderr.write(`trove: internal error: ${forTerminal((err as Error)?.stack ?? String(err))}\n`);
  return EXIT.ERROR;
}

// The reader of stdout went away (`trove ls --json | head`): stop quietly, as command-line tools do when
// the pipe closes, instead of dying on an unhandled EPIPE with a stack trace. A long command cut off this
// way stops as `kill` would stop it — every write is atomic, temps are swept by the next run — and
// exits with the code it had so far.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(typeof process.exitCode === 'number' ? process.exitCode : EXIT.OK);
  throw err;
});

// For benchmarks: report this process's peak RSS on exit (TROVE_BENCH_STATS=1).
if (process.env.TROVE_BENCH_STATS) {
  process.on('exit', () => process.stderr.write(`trove-stats ${JSON.stringify({ maxRssKiB: process.resourceUsage().maxRSS })}\n`));
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    // A remote call given up on by its deadline (a stalled server) cannot be cancelled and would keep
    // the process waiting for it: everything is written and reported by now, so end here.
    if (abandonedRemoteCalls() > 0) process.exit(code);
  },
  (err) => {
    process.stderr.write(`trove: ${String(err)}\n`);
    process.exitCode = EXIT.ERROR;
  },
);
