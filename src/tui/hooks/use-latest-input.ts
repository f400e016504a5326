// useInput with a handler that always sees the latest render's state. Ink re-subscribes when the
// handler's identity changes, in a passive effect that can run after the next key has arrived; a
// stable wrapper that calls the newest handler through a ref avoids both stale state and lost keys.
import { useInput, type Key } from 'ink';
import { useCallback, useRef } from 'react';

export function useLatestInput(handler: (input: string, key: Key) => void, options: { isActive?: boolean } = {}): void {
  const ref = useRef(handler);
  ref.current = handler;
  // Checked on every key as well: the subscription follows isActive only after the next effect flush.
  const active = useRef(options.isActive !== false);
  active.current = options.isActive !== false;
  const stable = useCallback((input: string, key: Key) => {
    if (active.current) ref.current(input, key);
  }, []);
  useInput(stable, options);
}
