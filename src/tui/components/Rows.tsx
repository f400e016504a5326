// A fixed-height block of one-line rows: always exactly `height` lines, so frames do not jump.
import { Box, Text } from 'ink';
import type { ReactNode } from 'react';
import { printable } from '../../store/printable.js';

export interface RowsProps {
  height: number;
  children: ReactNode[];
  /** Shown on the first line when there are no rows. */
  empty?: string;
}

export function Rows({ height, children, empty }: RowsProps) {
  const lines = children.slice(0, height);
  const filler = Math.max(0, height - lines.length - (lines.length === 0 && empty ? 1 : 0));
  return (
    <Box flexDirection="column" height={height}>
      {lines.length === 0 && empty ? <Text dimColor wrap="truncate">{printable(empty)}</Text> : null}
      {lines}
      {Array.from({ length: filler }, (_, i) => (
        <Text key={`filler-${i}`}> </Text>
      ))}
    </Box>
  );
}

export function Row({ selected, children }: { selected: boolean; children: ReactNode }) {
  return (
    <Text wrap="truncate" inverse={selected}>
      {selected ? '›' : ' '}
      {children}
    </Text>
  );
}
