#!/usr/bin/env node
// trove's command line: parse, call, print (text or --json), exit with a documented code.
import { TroveError } from '../store/errors.js';
import { EXIT, exitCodeFor } from './exit-codes.js';
import { tuiLaunchDir } from './fast-path.js';

// libuv's thread pool runs file I/O, fsync and zstd (de)compression. Its default of 4 threads lets a
// handful of fsyncs stall compression; more threads keep both cores busy. Set before first use.
process.env.UV_THREADPOOL_SIZE ??= '16';

class UsageError extends Error {}

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
  const [{ default: yargs }, { commands }] = await Promise.all([import('yargs'), import('./commands/index.js')]);
  let cli = yargs(argv)
    .scriptName('trove')
    .usage('$0 <command> [options]\n\nKeep a software collection on several devices.')
    .option('library', { type: 'string', describe: 'library folder (default: $TROVE_LIBRARY or ~/.local/share/trove/library)', global: true })
    .option('json', { type: 'boolean', describe: 'machine-readable output', global: true })
    .option('quiet', { alias: 'q', type: 'boolean', describe: 'print only errors', global: true })
    .strict()
    .recommendCommands()
    .help()
    .version()
    .wrap(Math.min(110, process.stdout.columns || 100))
    .fail((msg, err) => {
      if (err) throw err;
      throw new UsageError(msg);
    });
  for (const c of commands) cli = cli.command(c);
  try {
    await cli.parseAsync();
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.OK;
  } catch (err) {
    return reportError(err, wantsJson);
  }
}

function reportError(err: unknown, wantsJson: boolean): number {
  if (err instanceof UsageError) {
    process.stderr.write(`trove: ${err.message}\nRun \`trove --help\` for usage.\n`);
    return EXIT.USAGE;
  }
  if (err instanceof TroveError) {
    if (wantsJson) process.stdout.write(JSON.stringify({ error: { code: err.code, message: err.message, ...err.details } }, null, 2) + '\n');
    process.stderr.write(`trove: ${err.message}\n`);
    return exitCodeFor(err.code);
  }
  process.stderr.write(`trove: internal error: ${(err as Error)?.stack ?? String(err)}\n`);
  return EXIT.ERROR;
}

// For benchmarks: report this process's peak RSS on exit (TROVE_BENCH_STATS=1).
if (process.env.TROVE_BENCH_STATS) {
  process.on('exit', () => process.stderr.write(`trove-stats ${JSON.stringify({ maxRssKiB: process.resourceUsage().maxRSS })}\n`));
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`trove: ${String(err)}\n`);
    process.exitCode = EXIT.ERROR;
  },
);
