import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { behindCount, buildHistory, descendsFrom, findParentCycle, mergeBaseOf, ownUnrecordedSnapshot } from '../../../src/sync/snapshot/history.js';
import { baseLost, planPull, planPush, type Resolution } from '../../../src/sync/snapshot/sync-plan.js';
import { DEVICES, manifest as m, sid } from './fake-manifests.js';

// Histories by name: [manifest number, parents, device].
const HISTORIES = {
  empty: [],
  one: [m(1, [])],
  line: [m(1, []), m(2, [1]), m(3, [2], 'B')],
  fork: [m(1, []), m(2, [1]), m(3, [1], 'B')],
  three: [m(1, []), m(2, [1]), m(3, [1], 'B'), m(4, [1], 'C')],
  joined: [m(1, []), m(2, [1]), m(3, [1], 'B'), m(4, [2, 3], 'B')],
  prunedBase: [m(5, [4]), m(6, [5], 'B')],
} as const;
type Name = keyof typeof HISTORIES;

const h = (name: Name, pruned: [number, number[]][] = []) => buildHistory([...HISTORIES[name]], new Map(pruned.map(([id, parents]) => [sid(id), parents.map(sid)])));
const base = (n: number | null) => (n === null ? null : sid(n));

describe('history', () => {
  it('heads are the snapshots no other snapshot names as a parent', () => {
    expect(h('line').heads.map((x) => x.id)).toEqual([sid(3)]);
    expect(h('fork').heads.map((x) => x.id)).toEqual([sid(2), sid(3)]);
    expect(h('joined').heads.map((x) => x.id)).toEqual([sid(4)]);
    expect(h('empty').heads).toEqual([]);
  });
  it('reports parents that are neither present nor pruned', () => {
    expect(h('prunedBase').missingParents).toEqual([{ child: sid(5), parent: sid(4) }]);
    expect(h('prunedBase', [[4, [3]]]).missingParents).toEqual([]);
  });
  it('computes heads and ancestry through pruned snapshots', () => {
    // S1 ← S2 ← S3 ← S4 with S2 and S3 pruned: S1 is not a head, and S4 descends from it.
    const pruned = buildHistory([m(1, []), m(4, [3])], new Map([[sid(2), [sid(1)]], [sid(3), [sid(2)]]]));
    expect(pruned.heads.map((x) => x.id)).toEqual([sid(4)]);
    expect(descendsFrom(pruned, sid(4), sid(1))).toBe(true);
    expect(behindCount(pruned, sid(1))).toBe(1);
  });
  it('picks the newest common ancestor as the base of a merge', () => {
    expect(mergeBaseOf(h('line'), sid(3), [sid(2)])).toBe(sid(2));
    expect(mergeBaseOf(h('fork'), sid(3), [sid(2)])).toBe(sid(1));
    // Merging head 4 after heads 2 and 3: the merged side reaches 1, 2 and 3; head 4 only 1.
    expect(mergeBaseOf(h('three'), sid(4), [sid(2), sid(3)])).toBe(sid(1));
    // A head built on the other one: the newer shared snapshot, not the device's older base.
    expect(mergeBaseOf(h('joined'), sid(4), [sid(1), sid(3)])).toBe(sid(3));
    expect(mergeBaseOf(h('prunedBase'), sid(6), [sid(4)])).toBeNull();
  });
  it('follows ancestry through merges', () => {
    expect(descendsFrom(h('joined'), sid(4), sid(3))).toBe(true);
    expect(descendsFrom(h('fork'), sid(3), sid(2))).toBe(false);
    expect(behindCount(h('line'), sid(1))).toBe(2);
    expect(behindCount(h('fork'), sid(2))).toBe(1);
    expect(behindCount(h('line'), null)).toBe(3);
  });
});

