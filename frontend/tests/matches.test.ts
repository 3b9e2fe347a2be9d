import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import * as api from './api-mock';
import { eventually } from './util';
import { H, grievanceOf, matchOf, statusOf, takedownOf } from './sync-fixtures';
import Matches from '../src/screens/Matches.svelte';
import NoticeList from '../src/components/NoticeList.svelte';
import EarningsView from '../src/components/EarningsView.svelte';
import { sync } from '../src/lib/sync.svelte';
import { clinical } from '../src/lib/clinical.svelte';

vi.mock('../src/api', () => import('./api-mock'));

beforeEach(() => {
  vi.resetAllMocks();
  Object.assign(sync, { status: statusOf(), progress: null, running: false, error: '', rounds: 0 });
  api.syncNow.mockResolvedValue(statusOf());
  api.syncStatus.mockResolvedValue(statusOf());
});

describe('Matches', () => {
  it('is honest when there is nothing, and points to Settings when not connected', async () => {
    sync.status = statusOf({ state: 'not_connected', connected: false });
    api.matchesList.mockResolvedValue([]);
    const onnavigate = vi.fn();
    render(Matches, { onnavigate });
    expect((await screen.findByTestId('matches-empty')).textContent).toBe('No match proposals. New proposals arrive when you sync.');
    await fireEvent.click(screen.getByRole('button', { name: 'Connect in Settings → Sync' }));
    expect(onnavigate).toHaveBeenCalledWith('settings');
  });

  it('lists proposals most pressing first, with time left said in words, and decided ones in a closed history', async () => {
    const now = Date.now();
    api.matchesList.mockResolvedValue([
      matchOf(now, { id: 'calm', respondBy: new Date(now + 50 * H).toISOString(), concerns: ['work_stress'], languages: ['hi', 'en'], preferences: 'Evenings' }),
      matchOf(now, { id: 'urgent', respondBy: new Date(now + 2 * H + 30 * 60_000).toISOString() }),
      matchOf(now, { id: 'done', status: 'accepted', decidedAt: new Date(now - H).toISOString(), clientId: 'c9' }),
    ]);
    const onnavigate = vi.fn();
    render(Matches, { onnavigate });
    const open = await screen.findAllByTestId('match-card');
    const visible = open.filter((c) => !c.closest('details'));
    expect(visible.map((c) => c.dataset.id)).toEqual(['urgent', 'calm']);
    expect(visible[0].dataset.urgency).toBe('urgent');
    expect(within(visible[0]).getByTestId('match-time-left').textContent).toMatch(/⚠ Respond within 2 h (29|30) min/);
    expect(visible[1].textContent).toMatch(/Work stress/);
    expect(visible[1].textContent).toMatch(/Hindi, English/);
    expect(visible[1].textContent).toMatch(/“Evenings”/);
    const history = screen.getByTestId('matches-history') as HTMLDetailsElement;
    expect(history.open).toBe(false);
    await fireEvent.click(within(history).getByTestId('match-open-client'));
    expect(onnavigate).toHaveBeenCalledWith('clients');
    expect(clinical.view).toEqual({ kind: 'client', clientId: 'c9' });
  });

  it('accepts only after confirming, then syncs so the client record can arrive', async () => {
    const now = Date.now();
    api.matchesList.mockResolvedValue([matchOf(now)]);
    api.matchAccept.mockResolvedValue(matchOf(now, { status: 'accepted' }));
    render(Matches, { onnavigate: vi.fn() });
    await fireEvent.click(await screen.findByTestId('match-accept'));
    expect(api.matchAccept).not.toHaveBeenCalled();
    const dialog = screen.getByTestId('match-accept-dialog');
    expect(dialog.textContent).toMatch(/arrive with the next sync/);
    await fireEvent.click(within(dialog).getByTestId('match-accept-confirm'));
    await eventually(() => expect(api.matchAccept).toHaveBeenCalledWith('m1'));
    await eventually(() => expect(api.syncNow).toHaveBeenCalled());
    expect((await screen.findByTestId('matches-message')).textContent).toMatch(/appears under Clients/);
  });

  it('declines with a required reason and a private note', async () => {
    const now = Date.now();
    api.matchesList.mockResolvedValue([matchOf(now)]);
    api.matchDecline.mockResolvedValue(matchOf(now, { status: 'declined' }));
    render(Matches, { onnavigate: vi.fn() });
    await fireEvent.click(await screen.findByTestId('match-decline'));
    const dialog = screen.getByTestId('match-decline-dialog');
    await fireEvent.click(within(dialog).getByRole('button', { name: 'Decline match' }));
    expect(within(dialog).getByRole('alert').textContent).toMatch(/Choose a reason/);
    expect(api.matchDecline).not.toHaveBeenCalled();
    await fireEvent.change(within(dialog).getByLabelText('Reason (sent to the platform)'), { target: { value: 'language' } });
    await fireEvent.input(within(dialog).getByLabelText('Private note (optional)'), { target: { value: ' prefers Tamil ' } });
    await fireEvent.click(within(dialog).getByRole('button', { name: 'Decline match' }));
    await eventually(() => expect(api.matchDecline).toHaveBeenCalledWith({ id: 'm1', reason: 'language', note: 'prefers Tamil' }));
  });
});

