import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import * as api from './api-mock';
import { eventually } from './util';
import { statusFixture } from './fixtures';
import { statusOf } from './sync-fixtures';
import SyncStatus from '../src/components/SyncStatus.svelte';
import ParkedChanges from '../src/components/ParkedChanges.svelte';
import ConflictsPanel from '../src/components/ConflictsPanel.svelte';
import SyncSettings from '../src/screens/settings/Sync.svelte';
import Shell from '../src/screens/Shell.svelte';
import { sync, watchSync } from '../src/lib/sync.svelte';

vi.mock('../src/api', () => import('./api-mock'));

type Handler = (payload: unknown) => void;
let handlers: Record<string, Handler[]>;
const emit = (name: string, payload: unknown) => (handlers[name] ?? []).forEach((h) => h(payload));

beforeEach(() => {
  vi.resetAllMocks();
  handlers = {};
  api.onEvent.mockImplementation((name: string, h: Handler) => {
    (handlers[name] ??= []).push(h);
    return () => {
      handlers[name] = handlers[name].filter((x) => x !== h);
    };
  });
  Object.assign(sync, { status: null, progress: null, running: false, error: '', rounds: 0 });
  api.syncParked.mockResolvedValue([]);
  api.conflictsList.mockResolvedValue([]);
});

describe('sync indicator', () => {
  it('shows the state, when it last synced, and follows sync:status and sync:progress', async () => {
    api.syncStatus.mockResolvedValue(statusOf({ lastSyncedAt: new Date(Date.now() - 2 * 60_000 - 1000).toISOString() }));
    const stop = watchSync();
    const onopen = vi.fn();
    render(SyncStatus, { onopen });
    await eventually(() => expect(screen.getByTestId('sync-label').textContent).toBe('Up to date'));
    expect(screen.getByTestId('sync-last').textContent).toBe('Synced 2 min ago');

    emit('sync:status', statusOf({ state: 'syncing' }));
    emit('sync:progress', { phase: 'push', pushed: 2, pulled: 0, applied: 0, total: 4 });
    await eventually(() => expect(screen.getByText('Sending changes: 2 of 4')).toBeTruthy());
    const bar = screen.getByTestId('sync-progress') as HTMLProgressElement;
    expect(bar.value).toBe(0.5);
    expect((screen.getByTestId('sync-now') as HTMLButtonElement).disabled).toBe(true);

    emit('sync:status', statusOf({ state: 'offline', lastSyncedAt: new Date().toISOString() }));
    await eventually(() => expect(screen.getByTestId('sync-label').textContent).toBe('Offline'));
    expect(screen.queryByTestId('sync-progress')).toBeNull();
    const detail = screen.getByTestId('sync-detail');
    expect(detail.classList.contains('visually-hidden')).toBe(false);
    expect(detail.textContent).toMatch(/Keep working/);
    expect(sync.rounds).toBeGreaterThan(0);

    await fireEvent.click(screen.getByTestId('sync-open'));
    expect(onopen).toHaveBeenCalled();
    stop();
  });

  it('runs a round on "Sync now" and shows why when the call itself fails', async () => {
    sync.status = statusOf();
    api.syncNow.mockRejectedValueOnce('locked: the vault is locked');
    api.syncStatus.mockResolvedValue(statusOf());
    render(SyncStatus, { onopen: vi.fn() });
    await fireEvent.click(screen.getByTestId('sync-now'));
    expect(api.syncNow).toHaveBeenCalledTimes(1);
    await eventually(() => expect(screen.getByTestId('sync-detail').textContent).toMatch(/Sync now did not run: The vault is locked/));
  });

  it('offers no "Sync now" before the computer is connected', () => {
    sync.status = statusOf({ state: 'not_connected', connected: false });
    render(SyncStatus, { onopen: vi.fn() });
    expect(screen.getByTestId('sync-label').textContent).toBe('Not connected');
    expect(screen.queryByTestId('sync-now')).toBeNull();
  });

  it('Ctrl+Shift+S in the shell runs a round; the indicator opens Settings → Sync', async () => {
    api.syncStatus.mockResolvedValue(statusOf());
    api.syncNow.mockResolvedValue(statusOf({ lastSyncedAt: new Date().toISOString() }));
    api.version.mockResolvedValue({ version: 'test', commit: 'abc', dataDir: '/tmp/x' });
    api.setAutoLock.mockResolvedValue(statusFixture({ locked: false }));
    api.todayAgenda.mockResolvedValue({ date: '2026-03-10', zone: 'Asia/Kolkata', bookings: [], next: null, draftsAwaitingSignature: 0, unreadable: [] });
    render(Shell, { status: statusFixture({ locked: false }), onstatus: vi.fn(), onlock: vi.fn() });
    await eventually(() => expect(screen.getByTestId('sync-now')).toBeTruthy());
    await fireEvent.keyDown(window, { key: 'S', code: 'KeyS', ctrlKey: true, shiftKey: true });
    await eventually(() => expect(api.syncNow).toHaveBeenCalledTimes(1));
    await fireEvent.click(screen.getByTestId('sync-open'));
    await eventually(() => expect(document.activeElement?.id).toBe('sync-h'));
    expect(screen.getByTestId('screen-settings')).toBeTruthy();
  });
});