describe('planPush', () => {
  const cases: { name: string; history: Name; base: number | null; changes: boolean; force?: boolean; kind: string; parents?: number[]; newHead?: boolean }[] = [
    { name: 'first push to an empty remote', history: 'empty', base: null, changes: true, kind: 'push', parents: [] },
    { name: 'fast-forward when the only head is the base', history: 'line', base: 3, changes: true, kind: 'push', parents: [3], newHead: false },
    { name: 'nothing to push without local changes', history: 'line', base: 3, changes: false, kind: 'up-to-date' },
    { name: 'nothing to push when behind without local changes', history: 'line', base: 2, changes: false, kind: 'up-to-date' },
    { name: 'refuses when the remote moved on', history: 'line', base: 2, changes: true, kind: 'refuse' },
    { name: 'force adds a second head from the base', history: 'line', base: 2, changes: true, force: true, kind: 'push', parents: [2], newHead: true },
    { name: 'refuses with two heads even if one is the base', history: 'fork', base: 2, changes: true, kind: 'refuse' },
    { name: 'refuses with two heads and no local changes (conflict is reported)', history: 'fork', base: 2, changes: false, kind: 'refuse' },
    { name: 'force with two heads adds a third', history: 'fork', base: 2, changes: true, force: true, kind: 'push', parents: [2], newHead: true },
    { name: 'never-synced device with rows refuses on a non-empty remote', history: 'one', base: null, changes: true, kind: 'refuse' },
    { name: 'a base pruned from the remote is not named as parent', history: 'prunedBase', base: 4, changes: true, force: true, kind: 'push', parents: [] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const plan = planPush({ history: h(c.history, c.history === 'prunedBase' ? [[4, []]] : []), base: base(c.base), localChanges: c.changes }, { force: c.force });
      expect(plan.kind).toBe(c.kind);
      if (plan.kind === 'push') {
        expect(plan.parents).toEqual(c.parents!.map(sid));
        if (c.newHead !== undefined) expect(plan.newHead).toBe(c.newHead);
      }
      if (plan.kind === 'refuse') expect(plan.hint).toMatch(/trove sync pull --resolve/);
    });
  }
});

describe('after a merge applied locally and not pushed yet', () => {
  const merged = [sid(3), sid(2)];
  it('push names the merged heads and the base as parents', () => {
    const plan = planPush({ history: h('line'), base: sid(2), localChanges: true, mergedParents: merged });
    expect(plan).toMatchObject({ kind: 'push', parents: merged, newHead: false });
  });
  it('push refuses when another head appeared since the merge', () => {
    const plan = planPush({ history: h('three'), base: sid(2), localChanges: true, mergedParents: [sid(2), sid(3)] });
    expect(plan.kind).toBe('refuse');
    if (plan.kind === 'refuse') expect(plan.hint).toMatch(/--resolve merge/);
  });
  it('pull (and pull --resolve merge) says to push instead of merging again', () => {
    for (const resolve of [undefined, 'merge'] as const) {
      const plan = planPull({ history: h('line'), base: sid(2), localChanges: true, mergedParents: merged }, { resolve });
      expect(plan.kind).toBe('up-to-date');
      expect(plan.reason).toMatch(/trove sync push/);
    }
    expect(planPull({ history: h('line'), base: sid(2), localChanges: true, mergedParents: merged }, { resolve: 'cloud' }).kind).toBe('take-cloud');
  });
});

