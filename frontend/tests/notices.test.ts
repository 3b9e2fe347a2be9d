import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import * as api from './api-mock';
import { eventually } from './util';
import NoticeUpdates from '../src/components/NoticeUpdates.svelte';
import { clinical } from '../src/lib/clinical.svelte';
import type { NoticeUpdates as Updates } from '../src/api/consent';

vi.mock('../src/api', () => import('./api-mock'));

const policy = {
  id: 'p5', kind: 'privacy-policy' as const, purpose: '', version: 5, language: 'en', summary: 'Backups are now kept in Mumbai.',
  text: 'Privacy policy\nVersion 5 in full.', material: true, publishedAt: '2026-03-01T09:00:00Z', acknowledgedAt: '',
};
const renewal = { clientId: 'c1', clientName: 'Meera Iyer', purpose: 'reminders', givenVersion: 1, currentVersion: 2, givenAt: '2026-01-01T09:00:00Z' };

describe('NoticeUpdates', () => {
  beforeEach(() => {
    vi.resetAllMocks();
  });

  it('shows nothing when nothing changed', async () => {
    api.noticeUpdates.mockResolvedValue({ policy: [], renewals: [] } satisfies Updates);
    render(NoticeUpdates, { onnavigate: vi.fn() });
    await eventually(() => expect(api.noticeUpdates).toHaveBeenCalled());
    expect(screen.queryByTestId('notice-updates')).toBeNull();
  });

  it('a policy change is summarised, readable in full, and marked read', async () => {
    api.noticeUpdates.mockResolvedValueOnce({ policy: [policy], renewals: [] } satisfies Updates);
    api.noticeUpdates.mockResolvedValueOnce({ policy: [], renewals: [] } satisfies Updates);
    api.noticeAcknowledge.mockResolvedValue(undefined);
    render(NoticeUpdates, { onnavigate: vi.fn() });
    const card = await screen.findByTestId('policy-update');
    expect(within(card).getByText(/privacy policy changed/)).toBeTruthy();
    expect(within(card).getByText('Backups are now kept in Mumbai.')).toBeTruthy();
    expect(within(card).getByText(/Version 5 in full/)).toBeTruthy();
    await fireEvent.click(within(card).getByRole('button', { name: 'Mark as read' }));
    await eventually(() => expect(api.noticeAcknowledge).toHaveBeenCalledWith('p5'));
    await eventually(() => expect(screen.queryByTestId('notice-updates')).toBeNull());
  });

  it('a renewal names the client and purpose and opens their consents', async () => {
    api.noticeUpdates.mockResolvedValue({ policy: [], renewals: [renewal] } satisfies Updates);
    const onnavigate = vi.fn();
    render(NoticeUpdates, { onnavigate });
    const row = await screen.findByTestId('renewal');
    expect(row.textContent).toMatch(/Meera Iyer/);
    expect(row.textContent).toMatch(/given under version 1; now version 2/);
    expect(screen.getByText('One consent needs renewing')).toBeTruthy();
    await fireEvent.click(within(row).getByRole('button', { name: 'Ask again' }));
    expect(onnavigate).toHaveBeenCalledWith('clients');
    expect(clinical.view).toEqual({ kind: 'client', clientId: 'c1', consent: 'reminders' });
  });
});
