// The contract suite against the three real OpenDAL backends: memory, fs (a temp folder) and s3
// (s3rver in a child process on 127.0.0.1).
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { OpendalRemote } from '../../../src/sync/remote/opendal-remote.js';
import { startS3rver, type S3Server } from '../../helpers/s3rver.js';
import { tempDir } from '../../helpers/cli.js';
import { remoteContract } from './remote-contract.js';

let counter = 0;
const base = tempDir('trove-remote-');
let s3: S3Server;

beforeAll(async () => {
  s3 = await startS3rver();
});
afterAll(async () => {
  await s3?.stop();
  fs.rmSync(base, { recursive: true, force: true });
});

remoteContract({ name: 'memory', make: async () => new OpendalRemote({ scheme: 'memory', options: { root: `/t${++counter}` } }) });
remoteContract({
  name: 'fs',
  make: async () => {
    const root = path.join(base, `fs${++counter}`);
    fs.mkdirSync(root); // an fs remote's root must exist
    return new OpendalRemote({ scheme: 'fs', options: { root } });
  },
});
remoteContract({ name: 's3 (s3rver)', make: async () => new OpendalRemote({ scheme: 's3', options: s3.options(`/t${++counter}`) }) });
