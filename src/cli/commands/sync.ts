import type { CommandModule } from 'yargs';
import { TroveError } from '../../store/errors.js';
import { openRemote } from '../../sync/remote/remote-config.js';
import { syncPull, syncPush } from '../../sync/snapshot/push-pull.js';
import { syncStatus } from '../../sync/snapshot/status.js';
import { readSyncLog } from '../../sync/snapshot/sync-state.js';
import type { Resolution } from '../../sync/snapshot/sync-plan.js';
import { formatBytes, Output, withLibrary, type GlobalArgs } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { conflictLine } from './merge.js';
import { wholeNumber } from '../numeric-option.js';

/** Device-id notices are warnings on stderr as they happen (also before a refusal), with --json too. */
const noticeTo = (argv: GlobalArgs) => (message: string) => Output.from(argv).warn(message);

const short = (id: string | null | undefined) => (id ? id.slice(0, 13) : '(none)');

interface PushArgs extends GlobalArgs {
  force?: boolean;
}

const pushCommand: CommandModule<GlobalArgs, PushArgs> = {
  command: 'push',
  describe: 'publish collection.db as a new snapshot (fast-forward only, unless --force)',
  builder: (y) => y.option('force', { type: 'boolean', describe: 'add another head even though the remote moved on (nothing is lost)' }) as never,
  handler: (argv) =>
    withLibrary(argv, async (lib) => {
      const r = await syncPush(lib, openRemote(lib), { force: argv.force, onNotice: noticeTo(argv) });
      Output.from(argv).result(
        { outcome: r.plan.kind === 'push' ? 'pushed' : 'up-to-date', reason: r.plan.reason, snapshot: r.snapshot ?? null, uploadedBytes: r.uploadedBytes, heads: r.heads, deviceIdChange: r.deviceIdChange ?? null },
        () =>
          r.snapshot
            ? [`Pushed snapshot ${r.snapshot.id} (${formatBytes(r.uploadedBytes)} uploaded): ${r.plan.reason}.`, ...(r.heads.length > 1 ? [`The remote now has ${r.heads.length} heads; every device will report the conflict.`] : [])]
            : `Nothing to push: ${r.plan.reason}.`,
      );
    }),
};

interface PullArgs extends GlobalArgs {
  resolve?: Resolution;
  head?: string;
  prefer?: 'local' | 'cloud';
  apply?: boolean;
}

const pullCommand: CommandModule<GlobalArgs, PullArgs> = {
  command: 'pull',
  describe: 'take the remote head (fast-forward), or resolve a conflict with --resolve',
  builder: (y) =>
    y
      .option('resolve', { choices: ['cloud', 'local', 'merge'] as const, describe: 'cloud: take the remote (after a local backup); local: keep yours and push it on top; merge: three-way merge' })
      .option('head', { type: 'string', describe: 'with --resolve cloud and several heads: which head to take (default: the newest)' })
      .option('prefer', { choices: ['local', 'cloud'] as const, describe: 'with --resolve merge: every conflict goes to this side instead of its default' })
      .option('apply', {
        type: 'boolean',
        default: true,
        describe: 'with --resolve merge: --no-apply records the merge as pending, to resolve clash by clash with `trove merge` (or the TUI)',
      })
      .example('$0 sync pull --resolve merge', 'merge the remote head(s) into the local catalogue (conflicts take their defaults) and push the result')
      .example('$0 sync pull --resolve merge --no-apply', 'plan the merge and keep it pending: `trove merge --resolve <id>=local|cloud`, then `trove merge --apply`') as never,
  handler: (argv) =>
    withLibrary(argv, async (lib) => {
      if (argv.resolve !== 'merge' && (argv.prefer || argv.apply === false)) throw new TroveError('USAGE', '--prefer and --no-apply go with --resolve merge');
      if (argv.head !== undefined && argv.resolve !== 'cloud') throw new TroveError('USAGE', '--head goes with --resolve cloud (which head to take); a merge takes every head');
      const prefer = argv.prefer === 'local' ? 'local' : argv.prefer === 'cloud' ? 'remote' : undefined;
      const r = await syncPull(lib, openRemote(lib), { resolve: argv.resolve, head: argv.head, prefer, apply: argv.apply, onNotice: noticeTo(argv) });
      const p = r.plan;
      const out = Output.from(argv);
      if (r.pendingMerge) {
        const m = r.pendingMerge;
        out.result({ outcome: 'merge-pending', reason: p.reason, pending: m.id, head: m.head.id, base: m.base, changes: m.changes, conflicts: m.conflicts, heads: r.heads, deviceIdChange: r.deviceIdChange ?? null }, () => [
          `Merge of ${short(m.head.id)} by ${m.head.device.name} is pending: ${m.changes} change(s), ${m.conflicts.length} conflict(s).`,
          ...m.conflicts.map((c) => '  ' + conflictLine(c, null)),
          'Nothing applied. Choose sides with `trove merge --resolve <id>=local|cloud`, then `trove merge --apply`',
          '(which also pushes the result), or drop it with `trove merge --discard`.',
        ]);
        if (m.conflicts.length) process.exitCode = EXIT.CONFLICT;
        return;
      }
      const conflicts = (r.merged ?? []).flatMap((st) => st.conflicts);
      out.result(
        { outcome: p.kind, reason: p.reason, snapshot: r.snapshot ?? null, backup: r.backupId ?? null, heads: r.heads, deviceIdChange: r.deviceIdChange ?? null, ...('setAside' in p ? { setAside: p.setAside } : {}), ...(r.merged ? { conflicts, merged: r.merged.map((st) => ({ head: st.head.id, base: st.base, changes: st.changes, conflicts: st.conflicts.length })) } : {}) },
        () => {
          if (p.kind === 'up-to-date') return `Nothing to pull: ${p.reason}.`;
          if (p.kind === 'keep-local') return `Kept the local database and pushed it as snapshot ${r.snapshot!.id}: ${p.reason}.`;
          if (p.kind === 'merge') {
            return [
              ...r.merged!.map((st) => `Merged ${short(st.head.id)} by ${st.head.device.name} (common ancestor ${st.base ? short(st.base) : 'none: an empty catalogue'}): ${st.changes} change(s), ${st.conflicts.length} conflict(s).`),
              ...conflicts.map((c) => '  ' + conflictLine(c, null)),
              ...(r.merged!.some((st) => !st.base)
                ? ['Without a common ancestor, a row one side deleted looks like a row the other added: such rows were kept. Delete them again if they should go.']
                : []),
              `Pushed the merge as snapshot ${r.snapshot!.id} with parents ${r.snapshot!.parents.map(short).join(', ')}.`,
              `The previous database is backup ${r.backupId} (\`trove backups restore ${r.backupId}\` undoes this locally).`,
            ];
          }
          return [`Now at snapshot ${r.snapshot!.id}: ${p.reason}.`, `The previous database is backup ${r.backupId} (\`trove backups restore ${r.backupId}\` undoes this).`];
        },
      );
    }),
};

