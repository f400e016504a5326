// A fixdat: the missing part of a collection as a Logiqx XML DAT that igir (`--dat`) and RomVault read.
// One <game> per incomplete release holding only its missing roms (RomVault's fixdat shape). Text is
// XML-escaped, including tab/CR/LF in attributes; a name with a character XML 1.0 cannot carry at all
// (other control characters) is left out and reported rather than written as a broken file.
import { writeFileAtomic } from '../atomic-fs.js';
import type { MissingRelease } from './report.js';

// eslint-disable-next-line no-control-regex
const NOT_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export function xmlAttr(s: string): string {
  return s.replace(/[&<>"'\t\n\r]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;', '\t': '&#9;', '\n': '&#10;', '\r': '&#13;' })[c]!);
}

export function xmlText(s: string): string {
  return s.replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c]!);
}

export function canBeXml(s: string): boolean {
  return !NOT_XML.test(s);
}

export interface FixdatResult {
  path: string;
  games: number;
  roms: number;
  /** Names XML cannot hold, left out. */
  skipped: string[];
}

export function fixdatText(name: string, missing: MissingRelease[], now = new Date()): { text: string; games: number; roms: number; skipped: string[] } {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE datafile PUBLIC "-//Logiqx//DTD ROM Management Datafile//EN" "http://www.logiqx.com/Dats/datafile.dtd">',
    '<datafile>',
    '\t<header>',
    `\t\t<name>${xmlText(name)}</name>`,
    `\t\t<description>${xmlText(name)}</description>`,
    `\t\t<version>${stamp}</version>`,
    `\t\t<date>${stamp}</date>`,
    '\t\t<author>trove</author>',
    '\t</header>',
  ];
  const skipped: string[] = [];
  let games = 0;
  let roms = 0;
  for (const m of missing) {
    if (!canBeXml(m.release)) {
      skipped.push(m.release);
      continue;
    }
    const romLines: string[] = [];
    const seen = new Set<string>();
    for (const r of m.roms) {
      if (!canBeXml(r.name)) {
        skipped.push(`${m.release} › ${r.name}`);
        continue;
      }
      if (seen.has(r.name)) continue;
      seen.add(r.name);
      const attrs = [`name="${xmlAttr(r.name)}"`, `size="${r.size}"`];
      if (r.crc32) attrs.push(`crc="${r.crc32}"`);
      if (r.md5) attrs.push(`md5="${r.md5}"`);
      if (r.sha1) attrs.push(`sha1="${r.sha1}"`);
      romLines.push(`\t\t<rom ${attrs.join(' ')}/>`);
    }
    if (!romLines.length) continue;
    games++;
    roms += romLines.length;
    lines.push(`\t<game name="${xmlAttr(m.release)}">`, `\t\t<description>${xmlText(m.release)}</description>`, ...romLines, '\t</game>');
  }
  lines.push('</datafile>', '');
  return { text: lines.join('\n'), games, roms, skipped };
}

export async function writeFixdat(file: string, name: string, missing: MissingRelease[]): Promise<FixdatResult> {
  const { text, games, roms, skipped } = fixdatText(name, missing);
  await writeFileAtomic(file, text);
  return { path: file, games, roms, skipped };
}
