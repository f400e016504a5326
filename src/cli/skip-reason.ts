// How `add` and `scan` say why they did not look at a path (SkippedPath from the folder walk).
import type { SkippedPath } from '../store/catalog/scan-walk.js';

export function skipReason(reason: SkippedPath['reason']): string {
  return reason === 'library' ? 'inside the library folder' : reason === 'symlinked folder' ? 'a symlink to a folder (not followed)' : 'a dangling symlink';
}
