import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createSideResolver, type SideSource } from '../../../src/sync/diff/side-resolver.js';
import { tempDir } from '../../helpers/cli.js';

function fakeSource(kind: string, ids: string[], names: string[] = []): SideSource & { cleaned: string[] } {
  const cleaned: string[] = [];
  return {
    kind,
    names,
    cleaned,
    ids: () => ids,
    resolve: async (ref) => ({ path: `/fake/${kind}/${ref}.db`, label: `${kind} ${ref}`, cleanup: () => cleaned.push(ref) }),
  };
}

describe('createSideResolver', () => {
  const dir = tempDir('trove-side-');
  const db = path.join(dir, 'collection.db');
  fs.writeFileSync(db, '');
  const snapshots = fakeSource('snapshot', ['0193aaaa-1111', '0193aaab-2222', '0194bbbb-3333'], ['base', 'head']);
  const backups = fakeSource('backup', ['0195cccc-4444']);
  const resolve = createSideResolver({ localDb: db, sources: [snapshots, backups], cwd: dir });

  it('local is the library collection.db, opened as is (never copied or written)', async () => {
    expect(await resolve('local')).toMatchObject({ path: db, label: `local (${db})` });
  });
  it('a path is a database file, relative to the working folder', async () => {
    expect((await resolve('collection.db')).path).toBe(db);
  });
  it('fixed names and unique id prefixes go to their source', async () => {
    expect((await resolve('head')).label).toBe('snapshot head');
    expect((await resolve('0194')).label).toBe('snapshot 0194bbbb-3333');
    const b = await resolve('0195c');
    expect(b.label).toBe('backup 0195cccc-4444');
    b.cleanup();
    expect(backups.cleaned).toEqual(['0195cccc-4444']);
  });
  it('an ambiguous prefix is NOT_FOUND naming the candidates', async () => {
    await expect(resolve('0193aaa')).rejects.toMatchObject({ code: 'NOT_FOUND', details: { candidates: ['0193aaaa-1111', '0193aaab-2222'] } });
  });
  it('an unknown reference is NOT_FOUND listing the closest ids and names', async () => {
    await expect(resolve('0194bbbc')).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('closest: 0194bbbb-3333') });
    await expect(resolve('./missing.db')).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('no database file at') });
  });
  it('local without a library is NOT_FOUND', async () => {
    await expect(createSideResolver({})('local')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
