import type { CommandModule } from 'yargs';
import { describeRemote } from '../../sync/remote/opendal-remote.js';
import { loadRemoteConfig, parseRemoteArgs, saveRemoteConfig } from '../../sync/remote/remote-config.js';
import { Output, withLibrary, type GlobalArgs } from '../context.js';

interface SetArgs extends GlobalArgs {
  scheme: string;
  options: string[];
}

const setCommand: CommandModule<GlobalArgs, SetArgs> = {
  command: 'set <scheme> [options..]',
  describe: 'use a remote: fs root=<folder> | s3 bucket=<b> endpoint=<url> region=<r> [root=<prefix>] | memory',
  builder: (y) => y.positional('scheme', { type: 'string', demandOption: true }).positional('options', { type: 'string', array: true, default: [] }) as never,
  handler: (argv) =>
    withLibrary(argv, (lib) => {
      const cfg = parseRemoteArgs(argv.scheme, argv.options);
      saveRemoteConfig(lib, cfg);
      Output.from(argv).result({ remote: describeRemote(cfg), scheme: cfg.scheme, options: cfg.options }, () => `Remote set: ${describeRemote(cfg)}`);
    }),
};

const showCommand: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'show',
  describe: 'the configured remote (credentials are never shown)',
  handler: (argv) =>
    withLibrary(argv, (lib) => {
      const cfg = loadRemoteConfig(lib);
      Output.from(argv).result(cfg ? { remote: describeRemote(cfg), scheme: cfg.scheme, options: cfg.options } : { remote: null }, () =>
        cfg ? [`${describeRemote(cfg)}`, ...Object.entries(cfg.options).map(([k, v]) => `  ${k} = ${v}`)] : 'No remote configured.',
      );
    }),
};

export const remoteCommand: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'remote <command>',
  describe: 'configure the remote that holds blobs and snapshots',
  builder: (y) => y.command(setCommand).command(showCommand).demandCommand(1) as never,
  handler: () => undefined,
};
