// Names typed or taken from file systems come in either Unicode form: macOS hands out decomposed (NFD)
// file names ("Cafe\u0301"), Linux terminals type composed ones (NFC, "Caf\u00e9"). They look the same,
// so trove stores the names it is given (add) in NFC — as git's core.precomposeUnicode does — and looks
// a name up in every form it may have been stored in: rows stored before this rule, or from a DAT
// (stored as the DAT spells it), may be NFD. Ids derive from names, so stored names are not rewritten.

export function nfc(name: string): string {
  return name.normalize('NFC');
}

/** The forms a name may be stored in: as given, composed, decomposed (one to three distinct strings). */
export function nameForms(name: string): string[] {
  return [...new Set([name, name.normalize('NFC'), name.normalize('NFD')])];
}
