// Expected failures: one error class with a closed set of codes. Bugs stay plain exceptions.
// The CLI maps codes to exit codes (src/cli/exit-codes.ts); retry logic branches on `code`, never on text.

export const ERROR_CODES = [
  'BAD_INPUT', // a file, name, DAT or argument that cannot be used as given
  'USAGE', // command line misuse
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'AMBIGUOUS', // a reference that matches more than one thing
  'CONFLICT', // sync: diverged history or local changes in the way
  'CHECKSUM_MISMATCH', // content does not hash to what it should
  'CORRUPT_BLOB', // a blob that is not a valid trove zstd stream
  'CORRUPT_SNAPSHOT',
  'INTEGRITY', // integrity_check / foreign_key_check / verify failures
  'SCHEMA_TOO_NEW', // a database written by a newer trove
  'UNSAFE_PATH', // a name that would escape its target folder
  'CHANGED_WHILE_READING',
  'NO_SPACE',
  'IO',
  'NOT_AVAILABLE', // content neither local nor obtainable
  'REMOTE_UNAVAILABLE',
  'AUTH',
  'INTERRUPTED',
  'REMOTE_CONFIG', // the remote cannot work as configured (missing bucket, invalid options, unsupported operation)
  'REMOTE_ERROR', // a permanent remote failure that is neither auth nor configuration (a 4xx we do not expect)
  'BUSY', // the library is in use by another trove process (or the TUI's own running transfers): try again later
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/**
 * Marks TroveErrors so that `instanceof` holds across copies of this module: the CLI and the TUI are
 * each bundled into one file (scripts/bundle.mjs), and main.ts, the CLI bundle and the TUI bundle
 * each hold their own TroveError class. An error thrown in one is still a TroveError in the others.
 */
const BRAND = Symbol.for('trove.TroveError');

export class TroveError extends Error {
  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }

  readonly code: ErrorCode;
  readonly details: Record<string, unknown>;
  /**
   * The message's line breaks are trove's own (a list of DAT problems, each line made printable where
   * it is built). Otherwise the message is one line, and a line break in it came from a name (a file
   * name may hold one) and is printed escaped, so that a name cannot forge a `trove: …` line.
   */
  readonly multiline: boolean;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; details?: Record<string, unknown>; multiline?: boolean } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TroveError';
    this.code = code;
    this.details = options.details ?? {};
    this.multiline = options.multiline ?? false;
    Object.defineProperty(this, BRAND, { value: true });
  }
}

export function isTroveError(err: unknown, code?: ErrorCode): err is TroveError {
  return err instanceof TroveError && (code === undefined || err.code === code);
}

function ioCode(e: NodeJS.ErrnoException | undefined): ErrorCode {
  return e?.code === 'ENOSPC' || e?.code === 'SQLITE_FULL' || e?.code === 'EDQUOT' ? 'NO_SPACE' : 'IO';
}

/** Wrap a low-level failure with short context, keeping TroveErrors' codes. */
export function withContext(context: string, err: unknown): TroveError {
  if (err instanceof TroveError) {
    return new TroveError(err.code, `${context}: ${err.message}`, { cause: err, details: err.details, multiline: err.multiline });
  }
  const e = err as NodeJS.ErrnoException;
  return new TroveError(ioCode(e), `${context}: ${e?.message ?? String(err)}`, { cause: err });
}

/**
 * A failed system call as Node reports it: `code` 'E…' (the errno name) and `syscall`, usually with
 * `path` (and `dest` for rename, link, copy). Such a failure comes from the file system the user gave
 * us (a folder that is a file, a read-only disk, a full disk), not from a bug in trove.
 */
export function isErrnoError(err: unknown): err is NodeJS.ErrnoException & { code: string; syscall: string } {
  const e = err as NodeJS.ErrnoException | undefined;
  return err instanceof Error && typeof e?.code === 'string' && /^E[A-Z0-9]+$/.test(e.code) && typeof e.syscall === 'string';
}

/**
 * A failed system call as a TroveError (IO, or NO_SPACE for a full disk or quota) whose message names
 * the call, the path(s) and the real errno: "rename /out/.x.tmp → /out/rom/a.bin: EISDIR (illegal
 * operation on a directory)". `details` carry errno, syscall, path and dest for --json.
 */
export function fromErrnoError(err: NodeJS.ErrnoException & { code: string; syscall: string }, context?: string): TroveError {
  // Node's message is "<CODE>: <description>, <syscall> '<path>'[ -> '<dest>']"; keep the description.
  const description = new RegExp(`^${err.code}: (.*?), ${err.syscall}\\b`).exec(err.message)?.[1];
  const dest = (err as { dest?: string }).dest;
  const where = [err.syscall, err.path, dest === undefined ? undefined : `→ ${dest}`].filter((x) => x !== undefined).join(' ');
  const message = `${context ? `${context}: ` : ''}${where}: ${err.code}${description ? ` (${description})` : ''}`;
  return new TroveError(ioCode(err), message, { cause: err, details: { errno: err.code, syscall: err.syscall, path: err.path, ...(dest === undefined ? {} : { dest }) } });
}
