// Every key of the current screen and the global ones, with what it does. Scrolls with the list keys
// when it is taller than the screen (QA T6: at 60×15 only 8 of ~25 entries could be seen).
import { Box, Text } from 'ink';
import { useState } from 'react';
import { useKeys } from '../hooks/key-router.js';
import { listActionFor } from '../hooks/use-screen-input.js';
import { COMMANDS, commandFor, GLOBAL_COMMANDS, keyName, keysLabel, type Command } from '../keys.js';
import { cell, fit } from '../format.js';

export function helpLines(screenCommands: readonly Command[]): string[] {
  const line = (c: Command) => `${cell(keysLabel(c), 22)} ${COMMANDS[c].help}`;
  return ['This screen:', ...screenCommands.map(line), '', 'Everywhere:', ...GLOBAL_COMMANDS.map(line)];
}

const SCROLL: Command[] = ['up', 'down', 'pageUp', 'pageDown', 'top', 'bottom'];

/** The first line shown after a scroll action, kept inside 0…lines-visible. */
export function scrollHelp(offset: number, action: NonNullable<ReturnType<typeof listActionFor>>, lines: number, visible: number): number {
  const last = Math.max(0, lines - visible);
  const next =
    action.type === 'move' ? offset + action.by : action.type === 'page' ? offset + action.by * visible : action.type === 'top' ? 0 : last;
  return Math.min(Math.max(0, next), last);
}

export function HelpOverlay({ screenCommands, height, width, onClose }: { screenCommands: readonly Command[]; height: number; width: number; onClose: () => void }) {
  const lines = helpLines(screenCommands);
  const visible = Math.max(1, height - 1);
  const [offset, setOffset] = useState(0);
  const top = Math.min(offset, Math.max(0, lines.length - visible));
  useKeys(
    (input, key) => {
      const name = keyName(input, key);
      if (name === '?' || name === 'escape' || name === 'q') return onClose();
      const c = commandFor(name, SCROLL);
      const action = c && listActionFor(c);
      if (action) setOffset(scrollHelp(top, action, lines.length, visible));
    },
    true,
    'overlay',
  );
  const shown = lines.slice(top, top + visible);
  const more = lines.length > visible ? ` — ${top + 1}–${top + shown.length} of ${lines.length}, j/k pgdn/pgup scroll` : '';
  return (
    <Box flexDirection="column" height={height}>
      <Text bold wrap="truncate">
        {fit(`Keys (? or esc closes)${more}`, width)}
      </Text>
      {shown.map((l, i) => (
        <Text key={i} wrap="truncate">
          {fit(l, width)}
        </Text>
      ))}
    </Box>
  );
}
