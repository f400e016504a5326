// End to end: the built binary in tmux on a demo library. Open a system, open a release, see its
// files. Needs `npx tsc -p .` first (the suite runs dist/).
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, tempDir } from '../helpers/cli.js';
import { hasTmux, TmuxSession } from './tmux.js';

// Downloading from the TUI is wired to the real transfer queue (issue 4): the demo library has a folder
// remote and CloudOnly releases, and `d` downloads one of them back.
const TRANSFERS_WIRED = true;

const tmux = hasTmux();
const dir = tempDir('trove-e2e-tui-');
const sessions: TmuxSession[] = [];
afterAll(() => {
  for (const s of sessions) s.kill();
  fs.rmSync(dir, { recursive: true, force: true });
});

function start(args: string[]): TmuxSession {
  const s = new TmuxSession([process.execPath, CLI, ...args], { env: { XDG_DATA_HOME: path.join(dir, 'xdg'), TERM: 'xterm-256color' } });
  sessions.push(s);
  return s;
}

describe.skipIf(!tmux)(`trove in a terminal (tmux)${tmux ? '' : ' — skipped: tmux is not installed (apt-get install tmux)'}`, () => {
  it('opens the demo library: a system, a release, its file sets and files', async () => {
    const s = start(['demo', '--open', '--library', path.join(dir, 'demo')]);
    let screen = await s.waitFor('Nintendo - Super Nintendo Entertainment System', 60_000);
    expect(screen).toContain('Releases');
    s.send('j', 'Enter');
    screen = await s.waitFor(/1 of 16/);
    expect(screen).toContain('Nintendo - Super Nintendo Entertainment System');
    await s.waitFor(/›\S.*local/);
    s.send('Enter');
    screen = await s.waitFor(/rom\s+rom\s+\d/);
    expect(screen).toMatch(/manual\s+manual/);
    s.send('G'); // file sets sort by type: rom is last
    await s.waitFor(/›rom\s+rom/);
    s.send('Enter');
    screen = await s.waitFor(/sha1 [0-9a-f]{40}/);
    expect(screen).toMatch(/› rom\n/);
    expect(screen).toMatch(/›\S.*\s[0-9a-f]{12}\s+local/);
    for (const line of screen.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
    s.send('q');
    await s.waitFor(/rom\s+rom\s+\d/);
    s.send('1');
    s.send('q', 'q', 'q');
    await s.waitFor(/\$|^\s*$/m, 10_000).catch(() => undefined);
  }, 90_000);

  it.skipIf(!TRANSFERS_WIRED)('downloads a release with d and its badge turns local', async () => {
    // The demo's first system is uploaded to its folder remote, with every third release dropped
    // locally (CloudOnly): the first release is one of them.
    const lib = path.join(dir, 'demo');
    const s = start(['--library', lib]);
    await s.waitFor('Nintendo - Super Nintendo Entertainment System');
    s.send('Enter');
    await s.waitFor(/›\S.*cloud/);
    s.send('d');
    // The message line says so first (info messages clear themselves after a few seconds).
    await s.waitFor('Queued', 15_000);
    await s.waitFor(/›\S.*local\+cloud/, 30_000);
    s.send('2');
    await s.waitFor(/done\s+↓/);
  }, 90_000);
});
