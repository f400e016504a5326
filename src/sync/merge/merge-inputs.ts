// Read the merge planner's input from three database files: SQLite finds the keys that differ between
// base and either side (compared by stable id, every column), and only those rows cross into JavaScript.
import type Database from 'better-sqlite3';
import { ALL_TABLES, differsSql, labelSql, tableSpec, type TableSpec } from '../diff/catalog-tables.js';
import { addOnlyIn, freshKeyTable, tuneForScans } from '../diff/changed-keys.js';
import { openPair } from '../diff/diff-databases.js';
import type { Conflict, MergeInput, MergePlan, Row } from './merge-types.js';

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
 * Keys of `t` that differ (any column) between base and local (`main`) or base and remote, into the
 * temp table `into`: one scan of base against both sides by rowid (see changed-keys.ts), the suspects
 * re-checked by key, then the keys only local or only remote has.
 */
function addChangedKeys(db: Database.Database, t: TableSpec, into: string): void {
  const suspects = freshKeyTable(db, 'merge_suspects');
  const k = t.key;
  db.prepare(
    `INSERT OR IGNORE INTO ${suspects} (k)
     SELECT x.${k} FROM base.${t.name} x LEFT JOIN main.${t.name} y ON y.rowid = x.rowid LEFT JOIN remote.${t.name} z ON z.rowid = x.rowid
     WHERE y.rowid IS NULL OR y.${k} IS NOT x.${k} OR ${differsSql(t.columns, 'x', 'y')}
        OR z.rowid IS NULL OR z.${k} IS NOT x.${k} OR ${differsSql(t.columns, 'x', 'z')}`,
  ).run();
  db.prepare(
    `INSERT OR IGNORE INTO ${into} (k)
     SELECT s.k FROM ${suspects} s CROSS JOIN base.${t.name} x ON x.${k} = s.k
       LEFT JOIN main.${t.name} y ON y.${k} = s.k LEFT JOIN remote.${t.name} z ON z.${k} = s.k
     WHERE y.${k} IS NULL OR ${differsSql(t.columns, 'x', 'y')} OR z.${k} IS NULL OR ${differsSql(t.columns, 'x', 'z')}`,
  ).run();
  addOnlyIn(db, t, 'main', 'base', into);
  addOnlyIn(db, t, 'remote', 'base', into);
}

/** Rows of every key that differs between base and local or base and remote, from all three. */
export function loadMergeInput(db: Database.Database): MergeInput {
  const input: MergeInput = {};
  for (const t of ALL_TABLES) {
    const involved = freshKeyTable(db, 'merge_involved');
    addChangedKeys(db, t, involved);
    if (!(db.prepare(`SELECT count(*) FROM ${involved}`).pluck().get() as number)) continue;
    const load = (schema: string) => {
      const rows = db.prepare(`SELECT x.* FROM ${involved} s CROSS JOIN ${schema}.${t.name} x ON x.${t.key} = s.k`).all() as Row[];
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
        if (otherKey === key || rows.base.has(otherKey) || rows.local.has(otherKey) || rows.remote.has(otherKey)) continue;
        (rows.base as Map<string, Row>).set(otherKey, other);
        (rows.local as Map<string, Row>).set(otherKey, other);
        (rows.remote as Map<string, Row>).set(otherKey, other);
        found = true;
      }
    }
  }
  return found;
}
