// bench:tui — the real built binary in a pseudo-terminal (util-linux `script`, 80×24) on a
// 100k-release library: time from process start to the first frame, key press to the next frame,
// and the process's peak RSS. A bare `node` start in the same terminal is printed beside it as the
// reference (the machine's floor). Targets: first frame ≤ 700 ms, key → frame ≤ 50 ms, RSS ≤ 250 MiB.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateBigCatalog } from '../fixtures/big-catalog.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = path.join(ROOT, 'dist', 'src', 'cli', 'main.js');
const RELEASES = Number(process.env.TROVE_BENCH_RELEASES ?? 100_000);
const strip = (s: string) => s.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/\x1b[()][0-9A-B]/g, '');

class Pty {
  readonly child: ChildProcessWithoutNullStreams;
  private out = '';
  private waiters: (() => void)[] = [];
  readonly started = performance.now();

  constructor(command: string) {
    this.child = spawn('script', ['-qfec', `stty rows 24 cols 80; exec ${command}`, '/dev/null'], { env: { ...process.env, TERM: 'xterm-256color' } });
    this.child.stdout.on('data', (d: Buffer) => {
      this.out += d.toString('utf8');
      for (const w of this.waiters.splice(0)) w();
    });
  }

  /** The last frame written since `mark` (plain text): each full frame starts with the tab bar. */
  since(mark: number): string {
    const text = strip(this.out.slice(mark));
    const at = text.lastIndexOf('trove [1 Browse]');
    return at > 0 ? text.slice(at) : text;
  }

  get mark(): number {
    return this.out.length;
  }

  async waitFor(test: (text: string) => boolean, from: number, timeoutMs = 30_000): Promise<number> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      if (test(this.since(from))) return performance.now();
      if (performance.now() > deadline) throw new Error(`timed out; output so far:\n${this.since(from).slice(-2000)}`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 50);
      });
    }
  }

  /** Press `key` and return the ms until the output shows `expect`. */
  async press(key: string, expect: (text: string) => boolean): Promise<number> {
    const from = this.mark;
    const t0 = performance.now();
    this.child.stdin.write(key);
    return (await this.waitFor(expect, from)) - t0;
  }

  /** The node process under `script` (its only child). */
  nodePid(): number | undefined {
    try {
      const kids = fs.readFileSync(`/proc/${this.child.pid}/task/${this.child.pid}/children`, 'utf8').trim().split(/\s+/).map(Number);
      return kids[0];
    } catch {
      return undefined;
    }
  }
}

function peakRssMiB(pid: number | undefined): number | undefined {
  if (!pid) return undefined;
  const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : undefined;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.95))]!;
const ms = (n: number) => `${n.toFixed(0)} ms`;

async function reference(): Promise<number> {
  const p = new Pty(`${process.execPath} -e "process.stdout.write('ready')"`);
  const closed = new Promise((r) => p.child.on('close', r));
  const t = await p.waitFor((s) => s.includes('ready'), 0);
  await closed;
  return t - p.started;
}

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trove-bench-tui-'));
  try {
    const lib = path.join(dir, 'lib');
    const g0 = performance.now();
    generateBigCatalog(lib, { releases: RELEASES, systems: 1, seed: 'bench' });
    console.log(`library: ${RELEASES.toLocaleString('en-US')} releases in one system (generated in ${ms(performance.now() - g0)})`);

    const step = (what: string) => process.stderr.write(`… ${what}\n`);
    step('reference runs');
    const refs = [await reference(), await reference(), await reference()];
    const ref = median(refs);

    const firstFrames: number[] = [];
    const firstData: number[] = [];
    let rss: number | undefined;
    const moves: number[] = [];
    const pages: number[] = [];
    let open = 0;
    let end = 0;
    let search = 0;
    let filter = 0;
    for (let run = 0; run < 3; run++) {
      step(`run ${run + 1}/3`);
      const p = new Pty(`${process.execPath} ${CLI} --library ${lib}`);
      const first = await p.waitFor((s) => s.includes('Systems') && s.includes('Releases'), 0);
      firstFrames.push(first - p.started);
      const data = await p.waitFor((s) => s.includes('100,000') || /\d{1,3}(,\d{3})*\s*$/m.test(s), 0);
      firstData.push(data - p.started);
      if (run === 2) {
        open = await p.press('\r', (s) => /1 of [\d,]+/.test(s) && /(USA|Europe|Japan|World)\)/.test(s));
        for (let i = 2; i <= 41; i++) moves.push(await p.press('j', (s) => s.includes(`${i} of `)));
        // Page down: new rows, including pages not fetched yet.
        for (let i = 0; i < 20; i++) pages.push(await p.press('\x1b[6~', (s) => / of [\d,]+/.test(s) && !s.includes('›…')));
        end = await p.press('G', (s) => s.includes(`${RELEASES.toLocaleString('en-US')} of ${RELEASES.toLocaleString('en-US')}`) && !s.includes('›…'));
        await p.press('g', (s) => s.includes(`1 of ${RELEASES.toLocaleString('en-US')}`) && !s.includes('›…'));
        await p.press('/', (s) => s.includes('Search:'));
        search = await p.press('z', (s) => s.includes('search: "z"') && !s.includes('counting'));
        await p.press('\x1b', (s) => s.includes('filter: all · sort: name') && !s.includes('search:'));
        filter = await p.press('f', (s) => s.includes('filter: local') && !s.includes('counting'));
        rss = peakRssMiB(p.nodePid());
      }
      step('quit');
      const closed = new Promise((r) => p.child.on('close', r));
      p.child.stdin.write(run === 2 ? 'qq' : 'q');
      await closed;
    }

    const ff = median(firstFrames);
    const rows: [string, string, string][] = [
      ['first frame (process start → header and columns on screen)', ms(ff), '≤ 700 ms'],
      ['first frame with the systems listed', ms(median(firstData)), ''],
      ['reference: bare `node -e` start → output, same pty', ms(ref), `ratio ${(ff / ref).toFixed(1)}×`],
      ['open the 100k-release system (enter → rows)', ms(open), ''],
      ['key → frame, j (median / p95 of 40)', `${ms(median(moves))} / ${ms(p95(moves))}`, '≤ 50 ms'],
      ['key → frame, page down (median / p95 of 20)', `${ms(median(pages))} / ${ms(p95(pages))}`, '≤ 50 ms'],
      ['key → frame, G (jump to row 100,000)', ms(end), ''],
      ['search "z" over 100k names (key → counted rows)', ms(search), ''],
      ['filter local (one pass over every release)', ms(filter), ''],
      ['peak RSS of the TUI process', rss ? `${rss.toFixed(0)} MiB` : 'n/a', '≤ 250 MiB'],
    ];
    for (const [what, value, target] of rows) console.log(`${what.padEnd(62)} ${value.padStart(14)}  ${target}`);
    console.log(`(load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} on ${os.cpus().length} cores)`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
