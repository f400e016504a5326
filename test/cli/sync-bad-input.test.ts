// Hostile or damaged remote content is refused with a clear error and exit ≠ 0, and the local
// collection.db stays byte-for-byte what it was (its sha1 is compared before and after).
import { compress } from '@mongodb-js/zstd';
import Database from 'better-sqlite3';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uuidv7 } from '../../src/store/ids.js';
import { databaseKey, manifestKey, parseManifest, serializeManifest, type SnapshotManifest } from '../../src/sync/snapshot/manifest.js';
import { tempDir } from '../helpers/cli.js';
import { startS3rver } from '../helpers/s3rver.js';
import { flipTextInTable, pagesOf, smashPageHeader, truncatePages } from '../helpers/damage-db.js';
import { addRelease, cliDevice, dbSha1, type CliDevice } from './sync-helpers.js';

const root = tempDir();
const remoteRoot = path.join(root, 'remote');
let a: CliDevice;
let b: CliDevice;
let head: SnapshotManifest;

const put = (key: string, data: Buffer | string) => {
  fs.mkdirSync(path.dirname(path.join(remoteRoot, key)), { recursive: true });
  fs.writeFileSync(path.join(remoteRoot, key), data);
};
const del = (key: string) => fs.rmSync(path.join(remoteRoot, key), { force: true });
const filesUnder = (p: string): string[] =>
  fs.readdirSync(p, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));

/** A manifest on top of the head, optionally with a crafted database. */
function craft(patch: Partial<SnapshotManifest> = {}): SnapshotManifest {
  return { ...head, id: uuidv7(), parents: [head.id], created_at: new Date().toISOString(), ...patch };
}

async function databaseRef(file: string) {
  const bytes = fs.readFileSync(file);
  const sha1 = createHash('sha1').update(bytes).digest('hex');
  const zst = await compress(bytes);
  return { ref: { key: databaseKey(sha1), sha1, size: bytes.length, compressed_size: zst.length }, zst };
}

/** A copy of A's database (a valid trove snapshot), changed by `sql`. */
async function tamperedCopy(sql: string): Promise<string> {
  const out = path.join(root, `tampered-${uuidv7()}.db`);
  const src = new Database(path.join(a.dir, 'collection.db'), { readonly: true });
  await src.backup(out);
  src.close();
  const db = new Database(out);
  db.pragma('journal_mode = DELETE');
  db.exec(sql);
  db.close();
  return out;
}

/** B pulls with the remote in a bad state: exit ≠ 0, message matching, collection.db untouched. */
async function expectRefused(cleanup: string[], msg: RegExp, code?: number): Promise<void> {
  const before = dbSha1(b);
  const r = await b.run(['sync', 'pull']);
  for (const key of cleanup) del(key);
  expect(r.stderr).toMatch(msg);
  if (code !== undefined) expect(r.code).toBe(code);
  else expect(r.code).not.toBe(0);
  expect(dbSha1(b)).toBe(before);
  expect(fs.readdirSync(path.join(b.dir, 'tmp'))).toEqual([]);
}

