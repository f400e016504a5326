// state.db migrations, in order. Add one file per migration; never edit a released one.
import type { Migration } from '../migration.js';
import { s0001Initial } from './0001-initial.js';
import { s0002DownloadQueue } from './0002-download-queue.js';
import { s0003DatabaseSync } from './0003-database-sync.js';
import { s0004PendingMerge } from './0004-pending-merge.js';
import { s0005ScanCache } from './0005-scan-cache.js';

export const STATE_MIGRATIONS: readonly Migration[] = [s0001Initial, s0002DownloadQueue, s0003DatabaseSync, s0004PendingMerge, s0005ScanCache];
