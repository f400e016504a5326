// The chunk index of a chunked snapshot database (chunked-db.ts): the line `trove-chunks 1 <chunk_bytes>`,
// then per chunk 20 bytes of SHA1 and a 4-byte big-endian compressed size. Its length follows from the
// database's size and chunk size alone, so a manifest that declares another length is refused before
// anything is read (manifest.ts).
import { TroveError } from '../../store/errors.js';

const MAGIC = 'trove-chunks 1 ';
const ENTRY_BYTES = 24;

export interface ChunkEntry {
  sha1: string;
  compressedSize: number;
}

export function encodeChunkIndex(chunkBytes: number, entries: readonly ChunkEntry[]): Buffer {
  const header = Buffer.from(`${MAGIC}${chunkBytes}\n`, 'utf8');
  const out = Buffer.alloc(header.length + entries.length * ENTRY_BYTES);
  header.copy(out);
  let o = header.length;
  for (const e of entries) {
    out.write(e.sha1, o, 20, 'hex');
    out.writeUInt32BE(e.compressedSize, o + 20);
    o += ENTRY_BYTES;
  }
  return out;
}

export function decodeChunkIndex(bytes: Buffer, label: string): { chunkBytes: number; entries: ChunkEntry[] } {
  const nl = bytes.indexOf(0x0a);
  const header = nl < 0 ? '' : bytes.subarray(0, nl).toString('utf8');
  const chunkBytes = Number(header.slice(MAGIC.length));
  if (!header.startsWith(MAGIC) || !Number.isSafeInteger(chunkBytes) || chunkBytes <= 0) throw new TroveError('CORRUPT_SNAPSHOT', `${label}: not a trove chunk index`);
  const body = bytes.subarray(nl + 1);
  if (body.length % ENTRY_BYTES !== 0) throw new TroveError('CORRUPT_SNAPSHOT', `${label}: truncated chunk index`);
  const entries: ChunkEntry[] = [];
  for (let o = 0; o < body.length; o += ENTRY_BYTES) entries.push({ sha1: body.toString('hex', o, o + 20), compressedSize: body.readUInt32BE(o + 20) });
  return { chunkBytes, entries };
}

/** The exact byte length of the chunk index of a `size`-byte database cut in `chunkBytes` chunks. */
export function chunkIndexBytes(chunkBytes: number, size: number): number {
  return Buffer.byteLength(`${MAGIC}${chunkBytes}\n`) + Math.ceil(size / chunkBytes) * ENTRY_BYTES;
}
