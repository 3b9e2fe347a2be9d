// The sync indicator's state, shared by the sidebar, Settings → Sync and the screens
// that show synced data (Matches, Requests, Clients reload when a round lands).
// Kept outside components so it survives navigation; holds no client data.
import {
  EventSyncProgress,
  EventSyncStatus,
  errorMessage,
  onEvent,
  syncNow,
  syncStatus,
  type SyncProgress,
  type SyncStatus,
} from '../api';

export const sync = $state({
  status: null as SyncStatus | null,
  progress: null as SyncProgress | null,
  /** A "Sync now" started here is running. */
  running: false,
  /** Why the last "Sync now" call itself failed (the status carries the engine's errors). */
  error: '',
  /** Bumped whenever a round has finished, so screens can reload what it brought. */
  rounds: 0,
});

function accept(s: SyncStatus | null | undefined) {
  if (!s) return;
  const before = sync.status;
  sync.status = s;
  if (s.state !== 'syncing') sync.progress = null;
  const landed = s.lastSyncedAt !== '' && s.lastSyncedAt !== (before?.lastSyncedAt ?? '');
  const stopped = before?.state === 'syncing' && s.state !== 'syncing';
  if (landed || stopped) sync.rounds++;
}

/** Fetches the current status once. */
export async function refreshSync(): Promise<void> {
  try {
    accept(await syncStatus());
  } catch {
    // The indicator keeps its last state; Settings → Sync shows errors when opened.
  }
}

/** Follows sync:status and sync:progress until the returned function is called. */
export function watchSync(): () => void {
  const offs = [
    onEvent<SyncStatus>(EventSyncStatus, (s) => accept(s)),
    onEvent<SyncProgress>(EventSyncProgress, (p) => {
      if (!p) return;
      sync.progress = p.phase === 'done' ? null : p;
    }),
  ];
  void refreshSync();
  return () => offs.forEach((off) => off?.());
}

/** Runs a round now unless one started here is running. */
export async function runSyncNow(): Promise<void> {
  if (sync.running) return;
  sync.running = true;
  sync.error = '';
  try {
    accept(await syncNow());
  } catch (e) {
    sync.error = errorMessage(e);
    await refreshSync();
  } finally {
    sync.running = false;
    sync.progress = null;
  }
}

/** Replaces the status after connect/disconnect. */
export function setSyncStatus(s: SyncStatus): void {
  accept(s);
}
