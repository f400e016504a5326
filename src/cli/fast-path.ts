// `trove` and `trove demo --open` (what `npm start` runs) open the TUI. Recognising them needs neither
// yargs nor any other command's modules, and skipping those keeps the TUI's first frame fast. Anything
// else, including these on a first run (the demo must be created) or without a terminal, takes the
// full command line.
import fs from 'node:fs';
import path from 'node:path';
import { dataHome, resolveLibraryDir } from '../store/library.js';

export function tuiLaunchDir(argv: string[], env: NodeJS.ProcessEnv = process.env): string | undefined {
  let library: string | undefined;
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--library' && i + 1 < argv.length) library = argv[++i];
    else if (a.startsWith('--library=')) library = a.slice('--library='.length);
    else rest.push(a);
  }
  if (rest.length === 0) return resolveLibraryDir(library, env);
  if (rest.length === 2 && rest[0] === 'demo' && rest[1] === '--open') {
    const dir = library ? path.resolve(library) : path.join(dataHome(env), 'demo');
    if (fs.existsSync(path.join(dir, 'collection.db'))) return dir;
  }
  return undefined;
}
