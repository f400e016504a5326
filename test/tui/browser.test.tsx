// The collection browser on a real library (generated files ingested through the store): systems →
// releases → file sets → files, search, filter, sort, export, and the back key.
import fs from 'node:fs';
import path from 'node:path';
import { render } from 'ink-testing-library';
import stringWidth from 'string-width';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCollection } from '../../fixtures/collection.js';
import { addFiles } from '../../src/store/add-files.js';
import { Library } from '../../src/store/library.js';
import { App } from '../../src/tui/App.js';
import { StoreServices } from '../../src/tui/store-services.js';
import { tempDir } from '../helpers/cli.js';
import { frame, KEY, press, pressNoop, selectedLine, waitFor, waitForText, type Rendered } from './helpers.js';

let dir: string;
let libDir: string;

beforeAll(async () => {
  dir = tempDir('trove-tui-');
  libDir = path.join(dir, 'lib');
  const releases = await generateCollection(path.join(dir, 'src'), { seed: 'tui', systems: 2, titlesPerSystem: 6, regionsPerTitle: 2 });
  const { library } = Library.init(libDir, { deviceName: 'test device' });
  for (const r of releases) {
    for (const s of r.fileSets) {
      await addFiles(library, { paths: s.files.map((f) => f.path), system: r.system, release: r.release, title: r.title, region: r.region, type: s.type, fileSet: s.name });
    }
  }
  library.close();
}, 60_000);

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function open(size = { columns: 100, rows: 24 }): { r: Rendered; services: StoreServices } {
  const services = new StoreServices(Library.open(libDir));
  const r = render(<App services={services} size={size} />);
  return { r, services };
}

/** From the systems screen: open the first system and wait until its rows are loaded. */
async function openReleases(r: Rendered): Promise<string> {
  await waitForText(r, 'Nintendo - Super Nintendo Entertainment System');
  r.stdin.write(KEY.enter);
  return loaded(r, /1 of 12/);
}

/** Wait for `status` and for the rows under it (not yet loaded rows show as …). */
function loaded(r: Rendered, status: RegExp): Promise<string> {
  return waitFor(r, (f) => status.test(f) && !f.includes('counting…') && !f.includes('\n›…') && !f.includes('\n …'), `${status} with its rows`);
}

function close(x: { r: Rendered; services: StoreServices }) {
  x.r.unmount();
  x.services.close();
}

