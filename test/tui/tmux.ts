// Run the built binary in a real terminal: a private tmux server (its own socket), 80×24.
import { execFileSync } from 'node:child_process';

export function hasTmux(): boolean {
  try {
    execFileSync('tmux', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export class TmuxSession {
  private readonly socket = `trove-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;

  constructor(command: string[], opts: { columns?: number; rows?: number; env?: Record<string, string> } = {}) {
    const env = Object.entries(opts.env ?? {}).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
    execFileSync('tmux', ['-L', this.socket, '-f', '/dev/null', 'new-session', '-d', ...env, '-x', String(opts.columns ?? 80), '-y', String(opts.rows ?? 24), '--', ...command]);
  }

  private tmux(...args: string[]): string {
    return execFileSync('tmux', ['-L', this.socket, ...args], { encoding: 'utf8' });
  }

  screen(): string {
    return this.tmux('capture-pane', '-p');
  }

  send(...keys: string[]): void {
    this.tmux('send-keys', ...keys);
  }

  /** Poll the screen until it shows `text` (no sleeps of fixed length); fail with the screen. */
  async waitFor(text: string | RegExp, timeoutMs = 15_000): Promise<string> {
    const start = Date.now();
    for (;;) {
      let s = '';
      try {
        s = this.screen();
      } catch {
        /* the session may be starting */
      }
      if (typeof text === 'string' ? s.includes(text) : text.test(s)) return s;
      if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${String(text)}; screen:\n${s}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  kill(): void {
    try {
      this.tmux('kill-server');
    } catch {
      /* already gone */
    }
  }
}
