// Widths in terminal cells (QA2 F2): wide characters (CJK, emoji) take two cells, combining marks
// none; a cut never splits a wide character, a surrogate pair or an emoji sequence.
import stringWidth from 'string-width';
import { describe, expect, it } from 'vitest';
import { cell, fit, fitMiddle, textWidth, wrapLines, wrapWords } from '../../src/tui/format.js';

const DRAGON = 'ドラゴンクエスト 🐉 (Japan)'; // 8 wide + space + emoji (2) + " (Japan)"
const lone = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

describe('textWidth', () => {
  it('counts cells: ASCII one, CJK and emoji two, a combining mark none', () => {
    expect(textWidth('Mario')).toBe(5);
    expect(textWidth('ゲーム機')).toBe(8);
    expect(textWidth('🐉')).toBe(2);
    expect(textWidth('e\u0301')).toBe(1); // é as e + combining acute
    expect(textWidth(DRAGON)).toBe(16 + 1 + 2 + 8);
  });
});

describe('fit', () => {
  it('keeps text that fits, counted in cells', () => {
    expect(fit('ゲーム機', 8)).toBe('ゲーム機');
    expect(fit('ゲーム機', 7)).toBe('ゲーム…');
  });

  it('never goes past the width with wide characters (it used to count code units)', () => {
    for (let w = 1; w <= 30; w++) expect(textWidth(fit(DRAGON, w))).toBeLessThanOrEqual(w);
    expect(fit(DRAGON, 10)).toBe('ドラゴン…'); // 8 cells + …, the 5th character (2 cells) does not fit in 1
  });

  it('never splits a surrogate pair or an emoji sequence', () => {
    const family = '👨‍👩‍👧 family';
    for (let w = 1; w <= 12; w++) {
      expect(fit(`a🐉🐉🐉🐉`, w)).not.toMatch(lone);
      const f = fit(family, w);
      expect(f).not.toMatch(lone);
      expect(f.startsWith('👨‍👩‍👧') || f === '…' || !f.includes('\u200d')).toBe(true);
    }
    expect(fit('a🐉🐉🐉', 4)).toBe('a🐉…');
    expect(fit('a🐉🐉🐉', 5)).toBe('a🐉…'); // the next emoji needs 2 cells; 1 is left
  });

  it('keeps a combining mark with its letter', () => {
    expect(fit('Pokémon Café', 8)).toBe('Pokémon…');
    expect(fit('Poke\u0301mon Cafe\u0301', 5)).toBe('Poke\u0301…');
  });
});

describe('cell', () => {
  it('pads to exactly the width in cells, left or right', () => {
    for (const text of [DRAGON, 'ゲーム機', 'Super Mario Bros. (World)', '🐉', '']) {
      for (let w = 1; w <= 30; w++) {
        expect(stringWidth(cell(text, w))).toBe(w);
        expect(stringWidth(cell(text, w, 'right'))).toBe(w);
      }
    }
    expect(cell('ゲーム', 8)).toBe('ゲーム  ');
    expect(cell('2 B', 6, 'right')).toBe('   2 B');
  });
});

describe('fitMiddle', () => {
  it('cuts the middle in cells and keeps both ends whole', () => {
    const label = 'ゲーム機 › ドラゴンクエスト 🐉 (Japan) · rom 8d8a99fc';
    for (let w = 8; w <= 50; w++) {
      const f = fitMiddle(label, w);
      expect(textWidth(f)).toBeLessThanOrEqual(w);
      expect(f).not.toMatch(lone);
    }
    expect(fitMiddle(label, 30)).toMatch(/^ゲーム機.*….*rom 8d8a99fc$/);
  });
});

describe('wrapLines', () => {
  it('wraps in cells, splitting no wide character, and cuts the last line with …', () => {
    const text = 'ダウンロードできません: ' + DRAGON + ' はどこにもありません';
    const lines = wrapLines(text, 10, 3);
    expect(lines).toHaveLength(3);
    for (const l of lines) {
      expect(textWidth(l)).toBeLessThanOrEqual(10);
      expect(l).not.toMatch(lone);
    }
    expect(lines[2]!.endsWith('…')).toBe(true);
    expect(wrapLines('ゲーム機', 4, 3)).toEqual(['ゲー', 'ム機']);
    expect(wrapLines('abcdefgh', 3, 2)).toEqual(['abc', 'de…']); // ASCII as before
    expect(wrapLines('🐉🐉', 1, 3)).toEqual(['🐉', '🐉']); // a cluster wider than the line still moves on
  });
});

describe('wrapWords', () => {
  it('keeps a line that fits as it is', () => {
    expect(wrapWords('Local changes none', 40, 14)).toEqual(['Local changes none']);
  });

  it('breaks after list separators, continuing under the value column, and loses nothing (QA2 F5.2)', () => {
    const line = 'Local changes +48 release, +23 software_title, +3 system, +96 file_set, +120 file, +1 dat_import';
    const lines = wrapWords(line, 40, 14);
    expect(lines).toEqual([
      'Local changes +48 release,',
      '              +23 software_title,',
      '              +3 system, +96 file_set,',
      '              +120 file, +1 dat_import',
    ]);
    for (const l of lines) expect(textWidth(l)).toBeLessThanOrEqual(40);
    expect(lines.map((l) => l.trim()).join(' ')).toBe(line);
  });

  it('wraps prose at spaces, in cells', () => {
    const text = 'CONFLICT: the remote moved on and this database changed too. l settles it: cloud, local or merge.';
    const lines = wrapWords(text, 30);
    for (const l of lines) expect(textWidth(l)).toBeLessThanOrEqual(30);
    expect(lines.join(' ').replace(/\s+/g, ' ')).toBe(text);
    const wide = wrapWords('ゲーム機 ドラゴンクエスト ドラゴンクエスト', 12);
    for (const l of wide) expect(textWidth(l)).toBeLessThanOrEqual(12);
    expect(wrapWords('abcdefghijklmnop', 8)).toEqual(['abcdefg…']); // one word wider than the line
  });
});
