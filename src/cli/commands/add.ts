import type { CommandModule } from 'yargs';
import { addFiles } from '../../store/add-files.js';
import { FILE_SET_TYPES, type FileType } from '../../store/blob/blob-key.js';
import { skipReason } from '../skip-reason.js';
import { loadRemoteConfig } from '../../sync/remote/remote-config.js';
import { formatBytes, Output, withLibrary, type GlobalArgs } from '../context.js';

interface Args extends GlobalArgs {
  paths: string[];
  system: string;
  release: string;
  title?: string;
  region?: string;
  type: FileType;
  'file-set'?: string;
}

export const addCommand: CommandModule<GlobalArgs, Args> = {
  command: 'add <paths..>',
  describe: 'store files (folders recurse) in a release\'s file set',
  builder: (y) =>
    y
      .positional('paths', { type: 'string', array: true, demandOption: true })
      .option('system', { type: 'string', demandOption: true, describe: 'system name, e.g. "Nintendo - Super Nintendo Entertainment System"' })
      .option('release', { type: 'string', demandOption: true, describe: 'release name, e.g. "ActRaiser (USA)"' })
      .option('title', { type: 'string', describe: 'software title (default: the release name without its tags)' })
      .option('region', { type: 'string', describe: 'region (default: from the release name)' })
      .option('type', { choices: FILE_SET_TYPES, default: 'rom' as FileType, describe: 'file set type' })
      .option('file-set', { type: 'string', describe: 'file set name (default: the type)' })
      .example('$0 add ActRaiser.sfc --system "Nintendo - SNES" --release "ActRaiser (USA)"', '') as never,
  handler: async (argv) => {
    const out = Output.from(argv);
    const report = await withLibrary(argv, (lib) =>
      addFiles(lib, {
        paths: argv.paths,
        system: argv.system,
        release: argv.release,
        title: argv.title,
        region: argv.region,
        type: argv.type,
        fileSet: argv['file-set'],
        queueUploads: loadRemoteConfig(lib) !== undefined,
      }),
    );
    for (const s of report.skipped) out.warn(`skipped ${s.path}: ${skipReason(s.reason)}`);
    out.result(report, () => [
      // The word says what happened to the catalogue, the note what happened to the store: content
      // catalogued but not on this device (pulled from another one) is "stored", not "unchanged".
      ...report.files.map((f) => {
        if (f.result === 'unchanged' && f.stored) return `${'stored'.padEnd(9)} ${f.sha1}  ${f.name} (already in the catalogue; now on this device too)`;
        return `${f.result.padEnd(9)} ${f.sha1}  ${f.name}${f.stored ? '' : ' (already stored)'}`;
      }),
      `${report.system} › ${report.release} › ${report.fileSet}: ${report.files.length} file(s), ${formatBytes(report.bytesIn)} in, ${formatBytes(report.bytesStored)} stored`,
    ]);
  },
};
