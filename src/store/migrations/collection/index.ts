// collection.db migrations, in order. Add one file per migration; never edit a released one.
import type { Migration } from '../migration.js';
import { m0001Initial } from './0001-initial.js';
import { m0002DatSources } from './0002-dat-sources.js';
import { m0003SyncLogStoredBytes } from './0003-sync-log-stored-bytes.js';

export const COLLECTION_MIGRATIONS: readonly Migration[] = [m0001Initial, m0002DatSources, m0003SyncLogStoredBytes];
