// `trove` with no command opens the TUI on a terminal; without one it says so and what to run.
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli.js';

describe('trove (no command)', () => {
  it('without a TTY prints what to use instead and exits 0', async () => {
    const r = await runCli(['--library', tempDir()]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('the interactive browser needs a terminal');
    expect(r.stderr).toContain('trove ls releases --system <system>');
    expect(r.stdout).toBe('');
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
