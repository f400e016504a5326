// Where a blob lives: `<type>/<sha1[0:2]>/<sha1>.zst`, the same key locally (under store/) and remotely.
import path from 'node:path';
import { TroveError } from '../errors.js';
import { SHA1_RE } from '../ids.js';
import { FILE_SET_TYPES } from '../migrations/collection/0001-initial.js';

export type FileType = (typeof FILE_SET_TYPES)[number];
export { FILE_SET_TYPES };

export function isFileType(t: string): t is FileType {
  return (FILE_SET_TYPES as readonly string[]).includes(t);
}

export function blobKey(type: string, sha1: string): string {
  if (!SHA1_RE.test(sha1)) throw new TroveError('BAD_INPUT', `not a sha1: ${JSON.stringify(sha1)}`);
  if (!isFileType(type)) throw new TroveError('BAD_INPUT', `unknown file type ${JSON.stringify(type)}`);
  return `${type}/${sha1.slice(0, 2)}/${sha1}.zst`;
}

/** The sha1 a blob key (or a path ending in one) names, or undefined. The inverse of blobKey's name. */
export function sha1OfBlobKey(key: string): string | undefined {
  return /([0-9a-f]{40})\.zst$/.exec(key)?.[1];
}

export function blobPath(storeDir: string, type: string, sha1: string): string {
  return path.join(storeDir, ...blobKey(type, sha1).split('/'));
}
