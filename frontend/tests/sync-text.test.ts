import { describe, expect, it } from 'vitest';
import type { Grievance, Match, Takedown } from '../src/api/sync';
import { statusOf } from './sync-fixtures';
import {
  addMonths,
  ago,
  connectError,
  deadlineWords,
  grievanceDeadline,
  isOpenMatch,
  kindLabel,
  matchUrgency,
  monthLabel,
  parseMonth,
  progressFraction,
  progressWords,
  reasonLabel,
  retryMakesSense,
  stateWords,
  takedownDeadline,
  timeLeft,
} from '../src/lib/syncText';

const H = 3_600_000;
const now = Date.parse('2026-03-10T12:00:00Z');
const at = (ms: number) => new Date(now + ms).toISOString();

describe('relative times', () => {
  it('says how long ago, coarsely', () => {
    expect(ago(at(-20_000), now)).toBe('just now');
    expect(ago(at(-2 * 60_000 - 5_000), now)).toBe('2 min ago');
    expect(ago(at(-3 * H), now)).toBe('3 h ago');
    expect(ago(at(-30 * H), now)).toBe('yesterday');
    expect(ago(at(-5 * 24 * H), now)).toBe('5 days ago');
    expect(ago('', now)).toBe('');
    expect(ago('not a time', now)).toBe('');
  });
  it('says how long is left, and nothing once it has passed', () => {
    expect(timeLeft(at(3 * H + 20 * 60_000), now)).toBe('3 h 20 min');
    expect(timeLeft(at(2 * H), now)).toBe('2 h');
    expect(timeLeft(at(25 * H), now)).toBe('1 day 1 h');
    expect(timeLeft(at(24 * H), now)).toBe('1 day');
    expect(timeLeft(at(50 * H), now)).toBe('2 days');
    expect(timeLeft(at(30_000), now)).toBe('1 min');
    expect(timeLeft(at(-1), now)).toBe('');
  });
});

describe('sync states in words', () => {
  it('names every state calmly, with a glyph, and what to do for the bad ones', () => {
    const states = ['not_connected', 'offline', 'idle', 'syncing', 'error', 'needs_enrolment', 'region_refused', 'update_needed', 'locked'] as const;
    for (const state of states) {
      const w = stateWords(statusOf({ state }));
      expect(w.label, state).not.toBe('');
      expect(w.glyph, state).not.toBe('');
      if (w.tone === 'error') expect(w.detail, state).toMatch(/Settings → Sync|update|tries again/i);
    }
    expect(stateWords(statusOf({ state: 'offline' })).detail).toMatch(/Keep working/);
    expect(stateWords(statusOf({ state: 'needs_enrolment' })).detail).toMatch(/Nothing is lost/);
    expect(stateWords(null).label).toBe('Sync');
    const parked = stateWords(statusOf({ state: 'idle', parked: 2 }));
    expect(parked).toMatchObject({ label: 'Needs a look', tone: 'warn' });
    expect(parked.detail).toMatch(/2 changes were not accepted/);
  });
  it('quotes the engine message for a generic error as a sentence', () => {
    const w = stateWords(statusOf({ state: 'error', errorMessage: 'the server answered 503' }));
    expect(w.detail).toBe('The server answered 503. Changes are kept here; the app tries again by itself.');
  });
  it('describes progress with counts where it knows them', () => {
    const p = { phase: 'push' as const, pushed: 3, pulled: 0, applied: 0, total: 7 };
    expect(progressWords(p)).toBe('Sending changes: 3 of 7');
    expect(progressWords({ ...p, phase: 'pull', pulled: 120 })).toBe('Fetching updates: 120 received');
    expect(progressWords({ ...p, phase: 'apply', pulled: 120, applied: 40 })).toBe('Saving updates: 40 of 120');
    expect(progressWords({ ...p, phase: 'connect' })).toBe('Connecting');
    expect(progressFraction({ ...p, pushed: 3, total: 6 })).toBe(0.5);
    expect(progressFraction({ ...p, phase: 'pull', pulled: 9 })).toBeNull();
  });
});

