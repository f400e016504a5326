import fs from 'node:fs';
import os from 'node:os';
import type { CommandModule } from 'yargs';
import { Library, libraryPaths } from '../../store/library.js';
import { loadRemoteConfig, openRemote } from '../../sync/remote/remote-config.js';
import { snapshotSideSources } from '../../sync/snapshot/diff-sources.js';
import { diffSides } from '../../sync/diff/diff-sides.js';
import { renderDiffText } from '../../sync/diff/diff-text.js';
import { createSideResolver } from '../../sync/diff/side-resolver.js';
import { libraryDir, Output, type GlobalArgs } from '../context.js';

interface Args extends GlobalArgs {
  a: string;
  b: string;
  summary?: boolean;
}

export const diffCommand: CommandModule<GlobalArgs, Args> = {
  command: 'diff <a> <b>',
  describe: 'what changed between two versions of the catalogue (local, base, head, a snapshot or backup id, or a .db file)',
  builder: (y) =>
    y
      .positional('a', { type: 'string', demandOption: true, describe: 'the older side: local | base | head | <snapshot id> | <backup id> | <path.db>' })
      .positional('b', { type: 'string', demandOption: true, describe: 'the newer side: local | base | head | <snapshot id> | <backup id> | <path.db>' })
      .option('summary', { type: 'boolean', describe: 'counts per entity only' })
      .example('$0 diff ~/backup/collection.db local', 'what changed in the library since that copy')
      .example('$0 diff base local', 'your changes since the last push or pull')
      .example('$0 diff head local --summary', 'how the local catalogue differs from the remote head, in counts')
      .example('$0 diff old.db new.db --json', 'the report as JSON (shape in docs/diff-merge.md)') as never,
  handler: async (argv) => {
    const paths = libraryPaths(libraryDir(argv));
    // Inside a library, `base`, `head`, snapshot ids and backup ids resolve too (snapshot sync).
    const lib = fs.existsSync(paths.stateDb) ? Library.open(paths.dir) : undefined;
    try {
      const sources = lib ? snapshotSideSources(lib, loadRemoteConfig(lib) ? () => openRemote(lib) : undefined) : [];
      const report = await diffSides(argv.a, argv.b, {
        resolve: createSideResolver({ localDb: paths.collectionDb, sources }),
        tmpDir: fs.existsSync(paths.tmpDir) ? paths.tmpDir : os.tmpdir(),
        summaryOnly: !!argv.summary,
      });
      Output.from(argv).result(report, () => renderDiffText(report));
    } finally {
      lib?.close();
    }
  },
};
