// Deadlines on remote calls: the pure parts, then a real stalled S3 server (s3rver frozen with
// SIGSTOP: connections are accepted, requests are never answered) and a resumed one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TroveError } from '../../../src/store/errors.js';
import { abandonedRemoteCalls, DEFAULT_REMOTE_TIMEOUTS, parseTimeout, remoteTimeouts, requestDeadlineMs, withDeadline } from '../../../src/sync/remote/deadline.js';
import { OpendalRemote } from '../../../src/sync/remote/opendal-remote.js';
import { startS3rver, type S3Server } from '../../helpers/s3rver.js';

describe('timeout settings', () => {
  it('parses whole numbers with a unit, and 0', () => {
    expect(parseTimeout('X', '500ms')).toBe(500);
    expect(parseTimeout('X', '30s')).toBe(30_000);
    expect(parseTimeout('X', '5m')).toBe(300_000);
    expect(parseTimeout('X', '1h')).toBe(3_600_000);
    expect(parseTimeout('X', '0')).toBe(0);
    for (const bad of ['', '5', '1.5s', '-1s', '5 minutes', 'soon']) {
      expect(() => parseTimeout('TROVE_REMOTE_TIMEOUT', bad)).toThrow(/TROVE_REMOTE_TIMEOUT=.*expected a whole number with a unit/);
    }
  });

  it('defaults to rclone-like values; the environment overrides each', () => {
    expect(remoteTimeouts({})).toEqual(DEFAULT_REMOTE_TIMEOUTS);
    expect(DEFAULT_REMOTE_TIMEOUTS).toEqual({ requestMs: 60_000, idleMs: 300_000 });
    expect(remoteTimeouts({ TROVE_REMOTE_TIMEOUT: '2s', TROVE_REMOTE_IDLE_TIMEOUT: '0' })).toEqual({ requestMs: 2000, idleMs: 0 });
    expect(() => remoteTimeouts({ TROVE_REMOTE_IDLE_TIMEOUT: 'fast' })).toThrow(TroveError);
  });

  it('gives a request that carries data one more second per 64 KiB', () => {
    expect(requestDeadlineMs({ requestMs: 1000, idleMs: 0 })).toBe(1000);
    expect(requestDeadlineMs({ requestMs: 1000, idleMs: 0 }, 8 * 1024 * 1024)).toBe(129_000);
    expect(requestDeadlineMs({ requestMs: 0, idleMs: 0 }, 8 * 1024 * 1024)).toBe(0);
  });
});

describe('withDeadline', () => {
  it('passes a result or failure through in time, and fails REMOTE_UNAVAILABLE when late', async () => {
    await expect(withDeadline(Promise.resolve(7), 1000, 'stat k', 'S')).resolves.toBe(7);
    await expect(withDeadline(Promise.reject(new Error('boom')), 1000, 'stat k', 'S')).rejects.toThrow('boom');
    let finish!: (v: number) => void;
    const slow = new Promise<number>((r) => (finish = r));
    const before = abandonedRemoteCalls();
    const err = await withDeadline(slow, 20, 'stat k on fs:/x', 'TROVE_REMOTE_TIMEOUT').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TroveError);
    expect((err as TroveError).code).toBe('REMOTE_UNAVAILABLE');
    expect((err as TroveError).message).toBe('stat k on fs:/x: no answer within 0.02 s (timed out; $TROVE_REMOTE_TIMEOUT sets the limit)');
    expect(abandonedRemoteCalls()).toBe(before + 1);
    finish(1);
    await slow;
    await new Promise((r) => setImmediate(r));
    expect(abandonedRemoteCalls()).toBe(before);
  });

  it('0 means no deadline', async () => {
    await expect(withDeadline(new Promise((r) => setTimeout(() => r('late'), 30)), 0, 'x', 'S')).resolves.toBe('late');
  });
});

