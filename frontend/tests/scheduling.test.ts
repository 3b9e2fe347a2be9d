import { fireEvent, render, screen } from '@testing-library/svelte';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import * as api from './api-mock';
import { eventually } from './util';
import BookingDetails from '../src/components/BookingDetails.svelte';
import TimeOffDialog from '../src/components/TimeOffDialog.svelte';
import Calendar from '../src/screens/Calendar.svelte';
import type { Booking } from '../src/api/scheduling';
import { addDays, draftSlots, formatRupees, parseRupees, startOfWeek } from '../src/lib/schedule';

vi.mock('../src/api', () => import('./api-mock'));

function booking(over: Partial<Booking> = {}): Booking {
  return {
    id: 'b1',
    rev: 1,
    source: 'platform',
    status: 'confirmed',
    clientId: '',
    clientLabel: 'Meera',
    start: '2026-03-02T05:30:00Z', // 11:00 in Asia/Kolkata
    end: '2026-03-02T06:20:00Z',
    modality: 'in_person',
    location: 'Clinic',
    joinLink: '',
    feePaise: 150000,
    currency: 'INR',
    paymentStatus: 'paid',
    notes: '',
    message: '',
    rescheduledFrom: '',
    rescheduledTo: '',
    createdAt: '2026-02-20T10:00:00Z',
    updatedAt: '2026-02-20T10:00:00Z',
    actions: ['cancel', 'complete'],
    ...over,
  };
}

describe('rupees', () => {
  it('formats paise as rupees with Indian digit grouping', () => {
    expect(formatRupees(150000)).toBe('₹1,500');
    expect(formatRupees(1234567800)).toBe('₹1,23,45,678');
    expect(formatRupees(12345678901)).toBe('₹12,34,56,789.01');
    expect(formatRupees(99950)).toBe('₹999.50');
  });
  it('parses typed rupees into paise', () => {
    expect(parseRupees('1,500')).toBe(150000);
    expect(parseRupees('₹ 1,23,456.5')).toBe(12345650);
    expect(parseRupees('')).toBe(0);
    expect(parseRupees('abc')).toBeNaN();
  });
});

describe('slot expansion for the live preview', () => {
  it('expands weekly hours with session length and buffer in the zone, honouring notice', () => {
    const rs = {
      zone: 'Asia/Kolkata', sessionMinutes: 50, bufferMinutes: 10, minimumNoticeHours: 24, horizonDays: 60,
      modality: 'in_person' as const, weekly: [{ day: 'mon' as const, start: '10:00', end: '13:00' }],
      exceptions: [{ kind: 'time_off' as const, from: '2026-03-09' }],
    };
    const now = new Date('2026-03-01T04:00:00Z'); // Sunday 09:30 in Kolkata
    const slots = draftSlots(rs, '2026-03-01', 14, now);
    expect(slots.map((s) => `${s.date} ${s.start}–${s.end}`)).toEqual([
      '2026-03-02 10:00–10:50',
      '2026-03-02 11:00–11:50',
      '2026-03-02 12:00–12:50',
    ]);
  });
});

