// The one place that says "this capability is not on this branch yet". Its one remaining call site is
// store-services.ts's snapshotSideHook (TODO(wire-merge): diff sides head / base / snapshot ids).
import { TroveError } from '../store/errors.js';

export function notAvailable(what: string): never {
  throw new TroveError('NOT_AVAILABLE', `${what} is not available in this build yet`);
}
