// A file set's files: archive name, size, sha1, availability.
import { Text } from 'ink';
import { Row, Rows } from '../components/Rows.js';
import { BADGE, BADGE_COLOR, cell, formatBytes } from '../format.js';
import { useAsync } from '../hooks/use-async.js';
import { useList } from '../hooks/use-list.js';
import { listActionFor, useScreenInput } from '../hooks/use-screen-input.js';
import { SCREEN_COMMANDS } from '../keys.js';
import { useUi } from '../ui-context.js';

export function FilesScreen({ fileSetId, height, active }: { fileSetId: string; height: number; active: boolean }) {
  const ui = useUi();
  const files = useAsync(() => ui.services.listFiles(fileSetId), [fileSetId, ui.catalogVersion]);
  const list = useList(files.data, height - 2, { remember: 'files', idOf: (f) => `${f.sha1}/${f.name}` });
  useScreenInput(
    SCREEN_COMMANDS.files,
    (c) => {
      const move = listActionFor(c);
      if (move) list.dispatch(move);
    },
    active,
  );
  const w = ui.columns - 1;
  // The sha1 is the file's identity: show all 40 hex digits when there is room, else a prefix.
  const sha = w >= 100 ? 40 : 12;
  const fixed = { size: 9, badge: 12 };
  const name = Math.max(10, w - (sha + fixed.size + fixed.badge + 3));
  return (
    <>
      <Text dimColor wrap="truncate">
        {' '}
        {cell('File', name)} {cell('Size', fixed.size, 'right')} {cell('SHA1', sha)} {cell('Availability', fixed.badge)}
      </Text>
      <Rows height={height - 2} empty={files.error ?? (files.loading ? 'Loading…' : 'This file set has no files.')}>
        {list.rows.map((f, i) => (
          <Row key={`${f.sha1}/${f.name}`} selected={list.window.offset + i === list.window.cursor}>
            {cell(f.name, name)} {cell(formatBytes(f.size), fixed.size, 'right')} {cell(f.sha1.slice(0, sha), sha)}{' '}
            <Text color={BADGE_COLOR[f.availability]}>{cell(BADGE[f.availability], fixed.badge)}</Text>
          </Row>
        ))}
      </Rows>
      <Text dimColor wrap="truncate">
        {list.selected ? `sha1 ${list.selected.sha1}  ${list.selected.size.toLocaleString('en-US')} bytes` : ' '}
      </Text>
    </>
  );
}