describe('BookingDetails', () => {
  beforeEach(() => vi.resetAllMocks());

  it('shows only the actions the booking allows, with fee and payment status', () => {
    render(BookingDetails, { booking: booking(), zone: 'Asia/Kolkata', onchange: vi.fn(), onclose: vi.fn() });
    const buttons = screen.getByTestId('booking-actions').querySelectorAll('button');
    expect([...buttons].map((b) => b.dataset.action)).toEqual(['cancel', 'complete']);
    expect(screen.queryByRole('button', { name: 'Confirm' })).toBeNull();
    expect(screen.queryByRole('button', { name: /no-show/i })).toBeNull();
    expect(screen.getByTestId('booking-fee').textContent).toBe('₹1,500');
    expect(screen.getByTestId('booking-payment').textContent).toBe('Paid');
    expect(screen.getByTestId('booking-status').textContent).toContain('Confirmed');
  });

  it('a requested booking offers confirm and decline only', () => {
    render(BookingDetails, { booking: booking({ status: 'requested', actions: ['confirm', 'decline'] }), zone: 'Asia/Kolkata', onchange: vi.fn(), onclose: vi.fn() });
    const buttons = screen.getByTestId('booking-actions').querySelectorAll('button');
    expect([...buttons].map((b) => b.dataset.action)).toEqual(['confirm', 'decline']);
  });

  it('will not cancel without a message, then cancels with it', async () => {
    const onchange = vi.fn();
    api.bookingCancel.mockResolvedValue(booking({ status: 'cancelled_by_practitioner', actions: [] }));
    render(BookingDetails, { booking: booking(), zone: 'Asia/Kolkata', onchange, onclose: vi.fn() });
    await fireEvent.click(screen.getByRole('button', { name: 'Cancel session…' }));
    await fireEvent.click(screen.getByRole('button', { name: 'Cancel session' }));
    expect(api.bookingCancel).not.toHaveBeenCalled();
    expect(screen.getByRole('alert').textContent).toMatch(/message/i);
    await fireEvent.input(screen.getByLabelText('Message to the client (required)'), { target: { value: 'I am unwell, sorry.' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Cancel session' }));
    await eventually(() => expect(api.bookingCancel).toHaveBeenCalledWith({ id: 'b1', message: 'I am unwell, sorry.' }));
    await eventually(() => expect(onchange).toHaveBeenCalled());
  });
});

describe('TimeOffDialog', () => {
  beforeEach(() => vi.resetAllMocks());

  it('lists every collision and saves only once each has a decision', async () => {
    const a = booking({ id: 'b1', clientLabel: 'Meera' });
    const b = booking({ id: 'b2', clientLabel: 'Ravi', start: '2026-03-02T06:30:00Z', end: '2026-03-02T07:20:00Z' });
    api.timeOffCollisions.mockResolvedValue([a, b]);
    api.timeOffSave.mockResolvedValue({ version: 1, ruleSets: [] });
    const onsaved = vi.fn();
    render(TimeOffDialog, { zone: 'Asia/Kolkata', date: '2026-03-02', onclose: vi.fn(), onsaved });
    const save = screen.getByTestId('timeoff-save') as HTMLButtonElement;
    expect(save.disabled).toBe(true);

    await fireEvent.click(screen.getByTestId('timeoff-check'));
    await eventually(() => expect(screen.getAllByTestId('timeoff-collision')).toHaveLength(2));
    expect(api.timeOffCollisions).toHaveBeenCalledWith({ kind: 'time_off', from: '2026-03-02', to: '2026-03-02', start: '', end: '' });
    const rows = screen.getAllByTestId('timeoff-collision');
    expect(rows[0].textContent).toContain('Meera');
    expect(rows[0].textContent).toContain('11:00–11:50');
    expect(rows[1].textContent).toContain('Ravi');
    expect(save.disabled).toBe(true);

    const keeps = screen.getAllByLabelText('Keep this session');
    const cancels = screen.getAllByLabelText('Cancel it');
    await fireEvent.click(keeps[0]);
    expect(save.disabled).toBe(true); // Ravi undecided
    await fireEvent.click(cancels[1]);
    expect(save.disabled).toBe(true); // cancel without a message
    await fireEvent.input(screen.getByLabelText('Message to the client (required)'), { target: { value: 'Clinic closed that day.' } });
    await eventually(() => expect(save.disabled).toBe(false));
    await fireEvent.click(save);
    await eventually(() =>
      expect(api.timeOffSave).toHaveBeenCalledWith({
        timeOff: { kind: 'time_off', from: '2026-03-02', to: '2026-03-02', start: '', end: '' },
        decisions: [
          { bookingId: 'b1', action: 'keep', message: '' },
          { bookingId: 'b2', action: 'cancel', message: 'Clinic closed that day.' },
        ],
      }),
    );
    await eventually(() => expect(onsaved).toHaveBeenCalled());
  });

  it('asks to check again when the dates change after a check', async () => {
    api.timeOffCollisions.mockResolvedValue([]);
    render(TimeOffDialog, { zone: 'Asia/Kolkata', date: '2026-03-02', onclose: vi.fn(), onsaved: vi.fn() });
    await fireEvent.click(screen.getByTestId('timeoff-check'));
    const save = screen.getByTestId('timeoff-save') as HTMLButtonElement;
    await eventually(() => expect(save.disabled).toBe(false));
    await fireEvent.input(screen.getByLabelText('Last day'), { target: { value: '2026-03-03' } });
    await eventually(() => expect(save.disabled).toBe(true));
  });
});

describe('Calendar keyboard', () => {
  beforeEach(() => {
    vi.resetAllMocks();
    api.availabilityGet.mockResolvedValue({ version: 1, ruleSets: [] });
    api.availabilityOpenings.mockResolvedValue([]);
    api.bookingsList.mockResolvedValue({ bookings: [], unreadable: [] });
    api.clientsList.mockResolvedValue({ clients: [], unreadable: [] });
  });

  function from(): string {
    return screen.getByTestId('calendar').getAttribute('data-from') ?? '';
  }

  it('moves by weeks with arrows and PageUp/PageDown, T returns to today', async () => {
    render(Calendar, { initialDate: '2026-03-04' });
    await eventually(() => expect(api.bookingsList).toHaveBeenCalledWith('2026-03-02', '2026-03-08'));
    expect(from()).toBe('2026-03-02');
    await fireEvent.keyDown(document.body, { key: 'PageDown' });
    expect(from()).toBe('2026-03-09');
    await eventually(() => expect(api.bookingsList).toHaveBeenCalledWith('2026-03-09', '2026-03-15'));
    await fireEvent.keyDown(document.body, { key: 'ArrowRight' });
    expect(from()).toBe('2026-03-16');
    await fireEvent.keyDown(document.body, { key: 'ArrowLeft' });
    await fireEvent.keyDown(document.body, { key: 'PageUp' });
    await fireEvent.keyDown(document.body, { key: 'PageUp' });
    expect(from()).toBe('2026-02-23');
    await fireEvent.keyDown(document.body, { key: 't' });
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Kolkata', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
    expect(from()).toBe(startOfWeek(today));
    expect(addDays(from(), 6)).toBe(screen.getByTestId('calendar').getAttribute('data-to'));
  });

  it('D and W switch views; in day view the arrows move a day and PageDown a week', async () => {
    render(Calendar, { initialDate: '2026-03-04' });
    await eventually(() => expect(from()).toBe('2026-03-02'));
    await fireEvent.keyDown(document.body, { key: 'd' });
    expect(screen.getByTestId('calendar').getAttribute('data-view')).toBe('day');
    expect(from()).toBe('2026-03-04');
    await fireEvent.keyDown(document.body, { key: 'ArrowRight' });
    expect(from()).toBe('2026-03-05');
    await fireEvent.keyDown(document.body, { key: 'PageDown' });
    expect(from()).toBe('2026-03-12');
    await eventually(() => expect(api.bookingsList).toHaveBeenCalledWith('2026-03-12', '2026-03-12'));
    await fireEvent.keyDown(document.body, { key: 'w' });
    expect(from()).toBe('2026-03-09');
  });

  it('ignores the keys while typing in a field', async () => {
    render(Calendar, { initialDate: '2026-03-04' });
    await eventually(() => expect(from()).toBe('2026-03-02'));
    const input = document.createElement('input');
    document.body.appendChild(input);
    await fireEvent.keyDown(input, { key: 'PageDown' });
    expect(from()).toBe('2026-03-02');
    input.remove();
  });

  it('places bookings on the grid with status text, and opens details on click', async () => {
    api.bookingsList.mockResolvedValue({ bookings: [booking({ status: 'requested', actions: ['confirm', 'decline'] })], unreadable: [] });
    render(Calendar, { initialDate: '2026-03-04' });
    const item = await screen.findByTestId('calendar-booking');
    expect(item.textContent).toMatch(/11:00–11:50.*Meera.*In person.*Requested/);
    expect(item.textContent).toContain('Requested');
    await fireEvent.click(item);
    await eventually(() => expect(screen.getByTestId('booking-details')).toBeTruthy());
    expect(screen.getByRole('button', { name: 'Confirm' })).toBeTruthy();
  });
});

describe('Calendar: open hours from the grid', () => {
  beforeEach(() => {
    vi.resetAllMocks();
    api.availabilityGet.mockResolvedValue({ version: 1, ruleSets: [] });
    api.availabilitySet.mockImplementation(async (a: unknown) => a);
    api.availabilityOpenings.mockResolvedValue([]);
    api.bookingsList.mockResolvedValue({ bookings: [], unreadable: [] });
    api.clientsList.mockResolvedValue({ clients: [], unreadable: [] });
  });

  it('a click on an empty spot adds weekly hours on that weekday', async () => {
    render(Calendar, { initialDate: '2026-03-04' });
    await eventually(() => expect(document.querySelector('section[data-date="2026-03-02"]')).toBeTruthy());
    // jsdom lays nothing out: the column's top is 0, so 120 px below it is 10:00 on an 08:00 grid.
    await fireEvent.click(document.querySelector('section[data-date="2026-03-02"]')!, { clientY: 120 });
    await screen.findByTestId('addhours-dialog');
    expect((screen.getByLabelText('From') as HTMLInputElement).value).toBe('10:00');
    expect(screen.getByLabelText('Every Monday')).toBeTruthy();
    await fireEvent.click(screen.getByRole('button', { name: 'Add open hours' }));
    await eventually(() => expect(api.availabilitySet).toHaveBeenCalled());
    const saved = api.availabilitySet.mock.calls[0][0] as { ruleSets: { weekly: unknown[]; zone: string }[] };
    expect(saved.ruleSets[0].weekly).toEqual([{ day: 'mon', start: '10:00', end: '13:00' }]);
    expect(saved.ruleSets[0].zone).toBe('Asia/Kolkata');
  });
});
