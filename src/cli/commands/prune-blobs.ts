import type { CommandModule } from 'yargs';
import type { ErrorCode } from '../../store/errors.js';
import { openRemote } from '../../sync/remote/remote-config.js';
import { DEFAULT_GRACE_MS, formatGrace, parseGrace, type GcPlan } from '../../sync/transfer/gc-plan.js';
import { runRemoteGc, type GcReport } from '../../sync/transfer/gc-worker.js';
import { DEFAULT_CONCURRENCY } from '../../sync/transfer/transfer-options.js';
import { formatBytes, Output, withLibrary, type GlobalArgs } from '../context.js';
import { EXIT, exitCodeForFailures } from '../exit-codes.js';
import { printable } from '../../store/printable.js';
import { wholeNumber } from '../numeric-option.js';

interface Args extends GlobalArgs {
  'dry-run'?: boolean;
  grace?: string;
  'include-unknown'?: boolean;
  concurrency: number;
}

/** Staging files (fs remotes' `.trove-tmp/`): what goes, what stays and why, and a total. */
function stagingLines(r: GcReport, p: GcPlan): string[] {
  const st = p.staging;
  if (!st.delete.length && !st.keep.length) return [];
  const planned = st.delete.reduce((a, f) => a + f.size, 0);
  return [
    ...(r.dryRun ? st.delete.map((f) => `would delete ${printable(f.key)}  ${formatBytes(f.size)} (staging file left by an interrupted write)`) : r.stagingDeleted.map((f) => `deleted ${printable(f.key)}  ${formatBytes(f.size)} (staging file left by an interrupted write)`)),
    ...st.keep.map((f) => `kept    ${printable(f.key)}  ${formatBytes(f.size)} (staging file; ${f.reason}: an upload may still be writing it)`),
    r.dryRun
      ? `Would delete ${st.delete.length} staging file(s), ${formatBytes(planned)}; ${st.keep.length} kept.`
      : `Deleted ${r.stagingDeleted.length} staging file(s), ${formatBytes(r.stagingBytesFreed)}; ${st.keep.length} kept.` + (r.stagingFailed.length ? ` ${r.stagingFailed.length} failed.` : ''),
  ];
}

export const pruneBlobsCommand: CommandModule<GlobalArgs, Args> = {
  command: 'prune-blobs',
  describe: 'delete remote blobs that neither the catalogue nor any retained snapshot references (and stale staging files of interrupted uploads)',
  builder: (y) =>
    y
      .option('dry-run', { type: 'boolean', describe: 'only show what would be deleted' })
      .option('grace', { type: 'string', describe: `keep blobs written less than this long ago (30m, 24h, 7d, 0; default ${formatGrace(DEFAULT_GRACE_MS)}, or $TROVE_GC_GRACE)` })
      .option('include-unknown', { type: 'boolean', describe: 'also delete blobs the sync log has no row for (uploaded by a device whose catalogue never reached this one)' })
      .option('concurrency', { type: 'number', default: DEFAULT_CONCURRENCY, coerce: wholeNumber('concurrency', 1, 64), describe: 'deletions at once' })
      .example('$0 snapshots prune --keep-last 10 && $0 prune-blobs --dry-run', '') as never,
  handler: (argv) =>
    withLibrary(argv, async (lib) => {
      const out = Output.from(argv);
      const graceText = argv.grace ?? process.env.TROVE_GC_GRACE;
      const graceMs = graceText === undefined ? DEFAULT_GRACE_MS : parseGrace(graceText);
      const remote = openRemote(lib);
      const r = await runRemoteGc(lib, remote, { dryRun: argv['dry-run'], graceMs, includeUnknown: argv['include-unknown'], concurrency: Math.max(1, argv.concurrency) });
      const p = r.plan;
      const planned = p.delete.reduce((a, d) => a + d.size, 0);
      out.result(r, () => [
        ...(r.dryRun ? p.delete.map((d) => `would delete ${d.key}  ${formatBytes(d.size)}`) : r.deleted.map((d) => `deleted ${d.key}  ${formatBytes(d.size)}`)),
        ...r.calledOff.map((d) => `kept    ${d.key}  (${d.reason})`),
        ...p.keep.map((k) => `kept    ${k.key}  ${formatBytes(k.size)} (unreferenced; ${k.reason})`),
        ...p.foreign.map((k) => `ignored ${k} (not a trove blob)`),
        r.dryRun
          ? `Would delete ${p.delete.length} blob(s), ${formatBytes(planned)}, from ${remote.description} (grace ${formatGrace(r.graceMs)}).`
          : `Deleted ${r.deleted.length} blob(s), ${formatBytes(r.bytesFreed)}, from ${remote.description} (grace ${formatGrace(r.graceMs)}).` + (r.failed.length ? ` ${r.failed.length} failed.` : ''),
        `Kept ${p.referenced.catalogue} referenced by the catalogue, ${p.referenced.snapshotsOnly} only by retained snapshots, ${p.keep.length} unreferenced (see above).`,
        ...(p.settle.length ? [`Settled ${p.settle.length} deletion(s) left unfinished by an earlier run.`] : []),
        ...stagingLines(r, p),
        ...(r.dryRun || !(r.deleted.length || r.calledOff.length || p.settle.length) ? [] : [`Run \`trove sync push\` to share the updated sync log with other devices.`]),
      ]);
      for (const f of r.failed.slice(0, 20)) if (f.message !== r.stoppedBy?.message) process.stderr.write(`trove: ${printable(f.message)}\n`);
      for (const f of r.stagingFailed.slice(0, 20)) process.stderr.write(`trove: ${printable(f.message)}\n`);
      if (r.stoppedBy) process.stderr.write(`trove: stopped: ${printable(r.stoppedBy.message)}\n`);
      const exit = exitCodeForFailures([...(r.stoppedBy ? [r.stoppedBy] : []), ...r.failed, ...r.stagingFailed].map((f) => f.code as ErrorCode));
      if (exit !== EXIT.OK) process.exitCode = exit;
    }),
};