describe('planPull', () => {
  const cases: { name: string; history: Name; pruned?: [number, number[]][]; base: number | null; changes: boolean; resolve?: Resolution; head?: number; kind: string; target?: number; join?: number[]; parents?: number[] }[] = [
    { name: 'nothing on the remote', history: 'empty', base: null, changes: false, kind: 'up-to-date' },
    { name: 'already at the head', history: 'line', base: 3, changes: false, kind: 'up-to-date' },
    { name: 'at the head with local changes: nothing to pull', history: 'line', base: 3, changes: true, kind: 'up-to-date' },
    { name: 'fast-forward from an ancestor', history: 'line', base: 1, changes: false, kind: 'fast-forward', target: 3 },
    { name: 'first pull of a fresh device', history: 'line', base: null, changes: false, kind: 'fast-forward', target: 3 },
    { name: 'fast-forward when the base was pruned and nothing changed', history: 'prunedBase', pruned: [[4, []]], base: 4, changes: false, kind: 'fast-forward', target: 6 },
    { name: 'local changes and a newer head: conflict', history: 'line', base: 2, changes: true, kind: 'conflict' },
    { name: 'two heads: conflict even without local changes', history: 'fork', base: 2, changes: false, kind: 'conflict' },
    { name: 'cloud takes the head', history: 'line', base: 2, changes: true, resolve: 'cloud', kind: 'take-cloud', target: 3, join: [] },
    { name: 'cloud with two heads takes the newest and joins both', history: 'fork', base: 2, changes: false, resolve: 'cloud', kind: 'take-cloud', target: 3, join: [2, 3] },
    { name: 'cloud with --head picks that head', history: 'fork', base: 3, changes: false, resolve: 'cloud', head: 2, kind: 'take-cloud', target: 2, join: [2, 3] },
    { name: 'local pushes on top of the head', history: 'line', base: 2, changes: true, resolve: 'local', kind: 'keep-local', parents: [3] },
    { name: 'local with three heads unites them', history: 'three', base: 2, changes: true, resolve: 'local', kind: 'keep-local', parents: [2, 3, 4] },
    { name: 'merge merges every head and names them and the base as parents', history: 'fork', base: 2, changes: true, resolve: 'merge', kind: 'merge', parents: [2, 3] },
    { name: 'merge of one newer head: the head and the base are the two parents', history: 'line', base: 2, changes: true, resolve: 'merge', kind: 'merge', parents: [3, 2] },
    { name: 'resolve without a conflict just fast-forwards', history: 'line', base: 1, changes: false, resolve: 'local', kind: 'fast-forward', target: 3 },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const plan = planPull({ history: h(c.history, c.pruned), base: base(c.base), localChanges: c.changes }, { resolve: c.resolve, head: c.head ? sid(c.head) : undefined });
      expect(plan.kind).toBe(c.kind);
      if (plan.kind === 'fast-forward') expect(plan.target).toBe(sid(c.target!));
      if (plan.kind === 'take-cloud') {
        expect(plan.target).toBe(sid(c.target!));
        expect(plan.join).toEqual(c.join!.map(sid));
      }
      if (plan.kind === 'keep-local' || plan.kind === 'merge') expect(plan.parents).toEqual(c.parents!.map(sid));
      if (plan.kind === 'conflict') expect(plan.hint).toMatch(/--resolve cloud/);
    });
  }
});

