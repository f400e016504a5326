// Catalog benchmark: NES DAT import (target ≤ 2 s wall), scan of 5,000 files of 16 KiB (targets
// ≥ 1,500 files/s first time, ≥ 20,000 files/s when nothing changed). Prints wall and CPU times and,
// because shared machines vary, a reference workload measured in the same run (plain SQLite inserts
// and SHA1 hashing) so numbers can be compared across machines as ratios.
// Run: npm run bench:catalog   (TROVE_DATS=/path/to/dats to point at the real DATs)
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { contentBytes } from '../fixtures/content.js';
import { writeDat, type FixtureGame } from '../fixtures/dat-writer.js';
import { importDats } from '../src/store/catalog/dat-import.js';
import { scanFolders } from '../src/store/catalog/scan.js';
import { Library } from '../src/store/library.js';
import { nameId } from '../src/store/ids.js';
import zlib from 'node:zlib';

// Run the library code with the thread pool the CLI gives it (src/cli/main.ts sets 16 threads before
// first use: file I/O, fsync and zstd share the pool, and 4 threads let a few fsyncs stall the rest).
process.env.UV_THREADPOOL_SIZE ??= '16';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const DATS = process.env.TROVE_DATS ?? [path.resolve(ROOT, '..', 'shared', 'dats'), '/work/shared/dats'].find((d) => fs.existsSync(d))!;
const NES = path.join(DATS, 'Nintendo - Nintendo Entertainment System.dat');
const FILES = Number(process.env.BENCH_FILES ?? 5000);
const FILE_BYTES = 16 * 1024;

async function measure<T>(fn: () => Promise<T> | T): Promise<{ result: T; wallMs: number; cpuMs: number }> {
  const cpu = process.cpuUsage();
  const t = performance.now();
  const result = await fn();
  const wallMs = performance.now() - t;
  const c = process.cpuUsage(cpu);
  return { result, wallMs, cpuMs: (c.user + c.system) / 1000 };
}

function line(label: string, value: string, target?: string, ok?: boolean): void {
  console.log(`${label.padEnd(44)} ${value.padEnd(34)} ${target ? `target ${target}${ok === undefined ? '' : ok ? '  ✓' : '  ✗'}` : ''}`);
}

async function reference(dir: string): Promise<{ insertsPerS: number; sha1MiBPerS: number }> {
  const db = new Database(path.join(dir, 'ref.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec('CREATE TABLE t (id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE)');
  const ins = db.prepare('INSERT INTO t VALUES (?, ?)');
  const n = 50_000;
  const { wallMs } = await measure(() => db.transaction(() => { for (let i = 0; i < n; i++) ins.run(nameId('ref', String(i)), `name ${i}`); })());
  db.close();
  const buf = contentBytes('ref', 64 * 1024 * 1024, 'random');
  const h = await measure(() => createHash('sha1').update(buf).digest('hex'));
  return { insertsPerS: n / (wallMs / 1000), sha1MiBPerS: 64 / (h.wallMs / 1000) };
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trove-bench-catalog-'));
  try {
    console.log(`trove catalog benchmark — ${os.cpus().length} CPU(s) ${os.cpus()[0]?.model ?? ''}, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    const ref = await reference(dir);
    line('reference: SQLite inserts (uuid key, 1 txn)', `${Math.round(ref.insertsPerS).toLocaleString()} rows/s`);
    line('reference: SHA1', `${Math.round(ref.sha1MiBPerS)} MiB/s`);

    // 1. NES DAT import.
    const lib = Library.init(path.join(dir, 'lib')).library;
    const first = await measure(() => importDats(lib, [NES]));
    line('NES DAT import (14,132 games), fresh', `${(first.wallMs / 1000).toFixed(2)} s wall, ${(first.cpuMs / 1000).toFixed(2)} s CPU`, '≤ 2 s', first.wallMs <= 2000);
    const again = await measure(() => importDats(lib, [NES]));
    line('NES DAT re-import (nothing changed)', `${(again.wallMs / 1000).toFixed(2)} s wall, ${(again.cpuMs / 1000).toFixed(2)} s CPU`);

    // 2. Scan: FILES files of 16 KiB, all listed in a DAT.
    const filesDir = path.join(dir, 'files');
    const games: FixtureGame[] = [];
    for (let i = 0; i < FILES; i++) {
      const sub = path.join(filesDir, String(Math.floor(i / 500)));
      if (i % 500 === 0) fs.mkdirSync(sub, { recursive: true });
      const bytes = contentBytes(`bench/${i}`, FILE_BYTES, 'semi');
      const name = `Bench Game ${i} (USA).bin`;
      fs.writeFileSync(path.join(sub, name), bytes);
      games.push({ name: `Bench Game ${i} (USA)`, roms: [{ name, size: bytes.length, crc32: zlib.crc32(bytes).toString(16).padStart(8, '0'), md5: null, sha1: createHash('sha1').update(bytes).digest('hex') }] });
    }
    await writeDat(path.join(dir, 'bench.dat'), { name: 'Bench System', games }, 'logiqx');
    await importDats(lib, [path.join(dir, 'bench.dat')]);
    const scan1 = await measure(() => scanFolders(lib, [filesDir]));
    const rate1 = FILES / (scan1.wallMs / 1000);
    line(`scan ${FILES} × 16 KiB, first (hash + store all)`, `${Math.round(rate1).toLocaleString()} files/s (${(scan1.wallMs / 1000).toFixed(2)} s, ${(scan1.cpuMs / 1000).toFixed(2)} s CPU)`, '≥ 1,500 files/s', rate1 >= 1500);
    if (scan1.result.stored !== FILES) throw new Error(`expected ${FILES} stored, got ${scan1.result.stored}`);
    const scan2 = await measure(() => scanFolders(lib, [filesDir]));
    const rate2 = FILES / (scan2.wallMs / 1000);
    line(`scan ${FILES} × 16 KiB, nothing changed`, `${Math.round(rate2).toLocaleString()} files/s (${(scan2.wallMs / 1000).toFixed(2)} s, ${(scan2.cpuMs / 1000).toFixed(2)} s CPU)`, '≥ 20,000 files/s', rate2 >= 20000);
    if (scan2.result.cached !== FILES) throw new Error(`expected ${FILES} cached, got ${scan2.result.cached}`);

    // 3. For comparison: the same number of files matching nothing (hash only, nothing stored).
    const lib2 = Library.init(path.join(dir, 'lib2')).library;
    const scan3 = await measure(() => scanFolders(lib2, [filesDir]));
    line(`scan ${FILES} × 16 KiB, first, none in a DAT`, `${Math.round(FILES / (scan3.wallMs / 1000)).toLocaleString()} files/s (hash only)`);
    lib2.close();
    lib.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
