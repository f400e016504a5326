// Start the TUI on a terminal and resolve when the user quits.
import { render } from 'ink';
import { App } from './App.js';
import type { TroveServices } from './services.js';

export async function runTui(services: TroveServices): Promise<void> {
  // The alternate screen keeps the user's scrollback intact and gives a clean canvas to redraw.
  process.stdout.write('\x1b[?1049h');
  const instance = render(<App services={services} />, { exitOnCtrlC: true, patchConsole: true });
  try {
    await instance.waitUntilExit();
  } finally {
    instance.cleanup();
    process.stdout.write('\x1b[?1049l');
  }
}
