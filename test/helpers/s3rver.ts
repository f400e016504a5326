// A real S3 server for tests: s3rver in a child process under --openssl-legacy-provider (paginated
// listings fail with HTTP 500 on Node 20 otherwise), on 127.0.0.1 and a free port.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface S3Server {
  endpoint: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  dir: string;
  /** OpenDAL s3 options for this server (credentials included: tests only). */
  options(root?: string): Record<string, string>;
  stop(): Promise<void>;
  /** Stop and start again on the same port and data (for outage tests). */
  restart(): Promise<void>;
  /**
   * Freeze the server (SIGSTOP): connections are accepted by the kernel and requests queue unread, as
   * with a hung MinIO or NAS. `resume` (SIGCONT) lets it answer them.
   */
  pause(): void;
  resume(): void;
}

// Beside this file when run from source (vitest); from dist/test/helpers, back in the source tree.
const HERE = path.dirname(fileURLToPath(import.meta.url));
const CHILD = [path.join(HERE, 's3rver-child.cjs'), path.join(HERE, '..', '..', '..', 'test', 'helpers', 's3rver-child.cjs')].find((p) => fs.existsSync(p))!;

function launch(dir: string, bucket: string, port = 0): Promise<{ child: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--openssl-legacy-provider', CHILD, dir, bucket, String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const line = out.split('\n')[0];
      if (out.includes('\n')) resolve({ child, port: JSON.parse(line!).port });
    });
    child.stderr!.on('data', (d) => (err += d));
    child.on('exit', (code) => reject(new Error(`s3rver exited with ${code}: ${err}`)));
  });
}

export async function startS3rver(bucket = 'trove-test'): Promise<S3Server> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 's3rver-'));
  let { child, port } = await launch(dir, bucket);
  const stopChild = (c: ChildProcess) =>
    new Promise<void>((resolve) => {
      if (c.exitCode !== null) return resolve();
      c.once('exit', () => resolve());
      c.kill('SIGCONT'); // a paused server would not act on SIGTERM
      c.kill('SIGTERM');
      setTimeout(() => c.kill('SIGKILL'), 3000).unref();
    });
  const server: S3Server = {
    get endpoint() {
      return `http://127.0.0.1:${port}`;
    },
    bucket,
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
    region: 'us-east-1',
    dir,
    options(root = '/') {
      return { bucket, endpoint: server.endpoint, region: 'us-east-1', access_key_id: 'S3RVER', secret_access_key: 'S3RVER', root };
    },
    async stop() {
      await stopChild(child);
    },
    async restart() {
      await stopChild(child);
      ({ child, port } = await launch(dir, bucket, port));
    },
    pause() {
      child.kill('SIGSTOP');
    },
    resume() {
      child.kill('SIGCONT');
    },
  };
  return server;
}
