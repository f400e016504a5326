import type { CommandModule } from 'yargs';
import { FILE_SET_TYPES } from '../../store/blob/blob-key.js';
import { resolveSystem } from '../../store/repo/resolve.js';
import { withLibrary, type GlobalArgs } from '../context.js';
import { cancelTarget, downloadTarget, shellWord } from './download.js';
import { wholeNumber } from '../numeric-option.js';

interface Args extends GlobalArgs {
  system?: string;
  type?: string;
  concurrency?: number;
  cancel?: boolean;
}

export const downloadAllCommand: CommandModule<GlobalArgs, Args> = {
  command: 'download-all',
  describe: 'fetch every file (or one system / one type) for offline use: verified, resumable, free space checked first',
  builder: (y) =>
    y
      .option('system', { type: 'string', describe: 'only this system (name or id)' })
      .option('type', { choices: FILE_SET_TYPES, describe: 'only this file type' })
      .option('concurrency', { type: 'number', coerce: wholeNumber('concurrency', 1, 64), describe: 'transfers at once (default: the transfers.concurrency setting, else 8)' })
      .option('cancel', { type: 'boolean', describe: 'download nothing: forget the queued downloads (of --system / --type, else all) an interrupted or refused run left behind' })
      .example('$0 download-all --system "Nintendo - Game Boy" --type rom', '')
      .example('$0 download-all --cancel', 'forget every queued download') as never,
  handler: (argv) =>
    withLibrary(argv, async (lib) => {
      const system = argv.system ? resolveSystem(lib.db, argv.system) : undefined;
      const what = [system ? system.name : 'all systems', argv.type ? `type ${argv.type}` : ''].filter(Boolean).join(', ');
      if (argv.cancel) return cancelTarget(lib, argv, system || argv.type ? what : undefined, system || argv.type ? { systemId: system?.id, type: argv.type } : undefined, 'download-all');
      await downloadTarget(lib, argv, what, { systemId: system?.id, type: argv.type }, { missingFails: false, again: ['trove download-all', ...(argv.system ? ['--system', shellWord(argv.system)] : []), ...(argv.type ? ['--type', argv.type] : [])].join(' ') });
    }),
};
