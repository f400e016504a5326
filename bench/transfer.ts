// Transfer benchmark (`npm run bench:transfer`): upload and download of 2,000 × 16 KiB and
// 200 × 1 MiB blobs against s3rver, timed for trove's workers, a bare OpenDAL loop with the same
// concurrency (no log, no verification) and `rclone copy --transfers N` where rclone is installed,
// all in the same run on the same server, each twice (the order rotated between the two rounds)
// with the best time counted. Prints ratios (trove / reference; lower is better).
// Targets: trove/bare ≤ 1.2, trove/rclone ≤ 1.0. `--big-mib N` adds one N MiB file and reports the
// peak RSS of its ingest, upload and download, each phase in a fresh process (target for the
// download: ≤ 200 MiB for 2,048 MiB). `--big-only` skips the small-file datasets.
//
// Fairness: s3rver is a Node process whose request handlers start cold (not yet optimised by the
// JIT): measured, the first 2,000 PUTs against a fresh server cost it twice the CPU of the next
// 2,000, and the first GETs about 1.5×. Trove runs first in each pair, so it used to pay that
// warm-up alone. `warmUp` now sends the same mix of requests every contender makes (PUT, GET, ranged
// GET, HEAD, LIST) to a separate prefix before anything is timed; it is not part of any timing.
// Nothing is deleted until every timing is done: this VM's ext4 has no journal, and there a new
// file's inode allocation skips every inode freed in the last minute or so of its block group, one
// lookup each (ext4 `recently_deleted`). Measured with perf on trove's download of 2,000 blobs:
// when the previous run's 2,000 files had just been removed, that scan took 8-13% of all CPU
// samples; with them kept, 0-2%. A cost set by the harness's own clean-up, not by the contender.
// UV_THREADPOOL_SIZE is 16, as the CLI sets it (src/cli/main.ts), for the whole process (the bare
// loop's file writes use the same pool).
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Operator } from 'opendal';
import PQueue from 'p-queue';
import { contentBytes, writeContent } from '../fixtures/content.js';
import { addFiles } from '../src/store/add-files.js';
import { blobKey, blobPath } from '../src/store/blob/blob-key.js';
import { Library } from '../src/store/library.js';
import { OpendalRemote } from '../src/sync/remote/opendal-remote.js';
import { planDownloads } from '../src/sync/transfer/download-plan.js';
import { enqueueDownloads } from '../src/sync/transfer/download-queue.js';
import { runDownloads } from '../src/sync/transfer/download-worker.js';
import { targetFiles } from '../src/sync/transfer/transfer-targets.js';
import { runUploads } from '../src/sync/transfer/upload-worker.js';
import { startS3rver, type S3Server } from '../test/helpers/s3rver.js';

process.env.UV_THREADPOOL_SIZE ??= '16'; // before the pool's first use, as in src/cli/main.ts

const CONCURRENCY = 8;
const WARM_UP_REQUESTS = 1000;
const ROUNDS = 2;
type Contender = 'trove' | 'bare' | 'rclone';
const args = process.argv.slice(2);
const bigMib = args.includes('--big-mib') ? Number(args[args.indexOf('--big-mib') + 1]) : 0;

interface Dataset {
  name: string;
  files: number;
  bytes: number;
}
const DATASETS: Dataset[] = [
  { name: '2000 x 16 KiB', files: 2000, bytes: 16 * 1024 },
  { name: '200 x 1 MiB', files: 200, bytes: 1024 * 1024 },
];

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t) / 1e6;
}

function hasRclone(): boolean {
  return spawnSync('rclone', ['version'], { stdio: 'ignore', env: rcloneEnv({} as S3Server) }).status === 0;
}

function rcloneEnv(s3: S3Server): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    RCLONE_CONFIG_BENCH_TYPE: 's3',
    RCLONE_CONFIG_BENCH_PROVIDER: 'Other',
    RCLONE_CONFIG_BENCH_ENDPOINT: s3.endpoint ?? '',
    RCLONE_CONFIG_BENCH_ACCESS_KEY_ID: s3.accessKeyId ?? '',
    RCLONE_CONFIG_BENCH_SECRET_ACCESS_KEY: s3.secretAccessKey ?? '',
    RCLONE_CONFIG_BENCH_REGION: 'us-east-1',
    RCLONE_CONFIG_BENCH_FORCE_PATH_STYLE: 'true',
  };
  delete env.AWS_CA_BUNDLE; // rclone refuses to start with it set
  return env;
}

