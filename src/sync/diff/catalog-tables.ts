// The catalogue tables that diffs and merges compare, each with its stable key, its columns, the rows
// it points at (foreign keys), its natural key (UNIQUE constraint) and how to label a row for people.
// One description drives the SQL of the diff, the loading of merge inputs and the merge planner.
//
// Every table of collection.db is synced, so every table must be here or in EXCLUDED_TABLES with the
// reason: a table that is in neither would be silently dropped by a merge (its rows come from local
// only) and hidden by a diff. checkCoveredTables() refuses such a database at run time and
// test/sync/diff/catalog-tables.test.ts compares these specs with the schema the migrations build
// (columns, foreign keys, UNIQUE constraints), so a new migration cannot forget them.

export type EntityKind = 'system' | 'software_title' | 'release' | 'file_set' | 'file' | 'file_set_file' | 'dat_source' | 'dat_game' | 'dat_rom';
export type TableName = EntityKind | 'file_sync_log';

export interface ParentRef {
  /** Column of this table holding the parent's key (may be NULL: no parent). */
  field: string;
  table: EntityKind;
}

export interface TableSpec {
  name: TableName;
  /** The stable identity compared across versions: a UUID, or the SHA1 for files. */
  key: string;
  /** Every column but the key, in schema order. */
  columns: readonly string[];
  /** Columns compared for "modified" in a diff: every column but the key and the timestamps. */
  fields: readonly string[];
  parents: readonly ParentRef[];
  /** Natural key (a UNIQUE constraint): two rows with different ids must not share it. */
  unique?: readonly string[];
  /** The human name column, renamed on the losing row of a uniqueness collision. */
  nameField?: string;
}

const TS = ['created_at', 'updated_at'] as const;

function spec(s: Omit<TableSpec, 'columns'> & { fields: readonly string[] }): TableSpec {
  return { ...s, columns: [...s.fields, ...TS] };
}

/** Parents before children: the order inserts must follow (deletes go in reverse). */
export const CATALOG_TABLES: readonly TableSpec[] = [
  spec({ name: 'system', key: 'id', fields: ['name'], parents: [], unique: ['name'], nameField: 'name' }),
  spec({ name: 'software_title', key: 'id', fields: ['name'], parents: [], unique: ['name'], nameField: 'name' }),
  spec({
    name: 'release',
    key: 'id',
    fields: ['system_id', 'software_title_id', 'name', 'region'],
    parents: [
      { field: 'system_id', table: 'system' },
      { field: 'software_title_id', table: 'software_title' },
    ],
    unique: ['system_id', 'name'],
    nameField: 'name',
  }),
  spec({
    name: 'file_set',
    key: 'id',
    fields: ['release_id', 'type', 'name'],
    parents: [{ field: 'release_id', table: 'release' }],
    unique: ['release_id', 'type', 'name'],
    nameField: 'name',
  }),
  spec({ name: 'file', key: 'sha1', fields: ['size', 'crc32', 'md5', 'type'], parents: [] }),
  spec({
    name: 'file_set_file',
    key: 'id',
    fields: ['file_set_id', 'file_sha1', 'name', 'position'],
    parents: [
      { field: 'file_set_id', table: 'file_set' },
      { field: 'file_sha1', table: 'file' },
    ],
    unique: ['file_set_id', 'name'],
    nameField: 'name',
  }),
  // DAT catalogues (migration 2): which DAT fed a system, which of its games became which file set, and
  // the roms it lists without a sha1. Their ids are derived from their natural keys (ids.ts nameId), so
  // two devices importing the same DAT write the same rows.
  spec({
    name: 'dat_source',
    key: 'id',
    fields: ['system_id', 'name', 'description', 'version', 'date', 'author', 'homepage', 'url', 'format', 'file_name', 'file_sha1', 'games', 'roms', 'imported_at'],
    parents: [{ field: 'system_id', table: 'system' }],
    unique: ['system_id', 'name'],
    nameField: 'name',
  }),
  spec({
    name: 'dat_game',
    key: 'id',
    fields: ['source_id', 'release_id', 'file_set_id', 'name', 'clone_of'],
    parents: [
      { field: 'source_id', table: 'dat_source' },
      { field: 'release_id', table: 'release' },
      { field: 'file_set_id', table: 'file_set' },
    ],
    // No name to rename on a collision: the id is derived from exactly this pair, so two rows cannot share it.
    unique: ['source_id', 'file_set_id'],
  }),
  spec({
    name: 'dat_rom',
    key: 'id',
    fields: ['file_set_id', 'name', 'size', 'crc32', 'md5', 'position', 'matched_sha1'],
    parents: [
      { field: 'file_set_id', table: 'file_set' },
      { field: 'matched_sha1', table: 'file' },
    ],
    unique: ['file_set_id', 'name'],
    nameField: 'name',
  }),
];

