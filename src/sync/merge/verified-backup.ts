// A verified backup copy of a database before a destructive step: a consistent copy (backup API) into
// a temp file in the backups folder, integrity_check on the copy, fsync, then rename to its final name.
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { TroveError } from '../../store/errors.js';
import { fsyncDirSync, tempName } from '../../store/atomic-fs.js';
import { uuidv7 } from '../../store/ids.js';
import { removeDbFiles, snapshotCopy } from './merge-apply.js';
import { tuneForScans } from '../diff/changed-keys.js';

export interface BackupResult {
  id: string;
  path: string;
  bytes: number;
}

export async function writeVerifiedBackup(dbPath: string, backupsDir: string, reason: string): Promise<BackupResult> {
  fs.mkdirSync(backupsDir, { recursive: true });
  const id = uuidv7();
  const final = path.join(backupsDir, `${id}-${reason}.db`);
  const tmp = tempName(backupsDir, 'backup.db');
  try {
    await snapshotCopy(dbPath, tmp);
    const check = new Database(tmp, { readonly: true, fileMustExist: true });
    try {
      tuneForScans(check, ['main']);
      const result = check.pragma('integrity_check', { simple: true });
      if (result !== 'ok') throw new TroveError('INTEGRITY', `backup copy of ${dbPath} failed integrity_check: ${String(result)}`);
    } finally {
      check.close();
    }
    const fd = fs.openSync(tmp, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, final);
    fsyncDirSync(backupsDir);
    return { id, path: final, bytes: fs.statSync(final).size };
  } catch (err) {
    removeDbFiles(tmp);
    throw err;
  }
}
