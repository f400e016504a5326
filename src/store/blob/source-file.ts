// The source side of an ingest: is this a regular file we may read, and did it change while we read it.
import fs from 'node:fs/promises';
import type { BigIntStats } from 'node:fs';
import { TroveError, withContext } from '../errors.js';

/** What identifies a version of a source file: size and nanosecond mtime. */
export interface SourceIdentity {
  size: number;
  mtimeNs: bigint;
}

/** Check that `srcPath` is a regular file we may read; returns its stat. */
export async function statSource(srcPath: string): Promise<BigIntStats> {
  let st;
  try {
    st = await fs.stat(srcPath, { bigint: true });
  } catch (err) {
    throw withContext(`cannot read ${srcPath}`, err);
  }
  assertRegularFile(srcPath, st);
  return st;
}

/** BAD_INPUT naming what `srcPath` is when it is not a regular file. */
export function assertRegularFile(srcPath: string, st: BigIntStats): void {
  if (!st.isFile()) {
    const kind = st.isFIFO() ? 'a fifo' : st.isSocket() ? 'a socket' : st.isDirectory() ? 'a folder' : 'not a regular file';
    throw new TroveError('BAD_INPUT', `${srcPath} is ${kind}; only regular files can be added`, { details: { path: srcPath } });
  }
}

/** CHANGED_WHILE_READING for `srcPath`. */
export function changedWhileReading(srcPath: string, sizeBefore: number | bigint, sizeAfter: number | bigint): TroveError {
  return new TroveError('CHANGED_WHILE_READING', `${srcPath} changed while it was being read (size ${sizeBefore} → ${sizeAfter}); nothing was added`, {
    details: { path: srcPath },
  });
}

