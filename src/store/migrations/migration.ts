// Ordered schema migrations tracked by PRAGMA user_version. Each runs in its own transaction;
// a database whose user_version is above the newest migration we know is refused, never downgraded.
import type Database from 'better-sqlite3';
import { TroveError } from '../errors.js';

export interface Migration {
  /** The user_version after this migration. Strictly increasing within one list. */
  version: number;
  name: string;
  up(db: Database.Database): void;
}

export function schemaVersion(db: Database.Database, schema = 'main'): number {
  return db.pragma(`${schema}.user_version`, { simple: true }) as number;
}

export function latestVersion(migrations: readonly Migration[]): number {
  return migrations.length === 0 ? 0 : migrations[migrations.length - 1]!.version;
}

/** Bring `db` up to the newest migration. `label` names the database in errors. */
export function migrate(db: Database.Database, migrations: readonly Migration[], label: string): { from: number; to: number } {
  const from = schemaVersion(db);
  const latest = latestVersion(migrations);
  if (from > latest) {
    throw new TroveError(
      'SCHEMA_TOO_NEW',
      `${label} has schema version ${from}, newer than this trove understands (${latest}); upgrade trove to open it`,
      { details: { path: label, version: from, supported: latest } },
    );
  }
  for (const m of migrations) {
    if (m.version <= from) continue;
    db.transaction(() => {
      m.up(db);
      db.pragma(`user_version = ${m.version}`);
    })();
  }
  return { from, to: Math.max(from, latest) };
}
