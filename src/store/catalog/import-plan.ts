// The import plan: a pure function from a parsed DAT and the catalogue's current rows for its system to
// what an import changes — games added / changed / removed (and whether a removed game's release is
// deleted or kept), duplicate game names, skipped roms and file:line problems. Nothing here does I/O;
// `applyImport` carries a plan out in one transaction.
import { nameId } from '../ids.js';
import { regionOf, titleOf } from '../release-name.js';
import type { CatalogState, CurrentFileSet } from './catalog-state.js';
import type { DatGame, DatHeader, DatProblem, ParsedDat } from './dat-model.js';
import { planKeptMembers, type KeptMember } from './kept-members.js';

export interface PlannedMember {
  name: string;
  sha1: string;
  size: number;
  crc32: string | null;
  md5: string | null;
  position: number;
}

export interface PlannedCrcRom {
  name: string;
  size: number;
  crc32: string;
  md5: string | null;
  position: number;
  /** A scan's earlier crc32 match, kept while the rom's name, crc32 and size stay the same. */
  matchedSha1: string | null;
}

/** One DAT game entry: a release and the ROM file set holding this entry's roms. */
export interface PlannedGame {
  gameName: string;
  releaseId: string;
  fileSetId: string;
  fileSetName: string;
  region: string | null;
  title: string;
  cloneOf: string | null;
  members: PlannedMember[];
  crcRoms: PlannedCrcRom[];
  line: number;
  /** The file set is already in the catalogue (its current members may need removing). */
  existed: boolean;
  /**
   * Current members the DAT does not list (or lists with other content) that hold stored content:
   * never dropped, they move to the release's "… (not in DAT)" file set.
   */
  kept: KeptMember[];
}

export type GameChange = 'roms' | 'region' | 'title' | 'clone_of';

export interface RemovedGame {
  gameName: string;
  releaseId: string;
  fileSetId: string;
  /** deleted: no stored content and no other DAT lists it; kept: it holds content or another DAT lists it. */
  action: 'deleted' | 'kept';
  reason: string;
  /** The whole release goes (every file set of it is deleted). */
  releaseDeleted: boolean;
}

export interface DuplicateName {
  name: string;
  count: number;
  lines: number[];
}

export interface SkippedRom {
  game: string;
  rom: string;
  line: number;
  reason: string;
}

export interface ImportPlan {
  file: string;
  system: { id: string; name: string };
  source: { id: string; header: DatHeader };
  /** Game entries and distinct game names in the DAT. */
  games: number;
  releases: number;
  roms: number;
  added: PlannedGame[];
  changed: (PlannedGame & { changes: GameChange[] })[];
  unchanged: number;
  removed: RemovedGame[];
  duplicates: DuplicateName[];
  skippedRoms: SkippedRom[];
  problems: DatProblem[];
  /** Header text fields longer than MAX_HEADER_CHARS: stored cut short, with a marker. */
  headerTruncated: { field: string; chars: number }[];
  /** sha1s that lost a membership: their file rows go if nothing else references them. */
  orphanCandidates: string[];
}

/** The file set name of the nth entry (0-based) under one game name: "rom", "rom 2", "rom 3"… */
export function romFileSetName(index: number): string {
  return index === 0 ? 'rom' : `rom ${index + 1}`;
}

/** Title: the root parent's name without its tags (a DAT without parent/clone data: the game's own). */
function titleFor(game: DatGame, byName: Map<string, DatGame>): string {
  let root = game;
  const seen = new Set<string>([game.name]);
  while (root.cloneOf) {
    const parent = byName.get(root.cloneOf);
    if (!parent) return titleOf(root.cloneOf);
    if (seen.has(parent.name)) break; // a cycle: stop at the last distinct name
    seen.add(parent.name);
    root = parent;
  }
  return titleOf(root.name);
}

function romsKey(members: { name: string; sha1: string; size: number }[], crcRoms: { name: string; crc32: string; size: number }[]): string {
  const parts = [...members.map((m) => `s\u0000${m.name}\u0000${m.sha1}\u0000${m.size}`), ...crcRoms.map((c) => `c\u0000${c.name}\u0000${c.crc32}\u0000${c.size}`)];
  return parts.sort().join('\u0001');
}

function currentRomsKey(fs: CurrentFileSet): string {
  const crcNames = new Map(fs.crcRoms.map((c) => [c.name, c]));
  // A member that is a scan's crc32 match of a dat_rom is that rom, not a separate sha1 rom.
  const members = fs.members.filter((m) => crcNames.get(m.name)?.matchedSha1 !== m.sha1);
  return romsKey(members, fs.crcRoms);
}

/** Longest game or rom name an import accepts. */
export const MAX_NAME_CHARS = 1024;

/**
 * Longest header text (description, version, date, author, homepage, url) stored: dat_source is in
 * collection.db, synced and snapshotted on every device. Longer text is informational only, so it is
 * cut to this many characters, the last one the marker "…", and the import says so.
 */
