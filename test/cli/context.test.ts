import { afterEach, describe, expect, it, vi } from 'vitest';
import { Output } from '../../src/cli/context.js';
import { printable } from '../../src/store/printable.js';

function captured(fn: () => void): { text: string; writes: number } {
  const chunks: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => {
    chunks.push(String(c));
    return true;
  });
  try {
    fn();
  } finally {
    spy.mockRestore();
  }
  return { text: chunks.join(''), writes: chunks.length };
}

afterEach(() => vi.restoreAllMocks());

describe('Output.results (ls, streamed)', () => {
  const rows = [
    { id: 'a', name: 'Alpha (USA)', nested: { n: 1, list: [1, 2] } },
    { id: 'b', name: 'line\nbreak "quoted" \u001b[31m', nested: { n: 2, list: [] } },
  ];

  for (const n of [0, 1, 2]) {
    it(`--json prints exactly what JSON.stringify(rows, null, 2) would, for ${n} row(s)`, () => {
      const { text } = captured(() => new Output(true, false).results(rows.slice(0, n), () => 'unused'));
      expect(text).toBe(JSON.stringify(rows.slice(0, n), null, 2) + '\n');
      expect(JSON.parse(text)).toEqual(rows.slice(0, n));
    });
  }

  it('text: one printable line per row; --quiet prints nothing, --json even with --quiet', () => {
    const text = captured(() => new Output(false, false).results(rows, (r) => r.name)).text;
    expect(text).toBe(`Alpha (USA)\n${printable(rows[1]!.name)}\n`);
    expect(text.split('\n')).toHaveLength(3); // the name's own line break is shown escaped, not printed
    expect(text).not.toContain('\u001b');
    expect(captured(() => new Output(false, true).results(rows, (r) => r.name)).text).toBe('');
    expect(JSON.parse(captured(() => new Output(true, true).results(rows, (r) => r.name)).text)).toEqual(rows);
  });

  it('reads rows as it writes them, in chunks, never the whole list at once', () => {
    let produced = 0;
    function* many() {
      for (let i = 0; i < 20_000; i++) {
        produced++;
        yield { id: String(i), name: `Release ${i} ${'x'.repeat(40)}` };
      }
    }
    const seenAtWrite: number[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation(() => {
      seenAtWrite.push(produced);
      return true;
    });
    new Output(true, false).results(many(), () => '');
    spy.mockRestore();
    expect(seenAtWrite.length).toBeGreaterThan(10);
    expect(seenAtWrite[0]!).toBeLessThan(20_000); // the first chunk went out long before the last row was read
  });
});
