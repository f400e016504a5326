// Systems: the first screen. enter opens a system's releases; D downloads all of it.
import { Text } from 'ink';
import { Row, Rows } from '../components/Rows.js';
import { cell } from '../format.js';
import { useAsync } from '../hooks/use-async.js';
import { useList } from '../hooks/use-list.js';
import { listActionFor, useScreenInput } from '../hooks/use-screen-input.js';
import { SCREEN_COMMANDS } from '../keys.js';
import { useUi } from '../ui-context.js';
import { startDownloadAll } from './actions.js';

export function SystemsScreen({ height, active }: { height: number; active: boolean }) {
  const ui = useUi();
  const systems = useAsync(() => ui.services.listSystems(), [ui.catalogVersion]);
  const list = useList(systems.data, height - 1, { remember: 'systems', idOf: (s) => s.id });
  useScreenInput(
    SCREEN_COMMANDS.systems,
    (c) => {
      const move = listActionFor(c);
      if (move) return list.dispatch(move);
      const s = list.selected;
      if (!s) return;
      if (c === 'open') ui.navigate({ type: 'push', screen: { kind: 'releases', systemId: s.id, system: s.name } });
      if (c === 'downloadAll') startDownloadAll(ui, s.id, s.name);
    },
    active,
  );
  const w = ui.columns - 1;
  const countWidth = 16;
  return (
    <>
      <Text dimColor wrap="truncate">
        {' '}
        {cell('System', w - countWidth - 1)} {cell('Releases', countWidth, 'right')}
      </Text>
      <Rows height={height - 1} empty={systems.error ?? (systems.loading ? 'Loading…' : 'No systems yet: add files with `trove add`, or try `trove demo --open`.')}>
        {list.rows.map((s, i) => (
          <Row key={s.id} selected={list.window.offset + i === list.window.cursor}>
            {cell(s.name, w - countWidth - 1)} {cell(s.releases.toLocaleString('en-US'), countWidth, 'right')}
          </Row>
        ))}
      </Rows>
    </>
  );
}