const statusCommand: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'status',
  describe: 'device, base, heads, ahead/behind, local changes, conflict',
  handler: (argv) =>
    withLibrary(argv, async (lib) => {
      const s = await syncStatus(lib, openRemote(lib));
      Output.from(argv).result(s, () => [
        `Device:   ${s.device.name} (${s.device.id})`,
        `Remote:   ${s.remote} — ${s.snapshots} snapshot(s)`,
        `Base:     ${short(s.base)}${s.base && !s.baseOnRemote ? ' (no longer on the remote)' : ''}`,
        ...(s.heads.length ? s.heads.map((h, i) => `${i ? '          ' : 'Heads:    '}${short(h.id)} by ${h.device.name} at ${h.createdAt}`) : ['Heads:    (none)']),
        `Behind:   ${s.behind} snapshot(s)   Ahead: ${s.ahead}`,
        `Local changes: ${s.localChanges.changed ? 'yes' : 'no'}${s.baseLost ? " since the base — but the base itself is not in the head's history, so the head lacks what this device last pushed" : ''}`,
        ...s.localChanges.tables.filter((t) => (t.base ?? 0) !== t.local).map((t) => `  ${t.table}: ${t.base ?? 0} → ${t.local} rows (${t.local - (t.base ?? 0) >= 0 ? '+' : ''}${t.local - (t.base ?? 0)})`),
        `Conflict: ${s.conflict ? 'YES' : 'no'}`,
        ...(s.sharedDeviceId.length
          ? [
              `Device id: shared — ${s.sharedDeviceId.length} object(s) under this device id on the remote were written by another library (a copy of this library folder?);`,
              '          the next `trove sync push` or `trove sync pull` gives this library its own id (or run `trove device new-id`).',
            ]
          : []),
        s.next,
      ]);
    }),
};

const logCommand: CommandModule<GlobalArgs, GlobalArgs & { limit: number }> = {
  command: 'log',
  describe: "this device's database sync log, newest first",
  builder: (y) => y.option('limit', { type: 'number', default: 50, coerce: wholeNumber('limit', 1), describe: 'entries to show' }) as never,
  handler: (argv) =>
    withLibrary(argv, (lib) => {
      const entries = readSyncLog(lib.state, argv.limit);
      Output.from(argv).result(entries, () =>
        entries.length
          ? entries.map(
              (e) =>
                `${e.at}  ${e.direction.padEnd(7)} ${e.outcome.padEnd(10)} ${short(e.snapshotId).padEnd(13)}${e.conflict ? '  CONFLICT' : ''}${e.resolution ? `  resolve=${e.resolution}` : ''}  ${e.message}`,
            )
          : 'No database sync yet.',
      );
    }),
};

export const syncCommand: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'sync <command>',
  describe: 'push and pull collection.db snapshots (exit 3 on conflict)',
  builder: (y) => y.command(pushCommand).command(pullCommand).command(statusCommand).command(logCommand).demandCommand(1) as never,
  handler: () => undefined,
};