describe('Grievances and takedown notices', () => {
  it('shows deadlines; an overdue one says so in words and with an icon, not by colour alone', async () => {
    const now = Date.now();
    api.noticesList.mockResolvedValue({
      grievances: [grievanceOf(now, { acknowledgeBy: new Date(now - 3 * H).toISOString() })],
      takedowns: [takedownOf(now)],
    });
    render(NoticeList, { clock: () => now });
    const g = await screen.findByTestId('grievance');
    expect(g.dataset.overdue).toBe('true');
    expect(within(g).getByTestId('notice-countdown').textContent).toMatch(/⚠ Acknowledge: overdue by 3 h/);
    expect(within(g).getAllByTestId('notice-deadline').map((d) => d.dataset.what)).toEqual(['Acknowledge', 'Resolve']);
    const t = screen.getByTestId('takedown');
    expect(t.dataset.overdue).toBe('false');
    expect(within(t).getByTestId('notice-countdown').textContent).toMatch(/Remove: due in (5 h 59 min|6 h)/);
    expect(screen.getByTestId('notices-overdue').textContent).toMatch(/1 overdue/);
  });

  it('acknowledges, resolves with a required response, removes and disputes', async () => {
    const now = Date.now();
    api.noticesList.mockResolvedValue({ grievances: [grievanceOf(now)], takedowns: [takedownOf(now)] });
    api.grievanceAcknowledge.mockResolvedValue(grievanceOf(now, { status: 'acknowledged' }));
    api.grievanceResolve.mockResolvedValue(grievanceOf(now, { status: 'resolved' }));
    api.takedownDispute.mockResolvedValue(takedownOf(now, { status: 'disputed' }));
    api.takedownRemove.mockResolvedValue(takedownOf(now, { status: 'removed' }));
    render(NoticeList, { clock: () => now });
    const g = await screen.findByTestId('grievance');
    await fireEvent.click(within(g).getByRole('button', { name: 'Acknowledge' }));
    await eventually(() => expect(api.grievanceAcknowledge).toHaveBeenCalledWith('g1'));

    await fireEvent.click(within(screen.getByTestId('grievance')).getByRole('button', { name: 'Resolve…' }));
    let dialog = screen.getByTestId('notice-action');
    await fireEvent.click(within(dialog).getByRole('button', { name: 'Resolve' }));
    expect(within(dialog).getByRole('alert').textContent).toMatch(/Write the response/);
    await fireEvent.input(within(dialog).getByLabelText('Response to the person who raised it'), { target: { value: 'We have changed the schedule.' } });
    await fireEvent.click(within(dialog).getByRole('button', { name: 'Resolve' }));
    await eventually(() => expect(api.grievanceResolve).toHaveBeenCalledWith({ id: 'g1', response: 'We have changed the schedule.' }));

    await fireEvent.click(within(screen.getByTestId('takedown')).getByRole('button', { name: 'Dispute…' }));
    dialog = screen.getByTestId('notice-action');
    await fireEvent.input(within(dialog).getByLabelText('Why the content should stay'), { target: { value: 'Registration RCI A12345 is on file.' } });
    await fireEvent.click(within(dialog).getByRole('button', { name: 'Send dispute' }));
    await eventually(() => expect(api.takedownDispute).toHaveBeenCalledWith({ id: 't1', response: 'Registration RCI A12345 is on file.' }));

    await fireEvent.click(within(screen.getByTestId('takedown')).getByRole('button', { name: 'Remove content…' }));
    dialog = screen.getByTestId('notice-action');
    await fireEvent.click(within(dialog).getByRole('button', { name: 'Record removal' }));
    await eventually(() => expect(api.takedownRemove).toHaveBeenCalledWith({ id: 't1', response: '' }));
  });
});

describe('Earnings', () => {
  it('adds up a month in rupees with Indian digit grouping and moves between months', async () => {
    const amounts = (over = {}) => ({ sessionsCompleted: 84, sessionsPaid: 86, feesPaise: 12345600, refundsPaise: 150000,
      refundPendingPaise: 0, netPaise: 12195600, outstandingPaise: 0, ...over });
    api.earningsMonth.mockImplementation(async (year: number, month: number) => ({
      year, month, zone: 'Asia/Kolkata', currency: 'INR', unreadable: 0, total: amounts({ outstandingPaise: 200000 }),
      days: [{ date: '2026-03-02', amounts: amounts({ sessionsCompleted: 1, feesPaise: 150000, refundsPaise: 0, netPaise: 150000 }) }],
    }));
    render(EarningsView, { zone: 'Asia/Kolkata', month: '2026-03', onclose: vi.fn() });
    await eventually(() => expect(screen.getByTestId('earnings-fees').textContent).toBe('₹1,23,456'));
    expect(screen.getByTestId('earnings-refunds').textContent).toBe('− ₹1,500');
    expect(screen.getByTestId('earnings-net').textContent).toBe('₹1,21,956');
    expect(screen.getByTestId('earnings-sessions').textContent).toBe('84');
    expect(screen.getByTestId('earnings-day').textContent).toMatch(/Mon, 2 Mar.*1.*86.*₹1,500.*—.*₹1,500/);
    expect(screen.getByTestId('earnings-outstanding').textContent).toMatch(/₹2,000 for completed sessions is not paid yet/);
    expect(api.earningsMonth).toHaveBeenLastCalledWith(2026, 3);
    await fireEvent.click(screen.getByRole('button', { name: 'Previous month' }));
    await eventually(() => expect(api.earningsMonth).toHaveBeenLastCalledWith(2026, 2));
    expect(screen.getByRole('heading', { name: /February 2026/ })).toBeTruthy();
  });
});
