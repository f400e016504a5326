// Benchmark: diff and three-way merge of two 100k-release collections with 1% of rows changed, beside
// sqldiff (Debian's sqlite3-tools) on the same pair. Prints times and ratios; targets: diff ≤ 1 s,
// merge ≤ 3 s, ratio to sqldiff ≤ 1.0.   npm run bench:diff [-- --releases N]
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateBigCatalog } from '../fixtures/big-catalog.js';
import { mutateCatalog } from '../fixtures/catalog-mutation.js';
import { diffDatabases } from '../src/sync/diff/diff-databases.js';
import { totalChanges } from '../src/sync/diff/diff-report.js';
import { mergeDatabases } from '../src/sync/merge/merge-databases.js';

const releases = Number(process.argv[process.argv.indexOf('--releases') + 1]) || 100_000;
const runs = 3;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function time<T>(fn: () => T): { ms: number; value: T } {
  const t = process.hrtime.bigint();
  const value = fn();
  return { ms: Number(process.hrtime.bigint() - t) / 1e6, value };
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trove-bench-diff-'));
try {
  const t0 = time(() => generateBigCatalog(path.join(dir, 'lib'), { releases }));
  const base = path.join(dir, 'base.db');
  fs.copyFileSync(path.join(dir, 'lib', 'collection.db'), base);
  const local = path.join(dir, 'local.db');
  const remote = path.join(dir, 'remote.db');
  fs.copyFileSync(base, local);
  fs.copyFileSync(base, remote);
  const ml = mutateCatalog(local, { fraction: 0.01, seed: 'a', at: '2026-06-01T00:00:00.000Z' });
  const mr = mutateCatalog(remote, { fraction: 0.01, seed: 'b', at: '2026-06-02T00:00:00.000Z' });
  console.log(`catalogue: ${releases} releases, ${t0.value.files} files, ${(fs.statSync(base).size / 1048576).toFixed(1)} MiB (generated in ${(t0.ms / 1000).toFixed(1)} s)`);
  console.log(`local changes: ${JSON.stringify(ml)}`);
  console.log(`cloud changes: ${JSON.stringify(mr)}`);

  const side = (p: string) => ({ path: p, ref: p, label: p, schemaVersion: 1, migrated: false });
  const diffs = Array.from({ length: runs }, () => time(() => diffDatabases(side(base), side(local))));
  const summaries = Array.from({ length: runs }, () => time(() => diffDatabases(side(base), side(local), { summaryOnly: true })));
  const diffMs = median(diffs.map((d) => d.ms));
  const summaryMs = median(summaries.map((d) => d.ms));
  const report = diffs[0]!.value;
  console.log(`diff (full report):  ${diffMs.toFixed(0)} ms  — ${totalChanges(report.summary)} entity changes  (target ≤ 1000 ms)`);
  console.log(`diff --summary:      ${summaryMs.toFixed(0)} ms`);

  const checks = { quick: 'quick_check + foreign keys of the touched rows (default)', integrity: 'integrity_check + foreign_key_check (verify: integrity)' } as const;
  for (const verify of ['quick', 'integrity'] as const) {
    const merges: { ms: number; value: Awaited<ReturnType<typeof mergeDatabases>> }[] = [];
    for (let i = 0; i < runs; i++) {
      const mergedPath = path.join(dir, `merged-${verify}-${i}.db`);
      const t = process.hrtime.bigint();
      const value = await mergeDatabases({ basePath: base, localPath: local, remotePath: remote, localDevice: 'a', remoteDevice: 'b', mergedPath, tmpDir: dir, verify });
      merges.push({ ms: Number(process.hrtime.bigint() - t) / 1e6, value });
      fs.rmSync(mergedPath, { force: true });
    }
    const mergeMs = median(merges.map((m) => m.ms));
    const m = merges[0]!.value;
    const ops = Object.values(m.plan.ops).reduce((n, o) => n + (o?.length ?? 0), 0);
    const kinds = m.conflicts.reduce<Record<string, number>>((acc, c) => ((acc[c.kind] = (acc[c.kind] ?? 0) + 1), acc), {});
    console.log(`merge, ${checks[verify]}: ${mergeMs.toFixed(0)} ms — ${ops} row operations, conflicts ${JSON.stringify(kinds)}  (target ≤ 3000 ms)`);
    const tm = merges.map((x) => x.value.timings);
    const med = (k: keyof (typeof tm)[0]) => median(tm.map((x) => x[k])).toFixed(0);
    console.log(`  of which: copy of local ${med('copyMs')} ms, read + plan ${med('planMs')} ms, apply ${med('applyMs')} ms, check + commit ${med('checkMs')} ms   (load ${os.loadavg()[0]!.toFixed(1)})`);
  }

  const sqldiff = spawnSync('sh', ['-c', 'command -v sqldiff'], { encoding: 'utf8' }).stdout.trim();
  if (!sqldiff) console.log('sqldiff: not installed (apt-get install -y sqlite3-tools) — no ratio');
  else {
    const run = (args: string[]) =>
      time(() => {
        const r = spawnSync(sqldiff, args, { stdio: ['ignore', 'ignore', 'pipe'] });
        if (r.status !== 0) throw new Error(`sqldiff failed: ${r.stderr}`);
      }).ms;
    const full = median(Array.from({ length: runs }, () => run([base, local])));
    const summ = median(Array.from({ length: runs }, () => run(['--summary', base, local])));
    console.log(`sqldiff:             ${full.toFixed(0)} ms (SQL statements)   sqldiff --summary: ${summ.toFixed(0)} ms`);
    console.log(`ratio trove diff / sqldiff: ${(diffMs / full).toFixed(2)}   trove --summary / sqldiff --summary: ${(summaryMs / summ).toFixed(2)}  (goal ≤ 1.0)`);
  }
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
