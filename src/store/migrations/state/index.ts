// state.db migrations, in order. Add one file per migration; never edit a released one.
import type { Migration } from '../migration.js';
import { s0001Initial } from './0001-initial.js';
import { s0003DatabaseSync } from './0003-database-sync.js';

export const STATE_MIGRATIONS: readonly Migration[] = [s0001Initial, s0003DatabaseSync];
