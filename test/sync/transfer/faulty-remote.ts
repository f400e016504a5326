// A fault-injecting wrapper around a real Remote: fail the next N calls of a method with a given
// code, count calls, or replace what a read returns. The real backend does everything else.
import { TroveError, type ErrorCode } from '../../../src/store/errors.js';
import type { ReadOptions, Remote, RemoteEntry, RemoteStat, WriteOptions } from '../../../src/sync/remote/remote.js';

type Method = 'read' | 'write' | 'stat' | 'list' | 'delete';

export class FaultyRemote implements Remote {
  readonly calls: Record<Method, number> = { read: 0, write: 0, stat: 0, list: 0, delete: 0 };
  private faults: { method: Method; code: ErrorCode; times: number; key?: string }[] = [];
  /** Replace a read's bytes (an error page, a corrupted copy). */
  readBody?: (key: string) => Buffer | undefined;

  constructor(private readonly inner: Remote) {}

  get description() {
    return this.inner.description;
  }
  get features() {
    return this.inner.features;
  }

  failNext(method: Method, code: ErrorCode, times = 1, key?: string): void {
    this.faults.push({ method, code, times, key });
  }

  private maybeFail(method: Method, key: string): void {
    this.calls[method]++;
    const f = this.faults.find((x) => x.method === method && x.times > 0 && (!x.key || x.key === key));
    if (f) {
      f.times--;
      throw new TroveError(f.code, `${method} ${key} on ${this.description}: injected ${f.code}`);
    }
  }

  readonly readOptions: (ReadOptions | undefined)[] = [];

  async *read(key: string, opts?: ReadOptions): AsyncIterable<Buffer> {
    this.maybeFail('read', key);
    this.readOptions.push(opts);
    const body = this.readBody?.(key);
    if (body) {
      yield body;
      return;
    }
    yield* this.inner.read(key, opts);
  }
  readAll(key: string): Promise<Buffer> {
    return this.inner.readAll(key);
  }
  async write(key: string, data: Buffer | AsyncIterable<Buffer>, opts?: WriteOptions): Promise<void> {
    this.maybeFail('write', key);
    return this.inner.write(key, data, opts);
  }
  async stat(key: string): Promise<RemoteStat | undefined> {
    this.maybeFail('stat', key);
    return this.inner.stat(key);
  }
  /** Called before each list (a test acts "in another process" at that point of a run). */
  onList?: (prefix: string) => void;

  async list(prefix: string): Promise<RemoteEntry[]> {
    this.maybeFail('list', prefix);
    this.onList?.(prefix);
    return this.inner.list(prefix);
  }
  async delete(key: string): Promise<void> {
    this.maybeFail('delete', key);
    return this.inner.delete(key);
  }
}