describe('browser', () => {
  it('opens on the systems with their release counts', async () => {
    const x = open();
    const f = await waitForText(x.r, 'Nintendo - Super Nintendo Entertainment System');
    expect(f).toContain('Nintendo - Nintendo Entertainment System');
    expect(selectedLine(f)).toMatch(/Nintendo - Nintendo Entertainment System\s+12/);
    expect(f).toContain('⏎ open');
    close(x);
  });

  it('walks system → release → file sets → files and back with esc', async () => {
    const x = open();
    let f = await openReleases(x.r);
    expect(f).toContain('Availability');
    expect(selectedLine(f)).toMatch(/local/);
    const release = selectedLine(f)!.slice(1).split(/\s{2,}/)[0]!;
    f = await press(x.r, KEY.enter, /rom\s+rom/);
    expect(f).toContain(`› ${release}`);
    f = await press(x.r, 'j');
    f = await press(x.r, KEY.enter, /sha1 [0-9a-f]{40}/);
    const sha = /sha1 ([0-9a-f]{40})/.exec(f)?.[1];
    expect(sha).toBeDefined();
    expect(selectedLine(f)).toContain(sha!.slice(0, 12)); // a prefix in the row, all of it below
    f = await press(x.r, KEY.escape, /rom\s+rom/);
    f = await press(x.r, 'q', /1 of 12/);
    f = await press(x.r, 'h', 'Releases');
    expect(f).toContain('Systems');
    close(x);
  });

  it('going back lands on the row the user came from, at every level, with the release query kept (QA T4)', async () => {
    const x = open();
    await waitForText(x.r, 'Nintendo - Super Nintendo Entertainment System');
    let f = await press(x.r, 'j');
    const system = selectedLine(f)!.slice(1).split(/\s{2,}/)[0]!;
    await press(x.r, KEY.enter, /1 of 12/);
    await press(x.r, 's', 'sort: size');
    await loaded(x.r, /1 of 12 · filter: all · sort: size/);
    for (let i = 2; i <= 5; i++) await press(x.r, 'j', new RegExp(`${i} of 12`));
    f = await loaded(x.r, /5 of 12/);
    const release = selectedLine(f)!.slice(1).split(/\s{2,}/)[0]!;
    f = await press(x.r, KEY.enter, /rom\s+rom/);
    f = await press(x.r, 'j');
    const fileSet = selectedLine(f)!.slice(1).split(/\s{2,}/)[0]!;
    expect(fileSet).not.toBe('');
    await press(x.r, KEY.enter, /sha1 [0-9a-f]{40}/);
    f = await press(x.r, 'h', /rom\s+rom/);
    expect(selectedLine(f)!.slice(1).split(/\s{2,}/)[0]).toBe(fileSet); // `d` here acts on the set just visited
    f = await press(x.r, 'h', /5 of 12/);
    expect(f).toContain('sort: size');
    expect(selectedLine(await loaded(x.r, /5 of 12/))!.slice(1).split(/\s{2,}/)[0]).toBe(release);
    f = await press(x.r, 'h', 'Systems');
    f = await waitFor(x.r, (t) => selectedLine(t)?.includes(system) ?? false, `${system} selected`);
    close(x);
  });

    it('moves the cursor with j/k and arrows, and G/g jump to the ends', async () => {
    const x = open();
    await openReleases(x.r);
    await press(x.r, 'j', /2 of 12/);
    await press(x.r, KEY.down, /3 of 12/);
    await press(x.r, 'k', /2 of 12/);
    await press(x.r, 'G', /12 of 12/);
    await press(x.r, 'g', /1 of 12/);
    close(x);
  });

  it('keeps its keys after 1 is pressed while already in Browse (QA2 F1)', async () => {
    const x = open();
    await waitForText(x.r, 'Nintendo - Super Nintendo Entertainment System');
    // The current section: a no-op, and the screen must stay listening (pressed more than once: the
    // first no-op may not re-render the app at all).
    await pressNoop(x.r, '1');
    await pressNoop(x.r, '1');
    let f = await press(x.r, 'j');
    expect(selectedLine(f)).toContain('Nintendo - Super Nintendo Entertainment System');
    x.r.stdin.write(KEY.enter);
    await loaded(x.r, /1 of 12/);
    await pressNoop(x.r, '1');
    await pressNoop(x.r, '1');
    await press(x.r, 'j', /2 of 12/);
    await loaded(x.r, /2 of 12/); // enter needs the row itself, not its … placeholder
    await pressNoop(x.r, '1');
    await pressNoop(x.r, '1');
    f = await press(x.r, KEY.enter, /rom\s+rom/);
    close(x);
  });

  it('searches release names as you type and esc restores the list', async () => {
    const x = open();
    let f = await openReleases(x.r);
    const word = selectedLine(f)!.slice(1).split(' ')[0]!; // first word of the first release
    await press(x.r, '/', 'Search:');
    for (const ch of word) x.r.stdin.write(ch);
    f = await loaded(x.r, new RegExp(`search: "${word}"`));
    const rows = f.split('\n').filter((l) => /^[› ]\S/.test(l) && /local/.test(l));
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(row.toLowerCase()).toContain(word.toLowerCase());
    x.r.stdin.write(KEY.escape);
    f = await loaded(x.r, /1 of 12 · filter/);
    expect(f).not.toContain('search:');
    close(x);
  });

  it('keeps a search while the list is open underneath, and forgets search and filter when the list is left through back (QA2 F5.3)', async () => {
    const x = open();
    let f = await openReleases(x.r);
    const word = selectedLine(f)!.slice(1).split(' ')[0]!;
    await press(x.r, '/', 'Search:');
    for (const ch of word) x.r.stdin.write(ch);
    await waitForText(x.r, `Search: ${word}`);
    x.r.stdin.write(KEY.enter); // keep it
    await loaded(x.r, new RegExp(`filter: all · sort: name · search: "${word}"`));
    await waitFor(x.r, (t) => selectedLine(t)?.includes(word) ?? false, 'the found release selected'); // enter needs a row
    // A key written in the same instant the prompt closes can be lost under load (noted as a known
    // limit in the closing note); this test is about what the search does, so let the list settle.
    await new Promise((res) => setTimeout(res, 250));
    // Going deeper or to another section and back: the list was open underneath all along.
    await press(x.r, KEY.enter, /rom\s+rom/);
    await press(x.r, KEY.escape, `search: "${word}"`);
    await press(x.r, '2', 'Transfers');
    await press(x.r, '1', `search: "${word}"`);
    await loaded(x.r, new RegExp(`search: "${word}"`));
    // Filter and sort, then back to the systems and in again: every release, sorted as chosen.
    x.r.stdin.write('f');
    await loaded(x.r, new RegExp(`filter: local · sort: name · search: "${word}"`));
    x.r.stdin.write('s');
    await loaded(x.r, new RegExp(`filter: local · sort: size · search: "${word}"`));
    await press(x.r, KEY.escape, 'Systems');
    await waitFor(x.r, (t) => selectedLine(t)?.includes('Nintendo') ?? false, 'the systems listed'); // enter needs a row
    x.r.stdin.write(KEY.enter);
    f = await loaded(x.r, /1 of 12 · filter: all · sort: size$/m);
    expect(f).not.toContain('search:');
    close(x);
  });

  it('cycles the availability filter and the sort', async () => {
    const x = open();
    await openReleases(x.r);
    x.r.stdin.write('f');
    let f = await loaded(x.r, /1 of 12 · filter: local/); // everything was ingested here
    x.r.stdin.write('f');
    f = await waitForText(x.r, /no releases · filter: cloud only/);
    expect(f).toContain('No releases match.');
    x.r.stdin.write('f');
    f = await waitForText(x.r, /no releases · filter: missing/);
    x.r.stdin.write('f');
    await loaded(x.r, /1 of 12 · filter: all/);
    x.r.stdin.write('s');
    f = await loaded(x.r, /1 of 12 · filter: all · sort: size/);
    const sizes = f
      .split('\n')
      .filter((l) => /KiB|MiB| B /.test(l) && /local/.test(l))
      .map((l) => /([\d.]+) (B|KiB|MiB)\s+local/.exec(l)!)
      .map((m) => Number(m[1]) * (m[2] === 'MiB' ? 1 << 20 : m[2] === 'KiB' ? 1024 : 1));
    expect(sizes.length).toBeGreaterThan(3);
    for (let i = 1; i < sizes.length; i++) expect(sizes[i]!).toBeLessThanOrEqual(sizes[i - 1]! * 1.01);
    close(x);
  });

  it('exports the selected release to the folder typed in the prompt', async () => {
    const x = open();
    await openReleases(x.r);
    const out = path.join(dir, 'export-here');
    await press(x.r, 'e', 'Export');
    // Clear the suggested folder, then type ours.
    for (let i = 0; i < 300; i++) x.r.stdin.write(KEY.backspace);
    await waitForText(x.r, /to folder:\s*$/m);
    x.r.stdin.write(out);
    await waitForText(x.r, out);
    const f = await press(x.r, KEY.enter, /Exported \d+ file\(s\)/);
    const n = Number(/Exported (\d+)/.exec(f)![1]);
    const written = fs.readdirSync(out, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
    expect(written.length).toBe(n);
    close(x);
  });

  it('lets an info message go after a while but keeps an error', async () => {
    const services = new StoreServices(Library.open(libDir));
    const r = render(<App services={services} size={{ columns: 100, rows: 24 }} infoMs={300} />);
    const x = { r, services };
    await openReleases(r);
    await press(r, 'd', 'no remote configured'); // an error
    await new Promise((res) => setTimeout(res, 600));
    expect(frame(r)).toContain('no remote configured');
    const out = path.join(dir, 'export-info');
    await press(r, 'e', 'Export');
    for (let i = 0; i < 300; i++) r.stdin.write(KEY.backspace);
    await waitForText(r, /to folder:\s*$/m);
    r.stdin.write(out);
    await waitForText(r, out);
    await press(r, KEY.enter, /Exported \d+ file\(s\)/); // info
    await waitFor(r, (f) => !/Exported \d+ file/.test(f), 'the info message to clear', 3000);
    close(x);
  });

  it('says that downloading needs a remote instead of pretending, and queues nothing', async () => {
    const x = open();
    await openReleases(x.r);
    let f = await press(x.r, 'd', 'no remote configured');
    expect(f).toContain('trove remote set');
    f = await press(x.r, 'x', 'Nothing to drop: no local file');
    f = await press(x.r, '2', 'Nothing queued');
    expect(f).toContain('0/0 files');
    close(x);
  });

  it('fits 80×24 and follows a resize', async () => {
    const x = open({ columns: 80, rows: 24 });
    let f = await openReleases(x.r);
    expect(f.split('\n').length).toBeLessThanOrEqual(23);
    for (const line of f.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
    x.r.rerender(<App services={x.services} size={{ columns: 120, rows: 40 }} />);
    f = await waitForText(x.r, 'Title');
    expect(f.split('\n').length).toBeGreaterThan(23);
    expect(f.split('\n').length).toBeLessThanOrEqual(39);
    close(x);
  });

  it('shows every key of the screen in the help overlay', async () => {
    const x = open();
    await openReleases(x.r);
    const f = await press(x.r, '?', 'Keys (? or esc closes)');
    for (const words of ['search release names', 'cycle availability', 'download every file of this system', 'drop local copies']) expect(f).toContain(words);
    await press(x.r, '?', /1 of 12/);
    close(x);
  });
});

describe('help on a small terminal (QA T6)', () => {
  it('scrolls with j, pgdn and G to the last entry, and closes with esc', async () => {
    const x = open({ columns: 100, rows: 15 });
    await openReleases(x.r);
    let f = await press(x.r, '?', 'Keys (? or esc closes)');
    expect(f).toMatch(/1–\d+ of \d+/);
    expect(f).not.toContain('device, remote, concurrency');
    f = await press(x.r, 'j', /2–\d+ of/);
    f = await press(x.r, KEY.pageDown);
    f = await press(x.r, 'G', 'device, remote, concurrency'); // the last entry: 5 settings
    expect(f).toMatch(/^5\s+device, remote, concurrency/m);
    f = await press(x.r, 'g', /1–\d+ of/);
    await press(x.r, KEY.escape, /1 of 12/);
    close(x);
  });
});

describe('outside text on the terminal (QA C3)', () => {
  it('shows escape sequences in system, release and file set names as text; none reaches the terminal', async () => {
    const evilDir = path.join(dir, 'evil');
    const src = path.join(dir, 'evil-src');
    fs.mkdirSync(src, { recursive: true });
    const file = path.join(src, 'x.bin'); // file names with control characters are refused at add
    fs.writeFileSync(file, Buffer.alloc(100, 7));
    const { library } = Library.init(evilDir);
    await addFiles(library, { paths: [file], system: 'Esc\x1b[31mSys', release: 'Evil \x1b]0;PWNED\x07 (USA)', title: 'Evil', type: 'rom', fileSet: 'rom\x07set' });
    library.close();
    const services = new StoreServices(Library.open(evilDir));
    const r = render(<App services={services} size={{ columns: 100, rows: 24 }} />);
    /** What the terminal would receive: Ink's own styling (SGR) is fine, anything else is not. */
    const safe = () => {
      const raw = (r.lastFrame() ?? '').replace(/\x1b\[[0-9;]*m/g, '');
      expect(raw).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f]/);
    };
    await waitForText(r, 'Esc\\x1b[31mSys');
    safe();
    r.stdin.write(KEY.enter);
    await waitForText(r, 'Evil \\x1b]0;PWNED\\x07 (USA)');
    safe();
    r.stdin.write(KEY.enter);
    await waitForText(r, 'rom\\x07set');
    safe();
    r.stdin.write(KEY.enter);
    await waitForText(r, 'x.bin');
    safe();
    r.unmount();
    services.close();
  });
});

describe('wide characters in names (QA2 F2)', () => {
  it('a Japanese release name with an emoji keeps the size and availability columns where they belong', async () => {
    const wideDir = path.join(dir, 'wide');
    const src = path.join(dir, 'wide-src');
    fs.mkdirSync(src, { recursive: true });
    fs.writeFileSync(path.join(src, 'j.bin'), 'j\n');
    fs.writeFileSync(path.join(src, 'v.bin'), 'v\n');
    const { library } = Library.init(wideDir);
    const long = 'Very Long Name '.repeat(5).trim() + ' (USA)';
    await addFiles(library, { paths: [path.join(src, 'v.bin')], system: 'ゲーム機', release: long, title: long, region: 'USA', type: 'rom', fileSet: 'rom' });
    await addFiles(library, { paths: [path.join(src, 'j.bin')], system: 'ゲーム機', release: 'ドラゴンクエスト 🐉 (Japan)', title: 'ドラゴンクエスト 🐉', region: 'Japan', type: 'rom', fileSet: 'rom' });
    library.close();
    const services = new StoreServices(Library.open(wideDir));
    const r = render(<App services={services} size={{ columns: 120, rows: 24 }} />);
    await waitForText(r, 'ゲーム機');
    r.stdin.write(KEY.enter);
    const f = await waitFor(r, (t) => t.includes('ドラゴンクエスト') && t.includes('Very Long'), 'both releases');
    const rows = f.split('\n').filter((l) => l.includes('ドラゴンクエスト') || l.includes('Very Long'));
    expect(rows).toHaveLength(2);
    const at = (l: string, text: string) => stringWidth(l.slice(0, l.indexOf(text))); // in cells
    for (const row of rows) {
      expect(row).toMatch(/ 1\s+2 B local\s*$/); // files, size and the badge, whole
      expect(stringWidth(row)).toBeLessThanOrEqual(120);
    }
    expect(at(rows[1]!, '2 B local')).toBe(at(rows[0]!, '2 B local'));
    expect(at(rows[1]!, 'Japan ')).toBe(at(rows[0]!, 'USA ')); // the region column
    r.unmount();
    services.close();
  });
});
