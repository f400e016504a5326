// A library is a folder: collection.db (synced), state.db (device-local), store/ (blobs), tmp/, backups/.
import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TroveError } from './errors.js';
import { checkDeviceName } from './device-name.js';
import { nowIso, uuidv7 } from './ids.js';
import { acquireSharedLibraryLock, type LibraryLock } from './library-lock.js';
import { migrate } from './migrations/migration.js';
import { COLLECTION_MIGRATIONS } from './migrations/collection/index.js';
import { STATE_MIGRATIONS } from './migrations/state/index.js';
import { removeStaleTempsIn } from './stale-temps.js';

export interface LibraryPaths {
  dir: string;
  collectionDb: string;
  stateDb: string;
  storeDir: string;
  tmpDir: string;
  backupsDir: string;
}

export function libraryPaths(dir: string): LibraryPaths {
  const abs = path.resolve(dir);
  return {
    dir: abs,
    collectionDb: path.join(abs, 'collection.db'),
    stateDb: path.join(abs, 'state.db'),
    storeDir: path.join(abs, 'store'),
    tmpDir: path.join(abs, 'tmp'),
    backupsDir: path.join(abs, 'backups'),
  };
}

/** XDG data dir for trove: $XDG_DATA_HOME/trove or ~/.local/share/trove. */
export function dataHome(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_DATA_HOME && path.isAbsolute(env.XDG_DATA_HOME) ? env.XDG_DATA_HOME : path.join(os.homedir(), '.local', 'share');
  return path.join(base, 'trove');
}

/** --library flag, then TROVE_LIBRARY, then <data home>/library. */
export function resolveLibraryDir(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (flag) return path.resolve(flag);
  if (env.TROVE_LIBRARY) return path.resolve(env.TROVE_LIBRARY);
  return path.join(dataHome(env), 'library');
}

export interface Device {
  id: string;
  name: string;
}

/**
 * Why a database could not be used. Only SQLite's "not a database" and "corrupt" say the file itself
 * is damaged; a read-only folder, a full disk or an I/O error is not the file's fault, and calling
 * state.db (the device's identity) corrupt would invite deleting it.
 */
function openFailure(file: string, err: unknown): TroveError {
  const code = String((err as { code?: unknown }).code ?? '');
  const message = (err as Error).message;
  if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT')) {
    return new TroveError('CORRUPT_SNAPSHOT', `${file} is not a usable SQLite database: ${message}`, { cause: err });
  }
  if (code === 'SQLITE_FULL') return new TroveError('NO_SPACE', `cannot open ${file}: the disk is full (${message})`, { cause: err });
  return new TroveError('IO', `cannot open ${file}: ${message} (${code || 'error'}; is its folder read-only, or the disk full or failing?)`, { cause: err });
}

/** Open a SQLite file with the pragmas every trove database uses. */
export function openDatabase(file: string, opts: { readonly?: boolean; mustExist?: boolean } = {}): Database.Database {
  let db: Database.Database;
  try {
    db = new Database(file, { readonly: opts.readonly ?? false, fileMustExist: opts.mustExist ?? true });
  } catch (err) {
    throw new TroveError('IO', `cannot open ${file}: ${(err as Error).message}`, { cause: err });
  }
  try {
    db.pragma('trusted_schema = OFF');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    if (!opts.readonly) {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
    }
    db.prepare('SELECT count(*) FROM sqlite_master').get();
  } catch (err) {
    db.close();
    throw openFailure(file, err);
  }
  return db;
}

export class Library {
  readonly paths: LibraryPaths;
  /** collection.db, with state.db attached as `state` for cross queries (availability). */
  readonly db: Database.Database;
  /** state.db on its own connection. */
  readonly state: Database.Database;

  /** Held shared while the library is open: a replacement of collection.db waits for it (library-lock.ts). */
  private readonly lock: LibraryLock;

  private constructor(paths: LibraryPaths, db: Database.Database, state: Database.Database, lock: LibraryLock) {
    this.paths = paths;
    this.db = db;
    this.state = state;
    this.lock = lock;
  }

  static open(dir: string): Library {
    const paths = libraryPaths(dir);
    if (!fs.existsSync(paths.collectionDb) || !fs.existsSync(paths.stateDb)) {
      throw new TroveError('NOT_FOUND', `no trove library at ${paths.dir} (run \`trove init --library ${paths.dir}\`)`, {
        details: { path: paths.dir },
      });
    }
    // Before collection.db is opened: a connection opened during a replacement would hold the retired file.
    const lock = acquireSharedLibraryLock(paths.dir);
    let state: Database.Database | undefined;
    let db: Database.Database | undefined;
    try {
      state = openDatabase(paths.stateDb);
      migrate(state, STATE_MIGRATIONS, paths.stateDb);
      db = openDatabase(paths.collectionDb);
      migrate(db, COLLECTION_MIGRATIONS, paths.collectionDb);
      db.prepare('ATTACH DATABASE ? AS state').run(paths.stateDb);
    } catch (err) {
      db?.close();
      state?.close();
      lock.release();
      throw err;
    }
    // Temps of processes that died mid-write (an interrupted add, download or pull): see stale-temps.ts.
    removeStaleTempsIn(paths.tmpDir);
    return new Library(paths, db, state, lock);
  }

  /** Create the folder and both databases; a no-op on an existing library. */
  static init(dir: string, opts: { deviceName?: string } = {}): { library: Library; created: boolean } {
    const paths = libraryPaths(dir);
    const deviceName = opts.deviceName === undefined ? undefined : checkDeviceName(opts.deviceName);
    const created = !fs.existsSync(paths.collectionDb);
    for (const d of [paths.dir, paths.storeDir, paths.tmpDir, paths.backupsDir]) fs.mkdirSync(d, { recursive: true });
    for (const file of [paths.stateDb, paths.collectionDb]) {
      const db = openDatabase(file, { mustExist: false });
      try {
        migrate(db, file === paths.stateDb ? STATE_MIGRATIONS : COLLECTION_MIGRATIONS, file);
        if (file === paths.stateDb) {
          db.prepare('INSERT OR IGNORE INTO device (id, name, created_at) VALUES (?, ?, ?)').run(
            uuidv7(),
            deviceName ?? os.hostname(),
            nowIso(),
          );
        }
      } finally {
        db.close();
      }
    }
    return { library: Library.open(dir), created };
  }

  device(): Device {
    const row = this.state.prepare('SELECT id, name FROM device').get() as Device | undefined;
    if (!row) throw new TroveError('INTEGRITY', `${this.paths.stateDb} has no device identity`);
    return row;
  }

  /** Give this library a new device id (a copied library must not share its original's); returns it. */
  resetDeviceId(): string {
    const id = uuidv7();
    this.state.prepare('UPDATE device SET id = ?').run(id);
    return id;
  }

  setDeviceName(name: string): void {
    this.state.prepare('UPDATE device SET name = ?').run(checkDeviceName(name));
  }

  getSetting(key: string): string | undefined {
    return (this.state.prepare('SELECT value FROM setting WHERE key = ?').get(key) as { value: string } | undefined)?.value;
  }

  setSetting(key: string, value: string | undefined): void {
    if (value === undefined) this.state.prepare('DELETE FROM setting WHERE key = ?').run(key);
    else this.state.prepare('INSERT INTO setting (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, value);
  }

  close(): void {
    if (this.db.open) this.db.close();
    if (this.state.open) this.state.close();
    this.lock.release();
  }
}
