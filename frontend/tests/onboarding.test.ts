import { fireEvent, render, screen } from '@testing-library/svelte';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import * as api from './api-mock';
import { eventually } from './util';
import Onboarding from '../src/screens/Onboarding.svelte';
import { statusFixture, strengthFixture } from './fixtures';

vi.mock('../src/api', () => import('./api-mock'));

const passphrase = 'correct horse battery staple orchard';
const code = 'ABCD-EFGH-JKLM-NPQR-STUV-WXYZ';

async function choosePassphrase() {
  await fireEvent.click(screen.getByRole('button', { name: 'Get started' }));
  await fireEvent.input(screen.getByLabelText('Passphrase'), { target: { value: passphrase } });
  await fireEvent.input(screen.getByLabelText('Repeat passphrase'), { target: { value: passphrase } });
  const next = screen.getByRole('button', { name: /^Continue/ }) as HTMLButtonElement;
  await eventually(() => expect(next.disabled).toBe(false));
  return next;
}

describe('Onboarding', () => {
  beforeEach(() => {
    vi.resetAllMocks();
    api.checkPassphrase.mockResolvedValue(strengthFixture());
    api.createVault.mockResolvedValue({ recoveryCode: code, recoveryKitPDF: btoa('%PDF-1.7') });
    api.confirmRecoveryCode.mockImplementation(async (typed: string) => {
      if (typed !== code) throw 'invalid: the recovery code does not match';
    });
  });

  it('does not finish until the recovery code is typed back correctly', async () => {
    const oncomplete = vi.fn();
    render(Onboarding, { status: statusFixture({ initialized: false }), oncomplete });

    await fireEvent.click(await choosePassphrase());
    expect(api.createVault).toHaveBeenCalledWith({ passphrase, passphraseOnly: false });

    expect((await screen.findByTestId('recovery-code')).textContent).toBe(code);
    await fireEvent.click(screen.getByRole('button', { name: /I have saved it/ }));
    // The code is hidden while the user proves they saved it.
    expect(screen.queryByTestId('recovery-code')).toBeNull();

    const confirm = screen.getByRole('button', { name: 'Confirm code' });
    await fireEvent.click(confirm);
    expect(await screen.findByRole('alert')).toHaveProperty('textContent', 'Type the recovery code to continue.');
    expect(api.confirmRecoveryCode).not.toHaveBeenCalled();

    await fireEvent.input(screen.getByLabelText('Recovery code'), { target: { value: 'ABCD-EFGH-0000' } });
    await fireEvent.click(confirm);
    await eventually(() => expect(screen.getByRole('alert').textContent).toBe('The recovery code does not match'));
    expect(oncomplete).not.toHaveBeenCalled();

    await fireEvent.input(screen.getByLabelText('Recovery code'), { target: { value: `  ${code} ` } });
    await fireEvent.click(confirm);
    // Then the practitioner profile, which can wait ("Later").
    await screen.findByTestId('first-run-profile');
    expect(api.confirmRecoveryCode).toHaveBeenLastCalledWith(code);
    expect(oncomplete).not.toHaveBeenCalled();
    await fireEvent.click(screen.getByRole('button', { name: 'Later' }));
    expect(oncomplete).toHaveBeenCalledTimes(1);
  });

  it('without a keychain, requires the passphrase-only warning to be accepted', async () => {
    const oncomplete = vi.fn();
    render(Onboarding, {
      status: statusFixture({ initialized: false, keychainAvailable: false, keychainProblem: 'no Secret Service on the session bus' }),
      oncomplete,
    });
    await fireEvent.click(await choosePassphrase());
    expect(api.createVault).not.toHaveBeenCalled();
    expect(screen.getByTestId('keychain-problem').textContent).toBe('no Secret Service on the session bus');

    const go = screen.getByRole('button', { name: 'Continue with passphrase only' }) as HTMLButtonElement;
    expect(go.disabled).toBe(true);
    await fireEvent.click(screen.getByRole('checkbox'));
    expect(go.disabled).toBe(false);
    await fireEvent.click(go);
    expect(api.createVault).toHaveBeenCalledWith({ passphrase, passphraseOnly: true });
    expect(await screen.findByTestId('recovery-code')).toBeTruthy();
  });

  it('refuses to continue with a passphrase the Go side does not accept', async () => {
    api.checkPassphrase.mockResolvedValue(strengthFixture({ score: 1, acceptable: false, warning: 'Too guessable' }));
    render(Onboarding, { status: statusFixture({ initialized: false }), oncomplete: vi.fn() });
    await fireEvent.click(screen.getByRole('button', { name: 'Get started' }));
    await fireEvent.input(screen.getByLabelText('Passphrase'), { target: { value: 'password1' } });
    await fireEvent.input(screen.getByLabelText('Repeat passphrase'), { target: { value: 'password1' } });
    await screen.findByText('Too guessable');
    const next = screen.getByRole('button', { name: 'Continue' }) as HTMLButtonElement;
    expect(next.disabled).toBe(true);
  });
});
