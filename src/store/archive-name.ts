// Archive names come from DATs and file systems we do not control. They are stored as given, but
// nothing may use one to write outside its target folder: safeJoin is the only way to turn a name
// into a path.
import path from 'node:path';
import { TroveError } from './errors.js';

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Why `name` cannot be used as a relative path, or undefined when it can. */
export function unsafeReason(name: string): string | undefined {
  if (name.length === 0) return 'empty name';
  if (CONTROL.test(name)) return 'contains a NUL or control character';
  if (name.includes('\\')) return 'contains a backslash';
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) return 'is an absolute path';
  const parts = name.split('/');
  if (parts.some((p) => p === '..')) return "contains a '..' segment";
  if (parts.some((p) => p === '' || p === '.')) return 'contains an empty or "." segment';
  if (Buffer.byteLength(name) > 4096) return 'is too long';
  return undefined;
}

export function assertSafeName(name: string, what = 'archive name'): void {
  const reason = unsafeReason(name);
  if (reason) throw new TroveError('UNSAFE_PATH', `${what} ${JSON.stringify(name)} ${reason}`, { details: { name } });
}

/** Join a stored name under `dir`, refusing anything that would land outside it. */
export function safeJoin(dir: string, name: string): string {
  assertSafeName(name);
  const root = path.resolve(dir);
  const target = path.resolve(root, ...name.split('/'));
  if (target !== root && !target.startsWith(root + path.sep)) {
    throw new TroveError('UNSAFE_PATH', `archive name ${JSON.stringify(name)} would be written outside ${root}`, { details: { name } });
  }
  return target;
}
