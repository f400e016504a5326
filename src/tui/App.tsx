// The app shell: header, the current screen, the message / prompt / confirmation line, the footer.
// It owns navigation and the overlays; screens own their lists. Global keys (back, help, sections)
// are handled here unless the current screen claims the key.
import { Box, Text, useApp, type Key } from 'ink';
import { useLatestInput } from './hooks/use-latest-input.js';
import { KeyRouterContext, newKeyRouter } from './hooks/key-router.js';
import { leaveScreen, newMemoryStore, ScreenMemoryContext } from './hooks/screen-memory.js';
import { useCallback, useEffect, useMemo, useReducer, useRef, useState } from 'react';
import { ConfirmBar } from './components/ConfirmBar.js';
import { Footer } from './components/Footer.js';
import { Header } from './components/Header.js';
import { HelpOverlay } from './components/HelpOverlay.js';
import { PromptBar } from './components/PromptBar.js';
import { fit, textWidth } from './format.js';
import { printable } from '../store/printable.js';
import { errorText } from './hooks/use-async.js';
import { useTerminalSize, type Size } from './hooks/use-terminal-size.js';
import { commandFor, footerCommands, GLOBAL_COMMANDS, keyName, SCREEN_COMMANDS, type ScreenKind } from './keys.js';
import { BackupsScreen } from './screens/BackupsScreen.js';
import { DiffScreen } from './screens/DiffScreen.js';
import { FileSetsScreen } from './screens/FileSetsScreen.js';
import { FilesScreen } from './screens/FilesScreen.js';
import { MergeScreen } from './screens/MergeScreen.js';
import { ReleasesScreen } from './screens/ReleasesScreen.js';
import { SettingsScreen } from './screens/SettingsScreen.js';
import { SyncScreen } from './screens/SyncScreen.js';
import { SystemsScreen } from './screens/SystemsScreen.js';
import { TransfersScreen } from './screens/TransfersScreen.js';
import type { TroveServices } from './services.js';
import { breadcrumb, currentScreen, initialNavigation, navigationReducer, sectionOf, type Screen } from './state/navigation.js';
import { UiContext, type PromptOptions, type Ui } from './ui-context.js';

type Overlay = { kind: 'help' } | { kind: 'confirm'; question: string; onYes: () => void } | { kind: 'prompt'; options: PromptOptions };

export interface AppProps {
  services: TroveServices;
  /** Fixed size (tests); otherwise the terminal's, following resizes. */
  size?: Size;
  /** How long an info message stays on the message line; errors stay until the next message. */
  infoMs?: number;
  /**
   * Signals from outside: 'interrupt' (SIGINT, SIGTERM) means the same as ctrl+c; 'hangup' (the
   * terminal is gone) cancels the downloads in flight at once, but never forces the exit.
   */
  interrupts?: (onInterrupt: (kind: 'interrupt' | 'hangup') => void) => () => void;
}

/** The app was told to quit a third time while transfers were stopping: the caller exits at once. */
export class ForcedQuit extends Error {
  constructor() {
    super('quit at once while transfers were stopping');
  }
}

/** What the message line says while quitting waits for transfers (level 1: finish, 2: cancel). */
export const QUITTING_TEXT = [
  '',
  'Quitting: the transfers in flight finish and are recorded; the rest stay queued. ctrl+c again cancels the downloads in flight.',
  'Quitting: cancelling the downloads in flight (they stay queued); an upload in flight finishes. ctrl+c again quits at once.',
] as const;

/** Info messages ("Queued …", "Exported …") clear themselves after this long. */
export const INFO_MESSAGE_MS = 6000;

/** Lines the bottom bar takes: a confirmation wraps its question, a message wraps up to 3 lines. */
export function bottomLines(overlay: Overlay | null, columns: number, message = ''): number {
  if (overlay?.kind === 'confirm') return Math.min(4, Math.ceil(textWidth(printable(overlay.question)) / Math.max(1, columns))) + 1;
  if (overlay) return 1;
  return Math.max(1, Math.min(MESSAGE_LINES, Math.ceil(textWidth(printable(message)) / Math.max(1, columns))));
}

/** A message longer than this many lines is cut (with …). */
const MESSAGE_LINES = 3;

/** Rows left for the screen: the frame is one line shorter than the terminal, so Ink never scrolls. */
export function bodyHeight(rows: number, bottom: number): number {
  return Math.max(3, rows - 1 - 2 - 1 - bottom);
}

