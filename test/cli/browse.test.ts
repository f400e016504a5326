// `trove` with no command opens the TUI on a terminal; without one it says so and what to run.
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli.js';

describe('trove (no command)', () => {
  it('without a TTY prints what to use instead and exits 0', async () => {
    const lib = tempDir();
    expect((await runCli(['init', '--library', lib])).code).toBe(0);
    const r = await runCli(['--library', lib]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('the interactive browser needs a terminal');
    expect(r.stderr).toContain('trove ls releases --system <system>');
    expect(r.stdout).toBe('');
  });

  it('without a TTY, a library that is not there is an error (exit 1) as it is with one (QA2 F5.4)', async () => {
    const missing = `${tempDir()}/nowhere`;
    const r = await runCli(['--library', missing]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`no trove library at ${missing}`);
    expect(r.stderr).not.toContain('needs a terminal');
  });

  it('still rejects an unknown command', async () => {
    const r = await runCli(['frobnicate']);
    expect(r.code).toBe(2);
  });

  it('demo --open without a TTY lists the demo instead and says why', async () => {
    const r = await runCli(['demo', '--open', '--library', `${tempDir()}/demo`]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('no terminal here');
    expect(r.stdout).toMatch(/\d+ releases in the demo library/);
  }, 60_000);
});
