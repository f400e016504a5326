import { describe, expect, it } from 'vitest';
import { buildHistory } from '../../../src/sync/snapshot/history.js';
import { planPrune } from '../../../src/sync/snapshot/prune.js';
import { DEVICES, manifest as m, sid } from './fake-manifests.js';

// A long line by A with a side branch by B from S2, and C that only pulled (base marker at S3).
const history = buildHistory([m(1, []), m(2, [1]), m(3, [2]), m(4, [3], 'B'), m(5, [4]), m(6, [5]), m(7, [6]), m(8, [2], 'C')]);
const markers = [
  { key: 'metadata/bases/c/1.json', device: DEVICES.C!, base: sid(1) },
  { key: 'metadata/bases/c/2.json', device: DEVICES.C!, base: sid(3) },
];

describe('planPrune', () => {
  it('keeps the last N, every head, each device newest push and recorded base', () => {
    const plan = planPrune(history, markers, 2, null);
    const kept = plan.keep.map((k) => k.id);
    expect(kept).toContain(sid(7)); // head, newest of A
    expect(kept).toContain(sid(8)); // head, newest of C
    expect(kept).toContain(sid(4)); // newest push of B
    expect(kept).toContain(sid(3)); // C's recorded base
    expect(plan.remove).toEqual([sid(1), sid(2), sid(5), sid(6)]);
    expect(plan.keep.find((k) => k.id === sid(8))!.why).toEqual(['head', 'one of the last 2', expect.stringMatching(/newest push/)]);
    expect(plan.staleMarkers).toEqual(['metadata/bases/c/1.json']);
  });
  it("keeps this device's base", () => {
    expect(planPrune(history, [], 1, sid(1)).keep.map((k) => k.id)).toContain(sid(1));
  });
  it('never removes a head, whatever N is', () => {
    const fork = buildHistory([m(1, []), m(2, [1]), m(3, [1], 'B')]);
    expect(planPrune(fork, [], 1, null).remove).toEqual([sid(1)]);
  });
  it('rejects a keep count below 1', () => {
    expect(() => planPrune(history, [], 0, null)).toThrow(/keep-last/);
  });
});
