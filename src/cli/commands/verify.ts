import type { CommandModule } from 'yargs';
import { verifyStore } from '../../store/verify.js';
import { formatBytes, Output, withLibrary, type GlobalArgs } from '../context.js';
import { EXIT } from '../exit-codes.js';

export const verifyCommand: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'verify',
  describe: 're-hash every local blob; moves each bad one to <library>/bad and forgets it (exit 4 if any)',
  handler: (argv) =>
    withLibrary(argv, async (lib) => {
      const out = Output.from(argv);
      const report = await verifyStore(lib);
      out.result(report, () => [
        ...report.bad.flatMap((b) => [
          `BAD ${b.sha1}  ${b.problem}`,
          b.action === 'quarantined'
            ? `  moved to ${b.movedTo}; no longer counted as here`
            : b.action === 'forgotten'
              ? '  no longer counted as here'
              : `  ${b.error}; no longer counted as here`,
        ]),
        ...report.adopted.map((a) => `ADOPTED ${a.sha1}  ${a.path}: a good blob no row recorded; counted as here again`),
        ...report.unused.map((u) => `UNUSED ${u.sha1}  ${u.path}: ${u.reason} (left in place)`),
        `${report.checked} blob(s) checked, ${formatBytes(report.bytes)}, ${report.bad.length} bad` +
          (report.adopted.length ? `, ${report.adopted.length} adopted` : '') +
          (report.unused.length ? `, ${report.unused.length} unused` : '') +
          (report.changedMeanwhile.length ? `, ${report.changedMeanwhile.length} changed by another trove process while verify ran (not judged; verify again to check them)` : ''),
        ...(report.bad.length
          ? ['Get a good copy back with `trove download <release>` (from the remote) or `trove add` of the original file.']
          : []),
      ]);
      if (report.bad.length) process.exitCode = EXIT.INTEGRITY;
    }),
};
