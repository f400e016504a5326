// `trove` with no command: the terminal UI on the library. Without a terminal (a pipe, cron, CI) it
// says so and names the commands that do the same job in plain text, and exits 0.
import fs from 'node:fs';
import type { CommandModule } from 'yargs';
import { TroveError } from '../../store/errors.js';
import { Library, libraryPaths } from '../../store/library.js';
import { libraryDir, type GlobalArgs } from '../context.js';

export const NO_TTY_MESSAGE = [
  'trove: the interactive browser needs a terminal (stdin and stdout must be a TTY), so it did not start.',
  'The same information without one:',
  '  trove ls systems                      systems and their release counts',
  '  trove ls releases --system <system>   releases with availability (add --json for scripts)',
  '  trove show <release>                  a release with its file sets and files',
  '  trove export <release> <folder>       write a release\'s files to a folder',
  '  trove --help                          every command',
].join('\n');

export function hasTerminal(): boolean {
  return !!process.stdin.isTTY && !!process.stdout.isTTY;
}

/**
 * The TUI modules: the esbuild bundle that `npm run build` writes (one file: a fast first frame), or
 * the plain compiled modules when there is no bundle.
 */
async function loadTui(): Promise<typeof import('../../tui/bundle-entry.js')> {
  const bundle = new URL('../../tui/bundle.js', import.meta.url);
  if (fs.existsSync(bundle)) return (await import(bundle.href)) as typeof import('../../tui/bundle-entry.js');
  return import('../../tui/bundle-entry.js');
}

/** Open the TUI on `lib` (closed when the user quits). The TUI modules load only here. */
export async function openTui(lib: Library): Promise<void> {
  // Ink draws nothing interactive when it thinks it runs in CI (CI=… or CI_* in the environment).
  // We only get here with a terminal on both ends, so a person is watching: say so before Ink loads.
  process.env.CI = 'false';
  const { runTui, StoreServices } = await loadTui();
  const services = new StoreServices(lib);
  try {
    await runTui(services);
  } finally {
    services.close();
  }
}

export const browseCommand: CommandModule<GlobalArgs, GlobalArgs> = {
  command: '$0',
  describe: 'open the terminal UI (browse, download, transfers, sync, diff, backups, settings)',
  handler: async (argv) => {
    if (!hasTerminal()) {
      // A library that is not there is the first thing to say, with or without a terminal.
      const paths = libraryPaths(libraryDir(argv));
      if (!fs.existsSync(paths.collectionDb) || !fs.existsSync(paths.stateDb)) {
        throw new TroveError('NOT_FOUND', `no trove library at ${paths.dir} (run \`trove init --library ${paths.dir}\`)`, { details: { path: paths.dir } });
      }
      process.stderr.write(NO_TTY_MESSAGE + '\n');
      return;
    }
    await openTui(Library.open(libraryDir(argv)));
  },
};
