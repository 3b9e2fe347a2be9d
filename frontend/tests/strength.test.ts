import { fireEvent, render, screen } from '@testing-library/svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as api from './api-mock';
import NewPassphrase from '../src/components/NewPassphrase.svelte';
import StrengthMeter from '../src/components/StrengthMeter.svelte';
import { strengthFixture } from './fixtures';

vi.mock('../src/api', () => import('./api-mock'));

function litBars(container: HTMLElement): number {
  return container.querySelectorAll('.bar.on').length;
}

describe('StrengthMeter', () => {
  it('shows a weak verdict with the warning and suggestions', () => {
    const { container } = render(StrengthMeter, {
      strength: strengthFixture({
        score: 1,
        acceptable: false,
        warning: 'This is similar to a commonly used password.',
        suggestions: ['Add another word or two.', 'Avoid common phrases.'],
        crackTime: '3 hours',
      }),
    });
    expect(screen.getByText('Strength: Weak')).toBeTruthy();
    expect(screen.getByText(/could be guessed in 3 hours/)).toBeTruthy();
    expect(screen.getByTestId('strength-not-acceptable')).toBeTruthy();
    expect(screen.getByTestId('strength-warning').textContent).toBe('This is similar to a commonly used password.');
    const items = screen.getAllByRole('listitem').map((li) => li.textContent);
    expect(items).toEqual(['Add another word or two.', 'Avoid common phrases.']);
    expect(litBars(container)).toBe(1);
  });

  it('shows a strong verdict without complaints', () => {
    const { container } = render(StrengthMeter, { strength: strengthFixture({ score: 4 }) });
    expect(screen.getByText('Strength: Very strong')).toBeTruthy();
    expect(screen.queryByTestId('strength-not-acceptable')).toBeNull();
    expect(screen.queryByTestId('strength-warning')).toBeNull();
    expect(screen.queryByRole('list')).toBeNull();
    expect(litBars(container)).toBe(4);
  });

  it('gives advice before anything is typed', () => {
    const { container } = render(StrengthMeter, { strength: null });
    expect(screen.getByText(/four or more unrelated words/)).toBeTruthy();
    expect(litBars(container)).toBe(0);
  });
});

describe('NewPassphrase', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    api.checkPassphrase.mockReset();
  });
  afterEach(() => vi.useRealTimers());

  it('checks once, after typing pauses, and shows the result for the current text', async () => {
    api.checkPassphrase.mockImplementation(async (p: string) =>
      p.length > 20 ? strengthFixture({ score: 4 }) : strengthFixture({ score: 0, acceptable: false, warning: 'Too short' }),
    );
    render(NewPassphrase, { passphrase: '', ready: false, debounceMs: 150 });
    const field = screen.getByLabelText('New passphrase');

    await fireEvent.input(field, { target: { value: 'co' } });
    await vi.advanceTimersByTimeAsync(50);
    await fireEvent.input(field, { target: { value: 'correct' } });
    await vi.advanceTimersByTimeAsync(149);
    expect(api.checkPassphrase).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(api.checkPassphrase).toHaveBeenCalledTimes(1);
    expect(api.checkPassphrase).toHaveBeenCalledWith('correct');
    expect(screen.getByText('Strength: Very weak')).toBeTruthy();
    expect(screen.getByText('Too short')).toBeTruthy();

    await fireEvent.input(field, { target: { value: 'correct horse battery staple' } });
    // The old verdict must not be shown for the new text while the check is pending.
    expect(screen.queryByText('Strength: Very weak')).toBeNull();
    await vi.advanceTimersByTimeAsync(150);
    expect(screen.getByText('Strength: Very strong')).toBeTruthy();
  });
});
