// Where a file's content can be had from: this device's store, the remote, both, or nowhere.
export type Availability = 'LocalOnly' | 'CloudOnly' | 'Synchronized' | 'NotAvailable';

export function availabilityOf(local: boolean, cloud: boolean): Availability {
  if (local && cloud) return 'Synchronized';
  if (local) return 'LocalOnly';
  if (cloud) return 'CloudOnly';
  return 'NotAvailable';
}

/**
 * A group of files (file set, release): Synchronized when every file is both; LocalOnly when every
 * file is here; CloudOnly when every file can be had but some must be downloaded; NotAvailable when
 * any file can be had from nowhere. An empty group counts as NotAvailable.
 */
export function availabilityOfGroup(counts: { files: number; local: number; cloud: number; synchronized: number; missing: number }): Availability {
  if (counts.files === 0 || counts.missing > 0) return 'NotAvailable';
  if (counts.synchronized === counts.files) return 'Synchronized';
  if (counts.local === counts.files) return 'LocalOnly';
  return 'CloudOnly';
}
