// Benchmark of database sync (`npm run bench:sync`): push and pull of a 100k-release collection on
// the fs remote and on s3rver, and `sync status` against a remote holding 1,000 snapshots.
// Targets (issue 5): push ≤ 3 s, pull ≤ 3 s on fs; status ≤ 300 ms with 1,000 snapshots.
// Each time is printed beside a reference measured in the same run (a plain copy + SHA1 of the same
// database file: the least any push or pull must do), so results compare across machines.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { generateBigCatalog } from '../fixtures/big-catalog.js';
import { uuidv7 } from '../src/store/ids.js';
import { Library } from '../src/store/library.js';
import { openRemote, saveRemoteConfig } from '../src/sync/remote/remote-config.js';
import type { RemoteConfig } from '../src/sync/remote/opendal-remote.js';
import { manifestKey, serializeManifest, parseManifest } from '../src/sync/snapshot/manifest.js';
import { syncPull, syncPush } from '../src/sync/snapshot/push-pull.js';
import { syncStatus } from '../src/sync/snapshot/status.js';
import { startS3rver } from '../test/helpers/s3rver.js';

const RELEASES = Number(process.env.BENCH_RELEASES ?? 100_000);
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'trove-bench-sync-'));
const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'src', 'cli', 'main.js');

const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;
async function time<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t0 = process.hrtime.bigint();
  const r = await fn();
  return [r, ms(t0)];
}

function device(dir: string, name: string, cfg: RemoteConfig, opts: { big?: boolean } = {}) {
  if (opts.big) generateBigCatalog(dir, { releases: RELEASES });
  const { library } = Library.init(dir, { deviceName: name });
  if (cfg.scheme === 'fs' && cfg.options.root) fs.mkdirSync(cfg.options.root, { recursive: true }); // an fs remote's root must exist
  saveRemoteConfig(library, cfg);
  library.close();
  return dir;
}

async function withLib<T>(dir: string, env: NodeJS.ProcessEnv, fn: (lib: Library, remote: ReturnType<typeof openRemote>) => Promise<T>): Promise<T> {
  const lib = Library.open(dir);
  try {
    return await fn(lib, openRemote(lib, env));
  } finally {
    lib.close();
  }
}

function referenceMs(file: string): number {
  const t0 = process.hrtime.bigint();
  const copy = path.join(root, 'reference-copy.db');
  fs.copyFileSync(file, copy);
  createHash('sha1').update(fs.readFileSync(copy)).digest('hex');
  fs.rmSync(copy);
  return ms(t0);
}

async function pushPull(label: string, cfg: RemoteConfig, env: NodeJS.ProcessEnv, source: string) {
  const a = path.join(root, `${label}-a`);
  fs.cpSync(source, a, { recursive: true });
  const la = Library.open(a);
  saveRemoteConfig(la, cfg);
  la.close();
  const b = device(path.join(root, `${label}-b`), `${label}-b`, cfg);
  const [pushed, pushMs] = await time(() => withLib(a, env, (lib, remote) => syncPush(lib, remote)));
  const [, pullMs] = await time(() => withLib(b, env, (lib, remote) => syncPull(lib, remote)));
  // Stretch goal: edit 10 releases, push again; only changed chunks travel (both ways).
  const [edited, editPushMs] = await time(() =>
    withLib(a, env, (lib, remote) => {
      const pick = lib.db.prepare('SELECT id FROM release ORDER BY id LIMIT 1 OFFSET ?');
      const total = (lib.db.prepare('SELECT count(*) AS n FROM release').get() as { n: number }).n;
      for (let i = 0; i < 10; i++) {
        const { id } = pick.get(Math.floor((i * total) / 10)) as { id: string };
        lib.db.prepare("UPDATE release SET name = name || ' [edited]', updated_at = ? WHERE id = ?").run(new Date().toISOString(), id);
      }
      return syncPush(lib, remote);
    }),
  );
  const [, editPullMs] = await time(() => withLib(b, env, (lib, remote) => syncPull(lib, remote)));
  return { pushMs, pullMs, editPushMs, editPullMs, dbBytes: pushed.snapshot!.database.size, uploaded: pushed.uploadedBytes, editUploaded: edited.uploadedBytes };
}

