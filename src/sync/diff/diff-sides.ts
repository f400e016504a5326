// `trove diff <a> <b>` without the printing: resolve both sides, align their schema versions (through
// migrated temporary copies, never the originals), diff, and clean up.
import { diffDatabases, type DiffOptions } from './diff-databases.js';
import type { DiffReport } from './diff-report.js';
import { alignSchema, type PreparedSide } from './schema-align.js';
import type { SideResolver } from './side-resolver.js';

export interface DiffSidesOptions extends DiffOptions {
  resolve: SideResolver;
  /** Where temporary copies go (the library's tmp/ or the system temp folder). */
  tmpDir: string;
}

export async function diffSides(refA: string, refB: string, opts: DiffSidesOptions): Promise<DiffReport> {
  const prepared: PreparedSide[] = [];
  try {
    for (const ref of [refA, refB]) {
      const side = await opts.resolve(ref);
      try {
        prepared.push(alignSchema(side, opts.tmpDir));
      } catch (err) {
        side.cleanup();
        throw err;
      }
    }
    const [a, b] = prepared as [PreparedSide, PreparedSide];
    const info = (ref: string, s: PreparedSide) => ({ ref, label: s.label, schemaVersion: s.schemaVersion, migrated: s.migrated, path: s.path });
    return diffDatabases(info(refA, a), info(refB, b), opts);
  } finally {
    for (const s of prepared) s.cleanup();
  }
}
