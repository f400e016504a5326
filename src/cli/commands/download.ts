import type { CommandModule } from 'yargs';
import type Database from 'better-sqlite3';
import { resolveReleaseOrFileSet, resolveSystem } from '../../store/repo/resolve.js';
import type { Library } from '../../store/library.js';
import { openRemote } from '../../sync/remote/remote-config.js';
import { planDownloads, type DownloadPlan } from '../../sync/transfer/download-plan.js';
import { enqueueDownloads } from '../../sync/transfer/download-queue.js';
import { runDownloads } from '../../sync/transfer/download-worker.js';
import { targetFiles, type TargetFilter } from '../../sync/transfer/transfer-targets.js';
import { formatBytes, Output, withLibrary, type GlobalArgs } from '../context.js';
import { finishTransfer, progressRenderer } from '../transfer-output.js';
import { wholeNumber } from '../numeric-option.js';
import { EXIT } from '../exit-codes.js';

/**
 * ctrl+c as rclone and restic handle it: the first SIGINT starts nothing new and lets the downloads in
 * flight finish and be recorded; a second cuts them (their temp files removed, left queued); a third
 * exits at once (the next run verifies and records whatever reached the store). SIGTERM cuts at once.
 */
function interruptible(): { stop: AbortSignal; abort: AbortSignal; dispose: () => void } {
  const stop = new AbortController();
  const abort = new AbortController();
  let count = 0;
  const onInt = () => {
    count++;
    if (count === 1) {
      stop.abort();
      process.stderr.write('\ntrove: stopping: finishing the downloads in flight (ctrl+c again cancels them); the rest stays queued\n');
    } else if (count === 2) {
      abort.abort();
      process.stderr.write('trove: cancelling the downloads in flight\n');
    } else process.exit(EXIT.INTERRUPTED);
  };
  const onTerm = () => {
    stop.abort();
    abort.abort();
  };
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  return {
    stop: stop.signal,
    abort: abort.signal,
    dispose: () => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
    },
  };
}

/** Shared by download and download-all: plan, queue, run the queue, report. */
export async function downloadTarget(lib: Library, argv: GlobalArgs & { concurrency?: number }, what: string, filter: TargetFilter): Promise<void> {
  const out = Output.from(argv);
  const plan: DownloadPlan = planDownloads(targetFiles(lib.db as Database.Database, filter));
  const remote = openRemote(lib);
  enqueueDownloads(lib.state, plan.fetch);
  const renderer = progressRenderer(out);
  const interrupt = interruptible();
  let report;
  try {
    report = await runDownloads(lib, remote, {
      concurrency: argv.concurrency === undefined ? undefined : Math.max(1, argv.concurrency),
      onProgress: renderer.listener,
      stop: interrupt.stop,
      abort: interrupt.abort,
    });
  } finally {
    interrupt.dispose();
  }
  if (report.interrupted && !report.stoppedBy) {
    report.stoppedBy = { code: 'INTERRUPTED', message: 'interrupted: what did not finish stays queued; run the command again (or `trove download-all`) to resume' };
  }
  const unavailable = plan.unavailable.map((u) => ({ sha1: u.sha1, key: u.sha1, code: 'NOT_AVAILABLE', message: `${u.sha1} (${u.type}) is neither here nor on the remote` }));
  finishTransfer(out, renderer, { ...report, failed: [...report.failed, ...unavailable], alreadyLocal: report.alreadyLocal + plan.alreadyLocal } as typeof report, () => [
    `${what}: downloaded ${report.downloaded} file(s), ${formatBytes(report.bytes)} from ${remote.description}; ${plan.alreadyLocal + report.alreadyLocal} already here` +
      (report.failed.length ? `; ${report.failed.length} failed` : '') +
      (unavailable.length ? `; ${unavailable.length} not available anywhere` : ''),
  ]);
}

interface Args extends GlobalArgs {
  target: string;
  system?: string;
  concurrency?: number;
}

export const downloadCommand: CommandModule<GlobalArgs, Args> = {
  command: 'download <target>',
  describe: 'fetch the files of a release or file set from the remote (verified, resumable)',
  builder: (y) =>
    y
      .positional('target', { type: 'string', demandOption: true, describe: 'release name, id or id prefix, or file set id' })
      .option('system', { type: 'string', describe: 'the release\'s system (when the name is ambiguous)' })
      .option('concurrency', { type: 'number', coerce: wholeNumber('concurrency', 1, 64), describe: 'transfers at once (default: the transfers.concurrency setting, else 8)' })
      .example('$0 download "ActRaiser (USA)"', '') as never,
  handler: (argv) =>
    withLibrary(argv, async (lib) => {
      const systemId = argv.system ? resolveSystem(lib.db, argv.system).id : undefined;
      const t = resolveReleaseOrFileSet(lib.db, argv.target, { systemId });
      await downloadTarget(lib, argv, t.label, t.kind === 'release' ? { releaseId: t.id } : { fileSetId: t.id });
    }),
};
