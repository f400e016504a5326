import type { CommandModule } from 'yargs';
import { exportTarget } from '../../store/export.js';
import { resolveReleaseOrFileSet, resolveSystem } from '../../store/repo/resolve.js';
import { Output, withLibrary, type GlobalArgs } from '../context.js';

interface Args extends GlobalArgs {
  target: string;
  dir: string;
  system?: string;
  overwrite?: boolean;
}

export const exportCommand: CommandModule<GlobalArgs, Args> = {
  command: 'export <target> <dir>',
  describe: 'write a release or file set under its original archive names into a folder (verified, all or nothing; files already there are kept unless --overwrite)',
  builder: (y) =>
    y
      .positional('target', { type: 'string', demandOption: true, describe: 'release (name, id, id prefix) or file set id' })
      .positional('dir', { type: 'string', demandOption: true })
      .option('system', { type: 'string' })
      .option('overwrite', { type: 'boolean', describe: 'replace files already in the folder that hold other content (default: refuse, writing nothing)' }) as never,
  handler: (argv) =>
    withLibrary(argv, async (lib) => {
      const systemId = argv.system ? resolveSystem(lib.db, argv.system).id : undefined;
      const target = resolveReleaseOrFileSet(lib.db, argv.target, { systemId });
      const files = await exportTarget(lib, target, argv.dir, { overwrite: argv.overwrite });
      const count = (r: string) => files.filter((f) => f.result === r).length;
      Output.from(argv).result({ target: target.label, files }, () => [
        ...files.map((f) => `${f.sha1}  ${f.path}${f.result === 'written' ? '' : `  (${f.result})`}`),
        `Exported ${files.length} file(s) of ${target.label}` +
          (count('unchanged') || count('replaced') ? `: ${count('written')} written, ${count('replaced')} replaced, ${count('unchanged')} already there` : ''),
      ]);
    }),
};