async function buildLibrary(dir: string, ds: Dataset): Promise<Library> {
  const src = path.join(dir, 'src');
  await fsp.mkdir(src, { recursive: true });
  for (let i = 0; i < ds.files; i++) await fsp.writeFile(path.join(src, `f${String(i).padStart(5, '0')}.bin`), contentBytes(`bench/${ds.name}/${i}`, ds.bytes, 'random'));
  const { library } = Library.init(path.join(dir, 'A'));
  await addFiles(library, { paths: [src], system: 'Bench', release: ds.name, type: 'rom', queueUploads: true, concurrency: 2 });
  return library; // src stays until the end of the run (see "Nothing is deleted" in the header)
}

/** Run `fn` on every item, CONCURRENCY at a time (the bare loop's and the warm-up's request pattern). */
async function eachAtOnce<T>(items: readonly T[], fn: (item: T) => Promise<unknown>): Promise<void> {
  const q = new PQueue({ concurrency: CONCURRENCY });
  await Promise.all(items.map((item) => q.add(() => fn(item))));
}

/** `rclone copy` with as many transfers as the other contenders use. */
function rcloneCopy(s3: S3Server, from: string, to: string): void {
  execFileSync('rclone', ['copy', from, to, '--transfers', String(CONCURRENCY), '--checkers', String(CONCURRENCY), '--fast-list'], {
    env: rcloneEnv(s3),
    stdio: 'inherit',
  });
}

/** Warm s3rver's request paths up (see the header) with requests to a prefix no contender uses. */
async function warmUp(s3: S3Server): Promise<void> {
  const op = new Operator('s3', s3.options('/warm-up'));
  const body = contentBytes('bench/warm-up', 16 * 1024, 'random');
  const keys = Array.from({ length: WARM_UP_REQUESTS }, (_, i) => `rom/${(i % 256).toString(16).padStart(2, '0')}/w${i}.zst`);
  const each = (fn: (k: string) => Promise<unknown>) => eachAtOnce(keys, fn);
  await each((k) => op.write(k, body));
  await each((k) => op.read(k));
  await each((k) => op.read(k, { offset: 0n, size: BigInt(body.length) }));
  await each((k) => op.stat(k));
  await op.list('rom/', { recursive: true });
}

