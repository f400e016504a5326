import { describe, expect, it } from 'vitest';
import { emptyCatalogState, type CatalogState, type CurrentFileSet } from '../../../src/store/catalog/catalog-state.js';
import { emptyHeader, type DatGame, type DatRom, type ParsedDat } from '../../../src/store/catalog/dat-model.js';
import { MAX_NAME_CHARS, planImport, romFileSetName } from '../../../src/store/catalog/import-plan.js';
import { nameId } from '../../../src/store/ids.js';

const SYSTEM = 'Test System';
const systemId = nameId('system', SYSTEM);
const sourceId = nameId('dat_source', systemId, SYSTEM);
const sha = (n: number) => n.toString(16).padStart(40, '0');

function rom(name: string, n: number, extra: Partial<DatRom> = {}): DatRom {
  return { name, size: 100 + n, crc32: n.toString(16).padStart(8, '0'), md5: null, sha1: sha(n), status: null, line: 1, ...extra };
}
function game(name: string, roms: DatRom[], extra: Partial<DatGame> = {}): DatGame {
  return { name, description: null, cloneOf: null, region: null, roms, line: 1, ...extra };
}
function dat(games: DatGame[]): ParsedDat {
  return { file: 'x.dat', format: 'clrmamepro', header: { ...emptyHeader(), name: SYSTEM }, games };
}

/** The catalogue as it would be after importing `games` from this DAT (or another source). */
function stateWith(games: { name: string; title?: string; region?: string | null; roms: [string, number][]; available?: boolean; cloneOf?: string; source?: string; extraFileSets?: number }[]): CatalogState {
  const s = emptyCatalogState(systemId);
  for (const g of games) {
    const releaseId = nameId('release', systemId, g.name);
    s.releases.set(g.name, { id: releaseId, name: g.name, region: g.region ?? null, title: g.title ?? g.name });
    const fs: CurrentFileSet = {
      id: nameId('file_set', releaseId, 'rom', 'rom'),
      releaseId,
      type: 'rom',
      name: 'rom',
      members: g.roms.map(([name, n], position) => ({ name, sha1: sha(n), size: 100 + n, position, available: !!g.available, local: !!g.available, cloud: false })),
      crcRoms: [],
    };
    s.fileSets.set(fs.id, fs);
    for (let i = 0; i < (g.extraFileSets ?? 0); i++) {
      const id = nameId('file_set', releaseId, 'manual', `m${i}`);
      s.fileSets.set(id, { id, releaseId, type: 'manual', name: `m${i}`, members: [], crcRoms: [] });
    }
    s.datGames.push({ sourceId: g.source ?? sourceId, fileSetId: fs.id, releaseId, name: g.name, cloneOf: g.cloneOf ?? null });
  }
  return s;
}

