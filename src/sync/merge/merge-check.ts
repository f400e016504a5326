// The check a merged database passes before it may take its name. The result is built by us: a page
// copy of local (backup API) with the plan applied by SQLite in one transaction, foreign keys off. So
// what can really be wrong with it is (a) damage the copy carried over from local — torn or flipped
// pages, a truncated file —, found by `quick_check`, which reads every page of the file (b-tree
// structure, freelist, pages used twice or never, record formats, NOT NULL and CHECK constraints) in
// O(N); and (b) a reference the plan left dangling, found by checking the foreign keys of the rows the
// plan wrote and of the rows it removed — the only places a merge can break one, since local itself
// was written with foreign keys enforced. UNIQUE constraints are enforced by SQLite as the plan's rows
// are inserted. What `quick_check` skips is the O(N log N) cross-check of every index entry against
// its row: a disagreement that local already had is carried over undetected (docs/diff-merge.md,
// "Verifying the result"). `level: 'integrity'` runs the full integrity_check + foreign_key_check.
import type Database from 'better-sqlite3';
import { TroveError } from '../../store/errors.js';
import type { MergePlan } from './merge-types.js';

/**
 * `quick` (the default): quick_check of every page + foreign keys of the rows the plan touched.
 * `integrity`: integrity_check (adds every index entry against its row) + foreign_key_check of all rows.
 */
export type VerifyLevel = 'quick' | 'integrity';

interface ForeignKey {
  child: string;
  from: string;
  parent: string;
  /** The parent column referenced (its primary key when the schema names none). */
  to: string;
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** Every single-column foreign key of the database's tables (from the schema, not from our specs). */
function foreignKeysOf(db: Database.Database): { keys: ForeignKey[]; composite: string[] } {
  const tables = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").pluck().all() as string[];
  const keys: ForeignKey[] = [];
  const composite: string[] = [];
  for (const child of tables) {
    const list = db.pragma(`foreign_key_list(${quote(child)})`) as { id: number; seq: number; table: string; from: string; to: string | null }[];
    for (const fk of list) {
      if (list.some((o) => o.id === fk.id && o.seq > 0)) {
        if (!composite.includes(child)) composite.push(child);
        continue;
      }
      keys.push({ child, from: fk.from, parent: fk.table, to: fk.to ?? keyColumnOf(db, fk.table) });
    }
  }
  return { keys, composite };
}

/** The key column of `table` as the plan names rows (our catalogue tables: `id`, or `sha1` for file). */
function keyColumnOf(db: Database.Database, table: string): string {
  return (db.prepare(`SELECT name FROM pragma_table_info(?) WHERE pk = 1`).pluck().get(table) as string | undefined) ?? 'rowid';
}

/**
 * References broken by the plan: a row it inserted or updated pointing at a parent that does not exist,
 * or a child left pointing at a row it deleted. O(rows touched), each an index lookup. Foreign keys
 * this does not reason about (several columns, or referencing a column other than the parent's key)
 * are checked the slow way, with foreign_key_check of their table. Returns how many references are
 * broken and the first `limit` as "table key → missing parent key".
 */
export function brokenReferencesOfPlan(db: Database.Database, plan: MergePlan, limit = 5): { count: number; first: string[] } {
  const { keys, composite } = foreignKeysOf(db);
  const first: string[] = [];
  let count = 0;
  const report = (s: string) => {
    count++;
    if (first.length < limit) first.push(s);
  };
  const opsOf = (table: string) => plan.ops[table as keyof MergePlan['ops']] ?? [];
  const slow = new Set(composite);
  for (const fk of keys) {
    const parentKey = keyColumnOf(db, fk.parent);
    if (fk.to !== parentKey) {
      slow.add(fk.child);
      continue;
    }
    const childKey = keyColumnOf(db, fk.child);
    const written = opsOf(fk.child).filter((o) => o.op !== 'delete');
    if (written.length) {
      const dangling = db
        .prepare(
          `SELECT c.${quote(fk.from)} FROM ${quote(fk.child)} c WHERE c.${quote(childKey)} = ? AND c.${quote(fk.from)} IS NOT NULL
             AND NOT EXISTS (SELECT 1 FROM ${quote(fk.parent)} p WHERE p.${quote(parentKey)} = c.${quote(fk.from)})`,
        )
        .pluck();
      for (const op of written) {
        const ref = dangling.get(op.key);
        if (ref !== undefined) report(`${fk.child} ${op.key} → missing ${fk.parent} ${String(ref)}`);
      }
    }
    const touchedParents = opsOf(fk.parent);
    if (touchedParents.length) {
      const exists = db.prepare(`SELECT 1 FROM ${quote(fk.parent)} WHERE ${quote(parentKey)} = ?`).pluck();
      const children = db.prepare(`SELECT ${quote(childKey)} FROM ${quote(fk.child)} WHERE ${quote(fk.from)} = ?`).pluck();
      for (const op of touchedParents) {
        if (exists.get(op.key) !== undefined) continue; // updated, or re-inserted: still there
        for (const k of children.all(op.key) as unknown[]) report(`${fk.child} ${String(k)} → missing ${fk.parent} ${op.key}`);
      }
    }
  }
  for (const t of slow) {
    for (const v of db.pragma(`foreign_key_check(${quote(t)})`) as { table: string; rowid: number; parent: string }[]) report(`${v.table} row ${v.rowid} → missing ${v.parent}`);
  }
  return { count, first };
}

/** Throws INTEGRITY naming `label` when the merged database (open on `db`, plan applied) may not be used. */
export function checkMergedDatabase(db: Database.Database, plan: MergePlan, label: string, level: VerifyLevel = 'quick'): void {
  const pragma = level === 'integrity' ? 'integrity_check' : 'quick_check';
  const problems = (db.pragma(`${pragma}(20)`) as Record<string, string>[]).map((r) => String(Object.values(r)[0]).replace(/\s+/g, ' ').trim()).filter((m) => m !== 'ok');
  if (problems.length) throw new TroveError('INTEGRITY', `${label}: ${pragma} failed: ${problems.slice(0, 3).join('; ')}`);
  let broken: { count: number; first: string[] };
  if (level === 'integrity') {
    const fk = db.pragma('foreign_key_check') as { table: string; rowid: number; parent: string }[];
    broken = { count: fk.length, first: fk.slice(0, 5).map((v) => `${v.table} row ${v.rowid} → missing ${v.parent}`) };
  } else {
    broken = brokenReferencesOfPlan(db, plan);
  }
  if (broken.count) {
    throw new TroveError('INTEGRITY', `${label}: foreign_key_check found ${broken.count} broken reference(s): ${broken.first.join('; ')}`);
  }
}
