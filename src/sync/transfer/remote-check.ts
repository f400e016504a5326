// `trove remote check`: can this remote be used, and what does it really do? Writes a probe object,
// lists and reads it back, then writes it again with if-not-exists: a server that honours
// conditional writes refuses the second write; one that ignores them (s3rver) overwrites. The
// answer is reported, never relied on (the snapshot design is safe without it). The probe is deleted.
import { TroveError } from '../../store/errors.js';
import { uuidv7 } from '../../store/ids.js';
import type { Remote } from '../remote/remote.js';

export type ConditionalWrites = 'honoured' | 'ignored' | 'not supported' | 'unknown';

export interface CheckStep {
  step: 'write' | 'list' | 'read' | 'conditional write' | 'delete';
  ok: boolean;
  code?: string;
  message?: string;
}

export interface RemoteCheckReport {
  remote: string;
  reachable: boolean;
  writable: boolean;
  listable: boolean;
  /** null: not tried (the probe could not be written, so there was nothing to read back). */
  readable: boolean | null;
  conditionalWrites: ConditionalWrites;
  steps: CheckStep[];
  ok: boolean;
}

export const CHECK_PREFIX = 'trove-check/';

export async function checkRemote(remote: Remote): Promise<RemoteCheckReport> {
  const key = `${CHECK_PREFIX}${uuidv7()}`;
  const body = Buffer.from(`trove remote check ${new Date().toISOString()}\n`);
  const steps: CheckStep[] = [];
  const run = async (step: CheckStep['step'], fn: () => Promise<boolean | void>): Promise<boolean> => {
    try {
      const r = await fn();
      steps.push({ step, ok: r !== false, ...(r === false ? { message: 'unexpected content' } : {}) });
      return r !== false;
    } catch (err) {
      const e = err instanceof TroveError ? err : new TroveError('REMOTE_ERROR', String((err as Error)?.message ?? err));
      steps.push({ step, ok: false, code: e.code, message: e.message });
      return false;
    }
  };
  const writable = await run('write', () => remote.write(key, body));
  // A remote that refuses writes (read-only mount, read-only credentials) may still list and serve
  // objects — downloads and drop work against it — so listing is tried either way; reading needs the
  // probe, so without it that is "not tried" (null), not "NO".
  const listable = await run('list', async () => {
    const entries = await remote.list(CHECK_PREFIX);
    return writable ? entries.some((e) => e.key === key && e.size === body.length) : true;
  });
  const readable: boolean | null = writable ? await run('read', async () => (await remote.readAll(key)).equals(body)) : null;
  let conditionalWrites: ConditionalWrites = 'unknown';
  if (writable) {
    if (!remote.features.conditionalCreate) {
      conditionalWrites = 'not supported';
      steps.push({ step: 'conditional write', ok: true, message: 'the backend does not offer if-not-exists writes' });
    } else {
      try {
        await remote.write(key, Buffer.from('second write'), { ifNotExists: true });
        conditionalWrites = 'ignored';
        steps.push({ step: 'conditional write', ok: true, message: 'a second if-not-exists write replaced the object: the server ignores the condition' });
      } catch (err) {
        if (err instanceof TroveError && err.code === 'ALREADY_EXISTS') {
          conditionalWrites = 'honoured';
          steps.push({ step: 'conditional write', ok: true, message: 'a second if-not-exists write was refused' });
        } else {
          steps.push({ step: 'conditional write', ok: false, code: (err as TroveError).code, message: (err as Error).message });
        }
      }
    }
    await run('delete', () => remote.delete(key));
  }
  // Reachable: the server answered (auth and missing-bucket answers count: it is there).
  const first = steps[0]!;
  const reachable = steps.some((st) => st.ok) || (first.code !== undefined && first.code !== 'REMOTE_UNAVAILABLE');
  return { remote: remote.description, reachable, writable, listable, readable, conditionalWrites, steps, ok: writable && listable && readable === true && steps.every((s) => s.ok) };
}