/**
 * Tables of collection.db that diffs and merges leave alone on purpose, with the reason. Empty: every
 * table is synced content. (SQLite's own `sqlite_*` tables are never catalogue tables.)
 */
export const EXCLUDED_TABLES: Readonly<Record<string, string>> = {};

/** The cloud status of each blob: synced, but status churn rather than catalogue edits (see docs/diff-merge.md). */
export const SYNC_LOG_TABLE: TableSpec = spec({
  name: 'file_sync_log',
  key: 'file_sha1',
  fields: ['type', 'state', 'attempts', 'last_error', 'stored_bytes'],
  parents: [],
});

export const ALL_TABLES: readonly TableSpec[] = [...CATALOG_TABLES, SYNC_LOG_TABLE];

/** Tables of a database that are neither compared nor excluded with a reason (empty: all covered). */
export function uncoveredTables(tableNames: Iterable<string>): string[] {
  const known = new Set<string>([...ALL_TABLES.map((t) => t.name as string), ...Object.keys(EXCLUDED_TABLES)]);
  return [...tableNames].filter((n) => !n.startsWith('sqlite_') && !known.has(n)).sort();
}

export const ENTITY_KINDS: readonly EntityKind[] = CATALOG_TABLES.map((t) => t.name as EntityKind);

export function tableSpec(name: TableName): TableSpec {
  const t = ALL_TABLES.find((s) => s.name === name);
  if (!t) throw new Error(`unknown table ${name}`);
  return t;
}

/**
 * SQL expression labelling the row aliased `alias` of `table`, resolving names through schema `schema`
 * (the database version that holds the row): "System › Release › file set › archive name".
 */
export function labelSql(table: TableName, alias: string, schema: string): string {
  const sys = (releaseAlias: string) => `(SELECT sy.name FROM ${schema}.system sy WHERE sy.id = ${releaseAlias}.system_id)`;
  const releaseLabel = (releaseIdExpr: string) =>
    `(SELECT ${sys('r')} || ' › ' || r.name FROM ${schema}.release r WHERE r.id = ${releaseIdExpr})`;
  const setLabel = (setIdExpr: string) =>
    `(SELECT coalesce(${releaseLabel('fs.release_id')}, '?') || ' › ' || fs.name || CASE WHEN fs.name = fs.type THEN '' ELSE ' [' || fs.type || ']' END
      FROM ${schema}.file_set fs WHERE fs.id = ${setIdExpr})`;
  switch (table) {
    case 'system':
    case 'software_title':
      return `${alias}.name`;
    case 'release':
      return `coalesce(${sys(alias)}, '?') || ' › ' || ${alias}.name`;
    case 'file_set':
      return `coalesce(${releaseLabel(`${alias}.release_id`)}, '?') || ' › ' || ${alias}.name || CASE WHEN ${alias}.name = ${alias}.type THEN '' ELSE ' [' || ${alias}.type || ']' END`;
    case 'file':
      return `coalesce((SELECT m.name FROM ${schema}.file_set_file m WHERE m.file_sha1 = ${alias}.sha1 ORDER BY m.name LIMIT 1) || ' ', '') || '(sha1 ' || substr(${alias}.sha1, 1, 12) || ')'`;
    case 'file_set_file':
      return `coalesce(${setLabel(`${alias}.file_set_id`)}, '?') || ' › ' || ${alias}.name`;
    case 'dat_source':
      return `coalesce(${sys(alias)}, '?') || ' › DAT ' || ${alias}.name`;
    case 'dat_game':
      return `coalesce((SELECT 'DAT ' || ds.name FROM ${schema}.dat_source ds WHERE ds.id = ${alias}.source_id), '?') || ' › ' || ${alias}.name`;
    case 'dat_rom':
      return `coalesce(${setLabel(`${alias}.file_set_id`)}, '?') || ' › ' || ${alias}.name || ' (DAT rom, crc32 ' || ${alias}.crc32 || ')'`;
    case 'file_sync_log':
      return `'sync status of ' || substr(${alias}.file_sha1, 1, 12)`;
  }
}

/** Label SQL for the row a foreign-key column points at (for before → after of a reference). */
export function refLabelSql(parent: EntityKind, keyExpr: string, schema: string): string {
  const t = tableSpec(parent);
  return `(SELECT ${labelSql(parent, 'p', schema)} FROM ${schema}.${parent} p WHERE p.${t.key} = ${keyExpr})`;
}

/** `a.c1 IS NOT b.c1 OR …` over the given columns. */
export function differsSql(columns: readonly string[], a: string, b: string): string {
  return columns.map((c) => `${a}.${c} IS NOT ${b}.${c}`).join(' OR ');
}

/** `json_object('c1', x.c1, …)` over the key and every column. */
export function rowJsonSql(t: TableSpec, alias: string): string {
  return `json_object(${[t.key, ...t.columns].map((c) => `'${c}', ${alias}.${c}`).join(', ')})`;
}
