// Date, time and money helpers for the scheduling screens. Calendar dates are
// "YYYY-MM-DD" strings and are computed with UTC arithmetic, so a date never
// drifts across a clock change; instants are shown in the schedule's zone.
import type { BookingStatus, PaymentStatus, RuleSet, Weekday } from '../api';

export const defaultZone = 'Asia/Kolkata';

const rupees = new Intl.NumberFormat('en-IN', { style: 'currency', currency: 'INR', minimumFractionDigits: 0, maximumFractionDigits: 0 });
const rupeesPaise = new Intl.NumberFormat('en-IN', { style: 'currency', currency: 'INR', minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** 1250000 paise → "₹12,500"; 12345678901 → "₹12,34,56,789.01" (Indian digit grouping). */
export function formatRupees(paise: number): string {
  return paise % 100 === 0 ? rupees.format(paise / 100) : rupeesPaise.format(paise / 100);
}

/** "1,500.50" or "1500" rupees → paise; NaN when it does not parse. */
export function parseRupees(text: string): number {
  const t = text.replace(/[₹,\s]/g, '');
  if (t === '') return 0;
  if (!/^\d+(\.\d{1,2})?$/.test(t)) return NaN;
  return Math.round(Number(t) * 100);
}

function parseDate(d: string): Date {
  const [y, m, day] = d.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, day));
}

function dateString(d: Date): string {
  return d.toISOString().slice(0, 10);
}

export function addDays(date: string, n: number): string {
  const d = parseDate(date);
  d.setUTCDate(d.getUTCDate() + n);
  return dateString(d);
}

export const weekdays: Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
export const weekdayNames: Record<Weekday, string> = {
  mon: 'Monday', tue: 'Tuesday', wed: 'Wednesday', thu: 'Thursday', fri: 'Friday', sat: 'Saturday', sun: 'Sunday',
};

/** Monday = 0 … Sunday = 6. */
export function weekdayIndex(date: string): number {
  return (parseDate(date).getUTCDay() + 6) % 7;
}

export function weekdayOf(date: string): Weekday {
  return weekdays[weekdayIndex(date)];
}

/** The Monday on or before date. */
export function startOfWeek(date: string): string {
  return addDays(date, -weekdayIndex(date));
}

const partsCache = new Map<string, Intl.DateTimeFormat>();
function partsFormat(zone: string): Intl.DateTimeFormat {
  let f = partsCache.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
    });
    partsCache.set(zone, f);
  }
  return f;
}

/** An instant as wall-clock date and minutes after midnight in zone. */
export function zoned(instant: string | Date, zone: string): { date: string; minutes: number } {
  const d = typeof instant === 'string' ? new Date(instant) : instant;
  const p: Record<string, string> = {};
  for (const part of partsFormat(zone).formatToParts(d)) p[part.type] = part.value;
  const hour = Number(p.hour) % 24;
  return { date: `${p.year}-${p.month}-${p.day}`, minutes: hour * 60 + Number(p.minute) };
}

/** Today's date in zone. */
export function todayIn(zone: string, now: Date = new Date()): string {
  return zoned(now, zone).date;
}

/** The instant of a wall-clock time in zone (the first one, in a repeated hour). */
export function instantOf(date: string, minutes: number, zone: string): Date {
  const guess = parseDate(date).getTime() + minutes * 60_000;
  let t = guess;
  for (let i = 0; i < 3; i++) {
    const z = zoned(new Date(t), zone);
    const seen = parseDate(z.date).getTime() + z.minutes * 60_000;
    t += guess - seen;
  }
  return new Date(t);
}

