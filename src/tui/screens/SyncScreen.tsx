// Sync status (device, base, heads, ahead/behind, local changes), push (p) and pull (l). A pull that
// meets a conflict opens the diff viewer (local → head); l again, while the status shows the conflict,
// asks how to settle it: cloud (take the remote, after a backup), local (keep yours and push it) or
// merge (plan a three-way merge and open the merge viewer, where each clash is settled one by one).
import { Box, Text } from 'ink';
import { useState } from 'react';
import { shortId, wrapWords } from '../format.js';
import { useAsync } from '../hooks/use-async.js';
import { useScreenInput } from '../hooks/use-screen-input.js';
import { SCREEN_COMMANDS } from '../keys.js';
import type { SyncStatus } from '../services.js';
import { useUi } from '../ui-context.js';

/** Row-count differences against the base, deletions too: "+1 release, -2 file". */
export function changeText(changes: Record<string, number>): string {
  const shown = Object.entries(changes).filter(([, n]) => n !== 0);
  return shown.length ? shown.map(([e, n]) => `${n > 0 ? '+' : ''}${n} ${e}`).join(', ') : 'none';
}

/** The labels' column: a value too long for the line wraps under itself, not under the label. */
const LABEL_WIDTH = 14;
const LABELS = ['Device', 'Remote', 'Base', 'Heads', 'Ahead/behind', 'Local changes'].map((l) => l.padEnd(LABEL_WIDTH));
const indentOf = (line: string) => (LABELS.some((l) => line.startsWith(l)) ? LABEL_WIDTH : 0);

export function syncLines(s: SyncStatus): string[] {
  return [
    `Device        ${s.device.name} (${s.device.id})`,
    `Remote        ${s.remote ?? 'none configured (5: settings)'}`,
    `Base          ${s.base ? shortId(s.base) : 'none: never pushed or pulled'}`,
    `Heads         ${s.heads.length ? s.heads.map((h) => `${shortId(h.id)} by ${h.device} at ${h.createdAt}`).join('; ') : 'none'}`,
    `Ahead/behind  ${s.ahead} ahead, ${s.behind} behind`,
    `Local changes ${changeText(s.localChanges)}`,
    s.conflict ? 'CONFLICT: the remote moved on and this database changed too. l settles it: cloud, local or merge.' : 'No conflict.',
    s.pendingMerge ? 'A merge is pending: m opens it.' : '',
    s.sharedDeviceId
      ? `Device id shared: ${s.sharedDeviceId} object(s) under this id on the remote come from another library (a copy of this folder?). The next push or pull gives this library its own id.`
      : '',
  ].filter(Boolean);
}

export function SyncScreen({ height, active }: { height: number; active: boolean }) {
  const ui = useUi();
  const status = useAsync(() => ui.services.syncStatus(), [ui.catalogVersion]);
  const [busy, setBusy] = useState<string>();
  const run = (what: string, op: () => Promise<{ outcome: string; message: string }>) => {
    if (busy) return;
    setBusy(what);
    op().then(
      (r) => {
        setBusy(undefined);
        ui.notify(r.message, r.outcome === 'conflict' ? 'error' : 'info');
        if (r.outcome === 'conflict') ui.navigate({ type: 'push', screen: { kind: 'diff', from: 'local', to: 'head' } });
        if (r.outcome === 'merge-pending') ui.navigate({ type: 'push', screen: { kind: 'merge' } });
        status.reload();
      },
      (e) => {
        setBusy(undefined);
        ui.fail(e);
      },
    );
  };
  useScreenInput(
    SCREEN_COMMANDS.sync,
    (c) => {
      if (c === 'push') run('Pushing', () => ui.services.push());
      else if (c === 'pull' && status.data?.conflict) {
        ui.prompt({
          label: 'Settle the conflict — cloud, local or merge',
          initial: '',
          onSubmit: (answer) => {
            const side = answer.trim().toLowerCase();
            if (side !== 'cloud' && side !== 'local' && side !== 'merge') return ui.notify(`Type cloud, local or merge, not ${JSON.stringify(answer)}`, 'error');
            const doing = side === 'cloud' ? 'Taking the remote' : side === 'local' ? "Keeping this device's" : 'Planning the merge';
            run(doing, () => ui.services.pull(side));
          },
        });
      } else if (c === 'pull') run('Pulling', () => ui.services.pull());
      else if (c === 'retry') status.reload();
      else if (c === 'merge') ui.navigate({ type: 'push', screen: { kind: 'merge' } });
      else if (c === 'diff') ui.navigate({ type: 'push', screen: { kind: 'diff', from: 'local', to: 'head' } });
    },
    active,
  );
  const w = ui.columns;
  const lines = status.data ? syncLines(status.data) : [status.error ?? 'Loading…', ...(status.error ? ['r: try again'] : [])];
  // Every line wraps (QA2 F5.2: "Local changes" was cut at the width, hiding the last tables): a
  // labelled value continues under its value column, one table never split across lines.
  const shown = lines.flatMap((l) => wrapWords(l, w, indentOf(l)).map((text, j) => ({ text, red: l.startsWith('CONFLICT'), key: `${l}\u0000${j}` })));
  return (
    <Box flexDirection="column" height={height}>
      {shown.slice(0, height - 1).map((l) => (
        <Text key={l.key} wrap="truncate" color={l.red ? 'red' : undefined}>
          {l.text}
        </Text>
      ))}
      {busy ? <Text color="yellow">{busy} …</Text> : null}
    </Box>
  );
}
