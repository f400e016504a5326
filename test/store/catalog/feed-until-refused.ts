import { isTroveError } from '../../../src/store/errors.js';

/**
 * Feed a DAT parser `head`, then up to `count` writes of `piece`: which write was refused with
 * BAD_INPUT (its index), the message and the line it names. Throws if none was.
 */
export function feedUntilRefused(parser: { write(text: string): void }, head: string, piece: string, count: number): { at: number; message: string; line: unknown } {
  parser.write(head);
  for (let k = 0; k < count; k++) {
    try {
      parser.write(piece);
    } catch (err) {
      if (!isTroveError(err, 'BAD_INPUT')) throw err;
      return { at: k, message: err.message, line: err.details.line };
    }
  }
  throw new Error('expected a BAD_INPUT error while writing');
}
