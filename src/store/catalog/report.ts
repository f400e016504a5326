// `trove report`: per system, how complete the collection is against its DATs — releases complete /
// partial / missing, files have / missing, crc32-only (weaker) matches, scanned files that matched
// nothing — and, on request, the missing files themselves (for --missing and the fixdat).
// "Have" means the content can be had: in this device's store or in the cloud.
// A release is complete when one of its ROM file sets is: alternative dumps filed under one game name
// (headered .nes and headerless .unh) are alternatives, not parts.
// Every number is against the DATs: only releases and ROM file sets a DAT lists (a `dat_game` row)
// count; releases no DAT lists are counted apart (`notInDat`), and so are the files of a release's
// other alternatives (`files.alternatives`) — the files line counts one alternative per release.
import type Database from 'better-sqlite3';

export interface SystemReport {
  id: string;
  name: string;
  sources: { name: string; version: string | null; file_name: string; imported_at: string }[];
  releases: { total: number; complete: number; partial: number; missing: number; noFiles: number };
  /**
   * Files of the DATs' releases, one alternative per release (the complete one, else the one with
   * most files held). `alternatives`: files of the other alternatives, not in the total, and how
   * many of them are held.
   */
  files: { total: number; have: number; missing: number; weak: number; alternatives: { total: number; have: number } };
  /** Releases of this system no DAT lists (kept after a DAT dropped them, or added by hand): not in the numbers above. */
  notInDat: number;
  /** Scanned files (scan --system of this system) that match nothing in it. */
  unmatched: number;
}

export interface MissingRom {
  fileSet: string;
  name: string;
  size: number;
  crc32: string | null;
  md5: string | null;
  sha1: string | null;
}

export interface MissingRelease {
  system: string;
  release: string;
  status: 'partial' | 'missing';
  roms: MissingRom[];
}

export interface CatalogReport {
  systems: SystemReport[];
  /** Scanned files (scans without --system) that match nothing in any system. */
  unmatchedAnySystem: number;
  missing?: MissingRelease[];
}

type ReleaseStatus = 'complete' | 'partial' | 'missing' | 'noFiles';

interface FileSetCounts {
  release_id: string;
  release: string;
  file_set_id: string;
  expected: number;
  have: number;
}

const AVAILABLE = `(lb.sha1 IS NOT NULL OR coalesce(sl.state, '') = 'UploadCompleted')`;

function fileSetCounts(db: Database.Database, systemId: string): FileSetCounts[] {
  return db
    .prepare(
      `SELECT r.id AS release_id, r.name AS release, fs.id AS file_set_id,
              count(fsf.id) + (SELECT count(*) FROM dat_rom dr WHERE dr.file_set_id = fs.id AND dr.matched_sha1 IS NULL) AS expected,
              coalesce(sum(${AVAILABLE} AND fsf.id IS NOT NULL), 0) AS have
       FROM release r
       LEFT JOIN file_set fs ON fs.release_id = r.id AND fs.type = 'rom' AND EXISTS (SELECT 1 FROM dat_game dg WHERE dg.file_set_id = fs.id)
       LEFT JOIN file_set_file fsf ON fsf.file_set_id = fs.id
       LEFT JOIN state.local_blob lb ON lb.sha1 = fsf.file_sha1
       LEFT JOIN file_sync_log sl ON sl.file_sha1 = fsf.file_sha1
       WHERE r.system_id = ? AND EXISTS (SELECT 1 FROM dat_game dg WHERE dg.release_id = r.id)
       GROUP BY r.id, fs.id
       ORDER BY r.id, fs.name`,
    )
    .all(systemId) as FileSetCounts[];
}

/** A release's status from its ROM file sets' counts (pure). */
export function releaseStatus(sets: { expected: number; have: number }[]): ReleaseStatus {
  const real = sets.filter((s) => s.expected > 0);
  if (!real.length) return 'noFiles';
  if (real.some((s) => s.have === s.expected)) return 'complete';
  return real.some((s) => s.have > 0) ? 'partial' : 'missing';
}

/**
 * The alternative a release's files are counted by (pure): the first complete one, else the first with
 * the most files held; the others are alternatives, not parts.
 */
export function countedAlternative<T extends { expected: number; have: number }>(sets: T[]): T | undefined {
  const real = sets.filter((s) => s.expected > 0);
  return real.find((s) => s.have === s.expected) ?? real.reduce<T | undefined>((best, s) => (!best || s.have > best.have ? s : best), undefined);
}

