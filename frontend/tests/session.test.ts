import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import * as api from './api-mock';
import { eventually } from './util';
import SessionControls from '../src/components/SessionControls.svelte';
import { clinical } from '../src/lib/clinical.svelte';
import type { Booking, SessionState } from '../src/api/scheduling';

vi.mock('../src/api', () => import('./api-mock'));

const future = new Date(Date.now() + 72 * 3600_000);

function booking(over: Partial<Booking> = {}): Booking {
  return {
    id: 'b1', rev: 2, source: 'platform', status: 'confirmed', clientId: 'c1', clientLabel: 'N.V.',
    start: future.toISOString(), end: new Date(future.getTime() + 50 * 60_000).toISOString(),
    modality: 'online', location: '', joinLink: 'https://meet.example/x', feePaise: 150000, currency: 'INR',
    paymentStatus: 'paid', notes: '', message: '', rescheduledFrom: '', rescheduledTo: '', createdAt: '', updatedAt: '',
    actions: ['cancel'],
    ...over,
  } as Booking;
}

function session(over: Partial<SessionState> = {}): SessionState {
  return { recordingRequested: false, recordingOn: false, recorded: false, recordingAt: '', recordingConsent: false,
    remindersConsent: false, reminders: [], ...over };
}

describe('SessionControls', () => {
  beforeEach(() => {
    vi.resetAllMocks();
  });

  it('recording refused for want of consent is explained, with the way to the consents', async () => {
    api.bookingSession.mockResolvedValue(session({ recordingRequested: true }));
    api.bookingSetRecording.mockRejectedValue('consent_required: consent required: recording');
    const onconsents = vi.fn();
    render(SessionControls, { booking: booking(), onconsents });
    expect(await screen.findByText(/asked on CalmAlly for this session to be recorded/)).toBeTruthy();
    await fireEvent.click(screen.getByRole('button', { name: 'Record this session' }));
    const note = await screen.findByTestId('session-consent-needed');
    expect(note.textContent).toMatch(/Not recorded\..*having sessions recorded/s);
    expect(screen.queryByRole('alert')).toBeNull();
    await fireEvent.click(within(note).getByRole('button', { name: 'Open the client’s consents' }));
    expect(clinical.view).toEqual({ kind: 'client', clientId: 'c1', consent: 'recording' });
    expect(onconsents).toHaveBeenCalled();
  });

  it('recording on, then shown as not recorded once the consent is withdrawn', async () => {
    api.bookingSession.mockResolvedValue(session({ recordingConsent: true }));
    api.bookingSetRecording.mockResolvedValue(session({ recordingOn: true, recorded: true, recordingConsent: true }));
    const first = render(SessionControls, { booking: booking() });
    await fireEvent.click(await screen.findByRole('button', { name: 'Record this session' }));
    await eventually(() => expect(screen.getByTestId('recording-state').textContent).toBe('on'));
    expect(api.bookingSetRecording).toHaveBeenCalledWith('b1', true);
    expect(screen.getByRole('button', { name: 'Stop recording' })).toBeTruthy();
    first.unmount();

    api.bookingSession.mockResolvedValue(session({ recordingOn: true, recorded: false }));
    render(SessionControls, { booking: booking() });
    await eventually(() => expect(screen.getByTestId('recording-state').textContent).toBe('off'));
    expect(screen.getByText(/recording consent is no longer in force/)).toBeTruthy();
  });

  it('in-person sessions offer no recording; reminders are sent and counted', async () => {
    api.bookingSession.mockResolvedValue(session({ remindersConsent: true }));
    api.bookingRemind.mockResolvedValue(session({ remindersConsent: true, reminders: [{ at: '2026-03-01T09:00:00Z', trigger: 'manual' }] }));
    render(SessionControls, { booking: booking({ modality: 'in_person' }) });
    expect(await screen.findByText(/Only online sessions/)).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Record this session' })).toBeNull();
    expect(screen.getByText(/reminds the client a day before/)).toBeTruthy();
    await fireEvent.click(screen.getByRole('button', { name: 'Remind now' }));
    await eventually(() => expect(screen.getByTestId('reminder-state').textContent).toBe('1 sent'));
    expect(screen.getByText(/Last sent by you/)).toBeTruthy();
  });

  it('a requested session cannot be reminded of yet', async () => {
    api.bookingSession.mockResolvedValue(session());
    render(SessionControls, { booking: booking({ status: 'requested' }) });
    expect(await screen.findByText(/has not consented to reminders/)).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Remind now' })).toBeNull();
  });
});
