// Remote over an OpenDAL Operator: fs (the default: a folder), s3, memory. Streams both ways with
// bounded memory, lists with real sizes, deletes one key at a time. Errors become TroveErrors by
// their OpenDAL kind and HTTP status (remote-errors.ts); messages name the remote and key, never
// credentials.
import fsSync from 'node:fs';
import { Operator, type Writer } from 'opendal';
import { TroveError } from '../../store/errors.js';
import { IDLE_TIMEOUT_ENV, REQUEST_TIMEOUT_ENV, remoteTimeouts, requestDeadlineMs, withDeadline, type RemoteTimeouts } from './deadline.js';
import { checkFsRoot } from './fs-root.js';
import { classifyRemoteFailure, describeFailure, opendalReason, parseOpendalFailure } from './remote-errors.js';
import { displayOptions, endpointForDisplay, secretValues } from './remote-options.js';
import { WHOLE_READ_BYTES, type ReadOptions, type Remote, type RemoteEntry, type RemoteFeatures, type RemoteStat, type WriteOptions } from './remote.js';

export interface RemoteConfig {
  scheme: 'fs' | 's3' | 'memory';
  /** Scheme options (root, bucket, endpoint, region, …). May include credentials: print only through `redactOptions`. */
  options: Record<string, string>;
}

/** Where the fs backend stages writes before renaming them into place (same filesystem as root). */
export const FS_STAGING_DIR = '.trove-tmp';
/** Bytes read from the remote per yielded chunk, and the multipart part size on upload. */
const READ_CHUNK_BYTES = 1024 * 1024;
const WRITE_CHUNK_BYTES = 8 * 1024 * 1024;
const LIST_STAT_CONCURRENCY = 16;

/** The remote for people: device-local (never stored in collection.db); the endpoint without any `user:password@`. */
export function describeRemote(cfg: RemoteConfig): string {
  const o = cfg.options;
  if (cfg.scheme === 'fs') return `fs:${o.root ?? '?'}`;
  if (cfg.scheme === 's3') return `s3://${o.bucket ?? '?'}${o.root && o.root !== '/' ? '/' + o.root.replace(/^\/+/, '') : ''}${o.endpoint ? ` at ${endpointForDisplay(o.endpoint)}` : ''}`;
  return `memory:${o.root ?? '/'}`;
}

/** Options as they may be printed: only known harmless ones in clear (remote-options.ts), anything else `****`. */
export function redactOptions(cfg: RemoteConfig): Record<string, string> {
  return displayOptions(cfg.scheme, cfg.options);
}

/** Map an OpenDAL error to a TroveError: code from its kind/status, message without secrets. */
export function mapOpendalError(err: unknown, what: string, secrets: string[] = []): TroveError {
  if (err instanceof TroveError) return err;
  let msg = (err as Error)?.message ?? String(err);
  for (const s of secrets) if (s) msg = msg.split(s).join('****');
  const failure = parseOpendalFailure(msg);
  const code = classifyRemoteFailure(failure);
  // Responses carry the status; transport failures (refused, reset, timeout) only their source.
  const source = failure.httpStatus === undefined ? /source: ([^\n]*)$/.exec(msg.split('\n')[0]!)?.[1]?.slice(0, 200) : undefined;
  // A configuration OpenDAL refused says why ("region is missing …"): keep that (no secret: values
  // that are were scrubbed above). Answers from a server keep only their status and S3 code.
  const reason = failure.kind === 'ConfigInvalid' && failure.httpStatus === undefined ? opendalReason(msg) : undefined;
  return new TroveError(code, `${what}: ${describeFailure(failure)}${reason ? `: ${reason}` : ''}${source ? ` (${source})` : ''}`, {
    details: { opendalKind: failure.kind, httpStatus: failure.httpStatus, serviceCode: failure.serviceCode },
  });
}

