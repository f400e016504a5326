import type { CommandModule } from 'yargs';
import { TroveError } from '../../store/errors.js';
import { Library, openDatabase, type LibraryPaths } from '../../store/library.js';
import { formatValue } from '../../sync/diff/diff-text.js';
import type { Conflict, Side } from '../../sync/merge/merge-types.js';
import { applyPendingMerge, discardPendingMerge, startMerge } from '../../sync/merge/merge-session.js';
import { chooseResolution, loadPendingMerge, type PendingMerge } from '../../sync/merge/pending-merge.js';
import { EXIT } from '../exit-codes.js';
import { libraryDir, Output, withLibrary, type GlobalArgs } from '../context.js';
import { openRemote } from '../../sync/remote/remote-config.js';
import { syncPush, type PushResult } from '../../sync/snapshot/push-pull.js';

interface Args extends GlobalArgs {
  base?: string;
  remote?: string;
  prefer?: 'local' | 'cloud';
  'remote-device'?: string;
  status?: boolean;
  resolve?: string[];
  apply?: boolean;
  discard?: boolean;
}

const sideName = (s: Side) => (s === 'local' ? 'local' : 'cloud');

function parseSide(v: string, what: string): Side {
  if (v === 'local') return 'local';
  if (v === 'cloud' || v === 'remote') return 'remote';
  throw new TroveError('USAGE', `${what}: expected local or cloud, got ${JSON.stringify(v)}`);
}

function describeValue(c: Conflict, v: Conflict['local']): string {
  if (c.kind === 'field') return formatValue(v as string | number | null);
  if (c.kind === 'unique') return `row ${String(v)}`;
  return v === null ? 'deleted' : c.kind === 'delete_edit' ? 'changed' : 'kept, with changes beneath';
}

/** One line per conflict: id, kind, label, each side, and the resolution that applies. */
export function conflictLine(c: Conflict, chosen: Side | null | undefined): string {
  const what = c.kind === 'field' || c.kind === 'unique' ? `${c.label}: ${c.field}` : c.label;
  const res = chosen ?? c.resolution;
  // The default's reason already says where the losing file is kept; a preferred side says it here.
  const kept = c.keptAs && res === c.resolution && res !== c.defaultSide ? `; the other file is kept as "${c.keptAs}"` : '';
  const how = (chosen ? 'chosen' : res === c.defaultSide ? `default: ${c.defaultReason}` : 'preferred') + kept;
  return `[${c.id}] ${c.kind.padEnd(14)} ${what}: local ${describeValue(c, c.local)} | cloud ${describeValue(c, c.remote)} → ${sideName(res)} (${how})`;
}

function statusJson(m: PendingMerge | undefined) {
  if (!m) return { pending: null };
  return {
    pending: {
      id: m.id,
      status: m.status,
      base: m.baseLabel,
      remote: m.remoteLabel,
      createdAt: m.createdAt,
      conflicts: m.conflicts.map((c) => ({ ...c.detail, chosen: c.chosenSide, resolution: c.chosenSide ?? c.defaultSide })),
    },
  };
}

function statusText(m: PendingMerge | undefined): string[] {
  if (!m) return ['No merge pending.'];
  const open = m.conflicts.filter((c) => !c.chosenSide).length;
  return [
    `Pending merge ${m.id}${m.status === 'applying' ? ' (an apply was interrupted: run --apply again to finish, or --discard)' : ''}`,
    `  base ${m.baseLabel}`,
    `  cloud ${m.remoteLabel}`,
    `  ${m.conflicts.length} conflict(s), ${open} without a chosen side (they take their default)`,
    ...m.conflicts.map((c) => '  ' + conflictLine({ ...c.detail, resolution: c.chosenSide ?? c.defaultSide }, c.chosenSide)),
  ];
}

/** Open the library only to learn its paths and device (and bring state.db up to date), then close it. */
function libraryInfo(argv: GlobalArgs): { paths: LibraryPaths; device: string } {
  const lib = Library.open(libraryDir(argv));
  try {
    return { paths: lib.paths, device: lib.device().id };
  } finally {
    lib.close();
  }
}