beforeAll(async () => {
  a = await cliDevice(root, 'alpha', ['fs', `root=${remoteRoot}`]);
  b = await cliDevice(root, 'beta', ['fs', `root=${remoteRoot}`]);
  await addRelease(a, 'One (USA)');
  const pushed = await a.json(['sync', 'push']);
  head = parseManifest(fs.readFileSync(path.join(remoteRoot, manifestKey(pushed.snapshot.id))), 'head');
  await b.ok(['sync', 'pull']);
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('a pull refuses, leaving collection.db byte-for-byte unchanged,', () => {
  it('a manifest that is not JSON', async () => {
    const key = manifestKey(uuidv7());
    put(key, '{"id": "trunc');
    await expectRefused([key], new RegExp(`${key}.*not JSON`), 4);
  });

  it('a manifest that names a missing parent', async () => {
    const m = craft({ parents: [uuidv7()] });
    put(manifestKey(m.id), serializeManifest(m));
    await expectRefused([manifestKey(m.id)], /names parent .* neither on .* nor recorded as pruned/, 4);
  });

  it('a manifest that names a missing blob', async () => {
    const sha1 = randomBytes(20).toString('hex');
    const m = craft({ database: { key: databaseKey(sha1), sha1, size: 1000, compressed_size: 100 } });
    put(manifestKey(m.id), serializeManifest(m));
    await expectRefused([manifestKey(m.id)], /blob metadata\/databases\/.* is missing/, 4);
  });

  it('a chunked snapshot with a missing or damaged chunk', async () => {
    expect(head.database.format).toBe('chunks');
    const chunks = path.join(remoteRoot, 'metadata', 'chunks');
    const list = () => new Set(filesUnder(chunks));
    const before = list();
    await addRelease(a, 'Chunky (USA)');
    const pushed = await a.json(['sync', 'push']);
    const file = [...list()].find((f) => !before.has(f))!; // a chunk B does not have
    const saved = fs.readFileSync(file);
    try {
      fs.rmSync(file);
      await expectRefused([], /blob metadata\/chunks\/.* is missing/, 4);
      fs.writeFileSync(file, randomBytes(saved.length));
      await expectRefused([], /chunk metadata\/chunks\/.*(not a valid trove blob|checksum mismatch)/, 4);
    } finally {
      fs.writeFileSync(file, saved);
    }
    await b.ok(['sync', 'pull']);
    head = parseManifest(fs.readFileSync(path.join(remoteRoot, manifestKey(pushed.snapshot.id))), 'head');
  });

  it('a snapshot blob that is garbage', async () => {
    const garbage = randomBytes(5000);
    const sha1 = createHash('sha1').update(garbage).digest('hex');
    const m = craft({ database: { key: databaseKey(sha1), sha1, size: 5000, compressed_size: 5000 } });
    put(m.database.key, garbage);
    put(manifestKey(m.id), serializeManifest(m));
    await expectRefused([manifestKey(m.id), m.database.key], /not a valid trove blob/, 4);
  });

  it('a snapshot blob that is truncated', async () => {
    const file = await tamperedCopy("UPDATE release SET name = name || ' (Rev 1)'");
    const { ref, zst } = await databaseRef(file);
    const m = craft({ database: ref });
    put(ref.key, zst.subarray(0, zst.length - 100));
    put(manifestKey(m.id), serializeManifest(m));
    await expectRefused([manifestKey(m.id), ref.key], /truncated/, 4);
  });

  for (const [what, sql, msg] of [
    ['a foreign trigger', "CREATE TRIGGER evil AFTER INSERT ON release BEGIN DELETE FROM file; END;", /trigger "evil" that is not part of trove's schema/],
    ['a foreign view', 'CREATE VIEW peek AS SELECT * FROM release;', /view "peek" that is not part of trove's schema/],
    ['a foreign table', 'CREATE TABLE extra (x);', /table "extra" that is not part of trove's schema/],
  ] as const) {
    it(`a valid SQLite snapshot carrying ${what}`, async () => {
      const { ref, zst } = await databaseRef(await tamperedCopy(sql));
      const m = craft({ database: ref });
      put(ref.key, zst);
      put(manifestKey(m.id), serializeManifest(m));
      await expectRefused([manifestKey(m.id), ref.key], msg, 4);
    });
  }

  it('a snapshot that fails foreign_key_check', async () => {
    const { ref, zst } = await databaseRef(await tamperedCopy("PRAGMA foreign_keys = OFF; UPDATE release SET system_id = 'nowhere';"));
    const m = craft({ database: ref });
    put(ref.key, zst);
    put(manifestKey(m.id), serializeManifest(m));
    await expectRefused([manifestKey(m.id), ref.key], /foreign_key_check/, 4);
  });

  // Damage that happened on the pushing device: every checksum matches, only the database checks see it.
  for (const [what, damage, msg] of [
    ['with a smashed page', (f: string) => smashPageHeader(f, pagesOf(f, 'release', 'leaf')[0]!), /fails integrity_check: .*(btreeInitPage|malformed)/],
    ['cut short by two pages', (f: string) => truncatePages(f, 2), /(cannot be opened|fails integrity_check|is damaged|fails to read): .*malformed/],
    [
      'whose index disagrees with a row (only the full integrity_check, not quick_check, sees this)',
      (f: string) => flipTextInTable(f, 'release', 'One (USA)'),
      /fails integrity_check: .*(missing from index|wrong # of entries in index) sqlite_autoindex_release_2/,
    ],
  ] as const) {
    it(`a snapshot database ${what}, its checksums matching`, async () => {
      const file = await tamperedCopy("UPDATE release SET updated_at = '2026-06-06T00:00:00.000Z'");
      damage(file);
      const { ref, zst } = await databaseRef(file);
      const m = craft({ database: ref });
      put(ref.key, zst);
      put(manifestKey(m.id), serializeManifest(m));
      await expectRefused([manifestKey(m.id), ref.key], msg, 4);
    });
  }

  it('a snapshot from a newer schema version', async () => {
    const m = craft({ schema_version: 99 });
    put(manifestKey(m.id), serializeManifest(m));
    await expectRefused([manifestKey(m.id)], /schema version 99, newer than this trove understands/, 6);
    // …also when only the file says so (the manifest lies).
    const { ref, zst } = await databaseRef(await tamperedCopy('PRAGMA user_version = 99;'));
    const m2 = craft({ database: ref });
    put(ref.key, zst);
    put(manifestKey(m2.id), serializeManifest(m2));
    await expectRefused([manifestKey(m2.id), ref.key], /schema version 99/, 6);
  });

  it('and afterwards a good snapshot still pulls', async () => {
    await addRelease(a, 'Two (USA)');
    await a.ok(['sync', 'push']);
    expect((await b.json(['sync', 'pull'])).outcome).toBe('fast-forward');
  });
});

describe('a remote that becomes unreachable mid-pull', () => {
  it('fails with exit 5 and leaves collection.db unchanged', async () => {
    const s3 = await startS3rver();
    try {
      const env = { AWS_ACCESS_KEY_ID: s3.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.secretAccessKey };
      const remote = ['s3', `bucket=${s3.bucket}`, `endpoint=${s3.endpoint}`, `region=${s3.region}`, 'root=/outage/'];
      const c = await cliDevice(root, 'gamma', remote, env);
      const d = await cliDevice(root, 'delta', remote, env);
      await addRelease(c, 'One (USA)');
      await c.ok(['sync', 'push']);
      const before = dbSha1(d);
      const pause = path.join(root, 'pause');
      const pull = d.run(['sync', 'pull'], { TROVE_PAUSE_AT: 'before-download', TROVE_PAUSE_FILE: pause });
      while (!fs.existsSync(`${pause}.reached`)) await new Promise((r) => setTimeout(r, 20));
      await s3.stop();
      fs.writeFileSync(pause, 'go');
      const r = await pull;
      expect(r.code).toBe(5);
      expect(r.stderr).toMatch(/s3:\/\/trove-test/);
      expect(r.stderr).not.toMatch(/S3RVER/);
      expect(dbSha1(d)).toBe(before);
      expect(fs.readdirSync(path.join(d.dir, 'tmp'))).toEqual([]);
      await s3.restart();
      expect((await d.json(['sync', 'pull'])).outcome).toBe('fast-forward');
    } finally {
      await s3.stop();
    }
  });
});

describe('pull options that do not fit', () => {
  it('--head with anything but --resolve cloud is a usage error (exit 2), not silently ignored; a --head naming no head is exit 1 (qa-b 12)', async () => {
    const before = dbSha1(b);
    for (const args of [['--resolve', 'merge', '--head', head.id], ['--head', head.id], ['--resolve', 'local', '--head', head.id]]) {
      const r = await b.run(['sync', 'pull', ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/--head goes with --resolve cloud/);
    }
    const r = await b.run(['sync', 'pull', '--resolve', 'cloud', '--head', '../x']);
    expect(r.stdout + r.stderr).toMatch(/Nothing to pull|names none of the remote's heads/);
    expect(dbSha1(b)).toBe(before);
  });
});