function fmt(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

async function main(): Promise<void> {
  const s3 = await startS3rver('bench');
  const work = await fsp.mkdtemp(path.join(os.tmpdir(), 'trove-bench-transfer-'));
  const rclone = hasRclone();
  const rows: string[] = [];
  const runs: string[] = [];
  try {
    await warmUp(s3);
    for (const ds of args.includes('--big-only') ? [] : DATASETS) {
      const dir = path.join(work, ds.name.replace(/\W+/g, '_'));
      const lib = await buildLibrary(dir, ds);
      const keys = (lib.db.prepare('SELECT sha1, type FROM file').all() as { sha1: string; type: string }[]).map((r) => ({ ...r, key: blobKey(r.type, r.sha1) }));
      const tag = ds.name.replace(/\W+/g, '');
      const storeA = lib.paths.storeDir;

      // Each contender runs ROUNDS times, the order rotated between rounds (trove first, then
      // last), each time into a fresh prefix or folder; the best time of each counts. On this VM
      // creating files in fresh folders sometimes costs ten times the kernel CPU it costs a moment
      // later (measured: the same 2,000 writes 128 ms to 1,000 ms), so a single run measured which
      // contender met the slow moment more than anything the contenders did.
      const up: Record<Contender, number[]> = { trove: [], bare: [], rclone: [] };
      const down: Record<Contender, number[]> = { trove: [], bare: [], rclone: [] };
      lib.close();
      for (let round = 0; round < ROUNDS; round++) {
        const order: Contender[] = round % 2 === 0 ? ['trove', 'bare', 'rclone'] : ['rclone', 'bare', 'trove'];
        const prefix = (who: Contender) => `${who}-${tag}-${round}`;
        // Upload: trove's worker (its queue reset to pending, a fresh prefix), bare OpenDAL, rclone.
        for (const who of order) {
          if (who === 'trove') {
            const libA = Library.open(path.join(dir, 'A'));
            libA.db.prepare(`UPDATE file_sync_log SET state = 'UploadPending', attempts = 0`).run();
            up.trove.push(
              await timed(async () => {
                const r = await runUploads(libA, new OpendalRemote({ scheme: 's3', options: s3.options(`/${prefix('trove')}`) }), { concurrency: CONCURRENCY });
                if (r.failed.length || r.uploaded !== keys.length) throw new Error(`trove upload: ${r.uploaded} of ${keys.length}, ${r.failed.length} failed`);
              }),
            );
            libA.close();
          } else if (who === 'bare') {
            const bare = new Operator('s3', s3.options(`/${prefix('bare')}`));
            up.bare.push(
              await timed(() => eachAtOnce(keys, async (k) => bare.write(k.key, await fsp.readFile(blobPath(storeA, k.type, k.sha1))))),
            );
          } else if (rclone) {
            up.rclone.push(await timed(async () => rcloneCopy(s3, storeA, `bench:${s3.bucket}/${prefix('rclone')}`)));
          }
        }
        // Download: trove into a new library with the same catalogue (a fresh queue); the bare
        // loop and rclone write plain files into a fresh folder.
        for (const who of order) {
          const out = path.join(dir, `${who}-down-${round}`);
          if (who === 'trove') {
            const { library: b } = Library.init(out);
            b.close();
            fs.copyFileSync(path.join(dir, 'A', 'collection.db'), path.join(out, 'collection.db'));
            const libB = Library.open(out);
            enqueueDownloads(libB.state, planDownloads(targetFiles(libB.db, {})).fetch);
            down.trove.push(
              await timed(async () => {
                const r = await runDownloads(libB, new OpendalRemote({ scheme: 's3', options: s3.options(`/${prefix('trove')}`) }), { concurrency: CONCURRENCY });
                if (r.failed.length || r.downloaded !== keys.length) throw new Error(`trove download: ${r.downloaded} of ${keys.length}, ${r.failed.length} failed`);
              }),
            );
            libB.close();
          } else if (who === 'bare') {
            const bare = new Operator('s3', s3.options(`/${prefix('bare')}`));
            down.bare.push(
              await timed(() =>
                eachAtOnce(keys, async (k) => {
                  const file = path.join(out, k.key);
                  await fsp.mkdir(path.dirname(file), { recursive: true });
                  await fsp.writeFile(file, await bare.read(k.key));
                }),
              ),
            );
          } else if (rclone) {
            down.rclone.push(await timed(async () => rcloneCopy(s3, `bench:${s3.bucket}/${prefix('rclone')}`, out)));
          }
        }
      }
      const best = (xs: number[]) => (xs.length ? Math.min(...xs) : NaN);
      const all = (xs: number[]) => xs.map((x) => (x / 1000).toFixed(2)).join('/');
      const troveUp = best(up.trove);
      const bareUp = best(up.bare);
      const rcloneUp = best(up.rclone);
      const troveDown = best(down.trove);
      const bareDown = best(down.bare);
      const rcloneDown = best(down.rclone);
      runs.push(`${ds.name.padEnd(14)} upload   trove ${all(up.trove)}  bare ${all(up.bare)}  rclone ${all(up.rclone) || 'n/a'}`);
      runs.push(`${ds.name.padEnd(14)} download trove ${all(down.trove)}  bare ${all(down.bare)}  rclone ${all(down.rclone) || 'n/a'}`);
      const ratio = (a: number, b: number) => (Number.isNaN(b) ? 'n/a' : (a / b).toFixed(2));
      rows.push(
        `${ds.name.padEnd(14)} upload    trove ${fmt(troveUp).padStart(8)}  bare ${fmt(bareUp).padStart(8)}  rclone ${(rclone ? fmt(rcloneUp) : 'n/a').padStart(8)}  trove/bare ${ratio(troveUp, bareUp)}  trove/rclone ${ratio(troveUp, rcloneUp)}`,
        `${ds.name.padEnd(14)} download  trove ${fmt(troveDown).padStart(8)}  bare ${fmt(bareDown).padStart(8)}  rclone ${(rclone ? fmt(rcloneDown) : 'n/a').padStart(8)}  trove/bare ${ratio(troveDown, bareDown)}  trove/rclone ${ratio(troveDown, rcloneDown)}`,
      );
    }
    console.log(`\nTransfers against s3rver, concurrency ${CONCURRENCY} (ratios: lower is better; targets trove/bare ≤ 1.20, trove/rclone ≤ 1.00)`);
    console.log('trove downloads verify SHA1 and size of every blob and fsync it; the bare loop and rclone do not decompress.');
    rows.forEach((r) => console.log(r));
    console.log(`Best of ${ROUNDS} rounds, order rotated; every round's seconds:`);
    runs.forEach((r) => console.log(`  ${r}`));
    if (!rclone) console.log('rclone not installed: apt-get install -y rclone');

    if (bigMib > 0) {
      // Each phase in a fresh process, so that its peak RSS is its own (the datasets above, and
      // the ingest, leave the heap of this process far above what a transfer needs).
      const dir = path.join(work, 'big');
      await fsp.mkdir(dir, { recursive: true });
      const phase = (name: string) => {
        const out = execFileSync(process.execPath, [process.argv[1]!, '--big-phase', name, '--big-mib', String(bigMib), '--big-dir', dir], {
          env: { ...process.env, BENCH_S3_OPTIONS: JSON.stringify(s3.options('/big')) },
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'inherit'],
        });
        return JSON.parse(out.trim().split('\n').pop()!) as { ms: number; maxRssMib: number };
      };
      const prep = phase('prepare');
      const up = phase('upload');
      const down = phase('download');
      console.log(
        `\n${bigMib} MiB file (each phase its own process): ingest ${fmt(prep.ms)} (peak RSS ${prep.maxRssMib.toFixed(0)} MiB), upload ${fmt(up.ms)} (peak RSS ${up.maxRssMib.toFixed(0)} MiB), download+verify ${fmt(down.ms)} (peak RSS ${down.maxRssMib.toFixed(0)} MiB; target ≤ 200 MiB)`,
      );
    }
  } finally {
    await s3.stop();
    await fsp.rm(work, { recursive: true, force: true });
  }
}

