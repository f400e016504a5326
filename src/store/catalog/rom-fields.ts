// Turn a rom's raw DAT fields (strings, any case) into a DatRom, or a file:line error. Shared by both
// parsers so clrmamepro and Logiqx input is held to the same rules.
import { datError } from './dat-error.js';
import type { DatRom } from './dat-model.js';

function hex(file: string, line: number, field: string, raw: string | undefined, digits: number, pad: boolean): string | null {
  if (raw === undefined) return null;
  let v = raw.trim().toLowerCase();
  if (v === '' || v === '-') return null;
  if (v.startsWith('0x')) v = v.slice(2);
  if (pad && v.length < digits) v = v.padStart(digits, '0');
  if (v.length !== digits || !/^[0-9a-f]+$/.test(v)) throw datError(file, line, `rom ${field} ${JSON.stringify(raw)} is not ${digits} hex digits`);
  return v;
}

function size(file: string, line: number, raw: string | undefined): number | null {
  if (raw === undefined || raw.trim() === '') return null;
  const v = raw.trim();
  const n = /^0x[0-9a-f]+$/i.test(v) ? Number.parseInt(v.slice(2), 16) : /^[0-9]+$/.test(v) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n) || n < 0) throw datError(file, line, `rom size ${JSON.stringify(raw)} is not a byte count`);
  return n;
}

export function romFromFields(file: string, line: number, f: Record<string, string | undefined>): DatRom {
  const name = f.name;
  if (name === undefined || name === '') throw datError(file, line, 'rom without a name');
  return {
    name,
    size: size(file, line, f.size),
    crc32: hex(file, line, 'crc', f.crc ?? f.crc32, 8, true),
    md5: hex(file, line, 'md5', f.md5, 32, false),
    sha1: hex(file, line, 'sha1', f.sha1, 40, false),
    status: f.status?.trim().toLowerCase() || (f.flags?.trim().toLowerCase() ?? null) || null,
    line,
  };
}
