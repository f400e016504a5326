// A system's releases: paged from the store (100k rows scroll without loading them), searchable,
// filtered by availability, sorted by name or size.
import { Text } from 'ink';
import { useEffect, useMemo, useState } from 'react';
import { Row, Rows } from '../components/Rows.js';
import { BADGE, BADGE_COLOR, cell, fit, formatBytes } from '../format.js';
import { usePagedList, type PagedSource } from '../hooks/use-paged-list.js';
import { useRemembered } from '../hooks/screen-memory.js';
import { listActionFor, useScreenInput } from '../hooks/use-screen-input.js';
import { SCREEN_COMMANDS } from '../keys.js';
import type { ReleaseItem, ReleaseQuery } from '../services.js';
import { FILTER_LABEL, nextFilter, nextSort } from '../state/navigation.js';
import { releaseQueryKey } from '../state/release-paging.js';
import { useUi } from '../ui-context.js';
import { exportDirFor, startDownload, startDownloadAll, startDrop, startExport } from './actions.js';

export function releaseColumns(width: number): { name: number; title: number; region: number; files: number; size: number; badge: number } {
  const fixed = { region: 12, files: 6, size: 9, badge: 12 };
  const rest = width - (fixed.region + fixed.files + fixed.size + fixed.badge + 4);
  const title = width >= 100 ? Math.floor(rest * 0.35) : 0;
  return { ...fixed, title, name: Math.max(10, rest - (title ? title + 1 : 0)) };
}

export function ReleasesScreen({ systemId, system, height, active }: { systemId: string; system: string; height: number; active: boolean }) {
  const ui = useUi();
  // The query (search, filter, sort) and the cursor survive going into a release and back, and
  // switching sections. Leaving the list through back closes it: the search and the availability
  // filter are forgotten (both hide releases; the next visit shows them all), the sort stays
  // (docs/tui.md, "Leaving a list").
  const rememberedQuery = useRemembered<ReleaseQuery>('query', (q) => ({ ...q, search: '', filter: 'all' }));
  const [query, setQuery] = useState<ReleaseQuery>(rememberedQuery.initial ?? { systemId, search: '', filter: 'all', sort: 'name' });
  useEffect(() => rememberedQuery.save(query));
  const source = useMemo<PagedSource<ReleaseItem>>(
    () => ({
      key: releaseQueryKey(query),
      count: () => ui.services.countReleases(query),
      page: (offset, limit) => ui.services.listReleases(query, offset, limit),
    }),
    [query, ui.services],
  );
  const list = usePagedList(source, height - 2, ui.catalogVersion, 'releases');

  useScreenInput(
    SCREEN_COMMANDS.releases,
    (c) => {
      const move = listActionFor(c);
      if (move) return list.dispatch(move);
      if (c === 'search') {
        const before = query.search;
        return ui.prompt({
          label: 'Search',
          initial: query.search,
          onChange: (search) => setQuery((q) => ({ ...q, search })),
          onSubmit: (search) => setQuery((q) => ({ ...q, search })),
          onCancel: () => setQuery((q) => ({ ...q, search: before })),
        });
      }
      if (c === 'filter') return setQuery((q) => ({ ...q, filter: nextFilter(q.filter) }));
      if (c === 'sort') return setQuery((q) => ({ ...q, sort: nextSort(q.sort) }));
      if (c === 'downloadAll') return startDownloadAll(ui, systemId, system);
      const r = list.selected;
      if (!r) return;
      const target = { kind: 'release' as const, id: r.id, label: `${r.system} › ${r.name}` };
      if (c === 'open') ui.navigate({ type: 'push', screen: { kind: 'fileSets', releaseId: r.id, release: r.name, system: r.system } });
      else if (c === 'download') startDownload(ui, target);
      else if (c === 'drop') startDrop(ui, target, r);
      else if (c === 'export') startExport(ui, target, exportDirFor(process.cwd(), r.name));
    },
    active,
  );

  const w = ui.columns - 1;
  const col = releaseColumns(w);
  const { offset, total, cursor } = list.window;
  const status = list.counting
    ? 'counting…'
    : total
      ? `${(cursor + 1).toLocaleString('en-US')} of ${total.toLocaleString('en-US')}`
      : 'no releases';
  const shown = [`filter: ${FILTER_LABEL[query.filter]}`, `sort: ${query.sort}`, query.search ? `search: "${query.search}"` : ''].filter(Boolean).join(' · ');
  return (
    <>
      <Text wrap="truncate">
        <Text color="cyan">{status}</Text>
        <Text dimColor> · {fit(shown, ui.columns)}</Text>
      </Text>
      <Text dimColor wrap="truncate">
        {' '}
        {cell('Release', col.name)} {col.title ? cell('Title', col.title) + ' ' : ''}
        {cell('Region', col.region)} {cell('Files', col.files, 'right')} {cell('Size', col.size, 'right')} {cell('Availability', col.badge)}
      </Text>
      <Rows height={height - 2} empty={list.error ?? (list.counting ? 'Loading…' : 'No releases match.')}>
        {list.rows.map((r, i) => (
          <Row key={offset + i} selected={offset + i === cursor}>
            {r ? (
              <>
                {cell(r.name, col.name)} {col.title ? cell(r.title ?? '', col.title) + ' ' : ''}
                {cell(r.region ?? '', col.region)} {cell(String(r.files), col.files, 'right')} {cell(formatBytes(r.bytes), col.size, 'right')}{' '}
                <Text color={BADGE_COLOR[r.availability]}>{cell(BADGE[r.availability], col.badge)}</Text>
              </>
            ) : (
              <Text dimColor>…</Text>
            )}
          </Row>
        ))}
      </Rows>
    </>
  );
}
