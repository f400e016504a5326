// Device name, remote (credentials masked), transfer concurrency. enter edits the editable rows.
import { Text } from 'ink';
import { useMemo } from 'react';
import { Row, Rows } from '../components/Rows.js';
import { cell } from '../format.js';
import { useAsync } from '../hooks/use-async.js';
import { useList } from '../hooks/use-list.js';
import { listActionFor, useScreenInput } from '../hooks/use-screen-input.js';
import { SCREEN_COMMANDS } from '../keys.js';
import type { Settings } from '../services.js';
import { useUi } from '../ui-context.js';

export interface SettingRow {
  label: string;
  value: string;
  edit?: 'deviceName' | 'concurrency';
}

export function settingRows(s: Settings): SettingRow[] {
  return [
    { label: 'Device name', value: s.deviceName, edit: 'deviceName' },
    { label: 'Device id', value: s.deviceId },
    { label: 'Library', value: s.library },
    { label: 'Remote', value: s.remote ? s.remote.description : 'none (trove remote set fs root=<folder>)' },
    ...Object.entries(s.remote?.options ?? {}).map(([k, v]) => ({ label: `  ${k}`, value: v })),
    { label: 'Concurrency', value: `${s.concurrency} transfer${s.concurrency === 1 ? '' : 's'} at a time`, edit: 'concurrency' as const },
  ];
}

export function SettingsScreen({ height, active }: { height: number; active: boolean }) {
  const ui = useUi();
  const settings = useAsync(() => ui.services.settings(), []);
  const rows = useMemo(() => (settings.data ? settingRows(settings.data) : undefined), [settings.data]);
  const list = useList(rows, height - 1);
  useScreenInput(
    SCREEN_COMMANDS.settings,
    (c) => {
      const move = listActionFor(c);
      if (move) return list.dispatch(move);
      const r = list.selected;
      if (c !== 'edit' || !r) return;
      if (!r.edit) return ui.notify(`${r.label.trim()} cannot be changed here.`, 'error');
      const s = settings.data!;
      if (r.edit === 'deviceName') {
        ui.prompt({
          label: 'Device name',
          initial: s.deviceName,
          onSubmit: (v) => ui.services.setDeviceName(v).then(() => (ui.notify(`Device name set to ${v.trim()}`), settings.reload()), ui.fail),
        });
      } else {
        ui.prompt({
          label: 'Concurrency (1–64)',
          initial: String(s.concurrency),
          // A bad value keeps the prompt open with the reason (QA T9: it closed, and the next keys
          // typed went to the screen).
          validate: (v) => (/^\s*\d+\s*$/.test(v) && Number(v) >= 1 && Number(v) <= 64 ? undefined : `concurrency must be a whole number from 1 to 64, not ${JSON.stringify(v)}`),
          onSubmit: (v) => ui.services.setConcurrency(Number(v)).then(() => (ui.notify(`Concurrency set to ${Number(v)}`), settings.reload()), ui.fail),
        });
      }
    },
    active,
  );
  const w = ui.columns - 1;
  return (
    <>
      <Text dimColor wrap="truncate">
        {' '}
        {cell('Setting', 16)} Value
      </Text>
      <Rows height={height - 1} empty={settings.error ?? 'Loading…'}>
        {list.rows.map((r, i) => (
          <Row key={r.label} selected={list.window.offset + i === list.window.cursor}>
            {cell(r.label, 16)} {cell(r.value, w - 17 - 8)}
            <Text dimColor>{r.edit ? ' ⏎ edit' : ''}</Text>
          </Row>
        ))}
      </Rows>
    </>
  );
}