export function buildReport(db: Database.Database, opts: { systemId?: string; missing?: boolean } = {}): CatalogReport {
  const systems = db
    .prepare('SELECT id, name FROM system WHERE (@id IS NULL OR id = @id) ORDER BY name')
    .all({ id: opts.systemId ?? null }) as { id: string; name: string }[];
  const sourcesOf = db.prepare('SELECT name, version, file_name, imported_at FROM dat_source WHERE system_id = ? ORDER BY name');
  const weakOf = db.prepare(
    `SELECT count(*) FROM dat_rom dr JOIN file_set fs ON fs.id = dr.file_set_id JOIN release r ON r.id = fs.release_id
     WHERE r.system_id = ? AND dr.matched_sha1 IS NOT NULL`,
  ).pluck();
  const notInDatOf = db.prepare(
    `SELECT count(*) FROM release r WHERE r.system_id = ? AND NOT EXISTS (SELECT 1 FROM dat_game dg WHERE dg.release_id = r.id)`,
  ).pluck();
  const unmatchedOf = db.prepare(unmatchedSql('sf.system_id = @systemId')).pluck();
  const missingRomsOf = db.prepare(
    `SELECT fs.name AS fileSet, fsf.name, f.size, f.crc32, f.md5, f.sha1 FROM file_set fs
       JOIN file_set_file fsf ON fsf.file_set_id = fs.id JOIN file f ON f.sha1 = fsf.file_sha1
       LEFT JOIN state.local_blob lb ON lb.sha1 = fsf.file_sha1
       LEFT JOIN file_sync_log sl ON sl.file_sha1 = fsf.file_sha1
     WHERE fs.release_id = ? AND fs.type = 'rom' AND NOT ${AVAILABLE} AND EXISTS (SELECT 1 FROM dat_game dg WHERE dg.file_set_id = fs.id)
     UNION ALL
     SELECT fs.name, dr.name, dr.size, dr.crc32, dr.md5, NULL FROM file_set fs JOIN dat_rom dr ON dr.file_set_id = fs.id
     WHERE fs.release_id = ? AND dr.matched_sha1 IS NULL
     ORDER BY 1, 2`,
  );

  const out: CatalogReport = { systems: [], unmatchedAnySystem: 0 };
  if (opts.missing) out.missing = [];
  for (const s of systems) {
    const byRelease = new Map<string, { name: string; sets: FileSetCounts[] }>();
    for (const c of fileSetCounts(db, s.id)) {
      const r = byRelease.get(c.release_id) ?? { name: c.release, sets: [] };
      if (c.file_set_id) r.sets.push(c);
      byRelease.set(c.release_id, r);
    }
    const rep: SystemReport = {
      id: s.id,
      name: s.name,
      sources: sourcesOf.all(s.id) as SystemReport['sources'],
      releases: { total: byRelease.size, complete: 0, partial: 0, missing: 0, noFiles: 0 },
      files: { total: 0, have: 0, missing: 0, weak: weakOf.get(s.id) as number, alternatives: { total: 0, have: 0 } },
      notInDat: notInDatOf.get(s.id) as number,
      unmatched: unmatchedOf.get({ systemId: s.id }) as number,
    };
    for (const [releaseId, r] of byRelease) {
      const status = releaseStatus(r.sets);
      rep.releases[status]++;
      const counted = countedAlternative(r.sets);
      for (const c of r.sets) {
        const into = c === counted ? rep.files : rep.files.alternatives;
        into.total += c.expected;
        into.have += c.have;
      }
      if (out.missing && (status === 'partial' || status === 'missing')) {
        out.missing.push({ system: s.name, release: r.name, status, roms: missingRomsOf.all(releaseId, releaseId) as MissingRom[] });
      }
    }
    rep.files.missing = rep.files.total - rep.files.have;
    out.systems.push(rep);
  }
  if (!opts.systemId) out.unmatchedAnySystem = db.prepare(unmatchedSql('sf.system_id IS NULL')).pluck().get({ systemId: null }) as number;
  out.missing?.sort((a, b) => (a.system === b.system ? (a.release < b.release ? -1 : 1) : a.system < b.system ? -1 : 1));
  return out;
}

/** Scan-cache rows in scope that match no file (sha1 + size) and no crc32-only rom (crc32 + size). */
function unmatchedSql(scope: string): string {
  return `SELECT count(*) FROM state.scan_file sf WHERE ${scope}
    AND NOT EXISTS (SELECT 1 FROM file f JOIN file_set_file fsf ON fsf.file_sha1 = f.sha1 JOIN file_set fs ON fs.id = fsf.file_set_id
                    JOIN release r ON r.id = fs.release_id
                    WHERE f.sha1 = sf.sha1 AND f.size = sf.size AND (@systemId IS NULL OR r.system_id = @systemId))
    AND NOT EXISTS (SELECT 1 FROM dat_rom dr JOIN file_set fs ON fs.id = dr.file_set_id JOIN release r ON r.id = fs.release_id
                    WHERE dr.crc32 = sf.crc32 AND dr.size = sf.size AND (@systemId IS NULL OR r.system_id = @systemId))`;
}
