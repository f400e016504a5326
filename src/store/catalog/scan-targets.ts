// What a scan can match: every file row some file set in scope references (by sha1), and every
// dat_rom still waiting for content (by crc32 + size). Read in two queries into maps.
import type Database from 'better-sqlite3';
import type { FileType } from '../blob/blob-key.js';
import { crcKey, type CrcTarget, type MatchTargets } from './scan-plan.js';

export function loadMatchTargets(db: Database.Database, systemId: string | null): MatchTargets {
  const bySha1 = new Map<string, { size: number; type: FileType; local: boolean }>();
  // Every file some file set in scope references (no DISTINCT: a Map dedupes more cheaply).
  const rows = db
    .prepare(
      systemId === null
        ? `SELECT f.sha1, f.size, f.type, (lb.sha1 IS NOT NULL) AS local FROM file f
           LEFT JOIN state.local_blob lb ON lb.sha1 = f.sha1
           WHERE EXISTS (SELECT 1 FROM file_set_file fsf WHERE fsf.file_sha1 = f.sha1)`
        : `SELECT f.sha1, f.size, f.type, (lb.sha1 IS NOT NULL) AS local
           FROM release r JOIN file_set fs ON fs.release_id = r.id
           JOIN file_set_file fsf ON fsf.file_set_id = fs.id
           JOIN file f ON f.sha1 = fsf.file_sha1
           LEFT JOIN state.local_blob lb ON lb.sha1 = f.sha1
           WHERE r.system_id = ?`,
    )
    .raw()
    .all(...(systemId === null ? [] : [systemId])) as [string, number, FileType, number][];
  for (const [sha1, size, type, local] of rows) bySha1.set(sha1, { size, type, local: !!local });
  const byCrc = new Map<string, CrcTarget[]>();
  const crcRows = db
    .prepare(
      `SELECT dr.id AS datRomId, dr.file_set_id AS fileSetId, dr.name, dr.position, dr.crc32, dr.size
       FROM dat_rom dr JOIN file_set fs ON fs.id = dr.file_set_id JOIN release r ON r.id = fs.release_id
       WHERE dr.matched_sha1 IS NULL AND (@systemId IS NULL OR r.system_id = @systemId)`,
    )
    .all({ systemId }) as (CrcTarget & { crc32: string; size: number })[];
  for (const { crc32, size, ...t } of crcRows) {
    const k = crcKey(crc32, size);
    const list = byCrc.get(k);
    if (list) list.push(t);
    else byCrc.set(k, [t]);
  }
  return { bySha1, byCrc };
}
