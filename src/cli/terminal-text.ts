// Text for a person's terminal: every line made printable (src/store/printable.ts), so that a name
// from a DAT or a file system can neither retitle the window nor clear the screen, while the line
// breaks trove itself puts between lines stay line breaks. Not for --json: JSON escapes strings itself.
import { printable } from '../store/printable.js';

export function forTerminal(text: string): string {
  return text.split('\n').map(printable).join('\n');
}
