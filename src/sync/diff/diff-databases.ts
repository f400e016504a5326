// The diff engine: both versions ATTACHed to one read-only connection, compared by stable id inside
// SQLite, table by table. Only the rows that differ cross into JavaScript.
import Database from 'better-sqlite3';
import { TroveError } from '../../store/errors.js';
import { addOnlyIn, addSuspects, freshKeyTable, onlyInSql, removedOrChangedSql, tuneForScans } from './changed-keys.js';
import {
  CATALOG_TABLES,
  SYNC_LOG_TABLE,
  labelSql,
  refLabelSql,
  rowJsonSql,
  type EntityKind,
  type TableSpec,
} from './catalog-tables.js';
import { emptyCounts, type ChangeCounts, type DiffReport, type DiffSideInfo, type EntityChange, type FieldChange, type SqlValue } from './diff-report.js';

export interface DiffInput extends DiffSideInfo {
  path: string;
}

export interface DiffOptions {
  /** Counts only: skips labels and field lists (what `--summary` prints). */
  summaryOnly?: boolean;
}

/**
 * Open `aPath` read-only with `bPath` attached as `b`. A connection opened read-only attaches read-only
 * too, so neither file can be written through it; trusted_schema=OFF keeps foreign views/triggers inert.
 */
export function openPair(aPath: string, bPath: string, bSchema = 'b'): Database.Database {
  let db: Database.Database;
  try {
    db = new Database(aPath, { readonly: true, fileMustExist: true });
  } catch (err) {
    throw new TroveError('IO', `cannot open ${aPath}: ${(err as Error).message}`, { cause: err });
  }
  try {
    db.pragma('trusted_schema = OFF');
    db.prepare('ATTACH DATABASE ? AS ' + bSchema).run(bPath);
    tuneForScans(db, ['main', bSchema]);
  } catch (err) {
    db.close();
    throw new TroveError('CORRUPT_SNAPSHOT', `cannot read ${bPath} beside ${aPath}: ${(err as Error).message}`, { cause: err });
  }
  return db;
}

function countTable(db: Database.Database, t: TableSpec): ChangeCounts {
  const suspects = freshKeyTable(db, 'diff_suspects');
  addSuspects(db, t, 'main', 'b', suspects, t.fields);
  const gone = db.prepare(removedOrChangedSql(t, 'main', 'b', suspects, t.fields, `coalesce(sum(y.${t.key} IS NULL), 0) AS removed, count(*) AS n`)).get() as {
    removed: number;
    n: number;
  };
  const added = db.prepare(onlyInSql(t, 'b', 'main', 'count(*)')).pluck().get() as number;
  return { added, removed: gone.removed, modified: gone.n - gone.removed };
}

interface ChangedRow {
  id: string;
  label: string;
  before: string | null;
  after: string | null;
}

const refLabelStatements = new WeakMap<Database.Database, Map<string, Database.Statement>>();

/** Label of the row a reference points at, through `schema` (statements cached per connection). */
function refLabel(db: Database.Database, parent: EntityKind, schema: string, key: SqlValue): string | null {
  if (key === null) return null;
  let cache = refLabelStatements.get(db);
  if (!cache) refLabelStatements.set(db, (cache = new Map()));
  let stmt = cache.get(`${parent}/${schema}`);
  if (!stmt) cache.set(`${parent}/${schema}`, (stmt = db.prepare(`SELECT ${refLabelSql(parent, '?', schema)}`).pluck()));
  return (stmt.get(key) as string | null | undefined) ?? null;
}

function fieldChanges(db: Database.Database, t: TableSpec, before: Record<string, SqlValue>, after: Record<string, SqlValue>): FieldChange[] {
  const out: FieldChange[] = [];
  for (const f of t.fields) {
    if (before[f] === after[f]) continue;
    const change: FieldChange = { field: f, before: before[f] ?? null, after: after[f] ?? null };
    const parent = t.parents.find((p) => p.field === f);
    if (parent) {
      change.beforeLabel = refLabel(db, parent.table, 'main', change.before);
      change.afterLabel = refLabel(db, parent.table, 'b', change.after);
    }
    out.push(change);
  }
  return out;
}

