// The compact list of file blobs a snapshot's database references, uploaded beside it so that blob
// deletion can check "is this blob still referenced by a retained snapshot?" without downloading
// whole databases. Format (then zstd frames): a header line `trove-file-list 1 <type>,<type>,…\n`, then
// one 21-byte record per file: the index of its type in the header, then its 20-byte SHA1. Sorted.
import type Database from 'better-sqlite3';
import { TroveError } from '../../store/errors.js';
import { referencedFiles } from '../../store/repo/files.js';

const MAGIC = 'trove-file-list 1 ';

export function encodeFileList(db: Database.Database): { bytes: Buffer; count: number } {
  // Only referenced files: a `file` row left behind after its file set was deleted must not keep
  // its blob on the remote for as long as any later snapshot is retained.
  const rows = referencedFiles(db);
  const types = [...new Set(rows.map((r) => r[0]))].sort();
  const index = new Map(types.map((t, i) => [t, i]));
  const header = Buffer.from(`${MAGIC}${types.join(',')}\n`, 'utf8');
  const out = Buffer.alloc(header.length + rows.length * 21);
  header.copy(out, 0);
  let o = header.length;
  for (const [type, sha1] of rows) {
    out[o] = index.get(type)!;
    out.write(sha1, o + 1, 20, 'hex');
    o += 21;
  }
  return { bytes: out, count: rows.length };
}

/** Blob keys (`<type>/<sha1[0:2]>/<sha1>.zst`, as the store and the remote name them) in a list. */
export function decodeFileList(bytes: Buffer, label: string): string[] {
  const nl = bytes.indexOf(0x0a);
  const header = nl < 0 ? '' : bytes.subarray(0, nl).toString('utf8');
  if (!header.startsWith(MAGIC)) throw new TroveError('CORRUPT_SNAPSHOT', `${label}: not a trove file list`);
  const types = header.slice(MAGIC.length) ? header.slice(MAGIC.length).split(',') : [];
  const body = bytes.subarray(nl + 1);
  if (body.length % 21 !== 0) throw new TroveError('CORRUPT_SNAPSHOT', `${label}: truncated file list`);
  const keys: string[] = [];
  for (let o = 0; o < body.length; o += 21) {
    const type = types[body[o]!];
    if (type === undefined) throw new TroveError('CORRUPT_SNAPSHOT', `${label}: file list names an unknown type`);
    const sha1 = body.toString('hex', o + 1, o + 21);
    keys.push(`${type}/${sha1.slice(0, 2)}/${sha1}.zst`);
  }
  return keys;
}
