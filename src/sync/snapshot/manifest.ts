// A snapshot manifest: the small, immutable JSON object `metadata/snapshots/<id>.json` that names one
// pushed version of collection.db (its parents, author device, time, schema version, sizes, checksums,
// row counts, and the content-addressed keys of its database blob and file list). Parsing is strict:
// anything a manifest says is checked before it is used, because the remote is not trusted.
import { TroveError } from '../../store/errors.js';
import { SHA1_RE } from '../../store/ids.js';
import { chunkIndexBytes } from './chunk-index.js';

export const MANIFEST_FORMAT = 1;
export const SNAPSHOTS_PREFIX = 'metadata/snapshots/';
/** Tombstones: `metadata/pruned/<id>.json`, written by prune before it deletes a manifest. */
export const PRUNED_PREFIX = 'metadata/pruned/';
/** Base markers: `metadata/bases/<device-id>/<record-id>.json`, one per pull that moved a base. */
export const BASES_PREFIX = 'metadata/bases/';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const ANY_UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface ContentRef {
  /** Remote key, derived from sha1 (checked on parse: a manifest cannot point anywhere else). */
  key: string;
  /** SHA1 and size of the uncompressed content. */
  sha1: string;
  size: number;
  /** Bytes stored on the remote (zstd frames). */
  compressed_size: number;
}

/**
 * The database of a snapshot is stored either as one zstd blob (`format` absent or 'zst', key =
 * databaseKey(sha1)) or as page-aligned chunks stored by hash (`format` 'chunks'): the key is then
 * the chunk index (chunked-db.ts), `index` its own checksum, `compressed_size` the sum of all chunks.
 */
export interface DatabaseRef extends ContentRef {
  format?: 'zst' | 'chunks';
  chunk_bytes?: number;
  index?: { sha1: string; size: number; compressed_size: number };
}

export interface SnapshotManifest {
  format: number;
  /** UUIDv7: time-ordered, so sorting ids sorts by creation. */
  id: string;
  parents: string[];
  device: { id: string; name: string };
  /** The snapshot the pushing device was based on when it pushed (null: first push). */
  device_base: string | null;
  created_at: string;
  schema_version: number;
  database: DatabaseRef;
  /** The set of file blobs (`<type>/<sha1>`) the database references, for blob deletion safety. */
  file_list: ContentRef & { count: number };
  row_counts: Record<string, number>;
}

export function manifestKey(id: string): string {
  return `${SNAPSHOTS_PREFIX}${id}.json`;
}

export function databaseKey(sha1: string): string {
  return `metadata/databases/${sha1.slice(0, 2)}/${sha1}.db.zst`;
}

export function chunkKey(sha1: string): string {
  return `metadata/chunks/${sha1.slice(0, 2)}/${sha1}.zst`;
}

export function chunkIndexKey(sha1: string): string {
  return `metadata/chunk-indexes/${sha1.slice(0, 2)}/${sha1}.bin.zst`;
}

export function fileListKey(sha1: string): string {
  return `metadata/file-lists/${sha1.slice(0, 2)}/${sha1}.bin.zst`;
}

export function prunedKey(id: string): string {
  return `${PRUNED_PREFIX}${id}.json`;
}

/** The snapshot id a manifest or tombstone key names, or undefined for a key that is not one. */
export function idFromKey(key: string, prefix: string): string | undefined {
  if (!key.startsWith(prefix) || !key.endsWith('.json')) return undefined;
  return key.slice(prefix.length, -'.json'.length);
}

export function isSnapshotId(id: string): boolean {
  return UUID_RE.test(id);
}

function fail(key: string, reason: string): never {
  throw new TroveError('CORRUPT_SNAPSHOT', `manifest ${key} is invalid: ${reason}`, { details: { key } });
}

function str(key: string, v: unknown, field: string): string {
  if (typeof v !== 'string' || !v) fail(key, `${field} must be a non-empty string`);
  return v;
}

function count(key: string, v: unknown, field: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) fail(key, `${field} must be a non-negative integer`);
  return v;
}

function contentRef(key: string, v: unknown, field: string, keyOf: (sha1: string) => string): ContentRef {
  if (!v || typeof v !== 'object') fail(key, `${field} missing`);
  const o = v as Record<string, unknown>;
  const sha1 = str(key, o.sha1, `${field}.sha1`);
  if (!SHA1_RE.test(sha1)) fail(key, `${field}.sha1 is not a sha1`);
  const ref = { key: str(key, o.key, `${field}.key`), sha1, size: count(key, o.size, `${field}.size`), compressed_size: count(key, o.compressed_size, `${field}.compressed_size`) };
  if (ref.key !== keyOf(sha1)) fail(key, `${field}.key ${JSON.stringify(ref.key)} is not the content address of its sha1`);
  return ref;
}

