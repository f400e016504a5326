// A diff between two versions, grouped by entity; enter expands a change to its fields.
import { Text } from 'ink';
import { useMemo, useState } from 'react';
import { Row, Rows } from '../components/Rows.js';
import { fit } from '../format.js';
import { useAsync } from '../hooks/use-async.js';
import { useList } from '../hooks/use-list.js';
import { listActionFor, useScreenInput } from '../hooks/use-screen-input.js';
import { SCREEN_COMMANDS } from '../keys.js';
import { diffRows, shown, toggle, type DiffRow } from '../state/diff-rows.js';
import { useUi } from '../ui-context.js';

const MARK = { added: '+', removed: '-', modified: '~' } as const;

export function diffRowText(r: DiffRow): string {
  if (r.kind === 'group') return `${r.entity} (${r.count})`;
  if (r.kind === 'change') return `  ${MARK[r.change]} ${r.label}${r.fields ? ` ${r.expanded ? '▾' : '▸'} ${r.fields} field(s)` : ''}`;
  return `      ${r.field}: ${shown(r.before)} → ${shown(r.after)}`;
}

export function DiffScreen({ from, to, height, active }: { from: string; to: string; height: number; active: boolean }) {
  const ui = useUi();
  const report = useAsync(() => ui.services.diff(from, to), [from, to]);
  const [expanded, setExpanded] = useState<ReadonlySet<number>>(new Set());
  const rows = useMemo(() => (report.data ? diffRows(report.data, expanded) : undefined), [report.data, expanded]);
  const list = useList(rows, height - 1);
  useScreenInput(
    SCREEN_COMMANDS.diff,
    (c) => {
      const move = listActionFor(c);
      if (move) return list.dispatch(move);
      const r = list.selected;
      if (c === 'expand' && r?.kind === 'change') setExpanded((e) => toggle(e, r.index));
    },
    active,
  );
  return (
    <>
      <Text color="cyan" wrap="truncate">
        {fit(report.data ? `${report.data.changes.length} change(s) from ${report.data.from} to ${report.data.to}` : report.error ?? 'Computing the diff …', ui.columns)}
      </Text>
      <Rows height={height - 1} empty={report.data ? 'No differences.' : ''}>
        {list.rows.map((r, i) => (
          <Row key={i} selected={list.window.offset + i === list.window.cursor}>
            <Text bold={r.kind === 'group'} color={r.kind === 'change' ? (r.change === 'added' ? 'green' : r.change === 'removed' ? 'red' : 'yellow') : undefined}>
              {fit(diffRowText(r), ui.columns - 1)}
            </Text>
          </Row>
        ))}
      </Rows>
    </>
  );
}
