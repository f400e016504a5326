// What a screen remembers while the user is deeper in the stack: the cursor of each list (and the
// query of the release list), so going back lands on the row the user came from (as less, ranger and
// mc do) — QA T4: `j ⏎ h d` downloaded the first file set instead of the one just visited. Screens
// unmount when another is pushed on top, so the memory lives in the app, keyed by the screen's
// identity (kind and ids) and a slot name.
import { createContext, useContext, useRef } from 'react';

export interface ScreenMemory {
  /** The current screen's identity. */
  screen: string;
  store: Map<string, unknown>;
}

export const ScreenMemoryContext = createContext<ScreenMemory | null>(null);

/**
 * The value remembered for `slot` on this screen when it mounted (`initial`, read once), and `save`
 * to remember a new one. Outside the app (or with no slot) nothing is remembered.
 */
export function useRemembered<T>(slot: string | undefined): { initial: T | undefined; save: (value: T) => void } {
  const memory = useContext(ScreenMemoryContext);
  const key = memory && slot ? `${memory.screen}\u0000${slot}` : undefined;
  const initial = useRef<{ value: T | undefined } | undefined>(undefined);
  initial.current ??= { value: key ? (memory!.store.get(key) as T | undefined) : undefined };
  return {
    initial: initial.current.value,
    save: (value: T) => {
      if (key) memory!.store.set(key, value);
    },
  };
}
