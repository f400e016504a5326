// Remote over an OpenDAL Operator: fs (the default: a folder), s3, memory. Errors are mapped to
// TroveError codes by their OpenDAL kind; messages name the remote and key, never credentials.
import { Operator } from 'opendal';
import { TroveError, type ErrorCode } from '../../store/errors.js';
import type { Remote, RemoteEntry, RemoteFeatures, RemoteStat } from './remote.js';

export interface RemoteConfig {
  scheme: 'fs' | 's3' | 'memory';
  /** Scheme options (root, bucket, endpoint, region, …). May include credentials: never print. */
  options: Record<string, string>;
}

const SECRET_KEYS = /secret|password|token|access_key|credential/i;

export function describeRemote(cfg: RemoteConfig): string {
  const o = cfg.options;
  if (cfg.scheme === 'fs') return `fs:${o.root ?? '?'}`;
  if (cfg.scheme === 's3') return `s3://${o.bucket ?? '?'}${o.root ? '/' + o.root.replace(/^\/+/, '') : ''}${o.endpoint ? ` at ${o.endpoint}` : ''}`;
  return `memory:${o.root ?? '/'}`;
}

export function redactOptions(options: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(options).map(([k, v]) => [k, SECRET_KEYS.test(k) ? '****' : v]));
}

/** Map an OpenDAL error (its message starts with the ErrorKind) to a TroveError. */
export function mapOpendalError(err: unknown, what: string, secrets: string[] = []): TroveError {
  let msg = (err as Error)?.message ?? String(err);
  for (const s of secrets) if (s) msg = msg.split(s).join('****');
  const kind = /^(\w+)/.exec(msg)?.[1] ?? '';
  let code: ErrorCode = 'REMOTE_UNAVAILABLE';
  if (kind === 'NotFound') code = 'NOT_FOUND';
  else if (kind === 'PermissionDenied') code = 'AUTH';
  else if (kind === 'AlreadyExists' || kind === 'ConditionNotMatch') code = 'ALREADY_EXISTS';
  else if (kind === 'ConfigInvalid') code = 'BAD_INPUT';
  const short = msg.split('\n')[0]!.slice(0, 300);
  return new TroveError(code, `${what}: ${short}`, { details: { opendalKind: kind } });
}

export class OpendalRemote implements Remote {
  readonly description: string;
  readonly features: RemoteFeatures;
  private readonly op: Operator;
  private readonly secrets: string[];

  constructor(cfg: RemoteConfig) {
    this.description = describeRemote(cfg);
    this.secrets = Object.entries(cfg.options)
      .filter(([k]) => SECRET_KEYS.test(k))
      .map(([, v]) => v);
    try {
      this.op = new Operator(cfg.scheme, cfg.options);
    } catch (err) {
      throw mapOpendalError(err, `remote ${this.description}`, this.secrets);
    }
    const cap = this.op.capability();
    this.features = { conditionalCreate: cap.writeWithIfNotExists || cap.writeWithIfNoneMatch };
  }

  private fail(err: unknown, op: string, key: string): TroveError {
    return mapOpendalError(err, `${op} ${key} on ${this.description}`, this.secrets);
  }

  async *read(key: string): AsyncIterable<Buffer> {
    let reader;
    try {
      reader = await this.op.reader(key);
    } catch (err) {
      throw this.fail(err, 'read', key);
    }
    for (;;) {
      const buf = Buffer.allocUnsafe(1024 * 1024);
      let n: number;
      try {
        n = Number(await reader.read(buf));
      } catch (err) {
        throw this.fail(err, 'read', key);
      }
      if (n === 0) return;
      yield buf.subarray(0, n);
    }
  }

  async readAll(key: string): Promise<Buffer> {
    try {
      return await this.op.read(key);
    } catch (err) {
      throw this.fail(err, 'read', key);
    }
  }

  async write(key: string, data: Buffer | AsyncIterable<Buffer>): Promise<void> {
    try {
      if (Buffer.isBuffer(data)) {
        await this.op.write(key, data);
        return;
      }
      const w = await this.op.writer(key);
      for await (const chunk of data) await w.write(chunk);
      await w.close();
    } catch (err) {
      if (err instanceof TroveError) throw err;
      throw this.fail(err, 'write', key);
    }
  }

  async stat(key: string): Promise<RemoteStat | undefined> {
    try {
      const m = await this.op.stat(key);
      return { size: Number(m.contentLength ?? 0n), etag: m.etag ?? undefined, lastModified: m.lastModified ?? undefined };
    } catch (err) {
      const e = this.fail(err, 'stat', key);
      if (e.code === 'NOT_FOUND') return undefined;
      throw e;
    }
  }

  async list(prefix: string): Promise<RemoteEntry[]> {
    try {
      const entries = await this.op.list(prefix, { recursive: true });
      const out: RemoteEntry[] = [];
      for (const e of entries) {
        const key = e.path();
        if (key.endsWith('/')) continue;
        out.push({ key, size: Number(e.metadata().contentLength ?? 0n) });
      }
      return out;
    } catch (err) {
      const e = this.fail(err, 'list', prefix);
      if (e.code === 'NOT_FOUND') return [];
      throw e;
    }
  }

  async delete(key: string): Promise<void> {
    try {
      await this.op.delete(key);
    } catch (err) {
      const e = this.fail(err, 'delete', key);
      if (e.code !== 'NOT_FOUND') throw e;
    }
  }
}
