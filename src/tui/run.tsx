// Start the TUI on a terminal and resolve when the user quits.
import { render } from 'ink';
import { App } from './App.js';
import type { TroveServices } from './services.js';

export async function runTui(services: TroveServices): Promise<void> {
  // maxFps: Ink's default (30) holds a frame up to 33 ms after a key; 120 keeps key → frame near
  // the work itself, and frames are small (one screen).
  // The alternate screen keeps the user's scrollback intact and gives a clean canvas to redraw.
  process.stdout.write('\x1b[?1049h');
  const instance = render(<App services={services} />, { exitOnCtrlC: true, patchConsole: true, maxFps: 120 });
  try {
    await instance.waitUntilExit();
  } finally {
    instance.cleanup();
    process.stdout.write('\x1b[?1049l');
  }
}