describe('planImport', () => {
  it('adds every game of a first import, with stable ids from system + game name', () => {
    const plan = planImport(dat([game('A (USA)', [rom('a.bin', 1)]), game('B (Japan)', [rom('b.bin', 2)])]), emptyCatalogState(systemId), SYSTEM);
    expect(plan.added.map((g) => g.gameName)).toEqual(['A (USA)', 'B (Japan)']);
    expect(plan.added[0]).toMatchObject({ releaseId: nameId('release', systemId, 'A (USA)'), fileSetName: 'rom', region: 'USA', title: 'A' });
    expect(plan.added[0]!.members).toEqual([{ name: 'a.bin', sha1: sha(1), size: 101, crc32: '00000001', md5: null, position: 0 }]);
    expect(plan).toMatchObject({ changed: [], removed: [], unchanged: 0, duplicates: [], problems: [] });
  });

  it('sees nothing to do when the DAT matches the catalogue', () => {
    const plan = planImport(dat([game('A (USA)', [rom('a.bin', 1)])]), stateWith([{ name: 'A (USA)', title: 'A', region: 'USA', roms: [['a.bin', 1]] }]), SYSTEM);
    expect(plan).toMatchObject({ added: [], changed: [], removed: [], unchanged: 1 });
  });

  it.each([
    ['a rom content change', [rom('a.bin', 9)], {}, ['roms']],
    ['a renamed rom', [rom('a2.bin', 1)], {}, ['roms']],
    ['an extra rom', [rom('a.bin', 1), rom('b.bin', 2)], {}, ['roms']],
    ['a new parent', [rom('a.bin', 1)], { cloneOf: 'Other (USA)' }, ['title', 'clone_of']],
  ] as const)('reports %s as changed', (_label, roms, extra, changes) => {
    const plan = planImport(dat([game('A (USA)', [...roms], extra)]), stateWith([{ name: 'A (USA)', title: 'A', region: 'USA', roms: [['a.bin', 1]] }]), SYSTEM);
    expect(plan.changed.map((c) => c.changes)).toEqual([changes]);
    expect(plan.unchanged).toBe(0);
  });

  it('titles a clone after its root parent, without tags', () => {
    const plan = planImport(
      dat([game('Clone 2 (Europe)', [rom('c2', 3)], { cloneOf: 'Clone (Japan)' }), game('Clone (Japan)', [rom('c', 2)], { cloneOf: 'Parent (USA) (Rev 1)' }), game('Parent (USA) (Rev 1)', [rom('p', 1)])]),
      emptyCatalogState(systemId),
      SYSTEM,
    );
    expect(plan.added.map((g) => g.title)).toEqual(['Parent', 'Parent', 'Parent']);
  });

  it('deletes a removed game that has no stored content, and its release', () => {
    const plan = planImport(dat([game('A (USA)', [rom('a.bin', 1)])]), stateWith([{ name: 'A (USA)', title: 'A', region: 'USA', roms: [['a.bin', 1]] }, { name: 'Gone (USA)', roms: [['g.bin', 5]] }]), SYSTEM);
    expect(plan.removed).toEqual([expect.objectContaining({ gameName: 'Gone (USA)', action: 'deleted', releaseDeleted: true })]);
    expect(plan.orphanCandidates).toContain(sha(5));
  });

  it('keeps a removed game whose content is stored, and one another DAT still lists', () => {
    const plan = planImport(
      dat([]),
      stateWith([
        { name: 'Have (USA)', roms: [['h.bin', 1]], available: true },
        { name: 'Other (USA)', roms: [['o.bin', 2]], source: 'other-source' },
        { name: 'Other (USA)', roms: [['o.bin', 2]] },
      ]),
      SYSTEM,
    );
    expect(plan.removed.map((r) => [r.gameName, r.action, r.releaseDeleted])).toEqual([
      ['Have (USA)', 'kept', false],
      ['Other (USA)', 'kept', false],
    ]);
  });

  it('keeps the release of a removed game when it has other file sets (a manual)', () => {
    const plan = planImport(dat([]), stateWith([{ name: 'Man (USA)', roms: [['m.bin', 1]], extraFileSets: 1 }]), SYSTEM);
    expect(plan.removed[0]).toMatchObject({ action: 'deleted', releaseDeleted: false });
  });

  it('reports repeated game names and files each entry in its own ROM file set of one release', () => {
    const plan = planImport(dat([game('Dup (World)', [rom('d.nes', 1)], { line: 10 }), game('Dup (World)', [rom('d.unh', 2)], { line: 14 })]), emptyCatalogState(systemId), SYSTEM);
    expect(plan.duplicates).toEqual([{ name: 'Dup (World)', count: 2, lines: [10, 14] }]);
    expect(plan.added.map((g) => [g.releaseId, g.fileSetName])).toEqual([
      [nameId('release', systemId, 'Dup (World)'), 'rom'],
      [nameId('release', systemId, 'Dup (World)'), 'rom 2'],
    ]);
    expect(plan.releases).toBe(1);
    expect(romFileSetName(2)).toBe('rom 3');
  });

  it('keeps a rom without sha1 as a crc32-only rom and skips roms with nothing to match by', () => {
    const plan = planImport(
      dat([game('C (USA)', [rom('crc.bin', 1, { sha1: null }), rom('nodump.bin', 2, { status: 'nodump' }), rom('nohash.bin', 3, { sha1: null, crc32: null })])]),
      emptyCatalogState(systemId),
      SYSTEM,
    );
    expect(plan.added[0]!.members).toEqual([]);
    expect(plan.added[0]!.crcRoms).toEqual([{ name: 'crc.bin', size: 101, crc32: '00000001', md5: null, position: 0, matchedSha1: null }]);
    expect(plan.skippedRoms.map((s) => s.rom)).toEqual(['nodump.bin', 'nohash.bin']);
  });

  it('lists a rom named twice with different content, or with a sha1 but no size, as a problem with its line', () => {
    const plan = planImport(
      dat([game('P (USA)', [rom('same', 1, { line: 3 }), rom('same', 2, { line: 4 }), rom('same', 1, { line: 5 }), rom('nosize', 7, { size: null, line: 6 })])]),
      emptyCatalogState(systemId),
      SYSTEM,
    );
    expect(plan.problems.map((p) => p.line)).toEqual([4, 6]);
    expect(plan.problems[0]!.message).toContain('twice');
  });

  it('refuses one sha1 listed with two sizes, and a size that contradicts content trove has hashed', () => {
    const a = planImport(dat([game('A (USA)', [rom('a.bin', 1, { line: 3 })]), game('B (USA)', [rom('b.bin', 1, { size: 5, line: 7 })])]), emptyCatalogState(systemId), SYSTEM);
    expect(a.problems).toEqual([{ file: 'x.dat', line: 7, message: `rom "b.bin" has sha1 ${sha(1)} with size 5, but line 3 lists the same sha1 with size 101` }]);
    const state = emptyCatalogState(systemId);
    state.contentSize = (sha1) => (sha1 === sha(2) ? 999 : undefined);
    const b = planImport(dat([game('C (USA)', [rom('c.bin', 2, { line: 4 })])]), state, SYSTEM);
    expect(b.problems).toEqual([{ file: 'x.dat', line: 4, message: `rom "c.bin" has sha1 ${sha(2)} with size 102, but the stored content with that sha1 is 999 bytes` }]);
    // The same sha1 listed twice with one size is fine.
    expect(planImport(dat([game('D (USA)', [rom('d.bin', 3)]), game('E (USA)', [rom('e.bin', 3)])]), emptyCatalogState(systemId), SYSTEM).problems).toEqual([]);
  });

  it('refuses game and rom names far longer than any real DAT has, naming the line', () => {
    const long = 'x'.repeat(MAX_NAME_CHARS + 1);
    const plan = planImport(dat([game(long, [rom('a.bin', 1)], { line: 9 }), game('B (USA)', [rom(long, 2, { line: 12 })])]), emptyCatalogState(systemId), SYSTEM);
    expect(plan.problems).toEqual([
      { file: 'x.dat', line: 9, message: expect.stringMatching(/^game name of 1025 characters \("x{40}"…\) is longer than 1024$/) },
      { file: 'x.dat', line: 12, message: expect.stringMatching(/^rom name of 1025 characters/) },
    ]);
  });
});