/** One phase of the big-file run, in its own process: prints {ms, maxRssMib} as the last line. */
async function bigPhase(name: string, dir: string): Promise<void> {
  const options = JSON.parse(process.env.BENCH_S3_OPTIONS!) as Record<string, string>;
  const remote = new OpendalRemote({ scheme: 's3', options });
  let ms: number;
  if (name === 'prepare') {
    const src = path.join(dir, 'big.bin');
    await writeContent(src, 'bench/big', bigMib * 1024 * 1024, 'semi');
    const { library } = Library.init(path.join(dir, 'A'));
    ms = await timed(() => addFiles(library, { paths: [src], system: 'Bench', release: 'Big', type: 'disc', queueUploads: true }));
    await fsp.rm(src);
    library.close();
  } else {
    const library = Library.open(path.join(dir, 'A'));
    if (name === 'upload') {
      ms = await timed(async () => {
        const r = await runUploads(library, remote, { concurrency: CONCURRENCY });
        if (r.uploaded !== 1) throw new Error(`big upload failed: ${JSON.stringify(r.failed)}`);
      });
    } else {
      const sha1 = (library.db.prepare('SELECT sha1 FROM file').get() as { sha1: string }).sha1;
      const { unmarkLocal } = await import('../src/store/repo/files.js');
      unmarkLocal(library.state, 'main', sha1);
      await fsp.rm(blobPath(library.paths.storeDir, 'disc', sha1));
      enqueueDownloads(library.state, planDownloads(targetFiles(library.db, {})).fetch);
      ms = await timed(async () => {
        const r = await runDownloads(library, remote, { concurrency: CONCURRENCY });
        if (r.downloaded !== 1) throw new Error(`big download failed: ${JSON.stringify(r.failed)}`);
      });
    }
    library.close();
  }
  console.log(JSON.stringify({ ms, maxRssMib: process.resourceUsage().maxRSS / 1024 }));
}

const bigPhaseName = args.includes('--big-phase') ? args[args.indexOf('--big-phase') + 1] : undefined;
(bigPhaseName ? bigPhase(bigPhaseName, args[args.indexOf('--big-dir') + 1]!) : main()).catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
