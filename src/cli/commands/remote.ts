import type { CommandModule } from 'yargs';
import { TroveError } from '../../store/errors.js';
import { CREDENTIAL_KEYS, credentialsFilePath, saveCredentials, type CredentialKey, type Credentials } from '../../sync/remote/credentials-file.js';
import { prepareFsRoot } from '../../sync/remote/fs-root.js';
import { describeRemote, redactOptions } from '../../sync/remote/opendal-remote.js';
import { loadRemoteConfig, parseRemoteArgs, remoteFor, requireRemoteConfig, resolveRemote, saveRemoteConfig } from '../../sync/remote/remote-config.js';
import { checkRemote } from '../../sync/transfer/remote-check.js';
import { exitCodeFor } from '../exit-codes.js';
import { Output, withLibrary, type GlobalArgs } from '../context.js';

interface SetArgs extends GlobalArgs {
  scheme: string;
  options: string[];
  create?: boolean;
}

const setCommand: CommandModule<GlobalArgs, SetArgs> = {
  command: 'set <scheme> [options..]',
  describe: 'use a remote: fs root=<folder> | s3 bucket=<b> region=<r> [endpoint=<url>] [root=<prefix>] [profile=<p>] | memory (credentials: environment or `trove remote credentials`)',
  builder: (y) =>
    y
      .positional('scheme', { type: 'string', demandOption: true })
      .positional('options', { type: 'string', array: true, default: [] })
      .option('create', { type: 'boolean', describe: 'fs: create the root folder if it does not exist (by default a missing root is refused: a NAS that is not mounted)' })
      .example('$0 remote set fs root=/mnt/nas/trove', 'the folder must exist')
      .example('$0 remote set fs root=/data/trove-remote --create', 'make the folder') as never,
  handler: (argv) =>
    withLibrary(argv, async (lib) => {
      const cfg = parseRemoteArgs(argv.scheme, argv.options);
      if (argv.create && cfg.scheme !== 'fs') throw new TroveError('USAGE', '--create applies to fs remotes only');
      const created = cfg.scheme === 'fs' ? await prepareFsRoot(cfg.options.root!, !!argv.create) : false;
      saveRemoteConfig(lib, cfg);
      Output.from(argv).result({ remote: describeRemote(cfg), scheme: cfg.scheme, options: redactOptions(cfg), ...(cfg.scheme === 'fs' ? { created } : {}) }, () =>
        `Remote set: ${describeRemote(cfg)}${created ? ' (folder created)' : ''}`,
      );
    }),
};

const showCommand: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'show',
  describe: 'the configured remote and where its credentials come from (values masked)',
  handler: (argv) =>
    withLibrary(argv, (lib) => {
      const out = Output.from(argv);
      const cfg = loadRemoteConfig(lib);
      if (!cfg) return out.result({ remote: null }, () => 'No remote configured.');
      const r = resolveRemote(cfg);
      r.warnings.forEach((w) => out.warn(w));
      const credentials = Object.fromEntries(Object.entries(r.masked).map(([k, v]) => [k, { value: v, source: r.sources[k as CredentialKey] }]));
      // Options through the allow-list (remote-options.ts): an older config may hold anything.
      const options = redactOptions(cfg);
      out.result({ remote: describeRemote(cfg), scheme: cfg.scheme, options, credentials, credentialsFile: r.credentialsFile }, () => [
        describeRemote(cfg),
        ...Object.entries(options).map(([k, v]) => `  ${k} = ${v}`),
        ...Object.entries(credentials).map(([k, c]) => `  ${k} = ${c.value} (from ${c.source})`),
        ...(cfg.scheme === 's3' && !Object.keys(credentials).length ? [`  no credentials (set AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY or run \`trove remote credentials\`)`] : []),
      ]);
    }),
};

const checkCommand: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'check',
  describe: 'is the remote reachable, writable, listable, readable; are conditional writes really honoured?',
  handler: (argv) =>
    withLibrary(argv, async (lib) => {
      const cfg = requireRemoteConfig(lib);
      // No credentials: AUTH with what to do (remoteFor), not a probe that fails as "unreachable".
      const report = await checkRemote(remoteFor(resolveRemote(cfg)));
      const yes = (b: boolean | null) => (b === null ? 'not tried' : b ? 'yes' : 'NO');
      Output.from(argv).result(report, () => [
        report.remote,
        `  reachable: ${yes(report.reachable)}   writable: ${yes(report.writable)}   listable: ${yes(report.listable)}   readable: ${yes(report.readable)}`,
        `  conditional writes (if-not-exists): ${report.conditionalWrites}` +
          (report.conditionalWrites === 'ignored' ? ' — the server accepts the condition but overwrites; trove does not rely on it' : ''),
        ...report.steps.filter((s) => !s.ok).map((s) => `  ${s.step} failed: ${s.message}`),
      ]);
      if (!report.ok) {
        const failed = report.steps.find((s) => !s.ok);
        process.exitCode = exitCodeFor((failed?.code ?? 'REMOTE_ERROR') as never);
      }
    }),
};

interface CredArgs extends GlobalArgs {
  profile: string;
}

const credentialsCommand: CommandModule<GlobalArgs, CredArgs> = {
  command: 'credentials',
  describe: `store S3 credentials read from stdin (key=value lines: ${CREDENTIAL_KEYS.join(', ')}) in the 0600 credentials file`,
  builder: (y) =>
    y
      .option('profile', { type: 'string', default: 'default', describe: 'profile name (remote option profile=<p> selects it)' })
      .example("printf 'access_key_id=AKIA…\\nsecret_access_key=…\\n' | $0 remote credentials", '') as never,
  handler: async (argv) => {
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(c as Buffer);
    const creds: Credentials = {};
    for (const [i, raw] of Buffer.concat(chunks).toString('utf8').split(/\r?\n/).entries()) {
      const line = raw.trim();
      if (!line) continue;
      const eq = line.indexOf('=');
      const key = eq > 0 ? line.slice(0, eq).trim() : '';
      if (!(CREDENTIAL_KEYS as readonly string[]).includes(key)) {
        throw new TroveError('BAD_INPUT', `stdin line ${i + 1}: expected one of ${CREDENTIAL_KEYS.join(', ')}=<value>`);
      }
      creds[key as CredentialKey] = line.slice(eq + 1).trim();
    }
    if (!Object.keys(creds).length) throw new TroveError('BAD_INPUT', 'no credentials on stdin (access_key_id=…, secret_access_key=…)');
    const file = credentialsFilePath();
    await saveCredentials(file, argv.profile, creds);
    Output.from(argv).result({ file, profile: argv.profile, stored: Object.keys(creds) }, () => `Stored ${Object.keys(creds).join(', ')} for profile ${argv.profile} in ${file} (mode 0600)`);
  },
};

export const remoteCommand: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'remote <command>',
  describe: 'configure and check the remote that holds blobs and snapshots',
  builder: (y) => y.command(setCommand).command(showCommand).command(checkCommand).command(credentialsCommand).demandCommand(1) as never,
  handler: () => undefined,
};
