import type { CommandModule } from 'yargs';
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
    const { library, created } = Library.init(libraryDir(argv), { deviceName: argv.name });
    const device = library.device();
    library.close();
    out.result({ library: library.paths.dir, created, device }, () =>
      created ? `Created library ${library.paths.dir} (device ${device.name}, ${device.id})` : `Library ${library.paths.dir} already exists (device ${device.name})`,
    );
  },
};
