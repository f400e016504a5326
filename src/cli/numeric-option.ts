// Numeric command-line options checked where they are parsed: `--concurrency abc` is a usage error
// (exit 2) naming the option, never a NaN handed on to a queue that then crashes.
import { UsageError } from './usage-error.js';

/**
 * A yargs `coerce` for a whole number in [min, max]: yargs has already turned the text into a
 * number (NaN when it is not one). The UsageError thrown here reaches the `.fail` handler.
 */
export function wholeNumber(option: string, min: number, max = Number.MAX_SAFE_INTEGER): (value: unknown) => number | undefined {
  return (value) => {
    if (value === undefined) return undefined;
    const n = Array.isArray(value) ? value[value.length - 1] : value;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
      const range = max === Number.MAX_SAFE_INTEGER ? `of at least ${min}` : `from ${min} to ${max}`;
      throw new UsageError(`--${option} needs a whole number ${range}${typeof n === 'number' && !Number.isNaN(n) ? ` (got ${n})` : ''}`);
    }
    return n;
  };
}
