// Section tabs and where the user is.
import { Box, Text } from 'ink';
import { fit } from '../format.js';
import type { Section } from '../state/navigation.js';

const TABS: [Section, string][] = [
  ['browse', '1 Browse'],
  ['transfers', '2 Transfers'],
  ['sync', '3 Sync'],
  ['backups', '4 Backups'],
  ['settings', '5 Settings'],
];

export function Header({ section, crumb, width }: { section: Section; crumb: string; width: number }) {
  const tabs = TABS.map(([s, label]) => (s === section ? `[${label}]` : ` ${label} `)).join('');
  return (
    <Box flexDirection="column">
      <Text wrap="truncate">
        <Text bold color="yellow">
          trove{' '}
        </Text>
        {fit(tabs, Math.max(0, width - 6))}
      </Text>
      <Text bold wrap="truncate">
        {fit(crumb, width)}
      </Text>
    </Box>
  );
}
