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

/**
 * The text encoding a DAT's first bytes give: a byte-order mark, else an XML declaration's
 * `encoding="…"`, else UTF-8. Decoding is strict either way: a byte that is not valid in the encoding
 * is an error naming the line, never a silent U+FFFD (names are identifiers compared on re-import, so
 * mojibake would be permanent).
 */
export function datEncoding(head: Buffer): { encoding: string } | { unknown: string } {
  if (head.length >= 3 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return { encoding: 'utf-8' };
  if (head.length >= 2 && head[0] === 0xff && head[1] === 0xfe) return { encoding: 'utf-16le' };
  if (head.length >= 2 && head[0] === 0xfe && head[1] === 0xff) return { encoding: 'utf-16be' };
  const declared = /^\s*<\?xml[^>]*?\bencoding\s*=\s*["']([^"']*)["']/.exec(head.toString('latin1'))?.[1];
  if (declared === undefined) return { encoding: 'utf-8' };
  let encoding: string;
  try {
    encoding = new TextDecoder(declared).encoding;
  } catch {
    return { unknown: `declares the text encoding ${JSON.stringify(declared)}, which trove cannot read (convert it to UTF-8)` };
  }
  // A declaration read as single bytes cannot be UTF-16 (that needs a byte-order mark).
  if (encoding.startsWith('utf-16')) return { unknown: `declares ${declared} but has no byte-order mark` };
  return { encoding };
}

/**
 * Finds the line of the first byte that is not valid UTF-8, fed chunk by chunk (a sequence may
 * straddle two chunks). Used only after strict decoding failed, to name the line.
 */
export class Utf8LineFinder {
  private line = 1;
  private carry: Buffer = Buffer.alloc(0);

  /** The bad line, or 0 while everything so far is valid. `last` marks the end of the file. */
  push(chunk: Buffer, last = false): number {
    const bytes = this.carry.length ? Buffer.concat([this.carry, chunk]) : chunk;
    this.carry = Buffer.alloc(0);
    for (let i = 0; i < bytes.length; ) {
      const b = bytes[i];
      if (b < 0x80) {
        if (b === 0x0a) this.line++;
        i++;
        continue;
      }
      const n = b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
      if (n === 0) return this.line;
      for (let j = 1; j < n && i + j < bytes.length; j++) if ((bytes[i + j] & 0xc0) !== 0x80) return this.line;
      if (i + n > bytes.length) {
        if (last) return this.line;
        this.carry = Buffer.from(bytes.subarray(i));
        return 0;
      }
      try {
        new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(i, i + n));
      } catch {
        return this.line;
      }
      i += n;
    }
    return 0;
  }
}

export interface ReadDatResult extends ParsedDat {
  /** SHA1 of the file's bytes: which exact DAT version was imported. */
  fileSha1: string;
}

/** The error for a DAT that is not valid in its encoding, naming the line for UTF-8. */
async function notDecodable(file: string, encoding: string, format: DatFormat): Promise<TroveError> {
  let line = 0;
  if (encoding === 'utf-8') {
    const finder = new Utf8LineFinder();
    for await (const chunk of fs.createReadStream(file, { highWaterMark: 256 * 1024 })) {
      line = finder.push(chunk as Buffer);
      if (line) break;
    }
    if (!line) line = finder.push(Buffer.alloc(0), true);
  }
  const where = line ? `${file}:${line}` : file;
  const hint =
    encoding !== 'utf-8'
      ? ''
      : format === 'logiqx'
        ? ' (an XML DAT in another encoding must declare it, e.g. <?xml version="1.0" encoding="ISO-8859-1"?>, or be converted to UTF-8)'
        : ' (clrmamepro DATs are read as UTF-8: convert it, e.g. iconv -f ISO-8859-1 -t UTF-8)';
  return new TroveError('BAD_INPUT', `${where}: not valid ${encoding} text${hint}; nothing was imported`, { details: { path: file, ...(line ? { line } : {}) } });
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
  const enc = datEncoding(head.subarray(0, headBytes));
  if ('unknown' in enc) throw new TroveError('BAD_INPUT', `${file}: ${enc.unknown}`, { details: { path: file } });
  // Archive magic numbers are bytes: look at them raw; a UTF-16 text needs decoding first.
  const raw = head.subarray(0, headBytes);
  const format = detectDatFormat(enc.encoding === 'utf-8' ? raw : Buffer.from(new TextDecoder(enc.encoding).decode(raw)));
  if (typeof format !== 'string') throw new TroveError('BAD_INPUT', `${file} is not a DAT: ${format.unknown}`, { details: { path: file } });

  let header: DatHeader | null = null;
  const games: DatGame[] = [];
  const handlers = { header: (h: DatHeader) => (header = h), game: (g: DatGame) => void games.push(g) };
  const parser = format === 'logiqx' ? new LogiqxParser(file, handlers) : new ClrMameProParser(file, handlers);
  const sha1 = createHash('sha1');
  try {
    const stream = fs.createReadStream(file, { highWaterMark: 256 * 1024 });
    const decoder = new TextDecoder(enc.encoding, { fatal: true });
    for await (const chunk of stream) {
      sha1.update(chunk as Buffer);
      parser.write(decoder.decode(chunk as Buffer, { stream: true }));
    }
    parser.write(decoder.decode());
    parser.end();
  } catch (err) {
    if (err instanceof TroveError) throw err;
    if ((err as NodeJS.ErrnoException).code === 'ERR_ENCODING_INVALID_ENCODED_DATA') throw await notDecodable(file, enc.encoding, format);
    throw withContext(`cannot read DAT ${file}`, err);
  }
  return { file, format, header: header!, games, fileSha1: sha1.digest('hex') };
}
