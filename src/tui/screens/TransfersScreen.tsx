// The transfer queue: per-item and total progress, rate, ETA, failures with their reason; r retries
// the selected failed item, space pauses or resumes, u uploads what the remote lacks, c cancels the
// queued downloads (after a confirmation; as `trove download --cancel`). Updates arrive as events
// from the services.
import { Box, Text } from 'ink';
import { useEffect, useState } from 'react';
import { Row, Rows } from '../components/Rows.js';
import { cell, fit, fitMiddle, wrapLines } from '../format.js';
import { errorText, useAsync } from '../hooks/use-async.js';
import { useList } from '../hooks/use-list.js';
import { listActionFor, useScreenInput } from '../hooks/use-screen-input.js';
import { SCREEN_COMMANDS } from '../keys.js';
import type { TransferSnapshot } from '../services.js';
import { itemProgress, STATE_LABEL, transferTotals } from '../state/transfer-rows.js';
import { useUi } from '../ui-context.js';
import { cancelQueuedQuestion } from '../state/confirmations.js';

export function TransfersScreen({ height, active }: { height: number; active: boolean }) {
  const ui = useUi();
  const first = useAsync(() => ui.services.transfers(), []);
  const [live, setLive] = useState<TransferSnapshot>();
  useEffect(() => ui.services.onTransfers(setLive), [ui.services]);
  const snap = live ?? first.data;
  // Below the list: the selected item's whole label and its failure reason (or progress), wrapped.
  const detail = 4;
  const list = useList(snap?.items, height - 2 - detail);
  useScreenInput(
    SCREEN_COMMANDS.transfers,
    (c) => {
      const move = listActionFor(c);
      if (move) return list.dispatch(move);
      if (c === 'pause' && snap) {
        ui.services.setTransfersPaused(!snap.paused).then(() => ui.notify(snap.paused ? 'Transfers resumed' : 'Transfers paused'), ui.fail);
      }
      if (c === 'upload') {
        ui.services.uploadPending().then(({ queued, notHere }) => {
          const elsewhere = notHere ? ` (${notHere} more are on another device: it uploads them)` : '';
          ui.notify(queued ? `Uploading ${queued} file(s)${elsewhere}` : `Nothing to upload: the remote has every file this device holds${elsewhere}`);
        }, ui.fail);
      }
      if (c === 'cancelQueued') {
        const waiting = snap?.items.filter((i) => i.direction === 'download' && i.state !== 'done').length ?? 0;
        ui.confirm(cancelQueuedQuestion(waiting), () => {
          ui.services.cancelQueuedDownloads().then(
            (n) => ui.notify(n ? `Cancelled ${n} queued download(s); nothing was deleted` : 'Nothing queued to cancel'),
            ui.fail,
          );
        });
      }
      if (c === 'retry') {
        const item = list.selected;
        if (!snap) return first.reload();
        if (!item || item.state !== 'failed') return ui.notify('Select a failed transfer to retry it.', 'error');
        ui.services.retryTransfer(item.id).then(() => ui.notify(`Retrying ${item.label}`), (e) => ui.notify(errorText(e), 'error'));
      }
    },
    active,
  );
  const w = ui.columns - 1;
  const sel = list.selected;
  // The progress column shrinks on narrow terminals so the label keeps room to tell rows apart.
  const fixed = { state: 7, progress: w >= 100 ? 30 : Math.max(14, Math.floor(w * 0.28)) };
  const label = Math.max(10, w - fixed.state - fixed.progress - 2);
  return (
    <>
      <Text color="cyan" wrap="truncate">
        {snap ? fit(transferTotals(snap), w) : first.error ?? 'Loading…'}
      </Text>
      <Text dimColor wrap="truncate">
        {' '}
        {cell('State', fixed.state)} {cell('Item', label)} {cell('Progress', fixed.progress)}
      </Text>
      <Rows height={height - 2 - detail} empty={snap ? 'Nothing queued. d on a release downloads it; u here uploads what the remote lacks.' : first.error ? 'r: try again' : ''}>
        {list.rows.map((it, i) => (
          <Row key={it.id} selected={list.window.offset + i === list.window.cursor}>
            <Text color={it.state === 'failed' ? 'red' : it.state === 'done' ? 'green' : undefined}>{cell(STATE_LABEL[it.state], fixed.state)}</Text>{' '}
            {cell(fitMiddle(`${it.direction === 'upload' ? '↑' : '↓'} ${it.label}`, label), label)} {cell(itemProgress(it, fixed.progress - 10), fixed.progress)}
          </Row>
        ))}
      </Rows>
      <Box flexDirection="column" height={detail}>
        {sel ? (
          <>
            <Text bold wrap="truncate">
              {fit(`${sel.direction === 'upload' ? '↑' : '↓'} ${sel.label}`, w)}
            </Text>
            {(sel.error ? wrapLines(sel.error, w, detail - 1) : [`${STATE_LABEL[sel.state]} ${itemProgress(sel, 20)}`]).map((l, i) => (
              <Text key={i} color={sel.state === 'failed' ? 'red' : undefined} wrap="truncate">
                {l}
              </Text>
            ))}
          </>
        ) : null}
      </Box>
    </>
  );
}
