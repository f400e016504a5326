// Hashing large files off the main thread. MD5 (≈450 MiB/s) plus SHA1 and CRC32 on the main thread
// would serialise with reading and frame scheduling; a worker thread hashes the same bytes (shared,
// not copied: buffers are SharedArrayBuffer-backed) while libuv's pool compresses them.
import { Worker } from 'node:worker_threads';
import type { Digests } from './hashes.js';

// The worker is eval'd CommonJS so it runs the same from dist/ and under the test runner.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const zlib = require('node:zlib');
const jobs = new Map();
parentPort.on('message', (m) => {
  if (m.type === 'update') {
    let j = jobs.get(m.job);
    if (!j) jobs.set(m.job, (j = { sha1: createHash('sha1'), md5: createHash('md5'), crc: 0, size: 0 }));
    const bytes = new Uint8Array(m.sab, 0, m.length);
    j.sha1.update(bytes); j.md5.update(bytes); j.crc = zlib.crc32(bytes, j.crc); j.size += m.length;
    parentPort.postMessage({ type: 'ack', job: m.job });
  } else if (m.type === 'digest') {
    const j = jobs.get(m.job) || { sha1: createHash('sha1'), md5: createHash('md5'), crc: 0, size: 0 };
    jobs.delete(m.job);
    parentPort.postMessage({ type: 'digest', job: m.job, digests: {
      sha1: j.sha1.digest('hex'), md5: j.md5.digest('hex'), crc32: (j.crc >>> 0).toString(16).padStart(8, '0'), size: j.size } });
  } else if (m.type === 'drop') {
    jobs.delete(m.job);
  }
});
`;

interface Job {
  outstanding: number;
  waiters: (() => void)[];
  /** Resolvers of queued chunks, in order (the worker acks in order). */
  hashed: (() => void)[];
  done?: (d: Digests) => void;
}

let worker: Worker | undefined;
let nextJob = 1;
const jobs = new Map<number, Job>();

function getWorker(): Worker {
  if (worker) return worker;
  const w = new Worker(WORKER_SOURCE, { eval: true });
  w.on('message', (m: { type: string; job: number; digests?: Digests }) => {
    const job = jobs.get(m.job);
    if (!job) return;
    if (m.type === 'ack') {
      job.outstanding--;
      job.hashed.shift()?.();
      job.waiters.shift()?.();
    } else if (m.type === 'digest') {
      jobs.delete(m.job);
      job.done?.(m.digests!);
      if (jobs.size === 0) w.unref();
    }
  });
  w.on('error', (err) => {
    for (const j of jobs.values()) [...j.waiters.splice(0), ...j.hashed.splice(0)].forEach((f) => f());
    worker = undefined;
    throw err; // a crash of the hashing thread is a bug, not an expected failure
  });
  w.unref();
  worker = w;
  return w;
}

/** A buffer the hash worker can read without a copy. */
export function sharedBuffer(bytes: number): Buffer {
  return Buffer.from(new SharedArrayBuffer(bytes));
}

export class OffloadedHasher {
  private readonly id = nextJob++;
  private readonly job: Job = { outstanding: 0, waiters: [], hashed: [] };
  private readonly w = getWorker();

  constructor(private readonly maxOutstanding = 3) {
    jobs.set(this.id, this.job);
    this.w.ref();
  }

  /**
   * Queue `chunk` (a view of a sharedBuffer) for hashing; waits while too many are queued. Returns
   * once queued, with `hashed`, which settles when the worker is done reading the chunk's bytes.
   */
  async update(chunk: Buffer): Promise<{ hashed: Promise<void> }> {
    while (this.job.outstanding >= this.maxOutstanding) await new Promise<void>((r) => this.job.waiters.push(r));
    if (!(chunk.buffer instanceof SharedArrayBuffer) || chunk.byteOffset !== 0) throw new Error('OffloadedHasher needs a sharedBuffer chunk');
    this.job.outstanding++;
    const hashed = new Promise<void>((r) => this.job.hashed.push(r));
    this.w.postMessage({ type: 'update', job: this.id, sab: chunk.buffer, length: chunk.length });
    return { hashed };
  }

  digest(): Promise<Digests> {
    return new Promise((resolve) => {
      this.job.done = resolve;
      this.w.postMessage({ type: 'digest', job: this.id });
    });
  }

  /** Forget the job (on error); the worker frees its state. */
  abandon(): void {
    jobs.delete(this.id);
    this.w.postMessage({ type: 'drop', job: this.id });
    if (jobs.size === 0) this.w.unref();
  }
}
