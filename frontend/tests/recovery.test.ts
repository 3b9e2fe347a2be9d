import { fireEvent, render, screen } from '@testing-library/svelte';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import * as api from './api-mock';
import { eventually } from './util';
import Recovery from '../src/screens/Recovery.svelte';
import { statusFixture, strengthFixture } from './fixtures';

vi.mock('../src/api', () => import('./api-mock'));

const next = 'lantern meadow quietly violin harbour';

async function fill(code: string) {
  await fireEvent.input(screen.getByLabelText('Recovery code'), { target: { value: code } });
  await fireEvent.input(screen.getByLabelText('New passphrase'), { target: { value: next } });
  await fireEvent.input(screen.getByLabelText('Repeat new passphrase'), { target: { value: next } });
}

function recoverButton(): HTMLButtonElement {
  return screen.getByRole('button', { name: 'Recover' }) as HTMLButtonElement;
}

describe('Recovery', () => {
  beforeEach(() => {
    vi.resetAllMocks();
    api.checkPassphrase.mockResolvedValue(strengthFixture());
    api.confirmRecoveryCode.mockResolvedValue(undefined);
  });

  it('shows a wrong code as a message, then issues a new kit that must be confirmed', async () => {
    api.recover.mockRejectedValueOnce('locked: that recovery code does not open this vault');
    api.recover.mockResolvedValueOnce({ recoveryCode: 'NEW1-NEW2', recoveryKitPDF: '' });
    const oncomplete = vi.fn();
    render(Recovery, { status: statusFixture(), oncancel: vi.fn(), oncomplete });

    await fill('OLD1-BAD2');
    await eventually(() => expect(recoverButton().disabled).toBe(false));
    await fireEvent.click(recoverButton());
    await eventually(() =>
      expect(screen.getByRole('alert').textContent).toBe('That recovery code does not open this vault'),
    );
    expect(api.recover).toHaveBeenLastCalledWith({ recoveryCode: 'OLD1-BAD2', newPassphrase: next, passphraseOnly: false });

    await fireEvent.input(screen.getByLabelText('Recovery code'), { target: { value: 'OLD1-OLD2' } });
    await fireEvent.click(recoverButton());
    expect((await screen.findByTestId('recovery-code')).textContent).toBe('NEW1-NEW2');
    expect(oncomplete).not.toHaveBeenCalled();

    await fireEvent.click(screen.getByRole('button', { name: /I have saved it/ }));
    await fireEvent.input(screen.getByLabelText('Recovery code'), { target: { value: 'NEW1-NEW2' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Confirm code' }));
    await eventually(() => expect(oncomplete).toHaveBeenCalledTimes(1));
  });

  it('without a keychain, needs the passphrase-only consent and says so to the Go side', async () => {
    api.recover.mockResolvedValue({ recoveryCode: 'NEW1-NEW2', recoveryKitPDF: '' });
    render(Recovery, {
      status: statusFixture({ keychainAvailable: false, keychainProblem: 'no Secret Service' }),
      oncancel: vi.fn(),
      oncomplete: vi.fn(),
    });
    await fill('OLD1-OLD2');
    await screen.findByText('Strength: Very strong');
    expect(recoverButton().disabled).toBe(true);
    await fireEvent.click(screen.getByRole('checkbox'));
    expect(recoverButton().disabled).toBe(false);
    await fireEvent.click(recoverButton());
    expect(api.recover).toHaveBeenCalledWith({ recoveryCode: 'OLD1-OLD2', newPassphrase: next, passphraseOnly: true });
  });
});
