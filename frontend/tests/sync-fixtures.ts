// Fixtures for the sync, matches, notices and earnings tests.
import type { Grievance, Match, SyncStatus, Takedown } from '../src/api/sync';

export const H = 3_600_000;

export function statusOf(over: Partial<SyncStatus> = {}): SyncStatus {
  return {
    state: 'idle', connected: true, backendUrl: 'https://sync.example.in', deviceId: 'dev-1', region: 'IN',
    crossBorder: false, lastSyncedAt: '', errorCode: '', errorMessage: '', pending: 0, parked: 0, rejected: 0, ...over,
  };
}

/** A proposal relative to now (ms offsets). */
export function matchOf(now: number, over: Partial<Match> = {}): Match {
  return {
    id: 'm1', status: 'proposed', ageBand: '25-34', concerns: ['anxiety'], languages: ['en'], modality: 'online',
    preferences: '', proposedAt: new Date(now - H).toISOString(), respondBy: new Date(now + 30 * H).toISOString(),
    decidedAt: '', declineReason: '', declineNote: '', clientId: '', ...over,
  };
}

export function grievanceOf(now: number, over: Partial<Grievance> = {}): Grievance {
  return {
    id: 'g1', status: 'open', category: 'conduct', summary: 'Session started late twice', receivedAt: new Date(now - 2 * H).toISOString(),
    acknowledgeBy: new Date(now + 22 * H).toISOString(), resolveBy: new Date(now + 358 * H).toISOString(),
    acknowledgedAt: '', resolvedAt: '', response: '', ...over,
  };
}

export function takedownOf(now: number, over: Partial<Takedown> = {}): Takedown {
  return {
    id: 't1', status: 'open', contentRef: 'profile:bio', reason: 'Claims a qualification not on record',
    receivedAt: new Date(now - 30 * H).toISOString(), removeBy: new Date(now + 6 * H).toISOString(), respondedAt: '',
    response: '', ...over,
  };
}
