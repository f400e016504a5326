// How a release list is paged. Name order with no availability filter walks the (system_id, name)
// index with LIMIT/OFFSET: each page costs milliseconds at any depth. Size order and availability
// filters need every release's file counts (about a second at 100k releases in one system), so that
// pass runs once per query, yields the ordered ids, and pages are slices of it.
import type { ReleaseQuery } from '../services.js';

export type PagingMode = 'offset' | 'ids';

export function pagingModeFor(q: ReleaseQuery): PagingMode {
  return q.sort === 'name' && q.filter === 'all' ? 'offset' : 'ids';
}

/** A stable key for caching per query (search is trimmed as the store does). */
export function releaseQueryKey(q: ReleaseQuery): string {
  return JSON.stringify([q.systemId, q.search.trim(), q.filter, q.sort]);
}
