// Carry out an ImportPlan: prepared statements only, no decisions. The caller runs it inside one
// transaction (see dat-import.ts), so an import lands whole or not at all. Stored content (blobs and
// local_blob rows) is never touched.
import type Database from 'better-sqlite3';
import { nameId, nowIso } from '../ids.js';
import type { DatFormat } from './dat-model.js';
import type { ImportPlan, PlannedGame } from './import-plan.js';

export interface SourceMeta {
  format: DatFormat;
  fileName: string;
  fileSha1: string;
}

/**
 * A file row no device has content for (only catalogues named it): its size is the DAT's word, so a
 * corrected DAT corrects it. Rows for hashed content keep their real size (the plan refuses a DAT that
 * disagrees with it).
 */
const NO_CONTENT = `NOT EXISTS (SELECT 1 FROM state.local_blob lb WHERE lb.sha1 = file.sha1) AND NOT EXISTS (SELECT 1 FROM file_sync_log sl WHERE sl.file_sha1 = file.sha1)`;

export function applyImport(db: Database.Database, plan: ImportPlan, meta: SourceMeta): void {
  const now = nowIso();
  const h = plan.source.header;
  db.prepare(
    `INSERT INTO system (id, name, created_at, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT(name) DO NOTHING`,
  ).run(plan.system.id, plan.system.name, now, now);
  db.prepare(
    `INSERT INTO dat_source (id, system_id, name, description, version, date, author, homepage, url, format, file_name, file_sha1,
                             games, roms, imported_at, created_at, updated_at)
     VALUES (@id, @system_id, @name, @description, @version, @date, @author, @homepage, @url, @format, @file_name, @file_sha1,
             @games, @roms, @now, @now, @now)
     ON CONFLICT(system_id, name) DO UPDATE SET description = excluded.description, version = excluded.version, date = excluded.date,
       author = excluded.author, homepage = excluded.homepage, url = excluded.url, format = excluded.format,
       file_name = excluded.file_name, file_sha1 = excluded.file_sha1, games = excluded.games, roms = excluded.roms,
       imported_at = excluded.imported_at, updated_at = excluded.updated_at`,
  ).run({
    id: plan.source.id,
    system_id: plan.system.id,
    name: h.name,
    description: h.description,
    version: h.version,
    date: h.date,
    author: h.author,
    homepage: h.homepage,
    url: h.url,
    format: meta.format,
    file_name: meta.fileName,
    file_sha1: meta.fileSha1,
    games: plan.games,
    roms: plan.roms,
    now,
  });

  // Titles are global rows keyed by name: read them once, insert only the new ones.
  const insertTitle = db.prepare(`INSERT INTO software_title (id, name, created_at, updated_at) VALUES (?, ?, ?, ?)`);
  const titles = new Map((db.prepare('SELECT name, id FROM software_title').raw().all() as [string, string][]).map(([n, id]) => [n, id]));
  const titleFor = (name: string): string => {
    let id = titles.get(name);
    if (!id) {
      id = nameId('software_title', name);
      insertTitle.run(id, name, now, now);
      titles.set(name, id);
    }
    return id;
  };
  const upsertRelease = db.prepare(
    `INSERT INTO release (id, system_id, software_title_id, name, region, created_at, updated_at) VALUES (@id, @system_id, @title_id, @name, @region, @now, @now)
     ON CONFLICT(system_id, name) DO UPDATE SET software_title_id = excluded.software_title_id, region = excluded.region, updated_at = excluded.updated_at
     WHERE release.software_title_id IS NOT excluded.software_title_id OR release.region IS NOT excluded.region`,
  );
  const insertFileSet = db.prepare(
    `INSERT INTO file_set (id, release_id, type, name, created_at, updated_at) VALUES (?, ?, 'rom', ?, ?, ?) ON CONFLICT(release_id, type, name) DO NOTHING`,
  );
  const upsertFile = db.prepare(
    `INSERT INTO file (sha1, size, crc32, md5, type, created_at, updated_at) VALUES (@sha1, @size, @crc32, @md5, 'rom', @now, @now)
     ON CONFLICT(sha1) DO UPDATE SET crc32 = coalesce(file.crc32, excluded.crc32), md5 = coalesce(file.md5, excluded.md5), updated_at = excluded.updated_at,
       size = CASE WHEN ${NO_CONTENT} THEN excluded.size ELSE file.size END
     WHERE (file.crc32 IS NULL AND excluded.crc32 IS NOT NULL) OR (file.md5 IS NULL AND excluded.md5 IS NOT NULL)
        OR (file.size IS NOT excluded.size AND ${NO_CONTENT})`,
  );
  const membersOf = db.prepare(`SELECT name FROM file_set_file WHERE file_set_id = ?`).pluck();
  const deleteMember = db.prepare(`DELETE FROM file_set_file WHERE file_set_id = ? AND name = ?`);
  const upsertMember = db.prepare(
    `INSERT INTO file_set_file (id, file_set_id, file_sha1, name, position, created_at, updated_at) VALUES (@id, @file_set_id, @sha1, @name, @position, @now, @now)
     ON CONFLICT(file_set_id, name) DO UPDATE SET file_sha1 = excluded.file_sha1, position = excluded.position, updated_at = excluded.updated_at
     WHERE file_set_file.file_sha1 IS NOT excluded.file_sha1 OR file_set_file.position IS NOT excluded.position`,
  );
  const crcRomsOf = db.prepare(`SELECT name FROM dat_rom WHERE file_set_id = ?`).pluck();
  const deleteCrcRom = db.prepare(`DELETE FROM dat_rom WHERE file_set_id = ? AND name = ?`);
  const upsertCrcRom = db.prepare(
    `INSERT INTO dat_rom (id, file_set_id, name, size, crc32, md5, position, matched_sha1, created_at, updated_at)
     VALUES (@id, @file_set_id, @name, @size, @crc32, @md5, @position, @matched_sha1, @now, @now)
     ON CONFLICT(file_set_id, name) DO UPDATE SET size = excluded.size, crc32 = excluded.crc32, md5 = excluded.md5, position = excluded.position,
       matched_sha1 = excluded.matched_sha1, updated_at = excluded.updated_at
     WHERE dat_rom.size IS NOT excluded.size OR dat_rom.crc32 IS NOT excluded.crc32 OR dat_rom.md5 IS NOT excluded.md5
        OR dat_rom.position IS NOT excluded.position OR dat_rom.matched_sha1 IS NOT excluded.matched_sha1`,
  );
  const upsertDatGame = db.prepare(
    `INSERT INTO dat_game (id, source_id, release_id, file_set_id, name, clone_of, created_at, updated_at)
     VALUES (@id, @source_id, @release_id, @file_set_id, @name, @clone_of, @now, @now)
     ON CONFLICT(id) DO UPDATE SET name = excluded.name, clone_of = excluded.clone_of, updated_at = excluded.updated_at
     WHERE dat_game.name IS NOT excluded.name OR dat_game.clone_of IS NOT excluded.clone_of`,
  );

  const write = (g: PlannedGame) => {
    upsertRelease.run({ id: g.releaseId, system_id: plan.system.id, title_id: titleFor(g.title), name: g.gameName, region: g.region, now });
    insertFileSet.run(g.fileSetId, g.releaseId, g.fileSetName, now, now);
    // The DAT defines the rom file set: members it no longer lists leave it (stored ones were moved above).
    const keep = new Set([...g.members.map((m) => m.name), ...g.crcRoms.filter((c) => c.matchedSha1).map((c) => c.name)]);
    // Stored content the DAT does not list is never dropped: it moves to the "… (not in DAT)" file set first.
    for (const k of g.kept) {
      insertFileSet.run(k.movedToId, g.releaseId, k.movedTo, now, now);
      upsertMember.run({ id: nameId('file_set_file', k.movedToId, k.movedAs), file_set_id: k.movedToId, sha1: k.sha1, name: k.movedAs, position: k.position, now });
    }
    if (g.existed) {
      for (const name of membersOf.all(g.fileSetId) as string[]) if (!keep.has(name)) deleteMember.run(g.fileSetId, name);
      const crcNames = new Set(g.crcRoms.map((c) => c.name));
      for (const name of crcRomsOf.all(g.fileSetId) as string[]) if (!crcNames.has(name)) deleteCrcRom.run(g.fileSetId, name);
    }
    for (const m of g.members) {
      upsertFile.run({ sha1: m.sha1, size: m.size, crc32: m.crc32, md5: m.md5, now });
      upsertMember.run({ id: nameId('file_set_file', g.fileSetId, m.name), file_set_id: g.fileSetId, sha1: m.sha1, name: m.name, position: m.position, now });
    }
    for (const c of g.crcRoms) {
      upsertCrcRom.run({ id: nameId('dat_rom', g.fileSetId, c.name), file_set_id: g.fileSetId, name: c.name, size: c.size, crc32: c.crc32, md5: c.md5, position: c.position, matched_sha1: c.matchedSha1, now });
      if (c.matchedSha1) {
        upsertMember.run({ id: nameId('file_set_file', g.fileSetId, c.name), file_set_id: g.fileSetId, sha1: c.matchedSha1, name: c.name, position: c.position, now });
      }
    }
    upsertDatGame.run({ id: nameId('dat_game', plan.source.id, g.fileSetId), source_id: plan.source.id, release_id: g.releaseId, file_set_id: g.fileSetId, name: g.gameName, clone_of: g.cloneOf, now });
  };
  for (const g of plan.added) write(g);
  for (const g of plan.changed) write(g);

  const deleteDatGame = db.prepare(`DELETE FROM dat_game WHERE id = ?`);
  const deleteFileSet = db.prepare(`DELETE FROM file_set WHERE id = ?`);
  const titleOfRelease = db.prepare(`SELECT software_title_id FROM release WHERE id = ?`).pluck();
  const deleteRelease = db.prepare(`DELETE FROM release WHERE id = ?`);
  const orphanTitles = new Set<string>();
  for (const r of plan.removed) {
    deleteDatGame.run(nameId('dat_game', plan.source.id, r.fileSetId));
    if (r.action !== 'deleted') continue;
    deleteFileSet.run(r.fileSetId);
    if (r.releaseDeleted) {
      const t = titleOfRelease.get(r.releaseId) as string | null | undefined;
      if (t) orphanTitles.add(t);
      deleteRelease.run(r.releaseId);
    }
  }
  // File rows nothing references any more and whose content nobody has: catalogue rows only.
  const deleteOrphanFile = db.prepare(
    `DELETE FROM file WHERE sha1 = ?
       AND NOT EXISTS (SELECT 1 FROM file_set_file WHERE file_sha1 = file.sha1)
       AND NOT EXISTS (SELECT 1 FROM dat_rom WHERE matched_sha1 = file.sha1)
       AND NOT EXISTS (SELECT 1 FROM state.local_blob WHERE sha1 = file.sha1)
       AND NOT EXISTS (SELECT 1 FROM file_sync_log WHERE file_sha1 = file.sha1)`,
  );
  for (const sha1 of plan.orphanCandidates) deleteOrphanFile.run(sha1);
  const deleteOrphanTitle = db.prepare(`DELETE FROM software_title WHERE id = ? AND NOT EXISTS (SELECT 1 FROM release WHERE software_title_id = software_title.id)`);
  for (const t of orphanTitles) deleteOrphanTitle.run(t);
}
