// Settings on a real library: device name (editable), remote with credentials masked, concurrency.
import fs from 'node:fs';
import path from 'node:path';
import { render } from 'ink-testing-library';
import { afterAll, describe, expect, it } from 'vitest';
import { Library } from '../../src/store/library.js';
import { App } from '../../src/tui/App.js';
import { StoreServices } from '../../src/tui/store-services.js';
import { tempDir } from '../helpers/cli.js';
import { KEY, press, pressNoop, waitForText } from './helpers.js';

const dir = tempDir('trove-tui-settings-');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('settings screen', () => {
  it('shows the remote with secrets masked, renames the device and sets concurrency', async () => {
    const { library } = Library.init(path.join(dir, 'lib'), { deviceName: 'old name' });
    // A stored option that looks like a credential (an older config, say) must never be shown.
    library.setSetting('remote', JSON.stringify({ scheme: 's3', options: { bucket: 'games', endpoint: 'http://127.0.0.1:9000', secret_access_key: 'hunter2-very-secret' } }));
    const services = new StoreServices(library);
    const r = render(<App services={services} size={{ columns: 100, rows: 24 }} />);
    await waitForText(r, 'No systems yet');
    let f = await press(r, '5', 's3://games at http://127.0.0.1:9000');
    expect(f).toMatch(/secret_access… \*\*\*\*/);
    expect(f).not.toContain('hunter2');
    expect(f).toContain('8 transfers at a time');
    await press(r, KEY.enter, 'Device name: old name');
    for (let i = 0; i < 8; i++) r.stdin.write(KEY.backspace);
    await waitForText(r, /Device name:\s*$/m);
    r.stdin.write('living room');
    f = await press(r, KEY.enter, 'Device name set to living room');
    expect(library.device().name).toBe('living room');
    await press(r, 'G');
    await press(r, KEY.enter, 'Concurrency (1–64): 8');
    r.stdin.write(KEY.backspace);
    r.stdin.write('3');
    await press(r, KEY.enter, '3 transfers at a time');
    await press(r, KEY.enter, 'Concurrency (1–64): 3');
    r.stdin.write('00');
    f = await press(r, KEY.enter, 'concurrency must be a whole number from 1 to 64');
    // QA T9: the prompt stays open with the reason; the next keys are typed into it, not taken as
    // commands ('1' would switch to Browse).
    expect(f).toContain('Concurrency (1–64): 300');
    for (let i = 0; i < 3; i++) r.stdin.write(KEY.backspace);
    await waitForText(r, /Concurrency \(1–64\):\s*$/m);
    r.stdin.write('1');
    f = await press(r, KEY.enter, '1 transfer at a time');
    expect(f).not.toContain('1 transfers');
    expect(f).toContain('Settings');
    r.unmount();
    services.close();
  });
});

describe('settings screen keys (QA2 F1)', () => {
  it('keeps its keys after 5 is pressed while already on Settings', async () => {
    const { library } = Library.init(path.join(dir, 'lib-f1'), { deviceName: 'desk' });
    const services = new StoreServices(library);
    const r = render(<App services={services} size={{ columns: 100, rows: 24 }} />);
    await waitForText(r, 'No systems yet');
    await press(r, '5', '8 transfers at a time');
    // The current section: a no-op, and the screen must stay listening (pressed more than once: the
    // first no-op may not re-render the app at all).
    for (let i = 0; i < 3; i++) await pressNoop(r, '5');
    await press(r, KEY.enter, 'Device name: desk');
    r.unmount();
    services.close();
  });
});

describe('settings with wide characters (QA2 F2)', () => {
  it('a device name in Japanese with an emoji keeps "⏎ edit" whole at the end of its row', async () => {
    const { library } = Library.init(path.join(dir, 'lib-f2'), { deviceName: 'ノートPC 🎮 é' });
    const services = new StoreServices(library);
    const r = render(<App services={services} size={{ columns: 120, rows: 24 }} />);
    await waitForText(r, 'No systems yet');
    const f = await press(r, '5', 'ノートPC 🎮 é');
    const row = f.split('\n').find((l) => l.includes('ノートPC'))!;
    expect(row).toMatch(/⏎ edit\s*$/);
    r.unmount();
    services.close();
  });
});
