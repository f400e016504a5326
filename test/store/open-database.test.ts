import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Library, openDatabase } from '../../src/store/library.js';
import { tempDir } from '../helpers/cli.js';

let dir: string;
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('openDatabase', () => {
  it('calls a file corrupt only when SQLite says so; an unusable folder is an I/O error naming the file', () => {
    dir = tempDir();
    const { library } = Library.init(path.join(dir, 'lib'));
    const stateDb = library.paths.stateDb;
    library.close();
    // A WAL file that cannot be created (here: a folder in its place), as in a read-only folder.
    fs.mkdirSync(`${stateDb}-wal`);
    expect(() => openDatabase(stateDb)).toThrow(expect.objectContaining({ code: 'IO', message: expect.stringContaining(`cannot open ${stateDb}`) }));
    fs.rmdirSync(`${stateDb}-wal`);
    openDatabase(stateDb).close(); // usable again once the folder is
    const junk = path.join(dir, 'junk.db');
    fs.writeFileSync(junk, 'this is not a database, just text that is long enough to have a header');
    expect(() => openDatabase(junk)).toThrow(expect.objectContaining({ code: 'CORRUPT_SNAPSHOT', message: expect.stringContaining('is not a usable SQLite database') }));
  });
});
