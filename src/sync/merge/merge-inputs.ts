// Read the merge planner's input from three database files: SQLite finds the keys that differ between
// base and either side (compared by stable id, every column), and only those rows cross into JavaScript.
import type Database from 'better-sqlite3';
import { ALL_TABLES, labelSql, tableSpec, type TableSpec } from '../diff/catalog-tables.js';
import { freshKeyTable, tuneForScans } from '../diff/changed-keys.js';
import { changedKeysStatements } from './changed-keys-sql.js';
import { openPair } from '../diff/diff-databases.js';
import type { Conflict, MergeInput, MergePlan, Row, TableRows } from './merge-types.js';

/** local as `main`, base and remote attached, all read-only. */
export function openTriple(basePath: string, localPath: string, remotePath: string): Database.Database {
  const db = openPair(localPath, basePath, 'base');
  try {
    db.prepare('ATTACH DATABASE ? AS remote').run(remotePath);
    tuneForScans(db, ['remote']);
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}

/**
 * Rows of every key that differs between base and local or base and remote, from all three. The keys
 * of the tables `offloaded` names come from that promise (a worker thread computing them on its own
 * connection, see changed-keys-worker.ts); the others are computed here. Call inside a read
 * transaction.
 */
export async function loadMergeInput(db: Database.Database, offloaded?: { tables: ReadonlySet<string>; keys: Promise<Map<string, string[]>> }): Promise<MergeInput> {
  const involved = new Map<TableSpec, string[]>();
  for (const t of ALL_TABLES) {
    if (offloaded?.tables.has(t.name)) continue;
    for (const sql of changedKeysStatements(t, 'merge_involved')) db.prepare(sql).run();
    involved.set(t, db.prepare('SELECT k FROM temp.merge_involved').pluck().all() as string[]);
  }
  if (offloaded) {
    const keys = await offloaded.keys;
    for (const t of ALL_TABLES) if (offloaded.tables.has(t.name)) involved.set(t, keys.get(t.name) ?? []);
  }
  const input: MergeInput = {};
  for (const t of ALL_TABLES) {
    const keys = involved.get(t) ?? [];
    if (!keys.length) continue;
    const into = freshKeyTable(db, 'merge_involved');
    const add = db.prepare(`INSERT OR IGNORE INTO ${into} (k) VALUES (?)`);
    for (const k of keys) add.run(k);
    const load = (schema: string) => {
      const rows = db.prepare(`SELECT x.* FROM ${into} s CROSS JOIN ${schema}.${t.name} x ON x.${t.key} = s.k`).all() as Row[];
      return new Map(rows.map((r) => [String(r[t.key]), r]));
    };
    input[t.name] = { base: load('base'), local: load('main'), remote: load('remote') };
  }
  return input;
}

/** Give each conflict a label for people, resolved through the first version that has the row. */
export function labelConflicts(db: Database.Database, conflicts: Conflict[]): void {
  for (const c of conflicts) {
    const t = tableSpec(c.table);
    const keys = c.kind === 'unique' ? [String(c.local), String(c.remote)] : [c.key];
    for (const schema of ['main', 'remote', 'base']) {
      const label = db.prepare(`SELECT ${labelSql(c.table, 'x', schema)} AS l FROM ${schema}.${c.table} x WHERE x.${t.key} = ?`).pluck().get(keys[0]) as
        | string
        | undefined;
      if (label) {
        c.label = label;
        break;
      }
    }
    c.label ??= `${c.table} ${c.key}`;
  }
}

/**
 * Every member of the file sets where an archive name got two files (member-clashes.ts), so that the
 * copy kept for the loser gets a name free in the whole merged set: the members unchanged everywhere
 * (so not in the input) are added as the same in all three versions. Says whether any were added.
 */
export function addClashSiblings(db: Database.Database, input: MergeInput, plan: MergePlan): boolean {
  const rows = input.file_set_file;
  if (!rows) return false;
  const sets = new Set<string>();
  for (const c of plan.conflicts) {
    if (c.kind !== 'field' || c.table !== 'file_set_file' || c.field !== 'file_sha1') continue;
    const row = rows.local.get(c.key) ?? rows.remote.get(c.key);
    if (row) sets.add(String(row.file_set_id));
  }
  let found = false;
  const lookup = db.prepare('SELECT * FROM main.file_set_file WHERE file_set_id = ?');
  for (const id of [...sets].sort()) {
    for (const other of lookup.all(id) as Row[]) {
      if (addUnchangedRow(rows, String(other.id), other)) found = true;
    }
  }
  return found;
}

/** A row the same in all three versions, added to the input unless it is there already; whether it was added. */
function addUnchangedRow(rows: TableRows, key: string, row: Row): boolean {
  if (rows.base.has(key) || rows.local.has(key) || rows.remote.has(key)) return false;
  (rows.base as Map<string, Row>).set(key, row);
  (rows.local as Map<string, Row>).set(key, row);
  (rows.remote as Map<string, Row>).set(key, row);
  return true;
}

/**
 * Rows unchanged everywhere (so not in the input) that a merged row now collides with: a natural key
 * assembled from both sides' fields can meet a row neither side touched. Adds them to `input` (they
 * are the same in all three versions) and says whether any were found, so the caller plans again.
 */
export function addHiddenCollisions(db: Database.Database, input: MergeInput, plan: MergePlan): boolean {
  let found = false;
  for (const t of ALL_TABLES) {
    if (!t.unique) continue;
    const rows = input[t.name];
    const merged = plan.merged[t.name];
    if (!rows || !merged) continue;
    const lookup = db.prepare(`SELECT * FROM main.${t.name} WHERE ${t.unique.map((c) => `${c} IS ?`).join(' AND ')}`);
    for (const [key, row] of merged) {
      if (!row) continue;
      const local = rows.local.get(key);
      if (local && t.unique.every((c) => local[c] === row[c])) continue;
      for (const other of lookup.all(...t.unique.map((c) => row[c] ?? null)) as Row[]) {
        const otherKey = String(other[t.key]);
        // Same id too: a kept copy whose name (hence id) an earlier merge's copy already has.
        if (addUnchangedRow(rows, otherKey, other)) found = true;
      }
    }
  }
  return found;
}
