// The table specs that drive diff and merge against the schema the migrations really build: every
// table of collection.db is compared (or excluded with a reason), with the schema's columns, foreign
// keys and UNIQUE constraints. A migration that adds a table or a column fails here until the specs
// (src/sync/diff/catalog-tables.ts) follow.
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { ALL_TABLES, EXCLUDED_TABLES, uncoveredTables } from '../../../src/sync/diff/catalog-tables.js';
import { migrate } from '../../../src/store/migrations/migration.js';
import { COLLECTION_MIGRATIONS } from '../../../src/store/migrations/collection/index.js';

function schemaDb(): Database.Database {
  const db = new Database(':memory:');
  migrate(db, COLLECTION_MIGRATIONS, ':memory:');
  return db;
}

const tablesOf = (db: Database.Database) =>
  db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").pluck().all() as string[];

describe('catalogue table specs', () => {
  const db = schemaDb();

  it('cover every table of collection.db, or exclude it with a reason', () => {
    expect(uncoveredTables(tablesOf(db))).toEqual([]);
    for (const [name, reason] of Object.entries(EXCLUDED_TABLES)) expect(reason.length, name).toBeGreaterThan(10);
    expect(new Set([...ALL_TABLES.map((t) => t.name), ...Object.keys(EXCLUDED_TABLES)])).toEqual(new Set(tablesOf(db)));
    expect(uncoveredTables(['release', 'sqlite_sequence', 'new_table'])).toEqual(['new_table']);
  });

  for (const t of ALL_TABLES) {
    it(`${t.name}: key, columns, foreign keys and UNIQUE constraints match the schema`, () => {
      const cols = db.pragma(`table_info(${t.name})`) as { name: string; pk: number }[];
      expect(cols.filter((c) => c.pk > 0).map((c) => c.name)).toEqual([t.key]);
      expect(new Set([t.key, ...t.columns])).toEqual(new Set(cols.map((c) => c.name)));
      const fks = (db.pragma(`foreign_key_list(${t.name})`) as { table: string; from: string }[]).map((f) => `${f.from}→${f.table}`).sort();
      expect(t.parents.map((p) => `${p.field}→${p.table}`).sort()).toEqual(fks);
      const uniques = (db.pragma(`index_list(${t.name})`) as { name: string; unique: number; origin: string }[])
        .filter((i) => i.unique && i.origin === 'u')
        .map((i) => (db.pragma(`index_info(${i.name})`) as { name: string }[]).map((c) => c.name).join(','));
      expect(uniques).toEqual(t.unique ? [t.unique.join(',')] : []);
    });
  }
});
