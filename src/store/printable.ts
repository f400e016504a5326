// Text from outside (DAT names, file names, remote error bodies) goes to terminals: an escape
// sequence in a game name must not retitle the window or clear the screen. `printable` shows every
// C0/C1 control character and DEL as a visible escape (`\x1b`), leaving all other text as is.
// Use it where such text is printed for a person; JSON output keeps the raw string (JSON escapes it).

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

export function printable(text: string): string {
  return text.replace(CONTROL, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
