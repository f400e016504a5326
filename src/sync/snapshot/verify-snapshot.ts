// Verification of a database that came from outside (a pulled snapshot, a backup) before it may
// replace collection.db. It must be a SQLite file, carry a schema version this trove knows, contain
// exactly our tables, indexes (and no triggers or views: nothing that would run code on our behalf),
// pass PRAGMA integrity_check and foreign_key_check, and have the row counts its manifest states.
// It is opened read-only with trusted_schema=OFF. integrity_check (the slow part) runs on a worker
// thread while foreign_key_check and the counts run here: two cores, half the wait.
import Database from 'better-sqlite3';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { TroveError } from '../../store/errors.js';
import { latestVersion, schemaVersion } from '../../store/migrations/migration.js';
import { COLLECTION_MIGRATIONS } from '../../store/migrations/collection/index.js';
import { isSqliteFile } from './fingerprint.js';
import { rowCountsOf } from './snapshot-writer.js';

interface SchemaEntry {
  type: string;
  name: string;
  tbl_name: string;
  sql: string | null;
}

/** Tables SQLite itself may add (ANALYZE) without changing what the database means. */
const TOLERATED = new Set(['sqlite_stat1', 'sqlite_stat4']);

function schemaOf(db: Database.Database): SchemaEntry[] {
  return (db.prepare('SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name').all() as SchemaEntry[]).filter((e) => !TOLERATED.has(e.name));
}

const expectedSchemas = new Map<number, Map<string, SchemaEntry>>();

/** The schema our migrations produce at `version` (built once, in memory). */
export function expectedSchema(version: number): Map<string, SchemaEntry> {
  let s = expectedSchemas.get(version);
  if (!s) {
    const mem = new Database(':memory:');
    try {
      for (const m of COLLECTION_MIGRATIONS) {
        if (m.version > version) break;
        m.up(mem);
      }
      s = new Map(schemaOf(mem).map((e) => [`${e.type} ${e.name}`, e]));
    } finally {
      mem.close();
    }
    expectedSchemas.set(version, s);
  }
  return s;
}

/** Versions a snapshot may carry: one of our migrations' versions (0 is an empty, unusable database). */
export function checkSchemaVersion(version: number, label: string): void {
  const latest = latestVersion(COLLECTION_MIGRATIONS);
  if (version > latest) {
    throw new TroveError('SCHEMA_TOO_NEW', `${label} has schema version ${version}, newer than this trove understands (${latest}); upgrade trove first`, {
      details: { version, supported: latest },
    });
  }
  if (!COLLECTION_MIGRATIONS.some((m) => m.version === version)) {
    throw new TroveError('CORRUPT_SNAPSHOT', `${label} has schema version ${version}, which no trove release ever wrote`, { details: { version } });
  }
}

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
let db;
try {
  db = new Database(workerData.file, { readonly: true, fileMustExist: true });
  db.pragma('trusted_schema = OFF');
  db.pragma('cache_size = -262144');
  db.pragma('mmap_size = 1073741824');
  const rows = db.pragma('integrity_check(20)');
  parentPort.postMessage({ problems: rows.map((r) => r.integrity_check).filter((m) => m !== 'ok') });
} catch (err) {
  parentPort.postMessage({ problems: [String(err && err.message || err)] });
} finally {
  if (db) db.close();
}
`;

function integrityCheckInWorker(file: string): Promise<string[]> {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  return new Promise((resolve, reject) => {
    const w = new Worker(WORKER_SOURCE, { eval: true, workerData: { file, driver } });
    w.once('message', (m: { problems: string[] }) => resolve(m.problems));
    w.once('error', reject);
    w.once('exit', (code) => {
      if (code !== 0) reject(new Error(`integrity_check worker exited with ${code}`));
    });
  });
}

export interface VerifyExpectations {
  /** The schema version the manifest states (must match the file's user_version). */
  schemaVersion?: number;
  rowCounts?: Record<string, number>;
}

/** Throws CORRUPT_SNAPSHOT / SCHEMA_TOO_NEW / INTEGRITY naming `label` when `file` may not be used. */
export async function verifyDatabaseFile(file: string, label: string, expect: VerifyExpectations = {}): Promise<{ schemaVersion: number }> {
  if (!(await isSqliteFile(file))) throw new TroveError('CORRUPT_SNAPSHOT', `${label} is not a SQLite database`);
  let db: Database.Database;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    db.pragma('trusted_schema = OFF');
    db.pragma('cache_size = -65536');
  } catch (err) {
    throw new TroveError('CORRUPT_SNAPSHOT', `${label} cannot be opened: ${(err as Error).message}`, { cause: err });
  }
  try {
    let version: number;
    let actual: SchemaEntry[];
    try {
      version = schemaVersion(db);
      actual = schemaOf(db);
    } catch (err) {
      throw new TroveError('CORRUPT_SNAPSHOT', `${label} is damaged: ${(err as Error).message}`, { cause: err });
    }
    checkSchemaVersion(version, label);
    if (expect.schemaVersion !== undefined && expect.schemaVersion !== version) {
      throw new TroveError('CORRUPT_SNAPSHOT', `${label} has schema version ${version} but its manifest says ${expect.schemaVersion}`);
    }
    const expected = expectedSchema(version);
    for (const e of actual) {
      const want = expected.get(`${e.type} ${e.name}`);
      if (!want || want.sql !== e.sql || want.tbl_name !== e.tbl_name) {
        throw new TroveError('CORRUPT_SNAPSHOT', `${label} carries a ${e.type} "${e.name}" that is not part of trove's schema v${version}; refusing to use it`, {
          details: { type: e.type, name: e.name },
        });
      }
    }
    const names = new Set(actual.map((e) => `${e.type} ${e.name}`));
    for (const k of expected.keys()) if (!names.has(k)) throw new TroveError('CORRUPT_SNAPSHOT', `${label} lacks ${k} of trove's schema v${version}`);
    const integrity = integrityCheckInWorker(file);
    integrity.catch(() => undefined);
    let fk: unknown[];
    let counts: Record<string, number>;
    try {
      fk = db.pragma('foreign_key_check') as unknown[];
      counts = rowCountsOf(db);
    } catch (err) {
      await integrity.catch(() => undefined);
      throw new TroveError('INTEGRITY', `${label} fails to read: ${(err as Error).message}`, { cause: err });
    }
    const problems = await integrity;
    if (problems.length) throw new TroveError('INTEGRITY', `${label} fails integrity_check: ${problems.slice(0, 3).join('; ')}`);
    if (fk.length) throw new TroveError('INTEGRITY', `${label} fails foreign_key_check: ${fk.length} row(s) point at rows that do not exist`);
    if (expect.rowCounts) {
      for (const [t, n] of Object.entries(expect.rowCounts)) {
        if (counts[t] !== n) throw new TroveError('CORRUPT_SNAPSHOT', `${label}: table ${t} has ${counts[t] ?? 'no'} rows, its manifest says ${n}`);
      }
    }
    return { schemaVersion: version };
  } finally {
    db.close();
  }
}
