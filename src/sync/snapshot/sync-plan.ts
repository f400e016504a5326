// What push and pull should do, decided from plain data: the history (heads and ancestry), this
// device's base, whether the local database changed since that base, and the user's flags. No I/O.
import { TroveError } from '../../store/errors.js';
import { ancestorsOf, reaches, type History } from './history.js';

export type Resolution = 'cloud' | 'local' | 'merge';

export interface SyncInput {
  history: History;
  /** The snapshot this device last pulled or pushed; null before its first sync. */
  base: string | null;
  localChanges: boolean;
  /**
   * Set after a merge was applied locally and before it was pushed: the parents its snapshot must name
   * (the heads it merged, then the base). Cleared when the base moves.
   */
  mergedParents?: readonly string[];
  /** collection.db's content fingerprint, when known: lets a lost base be recognised as harmless. */
  localFingerprint?: string;
}

/**
 * The base is not in the history of the (single) head — gone from the remote without a tombstone that
 * links it (the remote folder was switched or not mounted when it was pushed, a copied library whose
 * base another copy pruned), or on another line — and collection.db's content is not in the head's
 * history either. Taking the head could then drop work that exists only here: it counts as a local
 * change, never as a fast-forward (git would call it unrelated histories).
 */
export function baseLost(input: SyncInput): boolean {
  const { history, base } = input;
  if (base === null || history.heads.length !== 1) return false;
  const head = history.heads[0]!.id;
  if (reaches(history, head, base)) return false;
  const fp = input.localFingerprint;
  if (fp) for (const id of ancestorsOf(history, head)) if (history.byId.get(id)!.database.sha1 === fp) return false;
  return true;
}

function lostBaseReason(base: string, history: History): string {
  return `your base ${short(base)} is ${history.byId.has(base) ? 'not an ancestor of' : 'no longer on the remote and not in the history of'} the head ${describeHeads(history)}: what it holds may exist only on this device`;
}

export type PushPlan =
  | { kind: 'up-to-date'; reason: string }
  | { kind: 'push'; parents: string[]; newHead: boolean; reason: string }
  | { kind: 'refuse'; reason: string; hint: string };

export type PullPlan =
  | { kind: 'up-to-date'; reason: string }
  | { kind: 'fast-forward'; target: string; reason: string }
  | { kind: 'conflict'; reason: string; hint: string; heads: string[] }
  /**
   * Replace the local database with `target`; when several heads exist, record `join` as parents of a
   * snapshot that unites them, and `setAside` names the other heads, whose changes are not in it.
   */
  | { kind: 'take-cloud'; target: string; join: string[]; setAside: SetAside[]; reason: string }
  /** Keep the local database and push it as a child of `parents` (every head, whose changes are `setAside`). */
  | { kind: 'keep-local'; parents: string[]; setAside: SetAside[]; reason: string }
  /**
   * Three-way merge of the local database with every head in turn (oldest first), then push the result
   * with `parents`: the heads, then the base (when still on the remote) — a snapshot with two parents.
   */
  | { kind: 'merge'; heads: string[]; parents: string[]; reason: string };

export const RESOLVE_HINT = 'run `trove sync pull --resolve cloud` (take the remote, after a local backup), `--resolve local` (keep yours and push it on top) or `--resolve merge`';
/** With several heads, taking one sets the others' changes aside: say so where the choice is offered. */
export const HEADS_HINT =
  'run `trove sync pull --resolve merge` (keeps the changes of every head and yours), `--resolve cloud` (takes one head — the newest, or `--head <id>` — and sets the other heads\' changes aside; a local backup keeps yours) or `--resolve local` (keeps yours and sets every head\'s changes aside)';

/** A head whose changes a resolution leaves out of the result (they stay in the snapshot history). */
export interface SetAside {
  id: string;
  device: { id: string; name: string };
}

function setAsideText(list: readonly SetAside[]): string {
  const heads = list.map((h) => `${h.id} by ${h.device.name}`).join(', ');
  const one = list[0]!.id;
  return `set aside: the changes of ${heads} (not in the result; they stay in the snapshot history — \`trove diff ${one} head\` shows them, \`trove snapshots restore ${one}\` brings that version back to push on top)`;
}

function short(id: string): string {
  return id.slice(0, 13);
}

function describeHeads(history: History): string {
  return history.heads.map((h) => `${short(h.id)} by ${h.device.name}`).join(', ');
}

