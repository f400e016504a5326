// Where the user is: a stack of screen states (a discriminated union), not paths. The top is shown;
// back pops; the section keys (1–5) jump to a section's first screen.
import type { AvailabilityFilter, ReleaseSort } from '../services.js';

export type Screen =
  | { kind: 'systems' }
  | { kind: 'releases'; systemId: string; system: string }
  | { kind: 'fileSets'; releaseId: string; release: string; system: string }
  | { kind: 'files'; fileSetId: string; fileSet: string; release: string; system: string }
  | { kind: 'transfers' }
  | { kind: 'sync' }
  | { kind: 'diff'; from: string; to: string }
  | { kind: 'merge' }
  | { kind: 'backups' }
  | { kind: 'settings' };

export type Section = 'browse' | 'transfers' | 'sync' | 'backups' | 'settings';

export interface Navigation {
  stack: Screen[];
}

export type NavAction = { type: 'push'; screen: Screen } | { type: 'back' } | { type: 'section'; section: Section };

export const initialNavigation: Navigation = { stack: [{ kind: 'systems' }] };

export function currentScreen(n: Navigation): Screen {
  return n.stack[n.stack.length - 1]!;
}

const SECTION_ROOT: Record<Section, Screen> = {
  browse: { kind: 'systems' },
  transfers: { kind: 'transfers' },
  sync: { kind: 'sync' },
  backups: { kind: 'backups' },
  settings: { kind: 'settings' },
};

export function sectionOf(s: Screen): Section {
  switch (s.kind) {
    case 'systems':
    case 'releases':
    case 'fileSets':
    case 'files':
      return 'browse';
    case 'diff':
    case 'merge':
    case 'sync':
      return 'sync';
    default:
      return s.kind;
  }
}

export function navigationReducer(n: Navigation, a: NavAction): Navigation {
  switch (a.type) {
    case 'push':
      return { stack: [...n.stack, a.screen] };
    case 'back':
      return n.stack.length > 1 ? { stack: n.stack.slice(0, -1) } : n;
    case 'section': {
      // Back to the deepest screen of that section if it is on the stack (the browser keeps its place).
      if (sectionOf(currentScreen(n)) === a.section) return n;
      for (let i = n.stack.length - 1; i >= 0; i--) {
        if (sectionOf(n.stack[i]!) === a.section) {
          return { stack: n.stack.slice(0, i + 1) };
        }
      }
      return { stack: [...n.stack, SECTION_ROOT[a.section]] };
    }
  }
}

/** "Nintendo - SNES › ActRaiser (USA)": where the user is, for the header. */
export function breadcrumb(s: Screen): string {
  switch (s.kind) {
    case 'systems':
      return 'Systems';
    case 'releases':
      return s.system;
    case 'fileSets':
      return `${s.system} › ${s.release}`;
    case 'files':
      return `${s.system} › ${s.release} › ${s.fileSet}`;
    case 'transfers':
      return 'Transfers';
    case 'sync':
      return 'Sync';
    case 'diff':
      return `Diff ${s.from} → ${s.to}`;
    case 'merge':
      return 'Merge';
    case 'backups':
      return 'Backups and snapshots';
    case 'settings':
      return 'Settings';
  }
}

export const FILTERS: AvailabilityFilter[] = ['all', 'local', 'cloud', 'missing'];
export const FILTER_LABEL: Record<AvailabilityFilter, string> = { all: 'all', local: 'local', cloud: 'cloud only', missing: 'missing' };

export function nextFilter(f: AvailabilityFilter): AvailabilityFilter {
  return FILTERS[(FILTERS.indexOf(f) + 1) % FILTERS.length]!;
}

export function nextSort(s: ReleaseSort): ReleaseSort {
  return s === 'name' ? 'size' : 'name';
}