function databaseRef(key: string, v: unknown): DatabaseRef {
  const o = (v && typeof v === 'object' ? v : {}) as Record<string, unknown>;
  if (o.format === undefined || o.format === 'zst') return contentRef(key, v, 'database', databaseKey);
  if (o.format !== 'chunks') fail(key, `database.format ${JSON.stringify(o.format)} is unknown`);
  const idx = (o.index && typeof o.index === 'object' ? o.index : {}) as Record<string, unknown>;
  const indexSha1 = str(key, idx.sha1, 'database.index.sha1');
  if (!SHA1_RE.test(indexSha1)) fail(key, 'database.index.sha1 is not a sha1');
  const sha1 = str(key, o.sha1, 'database.sha1');
  if (!SHA1_RE.test(sha1)) fail(key, 'database.sha1 is not a sha1');
  const chunkBytes = count(key, o.chunk_bytes, 'database.chunk_bytes');
  if (chunkBytes < 512 || chunkBytes > 16 * 1024 * 1024 || chunkBytes % 512 !== 0) fail(key, 'database.chunk_bytes is not a page-aligned size');
  const ref: DatabaseRef = {
    format: 'chunks',
    key: str(key, o.key, 'database.key'),
    sha1,
    size: count(key, o.size, 'database.size'),
    compressed_size: count(key, o.compressed_size, 'database.compressed_size'),
    chunk_bytes: chunkBytes,
    index: { sha1: indexSha1, size: count(key, idx.size, 'database.index.size'), compressed_size: count(key, idx.compressed_size, 'database.index.compressed_size') },
  };
  if (ref.key !== chunkIndexKey(indexSha1)) fail(key, `database.key ${JSON.stringify(ref.key)} is not the content address of its chunk index`);
  const indexSize = ref.index!.size;
  if (indexSize !== chunkIndexBytes(chunkBytes, ref.size)) {
    fail(key, `database.index.size ${indexSize} is not the ${chunkIndexBytes(chunkBytes, ref.size)} bytes an index of a ${ref.size}-byte database in ${chunkBytes}-byte chunks takes`);
  }
  return ref;
}

/** Parse and validate a manifest's bytes. `key` is where it was read (its id must match). */
export function parseManifest(bytes: Buffer | string, key: string): SnapshotManifest {
  let raw: unknown;
  try {
    raw = JSON.parse(typeof bytes === 'string' ? bytes : bytes.toString('utf8'));
  } catch (err) {
    throw new TroveError('CORRUPT_SNAPSHOT', `manifest ${key} is not JSON (${(err as Error).message}); if an interrupted tool left it, delete that key`, {
      cause: err,
      details: { key },
    });
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) fail(key, 'not a JSON object');
  const o = raw as Record<string, unknown>;
  if (o.format !== MANIFEST_FORMAT) fail(key, `unknown format ${JSON.stringify(o.format)} (this trove reads format ${MANIFEST_FORMAT})`);
  const id = str(key, o.id, 'id');
  if (!isSnapshotId(id)) fail(key, 'id is not a UUIDv7');
  if (key.startsWith(SNAPSHOTS_PREFIX) && key !== manifestKey(id)) fail(key, `id ${id} does not match its key`);
  if (!Array.isArray(o.parents) || o.parents.some((p) => typeof p !== 'string' || !isSnapshotId(p))) fail(key, 'parents must be a list of snapshot ids');
  const parents = o.parents as string[];
  if (new Set(parents).size !== parents.length || parents.includes(id)) fail(key, 'parents repeat or name the snapshot itself');
  const dev = o.device as Record<string, unknown> | undefined;
  if (!dev || typeof dev !== 'object') fail(key, 'device missing');
  const deviceId = str(key, dev.id, 'device.id');
  if (!ANY_UUID_RE.test(deviceId)) fail(key, 'device.id is not a UUID');
  const deviceBase = o.device_base === null || o.device_base === undefined ? null : str(key, o.device_base, 'device_base');
  if (deviceBase !== null && !isSnapshotId(deviceBase)) fail(key, 'device_base is not a snapshot id');
  const createdAt = str(key, o.created_at, 'created_at');
  if (Number.isNaN(Date.parse(createdAt))) fail(key, 'created_at is not a date');
  const schemaVersion = count(key, o.schema_version, 'schema_version');
  const fl = o.file_list as Record<string, unknown> | undefined;
  const fileList = { ...contentRef(key, fl, 'file_list', fileListKey), count: count(key, fl?.count, 'file_list.count') };
  const rc = o.row_counts;
  if (!rc || typeof rc !== 'object' || Array.isArray(rc)) fail(key, 'row_counts missing');
  const rowCounts: Record<string, number> = {};
  for (const [t, n] of Object.entries(rc as Record<string, unknown>)) rowCounts[t] = count(key, n, `row_counts.${t}`);
  return {
    format: MANIFEST_FORMAT,
    id,
    parents,
    device: { id: deviceId, name: str(key, dev.name, 'device.name') },
    device_base: deviceBase,
    created_at: createdAt,
    schema_version: schemaVersion,
    database: databaseRef(key, o.database),
    file_list: fileList,
    row_counts: rowCounts,
  };
}

export function serializeManifest(m: SnapshotManifest): Buffer {
  return Buffer.from(JSON.stringify(m, null, 2) + '\n', 'utf8');
}
