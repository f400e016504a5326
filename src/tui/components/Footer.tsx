// The current screen's keys, one line.
import { Text } from 'ink';
import { COMMANDS, keyGlyph, type Command } from '../keys.js';
import { fit } from '../format.js';

const MOVES: readonly Command[] = ['up', 'down', 'pageUp', 'pageDown', 'top', 'bottom'];

/** The screen's own keys first; list movement shrinks to one "↑↓ move" entry (? shows them all). */
export function footerText(commands: readonly Command[], width: number): string {
  const moves = commands.some((c) => MOVES.includes(c)) ? ['↑↓ move'] : [];
  const rest = commands.filter((c) => !MOVES.includes(c)).map((c) => `${shortKey(c)} ${COMMANDS[c].label}`);
  return fit([...moves, ...rest].join('  '), width);
}

/** The first key of a command (splitting the joined label lost the `/` key: QA T5). */
function shortKey(c: Command): string {
  return keyGlyph(COMMANDS[c].keys[0]);
}

export function Footer({ commands, width }: { commands: readonly Command[]; width: number }) {
  return (
    <Text dimColor wrap="truncate">
      {footerText(commands, width)}
    </Text>
  );
}
