import type { CommandModule } from 'yargs';
import { verifyStore } from '../../store/verify.js';
import { formatBytes, Output, withLibrary, type GlobalArgs } from '../context.js';
import { EXIT } from '../exit-codes.js';

export const verifyCommand: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'verify',
  describe: 're-hash every local blob; prints each bad sha1 (exit 4 if any)',
  handler: (argv) =>
    withLibrary(argv, async (lib) => {
      const out = Output.from(argv);
      const report = await verifyStore(lib);
      out.result(report, () => [
        ...report.bad.map((b) => `BAD ${b.sha1}  ${b.problem}`),
        `${report.checked} blob(s) checked, ${formatBytes(report.bytes)}, ${report.bad.length} bad`,
      ]);
      if (report.bad.length) process.exitCode = EXIT.INTEGRITY;
    }),
};
