// Local backups and pushed snapshots, two panes side by side (tab switches; only the focused pane
// takes keys). enter restores the selected point after a confirmation that says what will change; v
// shows what changed from this database to the selected backup.
import { Box, Text } from 'ink';
import { useState } from 'react';
import { Row, Rows } from '../components/Rows.js';
import { cell } from '../format.js';
import { useAsync, type AsyncState } from '../hooks/use-async.js';
import { useList } from '../hooks/use-list.js';
import { listActionFor, useScreenInput } from '../hooks/use-screen-input.js';
import { SCREEN_COMMANDS } from '../keys.js';
import type { RestorePoint } from '../services.js';
import { restoreQuestion } from '../state/confirmations.js';
import { useUi } from '../ui-context.js';

function Pane(props: { title: string; points: AsyncState<RestorePoint[]>; width: number; height: number; focused: boolean; onSwitch: () => void }) {
  const ui = useUi();
  const list = useList(props.points.data, props.height - 2);
  useScreenInput(
    SCREEN_COMMANDS.backups,
    (c) => {
      const move = listActionFor(c);
      if (move) return list.dispatch(move);
      if (c === 'switchPane') return props.onSwitch();
      const p = list.selected;
      if (c === 'diff' && p) {
        if (p.kind === 'backup') return ui.navigate({ type: 'push', screen: { kind: 'diff', from: 'local', to: p.id } });
        return ui.notify('Diffing against a snapshot is not available in this build yet (the snapshot diff sides are on their way).', 'error');
      }
      if (c === 'restore' && p) {
        ui.services.catalogCounts().then(
          (now) =>
            ui.confirm(restoreQuestion(p, now), () =>
              ui.services.restore(p).then((msg) => {
                ui.notify(msg);
                props.points.reload();
              }, ui.fail),
            ),
          ui.fail,
        );
      }
    },
    props.focused,
  );
  const w = props.width - 1;
  return (
    <Box flexDirection="column" width={props.width}>
      <Text bold={props.focused} color={props.focused ? 'yellow' : undefined} wrap="truncate">
        {props.title} {props.focused ? '(tab: other pane)' : ''}
      </Text>
      <Text dimColor wrap="truncate">
        {' '}
        {cell('Time', 20)} {cell('Device', Math.max(4, w - 30))} {cell('Releases', 8, 'right')}
      </Text>
      <Rows height={props.height - 2} empty={props.points.error ?? (props.points.loading ? 'Loading…' : 'None yet.')}>
        {list.rows.map((p, i) => (
          <Row key={p.id} selected={props.focused && list.window.offset + i === list.window.cursor}>
            {cell(p.createdAt.replace('T', ' ').slice(0, 19), 20)} {cell(`${p.device} ${p.note}`, Math.max(4, w - 30))}{' '}
            {cell(p.counts.releases.toLocaleString('en-US'), 8, 'right')}
          </Row>
        ))}
      </Rows>
    </Box>
  );
}

export function BackupsScreen({ height, active }: { height: number; active: boolean }) {
  const ui = useUi();
  const backups = useAsync(() => ui.services.listBackups(), [ui.catalogVersion]);
  const snapshots = useAsync(() => ui.services.listSnapshots(), [ui.catalogVersion]);
  const [focus, setFocus] = useState<'backups' | 'snapshots'>('backups');
  const half = Math.floor(ui.columns / 2);
  const other = () => setFocus((f) => (f === 'backups' ? 'snapshots' : 'backups'));
  return (
    <Box flexDirection="row" height={height}>
      <Pane title="Backups" points={backups} width={half} height={height} focused={active && focus === 'backups'} onSwitch={other} />
      <Pane title="Snapshots" points={snapshots} width={ui.columns - half} height={height} focused={active && focus === 'snapshots'} onSwitch={other} />
    </Box>
  );
}
