// release rows: one edition of a title for one system. Natural key: (system, name).
import type Database from 'better-sqlite3';
import { nameId, nowIso } from '../ids.js';
import { stmt } from './statements.js';
import { findByForms } from './find-by-forms.js';

export interface ReleaseRow {
  id: string;
  system_id: string;
  software_title_id: string | null;
  name: string;
  region: string | null;
  created_at: string;
  updated_at: string;
}

export interface ReleaseInput {
  systemId: string;
  name: string;
  titleId: string | null;
  region: string | null;
}

export function upsertRelease(db: Database.Database, input: ReleaseInput): ReleaseRow {
  const existing = findByForms(input.name, (name) => stmt(db, 'SELECT * FROM release WHERE system_id = ? AND name = ?').get(input.systemId, name) as ReleaseRow | undefined);
  const now = nowIso();
  if (existing) {
    if (existing.software_title_id !== input.titleId || existing.region !== input.region) {
      stmt(db, 'UPDATE release SET software_title_id = ?, region = ?, updated_at = ? WHERE id = ?').run(input.titleId, input.region, now, existing.id);
      return { ...existing, software_title_id: input.titleId, region: input.region, updated_at: now };
    }
    return existing;
  }
  const row: ReleaseRow = {
    id: nameId('release', input.systemId, input.name),
    system_id: input.systemId,
    software_title_id: input.titleId,
    name: input.name,
    region: input.region,
    created_at: now,
    updated_at: now,
  };
  stmt(db, 
    `INSERT INTO release (id, system_id, software_title_id, name, region, created_at, updated_at)
     VALUES (@id, @system_id, @software_title_id, @name, @region, @created_at, @updated_at)`,
  ).run(row);
  return row;
}
