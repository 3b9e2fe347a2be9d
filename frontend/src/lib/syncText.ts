// Words for sync: states and errors said calmly with what to do, outbox kinds and
// rejection codes in plain language, relative times, match urgency and notice
// deadlines. Pure functions, so every wording is tested without a Go side.
import type { Grievance, Match, SyncPhase, SyncProgress, SyncStatus, Takedown } from '../api';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** "just now", "2 min ago", "3 h ago", "yesterday", "4 days ago"; "" for "". */
export function ago(instant: string, now: number): string {
  const t = Date.parse(instant);
  if (!instant || Number.isNaN(t)) return '';
  const d = Math.max(0, now - t);
  if (d < MINUTE) return 'just now';
  if (d < HOUR) return `${Math.floor(d / MINUTE)} min ago`;
  if (d < DAY) return `${Math.floor(d / HOUR)} h ago`;
  if (d < 2 * DAY) return 'yesterday';
  return `${Math.floor(d / DAY)} days ago`;
}

/** A span in words: "2 days", "1 day 4 h", "3 h 20 min", "5 min" (at least 1 min). */
export function span(ms: number): string {
  const d = Math.max(0, ms);
  if (d >= 2 * DAY) return `${Math.floor(d / DAY)} days`;
  if (d >= DAY) {
    const h = Math.floor((d - DAY) / HOUR);
    return h > 0 ? `1 day ${h} h` : '1 day';
  }
  if (d >= HOUR) {
    const h = Math.floor(d / HOUR);
    const m = Math.floor((d % HOUR) / MINUTE);
    return m > 0 ? `${h} h ${m} min` : `${h} h`;
  }
  return `${Math.max(1, Math.floor(d / MINUTE))} min`;
}

/** The time until an instant in words; "" when it has passed or does not parse. */
export function timeLeft(instant: string, now: number): string {
  const t = Date.parse(instant);
  if (!instant || Number.isNaN(t) || t <= now) return '';
  return span(t - now);
}

export type Tone = 'ok' | 'busy' | 'warn' | 'error' | 'off';

export interface StateWords {
  /** A short label for the sidebar. */
  label: string;
  /** One sentence: what is going on and, if anything, what to do. */
  detail: string;
  tone: Tone;
  /** A glyph so the state is not told by colour alone. */
  glyph: string;
}

/** How a sync state reads, calmly, with what to do about it. */
export function stateWords(s: SyncStatus | null): StateWords {
  if (!s) return { label: 'Sync', detail: 'Checking the connection…', tone: 'off', glyph: '○' };
  switch (s.state) {
    case 'not_connected':
      return { label: 'Not connected', detail: 'This computer is not connected to CalmAlly yet. Connect it in Settings → Sync.', tone: 'off', glyph: '○' };
    case 'locked':
      return { label: 'Paused', detail: 'Sync pauses while the vault is locked.', tone: 'off', glyph: '○' };
    case 'syncing':
      return { label: 'Syncing…', detail: 'Sending your changes and fetching the platform’s.', tone: 'busy', glyph: '↻' };
    case 'idle':
      if (s.parked > 0) {
        const n = s.parked === 1 ? '1 change was' : `${s.parked} changes were`;
        return { label: 'Needs a look', detail: `Synced, but ${n} not accepted by the platform. See Settings → Sync to send again or discard.`, tone: 'warn', glyph: '⚠' };
      }
      return { label: 'Up to date', detail: 'Your changes have reached CalmAlly.', tone: 'ok', glyph: '✓' };
    case 'offline':
      return { label: 'Offline', detail: 'CalmAlly cannot be reached. Keep working: changes are kept here and sent when the connection is back.', tone: 'warn', glyph: '⚠' };
    case 'needs_enrolment':
      return { label: 'Connect again', detail: 'This computer’s access to CalmAlly was revoked or has expired. Nothing is lost; connect again in Settings → Sync with a new code.', tone: 'error', glyph: '!' };
    case 'region_refused':
      return { label: 'Sync stopped', detail: 'The server says it keeps data outside India, so nothing was sent. Check the server address in Settings → Sync.', tone: 'error', glyph: '!' };
    case 'update_needed':
      return { label: 'Update needed', detail: 'CalmAlly needs a newer version of this app to sync. Your work is safe here; update the app to resume.', tone: 'error', glyph: '!' };
    case 'error':
    default:
      return {
        label: 'Sync problem',
        detail: s.errorMessage
          ? `${sentence(s.errorMessage)} Changes are kept here; the app tries again by itself.`
          : 'The last sync did not finish. Changes are kept here; the app tries again by itself.',
        tone: 'error',
        glyph: '!',
      };
  }
}

function sentence(text: string): string {
  const t = text.trim();
  if (t === '') return t;
  const s = t.charAt(0).toUpperCase() + t.slice(1);
  return /[.!?]$/.test(s) ? s : `${s}.`;
}

