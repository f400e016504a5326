// software_title rows: a work across regions and revisions (a DAT's parent and its clones).
import type Database from 'better-sqlite3';
import { nameId, nowIso } from '../ids.js';
import { stmt } from './statements.js';
import { findByForms } from './find-by-forms.js';

export interface TitleRow {
  id: string;
  name: string;
  created_at: string;
  updated_at: string;
}

export function upsertTitle(db: Database.Database, name: string): TitleRow {
  const existing = findByForms(name, (n) => stmt(db, 'SELECT * FROM software_title WHERE name = ?').get(n) as TitleRow | undefined);
  if (existing) return existing;
  const now = nowIso();
  const row: TitleRow = { id: nameId('software_title', name), name, created_at: now, updated_at: now };
  stmt(db, 'INSERT INTO software_title (id, name, created_at, updated_at) VALUES (@id, @name, @created_at, @updated_at)').run(row);
  return row;
}
