// A one-line text field: type, backspace, enter submits, esc cancels. Only it receives keys while open.
import { Text, useInput } from 'ink';
import { useState } from 'react';
import { fit } from '../format.js';
import type { PromptOptions } from '../ui-context.js';

export function PromptBar({ options, width, onClose }: { options: PromptOptions; width: number; onClose: () => void }) {
  const [value, setValue] = useState(options.initial ?? '');
  useInput((input, key) => {
    if (key.return) {
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
      setValue(next);
      options.onChange?.(next);
    }
  });
  const text = `${options.label}: ${value}`;
  return (
    <Text wrap="truncate">
      <Text color="yellow">{fit(text, Math.max(1, width - 1))}</Text>
      <Text inverse> </Text>
    </Text>
  );
}
