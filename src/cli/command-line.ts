// The yargs command line: every command registered, parsed, run. Loaded by main.ts, as one bundled
// file when `npm run build` made one (scripts/bundle.mjs), else as the plain compiled modules.
import yargs from 'yargs';
import { commands } from './commands/index.js';
import { UsageError } from './usage-error.js';

export { UsageError };

/** Parse `argv` and run the command; resolves to the exit code the command set (0 if none). */
export async function runYargs(argv: string[]): Promise<number | undefined> {
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
      // yargs reports its own parse failures (and errors thrown by an option's coerce) as YError.
      if (err && err.name !== 'YError') throw err;
      throw new UsageError(msg || err?.message);
    });
  for (const c of commands) cli = cli.command(c);
  await cli.parseAsync();
  return typeof process.exitCode === 'number' ? process.exitCode : undefined;
}
