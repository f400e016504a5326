// Bundles the TUI and the command line into one ES module each, after `tsc`. Loading Node modules one
// by one is what made start-up slow on Node 20: Ink's hundreds of small modules took about a second
// (one bundled file loads in ~0.2 s, which keeps the TUI's first frame fast), and yargs plus every
// command's modules ~0.3 s of each command's start. Native modules stay external. The plain modules
// in dist/ remain the fallback (src/cli/main.ts, src/cli/commands/browse.ts), so a missing bundle
// never breaks anything; tests run the bundles, as users do.
import { build } from 'esbuild';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const common = {
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
};

await build({
  ...common,
  entryPoints: [path.join(root, 'dist/src/tui/bundle-entry.js')],
  outfile: path.join(root, 'dist/src/tui/bundle.js'),
});

// The CLI bundle sits beside the command modules so that their relative URLs (browse.ts finds the
// TUI bundle by `../../tui/bundle.js`) still point at the right files. The TUI stays out of it: it
// is loaded on demand, from its own bundle.
await build({
  ...common,
  entryPoints: [path.join(root, 'dist/src/cli/command-line.js')],
  outfile: path.join(root, 'dist/src/cli/commands/cli-bundle.js'),
  plugins: [
    {
      name: 'tui-stays-external',
      setup(b) {
        b.onResolve({ filter: /tui\/bundle-entry\.js$/ }, (args) => ({ path: args.path, external: true }));
      },
    },
  ],
});