describe('parked changes in words', () => {
  it('names kinds and explains known codes; unknown codes are shown, not hidden', () => {
    expect(kindLabel('booking.confirm')).toBe('Booking confirmed');
    expect(kindLabel('takedown.dispute')).toBe('Takedown disputed');
    expect(kindLabel('brand.new_kind')).toBe('brand new kind');
    expect(reasonLabel('booking_conflict')).toMatch(/platform changed this booking first/);
    expect(reasonLabel('weird_code')).toBe('The platform refused it (weird_code).');
    expect(retryMakesSense('booking_conflict')).toBe(true);
    expect(retryMakesSense('match_closed')).toBe(false);
  });
  it('explains connect failures by the rule that refused them', () => {
    expect(connectError('forbidden', 'sync: the backend keeps data in US, not India: region refused')).toMatch(/only be kept in India/);
    expect(connectError('invalid', 'sync: plain http is allowed only to loopback; use https')).toMatch(/https:\/\/ address/);
    expect(connectError('forbidden', 'bad enrolment code')).toMatch(/expire after 15 minutes/);
    expect(connectError('forbidden', 'the enrolment code is unknown, used or expired; ask for a new one')).not.toMatch(/15 minutes/);
  });
});

function match(over: Partial<Match> = {}): Match {
  return {
    id: 'm1', status: 'proposed', ageBand: '25-34', concerns: ['anxiety'], languages: ['en'], modality: 'online',
    preferences: '', proposedAt: at(-H), respondBy: at(30 * H), decidedAt: '', declineReason: '', declineNote: '',
    clientId: '', ...over,
  };
}

describe('match urgency', () => {
  it('is calm over a day, soon under a day, urgent under 6 hours, past after', () => {
    expect(matchUrgency(match({ respondBy: at(30 * H) }), now)).toBe('calm');
    expect(matchUrgency(match({ respondBy: at(20 * H) }), now)).toBe('soon');
    expect(matchUrgency(match({ respondBy: at(2 * H) }), now)).toBe('urgent');
    expect(matchUrgency(match({ respondBy: at(-1) }), now)).toBe('past');
    expect(isOpenMatch(match({ respondBy: at(-1) }), now)).toBe(false);
    expect(isOpenMatch(match({ status: 'accepted' }), now)).toBe(false);
    expect(isOpenMatch(match(), now)).toBe(true);
  });
});

describe('notice deadlines', () => {
  const g = (over: Partial<Grievance> = {}): Grievance => ({
    id: 'g1', status: 'open', category: 'conduct', summary: 's', receivedAt: at(-2 * H), acknowledgeBy: at(22 * H),
    resolveBy: at(15 * 24 * H - 2 * H), acknowledgedAt: '', resolvedAt: '', response: '', ...over,
  });
  it('an open grievance is due for acknowledgement, then for resolution; resolved has none', () => {
    expect(grievanceDeadline(g(), now)).toMatchObject({ what: 'Acknowledge', overdue: false, soon: false });
    expect(grievanceDeadline(g({ acknowledgeBy: at(-H) }), now)).toMatchObject({ what: 'Acknowledge', overdue: true });
    expect(grievanceDeadline(g({ status: 'acknowledged' }), now)).toMatchObject({ what: 'Resolve', overdue: false });
    expect(grievanceDeadline(g({ status: 'resolved' }), now)).toBeNull();
    expect(grievanceDeadline(g({ acknowledgeBy: at(-15 * 24 * H), resolveBy: at(-H) }), now)).toMatchObject({ what: 'Resolve', overdue: true });
  });
  it('a takedown is due within 36 hours, soon in its last 9', () => {
    const t: Takedown = { id: 't1', status: 'open', contentRef: 'profile:bio', reason: 'r', receivedAt: at(-30 * H), removeBy: at(6 * H + 60_000), respondedAt: '', response: '' };
    const d = takedownDeadline(t, now)!;
    expect(d).toMatchObject({ what: 'Remove', overdue: false, soon: true });
    expect(deadlineWords(d, now)).toBe('due in 6 h 1 min');
    const late = takedownDeadline({ ...t, removeBy: at(-2 * H) }, now)!;
    expect(deadlineWords(late, now)).toBe('overdue by 2 h');
    expect(takedownDeadline({ ...t, status: 'removed' }, now)).toBeNull();
  });
});

describe('months', () => {
  it('parses, steps across years and names months', () => {
    expect(parseMonth('2026-03')).toEqual({ year: 2026, month: 3 });
    expect(parseMonth('2026-13')).toBeNull();
    expect(addMonths('2026-01', -1)).toBe('2025-12');
    expect(addMonths('2025-12', 1)).toBe('2026-01');
    expect(monthLabel('2026-03')).toBe('March 2026');
  });
});
