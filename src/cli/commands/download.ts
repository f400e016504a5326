import { isTroveError, TroveError } from '../../store/errors.js';
import type { CommandModule } from 'yargs';
import type Database from 'better-sqlite3';
import { resolveReleaseOrFileSet, resolveSystem } from '../../store/repo/resolve.js';
import type { Library } from '../../store/library.js';
import { openRemote } from '../../sync/remote/remote-config.js';
import { planDownloadsChecked, type UnavailableFile } from '../../sync/transfer/download-probe.js';
import { enqueueDownloads, forgetDownloads, queuedDownloads } from '../../sync/transfer/download-queue.js';
import { runDownloadsLocked } from '../../sync/transfer/download-worker.js';
import { cancelQueuedDownloads } from '../../sync/transfer/download-cancel.js';
import { DOWNLOAD_LOCK, takeRunnerLock } from '../../store/runner-lock.js';
import { targetFiles, type TargetFilter } from '../../sync/transfer/transfer-targets.js';
import { configuredConcurrency } from '../../sync/transfer/transfer-options.js';
import { formatBytes, Output, withLibrary, type GlobalArgs } from '../context.js';
import { finishTransfer, progressRenderer } from '../transfer-output.js';
import { wholeNumber } from '../numeric-option.js';
import { EXIT } from '../exit-codes.js';
import { printable } from '../../store/printable.js';
import { countUnavailable, unavailableWhy } from '../../sync/transfer/unavailable-words.js';

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

/** At most this many unavailable files are listed in the --json result (the count is always whole). */
export const UNAVAILABLE_LISTED_MAX = 100;

/** What the log knows about a file available from nowhere, in words (never with the remote's description). */
export function unavailableMessage(u: UnavailableFile): string {
  const what = `${u.sha1} (${u.type}) is not on this device`;
  switch (u.reason) {
    case 'never-uploaded':
      return `${what} and no device has uploaded it (as far as this device's log knows)`;
    case 'not-uploaded-yet':
      return `${what} and not on the remote yet: a device that holds it has its upload ${u.state === 'UploadFailed' ? 'failed' : 'queued'} (${u.state}); once it has run \`trove upload\`, run this again`;
    case 'deleted':
      return `${what} and its remote copy was deleted (${u.state}); a device that still holds it puts it back with \`trove upload\``;
  }
}

/** The unavailable files of a run: counted by reason, listed up to UNAVAILABLE_LISTED_MAX. */
export function unavailableReport(files: UnavailableFile[]): {
  count: number;
  neverUploaded: number;
  notUploadedYet: number;
  deleted: number;
  files: (UnavailableFile & { message: string })[];
  truncated: boolean;
} {
  return {
    count: files.length,
    ...countUnavailable(files),
    files: files.slice(0, UNAVAILABLE_LISTED_MAX).map((f) => ({ ...f, message: unavailableMessage(f) })),
    truncated: files.length > UNAVAILABLE_LISTED_MAX,
  };
}

function unavailableSummary(u: ReturnType<typeof unavailableReport>): string {
  return u.count ? `; ${u.count} not available for download (${unavailableWhy(u)})` : '';
}

/**
 * Shared by download and download-all: plan (asking the remote about files the log does not call
 * uploaded but some device held: download-probe.ts), queue, run the queue, report. Files available
 * from nowhere fail a `download` of the release that names them (`missingFails`); `download-all`
 * reports them as a count and a bounded list, not as failures: a DAT's roms nobody owns are
 * *missing* by design (docs/catalogs.md), and "exit 0" must mean "everything that exists is here"
 * (as rclone and restic exit non-zero only when something went wrong, and igir reports missing roms
 * in its report).
 */