export function planPush(input: SyncInput, opts: { force?: boolean } = {}): PushPlan {
  const { history, base } = input;
  const lost = baseLost(input);
  const localChanges = input.localChanges || lost;
  const heads = history.heads.map((h) => h.id);
  const baseParents = base && history.byId.has(base) ? [base] : [];
  if (heads.length === 0) return { kind: 'push', parents: baseParents, newHead: false, reason: 'the remote has no snapshot yet' };
  if (input.mergedParents?.length && localChanges && !(heads.length === 1 && heads[0] === base)) {
    const merged = input.mergedParents;
    if (heads.every((h) => merged.includes(h))) {
      const parents = merged.filter((p) => history.byId.has(p));
      return { kind: 'push', parents, newHead: false, reason: `publishing the merge of ${parents.map(short).join(' and ')}` };
    }
    if (!opts.force) {
      return {
        kind: 'refuse',
        reason: `the remote moved on since your merge: its heads are ${describeHeads(history)}`,
        hint: 'run `trove sync pull --resolve merge` to merge the new head(s) too',
      };
    }
  }
  if (heads.length === 1 && heads[0] === base) {
    return localChanges
      ? { kind: 'push', parents: [base], newHead: false, reason: 'fast-forward from your base' }
      : { kind: 'up-to-date', reason: 'no local changes since your base, which is the remote head' };
  }
  const multiple = heads.length > 1;
  if (!localChanges && !multiple) {
    return { kind: 'up-to-date', reason: `no local changes to push; the remote is ahead (${describeHeads(history)}): run \`trove sync pull\`` };
  }
  if (!localChanges && opts.force) return { kind: 'up-to-date', reason: 'no local changes to push' };
  if (opts.force) {
    return { kind: 'push', parents: baseParents, newHead: true, reason: `--force: adding another head beside ${describeHeads(history)}` };
  }
  const where = lost && base ? lostBaseReason(base, history) : base ? `you are based on ${short(base)}` : 'this device has never synced';
  const reason = multiple
    ? `the remote has ${heads.length} heads (${describeHeads(history)}): two devices pushed from one base`
    : `the remote moved on: its head is ${describeHeads(history)} and ${where}`;
  return { kind: 'refuse', reason, hint: `${multiple ? HEADS_HINT : RESOLVE_HINT}, or \`trove sync push --force\` to add another head (nothing is lost)` };
}

export function planPull(input: SyncInput, opts: { resolve?: Resolution; head?: string } = {}): PullPlan {
  const { history, base } = input;
  const lost = baseLost(input);
  const localChanges = input.localChanges || lost;
  const heads = history.heads.map((h) => h.id);
  if (heads.length === 0) return { kind: 'up-to-date', reason: 'the remote has no snapshot yet' };
  if (heads.length === 1 && heads[0] === base) {
    return { kind: 'up-to-date', reason: localChanges ? 'the remote head is your base; your local changes are not pushed yet' : 'already at the remote head' };
  }
  const single = heads.length === 1;
  // A merge applied here but not pushed yet: pulling again would merge the same heads a second time
  // (and could flip choices made against the defaults); pushing is what is left to do.
  const merged = input.mergedParents;
  if (merged?.length && localChanges && opts.resolve !== 'cloud' && opts.resolve !== 'local' && heads.every((h) => merged.includes(h))) {
    return { kind: 'up-to-date', reason: 'your merge of the remote head(s) is applied locally but not pushed yet: run `trove sync push`' };
  }
  // With one head that descends from the base (through pruned snapshots too) and no local changes,
  // nothing of ours can be lost by taking the head. A base outside the head's history is baseLost().
  if (single && !localChanges) {
    return { kind: 'fast-forward', target: heads[0]!, reason: base ? `fast-forward from ${short(base)}` : 'first pull on this device' };
  }
  const why = !single
    ? `the remote has ${heads.length} heads (${describeHeads(history)}): two devices pushed from one base`
    : lost && base
      ? lostBaseReason(base, history)
      : `local changes since your base ${base ? short(base) : '(none)'} and a newer remote head ${describeHeads(history)}`;
  if (!opts.resolve) return { kind: 'conflict', reason: why, hint: single ? RESOLVE_HINT : HEADS_HINT, heads };
  if (opts.resolve === 'merge') {
    const parents = [...heads];
    if (base && history.byId.has(base) && !parents.includes(base)) parents.push(base);
    return { kind: 'merge', heads, parents, reason: `${why}: merging ${heads.length > 1 ? `the ${heads.length} heads` : short(heads[0]!)} into the local database` };
  }
  if (opts.resolve === 'local') {
    // Other devices' pushes that this device never pulled: the result has none of their changes.
    const setAside = history.heads.filter((h) => h.id !== base && !(base !== null && reaches(history, base, h.id))).map((h) => ({ id: h.id, device: h.device }));
    const aside = setAside.length ? `; ${setAsideText(setAside)}` : '';
    return { kind: 'keep-local', parents: heads, setAside, reason: `${why}: keeping the local database and pushing it on top${aside}` };
  }
  let target = heads[heads.length - 1]!;
  if (opts.head) {
    const match = heads.filter((h) => h === opts.head || h.startsWith(opts.head!));
    // A wrong --head is the user's mistake, not a conflict (exit 3 would tell a script to resolve).
    if (match.length === 0) throw new TroveError('NOT_FOUND', `--head ${opts.head} names none of the remote's heads (${describeHeads(history)})`);
    if (match.length > 1) throw new TroveError('AMBIGUOUS', `--head ${opts.head} names ${match.length} heads (${describeHeads(history)}); give more of the id`);
    target = match[0]!;
  }
  const setAside = single ? [] : history.heads.filter((h) => h.id !== target).map((h) => ({ id: h.id, device: h.device }));
  const aside = setAside.length ? `; ${setAsideText(setAside)}` : '';
  return { kind: 'take-cloud', target, join: single ? [] : heads, setAside, reason: `${why}: taking ${short(target)} from the remote${aside}` };
}
