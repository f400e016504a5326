// `npm run bench [name…] [-- options]`: runs the named benchmark scripts one after another (all of
// them without a name), each in its own process so that one's memory and caches don't colour the
// next's numbers. Names: ingest, catalog, transfer, sync, diff, tui.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ALL = ['ingest', 'catalog', 'transfer', 'sync', 'diff', 'tui'];
const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const names = args.filter((a) => ALL.includes(a));
const unknown = args.filter((a) => !a.startsWith('-') && !ALL.includes(a) && !/^\d+$/.test(a));
if (unknown.length) {
  console.error(`unknown benchmark(s): ${unknown.join(', ')}; choose from ${ALL.join(', ')}`);
  process.exit(2);
}
const options = args.filter((a) => !ALL.includes(a));
let failed = 0;
for (const name of names.length ? names : ALL) {
  console.log(`\n===== bench:${name} =====`);
  const r = spawnSync(process.execPath, [path.join(here, `${name}.js`), ...options], { stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`bench:${name} failed (exit ${r.status ?? r.signal})`);
    failed++;
  }
}
process.exit(failed ? 1 : 0);
