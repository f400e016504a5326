// system rows. Ids derive from the name, so two devices adding the same system agree on its id.
import type Database from 'better-sqlite3';
import { nameId, nowIso } from '../ids.js';
import { stmt } from './statements.js';
import { findByForms } from './find-by-forms.js';

export interface SystemRow {
  id: string;
  name: string;
  created_at: string;
  updated_at: string;
}

export function upsertSystem(db: Database.Database, name: string): SystemRow {
  const existing = findByForms(name, (n) => stmt(db, 'SELECT * FROM system WHERE name = ?').get(n) as SystemRow | undefined);
  if (existing) return existing;
  const now = nowIso();
  const row: SystemRow = { id: nameId('system', name), name, created_at: now, updated_at: now };
  stmt(db, 'INSERT INTO system (id, name, created_at, updated_at) VALUES (@id, @name, @created_at, @updated_at)').run(row);
  return row;
}

export function findSystem(db: Database.Database, ref: string): SystemRow | undefined {
  const byId = stmt(db, 'SELECT * FROM system WHERE id = ?').get(ref) as SystemRow | undefined;
  return byId ?? findByForms(ref, (n) => stmt(db, 'SELECT * FROM system WHERE name = ?').get(n) as SystemRow | undefined);
}
