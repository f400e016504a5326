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
  const listeners = new Set<() => void>();
  const onSignal = () => listeners.forEach((l) => l());
  const interrupts = (l: () => void) => {
    listeners.add(l);
    return () => void listeners.delete(l);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
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
