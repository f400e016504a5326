import type { CommandModule } from 'yargs';
import { scanFolders } from '../../store/catalog/scan.js';
import { skipReason } from '../skip-reason.js';
import { loadRemoteConfig } from '../../sync/remote/remote-config.js';
import { formatBytes, Output, withLibrary, type GlobalArgs } from '../context.js';
import { wholeNumber } from '../numeric-option.js';

interface Args extends GlobalArgs {
  dirs: string[];
  system?: string;
  concurrency: number;
}

export const scanCommand: CommandModule<GlobalArgs, Args> = {
  command: 'scan <dirs..>',
  describe: 'hash files in folders, store those that match the catalogue (SHA1 + size; crc32 + size where a DAT has no sha1), list the rest',
  builder: (y) =>
    y
      .positional('dirs', { type: 'string', array: true, demandOption: true })
      .option('system', { type: 'string', describe: 'match only against this system' })
      .option('concurrency', { type: 'number', default: 4, coerce: wholeNumber('concurrency', 1, 64), describe: 'files hashed and stored at once' })
      .example('$0 scan ~/roms/nes --system "Nintendo - Nintendo Entertainment System"', '') as never,
  handler: (argv) =>
    withLibrary(argv, async (lib) => {
      const out = Output.from(argv);
      const started = performance.now();
      const r = await scanFolders(lib, argv.dirs, { system: argv.system, concurrency: Math.max(1, argv.concurrency), queueUploads: loadRemoteConfig(lib) !== undefined });
      const seconds = (performance.now() - started) / 1000;
      for (const s of r.skipped) out.warn(`skipped ${s.path}: ${skipReason(s.reason)}`);
      out.result({ ...r, seconds }, () => [
        ...r.matches.filter((m) => m.kind === 'crc32').map((m) => `weak match (crc32 + size, no sha1 in the DAT)  ${m.path} → ${m.roms?.join(', ')}`),
        ...r.unmatched.map((p) => `unmatched  ${p}`),
        ...r.errors.map((e) => `error      ${e.path}: ${e.message}`),
        `${r.files} file(s) in ${r.roots.join(', ')}${r.system ? ` against ${r.system}` : ''}: ${r.matched.sha1} matched by sha1, ${r.matched.crc32} by crc32 only, ` +
          `${r.unmatched.length} unmatched, ${r.errors.length} error(s); ${r.stored} stored; ${r.cached} unchanged since the last scan, ${r.hashed} hashed (${formatBytes(r.bytesHashed)}) in ${seconds.toFixed(2)} s`,
      ]);
      if (r.errors.length) process.exitCode = 1;
    }),
};
