import type { CommandModule } from 'yargs';
import { listBackupsChecked } from '../../sync/snapshot/backups.js';
import { restoreBackup } from '../../sync/snapshot/restore.js';
import { formatBytes, Output, withLibrary, type GlobalArgs } from '../context.js';

const listCommand: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'list',
  describe: 'local backups of collection.db, oldest first',
  handler: (argv) =>
    withLibrary(argv, (lib) => {
      const rows = listBackupsChecked(lib.paths, lib.state).map((b) => ({ ...b, missing: !!b.missing }));
      Output.from(argv).result(rows, () =>
        rows.length
          ? rows.map((b) => `${b.id}  ${b.createdAt}  ${formatBytes(b.dbSize).padStart(10)}  ${b.reason}${b.missing ? '  (file missing: deleted outside trove, cannot be restored)' : ''}`)
          : 'No backups yet.',
      );
    }),
};

const restoreCommand: CommandModule<GlobalArgs, GlobalArgs & { id: string }> = {
  command: 'restore <id>',
  describe: 'replace collection.db with a backup (the current one is backed up first)',
  builder: (y) => y.positional('id', { type: 'string', demandOption: true, describe: 'backup id or a unique prefix' }) as never,
  handler: (argv) =>
    withLibrary(argv, async (lib) => {
      const r = await restoreBackup(lib, argv.id);
      Output.from(argv).result({ restored: r.restored.id, backup: r.backup.id }, () => [
        `Restored backup ${r.restored.id} (${r.restored.createdAt}, ${r.restored.reason}).`,
        `The previous database is backup ${r.backup.id}.`,
      ]);
    }),
};

export const backupsCommand: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'backups <command>',
  describe: 'local backups taken before every step that replaces collection.db',
  builder: (y) => y.command(listCommand).command(restoreCommand).demandCommand(1) as never,
  handler: () => undefined,
};
