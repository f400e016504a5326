// Which keys of a table differ between base and local (`main`) or base and remote: the SQL, as plain
// statements, so that the same work runs on the main connection or on a worker thread's own
// connection to the same three files (merge-inputs.ts shares the tables out between the two).
// One scan of base against both sides by rowid (see diff/changed-keys.ts), the suspects re-checked
// by key, then the keys only local or only remote has.
import { differsSql, type TableSpec } from '../diff/catalog-tables.js';
import { onlyInSql } from '../diff/changed-keys.js';

/** Statements that leave the differing keys of `t` in `temp.<into>` (k TEXT PRIMARY KEY), emptied first. */
export function changedKeysStatements(t: TableSpec, into: string): string[] {
  const k = t.key;
  const fresh = (name: string) => [`CREATE TEMP TABLE IF NOT EXISTS ${name} (k TEXT PRIMARY KEY) WITHOUT ROWID`, `DELETE FROM temp.${name}`];
  const suspects = `${into}_suspects`;
  return [
    ...fresh(suspects),
    ...fresh(into),
    `INSERT OR IGNORE INTO temp.${suspects} (k)
     SELECT x.${k} FROM base.${t.name} x LEFT JOIN main.${t.name} y ON y.rowid = x.rowid LEFT JOIN remote.${t.name} z ON z.rowid = x.rowid
     WHERE y.rowid IS NULL OR y.${k} IS NOT x.${k} OR ${differsSql(t.columns, 'x', 'y')}
        OR z.rowid IS NULL OR z.${k} IS NOT x.${k} OR ${differsSql(t.columns, 'x', 'z')}`,
    `INSERT OR IGNORE INTO temp.${into} (k)
     SELECT s.k FROM temp.${suspects} s CROSS JOIN base.${t.name} x ON x.${k} = s.k
       LEFT JOIN main.${t.name} y ON y.${k} = s.k LEFT JOIN remote.${t.name} z ON z.${k} = s.k
     WHERE y.${k} IS NULL OR ${differsSql(t.columns, 'x', 'y')} OR z.${k} IS NULL OR ${differsSql(t.columns, 'x', 'z')}`,
    `INSERT OR IGNORE INTO temp.${into} (k) ${onlyInSql(t, 'main', 'base', `x.${k}`)}`,
    `INSERT OR IGNORE INTO temp.${into} (k) ${onlyInSql(t, 'remote', 'base', `x.${k}`)}`,
  ];
}