const NO_KEY: Key = {
  upArrow: false, downArrow: false, leftArrow: false, rightArrow: false, pageDown: false, pageUp: false, home: false, end: false,
  return: false, escape: false, ctrl: false, shift: false, tab: false, backspace: false, delete: false, meta: false,
  super: false, hyper: false, capsLock: false, numLock: false,
};

/** One read as separate key presses: printable runs split into characters, CR/tab/backspace named. */
export function splitKeys(input: string, key: Key): [string, Key][] {
  if (input.length <= 1 || key.ctrl || key.meta || input.includes('\x1b')) return [[input, key]];
  return [...input].map((ch): [string, Key] => [
    ch,
    { ...NO_KEY, return: ch === '\r' || ch === '\n', tab: ch === '\t', backspace: ch === '\x7f' || ch === '\b', shift: /[A-Z]/.test(ch) },
  ]);
}

function ScreenView({ screen, height, active }: { screen: Screen; height: number; active: boolean }) {
  switch (screen.kind) {
    case 'systems':
      return <SystemsScreen height={height} active={active} />;
    case 'releases':
      return <ReleasesScreen key={screen.systemId} systemId={screen.systemId} system={screen.system} height={height} active={active} />;
    case 'fileSets':
      return <FileSetsScreen {...screen} height={height} active={active} />;
    case 'files':
      return <FilesScreen fileSetId={screen.fileSetId} height={height} active={active} />;
    case 'transfers':
      return <TransfersScreen height={height} active={active} />;
    case 'sync':
      return <SyncScreen height={height} active={active} />;
    case 'diff':
      return <DiffScreen from={screen.from} to={screen.to} height={height} active={active} />;
    case 'merge':
      return <MergeScreen height={height} active={active} />;
    case 'backups':
      return <BackupsScreen height={height} active={active} />;
    case 'settings':
      return <SettingsScreen height={height} active={active} />;
  }
}

