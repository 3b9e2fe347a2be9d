import { fireEvent, render, screen } from '@testing-library/svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as api from './api-mock';
import LockScreen from '../src/screens/LockScreen.svelte';
import { statusFixture } from './fixtures';

vi.mock('../src/api', () => import('./api-mock'));

function unlockButton(): HTMLButtonElement {
  return screen.getByRole('button', { name: /^Unlock/ }) as HTMLButtonElement;
}

describe('LockScreen', () => {
  beforeEach(() => {
    vi.resetAllMocks();
    vi.useFakeTimers();
  });
  afterEach(() => vi.useRealTimers());

  it('disables Unlock while a delay counts down, then enables it', async () => {
    render(LockScreen, { status: statusFixture({ unlockDelaySeconds: 3 }), onunlocked: vi.fn(), onrecover: vi.fn() });
    expect(unlockButton().disabled).toBe(true);
    expect(screen.getByTestId('unlock-countdown').textContent).toContain('3 seconds');

    await vi.advanceTimersByTimeAsync(1000);
    expect(screen.getByTestId('unlock-countdown').textContent).toContain('2 seconds');
    expect(unlockButton().disabled).toBe(true);

    await vi.advanceTimersByTimeAsync(1000);
    expect(screen.getByTestId('unlock-countdown').textContent).toContain('1 second.');

    await vi.advanceTimersByTimeAsync(1000);
    expect(screen.queryByTestId('unlock-countdown')).toBeNull();
    expect(unlockButton().disabled).toBe(false);
  });

  it('after a wrong passphrase shows the message and the new delay', async () => {
    api.unlock.mockRejectedValue('locked: wrong passphrase');
    api.status.mockResolvedValue(statusFixture({ unlockDelaySeconds: 2 }));
    const onunlocked = vi.fn();
    render(LockScreen, { status: statusFixture(), onunlocked, onrecover: vi.fn() });

    await fireEvent.input(screen.getByLabelText('Passphrase'), { target: { value: 'nope' } });
    await fireEvent.click(unlockButton());
    await vi.advanceTimersByTimeAsync(0);

    expect(api.unlock).toHaveBeenCalledWith('nope');
    expect(screen.getByTestId('unlock-error').textContent).toBe('Wrong passphrase');
    expect(screen.getByTestId('unlock-countdown').textContent).toContain('2 seconds');
    expect(unlockButton().disabled).toBe(true);
    expect((screen.getByLabelText('Passphrase') as HTMLInputElement).value).toBe('');
    expect(onunlocked).not.toHaveBeenCalled();

    await vi.advanceTimersByTimeAsync(2000);
    expect(unlockButton().disabled).toBe(false);
  });

  it('unlocks with the right passphrase', async () => {
    const after = statusFixture({ locked: false });
    api.unlock.mockResolvedValue(after);
    const onunlocked = vi.fn();
    render(LockScreen, { status: statusFixture(), onunlocked, onrecover: vi.fn() });
    await fireEvent.input(screen.getByLabelText('Passphrase'), { target: { value: 'right one' } });
    await fireEvent.click(unlockButton());
    await vi.advanceTimersByTimeAsync(0);
    expect(onunlocked).toHaveBeenCalledWith(after);
  });

  it('offers the recovery kit', async () => {
    const onrecover = vi.fn();
    render(LockScreen, { status: statusFixture(), onunlocked: vi.fn(), onrecover });
    await fireEvent.click(screen.getByRole('button', { name: /Use recovery kit/ }));
    expect(onrecover).toHaveBeenCalled();
  });
});
