import { fireEvent, render, screen } from '@testing-library/svelte';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import * as api from './api-mock';
import App from '../src/App.svelte';
import { onLockClear } from '../src/lib/sensitive';
import { statusFixture } from './fixtures';

vi.mock('../src/api', () => import('./api-mock'));

type Handler = (payload: unknown) => void;
let handlers: Record<string, Handler[]>;

function emit(name: string, payload?: unknown) {
  for (const h of handlers[name] ?? []) h(payload);
}

describe('App', () => {
  beforeEach(() => {
    vi.resetAllMocks();
    handlers = {};
    api.onEvent.mockImplementation((name: string, h: Handler) => {
      (handlers[name] ??= []).push(h);
      return () => {
        handlers[name] = handlers[name].filter((x) => x !== h);
      };
    });
    api.activity.mockResolvedValue(undefined);
    api.lock.mockResolvedValue(undefined);
  });

  it('starts with onboarding on a fresh vault', async () => {
    api.status.mockResolvedValue(statusFixture({ initialized: false }));
    render(App);
    expect(await screen.findByTestId('onboarding')).toBeTruthy();
  });

  it('goes to the lock screen on vault:locked and drops sensitive state', async () => {
    api.status.mockResolvedValue(statusFixture({ locked: false }));
    const cleared = vi.fn();
    const off = onLockClear(cleared);
    render(App);
    await screen.findByRole('navigation', { name: 'Main' });

    api.status.mockResolvedValue(statusFixture({ locked: true, autoLockMinutes: 10 }));
    emit('vault:locked', { reason: 'idle' });
    expect(await screen.findByTestId('lock-screen')).toBeTruthy();
    expect(screen.queryByRole('navigation', { name: 'Main' })).toBeNull();
    expect(screen.getByTestId('lock-reason').textContent).toContain('10 minutes without activity');
    expect(cleared).toHaveBeenCalledTimes(1);
    off();
  });

  it('locks on Ctrl+L only while unlocked', async () => {
    api.status.mockResolvedValue(statusFixture({ locked: false }));
    render(App);
    await screen.findByRole('navigation', { name: 'Main' });
    await fireEvent.keyDown(window, { key: 'l', ctrlKey: true });
    expect(api.lock).toHaveBeenCalledTimes(1);
    expect(await screen.findByTestId('lock-screen')).toBeTruthy();
    await fireEvent.keyDown(window, { key: 'l', ctrlKey: true });
    expect(api.lock).toHaveBeenCalledTimes(1);
  });

  it('shows the integrity banner until the user acknowledges it', async () => {
    api.status.mockResolvedValue(statusFixture({ locked: false }));
    render(App);
    await screen.findByRole('navigation', { name: 'Main' });
    emit('integrity:error', { message: 'a client record failed its check' });
    const banner = await screen.findByTestId('integrity-banner');
    expect(banner.textContent).toContain('Integrity error: a record failed its check and was not shown');
    expect(banner.textContent).toContain('a client record failed its check');
    await fireEvent.click(screen.getByRole('button', { name: 'I have read this' }));
    expect(screen.queryByTestId('integrity-banner')).toBeNull();
  });

  it('reports activity at most once per 30 seconds', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      api.status.mockResolvedValue(statusFixture({ locked: false }));
      render(App);
      await screen.findByRole('navigation', { name: 'Main' });
      await fireEvent.mouseMove(window);
      await fireEvent.keyDown(window, { key: 'a' });
      await fireEvent.mouseDown(window);
      expect(api.activity).toHaveBeenCalledTimes(1);
      vi.setSystemTime(Date.now() + 30_001);
      await fireEvent.mouseMove(window);
      expect(api.activity).toHaveBeenCalledTimes(2);
    } finally {
      vi.useRealTimers();
    }
  });

  it('ignores vault:unlocked during onboarding (the code must be confirmed first)', async () => {
    api.status.mockResolvedValue(statusFixture({ initialized: false }));
    render(App);
    await screen.findByTestId('onboarding');
    emit('vault:unlocked');
    await Promise.resolve();
    expect(screen.getByTestId('onboarding')).toBeTruthy();
    expect(screen.queryByRole('navigation', { name: 'Main' })).toBeNull();
  });
});

describe('App after onboarding', () => {
  beforeEach(() => {
    vi.resetAllMocks();
    api.onEvent.mockImplementation(() => () => {});
    api.checkPassphrase.mockResolvedValue({ score: 4, acceptable: true, warning: '', suggestions: [], crackTime: '' });
    api.createVault.mockResolvedValue({ recoveryCode: 'AAAA-BBBB', recoveryKitPDF: '' });
    api.confirmRecoveryCode.mockResolvedValue(undefined);
  });

  it('shows the lock screen, not the shell, if the vault auto-locked while the code was being written down', async () => {
    api.status.mockResolvedValueOnce(statusFixture({ initialized: false }));
    api.status.mockResolvedValue(statusFixture({ initialized: true, locked: true }));
    render(App);
    await fireEvent.click(await screen.findByRole('button', { name: 'Get started' }));
    const p = 'correct horse battery staple orchard';
    await fireEvent.input(screen.getByLabelText('Passphrase'), { target: { value: p } });
    await fireEvent.input(screen.getByLabelText('Repeat passphrase'), { target: { value: p } });
    const next = screen.getByRole('button', { name: 'Continue' }) as HTMLButtonElement;
    await vi.waitFor(() => expect(next.disabled).toBe(false), { timeout: 5_000 });
    await fireEvent.click(next);
    await fireEvent.click(await screen.findByRole('button', { name: /I have saved it/ }));
    await fireEvent.input(screen.getByLabelText('Recovery code'), { target: { value: 'AAAA-BBBB' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Confirm code' }));
    expect(await screen.findByTestId('lock-screen')).toBeTruthy();
    expect(screen.queryByRole('navigation', { name: 'Main' })).toBeNull();
  });
});
