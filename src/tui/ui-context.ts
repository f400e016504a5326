// What every screen gets from the app: the services, the width, and the app's shared affordances
// (message line, confirmation, text prompt, navigation).
import { createContext, useContext } from 'react';
import type { TroveServices } from './services.js';
import type { NavAction } from './state/navigation.js';

export interface PromptOptions {
  label: string;
  initial?: string;
  onSubmit(value: string): void;
  /** A reason the value cannot be taken: the prompt stays open and shows it (enter tries again). */
  validate?(value: string): string | undefined;
  /** Called on every edit (live search). */
  onChange?(value: string): void;
  onCancel?(): void;
}

export interface Ui {
  services: TroveServices;
  columns: number;
  notify(text: string, tone?: 'info' | 'error'): void;
  fail(err: unknown): void;
  confirm(question: string, onYes: () => void): void;
  prompt(opts: PromptOptions): void;
  navigate(a: NavAction): void;
  /** Bumps whenever the catalogue changed (download finished, drop, restore): lists reload. */
  catalogVersion: number;
}

export const UiContext = createContext<Ui | null>(null);

export function useUi(): Ui {
  const ui = useContext(UiContext);
  if (!ui) throw new Error('useUi outside <App>');
  return ui;
}
