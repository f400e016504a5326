// One subscription to the keyboard for the whole app, routing each key to whoever is active now.
// Ink's useInput subscribes in a passive effect, so a component that just mounted or just became
// active (a prompt opened with `/`, the screen just navigated to) misses keys typed before the effect
// runs, and one that just became inactive still gets them. Here the active pane claims the keys
// during render (the `isActive` contract, without the race): the app's one useInput reads the claim
// at key time. An overlay (prompt, confirmation) takes precedence over the screen.
//
// A claim belongs to the component that made it and lasts until that component renders inactive or
// unmounts. Nobody else clears it: the app used to clear every claim at the start of its own render,
// and when React then bailed out of re-rendering an unchanged screen (`1` pressed while already in
// Browse: the navigation state did not change), nothing claimed the keys again and the screen went
// deaf until another section was opened (QA2 F1). A screen that did not re-render has the same
// state as when it last claimed, so its handler from that render is still the right one.
import type { Key } from 'ink';
import { createContext, useContext, useLayoutEffect, useRef } from 'react';

export type KeyHandler = (input: string, key: Key) => void;

export type KeyLayer = 'screen' | 'overlay';

export interface KeyRouter {
  screen: KeyHandler | null;
  overlay: KeyHandler | null;
  /** Which component holds each layer's claim: only it gives the claim up. */
  owners: Record<KeyLayer, object | null>;
  /** Bumped by every render that claims keys: the app waits for it before routing a queued key. */
  renders: number;
}

export function newKeyRouter(): KeyRouter {
  return { screen: null, overlay: null, owners: { screen: null, overlay: null }, renders: 0 };
}

export const KeyRouterContext = createContext<KeyRouter | null>(null);

function release(router: KeyRouter, layer: KeyLayer, owner: object): void {
  if (router.owners[layer] !== owner) return; // another component claimed it since
  router[layer] = null;
  router.owners[layer] = null;
}

/** Receive keys while `isActive` (claimed on every render, so the newest state handles them). */
export function useKeys(handler: KeyHandler, isActive: boolean, layer: KeyLayer = 'screen'): void {
  const router = useContext(KeyRouterContext);
  if (!router) throw new Error('useKeys outside <App>');
  const self = useRef<object>({}).current;
  router.renders++;
  if (isActive) {
    router[layer] = handler;
    router.owners[layer] = self;
  } else release(router, layer, self);
  // A layout effect's cleanup runs in the commit that unmounts the component, before any key can be
  // routed to a handler of a screen that is gone. The component that replaces it claimed while
  // rendering, before this cleanup, which is why the owner is checked.
  useLayoutEffect(() => () => release(router, layer, self), [router, layer, self]);
}
