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

function readOnly(file: string): Database.Database {
  try {
    const db = new Database(file, { readonly: true, fileMustExist: true });
    db.pragma('trusted_schema = OFF');
    return db;
  } catch (err) {
    throw new TroveError('CORRUPT_SNAPSHOT', `${file} is not a readable SQLite database: ${(err as Error).message}`, { cause: err });
  }
}

function assertCatalogue(db: Database.Database, label: string): void {
  const have = new Set((db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((r) => r.name));
  const missing = ALL_TABLES.map((t) => t.name).filter((t) => !have.has(t));
  if (missing.length) throw new TroveError('BAD_INPUT', `${label} is not a trove collection database (missing tables: ${missing.join(', ')})`);
  // A table nobody compares would be dropped by a merge and hidden by a diff: refuse rather than guess.
  const unknown = uncoveredTables(have);
  if (unknown.length) throw new TroveError('BAD_INPUT', `${label} has tables this trove does not compare (${unknown.join(', ')}); refusing to diff or merge it`);
}

/** Check `side` is a trove catalogue this version understands; migrate a temporary copy if it is older. */
export function alignSchema(side: ResolvedSide, tmpDir: string): PreparedSide {
  const latest = latestVersion(COLLECTION_MIGRATIONS);
  let version: number;
  const db = readOnly(side.path);
  try {
    try {
      version = db.pragma('user_version', { simple: true }) as number;
    } catch (err) {
      throw new TroveError('CORRUPT_SNAPSHOT', `${side.label} is not a readable SQLite database: ${(err as Error).message}`, { cause: err });
    }
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
        migrate(w, COLLECTION_MIGRATIONS, `${side.label} (temporary copy)`);
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
