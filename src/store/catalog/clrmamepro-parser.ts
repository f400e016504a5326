// Streaming clrmamepro text parser: `key ( field value … sub ( … ) )` blocks. Text is fed in chunks
// (write/end), so memory holds one top-level block at a time, never the whole file. Every error names
// the file and line. Recognised blocks: `clrmamepro` (header), `game` / `machine` / `resource`
// (games); other top-level blocks (`emulator`, …) are skipped.
import { datError } from './dat-error.js';
import { emptyHeader, MAX_TOKEN_CHARS, type DatGame, type DatHeader } from './dat-model.js';
import { romFromFields } from './rom-fields.js';

interface Block {
  key: string;
  line: number;
  fields: [key: string, value: string, line: number][];
  children: Block[];
  /** A field key waiting for its value or for `(`. */
  pendingKey: string | null;
  pendingLine: number;
}

const GAME_BLOCKS = new Set(['game', 'machine', 'resource']);
const HEADER_KEYS = ['name', 'description', 'version', 'date', 'author', 'homepage', 'url'] as const;

export interface ClrMameProHandlers {
  header(h: DatHeader): void;
  game(g: DatGame): void;
}

function isDelimiter(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 40 || c === 41 || c === 34;
}

export class ClrMameProParser {
  private line = 1;
  /** Tokenizer state: a quoted string or bare word in progress, with the line it started on. */
  private token: { quoted: boolean; text: string; line: number } | null = null;
  private stack: Block[] = [];
  /** A top-level key seen, waiting for its `(`. */
  private topKey: { key: string; line: number } | null = null;
  private sawHeader = false;

  constructor(
    private readonly file: string,
    private readonly on: ClrMameProHandlers,
  ) {}

  write(chunk: string): void {
    const n = chunk.length;
    let i = 0;
    while (i < n) {
      const tok = this.token;
      if (tok?.quoted) {
        const end = chunk.indexOf('"', i);
        const stop = end === -1 ? n : end;
        for (let k = chunk.indexOf('\n', i); k !== -1 && k < stop; k = chunk.indexOf('\n', k + 1)) this.line++;
        this.checkLength(tok, stop - i, chunk, i);
        tok.text += chunk.slice(i, stop);
        if (end === -1) return;
        this.token = null;
        this.onValue(tok.text, tok.line);
        i = end + 1;
        continue;
      }
      if (tok) {
        // A bare word continues up to whitespace, a parenthesis or a quote (maybe in the next chunk).
        let j = i;
        while (j < n && !isDelimiter(chunk.charCodeAt(j))) j++;
        this.checkLength(tok, j - i, chunk, i);
        tok.text += chunk.slice(i, j);
        if (j === n) return;
        this.token = null;
        this.onValue(tok.text, tok.line);
        i = j;
      }
      const c = chunk.charCodeAt(i);
      if (c === 10) {
        this.line++;
        i++;
      } else if (c === 32 || c === 9 || c === 13) {
        i++;
      } else if (c === 40) {
        this.open();
        i++;
      } else if (c === 41) {
        this.close();
        i++;
      } else if (c === 34) {
        this.token = { quoted: true, text: '', line: this.line };
        i++;
      } else {
        this.token = { quoted: false, text: '', line: this.line };
      }
    }
  }

  /** Refuse a token that would pass MAX_TOKEN_CHARS before appending to it (so it is never held whole). */
  private checkLength(tok: { quoted: boolean; text: string; line: number }, more: number, chunk: string, from: number): void {
    if (tok.text.length + more <= MAX_TOKEN_CHARS) return;
    const what = tok.quoted ? 'quoted string' : 'word';
    const start = (tok.text.slice(0, 40) + chunk.slice(from, from + 40)).slice(0, 40);
    throw datError(this.file, tok.line, `a ${what} longer than ${MAX_TOKEN_CHARS} characters (${JSON.stringify(start)}…): a DAT with text this long is broken or hostile; nothing was imported`);
  }

  end(): void {
    if (this.token?.quoted) throw datError(this.file, this.token.line, 'unclosed quoted string');
    if (this.token) {
      const t = this.token;
      this.token = null;
      this.onValue(t.text, t.line);
    }
    const open = this.stack[this.stack.length - 1];
    if (open) throw datError(this.file, open.line, `unclosed parenthesis: "${open.key} (" opened here is never closed`);
    if (this.topKey) throw datError(this.file, this.topKey.line, `"${this.topKey.key}" without a "(" block`);
    if (!this.sawHeader) throw datError(this.file, 1, 'no "clrmamepro (" header block');
  }

  private onValue(text: string, line: number): void {
    const top = this.stack[this.stack.length - 1];
    if (!top) {
      if (this.topKey) throw datError(this.file, this.topKey.line, `"${this.topKey.key}" must be followed by "("`);
      this.topKey = { key: text, line };
      return;
    }
    if (top.pendingKey === null) {
      top.pendingKey = text;
      top.pendingLine = line;
    } else {
      top.fields.push([top.pendingKey, text, top.pendingLine]);
      top.pendingKey = null;
    }
  }

  private open(): void {
    const top = this.stack[this.stack.length - 1];
    if (!top) {
      if (!this.topKey) throw datError(this.file, this.line, 'unexpected "(" (expected a block name such as "game")');
      this.stack.push({ key: this.topKey.key, line: this.topKey.line, fields: [], children: [], pendingKey: null, pendingLine: 0 });
      this.topKey = null;
      return;
    }
    if (top.pendingKey === null) throw datError(this.file, this.line, `unexpected "(" inside "${top.key}" (expected a field name)`);
    const child: Block = { key: top.pendingKey, line: top.pendingLine, fields: [], children: [], pendingKey: null, pendingLine: 0 };
    top.pendingKey = null;
    top.children.push(child);
    this.stack.push(child);
  }

  private close(): void {
    const top = this.stack.pop();
    if (!top) throw datError(this.file, this.line, 'unexpected ")" with no open block');
    if (top.pendingKey !== null) throw datError(this.file, top.pendingLine, `field "${top.pendingKey}" in "${top.key}" has no value`);
    if (this.stack.length === 0) this.emit(top);
  }

  private emit(block: Block): void {
    const key = block.key.toLowerCase();
    if (key === 'clrmamepro') {
      const h = emptyHeader();
      for (const [k, v] of block.fields) {
        const lk = k.toLowerCase();
        if ((HEADER_KEYS as readonly string[]).includes(lk)) (h as unknown as Record<string, string>)[lk] = v;
      }
      if (!h.name) throw datError(this.file, block.line, 'header "clrmamepro (" has no name');
      h.line = block.line;
      this.sawHeader = true;
      this.on.header(h);
      return;
    }
    if (!GAME_BLOCKS.has(key)) return;
    if (!this.sawHeader) throw datError(this.file, block.line, `"${block.key}" before the "clrmamepro (" header`);
    const f: Record<string, string> = {};
    for (const [k, v] of block.fields) if (!(k.toLowerCase() in f)) f[k.toLowerCase()] = v;
    if (!f.name) throw datError(this.file, block.line, `${block.key} without a name`);
    const roms = [];
    for (const child of block.children) {
      if (child.key.toLowerCase() !== 'rom') continue; // disk, sample, …: not files trove stores
      const rf: Record<string, string> = {};
      for (const [k, v] of child.fields) rf[k.toLowerCase()] = v;
      roms.push(romFromFields(this.file, child.line, rf));
    }
    this.on.game({
      name: f.name,
      description: f.description ?? null,
      cloneOf: f.cloneof || null,
      region: f.region || null,
      roms,
      line: block.line,
    });
  }
}
