// The one plain-data shape both DAT parsers produce (clrmamepro text and Logiqx XML), whatever the
// input format. Hashes are lowercase hex or null; `line` points into the source file for errors.

export type DatFormat = 'clrmamepro' | 'logiqx';

export interface DatHeader {
  name: string;
  description: string | null;
  version: string | null;
  date: string | null;
  author: string | null;
  homepage: string | null;
  url: string | null;
  /** Where the header is in the file (for messages); not stored. */
  line?: number;
}

export interface DatRom {
  name: string;
  size: number | null;
  crc32: string | null;
  md5: string | null;
  sha1: string | null;
  /** "baddump", "nodump", "verified"… as the DAT says; null when absent. */
  status: string | null;
  line: number;
}

export interface DatGame {
  name: string;
  description: string | null;
  /** The parent's game name for a clone (`cloneof`), else null. */
  cloneOf: string | null;
  /** The region the DAT gives (clrmamepro `region`, Logiqx `<release region>`), else null. */
  region: string | null;
  roms: DatRom[];
  line: number;
}

export interface ParsedDat {
  /** The path it was read from (for messages). */
  file: string;
  format: DatFormat;
  header: DatHeader;
  games: DatGame[];
}

/** Where a DAT problem is: file and 1-based line. */
export interface DatProblem {
  file: string;
  line: number;
  message: string;
}

export function emptyHeader(): DatHeader {
  return { name: '', description: null, version: null, date: null, author: null, homepage: null, url: null };
}

/**
 * Longest single piece of DAT text a parser buffers: a clrmamepro token (word or quoted string), or in
 * Logiqx XML the text between two "<" (so any text node, attribute value or tag). Real DATs' longest are
 * a few hundred characters (names are capped at 1,024 on import); past this the file is broken or
 * hostile, and it is refused as soon as the piece passes the limit, before it is held whole.
 */
export const MAX_TOKEN_CHARS = 64 * 1024;
