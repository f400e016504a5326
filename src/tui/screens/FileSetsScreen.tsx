// A release's file sets (ROMs, manual, box art …) with availability; actions act on the file set.
import { Text } from 'ink';
import { Row, Rows } from '../components/Rows.js';
import { BADGE, BADGE_COLOR, cell, formatBytes } from '../format.js';
import { useAsync } from '../hooks/use-async.js';
import { useList } from '../hooks/use-list.js';
import { listActionFor, useScreenInput } from '../hooks/use-screen-input.js';
import { SCREEN_COMMANDS } from '../keys.js';
import { useUi } from '../ui-context.js';
import { exportDirFor, startDownload, startDrop, startExport } from './actions.js';

export function FileSetsScreen(props: { releaseId: string; release: string; system: string; height: number; active: boolean }) {
  const ui = useUi();
  const sets = useAsync(() => ui.services.listFileSets(props.releaseId), [props.releaseId, ui.catalogVersion]);
  const list = useList(sets.data, props.height - 1, { remember: 'fileSets', idOf: (s) => s.id });
  useScreenInput(
    SCREEN_COMMANDS.fileSets,
    (c) => {
      const move = listActionFor(c);
      if (move) return list.dispatch(move);
      const s = list.selected;
      if (!s) return;
      const target = { kind: 'file_set' as const, id: s.id, label: `${props.system} › ${props.release} › ${s.name}` };
      if (c === 'open') ui.navigate({ type: 'push', screen: { kind: 'files', fileSetId: s.id, fileSet: s.name, release: props.release, system: props.system } });
      else if (c === 'download') startDownload(ui, target);
      else if (c === 'drop') startDrop(ui, target, s);
      else if (c === 'export') startExport(ui, target, exportDirFor(process.cwd(), `${props.release} - ${s.name}`));
    },
    props.active,
  );
  const w = ui.columns - 1;
  const fixed = { type: 10, files: 6, size: 9, badge: 12 };
  const name = Math.max(10, w - (fixed.type + fixed.files + fixed.size + fixed.badge + 4));
  return (
    <>
      <Text dimColor wrap="truncate">
        {' '}
        {cell('File set', name)} {cell('Type', fixed.type)} {cell('Files', fixed.files, 'right')} {cell('Size', fixed.size, 'right')} {cell('Availability', fixed.badge)}
      </Text>
      <Rows height={props.height - 1} empty={sets.error ?? (sets.loading ? 'Loading…' : 'This release has no file sets.')}>
        {list.rows.map((s, i) => (
          <Row key={s.id} selected={list.window.offset + i === list.window.cursor}>
            {cell(s.name, name)} {cell(s.type, fixed.type)} {cell(String(s.files), fixed.files, 'right')} {cell(formatBytes(s.bytes), fixed.size, 'right')}{' '}
            <Text color={BADGE_COLOR[s.availability]}>{cell(BADGE[s.availability], fixed.badge)}</Text>
          </Row>
        ))}
      </Rows>
    </>
  );
}