describe('Settings → Sync', () => {
  it('asks for both fields, connects, then syncs at once', async () => {
    sync.status = statusOf({ state: 'not_connected', connected: false, backendUrl: '' });
    api.syncConnect.mockResolvedValue(statusOf({ state: 'idle' }));
    api.syncNow.mockResolvedValue(statusOf({ lastSyncedAt: new Date().toISOString() }));
    render(SyncSettings);
    await fireEvent.click(screen.getByRole('button', { name: 'Connect' }));
    expect(screen.getByRole('alert').textContent).toMatch(/server address/);
    await fireEvent.input(screen.getByLabelText('Server address'), { target: { value: ' https://sync.example.in ' } });
    await fireEvent.input(screen.getByLabelText('Enrolment code'), { target: { value: 'ABCD-1234' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Connect' }));
    await eventually(() => expect(api.syncConnect).toHaveBeenCalledWith({ backendUrl: 'https://sync.example.in', enrolmentCode: 'ABCD-1234' }));
    await eventually(() => expect(api.syncNow).toHaveBeenCalledTimes(1));
    await eventually(() => expect(screen.getByTestId('sync-message').textContent).toBe('Connected and synced.'));
    expect(screen.getByTestId('sync-region').textContent).toBe('India (IN)');
  });

  it('explains a refused region calmly and stays on the form', async () => {
    sync.status = statusOf({ state: 'not_connected', connected: false, backendUrl: '' });
    api.syncConnect.mockRejectedValue('forbidden: sync: the backend keeps data in US, not India: region refused');
    render(SyncSettings);
    await fireEvent.input(screen.getByLabelText('Server address'), { target: { value: 'https://eu.example.com' } });
    await fireEvent.input(screen.getByLabelText('Enrolment code'), { target: { value: 'X' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Connect' }));
    const err = await screen.findByTestId('sync-error');
    expect(err.textContent).toMatch(/region refused\. Data about your clients may only be kept in India\./);
    expect(api.syncNow).not.toHaveBeenCalled();
  });

  it('shows the connection and disconnects only after a confirmation naming unsent changes', async () => {
    sync.status = statusOf({ pending: 3, lastSyncedAt: new Date().toISOString() });
    api.syncDisconnect.mockResolvedValue(statusOf({ state: 'not_connected', connected: false }));
    render(SyncSettings);
    expect(screen.getByTestId('sync-backend').textContent).toBe('https://sync.example.in');
    await fireEvent.click(screen.getByRole('button', { name: 'Disconnect…' }));
    const dialog = screen.getByTestId('sync-disconnect');
    expect(dialog.textContent).toMatch(/3 changes not sent yet/);
    expect(api.syncDisconnect).not.toHaveBeenCalled();
    await fireEvent.click(within(dialog).getByRole('button', { name: 'Disconnect' }));
    await eventually(() => expect(api.syncDisconnect).toHaveBeenCalledTimes(1));
    await eventually(() => expect(screen.getByLabelText('Enrolment code')).toBeTruthy());
  });
});

describe('parked changes and conflicts', () => {
  const parked = {
    outboxId: 'o1', mutationId: 7, kind: 'booking.confirm', entityId: '0190abcd-0000-7000-8000-000000000001',
    reason: 'booking_conflict', createdAt: '2026-03-01T10:00:00Z',
  };

  it('explains the reason, retries, and discards only after confirming', async () => {
    api.syncParked.mockResolvedValue([parked, { ...parked, outboxId: 'o2', kind: 'match.accept', reason: 'match_closed' }]);
    api.syncRetryParked.mockResolvedValue(undefined);
    api.syncDiscardParked.mockResolvedValue(undefined);
    render(ParkedChanges);
    const items = await screen.findAllByTestId('parked-item');
    expect(items[0].textContent).toMatch(/Booking confirmed/);
    expect(items[0].textContent).toMatch(/platform changed this booking first/);
    // A closed match cannot be retried into existence.
    expect(within(items[1]).queryByRole('button', { name: 'Send again' })).toBeNull();
    await fireEvent.click(within(items[0]).getByRole('button', { name: 'Send again' }));
    await eventually(() => expect(api.syncRetryParked).toHaveBeenCalledWith('o1'));
    await fireEvent.click(within(screen.getAllByTestId('parked-item')[1]).getByRole('button', { name: 'Discard…' }));
    expect(api.syncDiscardParked).not.toHaveBeenCalled();
    await fireEvent.click(within(screen.getByTestId('parked-discard')).getByRole('button', { name: 'Discard change' }));
    await eventually(() => expect(api.syncDiscardParked).toHaveBeenCalledWith('o2'));
  });

  it('shows what you did beside what the platform decided, and dismisses', async () => {
    api.conflictsList.mockResolvedValueOnce([
      { id: 'c1', entityType: 'booking', entityId: 'b1', label: 'Meera', localState: 'confirmed', platform: 'cancelled_by_client', at: '2026-03-01T10:00:00Z' },
    ]).mockResolvedValue([]);
    api.conflictDismiss.mockResolvedValue(undefined);
    render(ConflictsPanel);
    const item = await screen.findByTestId('conflict-item');
    expect(item.textContent).toMatch(/Booking with Meera/);
    expect(item.textContent).toMatch(/You had it as confirmed/);
    expect(item.textContent).toMatch(/cancelled by client — this stands/);
    await fireEvent.click(within(item).getByRole('button', { name: 'Dismiss' }));
    await eventually(() => expect(api.conflictDismiss).toHaveBeenCalledWith('c1'));
    await eventually(() => expect(screen.queryByTestId('conflict-item')).toBeNull());
  });
});
