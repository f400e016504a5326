import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkDeviceName, MAX_DEVICE_NAME_CHARS } from '../../src/store/device-name.js';
import { Library } from '../../src/store/library.js';
import { tempDir } from '../helpers/cli.js';

describe('checkDeviceName', () => {
  it('accepts one line of text, trimmed', () => {
    expect(checkDeviceName('  Anna’s Steam Deck ')).toBe('Anna’s Steam Deck');
  });
  it('refuses empty, control characters and overlong names', () => {
    expect(() => checkDeviceName('  ')).toThrow(/must not be empty/);
    expect(() => checkDeviceName('x\u001b]0;PWNED\u0007')).toThrow(expect.objectContaining({ code: 'BAD_INPUT', message: expect.stringContaining('control character') }));
    expect(() => checkDeviceName('two\nlines')).toThrow(/control character/);
    expect(() => checkDeviceName('x'.repeat(MAX_DEVICE_NAME_CHARS + 1))).toThrow(/at most 64/);
  });
  it('is enforced by init and by renaming, leaving the old name on refusal', () => {
    const dir = tempDir();
    try {
      expect(() => Library.init(path.join(dir, 'bad'), { deviceName: 'a\rb' })).toThrow(/control character/);
      const { library } = Library.init(path.join(dir, 'lib'), { deviceName: 'laptop' });
      expect(() => library.setDeviceName('evil\u001b[2J')).toThrow(/control character/);
      expect(library.device().name).toBe('laptop');
      library.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