export const MAX_HEADER_CHARS = 1024;
const HEADER_TEXT = ['description', 'version', 'date', 'author', 'homepage', 'url'] as const;

function cutShort(text: string, max: number): string {
  let end = max - 1;
  const c = text.charCodeAt(end - 1);
  if (c >= 0xd800 && c <= 0xdbff) end--; // never split a surrogate pair
  return `${text.slice(0, end)}…`;
}

/** The header as stored: long text fields cut short (pure). */
export function capHeader(header: DatHeader): { header: DatHeader; truncated: { field: string; chars: number }[] } {
  const out: DatHeader = { ...header };
  const truncated: { field: string; chars: number }[] = [];
  for (const field of HEADER_TEXT) {
    const v = out[field];
    if (v && v.length > MAX_HEADER_CHARS) {
      out[field] = cutShort(v, MAX_HEADER_CHARS);
      truncated.push({ field, chars: v.length });
    }
  }
  return { header: out, truncated };
}

export function planImport(dat: ParsedDat, state: CatalogState, systemName: string): ImportPlan {
  const systemId = state.systemId;
  const sourceId = nameId('dat_source', systemId, dat.header.name);
  const problems: DatProblem[] = [];
  const skippedRoms: SkippedRom[] = [];
  const byName = new Map<string, DatGame>();
  const entriesByName = new Map<string, DatGame[]>();
  for (const g of dat.games) {
    if (!byName.has(g.name)) byName.set(g.name, g);
    const list = entriesByName.get(g.name);
    if (list) list.push(g);
    else entriesByName.set(g.name, [g]);
  }
  const duplicates: DuplicateName[] = [];
  for (const [name, list] of entriesByName) if (list.length > 1) duplicates.push({ name, count: list.length, lines: list.map((g) => g.line) });

  const ownGames = new Map(state.datGames.filter((g) => g.sourceId === sourceId).map((g) => [g.fileSetId, g]));
  const otherSourceFileSets = new Set(state.datGames.filter((g) => g.sourceId !== sourceId).map((g) => g.fileSetId));
  const added: PlannedGame[] = [];
  const changed: ImportPlan['changed'] = [];
  const orphanCandidates = new Set<string>();
  let unchanged = 0;
  let roms = 0;
  const wanted = new Set<string>();
  const wantedReleases = new Set<string>();
  // One sha1, one size: within the DAT, and against content trove has hashed. (A file row only a
  // catalogue named takes the DAT's size: a corrected DAT fixes it.)
  const sizeOfSha1 = new Map<string, { size: number; line: number }>();
  const checkSize = (romName: string, sha1: string, size: number, line: number): boolean => {
    const seen = sizeOfSha1.get(sha1);
    if (seen && seen.size !== size) {
      problems.push({ file: dat.file, line, message: `rom ${JSON.stringify(romName)} has sha1 ${sha1} with size ${size}, but line ${seen.line} lists the same sha1 with size ${seen.size}` });
      return false;
    }
    if (!seen) {
      sizeOfSha1.set(sha1, { size, line });
      const stored = state.contentSize(sha1);
      if (stored !== undefined && stored !== size) {
        problems.push({ file: dat.file, line, message: `rom ${JSON.stringify(romName)} has sha1 ${sha1} with size ${size}, but the stored content with that sha1 is ${stored} bytes` });
        return false;
      }
    }
    return true;
  };

  // Names become release names, export folder and file names: far past any real DAT's (No-Intro's
  // longest are ~200 characters) is a broken or hostile file, not data to store and sync.
  const tooLong = (what: string, name: string, line: number) => {
    if (name.length <= MAX_NAME_CHARS) return false;
    problems.push({ file: dat.file, line, message: `${what} name of ${name.length} characters (${JSON.stringify(name.slice(0, 40))}…) is longer than ${MAX_NAME_CHARS}` });
    return true;
  };
  // The header name becomes the system's name and the dat_source key: refused like a game name.
  tooLong('header', dat.header.name, dat.header.line ?? 1);
  const { header, truncated: headerTruncated } = capHeader(dat.header);
  for (const g of dat.games) {
    tooLong('game', g.name, g.line);
    for (const r of g.roms) tooLong('rom', r.name, r.line);
  }

  for (const [name, entries] of entriesByName) {
    const release = state.releases.get(name);
    const releaseId = release?.id ?? nameId('release', systemId, name);
    wantedReleases.add(releaseId);
    entries.forEach((game, index) => {
      const fileSetName = romFileSetName(index);
      const fileSetId = nameId('file_set', releaseId, 'rom', fileSetName);
      const current = state.fileSets.get(fileSetId);
      const members: PlannedMember[] = [];
      const crcRoms: PlannedCrcRom[] = [];
      const names = new Map<string, string>();
      for (const rom of game.roms) {
        roms++;
        if (rom.status === 'nodump') {
          skippedRoms.push({ game: name, rom: rom.name, line: rom.line, reason: 'nodump (no known content)' });
          continue;
        }
        const identity = rom.sha1 ?? (rom.crc32 ? `crc:${rom.crc32}:${rom.size}` : '');
        const prev = names.get(rom.name);
        if (prev !== undefined) {
          if (prev !== identity) problems.push({ file: dat.file, line: rom.line, message: `game ${JSON.stringify(name)} lists rom ${JSON.stringify(rom.name)} twice with different content` });
          continue;
        }
        names.set(rom.name, identity);
        const position = members.length + crcRoms.length;
        if (rom.sha1) {
          if (rom.size === null) {
            problems.push({ file: dat.file, line: rom.line, message: `rom ${JSON.stringify(rom.name)} has a sha1 but no size` });
            continue;
          }
          if (!checkSize(rom.name, rom.sha1, rom.size, rom.line)) continue;
          members.push({ name: rom.name, sha1: rom.sha1, size: rom.size, crc32: rom.crc32, md5: rom.md5, position });
        } else if (rom.crc32 && rom.size !== null) {
          const prevCrc = current?.crcRoms.find((c) => c.name === rom.name && c.crc32 === rom.crc32 && c.size === rom.size);
          crcRoms.push({ name: rom.name, size: rom.size, crc32: rom.crc32, md5: rom.md5, position, matchedSha1: prevCrc?.matchedSha1 ?? null });
        } else {
          skippedRoms.push({ game: name, rom: rom.name, line: rom.line, reason: 'neither sha1 nor crc32 + size: nothing to match it by' });
        }
      }
      const planned: PlannedGame = {
        gameName: name,
        releaseId,
        fileSetId,
        fileSetName,
        region: regionOf(name) ?? game.region,
        title: titleFor(game, byName),
        cloneOf: game.cloneOf,
        members,
        crcRoms,
        line: game.line,
        existed: current !== undefined,
        kept: current
          ? planKeptMembers(state, current, [...members, ...crcRoms.flatMap((c) => (c.matchedSha1 ? [{ name: c.name, sha1: c.matchedSha1 }] : []))])
          : [],
      };
      wanted.add(fileSetId);
      const own = ownGames.get(fileSetId);
      if (!own || !current) {
        added.push(planned);
        if (current) for (const m of current.members) orphanCandidates.add(m.sha1);
        return;
      }
      const changes: GameChange[] = [];
      if (romsKey(members, crcRoms) !== currentRomsKey(current)) changes.push('roms');
      if ((release?.region ?? null) !== planned.region) changes.push('region');
      if ((release?.title ?? null) !== planned.title) changes.push('title');
      if (own.cloneOf !== planned.cloneOf) changes.push('clone_of');
      if (changes.length) {
        changed.push({ ...planned, changes });
        for (const m of current.members) orphanCandidates.add(m.sha1);
      } else {
        unchanged++;
      }
    });
  }

  // Games this DAT fed before and no longer lists. Stored content is never deleted: a file set with
  // content (local or cloud), or one another DAT still lists, stays in the catalogue.
  const removedBySet: RemovedGame[] = [];
  const deletedSets = new Set<string>();
  for (const own of ownGames.values()) {
    if (wanted.has(own.fileSetId)) continue;
    const fs = state.fileSets.get(own.fileSetId);
    const hasContent = !!fs?.members.some((m) => m.available);
    const elsewhere = otherSourceFileSets.has(own.fileSetId);
    const action = hasContent || elsewhere ? 'kept' : 'deleted';
    if (action === 'deleted') {
      deletedSets.add(own.fileSetId);
      for (const m of fs?.members ?? []) orphanCandidates.add(m.sha1);
    }
    removedBySet.push({
      gameName: own.name,
      releaseId: own.releaseId,
      fileSetId: own.fileSetId,
      action,
      reason: elsewhere ? 'another DAT lists it' : hasContent ? 'it holds stored content' : 'no stored content',
      releaseDeleted: false,
    });
  }
  // A release goes only when every one of its file sets goes (a manual or box art keeps it).
  const remaining = new Map<string, number>();
  for (const fs of state.fileSets.values()) if (!deletedSets.has(fs.id)) remaining.set(fs.releaseId, (remaining.get(fs.releaseId) ?? 0) + 1);
  for (const r of removedBySet) r.releaseDeleted = r.action === 'deleted' && !remaining.get(r.releaseId) && !wantedReleases.has(r.releaseId);

  return {
    file: dat.file,
    system: { id: systemId, name: systemName },
    source: { id: sourceId, header },
    games: dat.games.length,
    releases: entriesByName.size,
    roms,
    added,
    changed,
    unchanged,
    removed: removedBySet.sort((a, b) => (a.gameName < b.gameName ? -1 : a.gameName > b.gameName ? 1 : 0)),
    duplicates,
    skippedRoms,
    problems,
    headerTruncated,
    orphanCandidates: [...orphanCandidates],
  };
}
