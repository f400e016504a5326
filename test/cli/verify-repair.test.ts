// `trove verify` as the way back from a damaged or missing local blob (like git-annex fsck): the bad
// blob goes to <library>/bad, the content counts as not here, and `download` or `add` brings it back.
import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentBytes } from '../../fixtures/content.js';
import { runCli, tempDir } from '../helpers/cli.js';

describe('trove verify repairs the local store', () => {
  let root: string;
  let lib: string;
  let src: string;
  let sha1: string;
  let blob: string;
  const t = (...args: string[]) => runCli(['--library', lib, ...args]);
  const availability = async () => (JSON.parse((await t('ls', 'files', '--json')).stdout) as { availability: string }[])[0]!.availability;

  beforeAll(async () => {
    root = tempDir();
    lib = path.join(root, 'lib');
    src = path.join(root, 'a.bin');
    const data = contentBytes('repair', 50_000, 'random');
    fs.writeFileSync(src, data);
    sha1 = createHash('sha1').update(data).digest('hex');
    blob = path.join(lib, 'store', 'rom', sha1.slice(0, 2), `${sha1}.zst`);
    expect((await t('init')).code).toBe(0);
    fs.mkdirSync(path.join(root, 'remote')); // an fs remote's root must exist
    expect((await t('remote', 'set', 'fs', `root=${path.join(root, 'remote')}`)).code).toBe(0);
    expect((await t('add', src, '--system', 'S', '--release', 'A (USA)')).code).toBe(0);
    expect((await t('upload')).code).toBe(0);
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it('quarantines a damaged blob; download then fetches a good copy', async () => {
    const bytes = fs.readFileSync(blob);
    bytes[20_000]! ^= 0x01;
    fs.writeFileSync(blob, bytes);
    const v = await t('verify', '--json');
    expect(v.code).toBe(4);
    const movedTo = path.join(lib, 'bad', 'rom', `${sha1}.zst`);
    expect(JSON.parse(v.stdout).bad).toEqual([expect.objectContaining({ sha1, action: 'quarantined', movedTo })]);
    expect(fs.readFileSync(movedTo)).toEqual(bytes);
    expect(await availability()).toBe('CloudOnly');
    const d = await t('download', 'A (USA)');
    expect(d.code, d.stderr).toBe(0);
    expect(d.stdout).toMatch(/downloaded 1 file\(s\).*0 already here/);
    expect(await availability()).toBe('Synchronized');
    expect((await t('verify')).code).toBe(0);
  });

  it('forgets a missing blob; download then fetches it', async () => {
    fs.rmSync(blob);
    const v = await t('verify');
    expect(v.code).toBe(4);
    expect(v.stdout).toContain(`BAD ${sha1}  missing from the store`);
    expect(v.stdout).toContain('no longer counted as here');
    expect(await availability()).toBe('CloudOnly');
    expect((await t('download', 'A (USA)')).stdout).toMatch(/downloaded 1 file\(s\)/);
    expect((await t('verify')).code).toBe(0);
  });

  it('quarantines a damaged blob; add of the original then stores it again', async () => {
    fs.writeFileSync(blob, 'garbage\n');
    const v = await t('verify');
    expect(v.code).toBe(4);
    expect(v.stdout).toContain(`BAD ${sha1}`);
    expect(v.stdout).toContain(path.join(lib, 'bad', 'rom', `${sha1}.2.zst`));
    const a = await t('add', src, '--system', 'S', '--release', 'A (USA)', '--json');
    expect(a.code, a.stderr).toBe(0);
    expect(JSON.parse(a.stdout).files).toEqual([expect.objectContaining({ sha1, stored: true })]);
    expect(await availability()).toBe('Synchronized');
    expect((await t('verify')).code).toBe(0);
  });
});
