import type { CommandModule } from 'yargs';
import { Output, withLibrary, type GlobalArgs } from '../context.js';

const nameCommand: CommandModule<GlobalArgs, GlobalArgs & { name: string }> = {
  command: 'name <name>',
  describe: "set this device's name (kept in state.db, never synced)",
  builder: (y) => y.positional('name', { type: 'string', demandOption: true }) as never,
  handler: (argv) =>
    withLibrary(argv, (lib) => {
      lib.setDeviceName(argv.name);
      const d = lib.device();
      Output.from(argv).result(d, () => `Device ${d.id} is now named ${d.name}.`);
    }),
};

export const deviceCommand: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'device',
  describe: "this device's id and name; `trove device name <name>` renames it",
  builder: (y) => y.command(nameCommand) as never,
  handler: (argv) =>
    withLibrary(argv, (lib) => {
      const d = lib.device();
      Output.from(argv).result(d, () => [`id:   ${d.id}`, `name: ${d.name}`]);
    }),
};
