// Which known ids a mistyped or ambiguous reference most likely meant, and prefix resolution over a
// list of ids. Pure: the snapshot / backup listings are passed in.
import { TroveError } from '../../store/errors.js';

function commonPrefix(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

/** Levenshtein distance, bounded work: both strings are ids (tens of characters). */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}

/**
 * The `limit` ids closest to `ref`: longest shared prefix first (people type the start of an id), then
 * the smallest edit distance between `ref` and the id's start of the same length (a typo), then by id.
 */
export function closestIds(ref: string, ids: readonly string[], limit = 5): string[] {
  const r = ref.toLowerCase();
  return [...new Set(ids)]
    .map((id) => {
      const l = id.toLowerCase();
      return { id, prefix: commonPrefix(r, l), distance: editDistance(r, l.slice(0, Math.max(r.length, 1))) };
    })
    .sort((x, y) => y.prefix - x.prefix || x.distance - y.distance || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0))
    .slice(0, limit)
    .map((x) => x.id);
}

/**
 * Resolve `ref` to one of `ids`: an exact id, or a prefix that only one id starts with. Unknown and
 * ambiguous references are NOT_FOUND errors naming the closest ids (details.candidates).
 */
export function resolveIdPrefix(ref: string, ids: readonly string[], what: string): string {
  const r = ref.toLowerCase();
  const exact = ids.find((id) => id.toLowerCase() === r);
  if (exact) return exact;
  const matches = r ? ids.filter((id) => id.toLowerCase().startsWith(r)) : [];
  if (matches.length === 1) return matches[0]!;
  const candidates = matches.length > 1 ? closestIds(ref, matches, 10) : closestIds(ref, ids);
  const why = matches.length > 1 ? `is ambiguous: ${matches.length} ${what}s start with it` : `matches no ${what}`;
  throw new TroveError('NOT_FOUND', `${JSON.stringify(ref)} ${why}${candidates.length ? `; closest: ${candidates.join(', ')}` : ''}`, {
    details: { ref, candidates, ambiguous: matches.length > 1 },
  });
}
