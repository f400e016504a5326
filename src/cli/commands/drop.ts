import type { CommandModule } from 'yargs';
import { resolveReleaseOrFileSet, resolveSystem } from '../../store/repo/resolve.js';
import { TroveError } from '../../store/errors.js';
import { openRemote } from '../../sync/remote/remote-config.js';
import { planDrop } from '../../sync/transfer/drop-plan.js';
import { runDrop } from '../../sync/transfer/drop-worker.js';
import { targetFiles, type TargetFilter } from '../../sync/transfer/transfer-targets.js';
import { formatBytes, Output, withLibrary, type GlobalArgs } from '../context.js';
import { finishTransfer, progressRenderer } from '../transfer-output.js';

interface Args extends GlobalArgs {
  target?: string;
  system?: string;
  verify?: boolean;
}

export const dropCommand: CommandModule<GlobalArgs, Args> = {
  command: 'drop [target]',
  describe: 'free local copies whose remote copy is confirmed present (never the last copy)',
  builder: (y) =>
    y
      .positional('target', { type: 'string', describe: 'release name, id or id prefix, or file set id' })
      .option('system', { type: 'string', describe: 'the whole system (or the release\'s system with a target)' })
      .option('verify', { type: 'boolean', describe: 'download and check each remote copy before dropping the local one' })
      .example('$0 drop "ActRaiser (USA)"', '')
      .example('$0 drop --system "Nintendo - Game Boy" --verify', '') as never,
  handler: (argv) =>
    withLibrary(argv, async (lib) => {
      if (!argv.target && !argv.system) throw new TroveError('USAGE', 'drop needs a release or file set, or --system');
      const out = Output.from(argv);
      const system = argv.system ? resolveSystem(lib.db, argv.system) : undefined;
      let filter: TargetFilter = { systemId: system?.id };
      let what = system?.name ?? '';
      if (argv.target) {
        const t = resolveReleaseOrFileSet(lib.db, argv.target, { systemId: system?.id });
        filter = t.kind === 'release' ? { releaseId: t.id } : { fileSetId: t.id };
        what = t.label;
      }
      const plan = planDrop(targetFiles(lib.db, filter));
      const remote = openRemote(lib);
      const renderer = progressRenderer(out);
      const report = await runDrop(lib, remote, plan, { verify: argv.verify, onProgress: renderer.listener });
      finishTransfer(out, renderer, report, () => [
        `${what}: dropped ${report.dropped} local blob(s), ${formatBytes(report.bytesFreed)} freed; ${report.kept.length} kept` +
          (report.failed.length ? `; ${report.failed.length} kept because their remote copy could not be confirmed (below)` : '') +
          (plan.notLocal ? `; ${plan.notLocal} were not here` : ''),
        ...report.kept.slice(0, 20).map((k) => `  kept ${k.sha1}: ${k.reason}`),
      ]);
    }),
};
