// Bring a side to the schema version this trove speaks before comparing: an older database is copied
// (VACUUM INTO, a consistent copy) into a temporary file and the copy migrated; a newer one is refused.
// The original file is only ever opened read-only.
import Database from 'better-sqlite3';
import fs from 'node:fs';
import { TroveError } from '../../store/errors.js';
import { tempName } from '../../store/atomic-fs.js';
import { latestVersion, migrate } from '../../store/migrations/migration.js';
import { COLLECTION_MIGRATIONS } from '../../store/migrations/collection/index.js';
import { ALL_TABLES, uncoveredTables } from './catalog-tables.js';
import type { ResolvedSide } from './side-resolver.js';

export interface PreparedSide extends ResolvedSide {
  schemaVersion: number;
  /** The version the original file carries (differs from schemaVersion when a copy was migrated). */
  originalVersion: number;
  migrated: boolean;
}

function readOnly(file: string, label = file): Database.Database {
  if (!fs.existsSync(file)) throw new TroveError('NOT_FOUND', `${label}: no such file`, { details: { path: file } });
  try {
    const db = new Database(file, { readonly: true, fileMustExist: true });
    db.pragma('trusted_schema = OFF');
    return db;
  } catch (err) {
    throw new TroveError('CORRUPT_SNAPSHOT', `${file} is not a readable SQLite database: ${(err as Error).message}`, { cause: err });
  }
}

/** Tables every trove catalogue has had since version 1: a file without them is something else. */
const CORE_TABLES = ['system', 'release', 'file_set', 'file'];

/**
 * A SQLite file whose user_version is not a catalogue version we know may still be another trove file
 * (state.db has its own, higher, versions): say what it is rather than "upgrade trove".
 */
function assertLooksLikeCatalogue(db: Database.Database, label: string): void {
  const have = new Set(db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[]);
  if (CORE_TABLES.every((t) => have.has(t))) return;
  const stateDb = have.has('device') && have.has('sync_base');
  throw new TroveError('BAD_INPUT', `${label} is not a trove catalogue${stateDb ? ' (it is a library\'s state.db, which is never synced; compare collection.db files)' : ' (no catalogue tables)'}`);
}

function assertCatalogue(db: Database.Database, label: string): void {
  const have = new Set((db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((r) => r.name));
  const missing = ALL_TABLES.map((t) => t.name).filter((t) => !have.has(t));
  if (missing.length) throw new TroveError('BAD_INPUT', `${label} is not a trove collection database (missing tables: ${missing.join(', ')})`);
  // A table nobody compares would be dropped by a merge and hidden by a diff: refuse rather than guess.
  const unknown = uncoveredTables(have);
  if (unknown.length) throw new TroveError('BAD_INPUT', `${label} has tables this trove does not compare (${unknown.join(', ')}); refusing to diff or merge it`);
}

/** The checks of alignSchema without any copy: `file` exists, is SQLite, a trove catalogue, not newer than us. */
export function checkCatalogueFile(file: string, label: string, tmpDir: string): void {
  alignSchema({ path: file, label, cleanup: () => undefined }, tmpDir).cleanup();
}

/** Check `side` is a trove catalogue this version understands; migrate a temporary copy if it is older. */
export function alignSchema(side: ResolvedSide, tmpDir: string): PreparedSide {
  const latest = latestVersion(COLLECTION_MIGRATIONS);
  let version: number;
  const db = readOnly(side.path, side.label);
  try {
    try {
      version = db.pragma('user_version', { simple: true }) as number;
    } catch (err) {
      throw new TroveError('CORRUPT_SNAPSHOT', `${side.label} is not a readable SQLite database: ${(err as Error).message}`, { cause: err });
    }
    if (version > 0) assertLooksLikeCatalogue(db, side.label);
    if (version > latest) {
      throw new TroveError('SCHEMA_TOO_NEW', `${side.label} has schema version ${version}, newer than this trove understands (${latest}); upgrade trove to compare it`, {
        details: { path: side.path, version, supported: latest },
      });
    }
    if (version === latest) {
      assertCatalogue(db, side.label);
      return { ...side, schemaVersion: version, originalVersion: version, migrated: false };
    }
    const userTables = (db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").get() as { n: number }).n;
    if (version === 0 && userTables > 0) throw new TroveError('BAD_INPUT', `${side.label} is not a trove collection database (user_version 0 with foreign tables)`);
    fs.mkdirSync(tmpDir, { recursive: true });
    const copy = tempName(tmpDir, 'migrated.db');
    db.prepare('VACUUM INTO ?').run(copy);
    const cleanup = () => {
      for (const f of [copy, `${copy}-journal`]) fs.rmSync(f, { force: true });
      side.cleanup();
    };
    try {
      const w = new Database(copy);
      try {
        try {
          migrate(w, COLLECTION_MIGRATIONS, `${side.label} (temporary copy)`);
        } catch (err) {
          if (err instanceof TroveError) throw err;
          // A file that claims a catalogue version but lacks what that version has: not ours.
          throw new TroveError('BAD_INPUT', `${side.label} is not a trove catalogue (bringing its schema v${version} up to date failed: ${(err as Error).message})`, { cause: err });
        }
        assertCatalogue(w, side.label);
      } finally {
        w.close();
      }
    } catch (err) {
      cleanup();
      throw err;
    }
    return { path: copy, label: `${side.label} (migrated copy, v${version} → v${latest})`, cleanup, schemaVersion: latest, originalVersion: version, migrated: true };
  } finally {
    db.close();
  }
}
