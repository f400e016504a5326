// DAT catalogues: which DAT files (and versions) fed each system, which of their games became which
// release/file set, and the roms a DAT lists without a sha1 (they cannot be `file` rows, whose identity
// is the sha1, until a scan finds their content by crc32 + size).
import type { Migration } from '../migration.js';

export const m0002DatSources: Migration = {
  version: 2,
  name: 'dat sources, dat games, roms known only by crc32',
  up(db) {
    db.exec(`
      -- One row per DAT a system was fed from. Natural key (system, DAT header name): re-importing a newer
      -- version of the same DAT updates the row; a second DAT with the same system name adds a row.
      CREATE TABLE dat_source (
        id TEXT PRIMARY KEY,
        system_id TEXT NOT NULL REFERENCES system(id),
        name TEXT NOT NULL,
        description TEXT,
        version TEXT,
        date TEXT,
        author TEXT,
        homepage TEXT,
        url TEXT,
        format TEXT NOT NULL CHECK (format IN ('clrmamepro', 'logiqx')),
        file_name TEXT NOT NULL,
        file_sha1 TEXT NOT NULL,
        games INTEGER NOT NULL,
        roms INTEGER NOT NULL,
        imported_at TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        UNIQUE (system_id, name)
      );
      -- One row per DAT game entry: the file set that holds its roms (several entries with the same game
      -- name in one DAT are alternative dumps of one release, each in its own file set).
      CREATE TABLE dat_game (
        id TEXT PRIMARY KEY,
        source_id TEXT NOT NULL REFERENCES dat_source(id) ON DELETE CASCADE,
        release_id TEXT NOT NULL REFERENCES release(id) ON DELETE CASCADE,
        file_set_id TEXT NOT NULL REFERENCES file_set(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        clone_of TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        UNIQUE (source_id, file_set_id)
      );
      CREATE INDEX dat_game_release ON dat_game(release_id);
      CREATE INDEX dat_game_file_set ON dat_game(file_set_id);
      -- A rom the DAT lists without a sha1. matched_sha1 is set when a scan found it by crc32 + size
      -- (a weaker match than sha1; the file then also becomes a member of the file set).
      CREATE TABLE dat_rom (
        id TEXT PRIMARY KEY,
        file_set_id TEXT NOT NULL REFERENCES file_set(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        size INTEGER NOT NULL CHECK (size >= 0),
        crc32 TEXT NOT NULL,
        md5 TEXT,
        position INTEGER NOT NULL,
        matched_sha1 TEXT REFERENCES file(sha1),
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        UNIQUE (file_set_id, name)
      );
      CREATE INDEX dat_rom_crc32 ON dat_rom(crc32, size);
    `);
  },
};
