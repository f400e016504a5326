// The current screen's keys, one line.
import { Text } from 'ink';
import { COMMANDS, keysLabel, type Command } from '../keys.js';
import { fit } from '../format.js';

export function footerText(commands: readonly Command[], width: number): string {
  return fit(commands.map((c) => `${keysLabel(c)} ${COMMANDS[c].label}`).join('  '), width);
}

export function Footer({ commands, width }: { commands: readonly Command[]; width: number }) {
  return (
    <Text dimColor wrap="truncate">
      {footerText(commands, width)}
    </Text>
  );
}
