// Look a row up by name in each Unicode form it may be stored in (src/store/unicode-name.ts), the form
// given first: an indexed equality lookup per form, not a scan.
import { nameForms } from '../unicode-name.js';

export function findByForms<T>(name: string, lookup: (form: string) => T | undefined): T | undefined {
  for (const form of nameForms(name)) {
    const row = lookup(form);
    if (row !== undefined) return row;
  }
  return undefined;
}
