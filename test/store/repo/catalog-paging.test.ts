// Paged, filtered, sorted release lists (the TUI's browser) agree with the full list computed the
// old way: same rows, same availability, at any page boundary.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateBigCatalog } from '../../../fixtures/big-catalog.js';
import { markLocal } from '../../../src/store/repo/files.js';
import { Library } from '../../../src/store/library.js';
import {
  countCatalog, countReleasePage, listReleaseIds, listReleasePage, listReleases, listReleasesByIds, listSystems, type AvailabilityFilter,
} from '../../../src/store/repo/catalog-queries.js';
import { tempDir } from '../../helpers/cli.js';

const dir = tempDir('trove-paging-');
let lib: Library;
let systemId: string;

beforeAll(() => {
  generateBigCatalog(path.join(dir, 'lib'), { releases: 600, systems: 2, seed: 'paging' });
  lib = Library.open(path.join(dir, 'lib'));
  systemId = listSystems(lib.db)[0]!.id;
  // Mixed availability: some files local, some on the remote, some both, the rest nowhere.
  const files = lib.db.prepare('SELECT sha1, type, size FROM file ORDER BY sha1').all() as { sha1: string; type: 'rom'; size: number }[];
  const now = '2026-01-01T00:00:00.000Z';
  files.forEach((f, i) => {
    if (i % 3 === 0) markLocal(lib.db, 'state', { ...f, storedBytes: f.size });
    if (i % 4 === 0) lib.db.prepare("INSERT INTO file_sync_log (file_sha1, type, state, created_at, updated_at) VALUES (?, ?, 'UploadCompleted', ?, ?)").run(f.sha1, f.type, now, now);
    if (i % 4 === 1) lib.db.prepare("INSERT INTO file_sync_log (file_sha1, type, state, created_at, updated_at) VALUES (?, ?, 'UploadPending', ?, ?)").run(f.sha1, f.type, now, now);
  });
});

afterAll(() => {
  lib.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const WANT: Record<AvailabilityFilter, (a: string) => boolean> = {
  all: () => true,
  local: (a) => a === 'LocalOnly' || a === 'Synchronized',
  cloud: (a) => a === 'CloudOnly',
  missing: (a) => a === 'NotAvailable',
};

describe('paged release queries', () => {
  it.each(['all', 'local', 'cloud', 'missing'] as const)('filter %s matches the availability of the full list', (filter) => {
    const full = listReleases(lib.db, { systemId }).filter((r) => WANT[filter](r.availability));
    expect(full.length, 'the fixture has releases of this kind').toBeGreaterThan(0);
    expect(countReleasePage(lib.db, { systemId, availability: filter })).toBe(full.length);
    const paged = [0, 1, 2, 3].flatMap((p) => listReleasePage(lib.db, { systemId, availability: filter }, p * 97, 97));
    expect(paged.map((r) => r.id)).toEqual(full.slice(0, 4 * 97).map((r) => r.id));
    expect(paged.map((r) => r.availability)).toEqual(full.slice(0, 4 * 97).map((r) => r.availability));
  });

  it('sorts by total size, largest first, and the id list pages the same way', () => {
    const ids = listReleaseIds(lib.db, { systemId, sort: 'size' });
    const rows = listReleasesByIds(lib.db, ids);
    for (let i = 1; i < rows.length; i++) expect(rows[i]!.bytes).toBeLessThanOrEqual(rows[i - 1]!.bytes);
    expect(listReleasePage(lib.db, { systemId, sort: 'size' }, 50, 10).map((r) => r.id)).toEqual(ids.slice(50, 60));
  });

  it('searches names case-insensitively and takes % and _ literally', () => {
    const n = countReleasePage(lib.db, { systemId, search: 'usa' });
    expect(n).toBe(listReleases(lib.db, { systemId }).filter((r) => r.name.toLowerCase().includes('usa')).length);
    expect(n).toBeGreaterThan(0);
    expect(countReleasePage(lib.db, { systemId, search: '%' })).toBe(0);
    expect(countReleasePage(lib.db, { systemId, search: '_' })).toBe(0);
  });

  it('counts the catalogue', () => {
    expect(countCatalog(lib.db).releases).toBe(600);
    expect(countCatalog(lib.db).systems).toBe(2);
  });
});
