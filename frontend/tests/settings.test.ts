import { fireEvent, render, screen } from '@testing-library/svelte';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import * as api from './api-mock';
import { eventually } from './util';
import AutoLock from '../src/screens/settings/AutoLock.svelte';
import RotateKey from '../src/screens/settings/RotateKey.svelte';
import { statusFixture } from './fixtures';

vi.mock('../src/api', () => import('./api-mock'));

type Handler = (payload: unknown) => void;

describe('Rotate data key', () => {
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
    api.rotateDataKey.mockResolvedValue(undefined);
  });

  it('shows progress from rekey:progress and the outcome from rekey:done', async () => {
    render(RotateKey);
    await fireEvent.click(screen.getByRole('button', { name: 'Rotate data key' }));
    expect(api.rotateDataKey).toHaveBeenCalledTimes(1);
    const bar = (await screen.findByLabelText('Re-encrypting records')) as HTMLProgressElement;
    expect(screen.queryByRole('button', { name: 'Rotate data key' })).toBeNull();

    emit('rekey:progress', { done: 5, total: 20 });
    await eventually(() => expect(screen.getByText('5 of 20 records (25%)')).toBeTruthy());
    expect(bar.value).toBe(5);
    expect(bar.max).toBe(20);

    emit('rekey:done', { error: '' });
    await eventually(() => expect(screen.getByText(/^Done\./)).toBeTruthy());
    expect(screen.getByRole('button', { name: 'Rotate data key' })).toBeTruthy();
    // Listeners are removed once the job ends.
    expect(handlers['rekey:progress']).toHaveLength(0);
  });

  it('reports a failed rotation without the error code', async () => {
    render(RotateKey);
    await fireEvent.click(screen.getByRole('button', { name: 'Rotate data key' }));
    emit('rekey:done', { error: 'internal: Internal error.' });
    await eventually(() =>
      expect(screen.getByRole('alert').textContent).toBe('The rotation did not finish: Internal error.'),
    );
  });
});

describe('Auto-lock', () => {
  beforeEach(() => vi.resetAllMocks());

  it('refuses minutes outside 1..240 without calling Go, and saves a valid value', async () => {
    const onstatus = vi.fn();
    api.setAutoLock.mockResolvedValue(statusFixture({ autoLockMinutes: 30 }));
    render(AutoLock, { status: statusFixture({ autoLockMinutes: 10 }), onstatus });
    const field = screen.getByLabelText('Lock after this many minutes without activity');

    await fireEvent.input(field, { target: { value: '0' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Save auto-lock' }));
    expect(screen.getByRole('alert').textContent).toContain('from 1 to 240');
    expect(api.setAutoLock).not.toHaveBeenCalled();

    await fireEvent.input(field, { target: { value: '30' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Save auto-lock' }));
    await eventually(() => expect(onstatus).toHaveBeenCalledWith(statusFixture({ autoLockMinutes: 30 })));
    expect(api.setAutoLock).toHaveBeenCalledWith(30);
    expect(screen.getByRole('status').textContent).toContain('30 minutes');
  });
});
