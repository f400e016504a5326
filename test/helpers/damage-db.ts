// Ways to damage a SQLite file on disk, for tests of the checks that must refuse it. Each works on a
// closed file in rollback-journal mode and says where it hit, so a test can tell which check fires.
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { generateBigCatalog } from '../../fixtures/big-catalog.js';

function pageSizeOf(file: string): number {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return db.pragma('page_size', { simple: true }) as number;
  } finally {
    db.close();
  }
}

/** Page numbers of `name`'s b-tree (a table or an index), from the dbstat virtual table. */
export function pagesOf(file: string, name: string, type?: 'leaf' | 'internal'): number[] {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return db.prepare(`SELECT pageno FROM dbstat WHERE name = ? ${type ? 'AND pagetype = ?' : ''} ORDER BY pageno`).pluck().all(...(type ? [name, type] : [name])) as number[];
  } finally {
    db.close();
  }
}

/** Overwrite the b-tree page header of `page` (its type byte and cell count): structural damage. */
export function smashPageHeader(file: string, page: number): void {
  const size = pageSizeOf(file);
  const offset = (page - 1) * size + (page === 1 ? 100 : 0);
  const fd = fs.openSync(file, 'r+');
  try {
    fs.writeSync(fd, Buffer.from([0x55, 0xff, 0xff, 0xff, 0xff]), 0, 5, offset);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Change one byte of `text` where it is stored in a leaf page of table `table` (the copy in the
 * table's row, not the copies in its indexes): the record stays well-formed, so only a check that
 * compares index entries with rows (integrity_check) can see it when the column is indexed.
 */
export function flipTextInTable(file: string, table: string, text: string): number {
  const size = pageSizeOf(file);
  const needle = Buffer.from(text, 'utf8');
  const bytes = fs.readFileSync(file);
  for (const page of pagesOf(file, table, 'leaf')) {
    const at = bytes.subarray((page - 1) * size, page * size).indexOf(needle);
    if (at < 0) continue;
    const pos = (page - 1) * size + at + needle.length - 1;
    const fd = fs.openSync(file, 'r+');
    try {
      fs.writeSync(fd, Buffer.from([bytes[pos]! ^ 0x01]), 0, 1, pos);
    } finally {
      fs.closeSync(fd);
    }
    return page;
  }
  throw new Error(`${text} not found in a leaf page of ${table} in ${file}`);
}

/** Cut the last `pages` pages off the file. */
export function truncatePages(file: string, pages: number): void {
  fs.truncateSync(file, fs.statSync(file).size - pages * pageSizeOf(file));
}

/**
 * A generated catalogue of `releases` releases in `<dir>/lib`, and a closed copy of its collection.db at
 * `<dir>/<name>` in rollback-journal mode (what the damage functions above work on).
 */
export function catalogCopy(dir: string, name: string, releases: number, seed: string): string {
  generateBigCatalog(path.join(dir, 'lib'), { releases, seed });
  const copy = path.join(dir, name);
  const db = new Database(path.join(dir, 'lib', 'collection.db'));
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  fs.copyFileSync(path.join(dir, 'lib', 'collection.db'), copy);
  const c = new Database(copy);
  c.pragma('journal_mode = DELETE');
  c.close();
  return copy;
}
