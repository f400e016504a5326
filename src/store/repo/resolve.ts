// Turn what a user typed (an id, an id prefix, a name) into one row, or a NOT_FOUND / AMBIGUOUS error
// that lists the candidates.
import type Database from 'better-sqlite3';
import { TroveError } from '../errors.js';
import { findSystem, type SystemRow } from './systems.js';
import { nameForms } from '../unicode-name.js';

export interface Target {
  kind: 'release' | 'file_set';
  id: string;
  label: string;
  releaseId: string;
}

export function resolveSystem(db: Database.Database, ref: string): SystemRow {
  const s = findSystem(db, ref);
  if (!s) {
    const names = (db.prepare('SELECT name FROM system ORDER BY name LIMIT 20').all() as { name: string }[]).map((r) => r.name);
    throw new TroveError('NOT_FOUND', `no system ${JSON.stringify(ref)}${names.length ? ` (systems: ${names.join('; ')})` : ''}`);
  }
  return s;
}

function pick<T extends { label: string }>(what: string, ref: string, rows: T[]): T {
  if (rows.length === 1) return rows[0]!;
  if (rows.length === 0) throw new TroveError('NOT_FOUND', `no ${what} ${JSON.stringify(ref)}`);
  throw new TroveError('AMBIGUOUS', `${JSON.stringify(ref)} matches ${rows.length} ${what}s: ${rows.slice(0, 10).map((r) => r.label).join('; ')}`, {
    details: { candidates: rows.slice(0, 10).map((r) => r.label) },
  });
}

/** A release by id, unique id prefix (6+ chars) or exact name (optionally within a system). */
export function resolveRelease(db: Database.Database, ref: string, opts: { systemId?: string } = {}): Target {
  const q = `SELECT r.id, r.id AS releaseId, s.name || ' › ' || r.name AS label FROM release r JOIN system s ON s.id = r.system_id
             WHERE (@systemId IS NULL OR r.system_id = @systemId) AND `;
  const params = { ref, systemId: opts.systemId ?? null };
  let rows = db.prepare(q + 'r.id = @ref').all(params) as Target[];
  // By name in any Unicode form (src/store/unicode-name.ts): "Café" typed composed finds a release
  // stored decomposed, and both are listed (AMBIGUOUS) if both exist.
  if (!rows.length) rows = db.prepare(q + 'r.name IN (SELECT value FROM json_each(@forms))').all({ ...params, forms: JSON.stringify(nameForms(ref)) }) as Target[];
  if (!rows.length && /^[0-9a-f-]{6,}$/.test(ref)) rows = db.prepare(q + "r.id LIKE @ref || '%'").all(params) as Target[];
  return { ...pick('release', ref, rows), kind: 'release' };
}

/** A file set by id or id prefix; otherwise a release (for commands that take either). */
export function resolveReleaseOrFileSet(db: Database.Database, ref: string, opts: { systemId?: string } = {}): Target {
  const q = `SELECT fs.id, fs.release_id AS releaseId, s.name || ' › ' || r.name || ' › ' || fs.name AS label
             FROM file_set fs JOIN release r ON r.id = fs.release_id JOIN system s ON s.id = r.system_id
             WHERE (@systemId IS NULL OR r.system_id = @systemId) AND `;
  const params = { ref, systemId: opts.systemId ?? null };
  let rows = db.prepare(q + 'fs.id = @ref').all(params) as Target[];
  if (!rows.length && /^[0-9a-f-]{6,}$/.test(ref)) {
    const releaseHit = db.prepare("SELECT 1 FROM release WHERE id LIKE ? || '%'").get(ref);
    if (!releaseHit) rows = db.prepare(q + "fs.id LIKE @ref || '%'").all(params) as Target[];
  }
  if (rows.length) return { ...pick('file set', ref, rows), kind: 'file_set' };
  return resolveRelease(db, ref, opts);
}
