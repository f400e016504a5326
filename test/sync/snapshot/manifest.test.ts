import { describe, expect, it } from 'vitest';
import { manifestKey, parseManifest, serializeManifest } from '../../../src/sync/snapshot/manifest.js';
import { manifest } from './fake-manifests.js';

const good = manifest(2, [1]);
const key = manifestKey(good.id);
const withField = (patch: Record<string, unknown>) => JSON.stringify({ ...good, ...patch });

describe('parseManifest', () => {
  it('round-trips a manifest', () => {
    expect(parseManifest(serializeManifest(good), key)).toEqual(good);
  });
  const bad: [string, string, RegExp][] = [
    ['not JSON', '{"id": ', /not JSON/],
    ['an empty object', '{}', /format/],
    ['an id that does not match its key', withField({ id: manifest(3, []).id }), /does not match its key/],
    ['a parent that is not a snapshot id', withField({ parents: ['x'] }), /parents/],
    ['itself as parent', withField({ parents: [good.id] }), /parents/],
    ['a blob key that is not the content address of its sha1', withField({ database: { ...good.database, key: 'rom/aa/evil.zst' } }), /content address/],
    ['a negative size', withField({ database: { ...good.database, size: -1 } }), /database.size/],
    ['a non-integer schema version', withField({ schema_version: 1.5 }), /schema_version/],
    ['a bad date', withField({ created_at: 'yesterday' }), /created_at/],
  ];
  for (const [what, text, msg] of bad) {
    it(`rejects ${what}, naming the key`, () => {
      expect(() => parseManifest(text, key)).toThrow(msg);
      expect(() => parseManifest(text, key)).toThrow(key);
    });
  }
});
