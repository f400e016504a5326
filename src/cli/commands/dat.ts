import type { CommandModule } from 'yargs';
import { importDats, type DatImportResult } from '../../store/catalog/dat-import.js';
import { MAX_HEADER_CHARS } from '../../store/catalog/import-plan.js';
import { resolveSystem } from '../../store/repo/resolve.js';
import { Output, withLibrary, type GlobalArgs } from '../context.js';

interface ImportArgs extends GlobalArgs {
  files: string[];
  system?: string;
  'dry-run'?: boolean;
}

const MAX_LISTED = 20;

function listed<T>(items: T[], fmt: (x: T) => string): string[] {
  const lines = items.slice(0, MAX_LISTED).map(fmt);
  if (items.length > MAX_LISTED) lines.push(`    … and ${items.length - MAX_LISTED} more (--json lists all)`);
  return lines;
}

/** Removed entries once per name and outcome, with how many entries that was (a name can have several). */
function byName<T extends { gameName: string; action: string }>(items: T[]): { item: T; count: number }[] {
  const out = new Map<string, { item: T; count: number }>();
  for (const x of items) {
    const key = `${x.action}\u0000${x.gameName}`;
    const seen = out.get(key);
    if (seen) seen.count++;
    else out.set(key, { item: x, count: 1 });
  }
  return [...out.values()];
}

function importText(r: DatImportResult, dryRun: boolean): string[] {
  const version = r.source.previousVersion && r.source.previousVersion !== r.source.version ? `${r.source.previousVersion} → ${r.source.version}` : (r.source.version ?? '?');
  const kept = r.removed.filter((x) => x.action === 'kept');
  return [
    `${dryRun ? 'would import' : 'imported'} ${r.file} (${r.format}, "${r.source.name}" ${version}) into ${r.system}`,
    `  ${r.games} games (${r.releases} releases), ${r.roms} roms; games: ${r.addedGames} added${r.addedIntoExisting ? ` (${r.addedIntoExisting} into a file set already in the catalogue)` : ''}, ${r.changed.length} changed, ${r.removed.length} removed, ${r.unchanged} unchanged`,
    ...listed(r.changed, (c) => `    changed  ${c.name} (${c.changes.join(', ')})`),
    ...listed(byName(r.removed), ({ item: x, count }) => `    removed  ${x.gameName}${count > 1 ? ` (${count} entries)` : ''}${x.action === 'kept' ? ` — kept in the catalogue: ${x.reason}` : ''}`),
    ...(kept.length ? [`  ${kept.length} removed game(s) kept because they hold stored content or another DAT lists them`] : []),
    ...(r.keptMembers.length
      ? [
          `  ${r.keptMembers.length} stored file(s) the DAT does not list kept (an import never drops stored content), moved to their release's "(not in DAT)" file set:`,
          ...listed(r.keptMembers, (k) => `    kept     ${k.release} › ${k.fileSet} › ${k.name} (${k.sha1.slice(0, 8)}) → ${k.movedTo} › ${k.movedAs}: ${k.reason}`),
        ]
      : []),
    ...(r.duplicates.length
      ? [`  ${r.duplicates.length} game name(s) appear more than once; each entry is kept as its own ROM file set of one release:`, ...listed(r.duplicates, (d) => `    duplicate ${d.name} ×${d.count} (lines ${d.lines.join(', ')})`)]
      : []),
    ...r.headerTruncated.map((t) => `  header ${t.field} of ${t.chars} characters stored cut short to ${MAX_HEADER_CHARS} (it is synced to every device)`),
    ...(r.skippedRoms.length ? [`  ${r.skippedRoms.length} rom(s) skipped:`, ...listed(r.skippedRoms, (s) => `    ${r.file}:${s.line}: ${s.game} › ${s.rom}: ${s.reason}`)] : []),
  ];
}

const importCommand: CommandModule<GlobalArgs, ImportArgs> = {
  command: 'import <files..>',
  describe: 'import No-Intro/Redump DATs (clrmamepro or Logiqx XML, detected by content) as systems, releases and their ROMs',
  builder: (y) =>
    y
      .positional('files', { type: 'string', array: true, demandOption: true })
      .option('system', { type: 'string', describe: 'system name to use instead of the DAT header\'s' })
      .option('dry-run', { type: 'boolean', describe: 'report what would change, change nothing' })
      .example('$0 dat import "Nintendo - Nintendo Entertainment System.dat"', '') as never,
  handler: (argv) =>
    withLibrary(argv, async (lib) => {
      const results = await importDats(lib, argv.files, { system: argv.system, dryRun: argv['dry-run'] });
      Output.from(argv).result({ dryRun: !!argv['dry-run'], imports: results }, () => results.flatMap((r) => importText(r, !!argv['dry-run'])));
    }),
};

interface ListArgs extends GlobalArgs {
  system?: string;
}

const listCommand: CommandModule<GlobalArgs, ListArgs> = {
  command: 'list',
  describe: 'list the DATs each system was imported from',
  builder: (y) => y.option('system', { type: 'string' }) as never,
  handler: (argv) =>
    withLibrary(argv, (lib) => {
      // An unknown --system is an error naming the systems there are (as `report --system` does), not "no DATs".
      const systemId = argv.system ? resolveSystem(lib.db, argv.system).id : null;
      const rows = lib.db
        .prepare(
          `SELECT s.name AS system, d.name, d.version, d.format, d.file_name, d.games, d.roms, d.imported_at
           FROM dat_source d JOIN system s ON s.id = d.system_id WHERE (@system IS NULL OR s.id = @system) ORDER BY s.name, d.name`,
        )
        .all({ system: systemId }) as { system: string; name: string; version: string | null; format: string; file_name: string; games: number; imported_at: string }[];
      Output.from(argv).result({ sources: rows }, () =>
        rows.length ? rows.map((r) => `${r.system}: "${r.name}" ${r.version ?? ''} (${r.format}, ${r.file_name}, ${r.games} games, imported ${r.imported_at})`) : [argv.system ? `no DATs imported for ${argv.system}` : 'no DATs imported'],
      );
    }),
};

export const datCommand: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'dat <command>',
  describe: 'DAT catalogues (No-Intro, Redump): import, list',
  builder: (y) => y.command(importCommand).command(listCommand).demandCommand(1) as never,
  handler: () => undefined,
};
