// A pending merge: each clash shows base / local / cloud side by side; l or c picks a side, one clash
// at a time; a applies the merge after a confirmation.
import { Box, Text } from 'ink';
import { Row, Rows } from '../components/Rows.js';
import { cell, fit } from '../format.js';
import { useAsync } from '../hooks/use-async.js';
import { useList } from '../hooks/use-list.js';
import { listActionFor, useScreenInput } from '../hooks/use-screen-input.js';
import { SCREEN_COMMANDS } from '../keys.js';
import { clashLine, mergeProgress, shown } from '../state/diff-rows.js';
import { useUi } from '../ui-context.js';

/** The clean-change count, when known before applying. */
function cleanText(n: number): string {
  return Number.isNaN(n) ? '' : `${n} change(s) merge cleanly; `;
}

export function MergeScreen({ height, active }: { height: number; active: boolean }) {
  const ui = useUi();
  const merge = useAsync(() => ui.services.pendingMerge(), []);
  const clashes = merge.data?.clashes;
  const detail = 5;
  const list = useList(clashes, height - 1 - detail);
  useScreenInput(
    SCREEN_COMMANDS.merge,
    (c) => {
      const move = listActionFor(c);
      if (move) return list.dispatch(move);
      const clash = list.selected;
      if ((c === 'pickLocal' || c === 'pickCloud') && clash) {
        const side = c === 'pickLocal' ? 'local' : 'cloud';
        ui.services.resolveClash(clash.id, side).then(() => {
          merge.reload();
          list.dispatch({ type: 'move', by: 1 });
        }, ui.fail);
      }
      if (c === 'apply' && merge.data) {
        const p = mergeProgress(merge.data);
        ui.confirm(
          `Apply the merge? ${cleanText(merge.data.cleanChanges)}${p.clashes} clash(es), ${p.overridden} resolved against the default. The local database is backed up first; a merge that settles a conflict with the remote is then pushed (as trove merge --apply does).`,
          () => ui.services.applyMerge().then((r) => (ui.notify(r.message), merge.reload()), ui.fail),
        );
      }
    },
    active,
  );
  const w = ui.columns - 1;
  const side = Math.floor((w - 2) / 3);
  const sel = list.selected;
  const head = merge.data
    ? `${merge.data.clashes.length} clash(es) between base ${merge.data.base} and ${merge.data.head}${Number.isNaN(merge.data.cleanChanges) ? '' : `; ${merge.data.cleanChanges} clean change(s)`}`
    : merge.error ?? (merge.loading ? 'Loading the pending merge …' : 'No merge is pending.');
  return (
    <>
      <Text color="cyan" wrap="truncate">
        {fit(head, w)}
      </Text>
      <Rows height={height - 1 - detail} empty={merge.data ? 'No clashes: a applies the merge.' : ''}>
        {list.rows.map((c, i) => (
          <Row key={c.id} selected={list.window.offset + i === list.window.cursor}>
            <Text color={c.chosen === 'local' ? 'magenta' : 'cyan'}>[{c.chosen === 'local' ? 'L' : 'C'}]</Text> {cell(clashLine(c), w - 14)}
            {c.chosen !== c.defaultSide ? ' picked' : ' default'}
          </Row>
        ))}
      </Rows>
      <Box flexDirection="column" height={detail}>
        {sel ? (
          <>
            <Text bold wrap="truncate">
              {fit(`${sel.label} — ${sel.field}`, w)}
            </Text>
            <Text dimColor wrap="truncate">
              {cell('base', side)} {cell('local (l)', side)} {cell('cloud (c)', side)}
            </Text>
            <Text wrap="truncate">
              {cell(shown(sel.base), side)} <Text inverse={sel.chosen === 'local'}>{cell(shown(sel.local), side)}</Text>{' '}
              <Text inverse={sel.chosen === 'cloud'}>{cell(shown(sel.cloud), side)}</Text>
            </Text>
            <Text dimColor wrap="truncate">
              default: {sel.defaultSide} (later change wins; an edit beats a delete)
            </Text>
          </>
        ) : null}
      </Box>
    </>
  );
}