const phaseWords: Record<SyncPhase, string> = {
  connect: 'Connecting',
  push: 'Sending changes',
  pull: 'Fetching updates',
  apply: 'Saving updates',
  done: 'Finishing',
};

/** "Sending changes: 3 of 7", "Fetching updates: 120 received", "Saving updates: 40 of 120". */
export function progressWords(p: SyncProgress): string {
  const phase = phaseWords[p.phase] ?? 'Syncing';
  if (p.phase === 'push' && p.total > 0) return `${phase}: ${p.pushed} of ${p.total}`;
  if (p.phase === 'pull' && p.pulled > 0) return `${phase}: ${p.pulled} received`;
  if (p.phase === 'apply' && p.pulled > 0) return `${phase}: ${p.applied} of ${p.pulled}`;
  return phase;
}

/** 0..1 for a determinate bar, or null when the total is not known. */
export function progressFraction(p: SyncProgress): number | null {
  if (p.phase === 'push' && p.total > 0) return Math.min(1, p.pushed / p.total);
  if (p.phase === 'apply' && p.pulled > 0) return Math.min(1, p.applied / p.pulled);
  if (p.phase === 'done') return 1;
  return null;
}

const kindWords: Record<string, string> = {
  'booking.confirm': 'Booking confirmed',
  'booking.decline': 'Booking declined',
  'booking.cancel': 'Session cancelled',
  'booking.complete': 'Session marked completed',
  'booking.no_show': 'Session marked no-show',
  'booking.walk_in': 'Walk-in session added',
  'availability.publish': 'Availability published',
  'consent.grant': 'Consent recorded',
  'consent.withdraw': 'Consent withdrawn',
  'match.accept': 'Match accepted',
  'match.decline': 'Match declined',
  'minor.refused': 'Under-18 record refused',
  'grievance.acknowledge': 'Grievance acknowledged',
  'grievance.resolve': 'Grievance resolved',
  'takedown.remove': 'Content removed',
  'takedown.dispute': 'Takedown disputed',
  'profile.submit': 'Profile submitted',
};

/** "booking.confirm" → "Booking confirmed". */
export function kindLabel(kind: string): string {
  return kindWords[kind] ?? kind.replace(/[._]+/g, ' ');
}

const reasonWords: Record<string, string> = {
  booking_conflict: 'The platform changed this booking first (for example, the client cancelled), so your change no longer applies.',
  match_closed: 'The proposal had already expired or been withdrawn when your answer arrived.',
  slot_taken: 'That time is already taken on the platform.',
  not_found: 'The platform no longer knows this record.',
  invalid: 'The platform could not read this change. Discard it and make the change again; if it keeps happening, tell support.',
  unknown_kind: 'The platform does not accept this kind of change from this version of the app.',
  consent_required: 'Held back: it concerns a client whose consent to processing outside India is not recorded.',
  integrity: 'This change could not be opened on this computer (it failed its integrity check), so it was not sent.',
};

/** A rejection code in words; unknown codes are named, never hidden. */
export function reasonLabel(code: string): string {
  return reasonWords[code] ?? `The platform refused it (${code}).`;
}

/** Whether retrying can help: a consent or a transient clash may have cleared; a closed match cannot reopen. */
export function retryMakesSense(code: string): boolean {
  return code !== 'match_closed' && code !== 'unknown_kind' && code !== 'integrity';
}

const connectErrors: Record<string, string> = {
  forbidden: 'The code was not accepted. Codes work once and expire after 15 minutes: ask for a new one in your CalmAlly account.',
};

/** A connect failure in words; the Go message names the rule, so it is shown after a calm lead. */
export function connectError(code: string, message: string): string {
  const m = message.toLowerCase();
  if (m.includes('region')) return `${sentence(message)} Data about your clients may only be kept in India.`;
  if (m.includes('http') && (m.includes('https') || m.includes('plain'))) return `${sentence(message)} Use the https:// address from your CalmAlly account.`;
  if (m.includes('enrol') || m.includes('code')) {
    return m.includes('expired') ? sentence(message) : `${sentence(message)} Codes work once and expire after 15 minutes.`;
  }
  return connectErrors[code] ?? sentence(message);
}

// --- matches -----------------------------------------------------------------------

export const declineReasons: { value: 'caseload_full' | 'not_my_specialty' | 'language' | 'schedule' | 'other'; label: string }[] = [
  { value: 'caseload_full', label: 'My caseload is full' },
  { value: 'not_my_specialty', label: 'Outside my areas of practice' },
  { value: 'language', label: 'I do not speak the client’s language' },
  { value: 'schedule', label: 'Our times do not fit' },
  { value: 'other', label: 'Another reason' },
];

export function declineReasonLabel(r: string): string {
  return declineReasons.find((x) => x.value === r)?.label ?? r;
}

