import type { CommandModule } from 'yargs';
import { describeRemote } from '../../sync/remote/opendal-remote.js';
import { loadRemoteConfig } from '../../sync/remote/remote-config.js';
import { transferStatus } from '../../sync/transfer/transfer-status.js';
import { formatBytes, Output, withLibrary, type GlobalArgs } from '../context.js';

export const statusCommand: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'status',
  describe: 'transfer queues and, per system, which files are local, in the cloud, both or nowhere',
  handler: (argv) =>
    withLibrary(argv, (lib) => {
      const cfg = loadRemoteConfig(lib);
      const s = transferStatus(lib.db, lib.state, cfg ? describeRemote(cfg) : null);
      const u = s.uploads;
      Output.from(argv).result(s, () => [
        `Remote: ${s.remote ?? 'none (trove remote set fs root=<folder>)'}`,
        `Uploads: ${u.UploadPending} pending, ${u.UploadInProgress} in progress, ${u.UploadCompleted} completed, ${u.UploadFailed} failed` +
          (u.DeletionPending + u.DeletionInProgress + u.DeletionCompleted + u.DeletionFailed
            ? `; deletions: ${u.DeletionPending} pending, ${u.DeletionInProgress} in progress, ${u.DeletionCompleted} done, ${u.DeletionFailed} failed`
            : ''),
        `Downloads: ${s.downloads.Pending} pending, ${s.downloads.InProgress} in progress, ${s.downloads.Failed} failed`,
        ...s.systems.map(
          (x) =>
            `${x.system}: ${x.files} files (${formatBytes(x.bytes)}) — ${x.availability.Synchronized} synchronized, ${x.availability.LocalOnly} local only, ${x.availability.CloudOnly} cloud only, ${x.availability.NotAvailable} not available`,
        ),
      ]);
    }),
};
