// A question that needs y (or enter) to go ahead; n or esc cancels. Only it receives keys while open.
import { Box, Text } from 'ink';
import { useKeys } from '../hooks/key-router.js';
import { printable } from '../../store/printable.js';
import { fit } from '../format.js';

export function ConfirmBar({ question, width, onAnswer }: { question: string; width: number; onAnswer: (yes: boolean) => void }) {
  useKeys((input, key) => {
    if (input === 'y' || input === 'Y') onAnswer(true);
    else if (input === 'n' || input === 'N' || key.escape) onAnswer(false);
  }, true, 'overlay');
  return (
    <Box flexDirection="column">
      <Text color="yellow" wrap="wrap">
        {printable(question)}
      </Text>
      <Text bold>{fit('y: yes   n/esc: no', width)}</Text>
    </Box>
  );
}