describe('a stalled s3 server', () => {
  let s3: S3Server;
  beforeAll(async () => {
    s3 = await startS3rver();
  });
  afterAll(async () => {
    s3?.resume();
    await s3?.stop();
  });

  it('every operation fails REMOTE_UNAVAILABLE within its deadline, and works again once the server answers', async () => {
    const timeouts = { requestMs: 400, idleMs: 800 };
    const remote = new OpendalRemote({ scheme: 's3', options: s3.options('/stall') }, timeouts);
    const big = Buffer.alloc(3 * 1024 * 1024, 7);
    await remote.write('a/small', Buffer.from('hello'));
    await remote.write('a/big', big);
    s3.pause();
    try {
      const collect = async (it: AsyncIterable<Buffer>) => {
        for await (const _ of it) void _;
      };
      async function* chunks() {
        yield Buffer.alloc(1024 * 1024, 1);
        yield Buffer.alloc(1024 * 1024, 2);
      }
      const ops: [string, () => Promise<unknown>, number][] = [
        ['stat', () => remote.stat('a/small'), 400],
        ['list', () => remote.list('a/'), 800],
        ['readAll', () => remote.readAll('a/small'), 400],
        ['read with size', () => collect(remote.read('a/small', { size: 5 })), 400],
        ['read streaming', () => collect(remote.read('a/big')), 400],
        ['write buffer', () => remote.write('a/new', Buffer.from('x')), 400],
        ['write stream', () => remote.write('a/new2', chunks()), 800],
        ['delete', () => remote.delete('a/small'), 400],
      ];
      for (const [name, op, ms] of ops) {
        const t0 = Date.now();
        const err = await op().catch((e: unknown) => e);
        const took = Date.now() - t0;
        expect(err, name).toBeInstanceOf(TroveError);
        expect((err as TroveError).code, name).toBe('REMOTE_UNAVAILABLE');
        expect((err as TroveError).message, name).toMatch(/on s3:\/\/trove-test\/stall.*no answer within/);
        expect(took, name).toBeGreaterThanOrEqual(ms - 50);
        expect(took, name).toBeLessThan(ms + 3000);
      }
    } finally {
      s3.resume();
    }
    // The server answers again: the stalled calls settle in the background, and the same remote works
    // (s3rver first works off the backlog: on a loaded machine that can outlast a 0.4 s deadline).
    const deadline = Date.now() + 30_000;
    while (abandonedRemoteCalls() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(abandonedRemoteCalls()).toBe(0);
    const again = async <T>(op: () => Promise<T>): Promise<T> => {
      for (;;) {
        try {
          return await op();
        } catch (err) {
          if (!(err instanceof TroveError && err.code === 'REMOTE_UNAVAILABLE') || Date.now() > deadline) throw err;
        }
      }
    };
    expect((await again(() => remote.stat('a/big')))?.size).toBe(big.length);
    const back = await again(async () => {
      const parts: Buffer[] = [];
      for await (const c of remote.read('a/big')) parts.push(c);
      return Buffer.concat(parts);
    });
    expect(back.equals(big)).toBe(true);
  });

  it('a streaming read that stalls half-way fails on the idle deadline, not before', async () => {
    const remote = new OpendalRemote({ scheme: 's3', options: s3.options('/stall2') }, { requestMs: 2000, idleMs: 700 });
    const big = Buffer.alloc(4 * 1024 * 1024, 9);
    await remote.write('big', big);
    let got = 0;
    const t0 = Date.now();
    let paused = 0;
    const err = await (async () => {
      for await (const c of remote.read('big')) {
        got += c.length;
        if (!paused) {
          s3.pause();
          paused = Date.now();
        }
      }
    })().catch((e: unknown) => e);
    s3.resume();
    // The first MiB arrived; then nothing more did (the rest may have been buffered already, in which
    // case the read finished: not a stall, and nothing to assert about deadlines).
    if (got === big.length) return;
    expect((err as TroveError).code).toBe('REMOTE_UNAVAILABLE');
    expect((err as TroveError).message).toMatch(/read big on .*no answer within 0.7 s.*TROVE_REMOTE_IDLE_TIMEOUT/);
    expect(Date.now() - paused).toBeGreaterThanOrEqual(650);
    expect(Date.now() - t0).toBeLessThan(10_000);
  });
});