export async function downloadTarget(
  lib: Library,
  argv: GlobalArgs & { concurrency?: number },
  what: string,
  filter: TargetFilter,
  opts: { missingFails: boolean; /** The command line to run again, for messages (default: "this command"). */ again?: string },
): Promise<void> {
  const out = Output.from(argv);
  const remote = openRemote(lib);
  const concurrency = argv.concurrency === undefined ? undefined : Math.max(1, argv.concurrency);
  const plan = await planDownloadsChecked(lib, remote, targetFiles(lib.db as Database.Database, filter), concurrency ?? configuredConcurrency(lib));
  // The download lock (download-cancel.ts) is taken before this request is queued: beside another
  // run (or a cancel) this one is refused with BUSY and leaves the queue as it was.
  const lock = takeRunnerLock(lib.paths.dir, 'download', DOWNLOAD_LOCK);
  const wanted = new Set(plan.fetch.map((f) => f.sha1));
  let earlier = 0;
  let added: string[] = [];
  const renderer = progressRenderer(out);
  const interrupt = interruptible();
  let report;
  try {
    earlier = queuedDownloads(lib.state).filter((q) => !wanted.has(q.sha1)).length;
    added = enqueueDownloads(lib.state, plan.fetch);
    report = await runDownloadsLocked(lib, remote, {
      concurrency,
      knownSizes: plan.sizes,
      onProgress: renderer.listener,
      stop: interrupt.stop,
      abort: interrupt.abort,
    });
  } catch (err) {
    // Refused before anything was fetched ("nothing was downloaded"): leave the queue as it was, or
    // this request would stay queued and make every later download need room for it too (QA2-E F2).
    if (isTroveError(err, 'NO_SPACE')) {
      forgetDownloads(lib.state, added);
      if (earlier) {
        throw new TroveError(
          'NO_SPACE',
          `${err.message} — ${earlier} of them were queued by an earlier download that did not finish, and every download command resumes those too; to forget them run \`trove download --cancel\` (nothing is deleted from the store), then ${opts.again ? `\`${opts.again}\`` : 'this command'} again`,
          { cause: err, details: err.details },
        );
      }
    }
    throw err;
  } finally {
    interrupt.dispose();
    lock.release();
  }
  if (report.interrupted && !report.stoppedBy) {
    report.stoppedBy = { code: 'INTERRUPTED', message: 'interrupted: what did not finish stays queued; run the command again (or `trove download-all`) to resume' };
  }
  const unavailable = unavailableReport(plan.unavailable);
  const missing = opts.missingFails ? plan.unavailable.map((u) => ({ sha1: u.sha1, key: u.sha1, code: 'NOT_AVAILABLE', message: unavailableMessage(u) })) : [];
  finishTransfer(out, renderer, { ...report, failed: [...report.failed, ...missing], alreadyLocal: report.alreadyLocal + plan.alreadyLocal, unavailable } as typeof report, () => [
    `${printable(what)}: downloaded ${report.downloaded} file(s), ${formatBytes(report.bytes)} from ${remote.description}; ${plan.alreadyLocal + report.alreadyLocal} already here` +
      (report.failed.length ? `; ${report.failed.length} failed` : '') +
      unavailableSummary(unavailable),
    ...(unavailable.count && !opts.missingFails ? ['(not failures: `trove report --missing` lists what is missing; `--json` lists the first ' + UNAVAILABLE_LISTED_MAX + ')'] : []),
  ]);
}

interface Args extends GlobalArgs {
  target?: string;
  system?: string;
  concurrency?: number;
  cancel?: boolean;
}

/** A word as a POSIX shell reads it back: 'ActRaiser (USA)', with ' as '\''. */
export function shellWord(s: string): string {
  return /^[\w./@%+=:,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * `--cancel`: forget queued downloads (download-cancel.ts) — all of them, or those of `filter` —
 * downloading nothing; the count as the result (0 when nothing was queued, still exit 0).
 */
export function cancelTarget(lib: Library, argv: GlobalArgs, what: string | undefined, filter: TargetFilter | undefined, command: string): void {
  const cancelled = cancelQueuedDownloads(lib, `${command} --cancel`, filter);
  Output.from(argv).result({ cancelled, ...(what === undefined ? {} : { target: what }) }, () =>
    cancelled
      ? `${what === undefined ? '' : `${what}: `}cancelled ${cancelled} queued download(s); nothing was downloaded or deleted`
      : `${what === undefined ? '' : `${what}: `}nothing queued to cancel`,
  );
}

export const downloadCommand: CommandModule<GlobalArgs, Args> = {
  command: 'download [target]',
  describe: 'fetch the files of a release or file set from the remote (verified, resumable); --cancel forgets queued downloads',
  builder: (y) =>
    y
      .positional('target', { type: 'string', describe: 'release name, id or id prefix, or file set id (with --cancel: optional, default every queued download)' })
      .option('system', { type: 'string', describe: 'the release\'s system (when the name is ambiguous)' })
      .option('concurrency', { type: 'number', coerce: wholeNumber('concurrency', 1, 64), describe: 'transfers at once (default: the transfers.concurrency setting, else 8)' })
      .option('cancel', { type: 'boolean', describe: 'download nothing: forget the queued downloads (of the target, else all) an interrupted or refused run left behind' })
      .example('$0 download "ActRaiser (USA)"', '')
      .example('$0 download --cancel', 'forget every queued download') as never,
  handler: (argv) =>
    withLibrary(argv, async (lib) => {
      if (argv.target === undefined || argv.target === '') {
        if (!argv.cancel) throw new TroveError('USAGE', 'download: name a release or file set to download (or use --cancel to forget queued downloads)');
        return cancelTarget(lib, argv, undefined, undefined, 'download');
      }
      const systemId = argv.system ? resolveSystem(lib.db, argv.system).id : undefined;
      const t = resolveReleaseOrFileSet(lib.db, argv.target, { systemId });
      const filter = t.kind === 'release' ? { releaseId: t.id } : { fileSetId: t.id };
      if (argv.cancel) return cancelTarget(lib, argv, t.label, filter, 'download');
      const again = ['trove download', shellWord(argv.target), ...(argv.system ? ['--system', shellWord(argv.system)] : [])].join(' ');
      await downloadTarget(lib, argv, t.label, filter, { missingFails: true, again });
    }),
};
