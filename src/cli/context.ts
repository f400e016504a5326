// What every command handler gets: parsed global options, output, and the library it works on.
import { Library, resolveLibraryDir } from '../store/library.js';
import { printable } from '../store/printable.js';

export interface GlobalArgs {
  library?: string;
  json?: boolean;
  quiet?: boolean;
}

export class Output {
  constructor(
    readonly json: boolean,
    readonly quiet: boolean,
  ) {}

  static from(argv: GlobalArgs): Output {
    return new Output(!!argv.json, !!argv.quiet);
  }

  /**
   * The command's result: JSON on stdout with --json, else the text lines (unless --quiet). Each
   * line is made printable: names from DATs and file systems are printed as they are, except that
   * control characters (escape sequences, line breaks inside a name) show as `\x1b`-style escapes.
   */
  result(data: unknown, text: () => string | string[]): void {
    if (this.json) {
      process.stdout.write(JSON.stringify(data, null, 2) + '\n');
      return;
    }
    if (this.quiet) return;
    const t = text();
    const lines = Array.isArray(t) ? t : [t];
    if (lines.length) process.stdout.write(lines.map(printable).join('\n') + '\n');
  }

  /**
   * A list result written as it is read (`ls` of a 100k-release catalogue must not hold it all, nor
   * its JSON text, in memory): with --json the same array `result` would print, element by element;
   * else one printable line per row (unless --quiet). Written in chunks of about 64 KiB.
   */
  results<T>(rows: Iterable<T>, line: (row: T) => string): void {
    if (!this.json && this.quiet) return;
    let buf = '';
    let n = 0;
    const flush = () => {
      if (buf) process.stdout.write(buf);
      buf = '';
    };
    for (const row of rows) {
      if (this.json) buf += (n ? ',\n  ' : '[\n  ') + JSON.stringify(row, null, 2).replace(/\n/g, '\n  ');
      else buf += printable(line(row)) + '\n';
      n++;
      if (buf.length >= 64 * 1024) flush();
    }
    if (this.json) buf += n ? '\n]\n' : '[]\n';
    flush();
  }

  /** Informational text for people: stderr, never with --json or --quiet. */
  info(line: string): void {
    if (!this.json && !this.quiet) process.stderr.write(printable(line) + '\n');
  }

  /** Warnings go to stderr even with --json (stdout stays machine-readable). */
  warn(line: string): void {
    if (!this.quiet) process.stderr.write(`warning: ${printable(line)}\n`);
  }
}

export function libraryDir(argv: GlobalArgs): string {
  return resolveLibraryDir(argv.library);
}

/** Open the library for the duration of `fn`. */
export async function withLibrary<T>(argv: GlobalArgs, fn: (lib: Library) => Promise<T> | T): Promise<T> {
  const lib = Library.open(libraryDir(argv));
  try {
    return await fn(lib);
  } finally {
    lib.close();
  }
}

export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${n} B` : `${v.toFixed(v < 10 ? 2 : 1)} ${units[u]}`;
}
