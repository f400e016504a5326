// A question that needs y (or enter) to go ahead; n or esc cancels. Only it receives keys while open.
import { Box, Text, useInput } from 'ink';
import { fit } from '../format.js';

export function ConfirmBar({ question, width, onAnswer }: { question: string; width: number; onAnswer: (yes: boolean) => void }) {
  useInput((input, key) => {
    if (input === 'y' || input === 'Y') onAnswer(true);
    else if (input === 'n' || input === 'N' || key.escape) onAnswer(false);
  });
  return (
    <Box flexDirection="column">
      <Text color="yellow" wrap="wrap">
        {question}
      </Text>
      <Text bold>{fit('y: yes   n/esc: no', width)}</Text>
    </Box>
  );
}
