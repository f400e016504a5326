// Turn what a user typed as a diff/merge side into a database file: `local`, a path to a .db file, and
// (plugged in by the snapshot code) `base`, `head`, snapshot ids and backup ids. Each resolved side
// says how to clean up whatever temporary copy it made; the original is never written.
import fs from 'node:fs';
import path from 'node:path';
import { TroveError } from '../../store/errors.js';
import { closestIds, editDistance, resolveIdPrefix } from './closest-ids.js';

export interface ResolvedSide {
  path: string;
  /** For people: "local (/…/collection.db)", "snapshot 0193…", "/tmp/x.db". */
  label: string;
  /** Remove temporary copies made for this side; safe to call twice. */
  cleanup(): void;
}

/** A family of sides the resolver can reach by name or id (snapshots, backups). */
export interface SideSource {
  /** Singular noun for messages: "snapshot", "backup". */
  kind: string;
  /** Fixed names this source answers, e.g. ['base', 'head']. */
  names?: readonly string[];
  /** Every id it knows, for exact and unique-prefix matching. */
  ids(): Promise<readonly string[]> | readonly string[];
  /** Fetch/copy the database for a name or a full id. */
  resolve(nameOrId: string): Promise<ResolvedSide>;
}

export type SideResolver = (ref: string) => Promise<ResolvedSide>;

export interface SideResolverOptions {
  /** The library's collection.db, for `local` (absent outside a library). */
  localDb?: string;
  sources?: readonly SideSource[];
  cwd?: string;
}

const noop = () => undefined;

function looksLikePath(ref: string): boolean {
  return ref.includes('/') || ref.includes(path.sep) || /\.(db|sqlite3?)$/i.test(ref);
}

export function createSideResolver(opts: SideResolverOptions): SideResolver {
  const sources = opts.sources ?? [];
  return async (ref) => {
    if (ref === 'local') {
      if (!opts.localDb || !fs.existsSync(opts.localDb)) throw new TroveError('NOT_FOUND', `\`local\` needs a library: no collection.db at ${opts.localDb ?? '(no library)'}`);
      // Opened read-only by the diff/merge; SQLite reads a consistent snapshot inside one transaction.
      return { path: opts.localDb, label: `local (${opts.localDb})`, cleanup: noop };
    }
    if (!ref.trim()) throw new TroveError('USAGE', 'an empty side: give `local`, `base`, `head`, a snapshot or backup id, or a .db file');
    const asPath = path.resolve(opts.cwd ?? process.cwd(), ref);
    if (fs.existsSync(asPath)) {
      if (!fs.statSync(asPath).isFile()) throw new TroveError('BAD_INPUT', `${asPath} is not a database file`);
      return { path: asPath, label: ref, cleanup: noop };
    }
    for (const s of sources) if (s.names?.includes(ref)) return s.resolve(ref);
    const all: { id: string; source: SideSource }[] = [];
    for (const s of sources) for (const id of await s.ids()) all.push({ id, source: s });
    if (!looksLikePath(ref) && all.length) {
      try {
        const id = resolveIdPrefix(ref, all.map((x) => x.id), sources.map((s) => s.kind).join(' or '));
        return all.find((x) => x.id === id)!.source.resolve(id);
      } catch (err) {
        if (!(err instanceof TroveError) || !(err.details as { ambiguous?: boolean }).ambiguous) {
          // fall through to the general message, which also names `local` and the fixed names
        } else throw err;
      }
    }
    const names = ['local', ...sources.flatMap((s) => s.names ?? [])];
    // A near miss of a word (`locl`, `haed`) suggests only those words, as git's "did you mean"; anything
    // else is compared with every id too.
    const nearNames = names.filter((n) => editDistance(ref.toLowerCase(), n) <= 2);
    const candidates = looksLikePath(ref) ? [] : closestIds(ref, nearNames.length ? nearNames : [...names, ...all.map((x) => x.id)]);
    throw new TroveError(
      'NOT_FOUND',
      looksLikePath(ref)
        ? `no database file at ${asPath}`
        : `unknown side ${JSON.stringify(ref)}: not ${names.map((n) => `\`${n}\``).join(', ')}, a file${sources.length ? `, or a ${sources.map((s) => s.kind).join('/')} id` : ''}${candidates.length ? `; closest: ${candidates.join(', ')}` : ''}`,
      { details: { ref, candidates } },
    );
  };
}
