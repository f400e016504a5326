// One subscription to the keyboard for the whole app, routing each key to whoever is active now.
// Ink's useInput subscribes in a passive effect, so a component that just mounted or just became
// active (a prompt opened with `/`, the screen just navigated to) misses keys typed before the effect
// runs, and one that just became inactive still gets them. Here the active pane claims the keys
// during render (the `isActive` contract, without the race): the app's one useInput reads the claim
// at key time. An overlay (prompt, confirmation) takes precedence over the screen.
import type { Key } from 'ink';
import { createContext, useContext } from 'react';

export type KeyHandler = (input: string, key: Key) => void;

export interface KeyRouter {
  screen: KeyHandler | null;
  overlay: KeyHandler | null;
  /** Bumped by every render that claims keys: the app waits for it before routing a queued key. */
  renders: number;
}

export const KeyRouterContext = createContext<KeyRouter | null>(null);

/** Receive keys while `isActive` (claimed on every render, so the newest state handles them). */
export function useKeys(handler: KeyHandler, isActive: boolean, layer: 'screen' | 'overlay' = 'screen'): void {
  const router = useContext(KeyRouterContext);
  if (!router) throw new Error('useKeys outside <App>');
  router.renders++;
  if (isActive) router[layer] = handler;
}
