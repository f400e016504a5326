// Every command, one file each. Add new ones here.
import type { CommandModule } from 'yargs';
import type { GlobalArgs } from '../context.js';
import { initCommand } from './init.js';
import { addCommand } from './add.js';
import { lsCommand } from './ls.js';
import { showCommand } from './show.js';
import { exportCommand } from './export.js';
import { verifyCommand } from './verify.js';
import { demoCommand } from './demo.js';
import { remoteCommand } from './remote.js';
import { datCommand } from './dat.js';
import { scanCommand } from './scan.js';
import { reportCommand } from './report.js';
import { uploadCommand } from './upload.js';
import { downloadCommand } from './download.js';
import { downloadAllCommand } from './download-all.js';
import { dropCommand } from './drop.js';
import { statusCommand } from './status.js';
import { diffCommand } from './diff.js';
import { mergeCommand } from './merge.js';
import { syncCommand } from './sync.js';
import { snapshotsCommand } from './snapshots.js';
import { backupsCommand } from './backups.js';
import { deviceCommand } from './device.js';
import { browseCommand } from './browse.js';
import { pruneBlobsCommand } from './prune-blobs.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const commands: CommandModule<GlobalArgs, any>[] = [initCommand, addCommand, lsCommand, showCommand, exportCommand, verifyCommand, demoCommand, remoteCommand, datCommand, scanCommand, reportCommand, uploadCommand, downloadCommand, downloadAllCommand, dropCommand, statusCommand, diffCommand, mergeCommand, syncCommand, snapshotsCommand, backupsCommand, deviceCommand, browseCommand, pruneBlobsCommand];
