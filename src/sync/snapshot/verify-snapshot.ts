// Verification of a database that came from outside (a pulled snapshot, a backup) before it may
// replace collection.db. It must be a SQLite file, carry a schema version this trove knows, contain
// exactly our tables, indexes (and no triggers or views: nothing that would run code on our behalf),
// pass PRAGMA integrity_check and foreign_key_check, and have the row counts its manifest states.
// It is opened read-only with trusted_schema=OFF. The checks (the slow part: seconds on a 100k-release
// catalogue) are shared out over worker threads (integrity-pool.ts), with the same coverage as one
// integrity_check: this is the one full check a database from outside gets before it is used.
import Database from 'better-sqlite3';
import { TroveError } from '../../store/errors.js';
import { latestVersion, schemaVersion } from '../../store/migrations/migration.js';
import { COLLECTION_MIGRATIONS } from '../../store/migrations/collection/index.js';
import { isSqliteFile } from './fingerprint.js';
import { checkTasks, runChecks } from './integrity-pool.js';
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
    let counts: Record<string, number>;
    let outcome: Awaited<ReturnType<typeof runChecks>>;
    try {
      counts = rowCountsOf(db);
      outcome = await runChecks(file, checkTasks(db));
    } catch (err) {
      throw new TroveError('INTEGRITY', `${label} fails to read: ${(err as Error).message}`, { cause: err });
    }
    const problems = outcome.integrity.map((m) => m.replace(/\s+/g, ' ').trim());
    if (problems.length) throw new TroveError('INTEGRITY', `${label} fails integrity_check: ${problems.slice(0, 3).join('; ')}`);
    if (outcome.foreignKeyViolations) {
      throw new TroveError('INTEGRITY', `${label} fails foreign_key_check: ${outcome.foreignKeyViolations} row(s) point at rows that do not exist`);
    }
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