async function mapLimit<T, R>(items: T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

export class OpendalRemote implements Remote {
  readonly description: string;
  private readonly secrets: string[];
  private readonly scheme: RemoteConfig['scheme'];
  /** fs only: the folder that must exist before any operation (fs-root.ts; never created here). */
  private readonly fsRoot?: string;
  private readonly operatorOptions: Record<string, string>;
  private operator?: Operator;
  private readonly stagingPrefix?: string;

  /** `timeouts`: deadlines for every call (deadline.ts); by default from the environment. */
  constructor(
    cfg: RemoteConfig,
    private readonly timeouts: RemoteTimeouts = remoteTimeouts(),
  ) {
    this.description = describeRemote(cfg);
    this.scheme = cfg.scheme;
    this.secrets = secretValues(cfg.scheme, cfg.options);
    const options = { ...cfg.options };
    if (cfg.scheme === 'fs') this.fsRoot = options.root ?? '/';
    // fs writes straight into the target file unless told to stage: a crash would leave a
    // truncated object under its final key. Stage beside the data and rename on close.
    const staged = cfg.scheme === 'fs' && !!options.root && !options.atomic_write_dir;
    if (staged) options.atomic_write_dir = `${options.root!.replace(/\/+$/, '')}/${FS_STAGING_DIR}`;
    // Where trove stages writes (only when it chose the folder): prune-blobs removes stale leftovers.
    this.stagingPrefix = staged ? `${FS_STAGING_DIR}/` : undefined;
    this.operatorOptions = options;
    // OpenDAL's fs backend creates its root when the operator is built: build it only once the root
    // is there (rootPresent), so that a NAS that is not mounted is never created on the local disk.
    if (this.fsRoot === undefined || fsSync.statSync(this.fsRoot, { throwIfNoEntry: false })?.isDirectory()) void this.op;
  }

  private get op(): Operator {
    if (!this.operator) {
      try {
        this.operator = new Operator(this.scheme, this.operatorOptions);
      } catch (err) {
        throw mapOpendalError(err, `remote ${this.description}`, this.secrets);
      }
    }
    return this.operator;
  }

  /**
   * What the backend claims. Until an fs remote's root exists no operator is built and nothing is
   * claimed (every operation fails then anyway).
   */
  get features(): RemoteFeatures {
    return {
      conditionalCreate: this.operator ? this.operator.capability().writeWithIfNotExists : false,
      ...(this.stagingPrefix ? { stagingPrefix: this.stagingPrefix } : {}),
    };
  }

  /** An fs remote whose root is missing (a NAS not mounted) fails instead of being created. */
  private async rootPresent(): Promise<void> {
    if (this.fsRoot === undefined) return;
    await this.request(checkFsRoot(this.fsRoot), 'open', this.fsRoot); // a hung network mount
    void this.op; // built now if the root appeared since construction (features reads it)
  }

  private fail(err: unknown, op: string, key: string): TroveError {
    return mapOpendalError(err, `${op} ${key} on ${this.description}`, this.secrets);
  }

  /** `work` (one request, carrying `bytes` of data) within the request deadline. */
  private request<T>(work: Promise<T>, op: string, key: string, bytes = 0): Promise<T> {
    return withDeadline(work, requestDeadlineMs(this.timeouts, bytes), `${op} ${key} on ${this.description}`, REQUEST_TIMEOUT_ENV);
  }

  /** `work` (one step of a stream, or a listing) within the idle deadline. */
  private idle<T>(work: Promise<T>, op: string, key: string): Promise<T> {
    return withDeadline(work, this.timeouts.idleMs, `${op} ${key} on ${this.description}`, IDLE_TIMEOUT_ENV);
  }

  async *read(key: string, opts: ReadOptions = {}): AsyncIterable<Buffer> {
    await this.rootPresent();
    const size = opts.size;
    if (size !== undefined && size > 0 && size <= WHOLE_READ_BYTES) {
      // One ranged GET of exactly the known size. `op.reader` would first HEAD the object for its
      // length and then GET it: two requests per object, and a 1 MiB buffer per read even for a
      // 16 KiB blob. The range bounds what we accept whatever the server sends; OpenDAL fails a
      // body shorter than asked for.
      // (The memory backend panics on a range past the end instead of failing: read it whole —
      // it is in this process anyway — and hold it to the same rule.)
      let body: Buffer;
      try {
        body = await this.request(this.scheme === 'memory' ? this.op.read(key) : this.op.read(key, { offset: 0n, size: BigInt(size) }), 'read', key, size);
      } catch (err) {
        throw this.fail(err, 'read', key);
      }
      if (body.length < size) throw new TroveError('REMOTE_ERROR', `read ${key} on ${this.description}: object is ${body.length} bytes, expected ${size}`);
      yield body.length > size ? body.subarray(0, size) : body;
      return;
    }
    let reader;
    try {
      reader = await this.request(this.op.reader(key), 'read', key);
    } catch (err) {
      throw this.fail(err, 'read', key);
    }
    for (;;) {
      // Fill a fresh buffer (the caller keeps what we yield) from the reader's smaller reads.
      const buf = Buffer.allocUnsafe(READ_CHUNK_BYTES);
      let filled = 0;
      let eof = false;
      while (filled < buf.length) {
        let n: number;
        try {
          n = Number(await this.idle(reader.read(buf.subarray(filled)), 'read', key));
        } catch (err) {
          throw this.fail(err, 'read', key);
        }
        if (n === 0) {
          eof = true;
          break;
        }
        filled += n;
      }
      if (filled > 0) yield buf.subarray(0, filled);
      if (eof) return;
    }
  }

  async readAll(key: string): Promise<Buffer> {
    await this.rootPresent();
    try {
      return await this.request(this.op.read(key), 'read', key);
    } catch (err) {
      throw this.fail(err, 'read', key);
    }
  }

  async write(key: string, data: Buffer | AsyncIterable<Buffer>, opts: WriteOptions = {}): Promise<void> {
    await this.rootPresent();
    const ifNotExists = opts.ifNotExists && this.features.conditionalCreate ? { ifNotExists: true } : {};
    if (Buffer.isBuffer(data)) {
      try {
        await this.request(this.op.write(key, data, ifNotExists), 'write', key, data.length);
      } catch (err) {
        throw this.fail(err, 'write', key);
      }
      return;
    }
    let w: Writer;
    try {
      // Parts of 8 MiB: small objects go up in one PUT on close, big ones as a multipart upload.
      w = await this.request(this.op.writer(key, { chunk: BigInt(WRITE_CHUNK_BYTES), ...ifNotExists }), 'write', key);
    } catch (err) {
      throw this.fail(err, 'write', key);
    }
    // A source that fails mid-way must not be committed: close() only after the last chunk.
    for await (const chunk of data) {
      try {
        await this.idle(w.write(chunk), 'write', key);
      } catch (err) {
        throw this.fail(err, 'write', key);
      }
    }
    try {
      await this.idle(w.close(), 'write', key);
    } catch (err) {
      throw this.fail(err, 'write', key);
    }
  }

  async stat(key: string): Promise<RemoteStat | undefined> {
    await this.rootPresent();
    try {
      const m = await this.request(this.op.stat(key), 'stat', key);
      if (m.isDirectory()) return undefined;
      return { size: Number(m.contentLength ?? 0n), etag: m.etag ?? undefined, lastModified: m.lastModified ?? undefined };
    } catch (err) {
      const e = this.fail(err, 'stat', key);
      if (e.code === 'NOT_FOUND') return undefined;
      throw e;
    }
  }

  async list(prefix: string): Promise<RemoteEntry[]> {
    await this.rootPresent();
    let entries;
    try {
      // One call for every page (the binding has no lister): the idle deadline bounds it as a whole.
      entries = await this.idle(this.op.list(prefix, { recursive: true }), 'list', prefix);
    } catch (err) {
      const e = this.fail(err, 'list', prefix);
      if (e.code === 'NOT_FOUND') return [];
      throw e;
    }
    const files: { key: string; size: number | undefined }[] = [];
    // Staging files are listed only when the staging folder itself is asked for.
    const hideStaging = !prefix.startsWith(`${FS_STAGING_DIR}/`);
    for (const e of entries) {
      const key = e.path();
      if (key.endsWith('/') || (hideStaging && key.startsWith(`${FS_STAGING_DIR}/`))) continue;
      const m = e.metadata();
      if (m.isDirectory()) continue;
      // fs and memory listings carry no length (they report 0): stat those to get the real size.
      const size = m.contentLength ?? 0n;
      files.push({ key, size: size > 0n ? Number(size) : undefined });
    }
    const out = await mapLimit(files, LIST_STAT_CONCURRENCY, async (f) => {
      if (f.size !== undefined) return { key: f.key, size: f.size };
      const st = await this.stat(f.key);
      return st ? { key: f.key, size: st.size } : undefined; // deleted between list and stat
    });
    return out.filter((e): e is RemoteEntry => e !== undefined).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  async delete(key: string): Promise<void> {
    await this.rootPresent();
    try {
      await this.request(this.op.delete(key), 'delete', key);
    } catch (err) {
      const e = this.fail(err, 'delete', key);
      if (e.code !== 'NOT_FOUND') throw e;
    }
  }
}