describe('planImport: members with stored content the DAT does not list', () => {
  const releaseId = nameId('release', systemId, 'A (USA)');
  const notInDatId = nameId('file_set', releaseId, 'rom', 'rom (not in DAT)');

  it('keeps a stored member the DAT drops or re-points, moving it to "rom (not in DAT)"; not a stored one, nor content the set keeps under another name', () => {
    const s = stateWith([{ name: 'A (USA)', title: 'A', region: 'USA', roms: [['a.bin', 1], ['extra.bin', 2], ['renamed.bin', 3], ['gone.bin', 4]] }]);
    const members = s.fileSets.get(nameId('file_set', releaseId, 'rom', 'rom'))!.members;
    for (const m of members) if (m.name !== 'gone.bin') Object.assign(m, { available: true, cloud: true });
    const plan = planImport(dat([game('A (USA)', [rom('a.bin', 9), rom('new-name.bin', 3)], { region: 'USA' })]), s, SYSTEM);
    expect(plan.changed[0]!.kept).toEqual([
      { name: 'a.bin', sha1: sha(1), movedTo: 'rom (not in DAT)', movedToId: notInDatId, movedAs: 'a.bin', position: 0, reason: 'its content is uploaded to the remote' },
      { name: 'extra.bin', sha1: sha(2), movedTo: 'rom (not in DAT)', movedToId: notInDatId, movedAs: 'extra.bin', position: 1, reason: 'its content is uploaded to the remote' },
    ]);
  });

  it('numbers a name already taken by other content in "rom (not in DAT)", and skips content already kept there', () => {
    const s = stateWith([{ name: 'A (USA)', title: 'A', region: 'USA', roms: [['a.bin', 1], ['b', 2]], available: true }]);
    s.fileSets.set(notInDatId, {
      id: notInDatId,
      releaseId,
      type: 'rom',
      name: 'rom (not in DAT)',
      members: [
        { name: 'a.bin', sha1: sha(7), size: 107, position: 4, available: true, local: true, cloud: false },
        { name: 'old', sha1: sha(2), size: 102, position: 5, available: true, local: true, cloud: false },
      ],
      crcRoms: [],
    });
    const plan = planImport(dat([game('A (USA)', [rom('c.bin', 3)], { region: 'USA' })]), s, SYSTEM);
    expect(plan.changed[0]!.kept.map((k) => [k.name, k.movedAs, k.position, k.reason])).toEqual([['a.bin', 'a (2).bin', 6, 'its content is stored on this device']]);
  });
});
