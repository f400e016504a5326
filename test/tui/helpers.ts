// Drive the TUI through ink-testing-library: real key input, then wait for the frame to change.
import type { render } from 'ink-testing-library';

export type Rendered = ReturnType<typeof render>;

export const KEY = {
  up: '\x1b[A',
  down: '\x1b[B',
  right: '\x1b[C',
  left: '\x1b[D',
  enter: '\r',
  escape: '\x1b',
  tab: '\t',
  backspace: '\x7f',
  pageDown: '\x1b[6~',
  end: '\x1b[F',
} as const;

const strip = (s: string) => s.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');

/** The last frame as plain text. */
export function frame(r: Rendered): string {
  return strip(r.lastFrame() ?? '');
}

/** Poll the frame until `ok` holds (no fixed sleeps); fail with the last frame after `timeoutMs`. */
export async function waitFor(r: Rendered, ok: (f: string) => boolean, what: string, timeoutMs = 5000): Promise<string> {
  const start = Date.now();
  for (;;) {
    const f = frame(r);
    if (ok(f)) return f;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}; last frame:\n${f}`);
    await new Promise((res) => setTimeout(res, 10));
  }
}

export function waitForText(r: Rendered, text: string | RegExp, timeoutMs?: number): Promise<string> {
  return waitFor(r, (f) => (typeof text === 'string' ? f.includes(text) : text.test(f)), JSON.stringify(String(text)), timeoutMs);
}

/** Send a key and wait until the frame differs from before (the app reacted). */
export async function press(r: Rendered, key: string, until?: string | RegExp): Promise<string> {
  const before = frame(r);
  r.stdin.write(key);
  if (until) return waitForText(r, until);
  return waitFor(r, (f) => f !== before, `a new frame after ${JSON.stringify(key)}`);
}

/** The line holding the cursor (rows are marked with › when selected). */
export function selectedLine(f: string): string | undefined {
  return f.split('\n').find((l) => l.startsWith('›'));
}

/**
 * Send a key that changes nothing on screen (a no-op such as the current section's number) and give
 * the app time to handle it on its own, not batched with the next key.
 */
export async function pressNoop(r: Rendered, key: string, ms = 100): Promise<void> {
  r.stdin.write(key);
  await new Promise((res) => setTimeout(res, ms));
}