describe('planPull --head (qa-b 12)', () => {
  it('a --head that names no head is NOT_FOUND (a user mistake), not a conflict; a prefix of several is AMBIGUOUS', () => {
    expect(() => planPull({ history: h('fork'), base: sid(2), localChanges: false }, { resolve: 'cloud', head: '../x' })).toThrow(
      expect.objectContaining({ code: 'NOT_FOUND', message: expect.stringMatching(/--head \.\.\/x names none of the remote's heads/) }),
    );
    expect(() => planPull({ history: h('fork'), base: sid(2), localChanges: false }, { resolve: 'cloud', head: '0' })).toThrow(expect.objectContaining({ code: 'AMBIGUOUS' }));
  });
});

const contentOf = (n: number) => createHash('sha1').update(`db${n}`).digest('hex'); // fake-manifests.ts

describe('a base outside the head history (QA: NAS not mounted, remote switched, copied library)', () => {
  // Base S9 was pushed somewhere the remote does not see; the remote's line is S1 ← S2 ← S3.
  it('pull: conflict, not a fast-forward, although nothing changed since that base', () => {
    const plan = planPull({ history: h('line'), base: sid(9), localChanges: false });
    expect(plan.kind).toBe('conflict');
    expect(plan.reason).toMatch(/no longer on the remote and not in the history of the head/);
    expect(baseLost({ history: h('line'), base: sid(9), localChanges: false })).toBe(true);
  });
  it('push: refused (the remote moved on), never "nothing to push"', () => {
    const plan = planPush({ history: h('line'), base: sid(9), localChanges: false });
    expect(plan.kind).toBe('refuse');
  });
  it('a fast-forward after all when the local content is in the head history (nothing can be lost)', () => {
    expect(planPull({ history: h('line'), base: sid(9), localChanges: false, localFingerprint: contentOf(2) }, {}).kind).toBe('fast-forward');
    expect(planPull({ history: h('line'), base: sid(9), localChanges: false, localFingerprint: contentOf(7) }, {}).kind).toBe('conflict');
  });
  it('a base pruned with a tombstone that links it to the head still fast-forwards', () => {
    expect(planPull({ history: h('prunedBase', [[4, []]]), base: sid(4), localChanges: false }).kind).toBe('fast-forward');
  });
  it('a base pruned on another line than the only head is a conflict', () => {
    // S1 ← S2 (base, pruned), S1 ← S3 ← S4: S4's history lacks S2.
    const hist = buildHistory([m(1, []), m(2, [1]), m(3, [1], 'B'), m(4, [3], 'B')].filter((x) => x.id !== sid(2)), new Map([[sid(2), [sid(1)]]]));
    expect(hist.heads.map((x) => x.id)).toEqual([sid(4)]);
    expect(planPull({ history: hist, base: sid(2), localChanges: false }).kind).toBe('conflict');
  });
});

describe('--resolve cloud or local with several heads names the heads set aside', () => {
  it('cloud: the heads other than the one taken, with their device, in the plan and its reason', () => {
    const plan = planPull({ history: h('three'), base: null, localChanges: false }, { resolve: 'cloud' });
    expect(plan).toMatchObject({ kind: 'take-cloud', target: sid(4), setAside: [{ id: sid(2), device: { name: 'A' } }, { id: sid(3), device: { name: 'B' } }] });
    expect(plan.reason).toMatch(new RegExp(`set aside: the changes of ${sid(2)} by A, ${sid(3)} by B .*stay in the snapshot history.*trove snapshots restore ${sid(2)}`));
  });
  it('the conflict hint says that cloud sets the other heads aside and merge keeps them', () => {
    const plan = planPull({ history: h('fork'), base: sid(1), localChanges: false });
    expect(plan.kind === 'conflict' && plan.hint).toMatch(/--resolve merge.*keeps the changes of every head.*--resolve cloud.*sets the other heads' changes aside/);
  });
  it('local: every head not already in the base', () => {
    const plan = planPull({ history: h('line'), base: sid(2), localChanges: true }, { resolve: 'local' });
    expect(plan).toMatchObject({ kind: 'keep-local', setAside: [{ id: sid(3) }] });
  });
});

describe('damaged histories', () => {
  it('a parent cycle is reported (it would hide every head)', () => {
    // S3 names the real head S2 and S4; S4 names S3.
    const hist = buildHistory([m(1, []), m(2, [1]), m(3, [2, 4], 'B'), m(4, [3], 'B')]);
    expect(hist.heads).toEqual([]);
    expect(hist.cycle).toEqual([sid(3), sid(4), sid(3)]);
    expect(h('joined').cycle).toEqual([]);
    expect(findParentCycle((id) => ({ a: ['b'], b: ['c'], c: ['a'], d: ['a'] })[id], ['d'])).toEqual(['a', 'b', 'c', 'a']);
  });
  it("a device's own snapshot whose push was cut off before state.db recorded it is recognised", () => {
    const line = h('line'); // S3 by B, child of S2
    expect(ownUnrecordedSnapshot(line, DEVICES.B!, sid(2), contentOf(3))?.id).toBe(sid(3));
    expect(ownUnrecordedSnapshot(line, DEVICES.B!, null, contentOf(3))?.id).toBe(sid(3));
    expect(ownUnrecordedSnapshot(line, DEVICES.A!, sid(2), contentOf(3))).toBeUndefined(); // someone else's
    expect(ownUnrecordedSnapshot(line, DEVICES.B!, sid(2), contentOf(2))).toBeUndefined(); // other content
    expect(ownUnrecordedSnapshot(h('fork'), DEVICES.B!, sid(2), contentOf(3))).toBeUndefined(); // not built on the base
  });
});
