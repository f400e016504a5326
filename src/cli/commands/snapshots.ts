import type { CommandModule } from 'yargs';
import { openRemote } from '../../sync/remote/remote-config.js';
import { loadHistory } from '../../sync/snapshot/manifest-store.js';
import { pruneSnapshots } from '../../sync/snapshot/prune.js';
import { restoreSnapshot } from '../../sync/snapshot/restore.js';
import { getBase } from '../../sync/snapshot/sync-state.js';
import { DEFAULT_GRACE_MS, formatGrace, parseGrace } from '../../sync/transfer/gc-plan.js';
import { formatBytes, Output, withLibrary, type GlobalArgs } from '../context.js';
import { wholeNumber } from '../numeric-option.js';

const listCommand: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'list',
  describe: 'every snapshot on the remote, oldest first (each is a restore point)',
  handler: (argv) =>
    withLibrary(argv, async (lib) => {
      const history = await loadHistory(openRemote(lib), lib.state, { allowMissingParents: true });
      const heads = new Set(history.heads.map((h) => h.id));
      const base = getBase(lib.state)?.snapshotId ?? null;
      const rows = [...history.byId.values()]
        .sort((a, b) => (a.id < b.id ? -1 : 1))
        .map((m) => ({ ...m, head: heads.has(m.id), base: m.id === base }));
      Output.from(argv).result(rows, () =>
        rows.length
          ? rows.map(
              (m) =>
                `${m.id}  ${m.created_at}  ${m.device.name.padEnd(12)} ${formatBytes(m.database.size).padStart(10)}  ${(m.row_counts.release ?? 0).toString().padStart(7)} releases${m.head ? '  HEAD' : ''}${m.base ? '  (base)' : ''}`,
            )
          : 'No snapshots on the remote.',
      );
    }),
};

const restoreCommand: CommandModule<GlobalArgs, GlobalArgs & { id: string }> = {
  command: 'restore <id>',
  describe: 'replace the local database with a snapshot (after a backup); push to publish it',
  builder: (y) => y.positional('id', { type: 'string', demandOption: true, describe: 'snapshot id or a unique prefix' }) as never,
  handler: (argv) =>
    withLibrary(argv, async (lib) => {
      const r = await restoreSnapshot(lib, openRemote(lib), argv.id);
      Output.from(argv).result({ restored: r.snapshot.id, backup: r.backup.id }, () => [
        `Restored snapshot ${r.snapshot.id} (${r.snapshot.created_at}, by ${r.snapshot.device.name}).`,
        `The previous database is backup ${r.backup.id} (\`trove backups restore ${r.backup.id}\` undoes this).`,
        'Run `trove sync push` to publish the restored collection to the other devices.',
      ]);
    }),
};

interface PruneArgs extends GlobalArgs {
  'keep-last': number;
  'dry-run'?: boolean;
  grace?: string;
}

const pruneCommand: CommandModule<GlobalArgs, PruneArgs> = {
  command: 'prune',
  describe: 'delete old snapshots from the remote; never a head or a device base',
  builder: (y) =>
    y
      .option('keep-last', { type: 'number', demandOption: true, coerce: wholeNumber('keep-last', 1), describe: 'keep this many newest snapshots (plus heads and device bases)' })
      .option('dry-run', { type: 'boolean', describe: 'only say what would be deleted' })
      .option('grace', {
        type: 'string',
        describe: `content no snapshot references (left by interrupted pushes) is deleted once older than this (30m, 24h, 7d, 0; default ${formatGrace(DEFAULT_GRACE_MS)})`,
      }) as never,
  handler: (argv) =>
    withLibrary(argv, async (lib) => {
      const graceMs = argv.grace === undefined ? DEFAULT_GRACE_MS : parseGrace(argv.grace);
      const r = await pruneSnapshots(openRemote(lib), lib.state, { keepLast: argv['keep-last'], localBase: getBase(lib.state)?.snapshotId ?? null, dryRun: argv['dry-run'], graceMs });
      const o = r.orphans;
      Output.from(argv).result(r, () => [
        ...r.keep.map((k) => `keep    ${k.id}  (${k.why.join('; ')})`),
        ...r.remove.map((id) => `${r.dryRun ? 'would delete' : 'deleted'} ${id}`),
        `${r.keep.length} kept, ${r.remove.length} ${r.dryRun ? 'would be ' : ''}deleted.`,
        ...(o.deleted.length || o.kept.length
          ? [
              `Content no snapshot references (left by interrupted pushes): ${o.deleted.length} object(s), ${formatBytes(o.bytesFreed)} ${r.dryRun ? 'would be ' : ''}deleted` +
                (o.kept.length ? `; ${o.kept.length} kept (written within the grace period or of unknown age: a push may be uploading them)` : '') +
                '.',
            ]
          : []),
      ]);
    }),
};

export const snapshotsCommand: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'snapshots <command>',
  describe: 'list, restore and prune the snapshots on the remote',
  builder: (y) => y.command(listCommand).command(restoreCommand).command(pruneCommand).demandCommand(1) as never,
  handler: () => undefined,
};
