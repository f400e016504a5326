// Every key of the current screen and the global ones, with what it does.
import { Box, Text } from 'ink';
import { COMMANDS, GLOBAL_COMMANDS, keysLabel, type Command } from '../keys.js';
import { cell, fit } from '../format.js';

export function helpLines(screenCommands: readonly Command[]): string[] {
  const line = (c: Command) => `${cell(keysLabel(c), 22)} ${COMMANDS[c].help}`;
  return ['This screen:', ...screenCommands.map(line), '', 'Everywhere:', ...GLOBAL_COMMANDS.map(line)];
}

export function HelpOverlay({ screenCommands, height, width }: { screenCommands: readonly Command[]; height: number; width: number }) {
  const lines = helpLines(screenCommands);
  const shown = lines.slice(0, Math.max(1, height - 1));
  return (
    <Box flexDirection="column" height={height}>
      <Text bold>Keys (? or esc closes)</Text>
      {shown.map((l, i) => (
        <Text key={i} wrap="truncate">
          {fit(l, width)}
        </Text>
      ))}
    </Box>
  );
}
