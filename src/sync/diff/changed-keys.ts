// Which stable ids differ between two versions of a table, computed inside SQLite into a temp table.
// Identity is always the stable key; the physical rowid is only a fast path: versions of one catalogue
// are mostly page copies of each other (backup API snapshots), so each row of `from` is first compared
// with the row at the same rowid in `to` (a sequential scan plus an integer lookup). Rows that match
// there, key and all, are unchanged; every other row of `from` becomes a suspect, re-checked by key.
// Keys present only in `to` come from an index-only NOT EXISTS pass. Correct whatever the rowids are:
// a row moved to another rowid is a suspect from both sides and compared by key.
import type Database from 'better-sqlite3';
import { differsSql, type TableSpec } from './catalog-tables.js';

/** A fresh temp table (k TEXT PRIMARY KEY); temp tables work on read-only connections. */
export function freshKeyTable(db: Database.Database, name: string): string {
  db.exec(`CREATE TEMP TABLE IF NOT EXISTS ${name} (k TEXT PRIMARY KEY) WITHOUT ROWID; DELETE FROM temp.${name};`);
  return `temp.${name}`;
}

/**
 * Add to `into` the keys of `from`.T rows that are not identical (on `columns`) to the row with the same
 * rowid in `to`.T: a superset of the rows of `from` that are removed or changed in `to`.
 */
export function addSuspects(db: Database.Database, t: TableSpec, from: string, to: string, into: string, columns: readonly string[]): void {
  db.prepare(
    `INSERT OR IGNORE INTO ${into} (k)
     SELECT x.${t.key} FROM ${from}.${t.name} x LEFT JOIN ${to}.${t.name} y ON y.rowid = x.rowid
     WHERE y.rowid IS NULL OR y.${t.key} IS NOT x.${t.key} OR ${differsSql(columns, 'x', 'y')}`,
  ).run();
}

/** SQL selecting `select` over rows of `from`.T whose key `to`.T lacks (added when from is the newer side). */
export function onlyInSql(t: TableSpec, from: string, to: string, select: string): string {
  return `SELECT ${select} FROM ${from}.${t.name} x WHERE NOT EXISTS (SELECT 1 FROM ${to}.${t.name} y WHERE y.${t.key} = x.${t.key})`;
}

/** Add to `into` the keys of `from`.T that `to`.T does not have. */
export function addOnlyIn(db: Database.Database, t: TableSpec, from: string, to: string, into: string): void {
  db.prepare(`INSERT OR IGNORE INTO ${into} (k) ${onlyInSql(t, from, to, `x.${t.key}`)}`).run();
}

/**
 * SQL over the suspects in `suspects` that really are removed from, or changed (on `columns`) in, `to`:
 * x is the row in `from`, y the row in `to` (NULL columns when removed). CROSS JOIN keeps SQLite from
 * scanning the whole table to probe the (small, unanalysed) suspect table.
 */
export function removedOrChangedSql(t: TableSpec, from: string, to: string, suspects: string, columns: readonly string[], select: string): string {
  return `SELECT ${select} FROM ${suspects} s CROSS JOIN ${from}.${t.name} x ON x.${t.key} = s.k LEFT JOIN ${to}.${t.name} y ON y.${t.key} = s.k
          WHERE y.${t.key} IS NULL OR ${differsSql(columns, 'x', 'y')}`;
}

/** Tune a connection for whole-table comparisons: memory-mapped reads and in-memory temp tables. */
export function tuneForScans(db: Database.Database, schemas: readonly string[]): void {
  db.pragma('temp_store = MEMORY');
  for (const s of schemas) {
    db.pragma(`${s}.mmap_size = 1073741824`);
    db.pragma(`${s}.cache_size = -32768`); // 32 MiB each; reads go through mmap anyway
  }
}
