// Which scanned files match the catalogue, and which must be ingested: a pure function of the files'
// digests and the catalogue's expected content. A match is by SHA1 and size; where a DAT gave no sha1
// (dat_rom), by crc32 and size — a weaker match, flagged as such.
import type { FileType } from '../blob/blob-key.js';

export interface HashedFile {
  path: string;
  size: number;
  sha1: string;
  crc32: string;
  md5: string;
}

export interface Sha1Target {
  size: number;
  type: FileType;
  /** This device's store already holds the blob. */
  local: boolean;
}

export interface CrcTarget {
  datRomId: string;
  fileSetId: string;
  name: string;
  position: number;
}

export interface MatchTargets {
  bySha1: Map<string, Sha1Target>;
  /** Keyed by crcKey(crc32, size). */
  byCrc: Map<string, CrcTarget[]>;
}

export function crcKey(crc32: string, size: number): string {
  return `${crc32}:${size}`;
}

export interface ScanDecision {
  file: HashedFile;
  kind: 'sha1' | 'crc32' | 'unmatched';
  type: FileType;
  /** dat_roms this file resolves (crc32 + size); may accompany a sha1 match. */
  crcTargets: CrcTarget[];
  /** Store the content: matched, not in the store yet, and the first file with this content. */
  ingest: boolean;
}

export function planScan(files: HashedFile[], targets: MatchTargets): ScanDecision[] {
  const scheduled = new Set<string>();
  const byCrc = new Map(targets.byCrc);
  return files.map((file) => {
    const t = targets.bySha1.get(file.sha1);
    const sha1Match = t !== undefined && t.size === file.size;
    const key = crcKey(file.crc32, file.size);
    const crcTargets = byCrc.get(key) ?? [];
    if (crcTargets.length) byCrc.delete(key); // one file resolves a crc32 rom; a second is a duplicate
    const kind = sha1Match ? 'sha1' : crcTargets.length ? 'crc32' : 'unmatched';
    const local = sha1Match && t.local;
    const ingest = kind !== 'unmatched' && !local && !scheduled.has(file.sha1);
    if (ingest) scheduled.add(file.sha1);
    return { file, kind, type: sha1Match ? t.type : 'rom', crcTargets, ingest };
  });
}
