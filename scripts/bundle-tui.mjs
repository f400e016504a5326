// Bundles the TUI (Ink, React and the screens) into one ES module after `tsc`. Loading Ink's hundreds
// of small modules one by one took about a second on Node 20; one bundled file loads in ~0.2 s, which
// is what keeps the TUI's first frame fast. Native modules stay external. The plain modules in dist/
// remain the fallback (src/cli/commands/browse.ts), so a failed bundle never breaks the TUI.
import { build } from 'esbuild';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
await build({
  entryPoints: [path.join(root, 'dist/src/tui/bundle-entry.js')],
  outfile: path.join(root, 'dist/src/tui/bundle.js'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['better-sqlite3', 'opendal', '@mongodb-js/zstd'],
  // Ink loads its devtools integration only when DEV=true; it is not a dependency we ship.
  alias: { 'react-devtools-core': path.join(root, 'scripts/devtools-stub.mjs') },
  define: { 'process.env.NODE_ENV': '"production"' },
  banner: { js: "import { createRequire as __trove_createRequire } from 'node:module'; const require = __trove_createRequire(import.meta.url);" },
  logLevel: 'warning',
  legalComments: 'none',
});
