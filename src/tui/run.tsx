// Start the TUI on a terminal and resolve when the user quits.
import { render } from 'ink';
import { App, ForcedQuit } from './App.js';
import type { TroveServices } from './services.js';

export async function runTui(services: TroveServices): Promise<void> {
  // maxFps: Ink's default (30) holds a frame up to 33 ms after a key; 120 keeps key → frame near
  // the work itself, and frames are small (one screen).
  // The alternate screen keeps the user's scrollback intact and gives a clean canvas to redraw.
  // ctrl+c is the app's own key (exitOnCtrlC off): quitting first stops the transfers and waits for
  // their bookkeeping. SIGINT / SIGTERM sent to the process mean the same.
  type Listener = (kind: 'interrupt' | 'hangup') => void;
  const listeners = new Set<Listener>();
  const onSignal = () => listeners.forEach((l) => l('interrupt'));
  const interrupts = (l: Listener) => {
    listeners.add(l);
    return () => void listeners.delete(l);
  };
  // The terminal went away (window closed, ssh dropped): nobody can watch the downloads finish, so
  // cut them (the second level) and exit once what finished is recorded; writes to the dead
  // terminal fail with EIO, which must not crash the process before that.
  const onHangup = () => listeners.forEach((l) => l('hangup'));
  const ignoreDeadTerminal = () => undefined;
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onHangup);
  process.stdout.on('error', ignoreDeadTerminal);
  process.stdout.write('\x1b[?1049h');
  const instance = render(<App services={services} interrupts={interrupts} />, { exitOnCtrlC: false, patchConsole: true, maxFps: 120 });
  let forced = false;
  try {
    await instance.waitUntilExit();
  } catch (err) {
    if (!(err instanceof ForcedQuit)) throw err;
    forced = true;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('SIGHUP', onHangup);
    instance.cleanup();
    process.stdout.write('\x1b[?1049l');
  }
  if (forced) {
    // Asked three times: leave now. Transfers still running are cut by the exit; a blob renamed
    // into the store but not recorded is verified and adopted by the next download run.
    process.stderr.write('trove: quit while transfers were still stopping; unfinished ones stay queued\n');
    process.exit(130);
  }
}
