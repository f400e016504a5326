// A device's name travels in every snapshot it pushes and is printed on every other device (sync
// status, snapshot lists, conflict tags): it must be one short line of plain text, so that it cannot
// fake output lines or send escape sequences to someone else's terminal.
import { TroveError } from './errors.js';

export const MAX_DEVICE_NAME_CHARS = 64;

/** The name trimmed, or a BAD_INPUT error saying what is wrong with it. */
export function checkDeviceName(name: string): string {
  const trimmed = name.trim();
  if (!trimmed) throw new TroveError('BAD_INPUT', 'device name must not be empty');
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f-\u009f]/.test(trimmed)) throw new TroveError('BAD_INPUT', `device name ${JSON.stringify(trimmed)} contains a control character (newline, tab, escape…)`);
  if (trimmed.length > MAX_DEVICE_NAME_CHARS) throw new TroveError('BAD_INPUT', `device name is ${trimmed.length} characters long; at most ${MAX_DEVICE_NAME_CHARS}`);
  return trimmed;
}
