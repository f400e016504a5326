import { describe, expect, it } from 'vitest';
import { printable } from '../../src/store/printable.js';

describe('printable', () => {
  it('shows control characters as visible escapes', () => {
    expect(printable('Evil \u001b[31mRED\u001b]0;PWNED\u0007 (USA)')).toBe('Evil \\x1b[31mRED\\x1b]0;PWNED\\x07 (USA)');
    expect(printable('a\nb\tc\u007f\u009b')).toBe('a\\x0ab\\x09c\\x7f\\x9b');
  });
  it('leaves other text alone', () => {
    expect(printable('Pokémon – 日本 (Japan) [!]')).toBe('Pokémon – 日本 (Japan) [!]');
  });
});
