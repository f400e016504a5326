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

const newIdCommand: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'new-id',
  describe: 'give this library a new device id (after copying a library folder to another machine)',
  handler: (argv) =>
    withLibrary(argv, (lib) => {
      const from = lib.device().id;
      lib.resetDeviceId();
      const d = lib.device();
      Output.from(argv).result({ ...d, previousId: from }, () => [
        `Device ${d.name} now has the id ${d.id} (it was ${from}).`,
        'Its next `trove sync push` or `trove sync pull` records its base under the new id.',
      ]);
    }),
};

export const deviceCommand: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'device',
  describe: "this device's id and name; `trove device name <name>` renames it, `trove device new-id` gives a copied library its own id",
  builder: (y) => y.command(nameCommand).command(newIdCommand) as never,
  handler: (argv) =>
    withLibrary(argv, (lib) => {
      const d = lib.device();
      Output.from(argv).result(d, () => [`id:   ${d.id}`, `name: ${d.name}`]);
    }),
};