export const matchStatusLabels: Record<string, string> = {
  proposed: 'Waiting for you',
  accepted: 'Accepted',
  declined: 'Declined',
  expired: 'Expired',
  withdrawn: 'Withdrawn by the platform',
};

export function matchModalityLabel(m: string): string {
  return m === 'online' ? 'Online' : m === 'in_person' ? 'In person' : m === 'either' ? 'Online or in person' : m;
}

const languageNames: Record<string, string> = {
  en: 'English', hi: 'Hindi', bn: 'Bengali', ta: 'Tamil', te: 'Telugu', mr: 'Marathi', gu: 'Gujarati', kn: 'Kannada',
  ml: 'Malayalam', pa: 'Punjabi', or: 'Odia', ur: 'Urdu', as: 'Assamese',
};

export function languageLabel(code: string): string {
  return languageNames[code.toLowerCase()] ?? code;
}

/** "anxiety" / "work_stress" → "Anxiety" / "Work stress". */
export function concernLabel(c: string): string {
  const w = c.replace(/[_-]+/g, ' ').trim();
  return w.charAt(0).toUpperCase() + w.slice(1);
}

export type Urgency = 'calm' | 'soon' | 'urgent' | 'past';

/** How pressing a proposal is: under 6 h urgent, under 24 h soon. */
export function matchUrgency(m: Match, now: number): Urgency {
  const t = Date.parse(m.respondBy);
  if (Number.isNaN(t)) return 'calm';
  const d = t - now;
  if (d <= 0) return 'past';
  if (d < 6 * HOUR) return 'urgent';
  if (d < DAY) return 'soon';
  return 'calm';
}

export function isOpenMatch(m: Match, now: number): boolean {
  return m.status === 'proposed' && matchUrgency(m, now) !== 'past';
}

// --- grievances and takedowns ------------------------------------------------------

export interface Deadline {
  /** "Acknowledge", "Resolve", "Remove". */
  what: string;
  at: string;
  overdue: boolean;
  /** Due within a quarter of its window (or 6 h, whichever is larger). */
  soon: boolean;
}

function deadline(what: string, at: string, now: number, window: number): Deadline {
  const t = Date.parse(at);
  const left = Number.isNaN(t) ? Infinity : t - now;
  return { what, at, overdue: left <= 0, soon: left > 0 && left < Math.max(6 * HOUR, window / 4) };
}

/** The next deadline of an open grievance (acknowledge in 24 h, then resolve in 15 days); null once resolved. */
export function grievanceDeadline(g: Grievance, now: number): Deadline | null {
  // Never acknowledged and past the resolve-by date too: the later promise is the one broken.
  if (g.status === 'open' && Date.parse(g.resolveBy) <= now) return deadline('Resolve', g.resolveBy, now, 15 * DAY);
  if (g.status === 'open') return deadline('Acknowledge', g.acknowledgeBy, now, DAY);
  if (g.status === 'acknowledged') return deadline('Resolve', g.resolveBy, now, 15 * DAY);
  return null;
}

/** An open takedown notice's deadline (remove within 36 h); null once answered. */
export function takedownDeadline(t: Takedown, now: number): Deadline | null {
  return t.status === 'open' ? deadline('Remove', t.removeBy, now, 36 * HOUR) : null;
}

/** "due in 5 h 20 min" or "overdue by 2 h". */
export function deadlineWords(d: Deadline, now: number): string {
  const t = Date.parse(d.at);
  if (Number.isNaN(t)) return '';
  return d.overdue ? `overdue by ${span(now - t)}` : `due in ${span(t - now)}`;
}

export const grievanceStatusLabels: Record<string, string> = {
  open: 'New — acknowledge it',
  acknowledged: 'Acknowledged',
  resolved: 'Resolved',
};

export const takedownStatusLabels: Record<string, string> = {
  open: 'New — act on it',
  removed: 'Content removed',
  disputed: 'Disputed',
};

// --- earnings ------------------------------------------------------------------------

/** "2026-03" → {year: 2026, month: 3}. */
export function parseMonth(ym: string): { year: number; month: number } | null {
  const m = /^(\d{4})-(\d{2})$/.exec(ym);
  if (!m) return null;
  const month = Number(m[2]);
  return month >= 1 && month <= 12 ? { year: Number(m[1]), month } : null;
}

export function monthString(year: number, month: number): string {
  return `${year}-${String(month).padStart(2, '0')}`;
}

export function addMonths(ym: string, n: number): string {
  const p = parseMonth(ym);
  if (!p) return ym;
  const i = p.year * 12 + (p.month - 1) + n;
  return monthString(Math.floor(i / 12), (i % 12) + 1);
}

const monthName = new Intl.DateTimeFormat('en-IN', { month: 'long', year: 'numeric', timeZone: 'UTC' });

export function monthLabel(ym: string): string {
  const p = parseMonth(ym);
  return p ? monthName.format(new Date(Date.UTC(p.year, p.month - 1, 1))) : ym;
}
