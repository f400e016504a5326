// Streaming Logiqx XML parser on saxes (a SAX parser: events, no DOM), so a 100k-game DAT is never
// held as a tree. Reads <header> fields and each <game>/<machine> with its <rom>s, <release region>,
// `cloneof`; everything else is ignored. Errors (broken XML, a game without a name) name file and line.
import { SaxesParser, type SaxesTagPlain } from 'saxes';
import { datError } from './dat-error.js';
import { emptyHeader, MAX_TOKEN_CHARS, type DatGame, type DatHeader, type DatRom } from './dat-model.js';
import { romFromFields } from './rom-fields.js';

const HEADER_KEYS = new Set(['name', 'description', 'version', 'date', 'author', 'homepage', 'url']);
const GAME_TAGS = new Set(['game', 'machine']);

export interface LogiqxHandlers {
  header(h: DatHeader): void;
  game(g: DatGame): void;
}

export class LogiqxParser {
  private readonly sax: SaxesParser;
  private error: Error | null = null;
  private readonly path: string[] = [];
  private header: DatHeader | null = null;
  private headerDone = false;
  private game: (DatGame & { roms: DatRom[] }) | null = null;
  private text = '';
  private sawRoot = false;

  constructor(
    private readonly file: string,
    private readonly on: LogiqxHandlers,
  ) {
    this.sax = new SaxesParser({ xmlns: false, position: true });
    this.sax.on('error', (err) => {
      if (!this.error) this.error = datError(file, this.sax.line, `broken XML: ${err.message.replace(/^[^:]*:\d+:\d+: /, '')}`);
    });
    this.sax.on('opentag', (tag) => this.guard(() => this.open(tag)));
    this.sax.on('closetag', (tag) => this.guard(() => this.close(tag.name)));
    this.sax.on('text', (t) => {
      if (this.path.length) this.text += t;
    });
    this.sax.on('cdata', (t) => {
      if (this.path.length) this.text += t;
    });
  }

  /** Characters since the last "<" (any text node, attribute value or tag lies within one such run), the line it began on, and the current line. */
  private run = 0;
  private runLine = 1;
  private line = 1;

  write(chunk: string): void {
    this.checkRuns(chunk);
    this.sax.write(chunk);
    if (this.error) throw this.error;
  }

  /**
   * Refuse a piece of text longer than MAX_TOKEN_CHARS before saxes sees (and buffers) it: no run of
   * more than that many characters without a "<". Checked on the chunk, before it is parsed.
   */
  private checkRuns(chunk: string): void {
    if (this.error) return;
    const n = chunk.length;
    for (let i = 0; i < n; i++) {
      const c = chunk.charCodeAt(i);
      if (c === 60) {
        this.run = 0;
        this.runLine = this.line;
        continue;
      }
      if (c === 10) this.line++;
      if (++this.run > MAX_TOKEN_CHARS) {
        this.error = datError(this.file, this.runLine, `more than ${MAX_TOKEN_CHARS} characters of text without markup (one text, attribute value or tag): a DAT with text this long is broken or hostile; nothing was imported`);
        throw this.error;
      }
    }
  }

  end(): void {
    this.sax.close();
    if (this.error) throw this.error;
    if (!this.sawRoot) throw datError(this.file, this.sax.line, 'no <datafile> element: not a Logiqx DAT');
    if (!this.headerDone) throw datError(this.file, this.sax.line, 'no <header> with a <name>');
  }

  private guard(fn: () => void): void {
    if (this.error) return;
    try {
      fn();
    } catch (err) {
      this.error = err as Error;
    }
  }

  private open(tag: SaxesTagPlain): void {
    const parent = this.path[this.path.length - 1];
    this.path.push(tag.name);
    this.text = '';
    const line = this.sax.line;
    if (this.path.length === 1) {
      if (tag.name !== 'datafile') throw datError(this.file, line, `root element <${tag.name}> is not <datafile>: not a Logiqx DAT`);
      this.sawRoot = true;
      return;
    }
    if (this.path.length === 2 && tag.name === 'header') {
      this.header = { ...emptyHeader(), line };
      return;
    }
    if (this.path.length === 2 && GAME_TAGS.has(tag.name)) {
      this.finishHeader(line);
      const name = tag.attributes.name;
      if (!name) throw datError(this.file, line, `<${tag.name}> without a name`);
      this.game = { name, description: null, cloneOf: tag.attributes.cloneof || null, region: null, roms: [], line };
      return;
    }
    if (this.game && this.path.length === 3) {
      if (tag.name === 'rom') this.game.roms.push(romFromFields(this.file, line, tag.attributes));
      else if (tag.name === 'release' && !this.game.region && tag.attributes.region) this.game.region = tag.attributes.region;
      return;
    }
    void parent;
  }

  private close(name: string): void {
    const depth = this.path.length;
    this.path.pop();
    if (depth === 3 && this.header && !this.headerDone && HEADER_KEYS.has(name)) {
      (this.header as unknown as Record<string, string>)[name] = this.text.trim();
    } else if (depth === 3 && this.game && name === 'description') {
      this.game.description = this.text.trim();
    } else if (depth === 2 && name === 'header') {
      this.finishHeader(this.sax.line);
    } else if (depth === 2 && this.game && GAME_TAGS.has(name)) {
      const g = this.game;
      this.game = null;
      this.on.game(g);
    }
    this.text = '';
  }

  private finishHeader(line: number): void {
    if (this.headerDone) return;
    if (!this.header?.name) throw datError(this.file, line, 'no <header> with a <name> before the first game');
    this.headerDone = true;
    this.on.header(this.header);
  }
}
