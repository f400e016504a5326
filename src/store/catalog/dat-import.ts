// `trove dat import`: read every DAT (streaming, format by content), then plan and apply them all in
// one transaction — a problem in any file leaves the database exactly as it was.
import path from 'node:path';
import { nameId } from '../ids.js';
import type { Library } from '../library.js';
import { loadCatalogState } from './catalog-state.js';
import { datProblemsError } from './dat-error.js';
import type { DatFormat } from './dat-model.js';
import { systemNameOf } from './dat-system-name.js';
import { applyImport } from './import-apply.js';
import { planImport, type DuplicateName, type GameChange, type RemovedGame, type SkippedRom } from './import-plan.js';
import { readDat, type ReadDatResult } from './read-dat.js';

export interface DatImportResult {
  file: string;
  format: DatFormat;
  system: string;
  source: { name: string; version: string | null; previousVersion: string | null; new: boolean };
  games: number;
  releases: number;
  roms: number;
  /** Names of the releases added (each once). */
  added: string[];
  /** DAT entries (games) added; like `changed`, `removed` and `unchanged`, a count of entries. */
  addedGames: number;
  changed: { name: string; changes: GameChange[] }[];
  unchanged: number;
  /** Of the added entries, how many went into a file set already in the catalogue (one you added by hand). */
  addedIntoExisting: number;
  removed: Omit<RemovedGame, 'releaseId' | 'fileSetId'>[];
  /** Members with stored content the DAT does not list (or lists with other content): kept, moved to "… (not in DAT)". */
  keptMembers: { release: string; fileSet: string; name: string; sha1: string; movedTo: string; movedAs: string; reason: string }[];
  duplicates: DuplicateName[];
  skippedRoms: SkippedRom[];
  /** Header text fields stored cut short (longer than MAX_HEADER_CHARS), with their full length. */
  headerTruncated: { field: string; chars: number }[];
}

export interface DatImportOptions {
  /** Use this system name instead of the one the DAT header gives. */
  system?: string;
  /** Plan and report, change nothing. */
  dryRun?: boolean;
}

export async function importDats(lib: Library, files: string[], opts: DatImportOptions = {}): Promise<DatImportResult[]> {
  const parsed: ReadDatResult[] = [];
  for (const f of files) parsed.push(await readDat(f));
  const run = () =>
    parsed.map((dat) => {
      const systemName = opts.system?.trim() || systemNameOf(dat.header.name);
      const existing = lib.db.prepare('SELECT id FROM system WHERE name = ?').pluck().get(systemName) as string | undefined;
      const systemId = existing ?? nameId('system', systemName);
      const plan = planImport(dat, loadCatalogState(lib.db, systemId), systemName);
      if (plan.problems.length) throw datProblemsError(plan.problems);
      const previous = lib.db.prepare('SELECT version FROM dat_source WHERE id = ?').get(plan.source.id) as { version: string | null } | undefined;
      if (!opts.dryRun) applyImport(lib.db, plan, { format: dat.format, fileName: path.basename(dat.file), fileSha1: dat.fileSha1 });
      const names = (gs: { gameName: string }[]) => [...new Set(gs.map((g) => g.gameName))];
      return {
        file: dat.file,
        format: dat.format,
        system: systemName,
        source: { name: dat.header.name, version: plan.source.header.version, previousVersion: previous?.version ?? null, new: !previous },
        games: plan.games,
        releases: plan.releases,
        roms: plan.roms,
        added: names(plan.added),
        addedGames: plan.added.length,
        changed: plan.changed.map((g) => ({ name: g.gameName, changes: g.changes })),
        addedIntoExisting: plan.added.filter((g) => g.existed).length,
        unchanged: plan.unchanged,
        keptMembers: [...plan.added, ...plan.changed].flatMap((g) =>
          g.kept.map((k) => ({ release: g.gameName, fileSet: g.fileSetName, name: k.name, sha1: k.sha1, movedTo: k.movedTo, movedAs: k.movedAs, reason: k.reason })),
        ),
        removed: plan.removed.map(({ releaseId: _r, fileSetId: _f, ...r }) => r),
        duplicates: plan.duplicates,
        skippedRoms: plan.skippedRoms,
        headerTruncated: plan.headerTruncated,
      };
    });
  // Random (UUIDv5) keys spread inserts over the whole B-tree: a larger page cache for the length of
  // the import keeps the NES DAT's ~100k index writes in memory (about 2x faster than the default).
  const cacheSize = lib.db.pragma('cache_size', { simple: true }) as number;
  lib.db.pragma('cache_size = -65536');
  try {
    return lib.db.transaction(run)();
  } finally {
    lib.db.pragma(`cache_size = ${cacheSize}`);
  }
}