export function App({ services, size, infoMs = INFO_MESSAGE_MS, interrupts }: AppProps) {
  const { exit } = useApp();
  const { columns, rows } = useTerminalSize(size);
  const [nav, navigate] = useReducer(navigationReducer, initialNavigation);
  const [overlay, setOverlay] = useState<Overlay | null>(null);
  const [message, setMessage] = useState<{ text: string; tone: 'info' | 'error' } | null>(null);
  const [catalogVersion, setCatalogVersion] = useState(0);
  const screen = currentScreen(nav);
  const kind: ScreenKind = screen.kind;
  // Each screen's cursor (and the release query), kept while the user is deeper in the stack.
  const memoryStore = useRef(newMemoryStore()).current;
  const screenMemory = useMemo(() => ({ screen: JSON.stringify(screen), store: memoryStore }), [screen, memoryStore]);
  // Quitting never closes the library under a running transfer: first stop them (T1 in QA: blobs
  // renamed into the store were never recorded and were downloaded again next time).
  const [quitLevel, setQuitLevel] = useState(0);
  const quitRef = useRef(0);
  const quit = useCallback(
    (kind: 'interrupt' | 'hangup' = 'interrupt') => {
      const prev = quitRef.current;
      const level = kind === 'hangup' ? Math.max(prev, 2) : prev + 1;
      if (level === prev) return;
      quitRef.current = level;
      setQuitLevel(level);
      if (prev === 0) void services.stopTransfers(level >= 2 ? 'abort' : 'finish').catch(() => undefined).then(() => exit());
      else if (level === 2) void services.stopTransfers('abort').catch(() => undefined);
      if (level >= 3) exit(new ForcedQuit());
    },
    [services, exit],
  );
  useEffect(() => interrupts?.(quit), [interrupts, quit]);

  useEffect(() => services.onCatalogChange(() => setCatalogVersion((v) => v + 1)), [services]);

  const notify = useCallback((text: string, tone: 'info' | 'error' = 'info') => setMessage({ text, tone }), []);
  // An info message that stayed would later describe something long past (on every screen):
  // let it go after a while. An error stays until the next message, so it cannot be missed.
  useEffect(() => {
    if (message?.tone !== 'info') return;
    const timer = setTimeout(() => setMessage((m) => (m === message ? null : m)), infoMs);
    return () => clearTimeout(timer);
  }, [message, infoMs]);
  const ui = useMemo<Ui>(
    () => ({
      services,
      columns,
      notify,
      fail: (err: unknown) => notify(errorText(err), 'error'),
      confirm: (question, onYes) => setOverlay({ kind: 'confirm', question, onYes }),
      prompt: (options) => setOverlay({ kind: 'prompt', options }),
      navigate,
      catalogVersion,
    }),
    [services, columns, notify, catalogVersion],
  );

  // Children claim keys while rendering and give them up when inactive or unmounted (key-router.ts).
  // The app never clears a claim itself: it re-renders without its screen re-rendering (QA2 F1).
  const router = useRef(newKeyRouter()).current;

  const route = (input: string, key: Key) => {
      const name = keyName(input, key);
      // ctrl+c wins over everything, prompts included (as in a shell); while quitting it escalates.
      if (name === 'ctrl+c' || (quitRef.current > 0 && name === 'q')) return quit();
      if (quitRef.current > 0) return;
      if (router.overlay) return router.overlay(input, key);
      if (commandFor(name, SCREEN_COMMANDS[kind])) return router.screen?.(input, key); // the screen's own key
      switch (commandFor(name, GLOBAL_COMMANDS)) {
        case 'quit':
          return quit();
        case 'help':
          return setOverlay({ kind: 'help' });
        case 'back':
          if (nav.stack.length > 1) {
            leaveScreen(memoryStore, screenMemory.screen); // closed, not just covered: what it keeps (screen-memory.ts)
            return navigate({ type: 'back' });
          }
          if (name === 'q') return quit();
          return;
        case 'browse':
        case 'transfers':
        case 'sync':
        case 'backups':
        case 'settings':
          return navigate({ type: 'section', section: commandFor(name, GLOBAL_COMMANDS) as 'browse' });
        default:
          return;
      }
  };
  // Several keys can arrive in one read or in one tick (typing ahead, a loaded machine, tmux
  // send-keys). Each key must see the state the previous one produced, so keys wait in a queue: the
  // next is routed once a render has happened since the previous one (or after 30 ms, when the key
  // changed nothing).
  const latestRoute = useRef(route);
  latestRoute.current = route;
  const queue = useRef<{ keys: [string, Key][]; draining: boolean }>({ keys: [], draining: false }).current;
  useLatestInput((input, key) => {
    queue.keys.push(...splitKeys(input, key));
    if (queue.draining) return;
    queue.draining = true;
    const drain = () => {
      const next = queue.keys.shift();
      if (!next) {
        queue.draining = false;
        return;
      }
      const rendersBefore = router.renders;
      const routedAt = Date.now();
      latestRoute.current(next[0], next[1]); // the newest render's state
      const afterRender = () => (router.renders !== rendersBefore || Date.now() - routedAt > 30 ? drain() : setTimeout(afterRender, 1));
      if (queue.keys.length) setImmediate(afterRender);
      else queue.draining = false;
    };
    drain();
  });

  const messageText = quitLevel ? QUITTING_TEXT[Math.min(quitLevel, 2)]! : (message?.text ?? '');
  const bottom = bottomLines(overlay, columns, messageText);
  const height = bodyHeight(rows, bottom);
  const screenActive = overlay === null;
  return (
    <KeyRouterContext.Provider value={router}>
    <UiContext.Provider value={ui}>
      <Box flexDirection="column" width={columns} height={rows - 1}>
        <Header section={sectionOf(screen)} crumb={breadcrumb(screen)} width={columns} />
        <Box flexDirection="column" height={height}>
          {overlay?.kind === 'help' ? (
            <HelpOverlay screenCommands={SCREEN_COMMANDS[kind]} height={height} width={columns} onClose={() => setOverlay(null)} />
          ) : (
            <ScreenMemoryContext.Provider value={screenMemory}>
              <ScreenView screen={screen} height={height} active={screenActive} />
            </ScreenMemoryContext.Provider>
          )}
        </Box>
        {overlay?.kind === 'prompt' ? (
          <PromptBar options={overlay.options} width={columns} onClose={() => setOverlay(null)} />
        ) : overlay?.kind === 'confirm' ? (
          <ConfirmBar
            question={overlay.question}
            width={columns}
            onAnswer={(yes) => {
              setOverlay(null);
              if (yes) overlay.onYes();
              else notify('Cancelled.');
            }}
          />
        ) : (
          <Box height={bottom} flexDirection="column" overflow="hidden">
            <Text wrap="wrap" color={quitLevel ? 'yellow' : message?.tone === 'error' ? 'red' : 'green'}>
              {messageText ? fit(messageText, columns * bottom) : ' '}
            </Text>
          </Box>
        )}
        <Footer commands={footerCommands(kind)} width={columns} />
      </Box>
    </UiContext.Provider>
    </KeyRouterContext.Provider>
  );
}
