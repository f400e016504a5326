import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli.js';

const root = tempDir('trove-demo-xfer-');
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('trove demo', () => {
  it('creates a folder remote beside the demo library and shows every availability state', async () => {
    const dir = path.join(root, 'demo');
    const r = await runCli(['demo', '--library', dir, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const { releases } = JSON.parse(r.stdout) as { releases: { availability: string }[] };
    expect(new Set(releases.map((x) => x.availability))).toEqual(new Set(['Synchronized', 'LocalOnly', 'CloudOnly', 'NotAvailable']));
    expect(fs.existsSync(path.join(root, 'demo-remote'))).toBe(true);
    const status = JSON.parse((await runCli(['--library', dir, 'status', '--json'])).stdout);
    expect(status.remote).toBe(`fs:${path.join(root, 'demo-remote')}`);
    expect(status.uploads.UploadCompleted).toBeGreaterThan(0);
    expect(status.uploads.UploadPending).toBeGreaterThan(0);
  });
});