async function main() {
  console.log(`trove bench:sync — ${RELEASES} releases, ${os.cpus().length} CPU(s), load ${os.loadavg()[0]!.toFixed(1)}`);
  const source = path.join(root, 'source');
  const [, genMs] = await time(async () => device(source, 'source', { scheme: 'fs', options: { root: path.join(root, 'unused') } }, { big: true }));
  const dbFile = path.join(source, 'collection.db');
  const ref = referenceMs(dbFile);
  console.log(`generated in ${(genMs / 1000).toFixed(1)} s; collection.db ${(fs.statSync(dbFile).size / 1e6).toFixed(1)} MB; reference (copy + sha1) ${ref.toFixed(0)} ms`);

  const fsr = await pushPull('fs', { scheme: 'fs', options: { root: path.join(root, 'remote-fs') } }, {}, source);
  const s3 = await startS3rver('bench');
  let s3r;
  try {
    const { access_key_id, secret_access_key, ...options } = s3.options('/bench/');
    s3r = await pushPull('s3', { scheme: 's3', options }, { AWS_ACCESS_KEY_ID: access_key_id, AWS_SECRET_ACCESS_KEY: secret_access_key }, source);
  } finally {
    await s3.stop();
  }
  const row = (name: string, v: number, target?: number) =>
    console.log(`${name.padEnd(34)} ${(v / 1000).toFixed(2).padStart(7)} s  ${(v / ref).toFixed(1).padStart(6)}× reference${target ? `   target ≤ ${target / 1000} s: ${v <= target ? 'met' : 'MISSED'}` : ''}`);
  console.log(`snapshot: ${(fsr.dbBytes / 1e6).toFixed(1)} MB database, ${(fsr.uploaded / 1e6).toFixed(1)} MB uploaded (zstd)`);
  row('push, fs remote', fsr.pushMs, 3000);
  row('pull, fs remote', fsr.pullMs, 3000);
  row('push, s3rver', s3r.pushMs);
  row('pull, s3rver', s3r.pullMs);
  row('push after editing 10 releases, fs', fsr.editPushMs);
  row('pull of that push, fs', fsr.editPullMs);
  row('push after editing 10 releases, s3rver', s3r.editPushMs);
  row('pull of that push, s3rver', s3r.editPullMs);
  const pct = (100 * fsr.editUploaded) / fsr.uploaded;
  console.log(`edit of 10 releases uploaded ${(fsr.editUploaded / 1e6).toFixed(2)} MB = ${pct.toFixed(1)}% of a full snapshot   target ≤ 10%: ${pct <= 10 ? 'met' : 'MISSED'}`);

  // Status with 1,000 snapshots: one real push, then 999 more manifests chained on top of it.
  const cfg: RemoteConfig = { scheme: 'fs', options: { root: path.join(root, 'remote-many') } };
  const small = device(path.join(root, 'many-a'), 'many-a', cfg);
  const first = await withLib(small, {}, async (lib, remote) => {
    lib.db.prepare("INSERT INTO system (id, name, created_at, updated_at) VALUES ('s', 'S', 'x', 'x')").run();
    return (await syncPush(lib, remote)).snapshot!;
  });
  let prev = parseManifest(serializeManifest(first), manifestKey(first.id));
  const dir = path.join(cfg.options.root!, 'metadata', 'snapshots');
  for (let i = 1; i < 1000; i++) {
    const m = { ...prev, id: uuidv7(Date.now() + i), parents: [prev.id] };
    fs.writeFileSync(path.join(dir, `${m.id}.json`), serializeManifest(m));
    prev = m;
  }
  const viewer = device(path.join(root, 'many-b'), 'many-b', cfg);
  const [cold, coldMs] = await time(() => withLib(viewer, {}, (lib, remote) => syncStatus(lib, remote)));
  const warm: number[] = [];
  for (let i = 0; i < 5; i++) warm.push((await time(() => withLib(viewer, {}, (lib, remote) => syncStatus(lib, remote))))[1]);
  warm.sort((x, y) => x - y);
  const t0 = process.hrtime.bigint();
  const cli = spawnSync(process.execPath, [CLI, 'sync', 'status', '--json', '--library', viewer], { encoding: 'utf8' });
  const cliMs = ms(t0);
  const t1 = process.hrtime.bigint();
  spawnSync(process.execPath, [CLI, '--version'], { encoding: 'utf8' });
  const nodeMs = ms(t1);
  console.log(`status with ${cold.snapshots} snapshots (behind ${cold.behind}):`);
  console.log(`  first run, fetching every manifest   ${coldMs.toFixed(0).padStart(6)} ms`);
  console.log(`  cached manifests (median of 5)       ${warm[2]!.toFixed(0).padStart(6)} ms   target ≤ 300 ms: ${warm[2]! <= 300 ? 'met' : 'MISSED'}`);
  console.log(`  \`trove sync status\` process, wall     ${cliMs.toFixed(0).padStart(6)} ms   (of which \`trove --version\` start-up ${nodeMs.toFixed(0)} ms)${cli.status ? ` exit ${cli.status}` : ''}`);
  fs.rmSync(root, { recursive: true, force: true });
}

main().catch((err) => {
  console.error(err);
  fs.rmSync(root, { recursive: true, force: true });
  process.exit(1);
});
