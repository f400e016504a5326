// A one-line text field: type, backspace, enter submits, esc cancels. Only it receives keys while open.
import { Text } from 'ink';
import { useRef, useState } from 'react';
import { useKeys } from '../hooks/key-router.js';
import { fit, textWidth } from '../format.js';
import { printable } from '../../store/printable.js';
import type { PromptOptions } from '../ui-context.js';

export function PromptBar({ options, width, onClose }: { options: PromptOptions; width: number; onClose: () => void }) {
  const [value, setValue] = useState(options.initial ?? '');
  const [problem, setProblem] = useState<string>();
  // The text so far lives in a ref too: keys typed faster than renders must each see the previous one.
  const current = useRef(value);
  useKeys((input, key) => {
    const value = current.current;
    if (key.return) {
      const bad = options.validate?.(value);
      if (bad) return setProblem(bad);
      onClose();
      options.onSubmit(value);
      return;
    }
    if (key.escape) {
      onClose();
      options.onCancel?.();
      return;
    }
    let next = value;
    if (key.backspace || key.delete) next = value.slice(0, -1);
    else if (input && !key.ctrl && !key.meta && !key.upArrow && !key.downArrow && !key.leftArrow && !key.rightArrow && !key.tab) next = value + input;
    if (next !== value) {
      current.current = next;
      setValue(next);
      setProblem(undefined);
      options.onChange?.(next);
    }
  }, true, 'overlay');
  const text = `${options.label}: ${value}`;
  const room = Math.max(1, width - 1);
  const note = problem ? fit(`  ${problem}`, Math.max(0, room - Math.min(textWidth(printable(text)), room))) : '';
  return (
    <Text wrap="truncate">
      <Text color="yellow">{fit(text, room - textWidth(note))}</Text>
      <Text inverse> </Text>
      <Text color="red">{note}</Text>
    </Text>
  );
}
