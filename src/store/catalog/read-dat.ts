// Read a DAT file: detect its format by content (not extension), then stream it through the matching
// parser. The result is plain data (ParsedDat); the file itself is never held whole in memory.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { TroveError, withContext } from '../errors.js';
import { ClrMameProParser } from './clrmamepro-parser.js';
import { LogiqxParser } from './logiqx-parser.js';
import type { DatFormat, DatGame, DatHeader, ParsedDat } from './dat-model.js';

/** The format a DAT's first bytes say it is in, or a reason it is neither. */
export function detectDatFormat(head: Buffer): DatFormat | { unknown: string } {
  if (head.length >= 4 && head.readUInt32BE(0) === 0x504b0304) return { unknown: 'a zip archive (unzip it first)' };
  if (head.length >= 6 && head.subarray(0, 6).equals(Buffer.from([0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c]))) return { unknown: 'a 7z archive (extract it first)' };
  let text = head.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  text = text.replace(/^\s+/, '');
  if (text.startsWith('<')) return 'logiqx';
  if (/^[A-Za-z_][\w-]*\s*\(/.test(text)) return 'clrmamepro';
  if (text === '') return { unknown: 'empty' };
  return { unknown: 'neither Logiqx XML nor clrmamepro text' };
}

export interface ReadDatResult extends ParsedDat {
  /** SHA1 of the file's bytes: which exact DAT version was imported. */
  fileSha1: string;
}

export async function readDat(file: string): Promise<ReadDatResult> {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (err) {
    throw new TroveError('BAD_INPUT', `cannot read DAT ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { cause: err, details: { path: file } });
  }
  const head = Buffer.alloc(4096);
  let headBytes: number;
  try {
    if (!fs.fstatSync(fd).isFile()) throw new TroveError('BAD_INPUT', `${file} is not a regular file`, { details: { path: file } });
    headBytes = fs.readSync(fd, head, 0, head.length, 0);
  } finally {
    fs.closeSync(fd);
  }
  const format = detectDatFormat(head.subarray(0, headBytes));
  if (typeof format !== 'string') throw new TroveError('BAD_INPUT', `${file} is not a DAT: ${format.unknown}`, { details: { path: file } });

  let header: DatHeader | null = null;
  const games: DatGame[] = [];
  const handlers = { header: (h: DatHeader) => (header = h), game: (g: DatGame) => void games.push(g) };
  const parser = format === 'logiqx' ? new LogiqxParser(file, handlers) : new ClrMameProParser(file, handlers);
  const sha1 = createHash('sha1');
  try {
    const stream = fs.createReadStream(file, { highWaterMark: 256 * 1024 });
    const decoder = new TextDecoder('utf-8');
    for await (const chunk of stream) {
      sha1.update(chunk as Buffer);
      parser.write(decoder.decode(chunk as Buffer, { stream: true }));
    }
    parser.write(decoder.decode());
    parser.end();
  } catch (err) {
    if (err instanceof TroveError) throw err;
    throw withContext(`cannot read DAT ${file}`, err);
  }
  return { file, format, header: header!, games, fileSha1: sha1.digest('hex') };
}
