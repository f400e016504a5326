import fs from 'node:fs';
import os from 'node:os';
import type { CommandModule } from 'yargs';
import { libraryPaths } from '../../store/library.js';
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
  describe: 'what changed between two versions of the catalogue (`local` or a .db file)',
  builder: (y) =>
    y
      .positional('a', { type: 'string', demandOption: true, describe: 'the older side: local | <path.db>' })
      .positional('b', { type: 'string', demandOption: true, describe: 'the newer side: local | <path.db>' })
      .option('summary', { type: 'boolean', describe: 'counts per entity only' })
      .example('$0 diff ~/backup/collection.db local', 'what changed in the library since that copy')
      .example('$0 diff old.db new.db --json', 'the report as JSON (shape in docs/diff-merge.md)') as never,
  handler: async (argv) => {
    const paths = libraryPaths(libraryDir(argv));
    const report = await diffSides(argv.a, argv.b, {
      resolve: createSideResolver({ localDb: paths.collectionDb }),
      tmpDir: fs.existsSync(paths.tmpDir) ? paths.tmpDir : os.tmpdir(),
      summaryOnly: !!argv.summary,
    });
    Output.from(argv).result(report, () => renderDiffText(report));
  },
};
