import fs from 'node:fs';
import type { CommandModule } from 'yargs';
import { TroveError } from '../../store/errors.js';
import { Library } from '../../store/library.js';
import { libraryDir, Output, type GlobalArgs } from '../context.js';

interface Args extends GlobalArgs {
  name?: string;
}

export const initCommand: CommandModule<GlobalArgs, Args> = {
  command: 'init',
  describe: 'create a library (collection.db, state.db, store/) if there is none',
  builder: (y) => y.option('name', { type: 'string', describe: 'device name (default: host name)' }),
  handler: (argv) => {
    const out = Output.from(argv);
    const dir = libraryDir(argv);
    if (fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory() === false) throw new TroveError('BAD_INPUT', `${dir} is a file, not a folder: a library is a folder (give --library another path)`);
    const { library, created } = Library.init(dir, { deviceName: argv.name });
    const device = library.device();
    library.close();
    out.result({ library: library.paths.dir, created, device }, () =>
      created ? `Created library ${library.paths.dir} (device ${device.name}, ${device.id})` : `Library ${library.paths.dir} already exists (device ${device.name})`,
    );
  },
};