function tableChanges(db: Database.Database, t: TableSpec): EntityChange[] {
  const entity = t.name as EntityKind;
  const rows: (ChangedRow & { change: EntityChange['change'] })[] = [];
  // Keys first (an index-only scan), then rows and labels for those keys only.
  const added = freshKeyTable(db, 'diff_added');
  addOnlyIn(db, t, 'b', 'main', added);
  const addedSql = `SELECT x.${t.key} AS id, ${labelSql(t.name, 'x', 'b')} AS label, NULL AS before, ${rowJsonSql(t, 'x')} AS after
                    FROM ${added} s CROSS JOIN b.${t.name} x ON x.${t.key} = s.k`;
  for (const r of db.prepare(addedSql).all() as ChangedRow[]) rows.push({ ...r, change: 'added' });
  const suspects = freshKeyTable(db, 'diff_suspects');
  addSuspects(db, t, 'main', 'b', suspects, t.fields);
  const select = `x.${t.key} AS id,
    CASE WHEN y.${t.key} IS NULL THEN ${labelSql(t.name, 'x', 'main')} ELSE ${labelSql(t.name, 'y', 'b')} END AS label,
    ${rowJsonSql(t, 'x')} AS before, CASE WHEN y.${t.key} IS NULL THEN NULL ELSE ${rowJsonSql(t, 'y')} END AS after`;
  for (const r of db.prepare(removedOrChangedSql(t, 'main', 'b', suspects, t.fields, select)).all() as ChangedRow[]) {
    rows.push({ ...r, change: r.after === null ? 'removed' : 'modified' });
  }
  return rows.map((r) => {
    const before = r.before === null ? null : (JSON.parse(r.before) as Record<string, SqlValue>);
    const after = r.after === null ? null : (JSON.parse(r.after) as Record<string, SqlValue>);
    const change: EntityChange = {
      entity,
      id: r.id,
      change: r.change,
      label: r.label,
      fields: before && after ? fieldChanges(db, t, before, after) : [],
      updatedAt: { before: (before?.updated_at as string | undefined) ?? null, after: (after?.updated_at as string | undefined) ?? null },
    };
    if (r.change !== 'modified') change.row = (after ?? before)!;
    return change;
  });
}

const ORDER: Record<EntityChange['change'], number> = { removed: 0, added: 1, modified: 2 };

/** Compare two catalogue databases of the same schema version (see side-resolver.ts for alignment). */
export function diffDatabases(a: DiffInput, b: DiffInput, opts: DiffOptions = {}): DiffReport {
  if (a.schemaVersion !== b.schemaVersion) {
    throw new Error(`diffDatabases needs aligned schema versions (${a.schemaVersion} vs ${b.schemaVersion})`);
  }
  const db = openPair(a.path, b.path);
  try {
    return db.transaction(() => {
      const summary = {} as DiffReport['summary'];
      const changes: EntityChange[] = [];
      for (const t of CATALOG_TABLES) {
        const entity = t.name as EntityKind;
        if (opts.summaryOnly) {
          summary[entity] = countTable(db, t);
          continue;
        }
        const rows = tableChanges(db, t);
        const counts = emptyCounts();
        for (const c of rows) counts[c.change]++;
        summary[entity] = counts;
        rows.sort((x, y) => ORDER[x.change] - ORDER[y.change] || (x.label < y.label ? -1 : x.label > y.label ? 1 : x.id < y.id ? -1 : 1));
        changes.push(...rows);
      }
      const { path: _ap, ...aInfo } = a;
      const { path: _bp, ...bInfo } = b;
      const report: DiffReport = { format: 1, a: aInfo, b: bInfo, summary, syncStatus: countTable(db, SYNC_LOG_TABLE) };
      if (!opts.summaryOnly) report.changes = changes;
      return report;
    })();
  } finally {
    db.close();
  }
}
