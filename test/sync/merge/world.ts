// An in-memory catalogue for merge tests: whole tables as Maps, edits that keep the schema's rules
// (foreign keys, cascades, UNIQUE), and the checks a merged result must pass.
import { ALL_TABLES, CATALOG_TABLES, tableSpec, type TableName } from '../../../src/sync/diff/catalog-tables.js';
import type { MergeInput, MergePlan, Row } from '../../../src/sync/merge/merge-types.js';

export type World = Record<TableName, Map<string, Row>>;

export const T0 = '2026-01-01T00:00:00.000Z';

export function emptyWorld(): World {
  return Object.fromEntries(ALL_TABLES.map((t) => [t.name, new Map<string, Row>()])) as World;
}

export function cloneWorld(w: World): World {
  return Object.fromEntries(Object.entries(w).map(([k, m]) => [k, new Map([...m].map(([id, r]) => [id, { ...r }]))])) as World;
}

export function put(w: World, table: TableName, row: Row): World {
  w[table].set(String(row[tableSpec(table).key]), { created_at: T0, updated_at: T0, ...row });
  return w;
}

/** A small catalogue: 2 systems, 2 titles, 3 releases with rom sets, one manual, files and memberships. */
export function sampleWorld(): World {
  const w = emptyWorld();
  put(w, 'system', { id: 's1', name: 'Nintendo - Super Nintendo Entertainment System' });
  put(w, 'system', { id: 's2', name: 'Sega - Mega Drive - Genesis' });
  put(w, 'software_title', { id: 't1', name: 'ActRaiser' });
  put(w, 'software_title', { id: 't2', name: 'Sonic' });
  put(w, 'release', { id: 'r1', system_id: 's1', software_title_id: 't1', name: 'ActRaiser (USA)', region: 'USA' });
  put(w, 'release', { id: 'r2', system_id: 's1', software_title_id: 't1', name: 'ActRaiser (Japan)', region: 'Japan' });
  put(w, 'release', { id: 'r3', system_id: 's2', software_title_id: 't2', name: 'Sonic (World)', region: 'World' });
  put(w, 'file_set', { id: 'fs1', release_id: 'r1', type: 'rom', name: 'rom' });
  put(w, 'file_set', { id: 'fs1m', release_id: 'r1', type: 'manual', name: 'manual' });
  put(w, 'file_set', { id: 'fs2', release_id: 'r2', type: 'rom', name: 'rom' });
  put(w, 'file_set', { id: 'fs3', release_id: 'r3', type: 'rom', name: 'rom' });
  const sha = (c: string) => c.repeat(40);
  for (const [c, type] of [['a', 'rom'], ['b', 'manual'], ['c', 'rom'], ['d', 'rom'], ['e', 'rom']] as const) {
    put(w, 'file', { sha1: sha(c), size: 100, crc32: null, md5: null, type });
  }
  put(w, 'file_set_file', { id: 'm1', file_set_id: 'fs1', file_sha1: sha('a'), name: 'ActRaiser (USA).sfc', position: 0 });
  put(w, 'file_set_file', { id: 'm1m', file_set_id: 'fs1m', file_sha1: sha('b'), name: 'ActRaiser (USA).pdf', position: 0 });
  put(w, 'file_set_file', { id: 'm2', file_set_id: 'fs2', file_sha1: sha('c'), name: 'ActRaiser (Japan).sfc', position: 0 });
  put(w, 'file_set_file', { id: 'm3', file_set_id: 'fs3', file_sha1: sha('d'), name: 'Sonic (World).md', position: 0 });
  put(w, 'file_sync_log', { file_sha1: sha('a'), type: 'rom', state: 'UploadPending', attempts: 0, last_error: null });
  return w;
}

export const sha = (c: string) => c.repeat(40);

/** Delete a row and, like ON DELETE CASCADE (and trove's own deletes), everything beneath it. */
export function deleteCascade(w: World, table: TableName, key: string): World {
  if (!w[table].delete(key)) return w;
  for (const t of CATALOG_TABLES) {
    for (const p of t.parents) {
      if (p.table !== table) continue;
      for (const [k, row] of [...w[t.name]]) if (row[p.field] === key) deleteCascade(w, t.name, k);
    }
  }
  return w;
}

export function setFields(w: World, table: TableName, key: string, fields: Row, updatedAt: string): World {
  const row = w[table].get(key);
  if (!row) throw new Error(`no ${table} ${key}`);
  w[table].set(key, { ...row, ...fields, updated_at: updatedAt });
  return w;
}

export function toInput(base: World, local: World, remote: World): MergeInput {
  return Object.fromEntries(ALL_TABLES.map((t) => [t.name, { base: base[t.name], local: local[t.name], remote: remote[t.name] }])) as MergeInput;
}

/** Only the rows that differ somewhere, as the SQL shell passes them. */
export function toChangedInput(base: World, local: World, remote: World): MergeInput {
  const out: MergeInput = {};
  for (const t of ALL_TABLES) {
    const keys = new Set<string>();
    for (const side of [local, remote]) {
      for (const k of new Set([...base[t.name].keys(), ...side[t.name].keys()])) {
        if (JSON.stringify(base[t.name].get(k)) !== JSON.stringify(side[t.name].get(k))) keys.add(k);
      }
    }
    const pick = (w: World) => new Map([...keys].filter((k) => w[t.name].has(k)).map((k) => [k, w[t.name].get(k)!]));
    if (keys.size) out[t.name] = { base: pick(base), local: pick(local), remote: pick(remote) };
  }
  return out;
}

/** What the apply step does to local's rows. */
export function applyToWorld(local: World, plan: MergePlan): World {
  const w = cloneWorld(local);
  for (const t of ALL_TABLES) {
    for (const op of plan.ops[t.name] ?? []) {
      if (op.op === 'delete') w[t.name].delete(op.key);
      else w[t.name].set(op.key, { ...op.row! });
    }
  }
  return w;
}

/** Broken foreign keys and UNIQUE collisions, as messages (empty: a valid catalogue). */
export function violations(w: World): string[] {
  const out: string[] = [];
  for (const t of CATALOG_TABLES) {
    for (const [k, row] of w[t.name]) {
      for (const p of t.parents) {
        const v = row[p.field];
        if (v !== null && v !== undefined && !w[p.table].has(String(v))) out.push(`${t.name} ${k}: ${p.field} → missing ${p.table} ${String(v)}`);
      }
    }
    if (t.unique) {
      const seen = new Map<string, string>();
      for (const [k, row] of w[t.name]) {
        const tuple = JSON.stringify(t.unique.map((c) => row[c]));
        if (seen.has(tuple)) out.push(`${t.name} ${k} and ${seen.get(tuple)} share ${tuple}`);
        seen.set(tuple, k);
      }
    }
  }
  return out;
}

export function worldEquals(a: World, b: World): boolean {
  return ALL_TABLES.every((t) => {
    const x = a[t.name];
    const y = b[t.name];
    return x.size === y.size && [...x].every(([k, r]) => JSON.stringify(r, Object.keys(r).sort()) === JSON.stringify(y.get(k), y.get(k) ? Object.keys(y.get(k)!).sort() : undefined));
  });
}