export function clock(minutes: number): string {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`;
}

/** "HH:MM" → minutes after midnight; NaN when malformed. "24:00" is allowed. */
export function minutesOf(hhmm: string): number {
  const m = /^(\d{2}):(\d{2})$/.exec(hhmm ?? '');
  if (!m) return NaN;
  const v = Number(m[1]) * 60 + Number(m[2]);
  return Number(m[2]) < 60 && v <= 24 * 60 ? v : NaN;
}

/** Time of day of an instant, in zone: "10:00". */
export function timeIn(instant: string, zone: string): string {
  return clock(zoned(instant, zone).minutes);
}

const longDate = new Intl.DateTimeFormat('en-IN', { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
const shortDate = new Intl.DateTimeFormat('en-IN', { weekday: 'short', day: 'numeric', month: 'short', timeZone: 'UTC' });
const monthYear = new Intl.DateTimeFormat('en-IN', { month: 'long', year: 'numeric', timeZone: 'UTC' });
const dayMonth = new Intl.DateTimeFormat('en-IN', { day: 'numeric', month: 'short', timeZone: 'UTC' });

export function formatLongDate(date: string): string {
  return longDate.format(parseDate(date));
}
export function formatShortDate(date: string): string {
  return shortDate.format(parseDate(date));
}
export function formatDayMonth(date: string): string {
  return dayMonth.format(parseDate(date));
}
export function formatMonthYear(date: string): string {
  return monthYear.format(parseDate(date));
}

/** "Mon 1 Dec – Sun 7 Dec 2025" style heading for a week. */
export function formatRange(from: string, to: string): string {
  if (from === to) return formatLongDate(from);
  return `${formatDayMonth(from)} – ${formatDayMonth(to)} ${parseDate(to).getUTCFullYear()}`;
}

export const statusInfo: Record<BookingStatus, { label: string; glyph: string; tone: 'pending' | 'ok' | 'done' | 'off' | 'warn' }> = {
  requested: { label: 'Requested', glyph: '?', tone: 'pending' },
  confirmed: { label: 'Confirmed', glyph: '●', tone: 'ok' },
  completed: { label: 'Completed', glyph: '✓', tone: 'done' },
  no_show: { label: 'No-show', glyph: '⊘', tone: 'warn' },
  cancelled_by_client: { label: 'Cancelled by client', glyph: '✕', tone: 'off' },
  cancelled_by_practitioner: { label: 'Cancelled by you', glyph: '✕', tone: 'off' },
  declined: { label: 'Declined', glyph: '✕', tone: 'off' },
  rescheduled: { label: 'Rescheduled', glyph: '↷', tone: 'off' },
};

export const paymentLabels: Record<PaymentStatus, string> = {
  pending: 'Payment pending',
  paid: 'Paid',
  refund_pending: 'Refund pending',
  refunded: 'Refunded',
};

export const actionLabels = {
  confirm: 'Confirm',
  decline: 'Decline…',
  cancel: 'Cancel session…',
  complete: 'Mark completed',
  no_show: 'Mark no-show',
} as const;

export function modalityLabel(m: string): string {
  return m === 'online' ? 'Online' : 'In person';
}

export interface DraftSlot {
  date: string;
  start: string;
  end: string;
  modality: string;
}

/**
 * Expands a rule set that has not been saved yet into wall-clock slots, so the
 * editor can preview it while the user types (the Go side previews only the saved
 * schedule). Weekly hours, session length, buffer, notice, horizon and date
 * exceptions; existing bookings are not applied.
 */
export function draftSlots(rs: RuleSet, from: string, days: number, now: Date = new Date()): DraftSlot[] {
  const zone = rs.zone || defaultZone;
  const out: DraftSlot[] = [];
  const session = Math.round(rs.sessionMinutes);
  if (!(session > 0)) return out;
  const step = session + Math.max(0, Math.round(rs.bufferMinutes) || 0);
  const today = todayIn(zone, now);
  const lastDay = rs.horizonDays > 0 ? addDays(today, rs.horizonDays) : addDays(today, 366);
  const earliest = now.getTime() + Math.max(0, rs.minimumNoticeHours || 0) * 3_600_000;
  const exceptions = rs.exceptions ?? [];
  for (let i = 0; i < days; i++) {
    const date = addDays(from, i);
    if (date > lastDay) break;
    if (rs.effectiveFrom && date < rs.effectiveFrom) continue;
    if (rs.effectiveUntil && date > rs.effectiveUntil) continue;
    const on = exceptions.filter((e) => date >= e.from && date <= (e.to || e.from));
    if (on.some((e) => e.kind !== 'extra' && !e.start && !e.end)) continue;
    const windows = rs.weekly
      .filter((w) => w.day === weekdayOf(date))
      .map((w) => ({ s: minutesOf(w.start), e: minutesOf(w.end), modality: w.modality || rs.modality }));
    for (const e of on.filter((e) => e.kind === 'extra')) {
      windows.push({ s: e.start ? minutesOf(e.start) : 0, e: e.end ? minutesOf(e.end) : 1440, modality: e.modality || rs.modality });
    }
    const blocked = on.filter((e) => e.kind !== 'extra').map((e) => ({ s: minutesOf(e.start ?? ''), e: minutesOf(e.end ?? '') }));
    windows.sort((a, b) => a.s - b.s);
    for (const w of windows) {
      if (!(w.e > w.s)) continue;
      for (let t = w.s; t + session <= w.e; t += step) {
        if (blocked.some((b) => t < b.e && t + session > b.s)) continue;
        if (instantOf(date, t, zone).getTime() < earliest) continue;
        out.push({ date, start: clock(t), end: clock(t + session), modality: w.modality });
      }
    }
  }
  return out;
}
