import type { CommandModule } from 'yargs';
import { eachFile, eachFileSet, eachRelease, eachSystem, eachTitle } from '../../store/repo/catalog-queries.js';
import { resolveRelease, resolveSystem } from '../../store/repo/resolve.js';
import { formatBytes, Output, withLibrary, type GlobalArgs } from '../context.js';

const WHAT = ['systems', 'titles', 'releases', 'file-sets', 'files'] as const;

interface Args extends GlobalArgs {
  what: (typeof WHAT)[number];
  system?: string;
  release?: string;
}

export const lsCommand: CommandModule<GlobalArgs, Args> = {
  command: 'ls <what>',
  describe: 'list systems, titles, releases, file sets or files',
  builder: (y) =>
    y
      .positional('what', { choices: WHAT, demandOption: true })
      .option('system', { type: 'string', describe: 'only this system (name or id)' })
      .option('release', { type: 'string', describe: 'only this release (name, id or id prefix)' })
      .example('$0 ls releases --system "Nintendo - SNES" --json', '') as never,
  handler: (argv) =>
    withLibrary(argv, (lib) => {
      const out = Output.from(argv);
      const systemId = argv.system ? resolveSystem(lib.db, argv.system).id : undefined;
      const releaseId = argv.release ? resolveRelease(lib.db, argv.release, { systemId }).id : undefined;
      switch (argv.what) {
        case 'systems': {
          return out.results(eachSystem(lib.db), (r) => `${r.name}  (${r.releases} releases)`);
        }
        case 'titles': {
          return out.results(eachTitle(lib.db, { systemId }), (r) => `${r.name}  (${r.releases} releases)`);
        }
        case 'releases': {
          return out.results(
            eachRelease(lib.db, { systemId, releaseId }),
            (r) => `${r.id.slice(0, 8)}  ${r.availability.padEnd(12)} ${r.system} › ${r.name}  (${r.files} files, ${formatBytes(r.bytes)})`,
          );
        }
        case 'file-sets': {
          return out.results(
            eachFileSet(lib.db, { systemId, releaseId }),
            (r) => `${r.id.slice(0, 8)}  ${r.availability.padEnd(12)} ${r.system} › ${r.release} › ${r.name} [${r.type}]  (${r.files} files)`,
          );
        }
        case 'files': {
          return out.results(eachFile(lib.db, { systemId, releaseId }), (r) => `${r.sha1}  ${r.availability.padEnd(12)} ${String(r.size).padStart(10)}  ${r.release} › ${r.name}`);
        }
      }
    }),
};
