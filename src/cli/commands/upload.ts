import type { CommandModule } from 'yargs';
import { openRemote } from '../../sync/remote/remote-config.js';
import { runUploads } from '../../sync/transfer/upload-worker.js';
import { formatBytes, Output, withLibrary, type GlobalArgs } from '../context.js';
import { finishTransfer, progressRenderer } from '../transfer-output.js';
import { wholeNumber } from '../numeric-option.js';

interface Args extends GlobalArgs {
  verify?: boolean;
  concurrency?: number;
}

export const uploadCommand: CommandModule<GlobalArgs, Args> = {
  command: 'upload',
  describe: 'upload every local blob the remote does not have yet (resumes after a crash)',
  builder: (y) =>
    y
      .option('verify', { type: 'boolean', describe: 're-download every uploaded object and check its SHA1; re-upload what is missing or damaged (exit 0 when all of it was repaired)' })
      .option('concurrency', { type: 'number', coerce: wholeNumber('concurrency', 1, 64), describe: 'transfers at once (default: the transfers.concurrency setting, else 8)' })
      .example('$0 upload --verify', '') as never,
  handler: (argv) =>
    withLibrary(argv, async (lib) => {
      const out = Output.from(argv);
      const remote = openRemote(lib);
      const renderer = progressRenderer(out);
      const report = await runUploads(lib, remote, { verify: argv.verify, concurrency: argv.concurrency === undefined ? undefined : Math.max(1, argv.concurrency), onProgress: renderer.listener });
      const v = report.verify;
      // The exit code says what is still wrong at the end: an object found damaged and repaired in
      // this run (uploaded again, read back, verified) is not a failure.
      finishTransfer(out, renderer, { ...report, failed: [...report.failed, ...(v?.unrepaired ?? [])] }, () => [
        `Uploaded ${report.uploaded} blob(s), ${formatBytes(report.bytes)} to ${remote.description}` +
          (report.alreadyPresent ? `; ${report.alreadyPresent} already there` : '') +
          (report.failed.length ? `; ${report.failed.length} failed` : ''),
        ...(report.requeuedDeleted ? [`${report.requeuedDeleted} blob(s) whose remote copy was deleted while the catalogue still references them were queued again from this device`] : []),
        ...(report.unsettledDeletions
          ? [`${report.unsettledDeletions} blob(s) the catalogue references have an unfinished remote deletion: run \`trove prune-blobs\` to settle it, then \`trove upload\``]
          : []),
        ...(report.notHere ? [`${report.notHere} pending upload(s) wait for the device that holds them`] : []),
        ...(v
          ? [
              `Verified ${v.checked} remote object(s): ${v.bad.length} missing or damaged` +
                (v.repaired.length ? `; ${v.repaired.length} repaired (uploaded again and verified)` : '') +
                (v.unrepaired.length ? `; ${v.unrepaired.length} still missing or damaged (queued for upload)` : ''),
              ...v.repaired.map((b) => `repaired ${b.key} (${b.code === 'NOT_FOUND' ? 'missing' : 'damaged'})`),
            ]
          : []),
      ]);
    }),
};
