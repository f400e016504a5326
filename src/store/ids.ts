// Stable ids. Rows two devices can create get ids that never collide:
// - UUIDv7 (time-ordered, random) for things that are new each time (devices, snapshots, backups);
// - UUIDv5 (SHA1 of a namespace and a natural key) for catalogue rows that have a natural key
//   (system name, system + release name, …), so two devices importing the same DAT create the
//   same ids and a merge sees one row instead of a uniqueness clash.
import { hash, randomBytes } from 'node:crypto';

function format(bytes: Uint8Array): string {
  const h = Buffer.from(bytes).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

export function uuidv7(nowMs: number = Date.now()): string {
  const b = randomBytes(16);
  const ms = BigInt(nowMs);
  for (let i = 0; i < 6; i++) b[i] = Number((ms >> BigInt(8 * (5 - i))) & 0xffn);
  b[6] = (b[6]! & 0x0f) | 0x70;
  b[8] = (b[8]! & 0x3f) | 0x80;
  return format(b);
}

/**
 * A short tag naming a device in conflict copies and messages: the id's last 8 hex digits. A UUIDv7
 * starts with its creation time, so the first 8 digits are shared by every device set up within the
 * same ~65 seconds; the last ones are random.
 */
export function deviceTag(id: string): string {
  return id.slice(-8); // a UUID's last group is 12 hex digits
}

/** trove's UUIDv5 namespace (a fixed random UUID). */
const NAMESPACE = Buffer.from('6f1d3c2a9b8e4f0d8c7b6a5948372615', 'hex');

/** Deterministic id for a natural key, e.g. nameId('release', systemId, 'ActRaiser (USA)'). */
export function nameId(kind: string, ...parts: string[]): string {
  // One-shot hash of NAMESPACE ‖ kind ‖ (NUL ‖ part)*: imports call this for every row.
  let text = kind;
  for (const p of parts) text += '\u0000' + p;
  const input = Buffer.allocUnsafe(16 + Buffer.byteLength(text, 'utf8'));
  NAMESPACE.copy(input, 0);
  input.write(text, 16, 'utf8');
  const b = hash('sha1', input, 'buffer').subarray(0, 16);
  b[6] = (b[6]! & 0x0f) | 0x50;
  b[8] = (b[8]! & 0x3f) | 0x80;
  return format(b);
}

export const SHA1_RE = /^[0-9a-f]{40}$/;

export function nowIso(): string {
  return new Date().toISOString();
}
