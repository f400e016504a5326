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
      .option('verify', { type: 'boolean', describe: 're-download every uploaded object and check its SHA1; re-upload what is missing or damaged' })
      .option('concurrency', { type: 'number', coerce: wholeNumber('concurrency', 1, 64), describe: 'transfers at once (default: the transfers.concurrency setting, else 8)' })
      .example('$0 upload --verify', '') as never,
  handler: (argv) =>
    withLibrary(argv, async (lib) => {
      const out = Output.from(argv);
      const remote = openRemote(lib);
      const renderer = progressRenderer(out);
      const report = await runUploads(lib, remote, { verify: argv.verify, concurrency: argv.concurrency === undefined ? undefined : Math.max(1, argv.concurrency), onProgress: renderer.listener });
      finishTransfer(out, renderer, { ...report, failed: [...report.failed, ...(report.verify?.bad ?? [])] }, () => [
        `Uploaded ${report.uploaded} blob(s), ${formatBytes(report.bytes)} to ${remote.description}` +
          (report.alreadyPresent ? `; ${report.alreadyPresent} already there` : '') +
          (report.failed.length ? `; ${report.failed.length} failed` : ''),
        ...(report.notHere ? [`${report.notHere} pending upload(s) wait for the device that holds them`] : []),
        ...(report.verify ? [`Verified ${report.verify.checked} remote object(s): ${report.verify.bad.length} missing or damaged (queued again)`] : []),
      ]);
    }),
};
