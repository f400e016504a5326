// What a screen remembers while the user is deeper in the stack: the cursor of each list (and the
// query of the release list), so going back lands on the row the user came from (as less, ranger and
// mc do) — QA T4: `j ⏎ h d` downloaded the first file set instead of the one just visited. Screens
// unmount when another is pushed on top, so the memory lives in the app, keyed by the screen's
// identity (kind and ids) and a slot name.
//
// Leaving a screen through back is different from going deeper or to another section: the screen is
// closed, and a slot may say what survives that (`whenLeft`). The release list forgets its search and
// filter there (QA2 F5.3: a search typed once stayed on the list for every later visit).
import { createContext, useContext, useRef } from 'react';

/** What a slot keeps when the user leaves its screen through back: a value, or undefined to forget. */
export type WhenLeft<T> = (value: T) => T | undefined;

interface Entry {
  value: unknown;
  whenLeft?: WhenLeft<unknown>;
}

export type MemoryStore = Map<string, Entry>;

export function newMemoryStore(): MemoryStore {
  return new Map();
}

export interface ScreenMemory {
  /** The current screen's identity. */
  screen: string;
  store: MemoryStore;
}

export const ScreenMemoryContext = createContext<ScreenMemory | null>(null);

const keyOf = (screen: string, slot: string) => `${screen}\u0000${slot}`;

/**
 * The value remembered for `slot` on this screen when it mounted (`initial`, read once), and `save`
 * to remember a new one. Outside the app (or with no slot) nothing is remembered. Every slot is kept
 * as it is when the user leaves the screen through back unless `whenLeft` says otherwise.
 */
export function useRemembered<T>(slot: string | undefined, whenLeft?: WhenLeft<T>): { initial: T | undefined; save: (value: T) => void } {
  const memory = useContext(ScreenMemoryContext);
  const key = memory && slot ? keyOf(memory.screen, slot) : undefined;
  const initial = useRef<{ value: T | undefined } | undefined>(undefined);
  initial.current ??= { value: key ? (memory!.store.get(key)?.value as T | undefined) : undefined };
  return {
    initial: initial.current.value,
    save: (value: T) => {
      if (key) memory!.store.set(key, { value, whenLeft: whenLeft as WhenLeft<unknown> | undefined });
    },
  };
}

/** The user left `screen` (its identity) through back: apply each of its slots' `whenLeft`. */
export function leaveScreen(store: MemoryStore, screen: string): void {
  const prefix = keyOf(screen, '');
  for (const [key, entry] of store) {
    if (!key.startsWith(prefix) || !entry.whenLeft) continue;
    const kept = entry.whenLeft(entry.value);
    if (kept === undefined) store.delete(key);
    else store.set(key, { ...entry, value: kept });
  }
}
