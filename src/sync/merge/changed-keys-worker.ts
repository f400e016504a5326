// Finding changed keys on a worker thread: its own read-only connection to the same three files
// (local as `main`, base and remote attached, trusted_schema=OFF), the statements of
// changed-keys-sql.ts run per table, the keys sent back. Only for files no one writes meanwhile
// (merge inputs and the merge's private copy of local): two connections then see the same rows.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { TableSpec } from '../diff/catalog-tables.js';
import { changedKeysStatements } from './changed-keys-sql.js';

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
let db;
try {
  db = new Database(workerData.main, { readonly: true, fileMustExist: true });
  db.pragma('trusted_schema = OFF');
  db.prepare('ATTACH DATABASE ? AS base').run(workerData.base);
  db.prepare('ATTACH DATABASE ? AS remote').run(workerData.remote);
  db.pragma('temp_store = MEMORY');
  for (const s of ['main', 'base', 'remote']) {
    db.pragma(s + '.mmap_size = 1073741824');
    db.pragma(s + '.cache_size = -32768');
  }
  const keys = {};
  db.exec('BEGIN');
  for (const job of workerData.jobs) {
    for (const sql of job.statements) db.prepare(sql).run();
    keys[job.table] = db.prepare('SELECT k FROM temp.' + job.into).pluck().all();
  }
  db.exec('COMMIT');
  parentPort.postMessage({ keys });
} catch (err) {
  parentPort.postMessage({ error: String((err && err.message) || err), code: err && err.code });
} finally {
  if (db) db.close();
}
`;

export interface TripleFiles {
  main: string;
  base: string;
  remote: string;
}

/** Keys of each table in `tables` that differ between base and main or base and remote. */
export function changedKeysInWorker(files: TripleFiles, tables: readonly TableSpec[]): Promise<Map<string, string[]>> {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const jobs = tables.map((t) => ({ table: t.name, into: 'worker_involved', statements: changedKeysStatements(t, 'worker_involved') }));
  return new Promise((resolve, reject) => {
    const w = new Worker(WORKER_SOURCE, { eval: true, workerData: { ...files, driver, jobs } });
    w.once('message', (m: { keys?: Record<string, string[]>; error?: string; code?: string }) => {
      if (m.keys) resolve(new Map(Object.entries(m.keys)));
      else reject(Object.assign(new Error(m.error), { code: m.code }));
    });
    w.once('error', reject);
    w.once('exit', (code) => {
      if (code !== 0) reject(new Error(`changed-keys worker exited with ${code}`));
    });
  });
}
