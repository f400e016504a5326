// The TUI's transfer session on a real library and a real fs remote, with the remote's stream held
// half-way: the queue shows how far the item got while it is in flight, not 0 % until it is done.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeContent } from '../../fixtures/content.js';
import { addFiles } from '../../src/store/add-files.js';
import { Library } from '../../src/store/library.js';
import { OpendalRemote } from '../../src/sync/remote/opendal-remote.js';
import type { Remote } from '../../src/sync/remote/remote.js';
import { planDrop } from '../../src/sync/transfer/drop-plan.js';
import { runDrop } from '../../src/sync/transfer/drop-worker.js';
import { targetFiles } from '../../src/sync/transfer/transfer-targets.js';
import { runUploads } from '../../src/sync/transfer/upload-worker.js';
import type { TransferSnapshot } from '../../src/tui/services.js';
import { TransferSession } from '../../src/tui/transfer-session.js';
import { tempDir } from '../helpers/cli.js';

const dir = tempDir('trove-session-');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A remote whose reads stop after `chunks` chunks until release() is called. */
function heldRemote(inner: Remote, chunks: number): { remote: Remote; release: () => void; held: Promise<void> } {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let reached!: () => void;
  const held = new Promise<void>((r) => (reached = r));
  const remote = Object.create(inner) as Remote;
  remote.read = (key, opts) =>
    (async function* () {
      let n = 0;
      for await (const c of inner.read(key, opts)) {
        if (n++ === chunks) {
          reached();
          await gate;
        }
        yield c;
      }
    })();
  return { remote, release, held };
}

describe('TransferSession', () => {
  it('shows a large download part-way while its bytes are still arriving', async () => {
    const { library: lib } = Library.init(path.join(dir, 'lib'));
    const src = path.join(dir, 'big.iso');
    const size = 24 * 1024 * 1024; // several 4 MiB frames, above the whole-object read limit: streamed
    await writeContent(src, 'session/big', size, 'random');
    await addFiles(lib, { paths: [src], system: 'S', release: 'Big (World)', type: 'disc' });
    fs.mkdirSync(path.join(dir, 'remote')); // an fs remote's root must exist
    const fsRemote = new OpendalRemote({ scheme: 'fs', options: { root: path.join(dir, 'remote') } });
    await runUploads(lib, fsRemote, {});
    await runDrop(lib, fsRemote, planDrop(targetFiles(lib.db, {})));

    const { remote, release, held } = heldRemote(fsRemote, 12);
    const snaps: TransferSnapshot[] = [];
    const session = new TransferSession({ lib: () => lib, remote: () => remote, onChange: (s) => snaps.push(s), onLocal: () => undefined });
    await session.request({}, 'Big (World)');
    await held;
    // Give the decoder and the tracker's trailing update time to report the frames that arrived.
    let partway: TransferSnapshot['items'][number] | undefined;
    for (let i = 0; i < 200 && !partway; i++) {
      await new Promise((r) => setTimeout(r, 10));
      partway = session.snapshot().items.find((it) => it.state === 'active' && it.bytesDone > 0);
    }
    expect(partway).toBeDefined();
    expect(partway!.bytesDone).toBeLessThan(partway!.bytesTotal);
    expect(partway!.bytesTotal).toBe(size);
    release();
    await session.idle();
    const done = session.snapshot();
    expect(done.items).toEqual([expect.objectContaining({ state: 'done', bytesDone: size, bytesTotal: size })]);
    expect(targetFiles(lib.db, {}).every((f) => f.isLocal)).toBe(true);
    lib.close();
  }, 60_000);
});
