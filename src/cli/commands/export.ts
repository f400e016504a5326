import type { CommandModule } from 'yargs';
import { exportTarget } from '../../store/export.js';
import { resolveReleaseOrFileSet, resolveSystem } from '../../store/repo/resolve.js';
import { Output, withLibrary, type GlobalArgs } from '../context.js';

interface Args extends GlobalArgs {
  target: string;
  dir: string;
  system?: string;
}

export const exportCommand: CommandModule<GlobalArgs, Args> = {
  command: 'export <target> <dir>',
  describe: 'write a release or file set under its original archive names into a folder (verified, all or nothing)',
  builder: (y) =>
    y
      .positional('target', { type: 'string', demandOption: true, describe: 'release (name, id, id prefix) or file set id' })
      .positional('dir', { type: 'string', demandOption: true })
      .option('system', { type: 'string' }) as never,
  handler: (argv) =>
    withLibrary(argv, async (lib) => {
      const systemId = argv.system ? resolveSystem(lib.db, argv.system).id : undefined;
      const target = resolveReleaseOrFileSet(lib.db, argv.target, { systemId });
      const files = await exportTarget(lib, target, argv.dir);
      Output.from(argv).result({ target: target.label, files }, () => [...files.map((f) => `${f.sha1}  ${f.path}`), `Exported ${files.length} file(s) of ${target.label}`]);
    }),
};