export const mergeCommand: CommandModule<GlobalArgs, Args> = {
  command: 'merge [base] [remote]',
  describe: 'three-way merge of another version of the catalogue into this library',
  builder: (y) =>
    y
      .positional('base', { type: 'string', describe: 'the common ancestor (.db file)' })
      .positional('remote', { type: 'string', describe: 'the other version (.db file), "cloud" in resolutions' })
      .option('prefer', { choices: ['local', 'cloud'] as const, describe: 'resolve every conflict to this side and apply' })
      .option('remote-device', { type: 'string', describe: 'device id of the other version (breaks ties of updated_at)', default: 'remote' })
      .option('status', { type: 'boolean', describe: 'show the pending merge and its conflicts' })
      .option('resolve', { type: 'string', array: true, describe: 'choose a side for a conflict: <conflict-id>=local|cloud' })
      .option('apply', { type: 'boolean', describe: 'apply the pending merge (after a verified backup)' })
      .option('discard', { type: 'boolean', describe: 'drop the pending merge; the library is not touched' })
      .example('$0 merge base.db other.db', 'plan; applies at once when nothing conflicts')
      .example('$0 merge --resolve 3f2a9c=cloud --apply', 'pick a side for one conflict, then apply') as never,
  handler: async (argv) => {
    const out = Output.from(argv);
    const { paths, device } = libraryInfo(argv);
    const state = openDatabase(paths.stateDb);
    try {
      if (argv.base || argv.remote) {
        if (!argv.base || !argv.remote) throw new TroveError('USAGE', 'merge needs both <base> and <remote> database files');
        if (argv.status || argv.discard || argv.resolve?.length) throw new TroveError('USAGE', 'start a merge, or work on the pending one: not both');
        const prefer = argv.prefer ? parseSide(argv.prefer, '--prefer') : undefined;
        const started = await startMerge(paths, state, {
          basePath: argv.base,
          remotePath: argv.remote,
          localDevice: device,
          remoteDevice: argv['remote-device'] ?? 'remote',
          prefer,
        });
        if (started.conflicts.length && !prefer && !argv.apply) {
          out.result({ pending: started.id, conflicts: started.conflicts, changes: started.changes, applied: false }, () => [
            `${started.changes} change(s) to merge, ${started.conflicts.length} conflict(s):`,
            ...started.conflicts.map((c) => '  ' + conflictLine(c, null)),
            'Nothing applied. Choose sides with `trove merge --resolve <id>=local|cloud`, then `trove merge --apply`',
            '(conflicts left unresolved take the default shown), or drop it with `trove merge --discard`.',
          ]);
          process.exitCode = EXIT.CONFLICT;
          return;
        }
      } else if (argv.prefer) {
        throw new TroveError('USAGE', '--prefer goes with <base> <remote>; for a pending merge use --resolve <id>=local|cloud');
      }
      if (argv.discard) {
        const m = discardPendingMerge(paths, state);
        out.result({ discarded: m.id, interruptedApply: m.status === 'applying', ...(m.lost ? { lost: m.lost } : {}) }, () =>
          m.lost
            ? `Discarded pending merge ${m.id}, which was lost: ${m.lost}. The library is unchanged; nothing outside it was touched.`
            : m.status === 'applying'
            ? `Discarded pending merge ${m.id}. Its apply had been interrupted: the catalogue is either as it was or fully merged (the backup taken before is in ${paths.backupsDir}).`
            : `Discarded pending merge ${m.id}; the library is unchanged.`,
        );
        return;
      }
      for (const r of argv.resolve ?? []) {
        const eq = r.lastIndexOf('=');
        if (eq <= 0) throw new TroveError('USAGE', `--resolve ${JSON.stringify(r)}: expected <conflict-id>=local|cloud`);
        const id = chooseResolution(state, r.slice(0, eq), parseSide(r.slice(eq + 1), `--resolve ${r}`));
        out.info(`conflict ${id} → ${sideName(parseSide(r.slice(eq + 1), ''))}`);
      }
      const applyNow = argv.apply || (argv.base && argv.remote);
      if (applyNow) {
        const pending = loadPendingMerge(state);
        const chosen = new Map(pending?.conflicts.map((c) => [c.id, c.chosenSide]) ?? []);
        const applied = await applyPendingMerge(paths, state, device);
        // A merge started by `trove sync pull --resolve merge --no-apply` is published at once, with the
        // head and the base as parents (recorded by the apply: if this push fails, `trove sync push` does it).
        let pushed: PushResult | undefined;
        let pushError: unknown;
        if (applied.origin) {
          try {
            pushed = await withLibrary(argv, (lib) => syncPush(lib, openRemote(lib)));
          } catch (err) {
            pushError = err;
          }
        }
        out.result(
          {
            applied: true,
            id: applied.id,
            backup: applied.backup.id,
            backupFile: applied.backup.file,
            changes: applied.changes,
            conflicts: applied.conflicts,
            ...(applied.origin ? { snapshot: pushed?.snapshot ?? null, parents: applied.origin.parents } : {}),
          },
          () => [
            ...applied.conflicts.map((c) => conflictLine(c, chosen.get(c.id))),
            `Merged: ${applied.changes} change(s) applied to ${paths.collectionDb}, ${applied.conflicts.length} conflict(s) resolved.`,
            `Backup of the previous catalogue: ${applied.backup.id} (${applied.backup.file}; \`trove backups restore ${applied.backup.id}\` undoes this).`,
            ...(pushed?.snapshot ? [`Pushed the merge as snapshot ${pushed.snapshot.id} with parents ${pushed.snapshot.parents.join(', ')}.`] : []),
            // A refused push (another device pushed meanwhile) carries its own advice on stderr: do not contradict it.
            ...(applied.origin && !pushed?.snapshot
              ? [
                  pushError instanceof TroveError && pushError.code === 'CONFLICT'
                    ? 'Not pushed: the remote moved on since this merge was planned (see below); `trove sync pull --resolve merge` merges the new head too, keeping your choices.'
                    : 'Not pushed yet: run `trove sync push` (it names the merged head and the base as parents).',
                ]
              : []),
          ],
        );
        if (pushError) throw pushError;
        return;
      }
      const m = loadPendingMerge(state);
      out.result(statusJson(m), () => statusText(m));
    } finally {
      state.close();
    }
  },
};
