// Test-only crash and pause points, armed by environment variables and checked only at named places:
//   TROVE_CRASH_AT=<point>  the process SIGKILLs itself there (a real, unclean death);
//   TROVE_PAUSE_AT=<point>  with TROVE_PAUSE_FILE=<path>: writes <path>.reached, waits for <path>.
// Points: after-snapshot-blob (push: database blob uploaded, manifest not yet written),
//         after-manifest (push: manifest written, the new base not yet recorded in state.db),
//         during-replace (pull/restore: new file ready, backup taken, not yet renamed into place),
//         after-rename (pull/restore: new file in place, base not yet moved in state.db),
//         before-download (pull: manifests read, snapshot blob not yet fetched),
//         before-blob-deletes (prune-blobs: victims marked DeletionPending, references not yet re-read),
//         after-blob-delete (prune-blobs: a remote blob deleted, its log row not yet updated).
import fs from 'node:fs';

export type CrashPoint = 'after-snapshot-blob' | 'after-manifest' | 'during-replace' | 'after-rename' | 'before-download' | 'before-blob-deletes' | 'after-blob-delete';

export async function crashPoint(point: CrashPoint, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  if (env.TROVE_CRASH_AT === point) process.kill(process.pid, 'SIGKILL');
  if (env.TROVE_PAUSE_AT === point && env.TROVE_PAUSE_FILE) {
    fs.writeFileSync(`${env.TROVE_PAUSE_FILE}.reached`, point);
    while (!fs.existsSync(env.TROVE_PAUSE_FILE)) await new Promise((r) => setTimeout(r, 20));
  }
}
