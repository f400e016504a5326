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
