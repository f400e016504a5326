// The one place that says "this capability is not on this branch yet". Each call site is marked
// `NOT_AVAILABLE(issue N)` so that the merge can replace it with the real call.
import { TroveError } from '../store/errors.js';

export function notAvailable(what: string): never {
  throw new TroveError('NOT_AVAILABLE', `${what} is not available in this build yet`);
}
