// Sync with the CalmAlly backend, match proposals, grievance and takedown notices,
// platform-won conflicts and monthly earnings: typed wrappers over the bindings
// listed at the top of app/sync.go (shapes in app/dto_sync.go). Field names are the
// Go json tags; instants are RFC 3339 UTC, "" when unset; money is in paise.

import * as App from '../../wailsjs/go/app/App';

type Arg<F extends (...args: never[]) => unknown> = Parameters<F>[0];

export type SyncState =
  | 'not_connected'
  | 'offline'
  | 'idle'
  | 'syncing'
  | 'error'
  | 'needs_enrolment'
  | 'region_refused'
  | 'update_needed'
  | 'locked';

export interface SyncStatus {
  state: SyncState;
  /** A device token is held. */
  connected: boolean;
  backendUrl: string;
  deviceId: string;
  /** The backend's declared region ("IN"), "" until known. */
  region: string;
  crossBorder: boolean;
  lastSyncedAt: string;
  errorCode: string;
  errorMessage: string;
  /** Local changes not yet accepted. */
  pending: number;
  /** Refused for good, waiting for the user. */
  parked: number;
  /** Pulled changes the app refused by rule (e.g. an under-18 proposal). */
  rejected: number;
}

export type SyncPhase = 'connect' | 'push' | 'pull' | 'apply' | 'done';

export interface SyncProgress {
  phase: SyncPhase;
  pushed: number;
  pulled: number;
  applied: number;
  /** Mutations to push when known, else 0. */
  total: number;
}

export interface SyncConnect {
  backendUrl: string;
  enrolmentCode: string;
}

export interface Parked {
  outboxId: string;
  mutationId: number;
  kind: string;
  entityId: string;
  reason: string;
  createdAt: string;
}

export interface Conflict {
  id: string;
  entityType: 'booking' | 'match' | 'grievance' | 'takedown' | string;
  entityId: string;
  /** A booking's calendar name, "" otherwise. */
  label: string;
  /** The status your action had set here. */
  localState: string;
  /** The status the platform decided, now in force. */
  platform: string;
  at: string;
}

export type MatchStatus = 'proposed' | 'accepted' | 'declined' | 'expired' | 'withdrawn';
export type DeclineReason = 'caseload_full' | 'not_my_specialty' | 'language' | 'schedule' | 'other';

export interface Match {
  id: string;
  status: MatchStatus;
  ageBand: string;
  concerns: string[];
  languages: string[];
  modality: 'online' | 'in_person' | 'either' | string;
  preferences: string;
  proposedAt: string;
  respondBy: string;
  decidedAt: string;
  declineReason: string;
  declineNote: string;
  /** The client record, once it has synced down. */
  clientId: string;
}

export interface MatchDecline {
  id: string;
  reason: DeclineReason;
  /** Private; stays on this computer. */
  note: string;
}

export type GrievanceStatus = 'open' | 'acknowledged' | 'resolved';
export type TakedownStatus = 'open' | 'removed' | 'disputed';

export interface Grievance {
  id: string;
  status: GrievanceStatus;
  category: string;
  summary: string;
  receivedAt: string;
  acknowledgeBy: string;
  resolveBy: string;
  acknowledgedAt: string;
  resolvedAt: string;
  response: string;
}

export interface Takedown {
  id: string;
  status: TakedownStatus;
  contentRef: string;
  reason: string;
  receivedAt: string;
  removeBy: string;
  respondedAt: string;
  response: string;
}

export interface Notices {
  grievances: Grievance[];
  takedowns: Takedown[];
}

export interface NoticeResponse {
  id: string;
  response: string;
}

export interface EarningsAmounts {
  sessionsCompleted: number;
  /** Sessions whose payment was taken (paid, refund pending or refunded). */
  sessionsPaid: number;
  feesPaise: number;
  /** Refunded or on the way back. */
  refundsPaise: number;
  refundPendingPaise: number;
  /** Fees − refunds. */
  netPaise: number;
  /** Completed sessions whose payment is still pending. */
  outstandingPaise: number;
}

export interface EarningsDay {
  date: string;
  amounts: EarningsAmounts;
}

export interface Earnings {
  year: number;
  month: number;
  zone: string;
  currency: 'INR' | string;
  total: EarningsAmounts;
  days: EarningsDay[];
  /** Bookings left out: they failed their integrity check. */
  unreadable: number;
}

export function syncStatus(): Promise<SyncStatus> {
  return App.SyncStatus() as Promise<SyncStatus>;
}

/** Enrols this device; rejects with "forbidden: …" (code refused, region), "invalid: …" (URL). */
export function syncConnect(c: SyncConnect): Promise<SyncStatus> {
  return App.SyncConnect(c as Arg<typeof App.SyncConnect>) as Promise<SyncStatus>;
}

/** Revokes the device token and forgets it; the outbox is kept. */
export function syncDisconnect(): Promise<SyncStatus> {
  return App.SyncDisconnect() as Promise<SyncStatus>;
}

/** Runs one round now; resolves with the status after it. Progress arrives as sync:progress. */
export function syncNow(): Promise<SyncStatus> {
  return App.SyncNow() as Promise<SyncStatus>;
}

export function syncParked(): Promise<Parked[]> {
  return App.SyncParked() as Promise<Parked[]>;
}

export function syncRetryParked(outboxId: string): Promise<void> {
  return App.SyncRetryParked(outboxId);
}

export function syncDiscardParked(outboxId: string): Promise<void> {
  return App.SyncDiscardParked(outboxId);
}

export function conflictsList(): Promise<Conflict[]> {
  return App.ConflictsList() as Promise<Conflict[]>;
}

export function conflictDismiss(id: string): Promise<void> {
  return App.ConflictDismiss(id);
}

/** Open proposals first (earliest respond-by first), then decided ones. */
export function matchesList(): Promise<Match[]> {
  return App.MatchesList() as Promise<Match[]>;
}

export function matchAccept(id: string): Promise<Match> {
  return App.MatchAccept(id) as Promise<Match>;
}

export function matchDecline(d: MatchDecline): Promise<Match> {
  return App.MatchDecline(d as Arg<typeof App.MatchDecline>) as Promise<Match>;
}

export function noticesList(): Promise<Notices> {
  return App.NoticesList() as Promise<Notices>;
}

export function grievanceAcknowledge(id: string): Promise<Grievance> {
  return App.GrievanceAcknowledge(id) as Promise<Grievance>;
}

export function grievanceResolve(r: NoticeResponse): Promise<Grievance> {
  return App.GrievanceResolve(r as Arg<typeof App.GrievanceResolve>) as Promise<Grievance>;
}

export function takedownRemove(r: NoticeResponse): Promise<Takedown> {
  return App.TakedownRemove(r as Arg<typeof App.TakedownRemove>) as Promise<Takedown>;
}

export function takedownDispute(r: NoticeResponse): Promise<Takedown> {
  return App.TakedownDispute(r as Arg<typeof App.TakedownDispute>) as Promise<Takedown>;
}

/** month is 1–12, read in the schedule's zone. */
export function earningsMonth(year: number, month: number): Promise<Earnings> {
  return App.EarningsMonth(year, month) as Promise<Earnings>;
}
