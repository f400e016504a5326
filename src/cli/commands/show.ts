import type { CommandModule } from 'yargs';
import { listFileSets, listFiles, listReleases } from '../../store/repo/catalog-queries.js';
import { resolveRelease, resolveSystem } from '../../store/repo/resolve.js';
import { formatBytes, Output, withLibrary, type GlobalArgs } from '../context.js';

interface Args extends GlobalArgs {
  release: string;
  system?: string;
}

export const showCommand: CommandModule<GlobalArgs, Args> = {
  command: 'show <release>',
  describe: 'a release with its file sets and files',
  builder: (y) => y.positional('release', { type: 'string', demandOption: true }).option('system', { type: 'string' }) as never,
  handler: (argv) =>
    withLibrary(argv, (lib) => {
      const systemId = argv.system ? resolveSystem(lib.db, argv.system).id : undefined;
      const target = resolveRelease(lib.db, argv.release, { systemId });
      const release = listReleases(lib.db, { releaseId: target.id })[0]!;
      const fileSets = listFileSets(lib.db, { releaseId: target.id }).map((fs) => ({
        ...fs,
        files: listFiles(lib.db, { fileSetId: fs.id }),
      }));
      Output.from(argv).result({ ...release, file_sets: fileSets }, () => [
        `${release.system} › ${release.name}`,
        `  id ${release.id}   title ${release.title ?? '-'}   region ${release.region ?? '-'}   ${release.availability}`,
        ...fileSets.flatMap((fs) => [
          `  ${fs.name} [${fs.type}]  ${fs.availability}  ${fs.files.length} files, ${formatBytes(fs.bytes)}  (id ${fs.id})`,
          ...fs.files.map((f) => `    ${f.sha1}  ${f.availability.padEnd(12)} ${String(f.size).padStart(10)}  ${f.name}`),
        ]),
      ]);
    }),
};
