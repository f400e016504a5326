import type { CommandModule } from 'yargs';
import { listReleases } from '../../store/repo/catalog-queries.js';
import { Library } from '../../store/library.js';
import { defaultDemoDir, ensureDemo } from '../demo.js';
import { formatBytes, Output, type GlobalArgs } from '../context.js';
import { hasTerminal, openTui } from './browse.js';

interface Args extends GlobalArgs {
  open?: boolean;
}

export const demoCommand: CommandModule<GlobalArgs, Args> = {
  command: 'demo',
  describe: 'create a demo library (first run only) and show it',
  builder: (y) => y.option('open', { type: 'boolean', describe: 'open it in the terminal UI (npm start)' }),
  handler: async (argv) => {
    const out = Output.from(argv);
    const dir = argv.library ?? defaultDemoDir();
    const created = await ensureDemo(dir, (l) => out.info(l));
    const lib = Library.open(dir);
    if (argv.open && hasTerminal()) return openTui(lib);
    if (argv.open) out.warn('no terminal here, so the demo is listed instead of opened (run `npm start` in a terminal)');
    try {
      const releases = listReleases(lib.db);
      out.result({ library: lib.paths.dir, created, releases }, () => [
        ...releases.map((r) => `${r.id.slice(0, 8)}  ${r.availability.padEnd(12)} ${r.system} › ${r.name}  (${r.files} files, ${formatBytes(r.bytes)})`),
        `${releases.length} releases in the demo library ${lib.paths.dir}`,
        `Try: trove --library "${lib.paths.dir}" show "${releases[0]?.name ?? ''}"`,
      ]);
    } finally {
      lib.close();
    }
  },
};
