// Paths of the real DATs. test/helpers/cli.ts's DATS is <repo>/../shared/dats, which is right for the
// main checkout; a git worktree elsewhere falls back to /work/shared/dats (or $TROVE_DATS).
import fs from 'node:fs';
import path from 'node:path';
import { DATS } from '../../helpers/cli.js';

export const REAL_DATS = process.env.TROVE_DATS ?? (fs.existsSync(DATS) ? DATS : '/work/shared/dats');
export const NES = path.join(REAL_DATS, 'Nintendo - Nintendo Entertainment System.dat');
export const SNES = path.join(REAL_DATS, 'Nintendo - Super Nintendo Entertainment System (Parent-Clone) (20240317-134803).dat');
export const ATARI = path.join(REAL_DATS, 'Atari - 2600.dat');
