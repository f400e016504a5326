import fs from 'node:fs';
import path from 'node:path';
import type { CommandModule } from 'yargs';
import { TroveError } from '../../store/errors.js';
import { writeFixdat, type FixdatResult } from '../../store/catalog/fixdat.js';
import { buildReport, type SystemReport } from '../../store/catalog/report.js';
import { resolveSystem } from '../../store/repo/resolve.js';
import { Output, withLibrary, type GlobalArgs } from '../context.js';

interface Args extends GlobalArgs {
  system?: string;
  missing?: boolean;
  fixdat?: string;
}

function systemText(s: SystemReport): string[] {
  const src = s.sources.map((d) => `"${d.name}" ${d.version ?? ''}`.trim()).join('; ');
  // Completeness is against a DAT: a system without one has nothing to be complete against.
  if (!s.sources.length) return [`${s.name} (no DAT imported)`, `  ${s.notInDat} release(s), not checked against any DAT`, `  unmatched scanned files: ${s.unmatched}`];
  return [
    `${s.name}${src ? ` (from ${src})` : ''}`,
    `  releases: ${s.releases.complete} complete, ${s.releases.partial} partial, ${s.releases.missing} missing of ${s.releases.total}${s.releases.noFiles ? ` (${s.releases.noFiles} without ROM files)` : ''}`,
    `  files:    ${s.files.have} have, ${s.files.missing} missing of ${s.files.total}${s.files.weak ? ` (${s.files.weak} matched by crc32 only)` : ''}`,
    ...(s.files.alternatives.total
      ? [`  alternatives: ${s.files.alternatives.total} file(s) of other dumps of the same games, not counted above (${s.files.alternatives.have} held)`]
      : []),
    ...(s.notInDat ? [`  ${s.notInDat} release(s) no DAT lists, not counted above (kept: they hold content, or were added by hand)`] : []),
    `  unmatched scanned files: ${s.unmatched}`,
  ];
}

/** Name of a per-system fixdat file inside a folder: the system name made safe as one path segment. */
function fixdatFileName(system: string): string {
  // eslint-disable-next-line no-control-regex
  return `${system.replace(/[/\\\u0000-\u001f\u007f]/g, '_').replace(/^\.+/, '_')} (fixdat).dat`;
}

export const reportCommand: CommandModule<GlobalArgs, Args> = {
  command: 'report',
  describe: 'per system: releases complete / partial / missing, files have / missing, unmatched scanned files; --fixdat writes what is missing',
  builder: (y) =>
    y
      .option('system', { type: 'string' })
      .option('missing', { type: 'boolean', describe: 'list the incomplete releases and their missing files' })
      .option('fixdat', { type: 'string', describe: 'write the missing files as a Logiqx XML DAT (igir, RomVault); a folder gets one file per system' })
      .example('$0 report --system "Nintendo - Nintendo Entertainment System" --fixdat nes-missing.dat', '') as never,
  handler: (argv) =>
    withLibrary(argv, async (lib) => {
      const systemId = argv.system ? resolveSystem(lib.db, argv.system).id : undefined;
      const report = buildReport(lib.db, { systemId, missing: !!(argv.missing || argv.fixdat) });
      const fixdats: FixdatResult[] = [];
      if (argv.fixdat) {
        const missing = report.missing ?? [];
        const isDir = fs.existsSync(argv.fixdat) && fs.statSync(argv.fixdat).isDirectory();
        if (isDir) {
          for (const s of report.systems) {
            fixdats.push(await writeFixdat(path.join(argv.fixdat, fixdatFileName(s.name)), `${s.name} (fixdat)`, missing.filter((m) => m.system === s.name)));
          }
        } else {
          if (report.systems.length !== 1) {
            throw new TroveError('USAGE', `--fixdat ${argv.fixdat}: the library has ${report.systems.length} systems; give --system, or a folder for one fixdat per system`);
          }
          fixdats.push(await writeFixdat(argv.fixdat, `${report.systems[0]!.name} (fixdat)`, missing));
        }
      }
      const out = Output.from(argv);
      const data = { ...report, ...(argv.missing ? {} : { missing: undefined }), ...(argv.fixdat ? { fixdats } : {}) };
      out.result(data, () => [
        ...report.systems.flatMap(systemText),
        ...(systemId ? [] : [`unmatched scanned files (scans without --system): ${report.unmatchedAnySystem}`]),
        ...(argv.missing
          ? (report.missing ?? []).flatMap((m) => [`${m.status.padEnd(7)} ${m.system} › ${m.release}`, ...m.roms.map((r) => `          ${r.fileSet}/${r.name} (${r.size} bytes, ${r.sha1 ?? `crc32 ${r.crc32}`})`)])
          : []),
        ...fixdats.map((f) => `fixdat ${f.path}: ${f.games} game(s), ${f.roms} rom(s)${f.skipped.length ? `; ${f.skipped.length} name(s) XML cannot hold left out` : ''}`),
      ]);
      for (const f of fixdats) for (const s of f.skipped) out.warn(`fixdat: left out ${JSON.stringify(s)} (a character XML 1.0 cannot hold)`);
    }),
};
